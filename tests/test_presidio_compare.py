"""bench/compare_presidio.py on a small slice: both engines run, are scored the same way, and
the README section is replaced between its markers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("presidio_analyzer")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import compare_presidio as cp  # noqa: E402
from presidio_setup import categories_of, tw_id_ok  # noqa: E402

from detectors.evaluate import GoldEntity, GoldMessage  # noqa: E402

SLICE = [
    GoldMessage(
        "pd-1",
        "民眾身分證字號A123456789，手機0912-345-678",
        frozenset({"personal_data"}),
        (GoldEntity("TW_NATIONAL_ID", "A123456789"), GoldEntity("PHONE", "0912-345-678")),
    ),
    GoldMessage("ok-1", "明天上午十點開會，請準時出席", frozenset(), ()),
    GoldMessage("ok-2", "範例證號A123456788檢查碼錯誤", frozenset(), ()),
]


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[str, object]]:
    return {e: cp.run_engine(e, SLICE, seconds=0.0) for e in cp.ENGINES}


def test_both_engines_find_the_obvious_national_id(reports: dict[str, dict]) -> None:
    for engine in cp.ENGINES:
        nid = reports[engine]["evaluation"]["per_entity"]["TW_NATIONAL_ID"]
        assert (nid["tp"], nid["fn"]) == (1, 0), engine


def test_presidio_id_recognizer_rejects_a_bad_checksum(reports: dict[str, dict]) -> None:
    assert tw_id_ok("A123456789") and not tw_id_ok("A123456788")
    nid = reports["presidio"]["evaluation"]["per_entity"]["TW_NATIONAL_ID"]
    assert nid["fp"] == 0


def test_report_has_quality_speed_and_resource_figures(reports: dict[str, dict]) -> None:
    for r in reports.values():
        assert r["evaluation"]["messages"] == 3 and r["evaluation"]["benign"] == 2
        assert r["throughput_msg_s"] > 0 and r["p99_ms"] >= r["p50_ms"] > 0
        assert r["benign_throughput_msg_s"] > 0
        assert r["peak_rss_mb"] > 0 and r["startup_s"] > 0
    table = cp.render(reports, "3 test messages")
    rows = ("category macro-F1", "| TW_NATIONAL_ID |", "throughput (msg/s)", "benign messages only")
    for row in (*rows, "peak RSS"):
        assert row in table


def test_presidio_glue_needs_a_name_with_a_contact_detail() -> None:
    assert categories_of({"PHONE"}) == set()
    assert categories_of({"PERSON", "PHONE"}) == {"personal_data"}
    assert categories_of({"WB_ROLE"}) == set()
    assert categories_of({"WB_ROLE", "PERSON"}) == {"whistleblower"}


def test_readme_section_is_replaced_between_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# T\n\n{cp.START_MARK}\nold\n{cp.END_MARK}\n\nafter\n", encoding="utf-8")
    cp.write_readme("NEW TABLE", readme)
    text = readme.read_text(encoding="utf-8")
    assert "old" not in text and "NEW TABLE" in text and text.endswith("after\n")
    bare = tmp_path / "BARE.md"
    bare.write_text("# Bare\n", encoding="utf-8")
    cp.write_readme("T2", bare)
    assert bare.read_text(encoding="utf-8").endswith(f"{cp.START_MARK}\nT2\n{cp.END_MARK}\n")
