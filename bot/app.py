"""Assemble the bot: configuration + store + scanner (+ media) → a python-telegram-bot Application.

`build_application` is used by `dlpbot run`, by `dlpbot demo` and by the end-to-end tests
(against the local simulator), so all three exercise exactly the same wiring.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from datetime import time
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot.act import Actor
from bot.config import AppConfig, Keys
from bot.messages import Messages
from bot.receive import Services, register
from bot.scan import ScanService
from bot.store import Store
from bot.timeutil import TAIPEI
from detectors import Scanner

log = logging.getLogger(__name__)

# Only requests that post something into a group count against Telegram's per-group limit;
# deleting a leak must never queue behind 20 messages a minute.
_GROUP_LIMITED_PREFIXES = ("send", "copy", "forward")


class DlpRateLimiter(AIORateLimiter):
    """AIORateLimiter (which honours 429 RetryAfter) plus two changes:

    - the per-group limiter applies to sending only, not to deleteMessage/getChatMember;
    - 5xx answers and timeouts are retried with exponential backoff, so a Telegram hiccup
      does not lose a deletion or an alert. (A retried deleteMessage that already succeeded
      answers "message to delete not found", which `Actor.delete` counts as deleted.)
    """

    def __init__(self, network_retries: int, backoff: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._network_retries = network_retries
        self._backoff = backoff

    async def process_request(  # type: ignore[override]
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        limited = endpoint.startswith(_GROUP_LIMITED_PREFIXES)
        view = data if limited else {k: v for k, v in data.items() if k != "chat_id"}
        attempt = 0
        while True:
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, view, rate_limit_args
                )
            except (TimedOut, NetworkError) as exc:
                if attempt >= self._network_retries or _is_client_error(exc):
                    raise
                delay = self._backoff * (2**attempt)
                attempt += 1
                log.warning(
                    "%s failed (%s); retry %d in %.2fs",
                    endpoint,
                    type(exc).__name__,
                    attempt,
                    delay,
                )
                await asyncio.sleep(delay)


def _is_client_error(exc: Exception) -> bool:
    """PTB's BadRequest subclasses NetworkError, but a 400 is a definite answer: never retry it."""
    return type(exc).__name__ in ("BadRequest", "Forbidden", "InvalidToken", "Conflict")


def load_media_scanner(config: AppConfig, scanner: Scanner) -> Any:
    """Issue 4's `bot.media.MediaScanner`, if that module is present and loads."""
    try:
        module = importlib.import_module("bot.media")
    except ModuleNotFoundError as exc:
        if exc.name != "bot.media":
            log.warning("media scanning unavailable: missing %s", exc.name)
        return None
    return module.MediaScanner(config.media, scanner)


async def _purge_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    svc: Services = context.application.bot_data["dlp"]
    n = svc.store.purge(svc.config.store.retention_days)
    log.info("retention purge: %d incidents older than %d days deleted", n,
             svc.config.store.retention_days)


async def _post_init(app: Application) -> None:
    """At start-up check the bot's rights in every chat it knows of."""
    svc: Services = app.bot_data["dlp"]
    chat_ids = {int(c) for c in svc.config.policy.chats}
    chat_ids |= {int(r["chat_id"]) for r in svc.store.chats()}
    for chat_id in sorted(chat_ids):
        await svc.actor.check_rights(app.bot, chat_id, announce=True)


async def _post_shutdown(app: Application) -> None:
    """Release what `build_application` created itself; shared objects stay with their owner."""
    svc: Services = app.bot_data["dlp"]
    svc.scan.close()
    owned = app.bot_data.get("dlp_owned", set())
    if "media" in owned and svc.media is not None:
        await svc.media.aclose()
    if "store" in owned:
        svc.store.close()


def register_review(app: Application, svc: Services) -> bool:
    """Issue 5's review handlers (ethics commands, alert and appeal buttons, daily purge), when
    `bot.review` is present. They go in handler group 2 so the group-message scanner (group 0)
    never swallows their commands. Returns False when the module is absent: the bot then falls
    back to its own daily purge and has no button handlers."""
    try:
        from bot.review.commands import register_review_handlers
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("bot.review"):
            raise
        log.warning("review module unavailable: alert buttons and appeals are not handled")
        return False
    register_review_handlers(app, svc, group=2)
    return True


def build_application(
    config: AppConfig,
    token: str,
    keys: Keys,
    *,
    scanner: Scanner | None = None,
    store: Store | None = None,
    media: Any = "auto",
    check_rights_at_start: bool = True,
) -> Application:
    """The real bot. `scanner`/`store` may be passed in to share them (tests, demo, bench);
    `media="auto"` loads bot/media.py when present, `None` disables media scanning."""
    tg = config.telegram
    owned: set[str] = set()
    scanner = scanner or Scanner.from_config(config.detectors)
    if store is None:
        store = Store(config.store.path, hmac_key=keys.hmac, content_key=keys.content)
        owned.add("store")
    if media == "auto":
        media = load_media_scanner(config, scanner)
        owned.add("media")
    builder: ApplicationBuilder = ApplicationBuilder().token(token)
    if tg.base_url:
        builder = builder.base_url(tg.base_url)
    if tg.base_file_url:
        builder = builder.base_file_url(tg.base_file_url)
    builder = builder.rate_limiter(
        DlpRateLimiter(
            network_retries=tg.network_retries,
            backoff=tg.backoff_seconds,
            overall_max_rate=tg.overall_max_rate,
            overall_time_period=1,
            group_max_rate=tg.group_max_rate,
            group_time_period=tg.group_time_period,
            max_retries=tg.retry_after_retries,
        )
    )
    builder = builder.get_updates_read_timeout(tg.poll_timeout + 10)
    if check_rights_at_start:
        builder = builder.post_init(_post_init)
    builder = builder.post_shutdown(_post_shutdown)
    app = builder.build()
    msgs = Messages(config.policy.locale)
    svc = Services(
        config=config,
        store=store,
        scan=ScanService(scanner),
        msgs=msgs,
        actor=Actor(config, store, msgs),
        media=media,
    )
    app.bot_data["dlp"] = svc
    app.bot_data["dlp_owned"] = owned
    register(app)
    # The review module schedules its own (audited) retention purge; ours is the fallback.
    if not register_review(app, svc) and app.job_queue is not None:
        app.job_queue.run_daily(
            _purge_job, time=time(hour=config.store.purge_hour, tzinfo=TAIPEI), name="purge"
        )
    return app
