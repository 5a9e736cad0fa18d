"""The control side of the simulator: what a test (or the demo) does to the simulated Telegram.

`Simulator` owns one `World`, the Bot API handlers, the fault plan and the aiohttp server. A test
uses it in-process (`async with Simulator() as sim:`); another process drives the same operations
over HTTP under `/_control/<action>` (see `ControlHttp`).

Everything a test injects goes through the same `World` code the bot's own calls use, so a user's
message and a bot's message render identically, dates come from one settable clock and every
change wakes the waiters of `wait_for`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from aiohttp import web

from bot.simulator.faults import FaultPlan, RateLimits
from bot.simulator.methods import BotApi
from bot.simulator.server import SimulatorServer
from bot.simulator.state import (
    GROUP_TYPES,
    Membership,
    RecordedCall,
    SimChat,
    SimFile,
    SimMessage,
    SimUser,
    admin_rights,
    command_entities,
)
from bot.simulator.webhook import Delivery
from bot.simulator.world import DEFAULT_TOKEN, World

ChatRef = int | SimChat
UserRef = int | SimUser
MessageRef = int | SimMessage


# Statuses the simulator renders (ChatMemberRestricted's many flags are not modelled).
STATUSES = frozenset({"creator", "administrator", "member", "left", "kicked"})


def _membership(status: str, rights: dict[str, bool] | None) -> Membership:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {sorted(STATUSES)}, not {status!r}")
    return Membership(status, admin_rights(**(rights or {})) if status == "administrator" else {})


def _chat_id(chat: ChatRef) -> int:
    return chat.id if isinstance(chat, SimChat) else int(chat)


def _user_id(user: UserRef) -> int:
    return user.id if isinstance(user, SimUser) else int(user)


def _message_id(message: MessageRef) -> int:
    return message.message_id if isinstance(message, SimMessage) else int(message)


class Simulator:
    """A local Telegram Bot API server plus the controls a test needs. See the package docstring."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "dlp_guard_bot",
        bot_name: str = "機密守門員",
        rate_limits: RateLimits | None = None,
    ) -> None:
        self.world = World(token, bot_username=bot_username, bot_name=bot_name)
        self.api = BotApi(self.world)
        self.faults = FaultPlan()
        self.rate_limits = rate_limits or RateLimits()
        self.server = SimulatorServer(
            self.world, self.api, self.faults, self.rate_limits, host=host, port=port
        )
        ControlHttp(self).install(self.server.app)
        self._chat_instances = itertools.count(7_000_000_001)

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> str:
        """Bind the server (port 0 → an ephemeral port) and return its URL."""
        return await self.server.start()

    async def stop(self) -> None:
        await self.server.stop()

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>` once started."""
        if self.server.url is None:
            raise RuntimeError("simulator not started: await sim.start() first")
        return self.server.url

    @property
    def base_url(self) -> str:
        """For `ApplicationBuilder().base_url(...)` (PTB appends the token and method)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For `ApplicationBuilder().base_file_url(...)`."""
        return f"{self.url}/file/bot"

    @property
    def token(self) -> str:
        return self.world.token

    @property
    def bot(self) -> SimUser:
        return self.world.bot

    @contextlib.asynccontextmanager
    async def polling(
        self,
        app: Any,
        *,
        timeout: float = 1.0,
        allowed_updates: list[str] | None = None,
    ) -> AsyncIterator[Any]:
        """Run a python-telegram-bot `Application` (built with this simulator's base_url) with
        long polling for the duration of the block, then stop it: the manual start/stop PTB
        needs inside a running event loop. A short `timeout` keeps shutdown fast in tests."""
        async with app:
            await app.start()
            await app.updater.start_polling(
                poll_interval=0,
                timeout=dt.timedelta(seconds=timeout),
                allowed_updates=allowed_updates,
            )
            try:
                yield app
            finally:
                if app.updater.running:
                    await app.updater.stop()
                await app.stop()

    def application_builder(self) -> Any:
        """A PTB `ApplicationBuilder` already pointed at this simulator (token, base URLs)."""
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    # ------------------------------------------------------------------ time
    def now(self) -> int:
        """Simulated Unix time (what message dates use)."""
        return self.world.clock.now()

    def advance_time(self, seconds: float) -> None:
        """Shift the simulated clock, e.g. 49 h so existing messages can no longer be deleted."""
        self.world.clock.advance(seconds)
        self.world.notifier.notify()

    # ------------------------------------------------------------------ users and chats
    def add_user(
        self,
        first_name: str,
        *,
        user_id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        is_bot: bool = False,
        started_bot: bool = False,
        language_code: str | None = None,
    ) -> SimUser:
        """Create an account. `started_bot=False` (the default) makes DMs from the bot fail 403."""
        uid = self.world.new_user_id() if user_id is None else int(user_id)
        if uid in self.world.users:
            raise ValueError(f"user {uid} already exists")
        user = SimUser(
            id=uid,
            first_name=first_name,
            last_name=last_name,
            username=username,
            is_bot=is_bot,
            started_bot=started_bot,
            language_code=language_code,
        )
        self.world.users[uid] = user
        return user

    def user(self, user: UserRef) -> SimUser:
        return self.world.user(_user_id(user))

    def set_started(self, user: UserRef, started: bool = True, *, blocked: bool = False) -> None:
        """Mark whether a user has started (and not blocked) the bot, without sending /start."""
        u = self.user(user)
        u.started_bot, u.blocked_bot = started, blocked

    def create_chat(
        self,
        title: str | None = None,
        *,
        chat_type: str = "supergroup",
        chat_id: int | None = None,
        username: str | None = None,
        is_forum: bool = False,
        creator: UserRef | None = None,
        members: Iterable[UserRef] = (),
        bot_status: str = "administrator",
        bot_rights: dict[str, bool] | None = None,
        announce: bool = False,
    ) -> SimChat:
        """Create a group/supergroup/channel the bot is in (admin with every right by default).

        `bot_rights` overrides single flags, e.g. `{"can_delete_messages": False}`.
        `announce=True` also queues the `my_chat_member` update Telegram sends when a bot is added.
        """
        if chat_type == "private":
            if chat_id is None:
                raise ValueError("a private chat needs chat_id = the user's id")
            return self.world.private_chat(chat_id)
        if chat_type not in (*GROUP_TYPES, "channel"):
            raise ValueError(f"unknown chat type {chat_type!r}")
        cid = self.world.new_chat_id(chat_type) if chat_id is None else int(chat_id)
        if cid in self.world.chats:
            raise ValueError(f"chat {cid} already exists")
        chat = SimChat(
            id=cid,
            type=chat_type,
            title=title or f"Group {abs(cid)}",
            username=username,
            is_forum=is_forum,
        )
        self.world.chats[cid] = chat
        if creator is not None:
            chat.members[self.user(creator).id] = Membership("creator")
        for member in members:
            chat.members.setdefault(self.user(member).id, Membership("member"))
        self.set_bot_status(chat, bot_status, rights=bot_rights, notify=announce)
        return chat

    def chat(self, chat: ChatRef) -> SimChat:
        return self.world.chat(_chat_id(chat))

    def private_chat(self, user: UserRef) -> SimChat:
        return self.world.private_chat(_user_id(user))

    def add_member(
        self,
        chat: ChatRef,
        user: UserRef,
        status: str = "member",
        *,
        rights: dict[str, bool] | None = None,
        notify: bool = False,
        by: UserRef | None = None,
    ) -> None:
        """Set a user's status (creator/administrator/member/left/kicked) in a group.

        With `notify=True` a `chat_member` update is queued (delivered only if the bot is an admin
        and asked for `chat_member` in allowed_updates, as on Telegram).
        """
        c = self.chat(chat)
        member = _membership(status, rights)
        actor = self.user(by).id if by is not None else self._default_actor(c)
        self.world.set_membership(c, self.user(user).id, member, actor_id=actor, notify=notify)

    def set_bot_status(
        self,
        chat: ChatRef,
        status: str = "administrator",
        *,
        rights: dict[str, bool] | None = None,
        can_delete_messages: bool | None = None,
        notify: bool = True,
        by: UserRef | None = None,
    ) -> None:
        """Promote/demote/kick the bot; queues the `my_chat_member` update unless notify=False.

        `status`: administrator | member | left | kicked. `rights` overrides admin flags (every
        flag PTB requires is always present); `can_delete_messages` is a shortcut for the one a DLP
        bot cares about.
        """
        c = self.chat(chat)
        overrides = dict(rights or {})
        if can_delete_messages is not None:
            overrides["can_delete_messages"] = can_delete_messages
        member = _membership(status, overrides)
        actor = self.user(by).id if by is not None else self._default_actor(c)
        self.world.set_membership(c, self.bot.id, member, actor_id=actor, notify=notify)

    def set_privacy_mode(self, enabled: bool) -> None:
        """Privacy mode on (default): as a plain member the bot sees only commands and replies."""
        self.world.settings.privacy_mode = enabled

    def _default_actor(self, chat: SimChat) -> int:
        """Who appears to perform a membership change: the creator, else any human member."""
        for uid, member in chat.members.items():
            if member.status == "creator":
                return uid
        for uid, member in chat.members.items():
            if uid != self.bot.id and member.is_present:
                return uid
        return self.bot.id

    # ------------------------------------------------------------------ injecting updates
    def inject_message(
        self,
        chat: ChatRef,
        user: UserRef | None,
        text: str | None = None,
        *,
        entities: list[dict[str, Any]] | None = None,
        reply_to: MessageRef | None = None,
        forward_origin: dict[str, Any] | None = None,
        media_group_id: str | None = None,
        message_thread_id: int | None = None,
        sender_chat: ChatRef | None = None,
        date: int | None = None,
        caption: str | None = None,
        caption_entities: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> SimMessage:
        """A user (or, with user=None and sender_chat, an anonymous admin/channel) posts a message.

        `/commands` get `bot_command` entities automatically. A message in a private chat marks
        the user as having started the bot. The `message` update is queued only if Telegram would
        deliver it (privacy mode, bot membership); the stored message exists either way.
        """
        c = self.chat(chat)
        sender_id = _user_id(user) if user is not None else None
        if sender_id is not None:
            self.world.user(sender_id)
            if c.type == "private":
                if sender_id != c.id:
                    raise ValueError(f"only user {c.id} writes in their private chat with the bot")
                sender = self.world.user(sender_id)
                sender.started_bot, sender.blocked_bot = True, False
            elif c.members.get(sender_id, Membership("left")).status == "kicked":
                raise ValueError(f"user {sender_id} is banned from chat {c.id}")
            elif sender_id not in c.members or not c.members[sender_id].is_present:
                c.members[sender_id] = Membership("member")
        payload: dict[str, Any] = dict(extra or {})
        if forward_origin is not None:
            payload["forward_origin"] = forward_origin
        if media_group_id is not None:
            payload["media_group_id"] = media_group_id
        if message_thread_id is not None:
            payload["message_thread_id"] = message_thread_id
            if c.is_forum:
                payload["is_topic_message"] = True
        if sender_chat is not None:
            payload["sender_chat"] = self.chat(sender_chat).to_api()
        elif sender_id is None:
            raise ValueError("a message needs a user or a sender_chat")
        if text is not None and entities is None:
            entities = command_entities(text) or None
        if caption is not None and caption_entities is None:
            caption_entities = command_entities(caption) or None
        reply_id = _message_id(reply_to) if reply_to is not None else None
        if reply_id is not None and reply_id not in c.messages:
            raise ValueError(f"no message {reply_id} in chat {c.id} to reply to")
        message = self.world.store_message(
            c,
            sender_id=sender_id,
            by_bot=False,
            date=date,
            text=text,
            entities=entities,
            caption=caption,
            caption_entities=caption_entities,
            reply_to_message_id=reply_id,
            payload=payload,
        )
        if self.world.bot_receives(c, message):
            kind = "channel_post" if c.type == "channel" else "message"
            self.world.updates.push(kind, self.world.message_json(message))
        return message

    def inject_command(
        self, chat: ChatRef, user: UserRef, command: str, *args: str, **kwargs: Any
    ) -> SimMessage:
        """`/command arg…` with its bot_command entity (a leading '/' is optional)."""
        text = " ".join([command if command.startswith("/") else f"/{command}", *args])
        return self.inject_message(chat, user, text, **kwargs)

    def start_bot(self, user: UserRef) -> SimMessage:
        """The user opens a DM with the bot and presses Start (sends /start)."""
        return self.inject_message(self.private_chat(user), user, "/start")

    def inject_edit(
        self,
        chat: ChatRef,
        message: MessageRef,
        text: str | None = None,
        *,
        caption: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        date: int | None = None,
    ) -> SimMessage:
        """The author edits their message; queues `edited_message` (with edit_date)."""
        c = self.chat(chat)
        m = c.messages.get(_message_id(message))
        if m is None or m.deleted:
            raise ValueError(f"no live message {_message_id(message)} in chat {c.id}")
        if text is not None:
            m.text = text
            m.entities = entities if entities is not None else (command_entities(text) or None)
        if caption is not None:
            m.caption = caption
            m.caption_entities = command_entities(caption) or None
        m.edit_date = self.now() if date is None else int(date)
        self.world.notifier.notify()
        if self.world.bot_receives(c, m):
            kind = "edited_channel_post" if c.type == "channel" else "edited_message"
            self.world.updates.push(kind, self.world.message_json(m))
        return m

    def inject_photo(
        self,
        chat: ChatRef,
        user: UserRef | None,
        data: bytes,
        *,
        caption: str | None = None,
        width: int | None = None,
        height: int | None = None,
        **kwargs: Any,
    ) -> SimMessage:
        """A user sends a photo: stored as Telegram's PhotoSize list (smallest first).

        Real images are re-encoded into smaller sizes; undecodable bytes get one size of
        `width`×`height`. Other keyword arguments are those of `inject_message`.
        """
        c = self.chat(chat)
        sizes = self.world.register_photo(data, width=width, height=height, chat_id=c.id)
        extra = dict(kwargs.pop("extra", None) or {})
        extra["photo"] = [f.photo_size() for f in sizes]
        return self.inject_message(c, user, None, caption=caption, extra=extra, **kwargs)

    def inject_document(
        self,
        chat: ChatRef,
        user: UserRef | None,
        data: bytes,
        *,
        file_name: str = "document.bin",
        mime_type: str | None = "application/octet-stream",
        file_size: int | None = None,
        caption: str | None = None,
        **kwargs: Any,
    ) -> SimMessage:
        """A user sends a file. `file_size` may exceed len(data): > 20 MB makes getFile fail 400
        "file is too big" without allocating 20 MB."""
        c = self.chat(chat)
        sim_file = self.world.register_file(
            data,
            kind="documents",
            file_name=file_name,
            mime_type=mime_type,
            file_size=file_size,
            chat_id=c.id,
        )
        extra = dict(kwargs.pop("extra", None) or {})
        extra["document"] = sim_file.document()
        return self.inject_message(c, user, None, caption=caption, extra=extra, **kwargs)

    def press_button(
        self,
        chat: ChatRef,
        message: MessageRef,
        user: UserRef,
        data: str | None = None,
    ) -> str:
        """A user presses an inline button on a bot message; returns the callback query id.

        `data` defaults to the first button's callback_data and must be one of the message's.
        Check the bot's answer with `callback_answer(query_id)`.
        """
        c = self.chat(chat)
        m = c.messages.get(_message_id(message))
        if m is None or m.deleted:
            raise ValueError(f"no live message {_message_id(message)} in chat {c.id}")
        buttons = m.callback_data
        if not buttons:
            raise ValueError("that message has no inline keyboard with callback_data")
        if data is None:
            data = buttons[0]
        elif data not in buttons:
            raise ValueError(f"no button with callback_data {data!r} on that message")
        query_id = self.world.new_callback_id()
        self.world.callback_answers[query_id] = None
        self.world.updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": self.user(user).to_api(),
                "message": self.world.message_json(m),
                "chat_instance": str(next(self._chat_instances)),
                "data": data,
            },
        )
        return query_id

    # forward_origin builders (Bot API MessageOrigin), for inject_message(forward_origin=...)
    def origin_user(self, user: UserRef, date: int | None = None) -> dict[str, Any]:
        return {"type": "user", "date": date or self.now(), "sender_user": self.user(user).to_api()}

    def origin_hidden_user(self, name: str, date: int | None = None) -> dict[str, Any]:
        return {"type": "hidden_user", "date": date or self.now(), "sender_user_name": name}

    def origin_chat(self, chat: ChatRef, date: int | None = None) -> dict[str, Any]:
        return {"type": "chat", "date": date or self.now(), "sender_chat": self.chat(chat).to_api()}

    def origin_channel(
        self, chat: ChatRef, message_id: int = 1, date: int | None = None
    ) -> dict[str, Any]:
        return {
            "type": "channel",
            "date": date or self.now(),
            "chat": self.chat(chat).to_api(),
            "message_id": message_id,
        }

    # ------------------------------------------------------------------ faults
    def fail_next(
        self, method: str, times: int = 1, status: int = 502, description: str | None = None
    ) -> None:
        """The next `times` calls of `method` answer HTTP `status` (PTB: NetworkError for 5xx)."""
        self.faults.fail_next(method, times, status, description)

    def retry_after(self, method: str, seconds: int, times: int = 1) -> None:
        """The next `times` calls of `method` answer 429 with retry_after (PTB: RetryAfter)."""
        self.faults.retry_after(method, seconds, times)

    def delay(self, method: str, seconds: float, times: int | None = None) -> None:
        """`method` answers `seconds` late (forever, or for the next `times` calls)."""
        self.faults.delay(method, seconds, times)

    def clear_faults(self, method: str | None = None) -> None:
        self.faults.clear(method)

    def enable_rate_limits(self, limits: RateLimits | None = None) -> None:
        """Enforce Telegram-like limits (default: 1 msg/s per chat burst 3, 20/min/group, 30/s)."""
        new = limits or RateLimits.telegram()
        self.rate_limits.per_chat_per_second = new.per_chat_per_second
        self.rate_limits.per_chat_burst = new.per_chat_burst
        self.rate_limits.per_group_per_minute = new.per_group_per_minute
        self.rate_limits.global_per_second = new.global_per_second

    def disable_rate_limits(self) -> None:
        self.enable_rate_limits(RateLimits())

    # ------------------------------------------------------------------ inspection
    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Every Bot API request so far (failed ones too), oldest first."""
        return [c for c in self.world.calls if method is None or c.method == method]

    def messages(self, chat: ChatRef, *, include_deleted: bool = False) -> list[SimMessage]:
        """The chat's messages (users' and the bot's), oldest first; live ones by default."""
        c = self.chat(chat)
        return [m for m in c.messages.values() if include_deleted or not m.deleted]

    def message(self, chat: ChatRef, message_id: int) -> SimMessage:
        return self.chat(chat).messages[message_id]

    def sent_messages(
        self, chat: ChatRef | None = None, *, include_deleted: bool = True
    ) -> list[SimMessage]:
        """Messages the bot sent (to one chat, or all), including ones later deleted."""
        chats = [self.chat(chat)] if chat is not None else list(self.world.chats.values())
        return [
            m
            for c in chats
            for m in c.messages.values()
            if m.by_bot and (include_deleted or not m.deleted)
        ]

    def deleted_messages(self, chat: ChatRef | None = None) -> list[SimMessage]:
        """Messages deleted through deleteMessage(s), in the order they were stored."""
        chats = [self.chat(chat)] if chat is not None else list(self.world.chats.values())
        return [m for c in chats for m in c.messages.values() if m.deleted]

    def is_deleted(self, chat: ChatRef, message: MessageRef) -> bool:
        m = self.chat(chat).messages.get(_message_id(message))
        return m is not None and m.deleted

    def uploaded_files(self, chat: ChatRef | None = None) -> list[SimFile]:
        """Files the bot uploaded with sendPhoto/sendDocument (bytes in `.data`)."""
        cid = _chat_id(chat) if chat is not None else None
        return [
            f
            for f in self.world.files.values()
            if f.uploaded_by_bot and (cid is None or f.chat_id == cid)
        ]

    def file(self, file_id: str) -> SimFile:
        return self.world.files[file_id]

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """The bot's answerCallbackQuery for a press (text, show_alert…), or None if unanswered."""
        return self.world.callback_answers.get(query_id)

    def transcript(self, chat: ChatRef) -> str:
        """The chat as readable lines (`#id 姓名: text [已刪除]`), for failure messages and demos.

        It contains message text: print it in tests only, never log it from the bot's side.
        """
        lines = []
        for m in self.chat(chat).messages.values():
            if m.by_bot:
                who = f"🤖 {self.bot.first_name}"
            elif m.sender_id is not None:
                who = self.world.user(m.sender_id).first_name
            else:
                who = (m.payload.get("sender_chat") or {}).get("title", "anonymous")
            body = m.text if m.text is not None else m.caption or ""
            kind = (
                "[photo] " if "photo" in m.payload else "[file] " if "document" in m.payload else ""
            )
            flags = " [已刪除 deleted]" if m.deleted else ""
            if m.edit_date is not None:
                flags += " [已編輯 edited]"
            lines.append(f"#{m.message_id} {who}: {kind}{body}{flags}")
        return "\n".join(lines)

    def webhook_deliveries(self) -> list[Delivery]:
        """Every POST of an update to the bot's webhook (status or error), oldest first."""
        return list(self.server.webhook.deliveries)

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return [u.to_api() for u in self.world.updates.pending()]

    def bot_commands(
        self,
        scope: str = "default",
        *,
        chat_id: int | None = None,
        user_id: int | None = None,
        language_code: str = "",
    ) -> list[dict[str, str]]:
        """Commands the bot registered with setMyCommands for one scope (e.g. scope="chat",
        chat_id=…; "all_chat_administrators"), as [{"command", "description"}]."""
        parts = (
            scope,
            "" if chat_id is None else str(chat_id),
            "" if user_id is None else str(user_id),
        )
        return self.world.settings.commands.get("|".join([*parts, language_code]), [])

    # ------------------------------------------------------------------ waiting
    async def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 5.0, message: str = ""
    ) -> Any:
        """Wait until `predicate()` is truthy (re-checked on every change); return its value.

        Raises TimeoutError (with `message`) if it is still falsy after `timeout` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(message or f"condition not met within {timeout} s")
            await self.world.notifier.wait(remaining)

    async def wait_for_call(
        self,
        method: str,
        where: Callable[[RecordedCall], bool] | None = None,
        *,
        timeout: float = 5.0,
        after: int = 0,
    ) -> RecordedCall:
        """Wait for a finished call of `method` (matching `where`) among calls[after:].

        Use `after=len(sim.calls())` to ignore calls made before an action.
        """

        def find() -> RecordedCall | None:
            for call in self.world.calls[after:]:
                if call.method == method and call.done and (where is None or where(call)):
                    return call
            return None

        result = await self.wait_for(find, timeout, f"no finished {method} call within {timeout} s")
        return result  # type: ignore[no-any-return]

    async def wait_idle(self, timeout: float = 5.0) -> None:
        """Wait until the bot has fetched every queued update (all confirmed or being handled)."""
        await self.wait_for(
            lambda: not self._unfetched(), timeout, "the bot did not fetch pending updates"
        )

    async def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until the bot fetched every update and then made no Bot API call for `quiet` s.

        For "nothing happens" assertions: `wait_idle` only proves the updates were fetched (PTB
        confirms them before its handlers finish); `settle` also lets the handlers run out.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        await self.wait_idle(timeout)
        while True:
            # Activity: every call except long polls that came back empty.
            active = [c for c in self.world.calls if c.method != "getUpdates" or c.result]
            busy = any(not c.done for c in active)
            last = max((c.finished or c.time for c in active), default=0.0)
            now = loop.time()
            idle_for = time.time() - last
            if not busy and not self._unfetched() and idle_for >= quiet:
                return
            if now >= deadline:
                raise TimeoutError(f"the bot kept calling the Bot API for {timeout} s")
            wait = min(deadline - now, quiet if busy else max(quiet - idle_for, 0.01))
            await self.world.notifier.wait(wait)

    def _unfetched(self) -> bool:
        """Whether a queued update has not been returned by any getUpdates yet."""
        pending = self.world.updates.pending()
        if not pending:
            return False
        newest = pending[-1].update_id
        for call in reversed(self.world.calls):
            if call.method == "getUpdates" and call.ok and call.result:
                return call.result[-1]["update_id"] < newest
        return True


# ====================================================================== HTTP control API
def _b64(data: str) -> bytes:
    return base64.b64decode(data)


class ControlHttp:
    """`/_control/...` endpoints so another process (the demo, a shell) can drive the simulator.

    `POST /_control/<action>` with a JSON object of keyword arguments runs the `Simulator` method
    of that name (only those listed in ACTIONS); bytes travel as base64 in `data_base64`.
    `GET /_control/calls?method=X`, `GET /_control/chats/<id>/messages`, `GET /_control/state`
    read the state. Answers are `{"ok": true, "result": ...}` or 400 `{"ok": false, "error"}`.
    """

    ACTIONS = frozenset(
        {
            # set-up and injection
            "add_user", "create_chat", "add_member", "set_bot_status", "set_started",
            "set_privacy_mode", "inject_message", "inject_command", "start_bot", "inject_edit",
            "inject_photo", "inject_document", "press_button", "advance_time",
            # faults
            "fail_next", "retry_after", "delay", "clear_faults", "disable_rate_limits",
            # read-only inspection
            "messages", "sent_messages", "deleted_messages", "is_deleted", "uploaded_files",
            "callback_answer", "pending_updates", "bot_commands", "now",
        }
    )  # fmt: skip

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    def install(self, app: web.Application) -> None:
        app.router.add_get("/_control/state", self._state)
        app.router.add_get("/_control/calls", self._calls)
        app.router.add_get("/_control/chats/{chat_id}/messages", self._messages)
        app.router.add_post("/_control/enable_rate_limits", self._rate_limits)
        app.router.add_post("/_control/{action}", self._action)

    async def _action(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        if action not in self.ACTIONS:
            return _fail(404, f"unknown control action {action!r}")
        try:
            kwargs = await request.json() if request.can_read_body else {}
            if not isinstance(kwargs, dict):
                raise ValueError("body must be a JSON object")
            if "data_base64" in kwargs:
                kwargs["data"] = _b64(kwargs.pop("data_base64"))
            result = getattr(self.sim, action)(**kwargs)
        except (TypeError, ValueError, KeyError) as exc:
            return _fail(400, str(exc))
        return web.json_response({"ok": True, "result": _render(self.sim, result)})

    async def _rate_limits(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        try:
            limits = RateLimits(**body) if body else None
        except TypeError as exc:
            return _fail(400, str(exc))
        self.sim.enable_rate_limits(limits)
        return web.json_response({"ok": True, "result": True})

    async def _state(self, request: web.Request) -> web.Response:
        world = self.sim.world
        return web.json_response(
            {
                "ok": True,
                "result": {
                    "url": self.sim.server.url,
                    "bot": world.bot.to_api(),
                    "users": [
                        u.to_api() | {"started_bot": u.started_bot} for u in world.users.values()
                    ],
                    "chats": [c.to_api() for c in world.chats.values()],
                    "pending_updates": len(world.updates),
                    "calls": len(world.calls),
                },
            },
            dumps=_dumps,
        )

    async def _calls(self, request: web.Request) -> web.Response:
        method = request.query.get("method")
        calls = [c.to_json() for c in self.sim.calls(method)]
        return web.json_response({"ok": True, "result": calls}, dumps=_dumps)

    async def _messages(self, request: web.Request) -> web.Response:
        try:
            chat = self.sim.chat(int(request.match_info["chat_id"]))
        except (KeyError, ValueError) as exc:
            return _fail(404, str(exc))
        rendered = [
            self.sim.world.message_json(m) | {"deleted": m.deleted, "by_bot": m.by_bot}
            for m in chat.messages.values()
        ]
        return web.json_response({"ok": True, "result": rendered}, dumps=_dumps)


def _render(sim: Simulator, value: Any) -> Any:
    """JSON form of what a control action returned."""
    if isinstance(value, list):
        return [_render(sim, v) for v in value]
    if isinstance(value, SimFile):
        return value.document() | {"file_path": value.file_path, "chat_id": value.chat_id}
    if isinstance(value, SimMessage):
        return sim.world.message_json(value) | {"deleted": value.deleted, "by_bot": value.by_bot}
    if isinstance(value, SimUser):
        return value.to_api() | {"started_bot": value.started_bot}
    if isinstance(value, SimChat):
        return value.to_api()
    return value


def _fail(status: int, text: str) -> web.Response:
    return web.json_response({"ok": False, "error": text}, status=status)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)
