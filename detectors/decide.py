"""Decide: from entity and rule matches to message categories, severity and action.

Policy in one place:
- a strong identifier (national ID, resident certificate, passport, NHI card, credit card,
  bank account) is personal data on its own → high → delete;
- a name together with a contact detail or a personal record is personal data → medium → warn
  (the `personal_record` rule reports that combination);
- whistleblower, raid, procurement, credentials → high → delete; classified marking → warn;
- identifiers of `critical_people` or more different people in one message → critical.
Severity→action mapping and per-category severities come from the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

from detectors.config import DetectorConfig
from detectors.masking import compact
from detectors.recognizers.base import Match
from detectors.types import PERSON, PERSONAL_DATA, STRONG_IDENTIFIERS, Action, Severity


@dataclass(slots=True)
class Decision:
    categories: set[str]
    severity: Severity
    action: Action
    reasons: list[str]


def count_people(entities: list[Match], rule_matches: list[Match] | None = None) -> int:
    """Distinct people a message identifies: distinct strong identifiers, or distinct names
    that stand with a detail (inside a `personal_data` rule finding: a pasted roster of names
    with phones), whichever is more.

    Why not every name: "王小明、李美玲、張志強開會，王小明電話0912…" identifies one person,
    not three; a name alone is not an identifier. Without `rule_matches` every name counts
    (the caller has no rule findings to go by)."""
    strong = {compact(m.value or "") for m in entities if m.type in STRONG_IDENTIFIERS}
    records = [m for m in rule_matches or () if m.category == PERSONAL_DATA]
    names = {
        m.value
        for m in entities
        if m.type == PERSON
        and m.value
        and (rule_matches is None or any(r.start <= m.start and m.end <= r.end for r in records))
    }
    return max(len(strong), len(names))


CAUTION_TYPE = "CLASSIFIED_CAUTION"


def _without_redundant_cautions(rule_matches: list[Match]) -> list[Match]:
    """Drop a bare "請勿外流" when another category is reported for the message.

    Why: the caution phrase marks what it accompanies; a raid plan or a password that ends with
    "請勿外流" is a raid or a credentials incident, and listing it as classified too would double
    the warning without telling the reviewer anything new. A real marking (密件, 機密) stays."""
    others = {m.category for m in rule_matches if m.type != CAUTION_TYPE}
    if not others:
        return rule_matches
    return [m for m in rule_matches if m.type != CAUTION_TYPE]


def decide(entities: list[Match], rule_matches: list[Match], config: DetectorConfig) -> Decision:
    categories: set[str] = set()
    severity = Severity.NONE
    reasons: list[str] = []

    strong = [m for m in entities if m.type in STRONG_IDENTIFIERS]
    if strong:
        categories.add(PERSONAL_DATA)
        severity = max(severity, Severity.HIGH)
        reasons.append(f"strong identifier: {strong[0].type}")

    rule_matches = _without_redundant_cautions(rule_matches)
    for m in rule_matches:
        categories.add(m.category)
        severity = max(severity, config.severity_for(m.category))
        reasons.append(f"{m.detector}: {m.reason}")

    if PERSONAL_DATA in categories:
        people = count_people(entities, rule_matches)
        if people >= config.critical_people:
            severity = Severity.CRITICAL
            reasons.append(f"identifiers of {people} people in one message")

    action = config.action_for(severity) if categories else Action.NONE
    return Decision(categories=categories, severity=severity, action=action, reasons=reasons)
