"""居留證統一證號 (resident certificate): both the 2021 format and the older two-letter one.

New format ``[A-Z][89]\\d{8}`` uses the national-ID sum; the old ``[A-Z][A-D]\\d{8}`` lets the
second letter contribute the last digit of its code. Both carry a check digit, so a valid match
stands on its own (score 0.95).
"""

from __future__ import annotations

import re

from detectors.checksums import SEP, is_resident_id, spaced_digits
from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import ContextSpec, Match, TextView
from detectors.recognizers.national_id import compact_alnum
from detectors.types import TW_RESIDENT_ID

_PATTERN = re.compile(
    rf"(?<![A-Za-z0-9])[A-Za-z]{SEP}(?:[89]|[A-Da-d]){SEP}{spaced_digits(8)}(?![A-Za-z0-9])"
)
_QUICK = re.compile(r"[A-Za-z][ \t\-.\n]{0,3}[89A-Da-d][ \t\-.\n]{0,3}[0-9]")


class ResidentIdRecognizer:
    """Finds checksum-valid resident certificate numbers (居留證號, ARC)."""

    name = "resident_id"
    entity_types = (TW_RESIDENT_ID,)
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
            if is_resident_id(value):
                out.append(
                    Match(
                        type=TW_RESIDENT_ID,
                        start=m.start(),
                        end=m.end(),
                        score=0.95,
                        detector=self.name,
                        reason="居留證號格式且檢查碼正確 (resident certificate, valid check digit)",
                        value=value,
                    )
                )
        return out
