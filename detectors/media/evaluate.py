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
* boxes: entity findings from OCR'd images that carry a `bbox` (what redaction needs);
* evidence leaks (with `leaks=True` / `--leaks`): every redacted evidence image is OCR'd again
  and a gold value counts as leaked when it can still be read there (see `readable_values`);
  "kept" is how much of an image's text is still readable in its evidence (characters read
  there / characters read in the original): blacking out whole lines, labels included, where
  a value alone would do lowers it, and so does an evidence image left sideways.

Labels may carry `tags` (sideways, exif, skew, webp, …); recall and leaks are also reported
per tag, and `--ablation` re-runs the set with each preprocessing step of `MediaLimits`
switched off (or, for steps off by default, on) to show what each one is worth.

    .venv/bin/python -m detectors.media.evaluate [tests/media/labels.jsonl] [--json] [--reveal]
        [--leaks] [--ablation]

Nothing is printed in clear unless `--reveal` is given (misses are shown masked).
"""

from __future__ import annotations

import argparse
import dataclasses
import io
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


# Preprocessing steps of MediaLimits that `--ablation` toggles, with what each one does.
STEPS: dict[str, str] = {
    "exif_transpose": "apply the EXIF Orientation tag",
    "ocr_upright": "turn sideways / upside-down pages upright",
    "ocr_contrast": "stretch the contrast of the OCR input",
    "ocr_deskew": "straighten pages skewed beyond 3 degrees",
}


@dataclass(frozen=True, slots=True)
class Label:
    id: str
    path: str
    kind: str
    categories: frozenset[str]
    entities: tuple[tuple[str, str], ...]
    tags: tuple[str, ...] = ()


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
    leaked: list[tuple[str, str]] | None = None  # gold values readable in the evidence
    kept: float | None = None  # share of the image's text still readable in the evidence

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
    leaked: int = 0
    kept: list[float] = field(default_factory=list)

    @property
    def kept_mean(self) -> float | None:
        return sum(self.kept) / len(self.kept) if self.kept else None

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
            _add(stats.setdefault(f.label.kind, KindStats()), f)
        return stats

    def by_tag(self) -> dict[str, KindStats]:
        stats: dict[str, KindStats] = {}
        for f in self.files:
            for tag in f.label.tags:
                _add(stats.setdefault(tag, KindStats()), f)
        return dict(sorted(stats.items()))

    @property
    def leaks_measured(self) -> bool:
        return any(f.leaked is not None for f in self.files)

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
        def summary(s: KindStats) -> dict[str, Any]:
            out = {
                "files": s.files,
                "entities": s.entities,
                "entity_recall": round(s.entity_recall, 4),
                "category_recall": round(s.category_recall, 4),
                "flagged": s.flagged,
                "seconds_total": round(sum(s.seconds), 2),
            }
            if self.leaks_measured:
                out["leaked_values"] = s.leaked
                if s.kept_mean is not None:
                    out["evidence_text_kept"] = round(s.kept_mean, 3)
            return out

        kinds = {kind: summary(s) for kind, s in self.by_kind().items() if s.files}
        tags = {tag: summary(s) for tag, s in self.by_tag().items()}
        misses = [
            {
                "id": f.label.id,
                "status": f.status,
                "missed_entities": [
                    {"type": t, "value": v if reveal else mask_value(t, v)} for t, v in f.missed
                ],
                "missed_categories": sorted(f.label.categories - f.categories),
                "extra_categories": sorted(f.categories - f.label.categories),
                **(
                    {
                        "leaked": [
                            {"type": t, "value": v if reveal else mask_value(t, v)}
                            for t, v in f.leaked
                        ]
                    }
                    if f.leaked
                    else {}
                ),
            }
            for f in self.files
            if f.missed or f.categories != f.label.categories or f.leaked
        ]
        return {
            "kinds": kinds,
            "tags": tags,
            "benign_flagged": self.benign_flagged,
            "ocr_findings_with_bbox": sum(f.boxes for f in self.files),
            "ocr_entity_findings": sum(f.ocr_entities for f in self.files),
            "failed_targets": self.failed_targets(),
            "errors": misses,
        }


def _add(s: KindStats, f: FileResult) -> None:
    s.files += 1
    s.entities += len(f.label.entities)
    s.found += len(f.found)
    s.categories += len(f.label.categories)
    s.categories_found += len(f.label.categories & f.categories)
    s.flagged += f.flagged
    s.seconds.append(f.seconds)
    s.leaked += len(f.leaked or ())
    if f.kept is not None:
        s.kept.append(f.kept)


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
                tags=tuple(obj.get("tags", ())),
            )
        )
    return labels


def _leak_keys(entity_type: str, value: str) -> list[str]:
    """What counts as still readable: a person's full or given name; for anything else any
    five consecutive characters (after folding), or the whole value when shorter."""
    key = fold(value)
    if entity_type == PERSON:
        return [key, key[1:]] if len(key) >= 3 else [key]
    n = 5
    return [key] if len(key) <= n else [key[i : i + n] for i in range(len(key) - n + 1)]


def evidence_text(pngs: Iterable[bytes]) -> str:
    """What OCR reads in the evidence images `pngs`, each read the way the pipeline reads
    photos (turned upright first), so text left visible sideways or upside down counts too."""
    from PIL import Image

    from detectors.media.ocr import recognise_upright

    text = ""
    for png in pngs:
        img = Image.open(io.BytesIO(png)).convert("RGB")
        lines, _ = recognise_upright(img)
        text += "\n".join(line.text for line in lines) + "\n"
    return text


def readable_in(text: str, values: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    folded = fold(text)
    return [(t, v) for t, v in values if any(k and k in folded for k in _leak_keys(t, v))]


def readable_values(
    pngs: Iterable[bytes], values: Iterable[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The (type, value) pairs that OCR can still read in the evidence images `pngs`."""
    return readable_in(evidence_text(pngs), values)


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


