"""Small helpers the category rules share: proximity over keyword hits and entity spans, the
benign-cue test, and one way to build a rule `Match`.

Why a module of its own: every rule asks the same questions ("is a phone within 30 characters of
檢舉人?", "is this training material?") and should answer them the same way, so a change of
policy (say, what counts as a benign cue) happens once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

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


def _inside_ascii_word(text: str, start: int, end: int) -> bool:
    """An ASCII keyword glued to more letters ("raid" in "afraid", "key" in "keyboard")."""
    left = start > 0 and text[start - 1].isascii() and text[start - 1].isalnum()
    right = end < len(text) and text[end].isascii() and text[end].isalpha()
    return left or right


@lru_cache(maxsize=256)
def _normalised(words: tuple[str, ...]) -> tuple[str, ...]:
    """Exception words in both forms: hits index normalised text, where 群 is 羣 and ？ is ?."""
    from detectors.normalize import normalize

    return tuple(dict.fromkeys((*words, *(normalize(w).text for w in words))))


def clean_hits(data: RuleInput, lexicon: str, exceptions: Sequence[str] = ()) -> list[KeywordHit]:
    """Hits of `lexicon` that really are the word: ASCII words must stand alone, and a hit that
    lies inside an exception word (搜索 in 搜索引擎; from the rule's exception lexicon or the
    configuration's `keyword_exceptions`) is dropped.

    Why: the spaCy `zh` tokenizer works per character, so the PhraseMatcher alone would find
    "raid" inside "afraid" and 搜索 inside 搜索功能."""
    text = data.view.text
    hits = [
        h
        for h in data.hits_of(lexicon)
        if not (h.word.isascii() and _inside_ascii_word(text, h.start, h.end))
    ]
    if not hits or not exceptions:
        return hits
    spans: list[tuple[int, int]] = []
    for word in _normalised(tuple(exceptions)):
        pos = text.find(word)
        while pos >= 0:
            spans.append((pos, pos + len(word)))
            pos = text.find(word, pos + 1)
    return [h for h in hits if not any(s <= h.start and h.end <= e for s, e in spans)]


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


def word_alternation(words: Iterable[str], plural: bool = False) -> str:
    """A regex alternation of `words` and their normalised forms, longest first. ASCII words
    must stand alone ("secret" not in "secretary"); with `plural` they may take an s
    (passwords, tokens, backup codes)."""
    from detectors.normalize import with_normalised

    parts = []
    for w in sorted(set(with_normalised(words)), key=len, reverse=True):
        escaped = re.escape(w)
        if w.isascii() and w[:1].isalnum():
            tail = "s?" if plural and w[-1:].isalpha() else ""
            escaped = rf"(?<![A-Za-z]){escaped}{tail}(?![A-Za-z])"
        parts.append(escaped)
    return "|".join(parts) or r"(?!)"
