"""身分證字號 (national ID): one letter, 1 or 2, eight digits, and a valid check digit.

The check digit makes a match trustworthy on its own (score 0.95, no context needed): a random
letter-plus-nine-digits string passes it one time in ten, and the second digit must be 1 or 2.
Separators inside the number (``A12 345 6789``) and lower case (``a123456789``) are accepted.
"""

from __future__ import annotations

import re

from detectors.checksums import SEP, is_national_id, spaced_digits
from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import ContextSpec, Match, TextView
from detectors.types import TW_NATIONAL_ID

_PATTERN = re.compile(rf"(?<![A-Za-z0-9])[A-Za-z]{SEP}[12]{SEP}{spaced_digits(8)}(?![A-Za-z0-9])")
_QUICK = re.compile(r"[A-Za-z][ \t\-.\n]{0,3}[12][ \t\-.\n]{0,3}[0-9]")


def compact_alnum(text: str) -> str:
    """Letters and digits of `text`, upper-cased: the canonical value of an ID."""
    return "".join(c for c in text if c.isascii() and c.isalnum()).upper()


class NationalIdRecognizer:
    """Finds checksum-valid national IDs."""

    name = "national_id"
    entity_types = (TW_NATIONAL_ID,)
    context: ContextSpec | None = None

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self.config = config

    def analyze(self, view: TextView) -> list[Match]:
        text = view.text
        if _QUICK.search(text) is None:
            return []
        out: list[Match] = []
        for m in _PATTERN.finditer(text):
            value = compact_alnum(m.group(0))
            if is_national_id(value):
                out.append(
                    Match(
                        type=TW_NATIONAL_ID,
                        start=m.start(),
                        end=m.end(),
                        score=0.95,
                        detector=self.name,
                        reason="身分證字號格式且檢查碼正確 (national ID, valid check digit)",
                        value=value,
                    )
                )
        return out
