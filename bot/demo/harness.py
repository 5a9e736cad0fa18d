"""One process, two sides: the local Telegram simulator and the real bot (`build_application`).

Used by `dlpbot demo`, by the end-to-end tests and by the latency benchmark, so all three drive
the bot exactly as production does — over HTTP, through python-telegram-bot's real polling,
rate limiter and JobQueue — and only the server on the other end is simulated.

The user side (a person sends, edits, presses a button) goes through the simulator's public
`Simulator` API (`inject_message`, `inject_edit`, `press_button`…); this class only adds what the
bot's tests and the demo share: starting the real bot on it, restarting it, and knowing when the
bot has finished handling what was injected.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.app import build_application
from bot.config import AppConfig, Keys
from bot.receive import ALLOWED_UPDATES
from bot.simulator import Simulator
from bot.simulator.state import RecordedCall, SimChat, SimMessage, SimUser
from bot.store import Store
from detectors import Scanner

log = logging.getLogger(__name__)

# Fixed, obviously-fake keys: the demo and tests must never need real secrets.
DEMO_HMAC_KEY = bytes(range(32))
DEMO_CONTENT_KEY = bytes(range(32, 64))
POLL_TIMEOUT = 1  # seconds a getUpdates is held; short so stopping is quick


def harness_config(
    db_path: Path,
    ethics_chat_id: int,
    staff: list[int],
    telegram: dict[str, Any] | None = None,
    **policy: Any,
) -> AppConfig:
    """A full AppConfig for a simulated deployment: enforce by default, short notice delay.
    The client-side rate limits are lifted unless `telegram` sets them (the benchmark does)."""
    cfg = AppConfig.from_mapping(
        {
            "telegram": {
                "poll_timeout": POLL_TIMEOUT,
                "backoff_seconds": 0.05,
                "overall_max_rate": 1000.0,
                "group_max_rate": 1000.0,
                "group_time_period": 1.0,
                **(telegram or {}),
            },
            "policy": {
                "default_mode": "enforce",
                "notice_delete_after_seconds": 1.0,
                "alert_min_severity": "medium",
                **policy,
            },
            "ethics": {"chat_id": ethics_chat_id, "staff": staff},
            "store": {"path": str(db_path)},
        }
    )
    return cfg


@dataclass
class SimHarness:
    """Simulator + real bot: `await start()`, drive with `send`/`edit`/`press`, `await stop()`."""

    db_path: Path
    scanner: Scanner
    sim: Simulator = field(default_factory=Simulator)
    policy: dict[str, Any] = field(default_factory=dict)
    telegram: dict[str, Any] = field(default_factory=dict)  # [telegram] overrides
    keys: Keys = field(default_factory=lambda: Keys(content=DEMO_CONTENT_KEY, hmac=DEMO_HMAC_KEY))
    media: Any = None
    warm_up: bool | None = None  # build_application(warm_up_at_start=…); None: its default

    def __post_init__(self) -> None:
        self.world = self.sim.world
        self.faults = self.sim.faults
        self.ethics_officer = self.add_user("督察", "陳", started_bot=True)
        self.ethics_chat = self.create_group("政風室通報群", supergroup=True)
        self.join(self.ethics_chat, self.ethics_officer, "creator")
        self.app: Application | None = None
        self.store: Store | None = None
        self.config: AppConfig | None = None
        self.url = ""
        self.pushed: list[int] = []  # update ids queued by the user side, to know when all ran

    # -- world set-up ---------------------------------------------------------------------------

    def add_user(
        self, first_name: str, last_name: str | None = None, *, started_bot: bool = True
    ) -> SimUser:
        """A person. `started_bot=False` is someone who never pressed Start: DMs get 403."""
        return self.sim.add_user(first_name, last_name=last_name, started_bot=started_bot)

    def create_group(
        self, title: str, *, supergroup: bool = True, can_delete: bool = True, admin: bool = True
    ) -> SimChat:
        """A group the bot is in: admin with delete rights unless told otherwise."""
        return self.sim.create_chat(
            title,
            chat_type="supergroup" if supergroup else "group",
            bot_status="administrator" if admin else "member",
            bot_rights={"can_delete_messages": can_delete},
        )

    def join(self, chat: SimChat, user: SimUser, status: str = "member") -> None:
        self.sim.add_member(chat, user, status)

    # -- the user side --------------------------------------------------------------------------

    def _tracked(self, inject: Callable[[], SimMessage | str]) -> Any:
        """Run a simulator injection and remember the update ids it queued."""
        before = {u.update_id for u in self.world.updates.pending()}
        result = inject()
        self.pushed += [
            u.update_id for u in self.world.updates.pending() if u.update_id not in before
        ]
        return result

    def send(
        self,
        chat: SimChat,
        user: SimUser,
        text: str | None = None,
        *,
        caption: str | None = None,
        reply_to: SimMessage | None = None,
        forward_from: SimUser | None = None,
        media_group_id: str | None = None,
        photo: bytes | None = None,
        date: int | None = None,
    ) -> SimMessage:
        """`user` posts in `chat`; queued for the bot if Telegram would deliver it."""
        kwargs: dict[str, Any] = {"media_group_id": media_group_id, "date": date}
        if reply_to is not None:
            kwargs["reply_to"] = reply_to
        if forward_from is not None:
            kwargs["forward_origin"] = self.sim.origin_user(forward_from)
        if photo is not None:
            return self._tracked(
                lambda: self.sim.inject_photo(chat, user, photo, caption=caption, **kwargs)
            )
        return self._tracked(
            lambda: self.sim.inject_message(chat, user, text, caption=caption, **kwargs)
        )

    def edit(self, message: SimMessage, text: str) -> SimMessage:
        """The sender edits a message (Telegram sends `edited_message` with `edit_date`)."""
        return self._tracked(lambda: self.sim.inject_edit(message.chat_id, message, text))

    def press(self, message: SimMessage, data: str, user: SimUser) -> str:
        """`user` presses the inline button with `data` on the bot's `message`."""
        return self._tracked(lambda: self.sim.press_button(message.chat_id, message, user, data))

    def dm(self, user: SimUser, text: str) -> SimMessage:
        """`user` writes to the bot privately (e.g. the reason of an appeal)."""
        return self._tracked(
            lambda: self.sim.inject_message(self.sim.private_chat(user), user, text)
        )

    # -- observing ------------------------------------------------------------------------------

    def calls(self, method: str | None = None, since: int = 0) -> list[RecordedCall]:
        """Bot API requests the bot made (failed ones included), getUpdates excluded."""
        return [
            c
            for c in self.world.calls[since:]
            if c.method != "getUpdates" and (method is None or c.method == method)
        ]

    def bot_messages(self, chat_id: int) -> list[SimMessage]:
        chat = self.world.chats.get(chat_id)
        return [m for m in chat.messages.values() if m.by_bot] if chat else []

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Poll `predicate` until it is truthy; raise TimeoutError (never hang a test)."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError("condition not reached in time")
            await asyncio.sleep(0.01)

    async def settle(self, quiet: float = 0.25, timeout: float = 15.0) -> None:
        """Wait until every queued update was fetched and handled and the bot has made no
        request for `quiet` seconds (warnings and alerts run as background tasks)."""
        store = self.store
        assert store is not None
        await self.wait_for(
            lambda: all(store.is_processed(u) for u in self.pushed)
            and all(store.is_processed(u.update_id) for u in self.world.updates.pending())
            and not self._busy(),
            timeout,
        )
        deadline = time.monotonic() + timeout
        seen = len(self.world.calls)
        last_change = time.monotonic()
        while time.monotonic() - last_change < quiet:
            await asyncio.sleep(0.02)
            n = len([c for c in self.world.calls if c.method != "getUpdates"])
            if n != seen:
                seen, last_change = n, time.monotonic()
            if time.monotonic() > deadline:
                raise TimeoutError("bot did not become idle")

    def _busy(self) -> bool:
        """A request in flight, or a background task (warning, alert, retry backoff) pending.
        PTB keeps `create_task` tasks in a private set; reading it beats guessing with sleeps."""
        if any(c.status is None and c.method != "getUpdates" for c in self.world.calls):
            return True
        tasks = getattr(self.app, "_Application__create_task_tasks", ()) if self.app else ()
        return any(not t.done() for t in tasks)

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self, *, check_rights: bool = True) -> None:
        """Start the simulator, then the real bot polling it (as `dlpbot run` would)."""
        self.url = await self.sim.start()
        cfg = harness_config(
            self.db_path,
            self.ethics_chat.id,
            [self.ethics_officer.id],
            self.telegram,
            **self.policy,
        )
        cfg.telegram = replace(
            cfg.telegram, base_url=f"{self.url}/bot", base_file_url=f"{self.url}/file/bot"
        )
        self.config = cfg
        await self.start_bot(check_rights=check_rights)

    async def start_bot(self, *, check_rights: bool = True) -> None:
        """(Re)start only the bot, over a fresh Store on the same database file."""
        assert self.config is not None
        self.store = Store(self.db_path, hmac_key=self.keys.hmac, content_key=self.keys.content)
        app = build_application(
            self.config,
            self.world.token,
            self.keys,
            scanner=self.scanner,
            store=self.store,
            media=self.media,
            check_rights_at_start=check_rights,
            warm_up_at_start=self.warm_up,
        )
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
        )
        self.app = app

    async def stop_bot(self) -> None:
        app, self.app = self.app, None
        if app is None:
            return
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        if self.store is not None:
            self.store.close()

    async def stop(self) -> None:
        try:
            await self.stop_bot()
        finally:
            await self.sim.stop()

    async def __aenter__(self) -> SimHarness:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
