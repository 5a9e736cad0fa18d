"""decide: categories → severity → action, as the policy in detectors/decide.py states it."""

from __future__ import annotations

from detectors.config import DetectorConfig
from detectors.decide import count_people, decide
from detectors.recognizers.base import Match
from detectors.types import Action, Severity

CONFIG = DetectorConfig()


def entity(type_: str, value: str, start: int = 0) -> Match:
    return Match(type_, start, start + len(value), 0.9, "test", "test", value=value)


def rule(category: str, type_: str = "RULE") -> Match:
    return Match(type_, 0, 2, 0.8, "test-rule", "test", category=category)


def test_nothing_found_means_no_category_and_no_action() -> None:
    d = decide([], [], CONFIG)
    assert d.categories == set()
    assert (d.severity, d.action) == (Severity.NONE, Action.NONE)


def test_a_strong_identifier_alone_is_deleted() -> None:
    d = decide([entity("TW_NATIONAL_ID", "A123456789")], [], CONFIG)
    assert d.categories == {"personal_data"}
    assert (d.severity, d.action) == (Severity.HIGH, Action.DELETE)


def test_a_name_with_contact_details_is_a_warning() -> None:
    ents = [entity("PERSON", "王小明"), entity("PHONE", "0912345678", 4)]
    d = decide(ents, [rule("personal_data", "PERSONAL_RECORD")], CONFIG)
    assert (d.severity, d.action) == (Severity.MEDIUM, Action.WARN)


def test_whistleblower_raid_procurement_and_credentials_are_deleted() -> None:
    for category in ("whistleblower", "raid", "procurement", "credentials"):
        d = decide([], [rule(category)], CONFIG)
        assert d.action == Action.DELETE, category


def test_classified_marking_alone_is_a_warning() -> None:
    d = decide([], [rule("classified", "CLASSIFIED_MARKING")], CONFIG)
    assert (d.categories, d.action) == ({"classified"}, Action.WARN)


def test_identifiers_of_three_people_are_critical() -> None:
    ids = ["A123456789", "B123456780", "C123456781"]
    ents = [entity("TW_NATIONAL_ID", v, i * 12) for i, v in enumerate(ids)]
    assert count_people(ents) == 3
    d = decide(ents, [], CONFIG)
    assert d.severity == Severity.CRITICAL


def test_critical_threshold_comes_from_the_configuration() -> None:
    ents = [entity("TW_NATIONAL_ID", "A123456789"), entity("TW_NATIONAL_ID", "B123456780", 12)]
    assert decide(ents, [], CONFIG).severity == Severity.HIGH
    assert decide(ents, [], DetectorConfig(critical_people=2)).severity == Severity.CRITICAL


def test_a_caution_phrase_next_to_another_category_does_not_add_classified() -> None:
    d = decide([], [rule("raid"), rule("classified", "CLASSIFIED_CAUTION")], CONFIG)
    assert d.categories == {"raid"}
    d = decide([], [rule("classified", "CLASSIFIED_CAUTION")], CONFIG)
    assert d.categories == {"classified"}


def test_a_real_marking_stays_next_to_another_category() -> None:
    d = decide([], [rule("raid"), rule("classified", "CLASSIFIED_MARKING")], CONFIG)
    assert d.categories == {"raid", "classified"}


def test_category_severity_can_be_changed_in_the_configuration() -> None:
    cfg = DetectorConfig(
        category_severity={**CONFIG.category_severity, "classified": "high"}
    )
    assert decide([], [rule("classified", "CLASSIFIED_MARKING")], cfg).action == Action.DELETE


def test_names_count_as_people_only_when_they_stand_with_a_detail() -> None:
    names = [entity("PERSON", n, i * 4) for i, n in enumerate(("王小明", "李美玲", "張志強"))]
    phone = entity("PHONE", "0912345678", 20)
    record = Match("PERSONAL_RECORD", 0, 30, 0.85, "personal_record", "t", category="personal_data")
    one = Match("PERSONAL_RECORD", 0, 3, 0.85, "personal_record", "t", category="personal_data")
    assert decide([*names, phone], [record], CONFIG).severity == Severity.CRITICAL
    assert decide([*names, phone], [one], CONFIG).severity == Severity.MEDIUM
