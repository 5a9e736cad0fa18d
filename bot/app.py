"""Assemble the bot: configuration + store + scanner (+ media) → a python-telegram-bot Application.

`build_application` is used by `dlpbot run`, by `dlpbot demo` and by the end-to-end tests
(against the local simulator), so all three exercise exactly the same wiring.

Two reliability choices live here:
- the update queue confirms an update to Telegram only after it was handled
  (`AckAfterProcessingQueue`), so a crash loses no fetched update — it is delivered again and
  `processed_updates` / the incident's `update_id` make sure it is not handled twice;
- a send (sendMessage, …) that timed out after the request went out is not retried: Telegram
  may have delivered it, and a second warning is worse than an unconfirmed one.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import sqlite3
from collections import deque
from datetime import time
from typing import Any

from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot.act import Actor, delivery_unknown
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
# Requests that are not idempotent: repeating one that may have arrived posts a second message.
_NOT_IDEMPOTENT_PREFIXES = ("send", "copy", "forward")


class AckAfterProcessingQueue(asyncio.Queue):  # type: ignore[type-arg]
    """PTB's update queue, except that `put(update)` returns only once the update is safe:
    handled, or (`release(update_id)`) its incident is recorded.

    PTB's Updater puts a fetched batch here and then confirms it to Telegram with the next
    getUpdates offset (a webhook answers 200 once `put` returns). With a plain queue that
    happens before the updates are handled, so a crash loses every update still waiting in the
    queue. Waiting here moves the confirmation after the handling. A leak's handler releases
    its update as soon as the incident row exists (start-up resumes a row whose deletion a
    crash cut off), so the next getUpdates overlaps the deletion instead of following it.
    Processing stays sequential (PTB's default `concurrent_updates=False`, relied on here).
    """

    def __init__(self) -> None:
        super().__init__()
        self._waiters: dict[int, asyncio.Future[None]] = {}
        self._taken: deque[object] = deque()

    async def put(self, item: object) -> None:
        if not isinstance(item, Update):
            await super().put(item)
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters[item.update_id] = done
        await super().put(item)
        await asyncio.shield(done)

    def release(self, update_id: int | None) -> None:
        """Update `update_id` is durable (its incident is recorded): it may be confirmed."""
        done = self._waiters.pop(update_id, None) if update_id is not None else None
        if done is not None and not done.done():
            done.set_result(None)

    def get_nowait(self) -> object:  # asyncio.Queue.get() ends in get_nowait()
        item = super().get_nowait()
        self._taken.append(item)
        return item

    def task_done(self) -> None:
        super().task_done()
        if self._taken:
            item = self._taken.popleft()
            if isinstance(item, Update):
                self.release(item.update_id)


class DlpRateLimiter(AIORateLimiter):
    """AIORateLimiter (which honours 429 RetryAfter) plus two changes:

    - the per-group limiter applies to sending only, not to deleteMessage/getChatMember;
    - 5xx answers and timeouts are retried with exponential backoff, so a Telegram hiccup
      does not lose a deletion or an alert. (A retried deleteMessage that already succeeded
      answers "message to delete not found", which `Actor.delete` counts as deleted.) A send
      is retried only when it certainly did not arrive (a 5xx answer, a connection never made):
      after a read timeout Telegram may well have posted it.
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
                if endpoint.startswith(_NOT_IDEMPOTENT_PREFIXES) and delivery_unknown(exc):
                    log.warning(
                        "%s: %s after the request went out; not repeated (it may have arrived)",
                        endpoint,
                        type(exc).__name__,
                    )
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


async def _outbox_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    svc: Services = context.application.bot_data["dlp"]
    await svc.actor.flush(context.application)


async def _warm_up(svc: Services, parts: set[str]) -> None:
    """Load the lazy parts now, in the background: the scanner's spaCy matcher and NER model
    in a worker thread (never on the event loop), the media workers with their OCR engine.
    Updates meanwhile wait at Telegram, so nothing is lost; a failure only means the first
    message pays for the loading (logged, never raised)."""
    started = asyncio.get_running_loop().time()
    try:
        if "scanner" in parts:
            await asyncio.to_thread(svc.scan.scanner.warm_up)
        if "media" in parts and svc.media is not None and hasattr(svc.media, "warm_up"):
            await svc.media.warm_up()
    except Exception as exc:
        log.warning("warm-up failed (%s); loading on first use instead", type(exc).__name__)
        return
    log.info("warm-up done in %.1fs (%s)", asyncio.get_running_loop().time() - started,
             ", ".join(sorted(parts)))


async def _post_init(app: Application) -> None:
    """Before the first update: settle what a crash left in flight, import the fallback file,
    send what is still owed; then (unless disabled) check the bot's rights in every chat."""
    svc: Services = app.bot_data["dlp"]
    try:
        n = svc.store.recover_in_flight()
    except sqlite3.Error as exc:
        log.error("outbox: database unavailable at start-up: %s", type(exc).__name__)
        n = 0
    if n:
        log.warning("outbox: %d send(s) cut off by the last stop; unconfirmed, not repeated", n)
    try:
        held = svc.store.held()
    except sqlite3.Error:
        held = []
    for row in held:  # recorded, but the process died before deleting/warning/alerting
        await svc.actor.resume_held(app, row)
    await svc.actor.flush(app)
    warm = app.bot_data.get("dlp_warm", set())
    if warm:
        # post_init runs before the Application counts as running: the task is ours to keep
        # (and to cancel at shutdown), not PTB's.
        app.bot_data["dlp_warm_task"] = asyncio.create_task(
            _warm_up(svc, warm), name="dlp-warm-up"
        )
    if not app.bot_data.get("dlp_check_rights", True):
        return
    chat_ids = {int(c) for c in svc.config.policy.chats}
    chat_ids |= {int(r["chat_id"]) for r in svc.store.chats()}
    for chat_id in sorted(chat_ids):
        await svc.actor.check_rights(app.bot, chat_id, announce=True)


async def _post_shutdown(app: Application) -> None:
    """Release what `build_application` created itself; shared objects stay with their owner."""
    svc: Services = app.bot_data["dlp"]
    warm_task = app.bot_data.pop("dlp_warm_task", None)
    if warm_task is not None and not warm_task.done():
        warm_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await warm_task
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
    warm_up_at_start: bool | None = None,
) -> Application:
    """The real bot. `scanner`/`store` may be passed in to share them (tests, demo, bench);
    `media="auto"` loads bot/media.py when present, `None` disables media scanning.
    `warm_up_at_start`: load the lazy parts (spaCy matcher, NER model, OCR workers) right after
    start-up instead of on the first message; by default only for what this call created."""
    tg = config.telegram
    owned: set[str] = set()
    if scanner is None:
        scanner = Scanner.from_config(config.detectors)
        owned.add("scanner")
    if store is None:
        store = Store(
            config.store.path,
            hmac_key=keys.hmac,
            content_key=keys.content,
            fallback_path=config.store.resolved_fallback_path,
        )
        owned.add("store")
    if media == "auto":
        media = load_media_scanner(config, scanner)
        owned.add("media")
    builder: ApplicationBuilder = (
        ApplicationBuilder().token(token).update_queue(AckAfterProcessingQueue())
    )
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
    builder = (
        builder.read_timeout(tg.request_timeout)
        .write_timeout(tg.request_timeout)
        .connect_timeout(tg.connect_timeout)
    )
    builder = builder.post_init(_post_init).post_shutdown(_post_shutdown)
    app = builder.build()
    msgs = Messages(config.policy.locale)
    svc = Services(
        config=config,
        store=store,
        scan=ScanService(scanner, timeout=config.policy.scan_timeout_seconds),
        msgs=msgs,
        actor=Actor(config, store, msgs),
        media=media,
    )
    app.bot_data["dlp"] = svc
    app.bot_data["dlp_owned"] = owned
    app.bot_data["dlp_check_rights"] = check_rights_at_start
    app.bot_data["dlp_warm"] = (
        {"scanner", "media"} if warm_up_at_start else set() if warm_up_at_start is False
        else owned & {"scanner", "media"}
    )
    register(app)
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _outbox_job, interval=tg.resend_interval, first=tg.resend_interval, name="outbox"
        )
    # The review module schedules its own (audited) retention purge; ours is the fallback.
    if not register_review(app, svc) and app.job_queue is not None:
        app.job_queue.run_daily(
            _purge_job, time=time(hour=config.store.purge_hour, tzinfo=TAIPEI), name="purge"
        )
    return app
