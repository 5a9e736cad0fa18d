"""車牌號碼 (licence plates), reported only near 車號/車牌/車籍 (context step).

Shapes in use: ``ABC-1234`` (cars since 2012), ``AB-1234`` / ``1234-AB`` (older cars),
``ABC-123`` / ``123-ABC`` (motorcycles), ``A1-2345`` / ``1A-2345``. The dash may be a space or
missing. Invoice numbers (``AB-12345678``) have eight digits and never fit; still, a plate
shape alone is too common (model numbers, room codes), hence `needs_context`.
"""

from __future__ import annotations

import re

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import ContextSpec, Match, TextView
from detectors.types import LICENSE_PLATE

_L = "[A-Za-z]"
_SEP = "[ -]?"
_SHAPES = (
    rf"{_L}{{2,3}}{_SEP}[0-9]{{4}}",  # ABC-1234, AB-1234
    rf"[0-9]{{4}}{_SEP}{_L}{{2}}",  # 1234-AB
    rf"{_L}{{3}}{_SEP}[0-9]{{3}}",  # ABC-123
    rf"[0-9]{{3}}{_SEP}{_L}{{3}}",  # 123-ABC
    rf"{_L}[0-9]{_SEP}[0-9]{{4}}",  # A1-2345
    rf"[0-9]{_L}{_SEP}[0-9]{{4}}",  # 1A-2345
)
_PATTERN = re.compile(rf"(?<![A-Za-z0-9\-])(?:{'|'.join(_SHAPES)})(?![A-Za-z0-9]|-[A-Za-z0-9])")
_QUICK = re.compile(r"[A-Za-z][ -]?[0-9]|[0-9][ -]?[A-Za-z]")
# "開ARK-2097黑色賓士", "騎的是 MHT-0519": driving or riding it is vehicle context by itself.
_DRIVES = re.compile(r"(?:開|騎)(?:的是|著|一台|那台)?\s?$")
# An agency's own vehicle is not personal data (公務車 ARH-0231 送保養).
_AGENCY_VEHICLE = re.compile(
    r"(?:公務車|公務機車|公車|警車|巡邏車|消防車|救護車|偵防車)[^，。\n]{0,3}$"
)


class LicensePlateRecognizer:
    """Finds plate-shaped strings (kept only with vehicle context)."""

    name = "license_plate"
    entity_types = (LICENSE_PLATE,)
    context: ContextSpec | None = ContextSpec(lexicon="plate_context", window=16)

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self.config = config

    def analyze(self, view: TextView) -> list[Match]:
        text = view.text
        if _QUICK.search(text) is None:
            return []
        out: list[Match] = []
        for m in _PATTERN.finditer(text):
            raw = m.group(0)
            before = text[max(0, m.start() - 8) : m.start()]
            if _AGENCY_VEHICLE.search(before):
                continue
            drives = _DRIVES.search(before) is not None
            out.append(
                Match(
                    type=LICENSE_PLATE,
                    start=m.start(),
                    end=m.end(),
                    score=0.6 if drives else 0.45,
                    detector=self.name,
                    reason="車牌號碼格式 (licence plate format)"
                    + ("; driven by someone" if drives else ""),
                    value=raw.replace(" ", "").replace("-", "").upper(),
                    needs_context=not drives,
                )
            )
        return out
