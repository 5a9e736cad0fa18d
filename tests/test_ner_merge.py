"""Merging NER names with lexicon names: agreement raises trust, NER alone needs context."""

from __future__ import annotations

import pytest

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.ner.gate import find_anchors
from detectors.ner.merge import AGREEMENT_BOOST, DETECTOR, NER_ALONE_SCORE, merge_person
from detectors.ner.types import NerEntity
from detectors.recognizers.base import Match


@pytest.fixture(scope="module")
def lexicons() -> Lexicons:
    return Lexicons(DetectorConfig())


def _entity(text: str, value: str, label: str = "PERSON") -> NerEntity:
    start = text.index(value)
    return NerEntity(label, start, start + len(value))


def test_agreement_raises_the_lexicon_score_and_lifts_its_need_for_context(lexicons):
    text = "王小明今天請假"
    lex = Match(
        "PERSON", 0, 3, 0.4, "person", "surname lexicon", value="王小明", needs_context=True
    )
    merged = merge_person(text, [lex], [_entity(text, "王小明")], find_anchors(text, [], lexicons))
    assert merged == [lex]
    assert lex.score == pytest.approx(0.4 + AGREEMENT_BOOST)
    assert not lex.needs_context
    assert "NER agrees" in lex.reason and "王小明" not in lex.reason


def test_ner_only_name_next_to_a_role_word_becomes_a_person_match(lexicons):
    text = "檢舉人歐陽娜娜說承辦人有收錢"
    anchors = find_anchors(text, [], lexicons)
    [added] = merge_person(text, [], [_entity(text, "歐陽娜娜")], anchors)
    assert (added.type, text[added.start : added.end]) == ("PERSON", "歐陽娜娜")
    assert added.detector == DETECTOR and added.score == NER_ALONE_SCORE
    assert added.context == ["檢舉人"]
    assert "歐陽" not in added.reason


def test_ner_only_name_without_any_context_is_dropped(lexicons):
    text = "歐陽娜娜今天請假，明天回來"
    anchors = find_anchors(text, [], lexicons)
    assert merge_person(text, [], [_entity(text, "歐陽娜娜")], anchors) == []


def test_ner_only_name_on_the_line_of_an_identifier_is_kept(lexicons):
    text = "司馬相如的電話是0912345678"
    phone = Match("PHONE", 8, 18, 0.9, "phone", "mobile", value="0912345678")
    merged = merge_person(
        text, [phone], [_entity(text, "司馬相如")], find_anchors(text, [phone], lexicons)
    )
    assert [m.type for m in merged] == ["PHONE", "PERSON"]


def test_identifier_on_another_line_gives_no_context(lexicons):
    text = "司馬相如下午到\n總機0223456789"
    phone = Match("PHONE", 10, 20, 0.9, "phone", "landline", value="0223456789")
    anchors = find_anchors(text, [phone], lexicons)
    assert merge_person(text, [phone], [_entity(text, "司馬相如")], anchors) == [phone]


def test_each_list_row_name_found_only_by_ner_is_added(lexicons):
    text = "1. 諸葛孔明 分機12\n2. 上官婉兒 分機13"
    entities = [_entity(text, "諸葛孔明"), _entity(text, "上官婉兒")]
    merged = merge_person(text, [], entities, find_anchors(text, [], lexicons))
    assert [m.value for m in merged] == ["諸葛孔明", "上官婉兒"]


def test_non_person_labels_single_characters_and_spans_with_digits_are_ignored(lexicons):
    text = "檢舉人王說台北市政府0912"
    anchors = find_anchors(text, [], lexicons)
    entities = [
        _entity(text, "台北市政府", "ORG"),
        _entity(text, "王"),
        NerEntity("PERSON", 8, 14),  # 政府0912: holds digits
    ]
    assert merge_person(text, [], entities, anchors) == []


def test_ner_span_that_is_the_role_word_itself_is_not_a_name(lexicons):
    text = "請聯絡檢舉人"
    anchors = find_anchors(text, [], lexicons)
    assert merge_person(text, [], [_entity(text, "檢舉人")], anchors) == []


def test_surrounding_blanks_are_trimmed_so_the_span_is_exactly_the_name(lexicons):
    text = "當事人 司馬相如 到場"
    anchors = find_anchors(text, [], lexicons)
    [m] = merge_person(text, [], [NerEntity("PERSON", 3, 9)], anchors)
    assert text[m.start : m.end] == "司馬相如"
