"""Run NER only where a name it finds could change the verdict.

A bert-base model costs ~150-250 ms a message on two cores; most chat messages ("收到", "明天
開會") hold nothing a name would turn into an incident. A name matters next to three signals:

- a role word (檢舉人, 當事人, 個案 … from `data/ner_roles.txt`): the whistleblower and
  personal-record rules need a name there;
- an identifier (phone, ID number, address …): a name beside it makes a personal record;
- a list layout (numbered or bulleted lines, or lines with the same field separators): a roster,
  where every extra name counts towards the "many people" severity.

Each signal is an `Anchor`. An anchor is already *satisfied* when a confident lexicon name (from
the PERSON recognizer) stands within its reach; NER runs only if some anchor is unsatisfied. The
anchors also serve `merge` as the context a name found by NER alone must have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from detectors.lexicon import Lexicons
from detectors.recognizers.base import Match
from detectors.types import ENTITY_TYPES, PERSON

# Role-word lexicons: ours, plus the PERSON recognizer's role words, so the gate and the
# recognizer agree on who is sensitive. Not its form labels (出席, 聯絡, 人員): as bare words
# they occur in ordinary chatter ("請準時出席") and would send most messages to the model.
ROLE_LEXICONS: tuple[str, ...] = ("ner_roles", "person_roles")
ROLE_WINDOW_AFTER = 20  # a name follows its role word within this many characters …
ROLE_WINDOW_BEFORE = 8  # … or precedes it closely ("王小明（檢舉人）")
IDENTIFIER_REACH = 30  # a name within this distance on the same line as an identifier

_ROW_MARKER = re.compile(
    r"^\s*(?:\d{1,3}\s*[.、)．:：]|[(（]\s*\d{1,3}\s*[)）]|[-*•・●○◎▪]|[一二三四五六七八九十]{1,3}、)"
)
_FIELD_SEP = re.compile(r"[,，、\t|｜;；:：]| {2,}")


@dataclass(frozen=True, slots=True)
class Anchor:
    """A place where a name would matter: `[start, end)` is the signal itself and
    `[reach_start, reach_end)` where a name belonging to it may stand."""

    kind: str  # "role" | "identifier" | "list_row"
    start: int
    end: int
    reach_start: int
    reach_end: int
    word: str = ""  # the role word itself (safe to log: it is a lexicon keyword)

    def covers(self, start: int, end: int) -> bool:
        """Whether a span lies (at least partly) inside this anchor's reach."""
        return start < self.reach_end and end > self.reach_start


@dataclass(slots=True)
class GateDecision:
    run: bool
    reason: str
    anchors: list[Anchor] = field(default_factory=list)


@lru_cache(maxsize=16)
def _role_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def role_words(lexicons: Lexicons) -> tuple[str, ...]:
    """Union of the role-word lexicons that exist in this installation."""
    words: dict[str, None] = {}
    for name in ROLE_LEXICONS:
        try:
            words.update(dict.fromkeys(lexicons.words(name)))
        except FileNotFoundError:
            continue
    return tuple(words)


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def list_rows(text: str) -> list[tuple[int, int]]:
    """Spans of the rows of a list layout, or [] when the text is not laid out as a list.

    A list is at least two non-empty lines that start with an enumeration or bullet mark, or
    at least two lines with the same non-zero count of field separators (a pasted table).
    """
    rows: list[tuple[int, int, str]] = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            rows.append((pos, pos + len(line), line))
        pos += len(line) + 1
    if len(rows) < 2:
        return []
    marked = [(s, e) for s, e, line in rows if _ROW_MARKER.match(line)]
    if len(marked) >= 2:
        return marked
    by_shape: dict[int, list[tuple[int, int]]] = {}
    for s, e, line in rows:
        seps = len(_FIELD_SEP.findall(line))
        if seps:
            by_shape.setdefault(seps, []).append((s, e))
    best = max(by_shape.values(), key=len, default=[])
    return best if len(best) >= 2 else []


def find_anchors(text: str, matches: list[Match], lexicons: Lexicons) -> list[Anchor]:
    """Every signal near which a name would matter, in text order."""
    anchors: list[Anchor] = []
    pattern = _role_pattern(role_words(lexicons))
    if pattern is not None:
        for m in pattern.finditer(text):
            line_start, line_end = _line_bounds(text, m.start())
            anchors.append(
                Anchor(
                    "role",
                    m.start(),
                    m.end(),
                    max(line_start, m.start() - ROLE_WINDOW_BEFORE),
                    min(line_end, m.end() + ROLE_WINDOW_AFTER),
                    m.group(0),
                )
            )
    for m in matches:
        # Only confident identifiers: a bare 9-digit number waiting for context is no signal.
        if m.type in ENTITY_TYPES and m.type != PERSON and not m.needs_context:
            line_start, line_end = _line_bounds(text, m.start)
            anchors.append(
                Anchor(
                    "identifier",
                    m.start,
                    m.end,
                    max(line_start, m.start - IDENTIFIER_REACH),
                    min(line_end, m.end + IDENTIFIER_REACH),
                )
            )
    for start, end in list_rows(text):
        anchors.append(Anchor("list_row", start, end, start, end))
    anchors.sort(key=lambda a: (a.start, a.end, a.kind))
    return anchors


def lexicon_names(matches: list[Match], min_score: float) -> list[Match]:
    """PERSON matches the lexicon recognizer is already sure of (NER would add nothing there)."""
    return [m for m in matches if m.type == PERSON and not m.needs_context and m.score >= min_score]


def decide_gate(
    text: str, matches: list[Match], lexicons: Lexicons, min_score: float, enabled: bool = True
) -> GateDecision:
    """Whether NER should run on `text`, given the recognizers' raw `matches`."""
    anchors = find_anchors(text, matches, lexicons)
    if not enabled:
        return GateDecision(True, "gate disabled", anchors)
    if not anchors:
        return GateDecision(False, "no role word, identifier or list layout", anchors)
    names = lexicon_names(matches, min_score)
    open_anchors = [a for a in anchors if not any(a.covers(n.start, n.end) for n in names)]
    if not open_anchors:
        return GateDecision(False, "every signal already has a lexicon name", anchors)
    kinds = sorted({a.kind for a in open_anchors})
    return GateDecision(True, f"signal without a lexicon name: {', '.join(kinds)}", anchors)
