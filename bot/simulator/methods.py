"""The Bot API methods, implemented over a `World` with Telegram's real rules and error texts.

Each handler takes decoded `Params` and returns the `result` value of a successful answer or
raises `ApiError`; the server turns that into the HTTP status PTB maps to its exceptions
(400 → BadRequest, 403 → Forbidden, 409 → Conflict, 429 → RetryAfter, 5xx → NetworkError).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from bot.simulator.formatting import parse_formatted
from bot.simulator.params import ApiError, Params, Upload, bad_request, forbidden
from bot.simulator.state import (
    CHANNEL_BOT,
    GROUP_ANONYMOUS_BOT,
    GROUP_TYPES,
    MESSAGE_AGE_LIMIT_DELETE,
    Membership,
    SimChat,
    SimFile,
    SimMessage,
    chat_member_json,
)
from bot.simulator.world import DOWNLOAD_LIMIT, World

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_POLL_TIMEOUT = 50
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")

Handler = Callable[[Params], Any]


class BotApi:
    """Dispatches method names to handlers; unknown methods get Telegram's 404."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.closing = False
        self._poll_generation = 0
        self.handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "logOut": lambda p: True,
            "close": lambda p: True,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "getChatAdministrators": self.get_chat_administrators,
            "getChatMemberCount": self.get_chat_member_count,
            "leaveChat": self.leave_chat,
            "getFile": self.get_file,
            "answerCallbackQuery": self.answer_callback_query,
            "sendChatAction": self.send_chat_action,
            "setMyCommands": self.set_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "getMyCommands": self.get_my_commands,
        }

    async def call(self, method: str, params: Params) -> Any:
        handler = self.handlers.get(method)
        if handler is None:
            raise ApiError(404, "Not Found")
        result = handler(params)
        if isinstance(result, Awaitable):
            result = await result
        return result

    # ------------------------------------------------------------------ bot and updates
    def get_me(self, p: Params) -> dict[str, Any]:
        data = self.world.bot.to_api()
        data.update(
            can_join_groups=True,
            can_read_all_group_messages=not self.world.settings.privacy_mode,
            supports_inline_queries=False,
            can_connect_to_business=False,
            has_main_web_app=False,
        )
        return data

    async def get_updates(self, p: Params) -> list[dict[str, Any]]:
        """Long polling: hold the request until an update arrives or `timeout` expires.

        A newer getUpdates ends an older one with 409 (as Telegram does when two instances poll);
        updates are dropped only when a later call confirms them with `offset`.
        """
        world = self.world
        if world.settings.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = p.int("offset", 0) or 0
        limit = min(max(p.int("limit", 100) or 100, 1), 100)
        timeout = min(max(p.float("timeout", 0.0) or 0.0, 0.0), MAX_POLL_TIMEOUT)
        allowed = p.json("allowed_updates")
        if allowed is not None:
            world.settings.allowed_updates = frozenset(allowed) or None
        world.updates.confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            world.updates.drop_unwanted(world.settings.allowed_updates)
            if len(world.updates):
                return [u.to_api() for u in world.updates.take(limit)]
            remaining = deadline - loop.time()
            if self.closing or remaining <= 0:
                return []
            await world.notifier.wait(remaining)
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )

    def set_webhook(self, p: Params) -> bool:
        url = p.str("url", "") or ""
        if url and not (url.startswith("https://") or _is_loopback_http(url)):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.str("secret_token", "") or ""
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        settings = self.world.settings
        settings.webhook_url, settings.webhook_secret = url, secret
        settings.webhook_last_error = settings.webhook_last_error_date = None
        allowed = p.json("allowed_updates")
        if allowed is not None:
            self.world.settings.allowed_updates = frozenset(allowed) or None
        if p.bool("drop_pending_updates"):
            self.world.updates.drop_all()
        return True

    def delete_webhook(self, p: Params) -> bool:
        self.world.settings.webhook_url = self.world.settings.webhook_secret = ""
        if p.bool("drop_pending_updates"):
            self.world.updates.drop_all()
        return True

    def get_webhook_info(self, p: Params) -> dict[str, Any]:
        settings = self.world.settings
        info: dict[str, Any] = {
            "url": settings.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
        }
        if settings.webhook_last_error is not None:
            info["last_error_date"] = settings.webhook_last_error_date
            info["last_error_message"] = settings.webhook_last_error
        if settings.allowed_updates:
            info["allowed_updates"] = sorted(settings.allowed_updates)
        return info

    # ------------------------------------------------------------------ chat access
    def _chat(self, p: Params) -> SimChat:
        """Resolve chat_id (number or @username) to a chat the bot can read."""
        world = self.world
        raw = p.raw("chat_id")
        if isinstance(raw, str) and raw.startswith("@"):
            for chat in world.chats.values():
                if chat.username and chat.username.lower() == raw[1:].lower():
                    return chat
            raise bad_request("chat not found")
        chat_id = p.int("chat_id", required=True)
        assert chat_id is not None
        if chat_id in (GROUP_ANONYMOUS_BOT["id"], CHANNEL_BOT["id"]):
            # The `from` of anonymous admins and channel posts: a DLP bot must not try to DM it.
            raise forbidden("bot can't send messages to bots")
        chat = world.chats.get(chat_id)
        if chat is None and chat_id in world.users and chat_id != world.bot.id:
            # The private chat exists for Telegram; whether the bot may write is checked later
            # (403 "bot can't initiate conversation" for users who never started it).
            chat = world.private_chat(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.type in GROUP_TYPES or chat.type == "channel":
            member = world.bot_membership(chat)
            if member.status == "kicked":
                raise forbidden(f"bot was kicked from the {_kind(chat)} chat")
        return chat

    def _writable_chat(self, p: Params) -> SimChat:
        """A chat the bot may post in, with Telegram's 403 reasons when it may not."""
        chat = self._chat(p)
        world = self.world
        if chat.type == "private":
            user = world.user(chat.id)
            if user.is_bot:
                raise forbidden("bot can't send messages to bots")
            if user.blocked_bot:
                raise forbidden("bot was blocked by the user")
            if not user.started_bot:
                raise forbidden("bot can't initiate conversation with a user")
        elif not world.bot_membership(chat).is_present:
            raise forbidden(f"bot is not a member of the {_kind(chat)} chat")
        return chat

    # ------------------------------------------------------------------ sending
    def _reply_target(self, chat: SimChat, p: Params) -> int | None:
        reply = p.json("reply_parameters")
        if reply is None and p.has("reply_to_message_id"):
            reply = {
                "message_id": p.int("reply_to_message_id"),
                "allow_sending_without_reply": p.bool("allow_sending_without_reply"),
            }
        if not reply:
            return None
        if "chat_id" in reply and str(reply["chat_id"]) != str(chat.id):
            raise bad_request("replies to other chats are not supported by the simulator")
        target = chat.messages.get(int(reply.get("message_id", 0)))
        if target is None or target.deleted:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return target.message_id

    def _markup(self, p: Params) -> dict[str, Any] | None:
        """Validate reply_markup; return it if it is an inline keyboard (kept on the message)."""
        markup = p.json("reply_markup")
        if not markup:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return None  # reply keyboards / ForceReply / ReplyKeyboardRemove are not on Message
        for row in rows:
            for button in row:
                if not button.get("text"):
                    raise bad_request("text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
        return markup

    def _common_payload(self, chat: SimChat, p: Params) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        thread = p.int("message_thread_id")
        if thread:
            payload["message_thread_id"] = thread
            if chat.is_forum:
                payload["is_topic_message"] = True
        return payload

    def _send(self, chat: SimChat, p: Params, **fields: Any) -> dict[str, Any]:
        world = self.world
        message = world.store_message(
            chat,
            sender_id=world.bot.id,
            by_bot=True,
            reply_to_message_id=self._reply_target(chat, p),
            reply_markup=self._markup(p),
            parse_mode=p.str("parse_mode"),
            **fields,
        )
        return world.message_json(message)

    def send_message(self, p: Params) -> dict[str, Any]:
        chat = self._writable_chat(p)
        raw_text = p.str("text", "") or ""
        text, entities = parse_formatted(raw_text, p.str("parse_mode"), p.json("entities"))
        if not text.strip():
            raise bad_request("message text is empty")
        if len(text) > MAX_TEXT:
            raise bad_request("message is too long")
        payload = self._common_payload(chat, p)
        return self._send(chat, p, text=text, entities=entities or None, payload=payload)

    def _caption(self, p: Params) -> tuple[str | None, list[dict[str, Any]] | None]:
        raw = p.str("caption")
        if raw is None:
            return None, None
        caption, entities = parse_formatted(raw, p.str("parse_mode"), p.json("caption_entities"))
        if len(caption) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return caption or None, entities or None

    def _input_file(self, p: Params, name: str) -> Upload | SimFile:
        """A file parameter: a multipart part, `attach://part`, or an existing file_id."""
        if name in p.uploads:
            return p.uploads[name]
        value = p.str(name)
        if not value:
            raise bad_request(f"there is no {name} in the request")
        if value.startswith("attach://"):
            part = p.uploads.get(value[len("attach://") :])
            if part is None:
                raise bad_request(f"wrong file identifier/HTTP URL specified for {name}")
            return part
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        existing = self.world.files.get(value)
        if existing is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return existing

    def send_photo(self, p: Params) -> dict[str, Any]:
        chat = self._writable_chat(p)
        source = self._input_file(p, "photo")
        caption, entities = self._caption(p)  # validated before the upload is stored
        if isinstance(source, Upload):
            sizes = self.world.register_photo(source.data, uploaded_by_bot=True, chat_id=chat.id)
            p.stored["photo"] = sizes[-1]
        else:
            sizes = [source]
        payload = self._common_payload(chat, p)
        payload["photo"] = [f.photo_size() for f in sizes]
        return self._send(chat, p, caption=caption, caption_entities=entities, payload=payload)

    def send_document(self, p: Params) -> dict[str, Any]:
        chat = self._writable_chat(p)
        source = self._input_file(p, "document")
        caption, entities = self._caption(p)  # validated before the upload is stored
        if isinstance(source, Upload):
            sim_file = self.world.register_file(
                source.data,
                kind="documents",
                file_name=source.filename,
                mime_type=source.content_type,
                uploaded_by_bot=True,
                chat_id=chat.id,
            )
            p.stored["document"] = sim_file
        else:
            sim_file = source
        payload = self._common_payload(chat, p)
        payload["document"] = sim_file.document()
        return self._send(chat, p, caption=caption, caption_entities=entities, payload=payload)

    # ------------------------------------------------------------------ editing and deleting
    def _own_message(self, p: Params, missing: str) -> tuple[SimChat, SimMessage]:
        if p.has("inline_message_id"):
            raise bad_request("inline messages are not supported by the simulator")
        chat = self._chat(p)
        message_id = p.int("message_id", required=True)
        message = chat.messages.get(message_id or 0)
        if message is None or message.deleted:
            raise bad_request(missing)
        if not message.by_bot:
            raise bad_request("message can't be edited")
        return chat, message

    def _finish_edit(
        self, message: SimMessage, changed: bool, markup: dict[str, Any] | None
    ) -> dict[str, Any]:
        if not changed and markup == message.reply_markup:
            raise bad_request(NOT_MODIFIED)
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        message.reply_markup = markup
        message.edit_date = self.world.clock.now()
        self.world.notifier.notify()
        return self.world.message_json(message)

    def edit_message_text(self, p: Params) -> dict[str, Any]:
        _, message = self._own_message(p, "message to edit not found")
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text, entities = parse_formatted(
            p.str("text", "") or "", p.str("parse_mode"), p.json("entities")
        )
        if not text.strip():
            raise bad_request("message text is empty")
        if len(text) > MAX_TEXT:
            raise bad_request("message is too long")
        changed = text != message.text or (entities or None) != message.entities
        markup = self._markup(p)
        if changed:
            message.text, message.entities = text, entities or None
        return self._finish_edit(message, changed, markup)

    def edit_message_caption(self, p: Params) -> dict[str, Any]:
        _, message = self._own_message(p, "message to edit not found")
        if "photo" not in message.payload and "document" not in message.payload:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._caption(p)
        changed = caption != message.caption or entities != message.caption_entities
        markup = self._markup(p)
        if changed:
            message.caption, message.caption_entities = caption, entities
        return self._finish_edit(message, changed, markup)

    def edit_message_reply_markup(self, p: Params) -> dict[str, Any]:
        _, message = self._own_message(p, "message to edit not found")
        return self._finish_edit(message, False, self._markup(p))

    def _delete_one(self, chat: SimChat, message_id: int) -> None:
        world = self.world
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        if world.clock.now() - message.date >= MESSAGE_AGE_LIMIT_DELETE:
            raise bad_request("message can't be deleted")
        if (
            chat.type in GROUP_TYPES
            and not message.by_bot
            and not world.bot_membership(chat).can("can_delete_messages")
        ):
            raise bad_request("message can't be deleted")
        message.deleted = True
        message.deleted_at = world.clock.now()
        world.notifier.notify()

    def delete_message(self, p: Params) -> bool:
        chat = self._chat(p)
        self._delete_one(chat, p.int("message_id", required=True) or 0)
        return True

    def delete_messages(self, p: Params) -> bool:
        """Delete up to 100 messages; ones that cannot be deleted are skipped, as Telegram does."""
        chat = self._chat(p)
        ids = p.json("message_ids", [])
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must contain 1-100 identifiers")
        deleted = 0
        for message_id in ids:
            try:
                self._delete_one(chat, int(message_id))
                deleted += 1
            except ApiError:
                continue
        if not deleted:
            raise bad_request("message to delete not found")
        return True

    # ------------------------------------------------------------------ chat info
    def get_chat(self, p: Params) -> dict[str, Any]:
        chat = self._chat(p)
        if chat.type in GROUP_TYPES and not self.world.bot_membership(chat).is_present:
            raise bad_request("chat not found")
        return chat.full_info()

    def get_chat_member(self, p: Params) -> dict[str, Any]:
        chat = self._chat(p)
        user_id = p.int("user_id", required=True) or 0
        if user_id not in self.world.users:
            raise bad_request("user not found")
        return self.world.member_json(chat, user_id)

    def get_chat_administrators(self, p: Params) -> list[dict[str, Any]]:
        chat = self._chat(p)
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        admins = [
            chat_member_json(self.world.user(uid).to_api(), member)
            for uid, member in chat.members.items()
            if member.is_admin
        ]
        admins.sort(key=lambda m: m["status"] != "creator")
        return admins

    def get_chat_member_count(self, p: Params) -> int:
        chat = self._chat(p)
        if chat.type == "private":
            return 2
        return sum(1 for m in chat.members.values() if m.is_present)

    def leave_chat(self, p: Params) -> bool:
        chat = self._chat(p)
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        self.world.set_membership(chat, self.world.bot.id, Membership("left"), actor_id=None)
        return True

    # ------------------------------------------------------------------ files and callbacks
    def get_file(self, p: Params) -> dict[str, Any]:
        sim_file = self.world.files.get(p.str("file_id", "") or "")
        if sim_file is None:
            raise bad_request("invalid file_id")
        if sim_file.file_size > DOWNLOAD_LIMIT:
            raise bad_request("file is too big")
        return {
            "file_id": sim_file.file_id,
            "file_unique_id": sim_file.file_unique_id,
            "file_size": sim_file.file_size,
            "file_path": sim_file.file_path,
        }

    def answer_callback_query(self, p: Params) -> bool:
        query_id = p.str("callback_query_id", "") or ""
        answers = self.world.callback_answers
        if query_id not in answers or answers[query_id] is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = p.str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        answers[query_id] = {
            "text": text,
            "show_alert": p.bool("show_alert"),
            "url": p.str("url"),
            "cache_time": p.int("cache_time", 0),
        }
        self.world.notifier.notify()
        return True

    def send_chat_action(self, p: Params) -> bool:
        """Show "typing…" while the bot scans: accepted for chats the bot may write to."""
        self._writable_chat(p)
        if not p.str("action"):
            raise bad_request("wrong parameter action in request")
        return True

    # ------------------------------------------------------------------ commands menu
    @staticmethod
    def _scope_key(p: Params) -> str:
        scope = p.json("scope") or {"type": "default"}
        parts = [
            str(scope.get("type")),
            str(scope.get("chat_id", "")),
            str(scope.get("user_id", "")),
        ]
        return "|".join([*parts, p.str("language_code", "") or ""])

    def set_my_commands(self, p: Params) -> bool:
        commands = p.json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be a list of at most 100 BotCommand")
        for cmd in commands:
            if not _COMMAND_NAME.match(str(cmd.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.world.settings.commands[self._scope_key(p)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def delete_my_commands(self, p: Params) -> bool:
        self.world.settings.commands.pop(self._scope_key(p), None)
        return True

    def get_my_commands(self, p: Params) -> list[dict[str, str]]:
        return self.world.settings.commands.get(self._scope_key(p), [])


def _kind(chat: SimChat) -> str:
    return {"supergroup": "supergroup", "channel": "channel"}.get(chat.type, "group")


def _is_loopback_http(url: str) -> bool:
    """Plain HTTP is accepted only for local test webhooks (Telegram itself demands HTTPS)."""
    host = urlsplit(url).hostname or ""
    return url.startswith("http://") and host in ("127.0.0.1", "localhost", "::1")
