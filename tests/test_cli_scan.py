"""`dlpbot scan` and `dlpbot eval` as a user runs them (through bot.cli.main)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main

NATIONAL_ID = "A123456789"  # checksum-valid textbook example
MESSAGE = f"請協助查詢，身分證字號{NATIONAL_ID}，謝謝"
MEDIA_DIR = Path(__file__).parent / "media"


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_jsonl(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, object]]:
    assert main(["scan", "--jsonl", *argv]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_jsonl_scan_outputs_one_result_per_line_in_input_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_jsonl(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": "m1", "text": MESSAGE}, ensure_ascii=False),
            json.dumps({"id": "m2", "text": "明天上午十點開會，請準時出席"}, ensure_ascii=False),
        ],
    )
    out = run_jsonl(capsys, str(src))
    assert [o["id"] for o in out] == ["m1", "m2"]
    assert "personal_data" in out[0]["categories"]
    assert out[0]["action"] in ("warn", "delete")
    ids = [f for f in out[0]["findings"] if f["type"] == "TW_NATIONAL_ID"]
    assert ids and {"type", "category", "start", "end", "score", "masked"} <= set(ids[0])
    assert MESSAGE[ids[0]["start"] : ids[0]["end"]] == NATIONAL_ID
    assert out[1]["categories"] == [] and out[1]["action"] == "none"


def test_jsonl_scan_never_prints_the_matched_value_without_reveal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [json.dumps({"id": 1, "text": MESSAGE})])
    assert main(["scan", "--jsonl", str(src)]) == 0
    assert NATIONAL_ID not in capsys.readouterr().out
    revealed = run_jsonl(capsys, "--reveal", str(src))
    texts = [f.get("text") for f in revealed[0]["findings"]]
    assert NATIONAL_ID in texts


def test_malformed_jsonl_line_gives_an_error_object_and_scanning_continues(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_jsonl(
        tmp_path / "in.jsonl",
        [
            '{"id": "bad", "text": ',
            json.dumps({"id": "no-text"}),
            json.dumps({"id": "ok", "text": MESSAGE}),
        ],
    )
    out = run_jsonl(capsys, str(src))
    assert len(out) == 3
    assert out[0]["line"] == 1 and "invalid JSON" in out[0]["error"]
    assert out[1]["id"] == "no-text" and "text" in out[1]["error"]
    assert out[2]["id"] == "ok" and "personal_data" in out[2]["categories"]


def test_jsonl_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    line = json.dumps({"id": "s", "text": MESSAGE}, ensure_ascii=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(line + "\n"))
    out = run_jsonl(capsys, "-")
    assert out[0]["id"] == "s" and "personal_data" in out[0]["categories"]


def test_plain_scan_prints_a_traditional_chinese_report_with_masked_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "msg.txt"
    src.write_text(MESSAGE, encoding="utf-8")
    assert main(["scan", str(src)]) == 0
    report = capsys.readouterr().out
    assert "類別" in report and "個人資料" in report
    assert "嚴重度" in report and "建議動作" in report
    assert "身分證字號" in report and "A1******89" in report
    assert NATIONAL_ID not in report


def test_plain_scan_of_a_benign_text_says_nothing_was_found(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("收到，謝謝科長"))
    assert main(["scan"]) == 0
    assert "未發現敏感內容" in capsys.readouterr().out


def test_scan_of_a_missing_file_fails_with_a_clear_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["scan", "/nonexistent/x.txt"]) == 2
    assert "找不到檔案" in capsys.readouterr().err


def test_jsonl_media_line_with_missing_file_reports_it_and_continues(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_jsonl(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": "img", "image": "missing.png"}),
            json.dumps({"id": "t", "text": MESSAGE}),
        ],
    )
    out = run_jsonl(capsys, str(src))
    assert out[0]["id"] == "img" and out[0]["media"]["status"] == "error"
    assert "personal_data" in out[1]["categories"]


def test_jsonl_document_line_is_scanned_through_the_media_library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docx = pytest.importorskip("docx")
    path = tmp_path / "名冊.docx"
    doc = docx.Document()
    doc.add_paragraph(MESSAGE)
    doc.save(str(path))
    src = write_jsonl(tmp_path / "in.jsonl", [json.dumps({"id": "d", "file": path.name})])
    out = run_jsonl(capsys, str(src))
    assert out[0]["media"]["kind"] == "docx"
    assert "personal_data" in out[0]["categories"]


def test_eval_command_prints_targets_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_jsonl(
        tmp_path / "c.jsonl",
        [
            json.dumps(
                {
                    "id": "pd-1",
                    "text": MESSAGE,
                    "categories": ["personal_data"],
                    "entities": [{"type": "TW_NATIONAL_ID", "value": NATIONAL_ID}],
                },
                ensure_ascii=False,
            ),
            json.dumps({"id": "ok-1", "text": "收到", "categories": [], "entities": []}),
        ],
    )
    assert main(["eval", str(corpus), "--errors"]) == 0
    table = capsys.readouterr().out
    assert "macro-F1" in table and "TW_NATIONAL_ID" in table
    assert main(["eval", str(corpus), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)[str(corpus)]
    assert data["messages"] == 2 and data["benign"] == 1
    assert data["per_entity"]["TW_NATIONAL_ID"]["tp"] == 1


def test_eval_command_rejects_a_malformed_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_jsonl(tmp_path / "bad.jsonl", ['{"id": "x"}'])
    assert main(["eval", str(bad)]) == 2
    assert "bad.jsonl:1" in capsys.readouterr().err
