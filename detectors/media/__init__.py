"""Images and documents → text (with OCR boxes) → Scanner → redacted evidence. No Telegram.

    from detectors.media import scan_bytes, MediaLimits
    report = scan_bytes(data, scanner, file_name="陳情書.jpg", limits=MediaLimits())
    report.status            # scanned partial not_scanned too_large bomb encrypted corrupt error
    report.result            # ScanResult (findings carry .bbox for OCR'd text) or None
    report.evidence_png      # redacted, downscaled PNG when an image held an incident
    report.evidence          # Evidence(image, png, boxes): one per image with a finding
    report.finding_images    # per finding: the image its .bbox is in (None without a box)

For `dlpbot scan --jsonl` lines `{"id", "image": PATH}` / `{"id", "file": PATH}`:

    line = scan_record(record, scanner, base_dir=jsonl_dir, reveal=args.reveal)
    # None → the record has no image/file: scan its "text" as usual. Otherwise print `line`:
    # {"id", "media": {"status", "detail", "kind", "mime", "redacted_boxes", "seconds"},
    #  "categories", "severity", "action", "findings" (with "bbox"; "text" only with reveal)}

`scan_file(path, scanner)` is the same for one path and returns the `MediaReport`.

Heavy parsers (rapidocr, pypdf, python-docx, …) are imported only when a file needs them.
"""

from detectors.media.documents import extract
from detectors.media.extraction import Extraction
from detectors.media.limits import MediaLimits, MediaRejected
from detectors.media.scan import (
    Evidence,
    MediaReport,
    media_path,
    scan_bytes,
    scan_file,
    scan_record,
)
from detectors.media.sniff import sniff

__all__ = [
    "Evidence",
    "Extraction",
    "MediaLimits",
    "MediaRejected",
    "MediaReport",
    "extract",
    "media_path",
    "scan_bytes",
    "scan_file",
    "scan_record",
    "sniff",
]
