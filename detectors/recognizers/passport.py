"""中華民國護照號碼: nine digits, reported only near a word such as 護照 (context step).

Nine digits alone are an order number as often as a passport, hence `needs_context` and a base
score under the threshold; the context step adds the boost when 護照 stands near.
"""

from __future__ import annotations

from detectors.checksums import ascii_digit_count, find_numbers, overlaps_company_number
from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import ContextSpec, Match, TextView
from detectors.types import TW_PASSPORT


class PassportRecognizer:
    """Finds 9-digit passport numbers (kept only with passport context)."""

    name = "passport"
    entity_types = (TW_PASSPORT,)
    context: ContextSpec | None = ContextSpec(lexicon="passport_context", window=20)

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self.config = config

    def analyze(self, view: TextView) -> list[Match]:
        text = view.text
        if ascii_digit_count(text) < 9:
            return []

        def accept(start: int, end: int, digits: str) -> bool:
            return len(digits) == 9 and not overlaps_company_number(text, start, end)

        return [
            Match(
                type=TW_PASSPORT,
                start=start,
                end=end,
                score=0.45,
                detector=self.name,
                reason="九位數字，疑似護照號碼 (9-digit number, passport format)",
                value=digits,
                needs_context=True,
            )
            for start, end, digits in find_numbers(text, 9, 9, accept)
        ]
