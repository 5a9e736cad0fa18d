"""`dlpbot models check`: tells the administrator which models the configuration can use."""

from __future__ import annotations

import json
import os

import pytest

from bot.cli import main

os.environ["HF_HUB_OFFLINE"] = "1"


def _check(capsys, tmp_path, toml: str, *extra: str) -> tuple[int, dict]:
    cfg = tmp_path / "config.toml"
    cfg.write_text(toml, encoding="utf-8")
    code = main(["models", "check", "--config", str(cfg), "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def _by_component(report: dict) -> dict[str, dict]:
    return {m["component"]: m for m in report["models"]}


def test_ner_left_at_its_default_is_reported_disabled_and_the_check_passes(capsys, tmp_path):
    code, report = _check(capsys, tmp_path, "[detectors]\nmin_score = 0.5\n", "--no-load")
    models = _by_component(report)
    assert code == 0 and report["ok"]
    assert models["ner"]["status"] == "disabled"
    assert models["ocr"]["status"] == "ok"


def test_missing_ner_model_folder_fails_the_check_and_says_how_to_provide_it(capsys, tmp_path):
    toml = f'[detectors.ner]\nbackend = "ckip"\nmodel = "{tmp_path / "absent"}"\n'
    code, report = _check(capsys, tmp_path, toml, "--only", "ner")
    [ner] = report["models"]
    assert code == 1 and not report["ok"]
    assert ner["status"] == "error"
    assert "ckiplab/bert-base-chinese-ner" in ner["detail"] and "model =" in ner["detail"]


def test_media_disabled_means_ocr_is_reported_disabled_not_broken(capsys, tmp_path):
    code, report = _check(capsys, tmp_path, "[media]\nenabled = false\n", "--only", "ocr")
    assert code == 0 and report["models"][0]["status"] == "disabled"


def test_unreadable_configuration_exits_2_with_a_message(capsys, tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("[detectors]\nno_such_key = 1\n", encoding="utf-8")
    assert main(["models", "check", "--config", str(cfg)]) == 2
    assert "no_such_key" in capsys.readouterr().err


def test_human_readable_output_names_each_component_and_its_status(capsys, tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text("", encoding="utf-8")
    assert main(["models", "check", "--config", str(cfg), "--no-load"]) == 0
    out = capsys.readouterr().out
    assert "NER (none): 未啟用 disabled" in out
    assert "OCR (rapidocr): 可用 OK" in out


@pytest.mark.slow
def test_configured_ckip_model_is_really_loaded_and_run_on_a_probe(capsys, tmp_path_factory):
    pytest.importorskip("ckip_transformers")
    import ner_model

    model_dir = ner_model.cached_model(tmp_path_factory, train_steps=80)  # shared with NER tests
    tmp = tmp_path_factory.mktemp("cfg")
    toml = f'[detectors.ner]\nbackend = "ckip"\nmodel = "{model_dir}"\n'
    code, report = _check(capsys, tmp, toml, "--only", "ner")
    [ner] = report["models"]
    assert code == 0 and ner["status"] == "ok"
    assert "loaded and ran" in ner["detail"] and ner["load_seconds"] is not None


@pytest.mark.slow
def test_ocr_engine_is_really_built_and_run_on_a_probe_image(capsys, tmp_path):
    pytest.importorskip("rapidocr")
    code, report = _check(capsys, tmp_path, "", "--only", "ocr")
    [ocr] = report["models"]
    assert code == 0 and ocr["status"] == "ok"
    assert "engine built and ran" in ocr["detail"]
