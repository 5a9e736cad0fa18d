"""The bot with the CKIP NER backend on: the real Application, the simulator, and the tiny
trained model from tests/ner_model.py loaded through the production path (no download).

Proves what issue 7 asks of the bot side: a name only the model can see turns a message into
an incident, and the model runs on the scan worker threads, never on the event loop.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

pytest.importorskip("ckip_transformers")
import ner_model
from bot_e2e_support import unit_group

from bot.demo.harness import SimHarness
from detectors.config import DetectorConfig, NerConfig
from detectors.scanner import Scanner

pytestmark = pytest.mark.slow
os.environ["HF_HUB_OFFLINE"] = "1"

# 拓跋 is in no surname lexicon: without the model nothing here is a person's name.
NAME_ONLY_NER_SEES = "拓跋宏的電話是0912345678"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ner_model.cached_model(tmp_path_factory, train_steps=80)


@pytest.mark.timeout(240)
async def test_a_name_only_the_ner_model_finds_makes_an_incident_and_runs_off_the_event_loop(
    tmp_path: Path, model_dir: Path
) -> None:
    scanner = Scanner.from_config(
        DetectorConfig(ner=NerConfig(backend="ckip", model=str(model_dir)))
    )
    threads: list[str] = []
    predict = scanner.ner.backend.predict

    def recording_predict(texts: list[str]) -> object:
        threads.append(threading.current_thread().name)
        return predict(texts)

    scanner.ner.backend.predict = recording_predict  # the real model, with its thread noted
    h = SimHarness(tmp_path / "bot.db", scanner)
    h.warm_up = True  # the model loads at start-up, in a worker thread
    await h.start(check_rights=False)
    try:
        group, user = unit_group(h)
        msg = h.send(group, user, NAME_ONLY_NER_SEES)
        await h.settle(timeout=120)
        (incident,) = h.store.incidents()
        assert "personal_data" in incident["categories"]
        assert group.messages[msg.message_id].deleted is False  # contact details only: warn
        detectors = {
            r[0] for r in h.store.db.conn.execute(
                "SELECT detector FROM findings WHERE incident_id = ?", (incident["id"],)
            )
        }
        assert "ckip_ner" in detectors
        masked = [r[0] for r in h.store.db.conn.execute("SELECT masked FROM findings")]
        assert all("拓跋宏" not in m for m in masked)
        assert threads and all(t.startswith("dlp-scan") for t in threads), threads
    finally:
        await h.stop()
