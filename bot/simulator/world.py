"""The `World`: one simulated Telegram server's whole state and the operations shared by both
sides (the Bot API methods the bot calls and the control API tests drive).

Keeping the operations here (store a message, render it, register a file, decide whether the bot
receives a group message) means a message injected by a test and one sent by the bot are built by
the same code, so they look alike to the bot.
"""

from __future__ import annotations

import hashlib
import io
import itertools
from dataclasses import dataclass, field
from typing import Any

from bot.simulator.state import (
    CHANNEL_BOT,
    GROUP_ANONYMOUS_BOT,
    GROUP_TYPES,
    ChangeNotifier,
    Clock,
    Membership,
    RecordedCall,
    SimChat,
    SimFile,
    SimMessage,
    SimUser,
    UpdateQueue,
    chat_member_json,
)

DEFAULT_TOKEN = "123456789:SIMULATOR-test-token"
# Telegram's cap on files a bot may download through getFile.
DOWNLOAD_LIMIT = 20 * 1024 * 1024
# Photo sides Telegram keeps (thumbnail, small, medium, large) when a user sends a photo.
PHOTO_SIDES = (90, 320, 800, 1280)


@dataclass
class BotSettings:
    """What the bot configured on the server (commands, webhook, allowed_updates)."""

    privacy_mode: bool = True
    allowed_updates: frozenset[str] | None = None
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_last_error: str | None = None
    webhook_last_error_date: int | None = None
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)


