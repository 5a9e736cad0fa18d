"""Recall of the media pipeline over the labelled set in tests/media (labels.jsonl).

Why a separate evaluation from the text corpus: OCR adds its own errors (a misread digit turns
a valid ID into an invalid one), so the question "does a screenshot of a record leak past the
bot?" needs its own number. The labels use the corpus format plus a `kind`
(screenshot / photo / benign / document), and the report is per kind:

* entity recall: a gold (type, value) is found when a finding of that type covers the same
  value after folding width and separators (PERSON and ADDRESS also match by containment,
  as in the text corpus: where a name ends is a matter of taste, not of leaking);
* category recall: gold categories the scanner reported;
* benign flagged: files without gold categories that the scanner turned into an incident;
* boxes: entity findings from OCR'd images that carry a `bbox` (what redaction needs).

    .venv/bin/python -m detectors.media.evaluate [tests/media/labels.jsonl] [--json] [--reveal]

Nothing is printed in clear unless `--reveal` is given (misses are shown masked).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detectors.masking import mask_value
from detectors.media.limits import MediaLimits
from detectors.media.scan import MediaReport, media_path, scan_file
from detectors.normalize import normalize
from detectors.scanner import Scanner
from detectors.types import ADDRESS, ENTITY_TYPES, PERSON

DEFAULT_LABELS = Path(__file__).resolve().parents[2] / "tests" / "media" / "labels.jsonl"
TARGETS: dict[str, float] = {"screenshot": 0.9, "photo": 0.8}  # entity recall per kind
KINDS = ("screenshot", "photo", "document", "benign")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.,，、()（）/:：|]+")
_CONTAINMENT = frozenset({PERSON, ADDRESS})


def fold(value: str) -> str:
    """Comparison key: width/script folded by the scanner's own normaliser, no separators."""
    return _SEPARATORS.sub("", normalize(value).text).upper()


@dataclass(frozen=True, slots=True)
class Label:
    id: str
    path: str
    kind: str
    categories: frozenset[str]
    entities: tuple[tuple[str, str], ...]


@dataclass(slots=True)
class FileResult:
    label: Label
    status: str
    categories: frozenset[str]
    found: list[tuple[str, str]]
    missed: list[tuple[str, str]]
    boxes: int  # OCR entity findings with a bbox
    ocr_entities: int  # OCR entity findings
    seconds: float

    @property
    def flagged(self) -> bool:
        return bool(self.categories)


@dataclass(slots=True)
class KindStats:
    files: int = 0
    entities: int = 0
    found: int = 0
    categories: int = 0
    categories_found: int = 0
    flagged: int = 0
    seconds: list[float] = field(default_factory=list)

    @property
    def entity_recall(self) -> float:
        return self.found / self.entities if self.entities else 1.0

    @property
    def category_recall(self) -> float:
        return self.categories_found / self.categories if self.categories else 1.0


@dataclass(slots=True)
class MediaEvaluation:
    files: list[FileResult]

    def by_kind(self) -> dict[str, KindStats]:
        stats = {k: KindStats() for k in KINDS}
        for f in self.files:
            s = stats.setdefault(f.label.kind, KindStats())
            s.files += 1
            s.entities += len(f.label.entities)
            s.found += len(f.found)
            s.categories += len(f.label.categories)
            s.categories_found += len(f.label.categories & f.categories)
            s.flagged += f.flagged
            s.seconds.append(f.seconds)
        return stats

    @property
    def benign_flagged(self) -> list[str]:
        return [f.label.id for f in self.files if not f.label.categories and f.flagged]

    def failed_targets(self) -> list[str]:
        stats = self.by_kind()
        failed = [
            f"{kind} entity recall {stats[kind].entity_recall:.3f} < {target}"
            for kind, target in TARGETS.items()
            if stats[kind].entity_recall < target
        ]
        if self.benign_flagged:
            failed.append(f"benign files flagged: {', '.join(self.benign_flagged)}")
        return failed

    def to_dict(self, reveal: bool = False) -> dict[str, Any]:
        kinds = {
            kind: {
                "files": s.files,
                "entities": s.entities,
                "entity_recall": round(s.entity_recall, 4),
                "category_recall": round(s.category_recall, 4),
                "flagged": s.flagged,
                "seconds_total": round(sum(s.seconds), 2),
            }
            for kind, s in self.by_kind().items()
            if s.files
        }
        misses = [
            {
                "id": f.label.id,
                "status": f.status,
                "missed_entities": [
                    {"type": t, "value": v if reveal else mask_value(t, v)} for t, v in f.missed
                ],
                "missed_categories": sorted(f.label.categories - f.categories),
                "extra_categories": sorted(f.categories - f.label.categories),
            }
            for f in self.files
            if f.missed or f.categories != f.label.categories
        ]
        return {
            "kinds": kinds,
            "benign_flagged": self.benign_flagged,
            "ocr_findings_with_bbox": sum(f.boxes for f in self.files),
            "ocr_entity_findings": sum(f.ocr_entities for f in self.files),
            "failed_targets": self.failed_targets(),
            "errors": misses,
        }


