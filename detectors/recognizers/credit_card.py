"""Payment card numbers: 13-19 digits, a known issuer prefix, and a valid Luhn check digit.

Cards are written in groups ("4111 1111 1111 1111", "4111-1111-…"), often next to an expiry
or a CVV, so the digit run is cut at group boundaries until a cut validates.
"""

from __future__ import annotations

from detectors.checksums import (
    ascii_digit_count,
    card_brand,
    find_numbers,
    is_credit_card,
    overlaps_company_number,
)
from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import ContextSpec, Match, TextView
from detectors.types import CREDIT_CARD


class CreditCardRecognizer:
    """Finds Luhn-valid card numbers of the common networks (Visa, Mastercard, JCB, …)."""

    name = "credit_card"
    entity_types = (CREDIT_CARD,)
    context: ContextSpec | None = None

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self.config = config

    def analyze(self, view: TextView) -> list[Match]:
        text = view.text
        # Cheapest possible bail-out: a card needs at least 13 digits in the message.
        if ascii_digit_count(text) < 13:
            return []

        def accept(start: int, end: int, digits: str) -> bool:
            return is_credit_card(digits) and not overlaps_company_number(text, start, end)

        return [
            Match(
                type=CREDIT_CARD,
                start=start,
                end=end,
                score=0.95,
                detector=self.name,
                reason=f"信用卡號且檢查碼正確 ({card_brand(digits)} card, valid Luhn)",
                value=digits,
            )
            for start, end, digits in find_numbers(text, 13, 19, accept)
        ]
