"""The CKIP backend, run for real on a tiny model built (and briefly trained) on disk.

No download happens: the model is written by `tests/ner_model.py` with `save_pretrained` and
loaded through `CkipNerChunker(model_name=DIR)`, exactly as production loads a copied
ckiplab/bert-base-chinese-ner folder.
"""

from __future__ import annotations

import os
import threading

import pytest

from detectors.config import DetectorConfig, NerConfig
from detectors.lexicon import Lexicons
from detectors.ner import NerUnavailable, build_backend
from detectors.ner.ckip import CkipBackend, resolve_model
from detectors.ner.windows import plan_windows
from detectors.recognizers.base import Match

pytest.importorskip("ckip_transformers")
import ner_model

pytestmark = pytest.mark.slow
os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture(scope="module")
def trained_dir(tmp_path_factory):
    return ner_model.cached_model(tmp_path_factory, train_steps=80)


@pytest.fixture(scope="module")
def backend(trained_dir) -> CkipBackend:
    return CkipBackend(NerConfig(backend="ckip", model=str(trained_dir), batch_size=4))


def _names(text, entities):
    return [text[e.start : e.end] for e in entities if e.label == "PERSON"]


def test_constructing_the_backend_does_not_load_the_model(trained_dir):
    b = CkipBackend(NerConfig(backend="ckip", model=str(trained_dir)))
    assert not b.loaded


