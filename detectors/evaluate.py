"""Precision, recall and F1 of the scanner over a labelled JSONL corpus.

Why a library and not just a script: the same numbers feed `dlpbot eval`, the corpus-quality
test (which asserts the targets) and the Presidio comparison, so they must be computed one way.

Scoring rules (documented in tests/corpus/README.md):

* Categories are scored per message: a gold category the scanner also reported is a true
  positive, a reported one not in gold a false positive, a missed one a false negative.
  The headline is the macro-F1 over the six categories.
* Entities are compared per message as sets of ``(type, normalised value)``. Normalising folds
  width, Simplified characters, Chinese-numeral digits, case and separators, so ``A12345 6789``
  equals ``a123456789``. ``PERSON``, ``ADDRESS`` and ``BIRTHDATE`` also match when one value
  contains the other (``王小明`` vs ``王小明先生``, ``民國79年11月3日`` vs ``79年11月3日``),
  because where a name, an address or a date ends is a matter of taste, not of leaking; a
  ``BANK_ACCOUNT`` matches with or without its 3-4 digit bank code in front (``700-…``), but a
  truncated account never does.
* A benign message has no gold category; a false alarm is a benign message with any predicted
  category (what a user would experience as a wrong warning).

Nothing here prints or stores raw text unless the caller explicitly asks (`reveal=True`).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detectors.masking import mask_value
from detectors.normalize import normalize
from detectors.types import CATEGORIES, ENTITY_TYPES, PERSON, ScanResult

# Targets the corpus-quality test holds the detectors to (and `dlpbot eval --check`).
TARGETS: dict[str, float] = {
    "category_macro_f1": 0.95,
    "structured_entity_f1": 0.98,
    "person_f1": 0.90,
    "benign_false_alarm_rate_max": 0.02,
}
# Types whose extent is fuzzy: containment counts as a match.
_CONTAINMENT_TYPES = frozenset({PERSON, "ADDRESS", "BIRTHDATE"})
_SEPARATORS = re.compile(r"[\s\-–—.()/（）·・_,:：、]")


class CorpusError(ValueError):
    """A corpus line that is not a well-formed gold record (message says which line)."""


@dataclass(frozen=True, slots=True)
class GoldEntity:
    type: str
    value: str


@dataclass(frozen=True, slots=True)
class GoldMessage:
    """One labelled message. `categories` empty means benign."""

    id: str
    text: str
    categories: frozenset[str]
    entities: tuple[GoldEntity, ...]
    note: str = ""

    @property
    def benign(self) -> bool:
        return not self.categories


def parse_record(obj: Any, where: str) -> GoldMessage:
    """Validate one decoded JSON object; `where` (file:line) goes into the error message."""
    if not isinstance(obj, dict):
        raise CorpusError(f"{where}: expected a JSON object")
    rec_id, text = obj.get("id"), obj.get("text")
    if not isinstance(rec_id, str) or not rec_id:
        raise CorpusError(f"{where}: missing string 'id'")
    if not isinstance(text, str):
        raise CorpusError(f"{where} ({rec_id}): missing string 'text'")
    cats = obj.get("categories", [])
    if not isinstance(cats, list) or any(c not in CATEGORIES for c in cats):
        raise CorpusError(f"{where} ({rec_id}): categories must be a list of {CATEGORIES}")
    entities: list[GoldEntity] = []
    for ent in obj.get("entities", []):
        if not isinstance(ent, dict) or ent.get("type") not in ENTITY_TYPES:
            raise CorpusError(f"{where} ({rec_id}): entity type must be one of {ENTITY_TYPES}")
        value = ent.get("value")
        if not isinstance(value, str) or not value:
            raise CorpusError(f"{where} ({rec_id}): entity value must be a non-empty string")
        entities.append(GoldEntity(ent["type"], value))
    note = obj.get("note") or ""
    return GoldMessage(rec_id, text, frozenset(cats), tuple(entities), str(note))


def load_corpus(path: str | Path) -> list[GoldMessage]:
    """Read a gold JSONL file; blank lines are skipped, anything malformed raises CorpusError."""
    messages: list[GoldMessage] = []
    p = Path(path)
    with p.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{p.name}:{lineno}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{where}: invalid JSON ({exc.msg})") from exc
            messages.append(parse_record(obj, where))
    return messages


def normalise_value(entity_type: str, value: str) -> str:
    """The comparison key of a value: width/script/numeral folded, no separators, upper case."""
    v = _SEPARATORS.sub("", normalize(value).text).upper()
    if entity_type == "PHONE":
        if v.startswith("+886"):
            v = "0" + v[4:]
        elif v.startswith("886") and len(v) >= 11:
            v = "0" + v[3:]
    return v


@dataclass(slots=True)
class Counts:
    """True/false positives and false negatives, with the usual ratios."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        # No prediction means nothing was wrongly flagged: precision is vacuously perfect.
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(slots=True)
class EntityMiss:
    """A missed or spurious entity; `masked` is safe to print, `value` only with reveal."""

    type: str
    masked: str
    value: str


