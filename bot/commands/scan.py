"""`dlpbot scan [--jsonl] [--reveal] [--config FILE] [FILE|-]`: the detectors from a shell.

Two modes:

* plain (default): the whole input is one text (or, when FILE is an image or document, the
  file is read through detectors.media) and a readable Traditional-Chinese report is printed;
* ``--jsonl``: one JSON object per input line — ``{"id", "text"}``, or ``{"id", "image": PATH}``
  / ``{"id", "file": PATH}`` for media — and one JSON result line per input line, in order.
  A malformed line gives an error object for that line and the run carries on, because one
  bad line in a batch of thousands must not lose the other results.

Matched values are printed only with ``--reveal``: the output is typically redirected to files
and shared, and the point of the tool is that sensitive values do not spread.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from detectors.scanner import Scanner
    from detectors.types import ScanResult

ENTITY_LABELS: dict[str, str] = {
    "TW_NATIONAL_ID": "身分證字號",
    "TW_RESIDENT_ID": "居留證號",
    "TW_PASSPORT": "護照號碼",
    "TW_NHI_CARD": "健保卡號",
    "PHONE": "電話",
    "EMAIL": "電子郵件",
    "ADDRESS": "地址",
    "LICENSE_PLATE": "車牌",
    "BANK_ACCOUNT": "銀行帳號",
    "CREDIT_CARD": "信用卡號",
    "BIRTHDATE": "出生日期",
    "PERSON": "人名",
}
SEVERITY_LABELS: dict[str, str] = {
    "none": "無",
    "low": "低",
    "medium": "中",
    "high": "高",
    "critical": "極高",
}
ACTION_LABELS: dict[str, str] = {"none": "不處理", "warn": "提醒", "delete": "刪除"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", nargs="?", default="-", help="file to scan, or - for stdin")
    parser.add_argument(
        "--jsonl", action="store_true", help='one {"id","text"|"image"|"file"} object per line'
    )
    parser.add_argument(
        "--reveal", action="store_true", help="include the exact matched text (sensitive!)"
    )
    parser.add_argument("--config", help="config.toml ([detectors] and [media] sections)")


def _media_limits(config_path: str | None) -> Any:
    """`[media]` caps from the config file, or None for the library defaults."""
    if not config_path:
        return None
    import tomllib

    from detectors.media import MediaLimits

    with open(config_path, "rb") as fh:
        return MediaLimits.from_mapping(tomllib.load(fh).get("media"))


def _open_input(name: str) -> contextlib.AbstractContextManager[TextIO]:
    """The named file, or stdin (left open: it is not ours to close)."""
    if name == "-":
        return contextlib.nullcontext(sys.stdin)
    return open(name, encoding="utf-8", errors="replace")


def _text_line(record_id: Any, text: str, result: ScanResult, reveal: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"id": record_id}
    out.update(result.to_dict(text if reveal else None))
    return out


def _jsonl_lines(
    lines: Iterator[str], scanner: Scanner, base_dir: Path | None, reveal: bool, limits: Any
) -> Iterator[dict[str, Any]]:
    """One output object per non-blank input line; never raises for bad input."""
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"id": None, "line": lineno, "error": f"invalid JSON: {exc.msg}"}
            continue
        if not isinstance(record, dict):
            yield {"id": None, "line": lineno, "error": "expected a JSON object"}
            continue
        record_id = record.get("id", lineno)
        if "image" in record or "file" in record:
            yield _media_line(record, record_id, lineno, scanner, base_dir, reveal, limits)
            continue
        text = record.get("text")
        if not isinstance(text, str):
            yield {"id": record_id, "line": lineno, "error": "missing string 'text'"}
            continue
        yield _text_line(record_id, text, scanner.scan(text), reveal)


def _media_line(
    record: dict[str, Any],
    record_id: Any,
    lineno: int,
    scanner: Scanner,
    base_dir: Path | None,
    reveal: bool,
    limits: Any,
) -> dict[str, Any]:
    """Hand an image/file record to detectors.media (which owns extraction and OCR)."""
    try:
        from detectors.media.scan import scan_record
    except ImportError as exc:
        return {"id": record_id, "line": lineno, "error": f"media support unavailable ({exc.name})"}
    out = scan_record(record, scanner, base_dir=base_dir, limits=limits, reveal=reveal)
    if out is None:
        return {"id": record_id, "line": lineno, "error": "'image'/'file' must be a path string"}
    out["id"] = record_id
    return out


def format_result(result: ScanResult, text: str | None = None, media: Any = None) -> str:
    """The readable zh-TW report of one scan; `text` given only when the user asked to reveal."""
    from bot.messages import Messages

    msgs = Messages("zh-TW")
    lines: list[str] = []
    if media is not None:
        lines.append(f"檔案 file：{media.kind}（{media.status}：{media.detail}）")
    if result.error:
        lines.append(f"掃描失敗 (scan error)：{result.error}")
    if not result.categories:
        lines.append("未發現敏感內容 (nothing sensitive found)")
    else:
        sev, act = result.severity.label, result.action.label
        lines.append(f"類別 categories：{msgs.categories(result.categories)}")
        lines.append(f"嚴重度 severity：{SEVERITY_LABELS.get(sev, sev)} ({sev})")
        lines.append(f"建議動作 action：{ACTION_LABELS.get(act, act)} ({act})")
    if result.findings:
        lines.append(f"發現 findings（{len(result.findings)}）：")
    for n, f in enumerate(result.findings, 1):
        label = ENTITY_LABELS.get(f.type) or msgs.t(f"category.{f.category}")
        shown = f.masked if text is None else text[f.start : f.end]
        lines.append(
            f"  {n}. {label} [{f.type}] {shown}  位置 {f.start}-{f.end}  "
            f"信心 {f.score:.2f}  原因：{f.reason}"
        )
    return "\n".join(lines)


def _run_plain(args: argparse.Namespace, scanner: Scanner, limits: Any) -> int:
    if args.input != "-" and Path(args.input).is_file():
        from detectors.media.sniff import sniff

        path = Path(args.input)
        with path.open("rb") as fh:
            head = fh.read(8192)
        if sniff(head, path.name) not in ("text", "unknown"):
            from detectors.media.scan import scan_file

            report = scan_file(path, scanner, limits)
            if report.result is None:
                print(f"無法掃描 (not scanned)：{report.status}：{report.detail}")
                return 1
            shown = report.text if args.reveal else None
            print(format_result(report.result, shown, media=report))
            return 0
    with _open_input(args.input) as fh:
        text = fh.read()
    result = scanner.scan(text)
    print(format_result(result, text if args.reveal else None))
    return 0


def run(args: argparse.Namespace) -> int:
    from detectors.scanner import Scanner

    try:
        scanner = Scanner.from_config(args.config) if args.config else Scanner()
        limits = _media_limits(args.config)
    except (OSError, ValueError) as exc:
        print(f"dlpbot scan: 設定錯誤 (config error): {exc}", file=sys.stderr)
        return 2
    if args.input != "-" and not Path(args.input).is_file():
        print(f"dlpbot scan: 找不到檔案 (no such file): {args.input}", file=sys.stderr)
        return 2
    if not args.jsonl:
        return _run_plain(args, scanner, limits)
    base_dir = Path(args.input).resolve().parent if args.input != "-" else None
    with _open_input(args.input) as fh:
        for out in _jsonl_lines(iter(fh), scanner, base_dir, args.reveal, limits):
            print(json.dumps(out, ensure_ascii=False), flush=False)
    sys.stdout.flush()
    return 0
