"""健保卡號 (National Health Insurance card number): twelve digits, kept only near 健保/健保卡.

The number printed on the NHI IC card is twelve digits (in practice it starts with ``0000``,
which earns a slightly higher base score). Twelve digits alone are as likely a serial or
a timestamp, so the match needs context.
"""

from __future__ import annotations

from detectors.checksums import ascii_digit_count, find_numbers, overlaps_company_number
from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import ContextSpec, Match, TextView
from detectors.types import TW_NHI_CARD


class NhiCardRecognizer:
    """Finds 12-digit NHI card numbers (kept only with NHI context)."""

    name = "nhi_card"
    entity_types = (TW_NHI_CARD,)
    context: ContextSpec | None = ContextSpec(lexicon="nhi_context", window=30)

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self.config = config

    def analyze(self, view: TextView) -> list[Match]:
        text = view.text
        if ascii_digit_count(text) < 12:
            return []

        def accept(start: int, end: int, digits: str) -> bool:
            return len(digits) == 12 and not overlaps_company_number(text, start, end)

        return [
            Match(
                type=TW_NHI_CARD,
                start=start,
                end=end,
                score=0.5 if digits.startswith("0000") else 0.45,
                detector=self.name,
                reason="十二位數字，疑似健保卡號 (12-digit number, NHI card format)",
                value=digits,
                needs_context=True,
            )
            for start, end, digits in find_numbers(text, 12, 12, accept)
        ]
