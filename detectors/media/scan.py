"""Scan a file end to end: extract → Scanner → boxes for findings → redacted evidence.

The Scanner reads the extracted text exactly like a chat message; findings are then mapped
back through the OCR character boxes (`Finding.bbox`), and the boxes of every finding that
the scanner would mask are blacked out in the evidence image.
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


@dataclass(slots=True)
class MediaReport:
    """Everything the caller needs about one file; `text` is sensitive (never log it)."""

    status: str
    detail: str
    kind: str
    mime: str
    text: str = ""
    result: ScanResult | None = None
    evidence_png: bytes | None = None
    redacted_boxes: int = 0
    timings: dict[str, float] = field(default_factory=dict)

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
        return out


def needs_redaction(f: Finding) -> bool:
    """Black out what the scanner masks: identifiers and secrets, not rule keywords (搜索票,
    底價), which a reviewer needs to see to understand the incident."""
    return f.is_entity or f.type.startswith("CREDENTIAL") or "*" in f.masked


def attach_boxes(result: ScanResult, ex: Extraction) -> tuple[ScanResult, dict[int, list[BBox]]]:
    """Set `bbox` on findings from OCR'd text; return the boxes to black out, per page."""
    to_black: dict[int, list[BBox]] = {}
    findings: list[Finding] = []
    for f in result.findings:
        regions = ex.regions(f.start, f.end)
        if not regions:
            findings.append(f)
            continue
        first_page = regions[0][0]
        box = regions[0][1]
        for page, b in regions[1:]:
            if page == first_page:
                box = union(box, b)
        findings.append(dataclasses.replace(f, bbox=box))
        if needs_redaction(f):
            for page, b in regions:
                to_black.setdefault(page, []).append(b)
    result.findings = findings
    return result, to_black


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
    result, to_black = attach_boxes(result, ex)
    report.result = result
    report.timings["scan"] = time.monotonic() - extracted
    if result.is_incident and ex.images:
        page = _evidence_page(ex, to_black)
        boxes = to_black.get(page, [])
        report.evidence_png = redact(ex.images[page], boxes, limits.evidence_max_side)
        report.redacted_boxes = len(boxes)
    report.timings["total"] = time.monotonic() - started
    return report


def _evidence_page(ex: Extraction, to_black: dict[int, list[BBox]]) -> int:
    """The image with the most sensitive boxes (the first image when none has any)."""
    if to_black:
        return max(sorted(to_black), key=lambda p: len(to_black[p]))
    return min(ex.images)


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
