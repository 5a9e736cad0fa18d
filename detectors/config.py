"""Detector configuration: the `[detectors]` table of `config.toml`, typed and validated.

Every knob an ethics office may want to change without code lives here: which recognizers
run, the score threshold, allow-lists of public numbers, extra keywords per lexicon, and how
categories map to severity and action. Unknown keys are an error so a typo does not silently
disable a safeguard.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from detectors.types import CATEGORIES, Action, Severity

DEFAULT_CATEGORY_SEVERITY: dict[str, str] = {
    "personal_data": "medium",  # raised to high by a strong identifier, critical by 3+ people
    "whistleblower": "high",
    "raid": "high",
    "procurement": "high",
    "classified": "medium",
    "credentials": "high",
}
DEFAULT_SEVERITY_ACTION: dict[str, str] = {
    "none": "none",
    "low": "warn",
    "medium": "warn",
    "high": "delete",
    "critical": "delete",
}


class ConfigError(ValueError):
    """Raised with a message an administrator can act on."""


@dataclass(slots=True)
class NerConfig:
    """Optional neural NER backend for PERSON/ORG (issue 7). `backend = "none"` disables it."""

    backend: str = "none"  # "none" | "ckip"
    model: str = ""  # local directory or Hugging Face id
    device: int = -1
    batch_size: int = 16
    max_chars: int = 256
    overlap: int = 32
    gate: bool = True


@dataclass(slots=True)
class DetectorConfig:
    enabled: list[str] = field(default_factory=list)  # empty: every registered recognizer
    disabled: list[str] = field(default_factory=list)
    min_score: float = 0.5
    # Values never reported (public hotlines, agency addresses, test identifiers); compared
    # after removing separators, so "02-2345-6789" also allows "0223456789".
    allow_list: list[str] = field(default_factory=list)
    # Agency hotlines that are public by nature (in addition to the shipped list).
    hotlines: list[str] = field(default_factory=list)
    # Extra words per lexicon file name (e.g. {"raid_actions" = ["掃黑"]}).
    extra_keywords: dict[str, list[str]] = field(default_factory=dict)
    # Words that, when present, stop a lexicon word from counting
    # (e.g. {"raid_actions" = ["搜索引擎"]}).
    keyword_exceptions: dict[str, list[str]] = field(default_factory=dict)
    critical_people: int = 3
    category_severity: dict[str, str] = field(
        default_factory=lambda: dict(DEFAULT_CATEGORY_SEVERITY)
    )
    severity_action: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITY_ACTION))
    # Training material / news / case studies without real identifiers are not incidents.
    benign_cues: bool = True
    max_chars: int = 100_000
    ner: NerConfig = field(default_factory=NerConfig)

    @classmethod
    def from_mapping(cls, data: dict[str, Any] | None) -> DetectorConfig:
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"[detectors] has unknown keys: {', '.join(unknown)}")
        ner_data = data.pop("ner", None) or {}
        ner_known = {f.name for f in fields(NerConfig)}
        bad_ner = sorted(set(ner_data) - ner_known)
        if bad_ner:
            raise ConfigError(f"[detectors.ner] has unknown keys: {', '.join(bad_ner)}")
        # Partial tables override single entries; the rest keep their defaults, so setting one
        # category's severity never silently downgrades the others.
        for key, defaults in (
            ("category_severity", DEFAULT_CATEGORY_SEVERITY),
            ("severity_action", DEFAULT_SEVERITY_ACTION),
        ):
            if key in data:
                data[key] = {**defaults, **dict(data[key])}
        cfg = cls(**data, ner=NerConfig(**ner_data))
        cfg.validate()
        return cfg

    @classmethod
    def from_file(cls, path: str | Path) -> DetectorConfig:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
        return cls.from_mapping(doc.get("detectors"))

    def validate(self) -> None:
        if not 0.0 <= self.min_score <= 1.0:
            raise ConfigError("detectors.min_score must be between 0 and 1")
        if self.critical_people < 2:
            raise ConfigError("detectors.critical_people must be at least 2")
        for cat, sev in self.category_severity.items():
            if cat not in CATEGORIES:
                raise ConfigError(f"detectors.category_severity: unknown category {cat!r}")
            try:
                Severity.parse(sev)
            except ValueError as exc:
                raise ConfigError(f"detectors.category_severity.{cat}: {exc}") from exc
        for sev, act in self.severity_action.items():
            try:
                Severity.parse(sev)
                Action.parse(act)
            except ValueError as exc:
                raise ConfigError(f"detectors.severity_action.{sev}: {exc}") from exc
        if self.ner.backend not in ("none", "ckip"):
            raise ConfigError('detectors.ner.backend must be "none" or "ckip"')

    def severity_for(self, category: str) -> Severity:
        return Severity.parse(self.category_severity.get(category, "medium"))

    def action_for(self, severity: Severity) -> Action:
        return Action.parse(self.severity_action.get(severity.label, "none"))
