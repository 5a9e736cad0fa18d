"""Merge the names NER finds with the PERSON recognizer's (lexicon) matches.

Two rules, both about trust:

- Agreement raises the score. Where an NER PERSON span overlaps a lexicon PERSON match, the
  lexicon match gains `AGREEMENT_BOOST` and no longer needs context: two independent methods
  agreeing is as good a sign as a context word.
- NER alone needs context. A name only the model sees (a rare surname, a foreign name) becomes a
  match only when it lies within reach of a gate anchor (a role word, an identifier on the same
  line, a list row); elsewhere it is dropped, because a CKIP model also tags place-like words,
  nicknames and product names as PERSON, and a false name beside nothing harms no one anyway.
  A span that starts with a known surname must also pass the PERSON recognizer's own
  plausibility check (`looks_like_name` with strong context), which drops 王科長 (a title, not
  a person) and guarded everyday words (高雄, 許多); spans with no known surname (rare
  surnames, foreign names) are exactly what NER is for, so they are kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from detectors.ner.gate import Anchor
from detectors.ner.types import NerEntity
from detectors.recognizers.base import Match
from detectors.recognizers.person import looks_like_name, split_surname
from detectors.types import PERSON

DETECTOR = "ckip_ner"
AGREEMENT_BOOST = 0.15
NER_ALONE_SCORE = 0.6
_MIN_LEN = 2  # a single character is a surname or a pronoun, never a full name
_MAX_LEN = 24  # Latin names with spaces can be long; beyond that it is not a name
_NOT_A_NAME = re.compile(r"[0-9@#/\\:：,，。；;!?！？()（）\[\]「」『』<>《》\n\t]")
_STRIP = " \u3000·・.-"


def _clean_span(text: str, entity: NerEntity) -> tuple[int, int] | None:
    """The entity's span without surrounding blanks and dots, or None when it cannot be a name."""
    start, end = entity.start, entity.end
    while start < end and text[start] in _STRIP:
        start += 1
    while end > start and text[end - 1] in _STRIP:
        end -= 1
    if not _MIN_LEN <= end - start <= _MAX_LEN:
        return None
    if _NOT_A_NAME.search(text, start, end):
        return None
    return start, end


def _plausible(span: str) -> bool:
    """Whether an NER-only span may be a name: the recognizer's check when it knows the
    surname, otherwise trust the model (that is the case NER exists for)."""
    if split_surname(span) is None:
        return True
    return looks_like_name(span, strong_context=True)


def merge_person(
    text: str,
    matches: list[Match],
    entities: Sequence[NerEntity],
    anchors: Sequence[Anchor],
) -> list[Match]:
    """Return `matches` with agreeing names boosted and context-backed NER-only names added."""
    lexicon = [m for m in matches if m.type == PERSON]
    boosted: set[int] = set()
    added: list[Match] = []
    for entity in entities:
        if entity.label != PERSON:
            continue
        span = _clean_span(text, entity)
        if span is None:
            continue
        start, end = span
        agreeing = [m for m in lexicon if m.start < end and m.end > start]
        if agreeing:
            for m in agreeing:
                if id(m) in boosted:
                    continue
                boosted.add(id(m))
                m.score = min(1.0, m.score + AGREEMENT_BOOST)
                m.needs_context = False
                m.reason = f"{m.reason}; NER agrees"
            continue
        if any(a.start < end and a.end > start for a in anchors if a.kind != "list_row"):
            continue  # the span is the role word or identifier itself, not a name
        anchor = next((a for a in anchors if a.covers(start, end)), None)
        if anchor is None:
            continue
        if any(m.start < end and m.end > start for m in added):
            continue
        if not _plausible(text[start:end]):
            continue
        added.append(
            Match(
                type=PERSON,
                start=start,
                end=end,
                score=NER_ALONE_SCORE,
                detector=DETECTOR,
                reason=f"person name found by NER; context: {anchor.kind}",
                value=text[start:end],
                context=[anchor.word] if anchor.word else [],
            )
        )
    return [*matches, *added]
