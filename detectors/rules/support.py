"""Small helpers the category rules share: proximity over keyword hits and entity spans, the
benign-cue test, and one way to build a rule `Match`.

Why a module of its own: every rule asks the same questions ("is a phone within 30 characters of
檢舉人?", "is this training material?") and should answer them the same way, so a change of
policy (say, what counts as a benign cue) happens once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from detectors.recognizers.base import Match
from detectors.rules.base import KeywordHit, RuleInput
from detectors.types import STRONG_IDENTIFIERS

BENIGN_LEXICON = "benign_cues"


def distance(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    if a_end <= b_start:
        return b_start - a_end
    if b_end <= a_start:
        return a_start - b_end
    return 0


def near(
    anchor: KeywordHit | Match, others: Iterable[KeywordHit | Match], before: int, after: int
) -> list[KeywordHit | Match]:
    """Items of `others` that start at most `before` characters before `anchor` or end at most
    `after` characters after it (overlapping items count)."""
    out: list[KeywordHit | Match] = []
    for o in others:
        if o.end <= anchor.start:
            if anchor.start - o.end <= before:
                out.append(o)
        elif o.start >= anchor.end:
            if o.start - anchor.end <= after:
                out.append(o)
        else:
            out.append(o)
    return out


def hits_in(hits: Sequence[KeywordHit], start: int, end: int) -> list[KeywordHit]:
    return [h for h in hits if h.start >= start and h.end <= end]


def has_checksum_identifier(entities: Iterable[Match]) -> bool:
    """A strong (checksum- or format-validated) identifier: makes a 'training example' real."""
    return any(m.type in STRONG_IDENTIFIERS for m in entities)


def is_benign(data: RuleInput) -> bool:
    """Training material, news or a quoted case with no real identifier is not an incident.

    The configuration can switch this off (`benign_cues = false`) for agencies that want every
    mention reported."""
    if not data.view.config.benign_cues:
        return False
    if not data.hits_of(BENIGN_LEXICON):
        return False
    return not has_checksum_identifier(data.entities)


def rule_match(
    type_: str,
    category: str,
    start: int,
    end: int,
    score: float,
    detector: str,
    reason: str,
    value: str | None = None,
) -> Match:
    """A rule finding; `reason` must name words and kinds, never the matched personal value."""
    return Match(
        type=type_,
        start=start,
        end=end,
        score=score,
        detector=detector,
        reason=reason,
        category=category,
        value=value,
    )