def evaluate_file(
    label: Label, report: MediaReport, seconds: float, leaks: bool = False
) -> FileResult:
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
    leaked: list[tuple[str, str]] | None = None
    kept: float | None = None
    if leaks:
        leaked = []
        if report.evidence:
            seen = evidence_text(e.png for e in report.evidence)
            leaked = readable_in(seen, label.entities)
            if label.kind != "document" and fold(report.text):
                kept = min(len(fold(seen)) / len(fold(report.text)), 1.0)
    return FileResult(
        label=label,
        status=report.status,
        categories=frozenset(result.categories) if result else frozenset(),
        found=[e for e, h in zip(label.entities, hits, strict=True) if h],
        missed=[e for e, h in zip(label.entities, hits, strict=True) if not h],
        boxes=boxes,
        ocr_entities=ocr_entities,
        seconds=seconds,
        leaked=leaked,
        kept=kept,
    )


def evaluate(
    labels: list[Label],
    base_dir: str | Path,
    scanner: Scanner | None = None,
    limits: MediaLimits | None = None,
    leaks: bool = False,
) -> MediaEvaluation:
    """Scan every labelled file (sequentially: OCR already uses every core) and score it;
    with `leaks`, also re-OCR each evidence image for values left readable (slower)."""
    scanner = scanner or Scanner()
    files: list[FileResult] = []
    for label in labels:
        started = time.perf_counter()
        report = scan_file(Path(base_dir) / label.path, scanner, limits)
        seconds = time.perf_counter() - started
        files.append(evaluate_file(label, report, seconds, leaks=leaks))
    return MediaEvaluation(files)


def ablation(
    labels: list[Label], base_dir: str | Path, scanner: Scanner | None = None
) -> dict[str, MediaEvaluation]:
    """The set scanned with the default steps, then with each step of `STEPS` flipped."""
    scanner = scanner or Scanner()
    default = MediaLimits()
    runs = {"default": evaluate(labels, base_dir, scanner, default, leaks=True)}
    for step in STEPS:
        flipped = not getattr(default, step)
        name = f"{step}={'on' if flipped else 'off'}"
        limits = dataclasses.replace(default, **{step: flipped})
        runs[name] = evaluate(labels, base_dir, scanner, limits, leaks=True)
    return runs


