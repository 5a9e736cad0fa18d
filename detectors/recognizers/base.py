"""What a recognizer is: a named object that finds spans of one or more entity types.

Recognizers see only the normalised text (`TextView`) and report spans in its coordinates;
the scanner maps them back to the original. Each recognizer lives in its own module and is
listed in `detectors.registry`, the way Presidio's analyzer does it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from detectors.config import DetectorConfig
from detectors.normalize import Normalized


@dataclass(slots=True)
class Match:
    """A span found by a recognizer or a rule, in normalised-text coordinates.

    `reason` explains why it fired without quoting the value. `value` is the canonical form
    of the matched identifier (e.g. ``A123456789`` with separators removed); it is what masks
    and keyed hashes are computed from and is never logged. `context` lists the context words
    that were seen near it (filled by the context step).
    """

    type: str
    start: int
    end: int
    score: float
    detector: str
    reason: str
    category: str = "personal_data"
    value: str | None = None
    needs_context: bool = False
    context: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TextView:
    """The normalised message a recognizer works on."""

    norm: Normalized
    config: DetectorConfig

    @property
    def text(self) -> str:
        return self.norm.text


@dataclass(frozen=True, slots=True)
class ContextSpec:
    """Keyword proximity for formats that are ambiguous alone (passport, NHI, bank, …).

    `lexicon` names a data file in `detectors/data/` (one word per line). A match whose
    recognizer sets `needs_context` is dropped unless one of the words occurs within `window`
    characters before it (or `window_after` after it); any match near a word gains `boost`.
    """

    lexicon: str
    window: int = 20
    window_after: int = 8
    boost: float = 0.35


@runtime_checkable
class Recognizer(Protocol):
    """One recognizer per module; `name` is what a `Finding.detector` shows."""

    name: str
    entity_types: tuple[str, ...]
    context: ContextSpec | None

    def analyze(self, view: TextView) -> list[Match]:
        """Return every candidate span; context filtering happens in a later step."""
        ...
