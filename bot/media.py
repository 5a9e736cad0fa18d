"""Photos and documents posted in a group: download, extract, scan — off the event loop.

`MediaScanner.scan_message(bot, message)` is the bot's single entry point for media. OCR costs
~1.4 s of both cores per image, so extraction runs in a small bounded worker pool (separate
processes by default, started with `spawn` and reniced, each building its own OCR engine and
Scanner once), with a per-file timeout.

* Only `workers` jobs are handed to the pool at a time (a semaphore); the others wait here, on
  the event loop, so a job's timeout clock starts when a worker really starts it, never while
  it queues, and a fresh pool is warmed up (workers spawned, Scanner and OCR engine built)
  before any job is timed. Call `await media.warm_up()` at bot start-up so the first photo
  does not pay for that.
* A job that overruns its timeout is recorded as `timeout` and its worker processes are
  killed (it would burn CPU otherwise). Jobs running beside it in the same pool are not lost:
  they are resubmitted to the new pool (at most twice) and get their own outcome.
* `set_scanner(scanner)` (also `media.scanner = scanner`) swaps the detector configuration,
  e.g. after ethics staff edit the allow-list: every job carries its configuration, and a
  worker rebuilds its Scanner when that configuration changes, so no restart is needed.
* A queue that grows past `max_pending` is recorded as `not_scanned` ("queue full") rather
  than silently dropped. Queue depth and timings are logged per file and in `stats()`.

Nothing here logs file contents, extracted text or matched values: only ids, kinds, statuses,
counts and timings.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import contextlib
import hashlib
import logging
import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from detectors.config import DetectorConfig
from detectors.media.extraction import ERROR, NOT_SCANNED, TIMEOUT, TOO_LARGE
from detectors.media.limits import MB, MediaLimits
from detectors.media.scan import MediaReport, scan_bytes
from detectors.scanner import Scanner
from detectors.types import ScanResult

# A job still waiting for a worker when the scanner is closed (the bot is shutting down or the
# pool was closed under it): recorded as not scanned, never started on a fresh pool.
CANCELLED = "cancelled"

log = logging.getLogger(__name__)

TELEGRAM_DOWNLOAD_LIMIT = 20 * MB
# A job whose pool was killed under it (another file's timeout, a crashed worker) is
# resubmitted at most this many times.
MAX_RESUBMITS = 2


@dataclass(slots=True)
class MediaOutcome:
    """What happened to one photo/document. `text` and `original` are sensitive: the store
    keeps `original` only encrypted (and only when an evidence key is configured).

    `evidence_png` is the redacted image with the most boxes blacked out; `evidence_images`
    holds one redacted PNG per image of the file that had a finding (at most
    `[media] max_evidence_images`), and `finding_images[k]` says which image the box of
    `result.findings[k]` is in (its index in `evidence_image_index`, None without a box).
    """

    # scanned partial not_scanned too_large bomb encrypted corrupt timeout error
    status: str
    detail: str
    result: ScanResult | None
    text: str
    evidence_png: bytes | None
    original: bytes | None
    file_name: str
    mime: str
    kind: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    evidence_images: list[bytes] = field(default_factory=list)
    evidence_image_index: list[int] = field(default_factory=list)  # image of each evidence PNG
    finding_images: list[int | None] = field(default_factory=list)
    attempts: int = 0  # times the job was submitted (>1: resubmitted after a pool restart)

    @property
    def is_incident(self) -> bool:
        return self.result is not None and self.result.is_incident


@dataclass(frozen=True, slots=True)
class MediaSettings:
    """The bot-side keys of `[media]` (the size caps are `MediaLimits`)."""

    enabled: bool = True
    workers: int = 1  # parallel extractions; each OCR already uses every core
    executor: str = "process"  # "process" (isolated, killable) | "thread" (tests, tiny hosts)
    timeout_s: float = 60.0  # per file, from the moment a worker starts it
    max_pending: int = 32  # files waiting or running before new ones are refused
    nice: int = 5  # worker processes yield CPU to text scanning on the event loop
    warm_ocr: bool = True  # a (re)started pool loads the OCR engine before its first job
    start_timeout_s: float = 180.0  # spawning and warming a pool may take this long

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> MediaSettings:
        data = dict(data or {})
        out = cls(
            enabled=bool(data.get("enabled", True)),
            workers=max(1, int(data.get("workers", 1))),
            executor=str(data.get("executor", "process")),
            timeout_s=float(data.get("timeout_s", 60.0)),
            max_pending=max(1, int(data.get("max_pending", 32))),
            nice=int(data.get("nice", 5)),
            warm_ocr=bool(data.get("warm_ocr", True)),
            start_timeout_s=float(data.get("start_timeout_s", 180.0)),
        )
        if out.executor not in ("process", "thread"):
            raise ValueError('media.executor must be "process" or "thread"')
        return out


def config_key(config: DetectorConfig) -> str:
    """A digest naming a detector configuration (workers compare it to know when to rebuild)."""
    return hashlib.sha256(pickle.dumps(config)).hexdigest()[:16]


# -- worker side (runs in the pool; module-level so `spawn` can pickle it) -------------------

_WORKER_SCANNER: Scanner | None = None
_WORKER_KEY = ""
_WORKER_BARRIER: Any = None  # all workers of a pool meet here once, at warm-up
_WARM_TEXT = "檢舉人王小明 0912-345-678 明天執行搜索，底價保密"  # touches every lazy lexicon


def _init_worker(config: DetectorConfig, key: str, nice: int, barrier: Any = None) -> None:
    global _WORKER_SCANNER, _WORKER_KEY, _WORKER_BARRIER
    _WORKER_BARRIER = barrier
    if nice:
        with contextlib.suppress(OSError):
            os.nice(nice)
    from bot.scan import skip_spacy_plugin_factories

    skip_spacy_plugin_factories()  # else the first keyword hit in a worker costs ~20 s
    _WORKER_SCANNER, _WORKER_KEY = Scanner(config), key


def _worker_scanner(config: DetectorConfig, key: str) -> Scanner:
    """This worker's Scanner for `config`, rebuilt when the bot swapped configurations."""
    global _WORKER_SCANNER, _WORKER_KEY
    if _WORKER_SCANNER is None or key != _WORKER_KEY:
        _WORKER_SCANNER, _WORKER_KEY = Scanner(config), key
    return _WORKER_SCANNER


