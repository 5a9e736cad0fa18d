"""Scoring rules of detectors/evaluate.py, on hand-built gold records and scan results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detectors.evaluate import (
    CorpusError,
    GoldEntity,
    GoldMessage,
    format_report,
    load_corpus,
    normalise_value,
    score,
)
from detectors.types import Action, Finding, ScanResult, Severity


def gold(rec_id: str, text: str, cats: list[str], ents: list[tuple[str, str]]) -> GoldMessage:
    return GoldMessage(rec_id, text, frozenset(cats), tuple(GoldEntity(t, v) for t, v in ents))


def result(text: str, cats: list[str], spans: list[tuple[str, str]]) -> ScanResult:
    """A ScanResult whose entity findings cover the first occurrence of each value."""
    findings = []
    for etype, value in spans:
        start = text.index(value)
        findings.append(
            Finding(etype, "personal_data", start, start + len(value), 0.9, "t", "r", "***")
        )
    return ScanResult(
        findings=findings,
        categories=set(cats),
        severity=Severity.HIGH if cats else Severity.NONE,
        action=Action.WARN if cats else Action.NONE,
    )


def test_obfuscated_id_matches_its_canonical_gold_value() -> None:
    assert normalise_value("TW_NATIONAL_ID", "ａ１２３ ４５６-７８９") == "A123456789"
    assert normalise_value("PHONE", "+886 912-345-678") == "0912345678"
    assert normalise_value("PHONE", "零九一二三四五六七八") == "0912345678"


def test_perfect_scan_scores_one_everywhere() -> None:
    text = "王小明 身分證A123456789"
    corpus = [
        gold("a", text, ["personal_data"], [("PERSON", "王小明"), ("TW_NATIONAL_ID", "A123456789")])
    ]
    spans = [("PERSON", "王小明"), ("TW_NATIONAL_ID", "A123456789")]
    ev = score(corpus, [result(text, ["personal_data"], spans)])
    assert ev.category_macro_f1 == 1.0
    assert ev.structured.f1 == 1.0
    assert ev.person.f1 == 1.0
    assert ev.errors == []
    assert ev.failed_targets() == []


def test_person_matches_when_predicted_span_contains_the_gold_name() -> None:
    text = "請聯絡王小明先生"
    corpus = [gold("a", text, ["personal_data"], [("PERSON", "王小明")])]
    ev = score(corpus, [result(text, ["personal_data"], [("PERSON", "王小明先生")])])
    assert (ev.person.tp, ev.person.fp, ev.person.fn) == (1, 0, 0)


def test_structured_entities_need_the_same_value_not_containment() -> None:
    text = "帳號 12345678901234"
    corpus = [gold("a", text, ["personal_data"], [("BANK_ACCOUNT", "12345678901234")])]
    ev = score(corpus, [result(text, ["personal_data"], [("BANK_ACCOUNT", "123456789012")])])
    bank = ev.per_entity["BANK_ACCOUNT"]
    assert (bank.tp, bank.fp, bank.fn) == (0, 1, 1)
    assert ev.structured.f1 == 0.0


def test_benign_message_with_any_category_is_a_false_alarm() -> None:
    corpus = [gold("ok-1", "請撥1999", [], []), gold("ok-2", "收到", [], [])]
    results = [result("請撥1999", ["personal_data"], []), result("收到", [], [])]
    ev = score(corpus, results)
    assert (ev.benign, ev.false_alarms) == (2, 1)
    assert ev.false_alarm_rate == 0.5
    assert "benign_false_alarm_rate" in ev.failed_targets()
    assert ev.per_category["personal_data"].fp == 1


def test_macro_f1_averages_all_six_categories() -> None:
    corpus = [gold("r", "明早收網", ["raid"], []), gold("c", "密件", ["classified"], [])]
    results = [result("明早收網", ["raid"], []), result("密件", [], [])]
    ev = score(corpus, results)
    # raid F1 = 1, classified F1 = 0, the four categories never seen are vacuously 1.
    assert ev.category_macro_f1 == pytest.approx(5 / 6)
    assert ev.per_category["classified"].fn == 1


def test_errors_hide_raw_values_unless_revealed() -> None:
    text = "身分證A123456789"
    corpus = [gold("pd-1", text, ["personal_data"], [("TW_NATIONAL_ID", "A123456789")])]
    ev = score(corpus, [result(text, [], [])])
    assert [e.id for e in ev.errors] == ["pd-1"]
    hidden = json.dumps(ev.to_dict(reveal=False), ensure_ascii=False)
    assert "A123456789" not in hidden and "A1******89" in hidden
    assert "A123456789" not in format_report(ev, errors=True)
    assert "A123456789" in format_report(ev, errors=True, reveal=True)


def test_repeated_value_in_one_message_counts_once() -> None:
    text = "0912345678 再說一次 0912345678"
    corpus = [gold("a", text, ["personal_data"], [("PHONE", "0912345678")])]
    found = result(text, ["personal_data"], [("PHONE", "0912345678")])
    second = text.rindex("0912345678")
    found.findings.append(
        Finding("PHONE", "personal_data", second, second + 10, 0.9, "t", "r", "*")
    )
    ev = score(corpus, [found])
    assert (ev.per_entity["PHONE"].tp, ev.per_entity["PHONE"].fp) == (1, 0)


def test_corpus_loader_reports_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"id": "a", "text": "x", "categories": [], "entities": []}\n\n{"id": "b", "text": \n',
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match=r"c\.jsonl:3"):
        load_corpus(path)
    path.write_text('{"id": "a", "text": "x", "categories": ["secret"]}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="categories"):
        load_corpus(path)


def test_report_table_shows_targets_and_misses() -> None:
    corpus = [gold("c", "密件", ["classified"], [])]
    text = format_report(score(corpus, [result("密件", [], [])]), title="dev")
    assert "## dev" in text
    assert "≥ 0.95" in text and "✗" in text
    assert "機密 classified" in text


def test_an_account_written_with_its_bank_code_matches_the_account_alone() -> None:
    text = "匯款帳號 700-0021345-0678901"
    corpus = [gold("a", text, ["personal_data"], [("BANK_ACCOUNT", "700-0021345-0678901")])]
    ev = score(corpus, [result(text, ["personal_data"], [("BANK_ACCOUNT", "0021345-0678901")])])
    bank = ev.per_entity["BANK_ACCOUNT"]
    assert (bank.tp, bank.fp, bank.fn) == (1, 0, 0)
