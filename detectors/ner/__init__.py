"""Optional neural NER backend of the PERSON detector (issue 7): CKIP Transformers.

`build_backend(NerConfig)` is what `detectors.scanner.Scanner` calls when
``[detectors.ner] backend = "ckip"``. It returns a `NerStage` that sits between the recognizers
and the context step:

    raw matches ──gate──▶ (only where a name could change the verdict) ──CKIP NER──▶ merge

- `gate.py` decides per text whether the model runs at all (role word, identifier or list
  layout without a confident lexicon name);
- `ckip.py` loads the model lazily, once, and runs it in overlapping windows (`windows.py`),
  batching every gated text of a `scan_many` call into few model calls;
- `merge.py` raises the score where NER and the lexicon agree and adds NER-only names only where
  a gate anchor gives them context.

Threading: loading takes seconds and inference ~150-250 ms per message on 2 cores, so callers
on an event loop (the bot) must call the scanner in a worker thread (`asyncio.to_thread`), never
on the loop itself. The stage is thread-safe; the model is loaded under a lock.

Nothing here imports torch, transformers or ckip-transformers at import time: the base install
works without the `ner` extra.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from detectors.config import NerConfig
from detectors.lexicon import Lexicons
from detectors.ner.errors import NerUnavailable
from detectors.ner.gate import decide_gate
from detectors.ner.merge import merge_person
from detectors.ner.types import NerEntity
from detectors.recognizers.base import Match

__all__ = ["NerBackend", "NerEntity", "NerStage", "NerStats", "NerUnavailable", "build_backend"]

log = logging.getLogger(__name__)
# After a failed model load, texts are scanned with the lexicon alone; the load is tried again
# this often, so a model folder fixed by the administrator is picked up without a restart.
RETRY_SECONDS = 300.0


class NerBackend(Protocol):
    """What a model backend offers: entities per text, offsets in that text."""

    name: str

    def predict(self, texts: Sequence[str]) -> list[list[NerEntity]]: ...


@dataclass(slots=True)
class NerStats:
    """Counters for benchmarks and `dlpbot models check` (counts only, never text)."""

    texts: int = 0  # texts offered to the stage
    gated_in: int = 0  # texts the model actually read
    model_calls: int = 0  # `predict` calls (each batches many windows)
    person_added: int = 0  # NER-only names kept (with context)
    unavailable: int = 0  # gated texts scanned without the model because it failed to load


class NerStage:
    """Gate → NER → merge over the recognizers' raw matches (normalised-text coordinates)."""

    def __init__(self, config: NerConfig, backend: NerBackend) -> None:
        self.config = config
        self.backend = backend
        self.stats = NerStats()
        self._stats_lock = threading.Lock()
        # Why the model cannot run right now (None when it can), and when to try again.
        self.unavailable: str | None = None
        self._retry_at = 0.0

    @property
    def name(self) -> str:
        return self.backend.name

    def refine(
        self, text: str, matches: list[Match], lexicons: Lexicons, min_score: float
    ) -> list[Match]:
        """One text: the matches, merged with what NER finds if the gate lets it run."""
        return self.refine_many([(text, matches)], lexicons, min_score)[0]

    def refine_many(
        self,
        items: Sequence[tuple[str, list[Match]]],
        lexicons: Lexicons,
        min_score: float,
    ) -> list[list[Match]]:
        """Many texts: the model runs once over all gated texts (batched by the backend)."""
        decisions = [
            decide_gate(text, matches, lexicons, min_score, enabled=self.config.gate)
            for text, matches in items
        ]
        chosen = [i for i, d in enumerate(decisions) if d.run]
        predicted: dict[int, list[NerEntity]] = {}
        if chosen and self._may_try():
            try:
                outputs = self.backend.predict([items[i][0] for i in chosen])
            except NerUnavailable as exc:
                self._failed(exc)
            else:
                self.unavailable = None
                predicted = dict(zip(chosen, outputs, strict=True))
        if chosen and not predicted:
            with self._stats_lock:
                self.stats.unavailable += len(chosen)
        results: list[list[Match]] = []
        added = 0
        for i, (text, matches) in enumerate(items):
            if i not in predicted:
                results.append(matches)
                continue
            merged = merge_person(text, matches, predicted[i], decisions[i].anchors)
            added += len(merged) - len(matches)
            results.append(merged)
        with self._stats_lock:
            self.stats.texts += len(items)
            self.stats.gated_in += len(chosen)
            self.stats.model_calls += 1 if chosen else 0
            self.stats.person_added += added
        return results


    def warm_up(self) -> None:
        """Load the model now (at start-up, in a worker) instead of on the first gated text.
        A failure is logged and degrades to the lexicon, exactly as in `refine_many`."""
        load = getattr(self.backend, "load", None)
        if load is None or not self._may_try():
            return
        try:
            load()
        except NerUnavailable as exc:
            self._failed(exc)
        else:
            self.unavailable = None

    def _may_try(self) -> bool:
        return self.unavailable is None or time.monotonic() >= self._retry_at

    def _failed(self, exc: NerUnavailable) -> None:
        """The model cannot run: say so once per episode (never any text), fall back to the
        lexicon's names, and try again after `RETRY_SECONDS`."""
        if self.unavailable is None:
            log.error("NER backend unavailable, scanning with the name lexicon only: %s", exc)
        self.unavailable = str(exc)
        self._retry_at = time.monotonic() + RETRY_SECONDS


def build_backend(config: NerConfig) -> NerStage:
    """The NER stage for `config`; raises `NerUnavailable` (a `ConfigError`) with instructions
    when the extra is not installed or the model cannot be found. Does not load the model."""
    if config.backend == "ckip":
        from detectors.ner.ckip import CkipBackend

        return NerStage(config, CkipBackend(config))
    raise NerUnavailable(f'unknown NER backend {config.backend!r}; expected "ckip" or "none"')