def load_labels(path: str | Path = DEFAULT_LABELS) -> list[Label]:
    """Read labels.jsonl; a malformed line raises ValueError naming the line."""
    labels: list[Label] = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        obj = json.loads(line)
        file_path = media_path(obj)
        if file_path is None or not obj.get("id"):
            raise ValueError(f"{path}:{lineno}: needs 'id' and 'image' or 'file'")
        entities = tuple((e["type"], e["value"]) for e in obj.get("entities", []))
        if any(t not in ENTITY_TYPES for t, _ in entities):
            raise ValueError(f"{path}:{lineno}: unknown entity type")
        labels.append(
            Label(
                id=str(obj["id"]),
                path=file_path,
                kind=str(obj.get("kind", "document")),
                categories=frozenset(obj.get("categories", [])),
                entities=entities,
            )
        )
    return labels


def match(gold: Iterable[tuple[str, str]], predicted: Iterable[tuple[str, str]]) -> list[bool]:
    """For each gold entity, whether some predicted entity of its type has the same value."""
    pred: dict[str, list[str]] = {}
    for t, v in predicted:
        pred.setdefault(t, []).append(fold(v))
    out: list[bool] = []
    for t, v in gold:
        key = fold(v)
        candidates = pred.get(t, [])
        hit = key in candidates or (
            t in _CONTAINMENT and any(c and (c in key or key in c) for c in candidates)
        )
        out.append(hit)
    return out


def evaluate_file(label: Label, report: MediaReport, seconds: float) -> FileResult:
    result = report.result
    predicted: list[tuple[str, str]] = []
    boxes = ocr_entities = 0
    if result is not None:
        for f in result.findings:
            if f.type not in ENTITY_TYPES:
                continue
            predicted.append((f.type, report.text[f.start : f.end]))
            if report.kind not in ("pdf", "docx", "xlsx", "pptx", "text", "zip") or f.bbox:
                ocr_entities += 1
                boxes += f.bbox is not None
    hits = match(label.entities, predicted)
    return FileResult(
        label=label,
        status=report.status,
        categories=frozenset(result.categories) if result else frozenset(),
        found=[e for e, h in zip(label.entities, hits, strict=True) if h],
        missed=[e for e, h in zip(label.entities, hits, strict=True) if not h],
        boxes=boxes,
        ocr_entities=ocr_entities,
        seconds=seconds,
    )


def evaluate(
    labels: list[Label],
    base_dir: str | Path,
    scanner: Scanner | None = None,
    limits: MediaLimits | None = None,
) -> MediaEvaluation:
    """Scan every labelled file (sequentially: OCR already uses every core) and score it."""
    scanner = scanner or Scanner()
    files: list[FileResult] = []
    for label in labels:
        started = time.perf_counter()
        report = scan_file(Path(base_dir) / label.path, scanner, limits)
        files.append(evaluate_file(label, report, time.perf_counter() - started))
    return MediaEvaluation(files)


def format_report(ev: MediaEvaluation) -> str:
    lines = [
        f"{'kind':<11} {'files':>5} {'entities':>8} {'recall':>7} {'cat.rec':>7} "
        f"{'flagged':>7} {'s/file':>7}"
    ]
    for kind, s in ev.by_kind().items():
        if not s.files:
            continue
        target = TARGETS.get(kind)
        mark = "" if target is None else (" ok" if s.entity_recall >= target else " FAIL")
        lines.append(
            f"{kind:<11} {s.files:>5} {s.entities:>8} {s.entity_recall:>7.3f} "
            f"{s.category_recall:>7.3f} {s.flagged:>7} {sum(s.seconds) / s.files:>7.2f}{mark}"
        )
    data = ev.to_dict()
    lines.append(
        f"OCR entity findings with a bbox: {data['ocr_findings_with_bbox']}"
        f"/{data['ocr_entity_findings']}"
    )
    lines.append(f"benign flagged: {len(ev.benign_flagged)} {ev.benign_flagged or ''}".rstrip())
    for err in data["errors"]:
        lines.append(f"  {err['id']}: {json.dumps(err, ensure_ascii=False)}")
    failed = ev.failed_targets()
    lines.append("targets: " + ("all met" if not failed else "; ".join(failed)))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labels", nargs="?", default=str(DEFAULT_LABELS))
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--reveal", action="store_true", help="show missed values in clear")
    args = parser.parse_args(argv)
    try:  # spaCy's plugin scan imports torch on the first keyword hit (~20 s); skip it
        from detectors.keywords import skip_spacy_plugin_factories

        skip_spacy_plugin_factories()
    except ImportError:
        pass
    labels_path = Path(args.labels)
    ev = evaluate(load_labels(labels_path), labels_path.parent)
    if args.json:
        print(json.dumps(ev.to_dict(reveal=args.reveal), ensure_ascii=False, indent=2))
    else:
        print(format_report(ev))
    return 1 if ev.failed_targets() else 0


if __name__ == "__main__":
    sys.exit(main())
