"""The library's public contract: offsets into the caller's text, masked output, bad input."""

from __future__ import annotations

import time

import pytest

from detectors import Scanner
from detectors.config import ConfigError, DetectorConfig
from detectors.types import CATEGORIES, ENTITY_TYPES, Action, Severity

VALID_ID = "A123456789"


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner.from_config(None)


def test_national_id_offsets_slice_the_original_text_even_after_full_width_folding(
    scanner: Scanner,
) -> None:
    text = "請查　身分證：Ａ１２３４５６７８９，謝謝"
    result = scanner.scan(text)
    ids = [f for f in result.findings if f.type == "TW_NATIONAL_ID"]
    assert len(ids) == 1
    assert text[ids[0].start : ids[0].end] == "Ａ１２３４５６７８９"
    assert "personal_data" in result.categories


def test_zero_width_characters_inside_an_id_do_not_hide_it(scanner: Scanner) -> None:
    text = "身分證 A12\u200b3456\u200d789"
    result = scanner.scan(text)
    ids = [f for f in result.findings if f.type == "TW_NATIONAL_ID"]
    assert ids and text[ids[0].start : ids[0].end].replace("\u200b", "").replace(
        "\u200d", ""
    ) == VALID_ID


def test_strong_identifier_is_high_severity_and_deleted_by_default(scanner: Scanner) -> None:
    result = scanner.scan(f"民眾身分證字號 {VALID_ID}")
    assert result.severity >= Severity.HIGH
    assert result.action == Action.DELETE


def test_findings_never_carry_the_raw_value_in_masked_form(scanner: Scanner) -> None:
    result = scanner.scan(f"身分證 {VALID_ID} 手機 0912345678 信箱 someone@example.com")
    assert result.findings
    for f in result.findings:
        assert f.masked
        assert VALID_ID not in f.masked
        assert "0912345678" not in f.masked
        assert "someone@example.com" not in f.masked


def test_every_finding_names_its_detector_and_reason(scanner: Scanner) -> None:
    result = scanner.scan(f"身分證 {VALID_ID}，電話 0912-345-678")
    for f in result.findings:
        assert f.detector and f.reason
        assert f.category in CATEGORIES
        if f.is_entity:
            assert f.type in ENTITY_TYPES


def test_ordinary_chat_is_not_an_incident(scanner: Scanner) -> None:
    result = scanner.scan("大家午安，下午三點在三樓會議室開科務會議，記得帶筆電。")
    assert not result.is_incident
    assert result.action == Action.NONE


def test_empty_and_whitespace_text_return_an_empty_result(scanner: Scanner) -> None:
    for text in ("", "   \n\t "):
        result = scanner.scan(text)
        assert result.findings == [] and not result.categories


def test_non_string_input_is_a_clear_type_error(scanner: Scanner) -> None:
    with pytest.raises(TypeError, match="str"):
        scanner.scan(b"A123456789")  # type: ignore[arg-type]


def test_lone_surrogates_do_not_crash_and_offsets_stay_valid(scanner: Scanner) -> None:
    text = f"\ud800身分證 {VALID_ID}\udfff"
    result = scanner.scan(text)
    ids = [f for f in result.findings if f.type == "TW_NATIONAL_ID"]
    assert ids and text[ids[0].start : ids[0].end] == VALID_ID


def test_binary_looking_text_returns_quickly(scanner: Scanner) -> None:
    junk = "".join(chr(i % 0x2FF) for i in range(20_000))
    started = time.monotonic()
    scanner.scan(junk)
    assert time.monotonic() - started < 5


def test_identifier_at_the_end_of_a_100k_text_is_found_with_exact_offsets(
    scanner: Scanner,
) -> None:
    text = "會議紀錄內容。" * 15_000 + f"身分證 {VALID_ID}"
    assert len(text) > 100_000
    result = scanner.scan(text)
    ids = [f for f in result.findings if f.type == "TW_NATIONAL_ID"]
    assert len(ids) == 1
    assert text[ids[0].start : ids[0].end] == VALID_ID


def test_scan_many_keeps_input_order(scanner: Scanner) -> None:
    results = scanner.scan_many(["午安", f"身分證 {VALID_ID}", "謝謝"])
    assert [r.is_incident for r in results] == [False, True, False]


def test_allow_list_suppresses_a_listed_value() -> None:
    allowed = Scanner.from_config({"allow_list": ["0223456789"]})
    result = allowed.scan("請聯絡王小明 02-2345-6789")
    assert not [f for f in result.findings if f.type == "PHONE"]


def test_disabling_a_detector_removes_its_findings() -> None:
    no_email = Scanner.from_config({"disabled": ["email"]})
    result = no_email.scan("寄到 someone@example.com")
    assert not [f for f in result.findings if f.type == "EMAIL"]


def test_unknown_config_key_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="unknown"):
        Scanner.from_config({"min_scroe": 0.5})


def test_config_file_path_is_accepted(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[detectors]\nallow_list = ["0223456789"]\n', encoding="utf-8")
    cfg = DetectorConfig.from_file(path)
    assert cfg.allow_list == ["0223456789"]
    assert Scanner.from_config(path).config.allow_list == ["0223456789"]


def test_result_serialises_without_the_raw_text_unless_asked(scanner: Scanner) -> None:
    text = f"身分證 {VALID_ID}"
    result = scanner.scan(text)
    plain = result.to_dict()
    assert VALID_ID not in str(plain)
    revealed = result.to_dict(text)
    assert VALID_ID in str(revealed)


def test_rules_can_be_disabled_by_name_like_recognizers() -> None:
    no_raid = Scanner.from_config({"disabled": ["raid"]})
    result = no_raid.scan("明天早上六點搜索嫌犯住處，攻堅小組五點集合")
    assert "raid" not in result.categories


def test_misspelt_detector_name_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="unknown detector"):
        Scanner.from_config({"disabled": ["phones"]})


def test_partial_severity_table_keeps_the_other_defaults() -> None:
    cfg = DetectorConfig.from_mapping({"category_severity": {"classified": "high"}})
    assert cfg.severity_for("classified") == Severity.HIGH
    assert cfg.severity_for("whistleblower") == Severity.HIGH
    assert cfg.action_for(Severity.HIGH) == Action.DELETE


def test_a_short_rule_finding_over_a_name_is_masked_not_shown() -> None:
    """Short rule spans are keywords (搜索票, 底價) and shown as they are; one that covers a
    person's name must never print the name."""
    from detectors.recognizers.base import Match
    from detectors.scanner import Scanner as _Scanner

    scanner = _Scanner()
    text = "被王小明檢舉的那家工廠"
    norm, view, raw = scanner._prepare(text)
    result = scanner._finish(norm, view, raw)
    person = next(f for f in result.findings if f.type == "PERSON")
    rule = Match("WHISTLEBLOWER_ROLE", 0, 7, 0.9, "whistleblower", "test", "whistleblower")
    finding = scanner._finding(norm, rule, covers_entity=True)
    assert "王小明" not in finding.masked and person.start < 7
    assert all("王小明" not in f.masked for f in scanner.scan(text).findings)