def test_model_loads_once_even_when_many_threads_ask_at_the_same_time(trained_dir):
    b = CkipBackend(NerConfig(backend="ckip", model=str(trained_dir)))
    chunkers = []

    def use():
        b.load()
        chunkers.append(b._chunker)

    threads = [threading.Thread(target=use) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert b.loaded and len({id(c) for c in chunkers}) == 1


def test_trained_tiny_model_tags_names_with_offsets_into_each_text(backend):
    texts = ["檢舉人歐陽娜娜說承辦人有收錢", "收到，謝謝", "當事人司馬相如電話0912345678"]
    out = backend.predict(texts)
    assert _names(texts[0], out[0]) == ["歐陽娜娜"]
    assert out[1] == []
    assert _names(texts[2], out[2]) == ["司馬相如"]


def test_batching_gives_the_same_entities_as_one_text_at_a_time(backend):
    texts = [t for t, _ in ner_model.TRAINING]
    together = backend.predict(texts)
    alone = [backend.predict([t])[0] for t in texts]
    assert together == alone
    assert sum(len(e) for e in together) == sum(len(n) for _, n in ner_model.TRAINING)


def test_text_longer_than_the_model_reads_is_windowed_and_offsets_map_back_exactly(trained_dir):
    # max_chars far above the tokenizer's 64-token limit: the backend must cap its windows.
    b = CkipBackend(NerConfig(backend="ckip", model=str(trained_dir), max_chars=10_000, overlap=16))
    sentences = [t for t, names in ner_model.TRAINING if names]
    names = {n for _, ns in ner_model.TRAINING for n in ns}
    text = "\n".join(sentences * 4)  # ~470 characters, ~11 windows
    [entities] = b.predict([text])
    assert b.window_size == 62
    # Exact offsets: every span slices to (part of) a real name of the full text; a window
    # mapped back with a wrong shift would slice neighbouring characters instead.
    found = [text[e.start : e.end] for e in entities if e.label == "PERSON"]
    assert found and all(any(f in n for n in names) for f in found)
    # Names appear in every quarter of the text, i.e. in late windows too, and the overlap
    # between windows never reports one occurrence twice.
    quarter = len(text) // 4
    assert {e.start // quarter for e in entities} == {0, 1, 2, 3}
    assert len(found) >= 20  # of 28 occurrences; the tiny model misses a few mid-window
    assert len({(e.start, e.end) for e in entities}) == len(entities)
    # Windowed output equals running the model on each window alone and keeping owned spans.
    reference = set()
    for w in plan_windows(text, b.window_size, 16):
        [local] = b.predict([text[w.start : w.end]])
        reference |= {
            (e.label, w.start + e.start, w.start + e.end) for e in local if w.owns(e.start)
        }
    assert {(e.label, e.start, e.end) for e in entities} == reference


def test_missing_model_directory_tells_the_admin_how_to_provide_the_model(tmp_path):
    with pytest.raises(NerUnavailable) as err:
        build_backend(NerConfig(backend="ckip", model=str(tmp_path / "nowhere")))
    assert "ckiplab/bert-base-chinese-ner" in str(err.value)
    assert "model =" in str(err.value)


def test_unset_model_is_a_configuration_error_with_instructions():
    with pytest.raises(NerUnavailable, match="not set"):
        resolve_model("")


def test_hub_id_not_in_cache_fails_at_once_when_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    with pytest.raises(NerUnavailable, match="HF_HUB_OFFLINE"):
        resolve_model("ckiplab/bert-base-chinese-ner")


def test_directory_without_config_is_reported_as_an_incomplete_copy(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(NerUnavailable, match=r"config\.json"):
        resolve_model(str(tmp_path))


def test_a_model_that_is_not_a_bioes_ner_tagger_is_refused_on_load(tmp_path):
    import torch
    from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

    vocab = ner_model.vocabulary()
    tok = BertTokenizerFast(vocab={t: i for i, t in enumerate(vocab)}, model_max_length=32)
    cfg = BertConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=1,
        intermediate_size=32, max_position_embeddings=32, id2label={0: "B", 1: "I"},
        label2id={"B": 0, "I": 1},
    )  # fmt: skip
    torch.manual_seed(0)
    BertForTokenClassification(cfg).save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    b = CkipBackend(NerConfig(backend="ckip", model=str(tmp_path)))
    with pytest.raises(NerUnavailable, match="not a CKIP NER model"):
        b.load()


def test_stage_runs_the_model_only_on_gated_texts_and_adds_context_backed_names(trained_dir):
    stage = build_backend(NerConfig(backend="ckip", model=str(trained_dir)))
    lex = Lexicons(DetectorConfig())
    texts = ["檢舉人歐陽娜娜說承辦人有收錢", "收到，謝謝", "明天下午開會，請準時出席"]
    results = stage.refine_many([(t, []) for t in texts], lex, 0.5)
    assert stage.stats.texts == 3 and stage.stats.gated_in == 1 and stage.stats.model_calls == 1
    [person] = results[0]
    assert texts[0][person.start : person.end] == "歐陽娜娜"
    assert results[1] == [] and results[2] == []


def test_stage_confirms_a_weak_lexicon_name_the_model_also_sees(trained_dir):
    stage = build_backend(NerConfig(backend="ckip", model=str(trained_dir)))
    text = "當事人司馬相如電話0912345678"
    weak = Match("PERSON", 3, 7, 0.4, "person", "surname", value="司馬相如", needs_context=True)
    phone = Match("PHONE", 9, 19, 0.9, "phone", "mobile", value="0912345678")
    out = stage.refine(text, [weak, phone], Lexicons(DetectorConfig()), 0.5)
    assert len(out) == 2
    assert weak.score > 0.5 and not weak.needs_context


def test_admin_can_cap_torch_threads_for_the_ner_model(trained_dir, monkeypatch):
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    monkeypatch.setenv("DLPBOT_NER_THREADS", "1")
    try:
        CkipBackend(NerConfig(backend="ckip", model=str(trained_dir))).load()
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def _broken_copy(trained_dir, tmp_path):
    """A model folder copied without usable weights (an interrupted copy)."""
    import shutil

    broken = tmp_path / "bert-base-chinese-ner"
    shutil.copytree(trained_dir, broken)
    for weights in (*broken.glob("*.safetensors"), *broken.glob("*.bin")):
        weights.write_bytes(b"not a model")
    return broken


def test_a_model_that_fails_to_load_degrades_to_the_lexicon_and_says_so(
    trained_dir, tmp_path, caplog
):
    from detectors import Scanner

    broken = _broken_copy(trained_dir, tmp_path)
    cfg = DetectorConfig(ner=NerConfig(backend="ckip", model=str(broken)))
    scanner = Scanner(cfg)
    with caplog.at_level("ERROR", logger="detectors.ner"):
        first = scanner.scan("身分證 A123456789 電話 0912345678")
        second = scanner.scan("檢舉人王小明 電話 0912345678")
    # Detection still works: the identifier and the whistleblower are reported.
    assert first.error is None and "personal_data" in first.categories
    assert "whistleblower" in second.categories
    assert any("lexicon only" in r for r in first.reasons)
    # The administrator is told once what is wrong and how to fix it; no message text logged.
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "ckiplab/bert-base-chinese-ner" in errors[0].getMessage()
    assert "A123456789" not in caplog.text and "王小明" not in caplog.text
    # Only the first text needed the model (the second has a confident lexicon name).
    assert scanner.ner.stats.unavailable == 1


def test_a_repaired_model_is_used_after_the_retry_interval(trained_dir, tmp_path, monkeypatch):
    import shutil

    import detectors.ner as ner_pkg

    folder = _broken_copy(trained_dir, tmp_path)
    stage = build_backend(NerConfig(backend="ckip", model=str(folder)))
    stage.warm_up()
    assert stage.unavailable is not None
    shutil.rmtree(folder)
    shutil.copytree(trained_dir, folder)  # the admin copies the folder again
    monkeypatch.setattr(ner_pkg, "RETRY_SECONDS", 0.0)
    stage._retry_at = 0.0
    lex = Lexicons(DetectorConfig())
    [found] = stage.refine_many([("檢舉人歐陽娜娜說承辦人有收錢", [])], lex, 0.5)
    assert stage.unavailable is None and found


def test_a_mistyped_relative_model_folder_is_not_taken_for_a_hub_id(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with pytest.raises(NerUnavailable, match="does not exist"):
        resolve_model("models/bert-base-chinese-ner")
    with pytest.raises(NerUnavailable, match="does not exist"):
        resolve_model("./bert-base-chinese-ner")