class World:
    """All state of one simulated server. Not thread-safe: use it from the event loop thread."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "dlp_guard_bot",
        bot_name: str = "機密守門員",
    ) -> None:
        bot_id = int(token.split(":", 1)[0])
        self.token = token
        self.bot = SimUser(id=bot_id, first_name=bot_name, username=bot_username, is_bot=True)
        self.settings = BotSettings()
        self.clock = Clock()
        self.notifier = ChangeNotifier()
        self.updates = UpdateQueue(self.notifier)
        self.users: dict[int, SimUser] = {bot_id: self.bot}
        self.chats: dict[int, SimChat] = {}
        self.files: dict[str, SimFile] = {}
        self.files_by_path: dict[str, SimFile] = {}
        self.calls: list[RecordedCall] = []
        self.callback_answers: dict[str, dict[str, Any] | None] = {}
        self._user_ids = itertools.count(5_000_001)
        self._group_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)

    # ------------------------------------------------------------------ users and chats
    def new_user_id(self) -> int:
        uid = next(self._user_ids)
        while uid in self.users:
            uid = next(self._user_ids)
        return uid

    def new_chat_id(self, chat_type: str) -> int:
        n = next(self._group_ids)
        return -(1_000_000_000_000 + n) if chat_type in ("supergroup", "channel") else -(4000 + n)

    def user(self, user_id: int) -> SimUser:
        try:
            return self.users[user_id]
        except KeyError:
            raise KeyError(f"no simulated user {user_id}; add it with add_user()") from None

    def chat(self, chat_id: int) -> SimChat:
        try:
            return self.chats[chat_id]
        except KeyError:
            raise KeyError(f"no simulated chat {chat_id}; create it with create_chat()") from None

    def private_chat(self, user_id: int) -> SimChat:
        """The bot's private chat with a user, created on first use."""
        chat = self.chats.get(user_id)
        if chat is None:
            user = self.user(user_id)
            chat = SimChat(
                id=user.id,
                type="private",
                first_name=user.first_name,
                last_name=user.last_name,
                username=user.username,
            )
            self.chats[user.id] = chat
        return chat

    def bot_membership(self, chat: SimChat) -> Membership:
        if chat.type == "private":
            return Membership("member")
        return chat.members.get(self.bot.id, Membership("left"))

    def membership(self, chat: SimChat, user_id: int) -> Membership:
        if chat.type == "private":
            return Membership("member" if user_id in (chat.id, self.bot.id) else "left")
        return chat.members.get(user_id, Membership("left"))

    def member_json(self, chat: SimChat, user_id: int) -> dict[str, Any]:
        return chat_member_json(self.user(user_id).to_api(), self.membership(chat, user_id))

    def set_membership(
        self,
        chat: SimChat,
        user_id: int,
        member: Membership,
        *,
        actor_id: int | None,
        notify: bool = True,
    ) -> None:
        """Change a status and queue the update Telegram sends about it.

        The bot's own changes arrive as `my_chat_member`; other users' as `chat_member`, which
        Telegram delivers only when the bot listed it in `allowed_updates` and is an admin.
        """
        old = self.membership(chat, user_id)
        chat.members[user_id] = member
        if not notify or chat.type == "private":
            self.notifier.notify()
            return
        is_bot = user_id == self.bot.id
        if not is_bot and not self.bot_membership(chat).is_admin:
            self.notifier.notify()
            return
        user = self.user(user_id).to_api()
        actor = self.user(actor_id if actor_id is not None else user_id).to_api()
        self.updates.push(
            "my_chat_member" if is_bot else "chat_member",
            {
                "chat": chat.to_api(),
                "from": actor,
                "date": self.clock.now(),
                "old_chat_member": chat_member_json(user, old),
                "new_chat_member": chat_member_json(user, member),
            },
        )

    # ------------------------------------------------------------------ messages
    def store_message(
        self,
        chat: SimChat,
        *,
        sender_id: int | None,
        by_bot: bool,
        date: int | None = None,
        **fields: Any,
    ) -> SimMessage:
        message = SimMessage(
            chat_id=chat.id,
            message_id=chat.next_message_id(),
            date=self.clock.now() if date is None else int(date),
            sender_id=sender_id,
            by_bot=by_bot,
            **fields,
        )
        chat.messages[message.message_id] = message
        self.notifier.notify()
        return message

    def message_json(self, message: SimMessage, *, with_reply: bool = True) -> dict[str, Any]:
        """Render a Message as the Bot API sends it (reply_to_message nested one level)."""
        chat = self.chat(message.chat_id)
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": chat.to_api(),
        }
        sender_chat = message.payload.get("sender_chat")
        if message.sender_id is not None:
            data["from"] = self.user(message.sender_id).to_api()
        elif sender_chat is not None:
            data["from"] = GROUP_ANONYMOUS_BOT if sender_chat["id"] == chat.id else CHANNEL_BOT
        for key in ("text", "entities", "caption", "caption_entities", "edit_date"):
            value = getattr(message, key)
            if value is not None:
                data[key] = value
        data.update(message.payload)
        if message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if with_reply and message.reply_to_message_id is not None:
            target = chat.messages.get(message.reply_to_message_id)
            if target is not None and not target.deleted:
                data["reply_to_message"] = self.message_json(target, with_reply=False)
        return data

    def bot_receives(self, chat: SimChat, message: SimMessage) -> bool:
        """Whether Telegram would deliver this group message to the bot.

        Admins see everything; plain members with privacy mode on see only commands and replies
        to the bot; a bot that left or was kicked sees nothing.
        """
        if chat.type not in GROUP_TYPES:
            return True
        member = self.bot_membership(chat)
        if member.is_admin:
            return True
        if not member.is_present:
            return False
        if not self.settings.privacy_mode:
            return True
        text = message.text or message.caption or ""
        if text.startswith("/"):
            return True
        target = chat.messages.get(message.reply_to_message_id or 0)
        return target is not None and target.by_bot

    # ------------------------------------------------------------------ files
    def register_file(
        self,
        data: bytes,
        *,
        kind: str,
        file_name: str | None = None,
        mime_type: str | None = None,
        file_size: int | None = None,
        width: int | None = None,
        height: int | None = None,
        uploaded_by_bot: bool = False,
        chat_id: int | None = None,
    ) -> SimFile:
        """Store bytes under a fresh file_id and a download path like `photos/file_7.jpg`."""
        n = next(self._file_ids)
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        elif kind == "photos":
            suffix = ".jpg"
        unique = hashlib.sha1(data + str(n).encode()).hexdigest()[:16]
        sim_file = SimFile(
            file_id=f"SIM{kind[:3].upper()}{n:06d}{unique}",
            file_unique_id=f"U{unique}",
            data=data,
            file_path=f"{kind}/file_{n}{suffix}",
            file_size=len(data) if file_size is None else int(file_size),
            mime_type=mime_type,
            file_name=file_name,
            width=width,
            height=height,
            uploaded_by_bot=uploaded_by_bot,
            chat_id=chat_id,
        )
        self.files[sim_file.file_id] = sim_file
        self.files_by_path[sim_file.file_path] = sim_file
        return sim_file

    def register_photo(
        self,
        data: bytes,
        *,
        width: int | None = None,
        height: int | None = None,
        uploaded_by_bot: bool = False,
        chat_id: int | None = None,
    ) -> list[SimFile]:
        """Store a photo as Telegram does: several sizes, smallest first, original last.

        When the bytes decode as an image, smaller JPEG renditions are really produced (so a bot
        that picks `photo[0]` gets a genuinely low-resolution picture); otherwise one size with the
        given dimensions is stored.
        """
        image = _open_image(data)
        if image is None:
            return [
                self.register_file(
                    data,
                    kind="photos",
                    width=width or 1,
                    height=height or 1,
                    uploaded_by_bot=uploaded_by_bot,
                    chat_id=chat_id,
                )
            ]
        w, h = image.size
        sizes: list[SimFile] = []
        for side in PHOTO_SIDES:
            if side >= max(w, h):
                break
            scale = side / max(w, h)
            small = image.convert("RGB").resize(
                (max(1, round(w * scale)), max(1, round(h * scale)))
            )
            buf = io.BytesIO()
            small.save(buf, format="JPEG", quality=80)
            sizes.append(
                self.register_file(
                    buf.getvalue(),
                    kind="photos",
                    width=small.size[0],
                    height=small.size[1],
                    # Telegram made these renditions; only the original is the bot's upload.
                    uploaded_by_bot=False,
                    chat_id=chat_id,
                )
            )
        sizes.append(
            self.register_file(
                data,
                kind="photos",
                width=w,
                height=h,
                uploaded_by_bot=uploaded_by_bot,
                chat_id=chat_id,
            )
        )
        return sizes

    def record_call(self, call: RecordedCall) -> None:
        self.calls.append(call)
        self.notifier.notify()

    def new_callback_id(self) -> str:
        return f"{self.bot.id}{next(self._callback_ids):08d}"


def _open_image(data: bytes) -> Any:
    """Decode image bytes with Pillow, or None if they are not an image (or Pillow is absent)."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:  # pragma: no cover - pillow is a runtime dependency
        return None
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return image
