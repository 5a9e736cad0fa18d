"""The simulated Telegram world: users, chats, memberships, messages, files and the update queue.

This module is pure data plus the code that renders it as Bot API JSON. It knows nothing about
HTTP, so the method implementations (`methods.py`) and the control side (`control.py`) share one
source of truth and a test can inspect exactly what the bot would see.

Rendering follows the Bot API shapes python-telegram-bot 22.x parses: an administrator
`ChatMember` carries every required permission flag (a missing one makes PTB fail), `getChat`
returns a `ChatFullInfo` with its required fields, and dates are Unix seconds from a clock that
tests may shift (to make a message "older than 48 hours").
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Telegram's own service accounts, used as `from` for anonymous senders.
GROUP_ANONYMOUS_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}

# Required flags of ChatMemberAdministrator in PTB 22 (all must be present) and the optional ones
# we also render so a bot can read them.
ADMIN_REQUIRED_RIGHTS: tuple[str, ...] = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
ADMIN_OPTIONAL_RIGHTS: tuple[str, ...] = ("can_pin_messages", "can_manage_topics")

# Update types Telegram delivers when `allowed_updates` is empty or never set.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

GROUP_TYPES = frozenset({"group", "supergroup"})
MESSAGE_AGE_LIMIT_DELETE = 48 * 3600

_COMMAND_RE = re.compile(r"(?:(?<=\s)|^)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: Telegram entity offsets count these, not code points."""
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[dict[str, Any]]:
    """The `bot_command` entities Telegram's clients attach to `/commands` in a text."""
    entities = []
    for m in _COMMAND_RE.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: m.start()]),
                "length": utf16_len(m.group()),
            }
        )
    return entities


class Clock:
    """Wall clock with a settable offset, so tests can age messages without sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> int:
        """Current simulated Unix time in whole seconds (Telegram dates are integers)."""
        return int(time.time() + self.offset)

    def advance(self, seconds: float) -> None:
        """Move simulated time forward (e.g. 49 h to make every existing message undeletable)."""
        self.offset += seconds


class ChangeNotifier:
    """Wakes every coroutine waiting for "something changed" (an update, a call, a deletion).

    An `asyncio.Event` that is replaced after each notification: waiters hold the old event, so a
    notification is never lost and nobody busy-polls.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, timeout: float | None) -> bool:
        """Wait for the next change; False if `timeout` elapsed first."""
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True


@dataclass
class SimUser:
    """A Telegram account. `started_bot` gates DMs from the bot (403 otherwise)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    is_bot: bool = False
    started_bot: bool = False
    blocked_bot: bool = False
    language_code: str | None = None

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass
class Membership:
    """One user's (or the bot's) status in a chat; `rights` holds admin permission flags."""

    status: str  # creator | administrator | member | left | kicked
    rights: dict[str, bool] = field(default_factory=dict)
    custom_title: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.status in ("creator", "administrator")

    @property
    def is_present(self) -> bool:
        return self.status in ("creator", "administrator", "member")

    def can(self, right: str) -> bool:
        """Creators hold every right; administrators only the flags they were given."""
        if self.status == "creator":
            return True
        return self.status == "administrator" and bool(self.rights.get(right, False))


def admin_rights(**overrides: bool) -> dict[str, bool]:
    """A full administrator rights set (PTB needs every flag), all True unless overridden.

    `can_be_edited` and `is_anonymous` default to False: they describe the relationship, not a
    power the bot should rely on.
    """
    rights = {name: True for name in (*ADMIN_REQUIRED_RIGHTS, *ADMIN_OPTIONAL_RIGHTS)}
    rights["can_be_edited"] = False
    rights["is_anonymous"] = False
    unknown = set(overrides) - set(rights)
    if unknown:
        raise ValueError(f"unknown admin rights: {sorted(unknown)}")
    rights.update(overrides)
    return rights


def chat_member_json(user: dict[str, Any], member: Membership) -> dict[str, Any]:
    """Render a ChatMember object of the right subtype for `member.status`."""
    data: dict[str, Any] = {"status": member.status, "user": user}
    if member.status == "creator":
        data["is_anonymous"] = bool(member.rights.get("is_anonymous", False))
    elif member.status == "administrator":
        full = admin_rights()
        full.update(member.rights)
        for name in (*ADMIN_REQUIRED_RIGHTS, *ADMIN_OPTIONAL_RIGHTS):
            data[name] = bool(full[name])
    elif member.status == "kicked":
        data["until_date"] = 0
    if member.custom_title and member.is_admin:
        data["custom_title"] = member.custom_title
    return data


@dataclass
class SimMessage:
    """A message in a chat, whether a user or the bot sent it.

    `payload` holds the optional Message fields (photo, document, forward_origin,
    media_group_id, message_thread_id, sender_chat...) already in Bot API form.
    """

    chat_id: int
    message_id: int
    date: int
    sender_id: int | None  # user id; None for anonymous/channel senders
    by_bot: bool = False
    text: str | None = None
    entities: list[dict[str, Any]] | None = None
    caption: str | None = None
    caption_entities: list[dict[str, Any]] | None = None
    reply_to_message_id: int | None = None
    reply_markup: dict[str, Any] | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    edit_date: int | None = None
    deleted: bool = False
    deleted_at: int | None = None
    parse_mode: str | None = None

    @property
    def callback_data(self) -> list[str]:
        """Every `callback_data` of this message's inline keyboard (for button presses)."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


