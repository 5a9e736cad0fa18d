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

log = logging.getLogger(__name__)

INLINE_MAX_CHARS = 300  # measured: a 300-char message scans in a few ms


def skip_spacy_plugin_factories() -> None:
    """Stop spaCy from importing third-party pipeline factories on the first `spacy.blank()`.

    Why: `Language.__init__` loads every `spacy_factories` entry point of the environment.
    presidio-analyzer (installed for the benchmark) registers one whose import pulls in
    transformers and torch: measured 20 s on this machine, spent inside the first scan that hits
    a keyword lexicon — so the first leak after a start would stay visible for 20 s. The
    detectors only need the blank tokenizer and PhraseMatcher, never a plugin factory.
    (Belongs in detectors/keywords.py; kept here until that module does it itself.)
    """
    try:
        from spacy.util import registry
    except ImportError:  # pragma: no cover - spaCy is a runtime dependency
        return
    registry._entry_point_factories.entry_points = False


class ScanService:
    def __init__(self, scanner: Scanner, workers: int = 2, timeout: float = 30.0) -> None:
        skip_spacy_plugin_factories()
        self.scanner = scanner
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dlp-scan")

    async def scan(self, text: str) -> ScanResult:
        """Never raises: a detector crash becomes `ScanResult(error=...)` so the update is still
        recorded as processed and the failure is visible in logs (without the text)."""
        try:
            if len(text) <= INLINE_MAX_CHARS:
                return self.scanner.scan(text)
            loop = asyncio.get_running_loop()
            fut = loop.run_in_executor(self._pool, self.scanner.scan, text)
            return await asyncio.wait_for(fut, self.timeout)
        except Exception as exc:
            # No traceback: an exception message could quote the text being scanned.
            log.error("scan failed (%d chars): %s", len(text), type(exc).__name__)
            return ScanResult(error=type(exc).__name__)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