@dataclass(slots=True)
class MessageError:
    """Everything the scanner got wrong on one message."""

    id: str
    missed_categories: list[str] = field(default_factory=list)
    extra_categories: list[str] = field(default_factory=list)
    missed_entities: list[EntityMiss] = field(default_factory=list)
    extra_entities: list[EntityMiss] = field(default_factory=list)
    text: str = ""

    def to_dict(self, reveal: bool = False) -> dict[str, Any]:
        def ents(items: list[EntityMiss]) -> list[dict[str, str]]:
            return [
                {"type": e.type, "masked": e.masked, **({"value": e.value} if reveal else {})}
                for e in items
            ]

        out: dict[str, Any] = {
            "id": self.id,
            "missed_categories": self.missed_categories,
            "extra_categories": self.extra_categories,
            "missed_entities": ents(self.missed_entities),
            "extra_entities": ents(self.extra_entities),
        }
        if reveal:
            out["text"] = self.text
        return out


@dataclass(slots=True)
class Evaluation:
    """All figures for one corpus run."""

    messages: int
    per_category: dict[str, Counts]
    per_entity: dict[str, Counts]
    benign: int
    false_alarms: int
    errors: list[MessageError]
    seconds: float = 0.0

    @property
    def category_macro_f1(self) -> float:
        return sum(c.f1 for c in self.per_category.values()) / len(self.per_category)

    @property
    def structured(self) -> Counts:
        """Micro-averaged counts over every entity type except PERSON."""
        total = Counts()
        for name, c in self.per_entity.items():
            if name != PERSON:
                total.add(c)
        return total

    @property
    def person(self) -> Counts:
        return self.per_entity[PERSON]

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.benign if self.benign else 0.0

    @property
    def messages_per_second(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> dict[str, float]:
        """The four headline figures, keyed like `TARGETS`."""
        return {
            "category_macro_f1": round(self.category_macro_f1, 4),
            "structured_entity_f1": round(self.structured.f1, 4),
            "person_f1": round(self.person.f1, 4),
            "benign_false_alarm_rate": round(self.false_alarm_rate, 4),
        }

    def failed_targets(self) -> list[str]:
        """Names of the headline figures that miss their target (empty = all met)."""
        s = self.summary()
        failed = [
            k
            for k in ("category_macro_f1", "structured_entity_f1", "person_f1")
            if s[k] < TARGETS[k]
        ]
        if s["benign_false_alarm_rate"] > TARGETS["benign_false_alarm_rate_max"]:
            failed.append("benign_false_alarm_rate")
        return failed

    def to_dict(self, reveal: bool = False, errors: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "messages": self.messages,
            "benign": self.benign,
            "false_alarms": self.false_alarms,
            **self.summary(),
            "structured_entities": self.structured.to_dict(),
            "per_category": {k: v.to_dict() for k, v in self.per_category.items()},
            "per_entity": {k: v.to_dict() for k, v in self.per_entity.items()},
            "seconds": round(self.seconds, 4),
            "messages_per_second": round(self.messages_per_second, 1),
            "targets": dict(TARGETS),
            "failed_targets": self.failed_targets(),
        }
        if errors:
            out["errors"] = [e.to_dict(reveal) for e in self.errors]
        return out


def predicted_entities(text: str, result: ScanResult) -> list[tuple[str, str]]:
    """The (type, exact substring) of every entity finding; rule findings are not entities."""
    return [(f.type, text[f.start : f.end]) for f in result.findings if f.type in ENTITY_TYPES]


def _same_extent(entity_type: str, a: str, b: str) -> bool:
    """Two normalised values of one entity that differ only in where they were cut: one
    contains the other for names, addresses and dates; an account may carry its three- or
    four-digit bank code in front (700-0021345-0678901). A truncated number never matches."""
    if entity_type in _CONTAINMENT_TYPES:
        return a in b or b in a
    if entity_type == "BANK_ACCOUNT":
        short, long = sorted((a, b), key=len)
        return long.endswith(short) and len(long) - len(short) in (3, 4)
    return False


def _match_entities(
    gold: Iterable[tuple[str, str]], pred: Iterable[tuple[str, str]]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """Pair gold with predicted entities; returns (matched gold, missed gold, extra predicted).

    Each side is first reduced to distinct (type, normalised value) keys, so a value repeated
    in a message counts once on both sides. Exact keys pair first, then containment for the
    fuzzy-extent types.
    """

    def distinct(items: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        for t, v in items:
            out.setdefault((t, normalise_value(t, v)), v)
        return out

    g, p = distinct(gold), distinct(pred)
    matched = [k for k in g if k in p]
    missed = [k for k in g if k not in p]
    extra = [k for k in p if k not in g]
    still_missed: list[tuple[str, str]] = []
    for gk in missed:
        partner = next(
            (
                pk
                for pk in extra
                if pk[0] == gk[0] and pk[1] and gk[1] and _same_extent(gk[0], gk[1], pk[1])
            ),
            None,
        )
        if partner is None:
            still_missed.append(gk)
        else:
            extra.remove(partner)
            matched.append(gk)
    return (
        [(k[0], g[k]) for k in matched],
        [(k[0], g[k]) for k in still_missed],
        [(k[0], p[k]) for k in extra],
    )


def score(corpus: Sequence[GoldMessage], results: Sequence[ScanResult]) -> Evaluation:
    """Compare scan results (same order as `corpus`) with the gold labels."""
    if len(corpus) != len(results):
        raise ValueError(f"{len(corpus)} gold messages but {len(results)} results")
    per_category = {c: Counts() for c in CATEGORIES}
    per_entity = {t: Counts() for t in ENTITY_TYPES}
    errors: list[MessageError] = []
    benign = false_alarms = 0
    for gold, result in zip(corpus, results, strict=True):
        predicted = set(result.categories)
        for c in CATEGORIES:
            counts = per_category[c]
            if c in gold.categories and c in predicted:
                counts.tp += 1
            elif c in predicted:
                counts.fp += 1
            elif c in gold.categories:
                counts.fn += 1
        if gold.benign:
            benign += 1
            false_alarms += bool(predicted)
        gold_pairs = [(e.type, e.value) for e in gold.entities]
        matched, missed, extra = _match_entities(gold_pairs, predicted_entities(gold.text, result))
        for t, _ in matched:
            per_entity[t].tp += 1
        for t, _ in missed:
            per_entity[t].fn += 1
        for t, _ in extra:
            per_entity[t].fp += 1
        missed_c = sorted(gold.categories - predicted, key=CATEGORIES.index)
        extra_c = sorted(predicted - gold.categories, key=CATEGORIES.index)
        if missed_c or extra_c or missed or extra:
            errors.append(
                MessageError(
                    id=gold.id,
                    missed_categories=missed_c,
                    extra_categories=extra_c,
                    missed_entities=[EntityMiss(t, mask_value(t, v), v) for t, v in missed],
                    extra_entities=[EntityMiss(t, mask_value(t, v), v) for t, v in extra],
                    text=gold.text,
                )
            )
    return Evaluation(
        messages=len(corpus),
        per_category=per_category,
        per_entity=per_entity,
        benign=benign,
        false_alarms=false_alarms,
        errors=errors,
    )


def evaluate(
    corpus: Sequence[GoldMessage],
    scan_many: Callable[[list[str]], list[ScanResult]] | None = None,
) -> Evaluation:
    """Scan every message (default: a `Scanner()` with the default configuration) and score.

    `scan_many` lets a caller evaluate a scanner built from its own configuration.
    """
    if scan_many is None:
        from detectors.scanner import Scanner

        scan_many = Scanner().scan_many
    texts = [m.text for m in corpus]
    started = time.perf_counter()
    results = scan_many(texts)
    elapsed = time.perf_counter() - started
    report = score(corpus, results)
    report.seconds = elapsed
    return report


# -- rendering -------------------------------------------------------------------------------

_CATEGORY_LABELS = {
    "personal_data": "個資 personal_data",
    "whistleblower": "檢舉人 whistleblower",
    "raid": "查緝 raid",
    "procurement": "採購 procurement",
    "classified": "機密 classified",
    "credentials": "帳密 credentials",
}


def _row(name: str, c: Counts) -> str:
    return (
        f"| {name} | {c.support} | {c.tp} | {c.fp} | {c.fn} | "
        f"{c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} |"
    )


def format_report(
    ev: Evaluation, title: str = "", errors: bool = False, reveal: bool = False
) -> str:
    """A markdown report: headline figures against targets, then per-category/entity tables."""
    head = "| 項目 item | 支持數 support | TP | FP | FN | P | R | F1 |"
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|"
    s = ev.summary()

    def mark(ok: bool) -> str:
        return "✓" if ok else "✗"

    lines = [f"## {title}" if title else "## 評估結果 evaluation", ""]
    lines.append(
        f"訊息 messages: {ev.messages}（良性 benign {ev.benign}）; "
        f"掃描 scan {ev.seconds:.2f}s ({ev.messages_per_second:,.0f} msg/s)"
    )
    lines.append("")
    lines.append("| 指標 metric | 數值 value | 目標 target | |")
    lines.append("|---|---:|---:|---|")
    for key, label in (
        ("category_macro_f1", "類別 macro-F1"),
        ("structured_entity_f1", "結構化實體 F1 (micro, 不含 PERSON)"),
        ("person_f1", "人名 PERSON F1"),
    ):
        lines.append(
            f"| {label} | {s[key]:.3f} | ≥ {TARGETS[key]:.2f} | {mark(s[key] >= TARGETS[key])} |"
        )
    far = s["benign_false_alarm_rate"]
    far_max = TARGETS["benign_false_alarm_rate_max"]
    lines.append(
        f"| 良性誤報率 benign false alarms | {far:.1%} ({ev.false_alarms}/{ev.benign}) "
        f"| ≤ {far_max:.0%} | {mark(far <= far_max)} |"
    )
    lines += ["", "### 類別 categories", "", head, rule]
    lines += [_row(_CATEGORY_LABELS.get(k, k), c) for k, c in ev.per_category.items()]
    lines += ["", "### 實體 entities", "", head, rule]
    lines += [_row(k, c) for k, c in ev.per_entity.items() if c.tp + c.fp + c.fn]
    lines.append(_row("**structured (micro)**", ev.structured))
    if errors:
        lines += ["", f"### 錯誤 errors ({len(ev.errors)})", ""]
        for e in ev.errors:
            parts = []
            if e.missed_categories:
                parts.append("漏 missed " + ",".join(e.missed_categories))
            if e.extra_categories:
                parts.append("誤 extra " + ",".join(e.extra_categories))
            for label, items in (("漏實體", e.missed_entities), ("多實體", e.extra_entities)):
                if items:
                    shown = ", ".join(f"{m.type}:{m.value if reveal else m.masked}" for m in items)
                    parts.append(f"{label} {shown}")
            lines.append(f"- {e.id}: " + "; ".join(parts))
            if reveal:
                lines.append("  > " + e.text.replace("\n", " ⏎ "))
    return "\n".join(lines)