TURNED = frozenset({"sideways", "upside_down"})


def _mean_kept(ev: MediaEvaluation, tags: frozenset[str] | None = None) -> float:
    kept = [
        f.kept
        for f in ev.files
        if f.kept is not None and (tags is None or tags & set(f.label.tags))
    ]
    return sum(kept) / len(kept) if kept else 0.0


def format_ablation(runs: dict[str, MediaEvaluation]) -> str:
    """One row per configuration: entity recall per kind and per tag, leaks, the share of
    image text kept readable in the evidence (all images; sideways/upside-down ones), benign
    files flagged, seconds per image."""
    default = runs["default"]
    kinds = [k for k, s in default.by_kind().items() if s.files and s.entities]
    tags = [t for t, s in default.by_tag().items() if s.entities]
    head = f"{'configuration':<22}" + "".join(f"{c[:10]:>11}" for c in kinds + tags)
    lines = [
        "entity recall per kind and tag; leaks = gold values readable in the evidence images",
        head + f"{'leaks':>7}{'kept':>7}{'kept@turned':>12}{'benign':>7}{'s/img':>7}",
    ]
    for name, ev in runs.items():
        k, t = ev.by_kind(), ev.by_tag()
        images = [f.seconds for f in ev.files if f.label.kind != "document"]
        lines.append(
            f"{name:<22}"
            + "".join(f"{k[c].entity_recall:>11.3f}" for c in kinds)
            + "".join(f"{t[c].entity_recall:>11.3f}" for c in tags)
            + f"{sum(len(f.leaked or ()) for f in ev.files):>7}"
            + f"{_mean_kept(ev):>7.2f}"
            + f"{_mean_kept(ev, TURNED):>12.2f}"
            + f"{len(ev.benign_flagged):>7}"
            + f"{sum(images) / max(len(images), 1):>7.2f}"
        )
    return "\n".join(lines)


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
    for tag, s in ev.by_tag().items():
        lines.append(
            f"  tag {tag:<15} {s.files:>3} {s.entities:>8} {s.entity_recall:>7.3f} "
            f"{s.category_recall:>7.3f} {s.flagged:>7} {sum(s.seconds) / s.files:>7.2f}"
        )
    data = ev.to_dict()
    lines.append(
        f"OCR entity findings with a bbox: {data['ocr_findings_with_bbox']}"
        f"/{data['ocr_entity_findings']}"
    )
    if ev.leaks_measured:
        leaked = sum(len(f.leaked or ()) for f in ev.files)
        lines.append(
            f"gold values readable in the redacted evidence: {leaked}; image text kept in the "
            f"evidence: {_mean_kept(ev):.2f}"
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
    parser.add_argument(
        "--leaks", action="store_true", help="re-OCR the evidence images for readable values"
    )
    parser.add_argument(
        "--ablation",
        action="store_true",
        help="also run with each preprocessing step flipped (several passes over the set)",
    )
    args = parser.parse_args(argv)
    try:  # spaCy's plugin scan imports torch on the first keyword hit (~20 s); skip it
        from detectors.keywords import skip_spacy_plugin_factories

        skip_spacy_plugin_factories()
    except ImportError:
        pass
    labels_path = Path(args.labels)
    labels = load_labels(labels_path)
    if args.ablation:
        runs = ablation(labels, labels_path.parent)
        ev = runs["default"]
        if args.json:
            out = {name: run.to_dict(reveal=args.reveal) for name, run in runs.items()}
            print(json.dumps(out, ensure_ascii=False, indent=2))
        else:
            print(format_report(ev))
            print()
            print(format_ablation(runs))
        return 1 if ev.failed_targets() else 0
    ev = evaluate(labels, labels_path.parent, leaks=args.leaks)
    if args.json:
        print(json.dumps(ev.to_dict(reveal=args.reveal), ensure_ascii=False, indent=2))
    else:
        print(format_report(ev))
    return 1 if ev.failed_targets() else 0


if __name__ == "__main__":
    sys.exit(main())
