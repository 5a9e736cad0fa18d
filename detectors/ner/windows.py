"""Cut long texts into overlapping windows for the NER model and map spans back exactly.

Why: a BERT model reads at most `model_max_length - 2` characters, and CKIP's driver silently
splits longer inputs at arbitrary points with no overlap, so a name cut in half is lost. We cut
ourselves: windows of at most `size` characters that overlap by `overlap`, preferring to end a
window just after a line break or sentence mark so that names are rarely split at all.

Each window *owns* the part of the text between the midpoints of its overlaps with its
neighbours. An entity is kept only from the window that owns its start, so an entity shorter
than half the overlap is reported exactly once, with the offsets it has in the full text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

# Characters after which a cut does least harm (line breaks, sentence and clause marks).
_SOFT_BREAKS = frozenset("\n。！？!?；;，,、 \t")


@dataclass(frozen=True, slots=True)
class Window:
    """`text[start:end]` of the full text; spans starting in `[own_start, own_end)` belong here."""

    start: int
    end: int
    own_start: int
    own_end: int

    def owns(self, local_start: int) -> bool:
        """Whether a span starting at `local_start` (window coordinates) is reported here."""
        return self.own_start <= self.start + local_start < self.own_end


def _cut_point(text: str, start: int, hard_end: int, overlap: int) -> int:
    """The end of a window starting at `start`: just after the last soft break in the final
    `overlap` characters before `hard_end`, or `hard_end` when there is none."""
    floor = max(start + 1, hard_end - overlap)
    for i in range(hard_end - 1, floor - 1, -1):
        if text[i] in _SOFT_BREAKS:
            return i + 1
    return hard_end


def plan_windows(text: str, size: int, overlap: int) -> list[Window]:
    """Windows of at most `size` characters covering `text`, consecutive ones overlapping by
    `overlap` (or a little more after a soft-break cut). A short text is one window."""
    if size < 2:
        raise ValueError("window size must be at least 2 characters")
    overlap = max(0, min(overlap, size // 2))
    n = len(text)
    if n <= size:
        return [Window(0, n, 0, n)]
    bounds: list[tuple[int, int]] = []
    start = 0
    while True:
        hard_end = min(start + size, n)
        if hard_end >= n:
            bounds.append((start, n))
            break
        end = _cut_point(text, start, hard_end, overlap)
        bounds.append((start, end))
        # Next window starts `overlap` before this one ends, but always moves forward.
        start = max(end - overlap, start + 1)
    windows: list[Window] = []
    for i, (s, e) in enumerate(bounds):
        own_start = 0 if i == 0 else (s + bounds[i - 1][1]) // 2
        own_end = n if i == len(bounds) - 1 else (bounds[i + 1][0] + e) // 2
        windows.append(Window(s, e, own_start, own_end))
    return windows


T = TypeVar("T")


def batched(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    """Consecutive slices of at most `size` items."""
    step = max(1, size)
    for i in range(0, len(items), step):
        yield items[i : i + step]
