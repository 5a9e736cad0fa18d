"""The scanner with `[detectors.ner] backend = "ckip"`, end to end on the tiny trained model.

Everything is real: `Scanner.from_config` builds the NER stage from the configuration, the
model directory is loaded through `CkipNerChunker`, and the verdicts come from the normal
decision step.
"""

from __future__ import annotations

import os

import pytest

from detectors.config import DetectorConfig, NerConfig
from detectors.scanner import Scanner

pytest.importorskip("ckip_transformers")
import ner_model

pytestmark = pytest.mark.slow
os.environ["HF_HUB_OFFLINE"] = "1"

# The lexicon recognizer cannot see this name (拓跋 is in no surname lexicon); the model can.
NAME_ONLY_NER_SEES = "拓跋宏的電話是0912345678"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return ner_model.cached_model(tmp_path_factory, train_steps=80)


def _scanner(model_dir, **ner) -> Scanner:
    return Scanner.from_config(
        DetectorConfig(ner=NerConfig(backend="ckip", model=str(model_dir), **ner))
    )


def _people(text, result):
    return [text[f.start : f.end] for f in result.findings if f.type == "PERSON"]


def test_name_found_only_by_ner_next_to_a_phone_makes_a_personal_record(model_dir):
    without = Scanner.from_config(DetectorConfig()).scan(NAME_ONLY_NER_SEES)
    with_ner = _scanner(model_dir).scan(NAME_ONLY_NER_SEES)
    assert _people(NAME_ONLY_NER_SEES, without) == []
    assert _people(NAME_ONLY_NER_SEES, with_ner) == ["拓跋宏"]
    assert "personal_data" in with_ner.categories
    assert with_ner.severity > without.severity
    [person] = [f for f in with_ner.findings if f.type == "PERSON"]
    assert person.detector == "ckip_ner" and "拓跋宏" not in person.masked


def test_scan_many_batches_gated_texts_into_one_model_call_with_the_same_verdicts(model_dir):
    scanner = _scanner(model_dir)
    texts = [
        NAME_ONLY_NER_SEES,
        "收到，謝謝",
        "檢舉人歐陽娜娜說承辦人有收錢",
        "",
        "明天下午開會，請準時出席",
    ]
    many = scanner.scan_many(texts)
    calls_for_batch = scanner.ner.stats.model_calls
    one_by_one = [scanner.scan(t) for t in texts]
    assert calls_for_batch == 1
    assert [(r.categories, r.severity, r.action) for r in many] == [
        (r.categories, r.severity, r.action) for r in one_by_one
    ]
    assert [_people(t, r) for t, r in zip(texts, many, strict=True)] == [
        _people(t, r) for t, r in zip(texts, one_by_one, strict=True)
    ]


def test_messages_without_role_word_identifier_or_list_never_reach_the_model(model_dir):
    scanner = _scanner(model_dir)
    scanner.scan_many(["收到，謝謝", "明天下午開會，請準時出席", "公文已送出，請查收"])
    assert scanner.ner.stats.texts == 3
    assert scanner.ner.stats.gated_in == 0 and scanner.ner.stats.model_calls == 0


def test_gate_off_sends_every_message_to_the_model(model_dir):
    scanner = _scanner(model_dir, gate=False)
    scanner.scan_many(["收到，謝謝", "明天下午開會，請準時出席"])
    assert scanner.ner.stats.gated_in == 2