def _work_in_process(
    data: bytes, file_name: str, limits: MediaLimits, config: DetectorConfig, key: str
) -> MediaReport:
    return scan_bytes(data, _worker_scanner(config, key), file_name, limits)


def _warm_worker(config: DetectorConfig, key: str, with_ocr: bool) -> int:
    """Build what a first job would build (Scanner lexicons, spaCy matcher, OCR engine), then
    wait for the pool's other workers to do the same, so each warm-up job lands on its own
    worker rather than twice on the first one started."""
    import threading as _threading

    _worker_scanner(config, key).scan(_WARM_TEXT)
    if with_ocr:
        from detectors.media import ocr

        ocr.engine()
    if _WORKER_BARRIER is not None:
        with contextlib.suppress(_threading.BrokenBarrierError, OSError, RuntimeError):
            _WORKER_BARRIER.wait(timeout=120)
    return os.getpid()


# -- event-loop side ------------------------------------------------------------------------


class MediaScanner:
    """One per bot. `scan_message` is safe to call concurrently from many handlers.

    API for the bot: `await warm_up()` at start-up; `set_scanner(scanner)` (or assigning
    `.scanner`) when the detector configuration changes; `scan_message(bot, message)` per
    photo/document; `stats()` for metrics; `await aclose()` at shutdown.
    """

    # The function a process worker runs per file (tests substitute a slower one).
    job: Callable[..., MediaReport] = staticmethod(_work_in_process)

    def __init__(self, cfg: Mapping[str, Any] | None, scanner: Scanner) -> None:
        self.settings = MediaSettings.from_mapping(cfg)
        self.limits = MediaLimits.from_mapping(cfg)
        self._scanner = scanner
        self._config = scanner.config
        self._config_key = config_key(scanner.config)
        self._pool: cf.Executor | None = None
        self._generation = 0  # bumped whenever a pool is replaced
        self._pool_lock: asyncio.Lock | None = None
        self._slots: asyncio.Semaphore | None = None
        self._pending = 0  # waiting + running
        self._running = 0
        self._restarts = 0
        self._closed = False

    # -- configuration ----------------------------------------------------------------------

    @property
    def scanner(self) -> Scanner:
        return self._scanner

    @scanner.setter
    def scanner(self, scanner: Scanner) -> None:
        self.set_scanner(scanner)

    def set_scanner(self, scanner: Scanner) -> None:
        """Scan every file submitted from now on with `scanner` (e.g. a new allow-list).

        Thread workers use the object itself; process workers receive its `config` with each
        job and rebuild their own Scanner once when it differs from the one they hold, so the
        pool is not restarted and files already running finish with the old configuration.
        """
        self._scanner = scanner
        self._config = scanner.config
        key = config_key(scanner.config)
        if key != self._config_key:
            log.info("media scanner configuration replaced (%s -> %s)", self._config_key, key)
        self._config_key = key

    def stats(self) -> dict[str, int]:
        """Queue depth and pool health, for metrics: nothing about file contents."""
        return {
            "pending": self._pending,
            "running": self._running,
            "waiting": self._pending - self._running,
            "workers": self.settings.workers,
            "pool_restarts": self._restarts,
        }

    # -- pool -------------------------------------------------------------------------------

    def _sync(self) -> tuple[asyncio.Lock, asyncio.Semaphore]:
        if self._pool_lock is None or self._slots is None:  # made inside the running loop
            self._pool_lock = asyncio.Lock()
            self._slots = asyncio.Semaphore(self.settings.workers)
        return self._pool_lock, self._slots

    def _new_pool(self) -> cf.Executor:
        if self.settings.executor == "thread":
            return cf.ThreadPoolExecutor(
                max_workers=self.settings.workers, thread_name_prefix="dlpbot-media"
            )
        context = multiprocessing.get_context("spawn")
        return cf.ProcessPoolExecutor(
            max_workers=self.settings.workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(
                self._config,
                self._config_key,
                self.settings.nice,
                context.Barrier(self.settings.workers),
            ),
        )

    async def _ready_pool(self, with_ocr: bool | None = None) -> tuple[cf.Executor, int]:
        """The current pool, created and warmed first if there is none (not timed as a job)."""
        lock, _ = self._sync()
        async with lock:
            if self._pool is None:
                started = time.monotonic()
                pool = self._new_pool()
                self._pool = pool
                self._generation += 1
                warm_ocr = self.settings.warm_ocr if with_ocr is None else with_ocr
                await self._warm(pool, warm_ocr)
                log.info(
                    "media pool ready: executor=%s workers=%d ocr=%s in %.2fs",
                    self.settings.executor, self.settings.workers, warm_ocr,
                    time.monotonic() - started,
                )
            return self._pool, self._generation

    async def _warm(self, pool: cf.Executor, with_ocr: bool) -> None:
        if isinstance(pool, cf.ThreadPoolExecutor):
            await asyncio.to_thread(_warm_here, self._scanner, with_ocr)
            return
        futures = [  # one per worker: each waits at the barrier for the others
            asyncio.wrap_future(pool.submit(_warm_worker, self._config, self._config_key, with_ocr))
            for _ in range(self.settings.workers)
        ]
        await asyncio.wait_for(asyncio.gather(*futures), self.settings.start_timeout_s)

    def _restart_pool(self, generation: int, reason: str) -> None:
        """Replace pool `generation` (unless that already happened). Process workers are
        killed: a job that overran is still burning CPU. Jobs running beside it fail with
        BrokenProcessPool and are resubmitted by their own `_run_job`. Threads cannot be
        killed; the old thread pool finishes its jobs alone."""
        if generation != self._generation or self._pool is None:
            return
        pool, self._pool = self._pool, None
        self._generation += 1
        self._restarts += 1
        log.warning("media pool restarted (%s)", reason)
        if isinstance(pool, cf.ProcessPoolExecutor):
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                with contextlib.suppress(Exception):
                    proc.kill()
        pool.shutdown(wait=False, cancel_futures=False)

    async def warm_up(self, with_ocr: bool = True) -> float:
        """Start the workers and build their Scanner and (by default) OCR engine now, so the
        first real image does not wait for them; returns the seconds it took. Safe to call
        more than once (a warm pool returns at once)."""
        started = time.monotonic()
        if not self._closed:
            await self._ready_pool(with_ocr)
        return time.monotonic() - started

    async def aclose(self) -> None:
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, True, cancel_futures=True)

    # -- API --------------------------------------------------------------------------------

    async def scan_message(self, bot: Any, message: Any) -> MediaOutcome | None:
        """Scan the photo or document of a PTB `Message`; None when it carries neither."""
        if message is None:
            return None
        photo = getattr(message, "photo", None)
        document = getattr(message, "document", None)
        if photo:
            item = photo[-1]  # the largest rendition
            file_name, mime = f"photo_{message.message_id}.jpg", "image/jpeg"
        elif document is not None:
            item = document
            file_name = document.file_name or f"document_{message.message_id}"
            mime = document.mime_type or "application/octet-stream"
        else:
            return None
        if not self.settings.enabled:
            return self._outcome(NOT_SCANNED, "media scanning disabled", file_name, mime)
        size = getattr(item, "file_size", None)
        if size is not None and size > min(self.limits.max_bytes, TELEGRAM_DOWNLOAD_LIMIT):
            return self._outcome(TOO_LARGE, f"{size / MB:.1f} MB exceeds the download limit",
                                 file_name, mime)
        try:
            tg_file = await bot.get_file(item.file_id)
            size = getattr(tg_file, "file_size", None) or size
            if size is not None and size > self.limits.max_bytes:
                return self._outcome(TOO_LARGE, f"{size / MB:.1f} MB exceeds the limit",
                                     file_name, mime)
            data = bytes(await tg_file.download_as_bytearray())
        except Exception as exc:  # TelegramError, network: recorded, never raised into handlers
            status = TOO_LARGE if "too big" in str(exc).lower() else ERROR
            log.warning("media download failed: msg=%s %s", message.message_id,
                        type(exc).__name__)
            return self._outcome(status, f"download failed ({type(exc).__name__})", file_name,
                                 mime)
        return await self.scan_bytes(data, file_name, mime)

    async def scan_bytes(
        self, data: bytes, file_name: str = "", mime: str = ""
    ) -> MediaOutcome:
        """Scan file bytes in the worker pool (also used by `dlpbot scan` and tests)."""
        if self._closed:
            return self._outcome(ERROR, "media scanner is closed", file_name, mime)
        if len(data) > self.limits.max_bytes:
            return self._outcome(TOO_LARGE, f"{len(data) / MB:.1f} MB exceeds the limit",
                                 file_name, mime)
        if self._pending >= self.settings.max_pending:
            log.warning("media queue full (%d pending): file not scanned", self._pending)
            return self._outcome(NOT_SCANNED, "media queue full", file_name, mime)
        _, slots = self._sync()
        self._pending += 1
        queued_at = time.monotonic()
        log.info("media queued: depth=%d running=%d bytes=%d", self._pending, self._running,
                 len(data))
        try:
            async with slots:  # at most `workers` jobs in the pool: the rest wait here
                self._running += 1
                try:
                    report, attempts, started_at = await self._run_job(data, file_name)
                finally:
                    self._running -= 1
        finally:
            self._pending -= 1
        if isinstance(report, MediaOutcome):
            report.file_name, report.mime = file_name, mime or report.mime
            report.attempts = attempts
            report.timings["queue_wait"] = max(started_at - queued_at, 0.0)
            return report
        report.timings["queue_wait"] = max(started_at - queued_at, 0.0)
        log.info(
            "media done: kind=%s status=%s findings=%d boxes=%d images=%d wait=%.2fs "
            "extract=%.2fs total=%.2fs attempts=%d depth=%d",
            report.kind, report.status, len(report.result.findings) if report.result else 0,
            report.redacted_boxes, len(report.evidence), report.timings["queue_wait"],
            report.timings.get("extract", 0.0), report.timings.get("total", 0.0), attempts,
            self._pending,
        )
        incident = report.result is not None and report.result.is_incident
        return MediaOutcome(
            status=report.status,
            detail=report.detail,
            result=report.result,
            text=report.text,
            evidence_png=report.evidence_png,
            original=data if incident else None,
            file_name=file_name,
            mime=mime or report.mime,
            kind=report.kind,
            timings=report.timings,
            evidence_images=[e.png for e in report.evidence],
            evidence_image_index=[e.image for e in report.evidence],
            finding_images=list(report.finding_images),
            attempts=attempts,
        )

    async def _run_job(
        self, data: bytes, file_name: str
    ) -> tuple[MediaReport | MediaOutcome, int, float]:
        """Run one file in the pool with its timeout; returns (report or outcome, attempts,
        when the job started). The clock starts at submission: the pool is warm and has a
        free worker (the caller holds one of `workers` slots)."""
        attempts = 0
        started = time.monotonic()
        while True:
            attempts += 1
            if self._closed:
                return self._outcome(CANCELLED, "media scanner closed before the job ran", "",
                                     ""), attempts, time.monotonic()
            try:
                pool, generation = await self._ready_pool()
            except Exception as exc:  # spawn failed, warm-up timed out
                log.warning("media pool could not start: %s", type(exc).__name__)
                self._restart_pool(self._generation, "start-up failed")
                return self._outcome(ERROR, "media workers could not start", "", ""), \
                    attempts, time.monotonic()
            started = time.monotonic()
            try:
                future, began = self._submit(pool, data, file_name)
            except (cf.BrokenExecutor, RuntimeError):  # the pool died between the two lines
                self._restart_pool(generation, "broken before submit")
                if attempts <= MAX_RESUBMITS:
                    continue
                return self._outcome(ERROR, "media worker stopped", "", ""), attempts, started
            try:
                if began is not None:  # thread pool: wait for a thread to pick it up
                    while not began.is_set() and not future.done():
                        await asyncio.sleep(0.02)
                    started = time.monotonic()
                report = await asyncio.wait_for(
                    asyncio.shield(asyncio.wrap_future(future)), self.settings.timeout_s
                )
                return report, attempts, started
            except TimeoutError:
                log.warning("media job timed out after %.0fs; restarting workers",
                            self.settings.timeout_s)
                self._restart_pool(generation, "timeout")
                return self._outcome(
                    TIMEOUT, f"extraction exceeded {self.settings.timeout_s:.0f}s", "", ""
                ), attempts, started
            except (cf.process.BrokenProcessPool, asyncio.CancelledError) as exc:
                task = asyncio.current_task()
                if isinstance(exc, asyncio.CancelledError) and (
                    not future.cancelled() or (task is not None and task.cancelling())
                ):
                    raise  # our caller was cancelled: not a pool problem
                collateral = generation != self._generation
                self._restart_pool(generation, "a worker died")
                if attempts <= MAX_RESUBMITS:
                    log.info("media job resubmitted after a pool restart (%s)",
                             "another file's timeout" if collateral else "worker died")
                    continue
                return self._outcome(ERROR, "media worker stopped (restarted)", "", ""), \
                    attempts, started
            except Exception as exc:
                log.warning("media job failed: %s", type(exc).__name__)
                return self._outcome(
                    ERROR, f"extraction failed ({type(exc).__name__})", "", ""
                ), attempts, started

    def _submit(
        self, pool: cf.Executor, data: bytes, file_name: str
    ) -> tuple[cf.Future[MediaReport], threading.Event | None]:
        if isinstance(pool, cf.ProcessPoolExecutor):
            job = type(self).job
            future = pool.submit(
                job, data, file_name, self.limits, self._config, self._config_key
            )
            return future, None
        began = threading.Event()
        scanner = self._scanner

        def run() -> MediaReport:
            began.set()
            return scan_bytes(data, scanner, file_name, self.limits)

        return pool.submit(run), began

    @staticmethod
    def _outcome(status: str, detail: str, file_name: str, mime: str) -> MediaOutcome:
        return MediaOutcome(status, detail, None, "", None, None, file_name, mime)


def _warm_here(scanner: Scanner, with_ocr: bool) -> None:
    """Thread executor: warm this process's scanner and OCR engine."""
    scanner.scan(_WARM_TEXT)
    if with_ocr:
        from detectors.media import ocr

        ocr.engine()
