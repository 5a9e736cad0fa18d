"""The NER gate: the model runs only where a name could change the verdict."""

from __future__ import annotations

import pytest

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.ner.gate import decide_gate, find_anchors, list_rows, role_words
from detectors.recognizers.base import Match


@pytest.fixture(scope="module")
def lexicons() -> Lexicons:
    return Lexicons(DetectorConfig())


def _match(kind: str, text: str, value: str, score: float = 0.8, **kw: object) -> Match:
    start = text.index(value)
    return Match(kind, start, start + len(value), score, "test", "test", value=value, **kw)


def test_plain_chatter_does_not_reach_the_model(lexicons):
    for text in ("收到，謝謝", "明天下午兩點開會，請準時出席", "公文已送出，請查收"):
        assert not decide_gate(text, [], lexicons, 0.5).run


def test_role_word_without_a_lexicon_name_sends_the_message_to_the_model(lexicons):
    decision = decide_gate("檢舉人歐陽娜娜說承辦人有收錢", [], lexicons, 0.5)
    assert decision.run
    assert "role" in decision.reason


def test_role_word_with_a_confident_lexicon_name_nearby_skips_the_model(lexicons):
    text = "檢舉人王小明說承辦人有收錢"
    matches = [_match("PERSON", text, "王小明")]
    assert not decide_gate(text, matches, lexicons, 0.5).run


def test_a_weak_lexicon_name_does_not_satisfy_the_gate_so_ner_can_confirm_it(lexicons):
    text = "檢舉人王小明說承辦人有收錢"
    weak = [_match("PERSON", text, "王小明", score=0.3, needs_context=True)]
    assert decide_gate(text, weak, lexicons, 0.5).run


def test_identifier_without_a_name_on_its_line_sends_the_message_to_the_model(lexicons):
    text = "司馬相如的電話是0912345678"
    decision = decide_gate(text, [_match("PHONE", text, "0912345678")], lexicons, 0.5)
    assert decision.run and "identifier" in decision.reason


def test_ambiguous_number_still_waiting_for_context_is_not_a_signal(lexicons):
    text = "編號123456789已歸檔"
    candidate = [_match("TW_PASSPORT", text, "123456789", score=0.3, needs_context=True)]
    assert not decide_gate(text, candidate, lexicons, 0.5).run


def test_numbered_list_is_a_list_layout_and_each_row_is_an_anchor(lexicons):
    text = "名單如下\n1. 諸葛孔明 分機12\n2. 上官婉兒 分機13\n3. 端木賜 分機14"
    rows = list_rows(text)
    assert [text[s:e][:2] for s, e in rows] == ["1.", "2.", "3."]
    anchors = [a for a in find_anchors(text, [], lexicons) if a.kind == "list_row"]
    assert len(anchors) == 3


def test_pasted_table_with_same_separators_is_a_list_layout():
    text = "諸葛孔明，資訊室，分機12\n上官婉兒，人事室，分機13"
    assert len(list_rows(text)) == 2


def test_two_ordinary_lines_are_not_a_list():
    assert list_rows("收到\n謝謝大家") == []


def test_list_with_a_name_in_every_row_skips_the_model_but_a_missing_one_does_not(lexicons):
    text = "1. 王小明 分機12\n2. 李大華 分機13"
    both = [_match("PERSON", text, "王小明"), _match("PERSON", text, "李大華")]
    assert not decide_gate(text, both, lexicons, 0.5).run
    assert decide_gate(text, both[:1], lexicons, 0.5).run


def test_gate_disabled_in_config_runs_the_model_on_everything(lexicons):
    assert decide_gate("收到，謝謝", [], lexicons, 0.5, enabled=False).run


def test_role_words_come_from_the_shipped_lexicon_and_config_extras():
    cfg = DetectorConfig(extra_keywords={"ner_roles": ["線人代號"]})
    words = role_words(Lexicons(cfg))
    assert "檢舉人" in words and "線人代號" in words
