"""Photos and documents posted in a group: download, extract, scan — off the event loop.

`MediaScanner.scan_message(bot, message)` is the bot's single entry point for media. OCR costs
~1.4 s of both cores per image, so extraction runs in a small bounded worker pool (separate
processes by default, started with `spawn` and reniced, each building its own OCR engine and
Scanner once), with a per-file timeout. Text messages keep being scanned on the event loop
while a burst of images waits in the pool's queue; a queue that grows past `max_pending` is
recorded as `not_scanned` ("queue full") rather than silently dropped.

Nothing here logs file contents, extracted text or matched values: only ids, kinds, statuses,
counts and timings.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import contextlib
import logging
import multiprocessing
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from detectors.config import DetectorConfig
from detectors.media.extraction import ERROR, NOT_SCANNED, TIMEOUT, TOO_LARGE
from detectors.media.limits import MB, MediaLimits
from detectors.media.scan import MediaReport, scan_bytes
from detectors.scanner import Scanner
from detectors.types import ScanResult

log = logging.getLogger(__name__)

TELEGRAM_DOWNLOAD_LIMIT = 20 * MB


@dataclass(slots=True)
class MediaOutcome:
    """What happened to one photo/document. `text` and `original` are sensitive: the store
    keeps `original` only encrypted (and only when an evidence key is configured)."""

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

    @property
    def is_incident(self) -> bool:
        return self.result is not None and self.result.is_incident


@dataclass(frozen=True, slots=True)
class MediaSettings:
    """The bot-side keys of `[media]` (the size caps are `MediaLimits`)."""

    enabled: bool = True
    workers: int = 1  # parallel extractions; each OCR already uses every core
    executor: str = "process"  # "process" (isolated, killable) | "thread" (tests, tiny hosts)
    timeout_s: float = 60.0  # per file, queue wait excluded
    max_pending: int = 32  # files waiting or running before new ones are refused
    nice: int = 5  # worker processes yield CPU to text scanning on the event loop

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
        )
        if out.executor not in ("process", "thread"):
            raise ValueError('media.executor must be "process" or "thread"')
        return out


# -- worker side (runs in the pool; module-level so `spawn` can pickle it) -------------------

_WORKER_SCANNER: Scanner | None = None


def _init_worker(config: DetectorConfig, nice: int) -> None:
    global _WORKER_SCANNER
    if nice:
        with contextlib.suppress(OSError):
            os.nice(nice)
    from bot.scan import skip_spacy_plugin_factories

    skip_spacy_plugin_factories()  # else the first keyword hit in a worker costs ~20 s
    _WORKER_SCANNER = Scanner(config)


def _work_in_process(data: bytes, file_name: str, limits: MediaLimits) -> MediaReport:
    assert _WORKER_SCANNER is not None, "worker initializer did not run"
    return scan_bytes(data, _WORKER_SCANNER, file_name, limits)


# -- event-loop side ------------------------------------------------------------------------


class MediaScanner:
    """One per bot. `scan_message` is safe to call concurrently from many handlers."""

    def __init__(self, cfg: Mapping[str, Any] | None, scanner: Scanner) -> None:
        self.settings = MediaSettings.from_mapping(cfg)
        self.limits = MediaLimits.from_mapping(cfg)
        self.scanner = scanner
        self._pool: cf.Executor | None = None
        self._pending = 0
        self._closed = False

    # -- pool -------------------------------------------------------------------------------

    def _executor(self) -> cf.Executor:
        if self._pool is None:
            if self.settings.executor == "thread":
                self._pool = cf.ThreadPoolExecutor(
                    max_workers=self.settings.workers, thread_name_prefix="dlpbot-media"
                )
            else:
                self._pool = cf.ProcessPoolExecutor(
                    max_workers=self.settings.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_init_worker,
                    initargs=(self.scanner.config, self.settings.nice),
                )
        return self._pool

    def _submit(self, data: bytes, file_name: str) -> cf.Future[MediaReport]:
        pool = self._executor()
        if isinstance(pool, cf.ProcessPoolExecutor):
            return pool.submit(_work_in_process, data, file_name, self.limits)
        return pool.submit(scan_bytes, data, self.scanner, file_name, self.limits)

    def _kill_pool(self) -> None:
        """A file that overran its timeout is still burning CPU: kill the worker processes
        (the next file starts a fresh pool). Threads cannot be killed; they finish alone."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if isinstance(pool, cf.ProcessPoolExecutor):
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                proc.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    async def warm_up(self) -> None:
        """Start the workers and load the OCR engine before the first real image arrives."""
        tiny = _blank_png()
        await self.scan_bytes(tiny, "warm-up.png")

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
        self._pending += 1
        queued_at = time.monotonic()
        try:
            future = self._submit(data, file_name)
            log.info("media queued: depth=%d bytes=%d", self._pending, len(data))
            report = await self._wait(future, queued_at)
        finally:
            self._pending -= 1
        if isinstance(report, MediaOutcome):
            report.file_name, report.mime = file_name, mime or report.mime
            return report
        waited = time.monotonic() - queued_at - report.timings.get("total", 0.0)
        report.timings["queue_wait"] = max(waited, 0.0)
        log.info(
            "media done: kind=%s status=%s findings=%d boxes=%d wait=%.2fs extract=%.2fs "
            "total=%.2fs depth=%d",
            report.kind, report.status, len(report.result.findings) if report.result else 0,
            report.redacted_boxes, report.timings["queue_wait"],
            report.timings.get("extract", 0.0), report.timings.get("total", 0.0), self._pending,
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
        )

    async def _wait(
        self, future: cf.Future[MediaReport], queued_at: float
    ) -> MediaReport | MediaOutcome:
        """Wait for a job; the timeout starts when a worker picks the job up, not in the queue."""
        wrapped = asyncio.wrap_future(future)
        while not future.running() and not future.done():
            await asyncio.sleep(0.05)
        try:
            return await asyncio.wait_for(asyncio.shield(wrapped), self.settings.timeout_s)
        except TimeoutError:
            log.warning("media job timed out after %.0fs; restarting workers",
                        self.settings.timeout_s)
            self._kill_pool()
            return self._outcome(TIMEOUT, f"extraction exceeded {self.settings.timeout_s:.0f}s",
                                 "", "")
        except cf.process.BrokenProcessPool:
            self._pool = None
            return self._outcome(ERROR, "media worker stopped (restarted)", "", "")
        except Exception as exc:
            log.warning("media job failed: %s", type(exc).__name__)
            return self._outcome(ERROR, f"extraction failed ({type(exc).__name__})", "", "")

    @staticmethod
    def _outcome(status: str, detail: str, file_name: str, mime: str) -> MediaOutcome:
        return MediaOutcome(status, detail, None, "", None, None, file_name, mime)


def _blank_png() -> bytes:
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (200, 60), "white")
    ImageDraw.Draw(img).text((10, 20), "warm up 123", fill="black")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
