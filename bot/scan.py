"""Running the detectors without blocking the bot.

Why a thread: `Scanner.scan` is pure CPU (regexes, spaCy matchers, optional NER). Run inline it
would stall every other update — deletions of leaks in other chats included — for as long as the
scan takes. Short texts are cheap enough that the thread hop costs more than it saves, so they
run inline; anything longer goes to a small dedicated pool (the Scanner is thread-safe).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from detectors import Scanner, ScanResult
from detectors.keywords import skip_spacy_plugin_factories

log = logging.getLogger(__name__)

__all__ = ["ScanService", "skip_spacy_plugin_factories"]

INLINE_MAX_CHARS = 300  # measured: a 300-char message scans in a few ms


class ScanService:
    def __init__(self, scanner: Scanner, workers: int = 2, timeout: float = 30.0) -> None:
        skip_spacy_plugin_factories()
        self.scanner = scanner
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dlp-scan")

    async def scan(self, text: str) -> ScanResult:
        """Never raises: a detector crash becomes `ScanResult(error="error:<Type>")`, a scan
        that outlives `timeout` `ScanResult(error="timeout")`. The handler records such a
        message as not scanned and alerts ethics staff; the logs carry no text."""
        try:
            # Inline only when cheap: with an NER backend a scan may run a neural model.
            if self.scanner.ner is None and len(text) <= INLINE_MAX_CHARS:
                return self.scanner.scan(text)
            loop = asyncio.get_running_loop()
            fut = loop.run_in_executor(self._pool, self.scanner.scan, text)
            return await asyncio.wait_for(fut, self.timeout)
        except TimeoutError:
            log.error("scan timed out after %.0fs (%d chars)", self.timeout, len(text))
            return ScanResult(error="timeout")
        except Exception as exc:
            # No traceback: an exception message could quote the text being scanned.
            log.error("scan failed (%d chars): %s", len(text), type(exc).__name__)
            return ScanResult(error=f"error:{type(exc).__name__}")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