@dataclass
class SimChat:
    """A chat. Private chats share the user's id; group ids are negative (-100… for supergroups)."""

    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    first_name: str | None = None
    last_name: str | None = None
    members: dict[int, Membership] = field(default_factory=dict)
    messages: dict[int, SimMessage] = field(default_factory=dict)
    _ids: Iterable[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    def next_message_id(self) -> int:
        return next(self._ids)  # type: ignore[call-overload]

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.is_forum:
            data["is_forum"] = True
        return data

    def full_info(self) -> dict[str, Any]:
        """ChatFullInfo (getChat): the Chat fields plus those PTB 22 requires."""
        data = self.to_api()
        data.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return data

    def live_messages(self) -> list[SimMessage]:
        return [m for m in self.messages.values() if not m.deleted]


@dataclass
class SimFile:
    """A stored file. `file_size` may exceed `len(data)` to simulate huge files cheaply."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_size: int
    mime_type: str | None = None
    file_name: str | None = None
    width: int | None = None
    height: int | None = None
    uploaded_by_bot: bool = False
    chat_id: int | None = None

    def photo_size(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": self.width or 0,
            "height": self.height or 0,
            "file_size": self.file_size,
        }

    def document(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data


@dataclass
class RecordedCall:
    """One Bot API request the bot made: decoded params, uploads, outcome.

    `files` maps a file parameter ("photo", "document") to the `SimFile` the upload became (the
    original bytes in `.data`); `params` keeps form values as strings, JSON text decoded.
    """

    method: str
    params: dict[str, Any]
    files: dict[str, SimFile]
    time: float
    status: int | None = None
    result: Any = None
    description: str | None = None
    finished: float | None = None  # Unix time the answer was sent

    @property
    def done(self) -> bool:
        return self.status is not None

    @property
    def ok(self) -> bool:
        return self.status == 200

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "params": self.params,
            "files": {
                k: {"file_id": f.file_id, "size": f.file_size} for k, f in self.files.items()
            },
            "time": self.time,
            "status": self.status,
            "result": self.result,
            "description": self.description,
            "finished": self.finished,
        }


@dataclass
class Update:
    update_id: int
    kind: str  # message | edited_message | callback_query | my_chat_member | chat_member ...
    payload: dict[str, Any]

    def to_api(self) -> dict[str, Any]:
        return {"update_id": self.update_id, self.kind: self.payload}


class UpdateQueue:
    """Pending updates with Telegram's confirm-by-offset semantics."""

    def __init__(self, notifier: ChangeNotifier) -> None:
        self._items: list[Update] = []
        self._next_id = itertools.count(100_000_001)
        self._notifier = notifier

    def push(self, kind: str, payload: dict[str, Any]) -> Update:
        update = Update(next(self._next_id), kind, payload)
        self._items.append(update)
        self._notifier.notify()
        return update

    def confirm(self, offset: int) -> None:
        """Forget every update with id < offset (positive) or all but the last -offset."""
        if offset > 0:
            self._items = [u for u in self._items if u.update_id >= offset]
        elif offset < 0:
            self._items = self._items[offset:]

    def drop_unwanted(self, allowed: frozenset[str] | None) -> None:
        """Updates of types the bot did not ask for are discarded, as Telegram does."""
        wanted = _wanted(allowed)
        self._items = [u for u in self._items if wanted(u.kind)]

    def take(self, limit: int) -> list[Update]:
        """The oldest pending updates; they stay queued until a later offset confirms them."""
        return self._items[:limit]

    def drop_all(self) -> None:
        self._items.clear()

    def pending(self) -> list[Update]:
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)


def _wanted(allowed: frozenset[str] | None):
    if not allowed:
        return lambda kind: kind not in DEFAULT_EXCLUDED_UPDATES
    return lambda kind: kind in allowed
