"""What a category rule is.

Rules decide the non-entity categories (whistleblower, raid, procurement, classified,
credentials, and the name-plus-detail form of personal data). They see the normalised text,
the keyword hits of the spaCy matchers and the entity matches already found, and return
`Match`es whose `category` is the category they support. One rule per module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from detectors.recognizers.base import Match, TextView


@dataclass(frozen=True, slots=True)
class KeywordHit:
    """One lexicon word found in the text (normalised coordinates)."""

    lexicon: str
    word: str
    start: int
    end: int


@dataclass(slots=True)
class RuleInput:
    view: TextView
    entities: list[Match]
    hits: list[KeywordHit]
    # The hits grouped by lexicon, built on first use: six rules ask for a dozen lexicons each,
    # and filtering the whole hit list per question was a measurable share of a scan.
    _by_lexicon: dict[str, list[KeywordHit]] | None = field(default=None, repr=False)

    def hits_of(self, lexicon: str) -> list[KeywordHit]:
        if self._by_lexicon is None:
            grouped: dict[str, list[KeywordHit]] = {}
            for h in self.hits:
                grouped.setdefault(h.lexicon, []).append(h)
            self._by_lexicon = grouped
        return list(self._by_lexicon.get(lexicon, ()))


@runtime_checkable
class Rule(Protocol):
    name: str
    category: str

    def evaluate(self, data: RuleInput) -> list[Match]: ...
