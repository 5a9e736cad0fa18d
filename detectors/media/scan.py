"""Scan a file end to end: extract → Scanner → boxes for findings → redacted evidence.

The Scanner reads the extracted text exactly like a chat message; findings are then mapped
back through the OCR character boxes (`Finding.bbox`, in the pixels of image
`MediaReport.finding_images[k]`), and the boxes of every finding that the scanner would mask
are blacked out in the evidence images: one redacted PNG per image that holds a finding (at
most `MediaLimits.max_evidence_images`), so a ZIP of screenshots or a document with several
pasted photos keeps evidence of each, not only of one.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detectors.media.documents import extract
from detectors.media.extraction import SCANNED, Extraction, union
from detectors.media.limits import MB, MediaLimits
from detectors.media.redact import redact
from detectors.media.sniff import MIME_BY_KIND
from detectors.scanner import Scanner
from detectors.types import BBox, Finding, ScanResult

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Evidence:
    """The redacted, downscaled copy of one image of the file (`image` as in
    `MediaReport.finding_images`: 0 is the first image or page that was OCR'd).

    Finding boxes are in the pixels of that image as it was read — turned upright when it
    was sideways — whose size is `size`; scale them by `png width / size[0]` for the PNG.
    """

    image: int
    png: bytes
    boxes: int  # boxes blacked out in it
    size: tuple[int, int]  # (width, height) the finding boxes refer to


@dataclass(slots=True)
class MediaReport:
    """Everything the caller needs about one file; `text` is sensitive (never log it).

    `evidence_png` is the image with the most boxes blacked out (what a single-image store
    keeps); `evidence` has one entry per image, in image order. `finding_images[k]` is the
    image that `result.findings[k].bbox` refers to (None for findings without a box).
    """

    status: str
    detail: str
    kind: str
    mime: str
    text: str = ""
    result: ScanResult | None = None
    evidence_png: bytes | None = None
    redacted_boxes: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    finding_images: list[int | None] = field(default_factory=list)

    @property
    def scanned(self) -> bool:
        """True when text was read (fully or partly) and the scanner ran over it."""
        return self.result is not None

    def to_dict(self, reveal: bool = False) -> dict[str, object]:
        """JSON-ready form for `dlpbot scan`: the outcome plus the usual ScanResult fields.

        Matched values appear (as each finding's "text") only with `reveal`: extracted text is
        as sensitive as the file it came from.
        """
        out: dict[str, object] = {
            "media": {
                "status": self.status,
                "detail": self.detail,
                "kind": self.kind,
                "mime": self.mime,
                "redacted_boxes": self.redacted_boxes,
                "seconds": round(self.timings.get("total", self.timings.get("extract", 0.0)), 3),
            }
        }
        if self.result is not None:
            out.update(self.result.to_dict(self.text if reveal else None))
            findings = out.get("findings")
            if isinstance(findings, list):
                for item, image in zip(findings, self.finding_images, strict=False):
                    if image is not None and isinstance(item, dict):
                        item["image"] = image
            out["media"]["evidence_images"] = [e.image for e in self.evidence]  # type: ignore[index]
        return out


def needs_redaction(f: Finding) -> bool:
    """Black out what the scanner masks: identifiers and secrets, not rule keywords (搜索票,
    底價), which a reviewer needs to see to understand the incident."""
    return f.is_entity or f.type.startswith("CREDENTIAL") or "*" in f.masked


def attach_boxes(
    result: ScanResult, ex: Extraction
) -> tuple[ScanResult, dict[int, list[BBox]], list[int | None]]:
    """Set `bbox` on findings from OCR'd text; return the boxes to black out per image and,
    for each finding, the image its box is in (a finding spanning two images gets the box on
    the first; both are blacked out)."""
    to_black: dict[int, list[BBox]] = {}
    findings: list[Finding] = []
    images: list[int | None] = []
    for f in result.findings:
        regions = ex.regions(f.start, f.end)
        if not regions:
            findings.append(f)
            images.append(None)
            continue
        first_page = regions[0][0]
        box = regions[0][1]
        for page, b in regions[1:]:
            if page == first_page:
                box = union(box, b)
        findings.append(dataclasses.replace(f, bbox=box))
        images.append(first_page)
        if needs_redaction(f):
            for page, b in regions:
                to_black.setdefault(page, []).append(b)
    result.findings = findings
    return result, to_black, images


def scan_bytes(
    data: bytes,
    scanner: Scanner,
    file_name: str = "",
    limits: MediaLimits | None = None,
) -> MediaReport:
    """Extract and scan one file. Never raises for bad input (see `Extraction.status`)."""
    limits = limits or MediaLimits()
    started = time.monotonic()
    ex = extract(data, file_name, limits)
    extracted = time.monotonic()
    report = MediaReport(
        status=ex.status,
        detail=ex.detail,
        kind=ex.kind,
        mime=MIME_BY_KIND.get(ex.kind, "application/octet-stream"),
        text=ex.text,
        timings={"extract": extracted - started},
    )
    if ex.status not in (SCANNED, "partial"):
        return report
    result = scanner.scan(ex.text) if ex.text.strip() else ScanResult()
    result, to_black, images = attach_boxes(result, ex)
    report.result = result
    report.finding_images = images
    report.timings["scan"] = time.monotonic() - extracted
    if result.is_incident and ex.images:
        pages = evidence_pages(ex, to_black, images, limits.max_evidence_images)
        report.evidence = [
            Evidence(
                page,
                redact(ex.images[page], to_black.get(page, []), limits.evidence_max_side),
                len(to_black.get(page, [])),
                ex.images[page].size,
            )
            for page in pages
        ]
        main = max(report.evidence, key=lambda e: (e.boxes, -e.image))
        report.evidence_png = main.png
        report.redacted_boxes = sum(e.boxes for e in report.evidence)
    report.timings["total"] = time.monotonic() - started
    return report


def evidence_pages(
    ex: Extraction, to_black: dict[int, list[BBox]], images: list[int | None], cap: int
) -> list[int]:
    """The images to keep redacted evidence of, in image order: those with a box to black out
    or a finding, the most boxes first when there are more than `cap`; the first image when
    no image holds any finding (a raid plan in a document with a photo)."""
    counts: dict[int, tuple[int, int]] = {}
    for page in ex.images:
        hits = sum(1 for i in images if i == page)
        if hits or page in to_black:
            counts[page] = (len(to_black.get(page, [])), hits)
    if not counts:
        return [min(ex.images)]
    chosen = sorted(counts, key=lambda p: (counts[p], -p), reverse=True)[: max(cap, 1)]
    return sorted(chosen)


def scan_file(path: str | Path, scanner: Scanner, limits: MediaLimits | None = None) -> MediaReport:
    """Scan a file on disk; an oversized file is refused from its size, before it is read."""
    limits = limits or MediaLimits()
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return MediaReport("error", f"file not readable ({type(exc).__name__})", "unknown", "")
    if size > limits.max_bytes:
        detail = f"{size / MB:.1f} MB exceeds the {limits.max_bytes / MB:.0f} MB limit"
        return MediaReport("too_large", detail, "unknown", "")
    try:
        data = path.read_bytes()
    except OSError as exc:
        return MediaReport("error", f"file not readable ({type(exc).__name__})", "unknown", "")
    return scan_bytes(data, scanner, path.name, limits)


def media_path(record: Mapping[str, Any]) -> str | None:
    """The path of a `{"id", "image": PATH}` or `{"id", "file": PATH}` record, else None."""
    for key in ("image", "file"):
        value = record.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def scan_record(
    record: Mapping[str, Any],
    scanner: Scanner,
    base_dir: str | Path | None = None,
    limits: MediaLimits | None = None,
    reveal: bool = False,
) -> dict[str, object] | None:
    """Scan one `dlpbot scan --jsonl` line that names an image or a file.

    Returns the output line (`{"id", "media": {...}, "categories", "severity", "action",
    "findings", ...}`; findings carry "bbox" for OCR'd text and "text" only with `reveal`),
    or None when the record names no image/file (the caller scans its "text" instead).
    A relative PATH is taken relative to `base_dir` (the JSONL file's folder) when given.
    """
    raw = media_path(record)
    if raw is None:
        return None
    path = Path(raw)
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    report = scan_file(path, scanner, limits)
    out: dict[str, object] = {"id": record.get("id")}
    out.update(report.to_dict(reveal=reveal))
    return out
