"""Context enhancement, a step of its own (as in Presidio).

Formats that are ambiguous alone (a 9-digit passport number, a 12-digit NHI card number, a
bank account, a date, a plate) only count when a context word stands near them. This step looks
left (and a little right) of each match for the words of its recognizer's lexicon, raises the
score of matches that have context, and drops those that need context and have none.
"""

from __future__ import annotations

import re
from functools import lru_cache

from detectors.lexicon import Lexicons
from detectors.recognizers.base import ContextSpec, Match, Recognizer


@lru_cache(maxsize=64)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)


# Cell separators of pasted tables: pipes (Markdown, 全形｜), tabs (spreadsheets), commas (CSV).
CELL_SEPARATORS = ("|", "｜", "\t", ",", "，")
# How many lines above a cell its table header may stand.
HEADER_LINES = 30


def context_words_near(
    text: str, start: int, end: int, spec: ContextSpec, lexicons: Lexicons
) -> list[str]:
    """The lexicon words found within the window before `start` or after `end`, or in the
    header cell of the table column the match sits in."""
    words = lexicons.words(spec.lexicon)
    if not words:
        return []
    pat = _pattern(words)
    before = text[max(0, start - spec.window) : start]
    after = text[end : end + spec.window_after]
    found = [m.group(0) for m in pat.finditer(before)] + [m.group(0) for m in pat.finditer(after)]
    return found or column_header_words(text, start, end, pat)


def _fills_cell(cell: str, value: str) -> bool:
    """The value is the cell's content, give or take markup and a bank or area code written
    before it in the same cell ("700-0021345-0678901" holds the account 0021345-0678901)."""
    body = cell.strip(" *")
    if body == value:
        return True
    head, found, tail = body.partition(value)
    return bool(found) and not tail.strip() and _CODE_PREFIX.fullmatch(head) is not None


_CODE_PREFIX = re.compile(r"\(?[0-9]{3,4}\)?[ \-]?")


def column_header_words(text: str, start: int, end: int, pat: re.Pattern[str]) -> list[str]:
    """Context from a table header: in a pasted sheet the label (車號, 出生, 護照號碼) stands at
    the top of the column, rows away from the value. The match must fill its cell, and the
    header is the nearest earlier line with the same number of cells whose cell in the same
    column holds a context word."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : line_end if line_end != -1 else len(text)]
    sep = next((s for s in CELL_SEPARATORS if s in line), None)
    if sep is None:
        return []
    cells = line.split(sep)
    col, offset = -1, line_start
    for i, cell in enumerate(cells):
        if offset <= start and end <= offset + len(cell):
            col = i
            break
        offset += len(cell) + len(sep)
    value = text[start:end]
    if col < 0 or not _fills_cell(cells[col], value):
        return []
    upper = text[max(0, line_start - 4000) : max(0, line_start - 1)].split("\n")
    for row in reversed(upper[-HEADER_LINES:]):
        head = row.split(sep)
        if len(head) != len(cells) or col >= len(head):
            continue
        hits = [m.group(0) for m in pat.finditer(head[col])]
        if hits:
            return hits
    return []


def enhance(
    text: str,
    matches: list[Match],
    recognizers: dict[str, Recognizer],
    lexicons: Lexicons,
    min_score: float,
) -> list[Match]:
    """Apply context to every match; return the ones that survive, scores updated."""
    kept: list[Match] = []
    for m in matches:
        rec = recognizers.get(m.detector)
        spec = rec.context if rec is not None else None
        if spec is not None:
            found = context_words_near(text, m.start, m.end, spec, lexicons)
            if found:
                m.context = found
                m.score = min(1.0, m.score + spec.boost)
                m.reason = f"{m.reason}; context: {found[0]}"
            elif m.needs_context:
                continue
        if m.score >= min_score:
            kept.append(m)
    return kept
