"""The public data types of the detection library.

Everything a caller sees is here: a `Finding` (one match, with where, what, how sure and why),
and a `ScanResult` (the message-level verdict). None of them holds the raw matched value:
`masked` is safe to log and store, and a caller that really needs the exact substring slices
the original text it already owns with `start`/`end`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

# Message-level categories (exact names are part of the public contract).
PERSONAL_DATA = "personal_data"
WHISTLEBLOWER = "whistleblower"
RAID = "raid"
PROCUREMENT = "procurement"
CLASSIFIED = "classified"
CREDENTIALS = "credentials"
CATEGORIES: tuple[str, ...] = (
    PERSONAL_DATA,
    WHISTLEBLOWER,
    RAID,
    PROCUREMENT,
    CLASSIFIED,
    CREDENTIALS,
)

# Entity types (exact names are part of the public contract).
TW_NATIONAL_ID = "TW_NATIONAL_ID"
TW_RESIDENT_ID = "TW_RESIDENT_ID"
TW_PASSPORT = "TW_PASSPORT"
TW_NHI_CARD = "TW_NHI_CARD"
PHONE = "PHONE"
EMAIL = "EMAIL"
ADDRESS = "ADDRESS"
LICENSE_PLATE = "LICENSE_PLATE"
BANK_ACCOUNT = "BANK_ACCOUNT"
CREDIT_CARD = "CREDIT_CARD"
BIRTHDATE = "BIRTHDATE"
PERSON = "PERSON"
ENTITY_TYPES: tuple[str, ...] = (
    TW_NATIONAL_ID,
    TW_RESIDENT_ID,
    TW_PASSPORT,
    TW_NHI_CARD,
    PHONE,
    EMAIL,
    ADDRESS,
    LICENSE_PLATE,
    BANK_ACCOUNT,
    CREDIT_CARD,
    BIRTHDATE,
    PERSON,
)

# Identifiers that on their own single out a person: a message holding one is deleted.
STRONG_IDENTIFIERS: frozenset[str] = frozenset(
    {TW_NATIONAL_ID, TW_RESIDENT_ID, TW_PASSPORT, TW_NHI_CARD, CREDIT_CARD, BANK_ACCOUNT}
)
# Details that identify a person only together with a name.
CONTACT_DETAILS: frozenset[str] = frozenset({PHONE, EMAIL, ADDRESS, LICENSE_PLATE, BIRTHDATE})


class Severity(IntEnum):
    """Ordered so that `max()` over findings gives the message severity."""

    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str | int | Severity) -> Severity:
        if isinstance(value, Severity):
            return value
        if isinstance(value, int):
            return cls(value)
        try:
            return cls[value.strip().upper()]
        except KeyError as exc:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {value!r}; expected one of {names}") from exc


class Action(IntEnum):
    """What the detector recommends; the bot's per-chat policy decides what it actually does."""

    NONE = 0
    WARN = 1
    DELETE = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str | int | Action) -> Action:
        if isinstance(value, Action):
            return value
        if isinstance(value, int):
            return cls(value)
        try:
            return cls[value.strip().upper()]
        except KeyError as exc:
            names = ", ".join(a.label for a in cls)
            raise ValueError(f"unknown action {value!r}; expected one of {names}") from exc


BBox = tuple[int, int, int, int]  # x0, y0, x1, y1 in image pixels


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing found in a text.

    `start`/`end` index the ORIGINAL input string (whatever normalisation happened inside).
    `type` is an entity type (`TW_NATIONAL_ID`, `PERSON`, …) or, for the rule categories, a
    rule type such as `WHISTLEBLOWER_ROLE`. `detector` names the recognizer that fired and
    `reason` says why in words that never repeat the matched value.
    """

    type: str
    category: str
    start: int
    end: int
    score: float
    detector: str
    reason: str
    masked: str
    bbox: BBox | None = None

    @property
    def is_entity(self) -> bool:
        return self.type in ENTITY_TYPES

    def to_dict(self, text: str | None = None) -> dict[str, object]:
        """JSON-ready form; pass the original `text` only when the caller asked to reveal."""
        out: dict[str, object] = {
            "type": self.type,
            "category": self.category,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 3),
            "detector": self.detector,
            "reason": self.reason,
            "masked": self.masked,
        }
        if self.bbox is not None:
            out["bbox"] = list(self.bbox)
        if text is not None:
            out["text"] = text[self.start : self.end]
        return out


@dataclass(slots=True)
class ScanResult:
    """The verdict on one text: what was found and what the detector recommends."""

    findings: list[Finding] = field(default_factory=list)
    categories: set[str] = field(default_factory=set)
    severity: Severity = Severity.NONE
    action: Action = Action.NONE
    reasons: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def is_incident(self) -> bool:
        return bool(self.categories)

    def entities(self) -> list[Finding]:
        return [f for f in self.findings if f.is_entity]

    def to_dict(self, text: str | None = None) -> dict[str, object]:
        out: dict[str, object] = {
            "categories": sorted(self.categories, key=CATEGORIES.index),
            "severity": self.severity.label,
            "action": self.action.label,
            "findings": [f.to_dict(text) for f in self.findings],
            "reasons": list(self.reasons),
        }
        if self.error:
            out["error"] = self.error
        return out
