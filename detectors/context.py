"""Context enhancement, a step of its own (as in Presidio).

Formats that are ambiguous alone (a 9-digit passport number, a 12-digit NHI card number, a
bank account, a date, a plate) only count when a context word stands near them. This step looks
left (and a little right) of each match for the words of its recognizer's lexicon, raises the
score of matches that have context, and drops those that need context and have none.
"""

from __future__ import annotations

import re
from functools import lru_cache

from detectors.lexicon import Lexicons
from detectors.recognizers.base import ContextSpec, Match, Recognizer


@lru_cache(maxsize=64)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)


def context_words_near(
    text: str, start: int, end: int, spec: ContextSpec, lexicons: Lexicons
) -> list[str]:
    """The lexicon words found within the window before `start` or after `end`."""
    words = lexicons.words(spec.lexicon)
    if not words:
        return []
    pat = _pattern(words)
    before = text[max(0, start - spec.window) : start]
    after = text[end : end + spec.window_after]
    return [m.group(0) for m in pat.finditer(before)] + [m.group(0) for m in pat.finditer(after)]


def enhance(
    text: str,
    matches: list[Match],
    recognizers: dict[str, Recognizer],
    lexicons: Lexicons,
    min_score: float,
) -> list[Match]:
    """Apply context to every match; return the ones that survive, scores updated."""
    kept: list[Match] = []
    for m in matches:
        rec = recognizers.get(m.detector)
        spec = rec.context if rec is not None else None
        if spec is not None:
            found = context_words_near(text, m.start, m.end, spec, lexicons)
            if found:
                m.context = found
                m.score = min(1.0, m.score + spec.boost)
                m.reason = f"{m.reason}; context: {found[0]}"
            elif m.needs_context:
                continue
        if m.score >= min_score:
            kept.append(m)
    return kept
