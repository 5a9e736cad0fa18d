"""Images and documents → text (with OCR boxes) → Scanner → redacted evidence. No Telegram.

    from detectors.media import scan_bytes, MediaLimits
    report = scan_bytes(data, scanner, file_name="陳情書.jpg", limits=MediaLimits())
    report.status            # scanned partial not_scanned too_large bomb encrypted corrupt error
    report.result            # ScanResult (findings carry .bbox for OCR'd text) or None
    report.evidence_png      # redacted, downscaled PNG when an image held an incident

Heavy parsers (rapidocr, pypdf, python-docx, …) are imported only when a file needs them.
"""

from detectors.media.documents import extract
from detectors.media.extraction import Extraction
from detectors.media.limits import MediaLimits, MediaRejected
from detectors.media.scan import MediaReport, scan_bytes
from detectors.media.sniff import sniff

__all__ = [
    "Extraction",
    "MediaLimits",
    "MediaRejected",
    "MediaReport",
    "extract",
    "scan_bytes",
    "sniff",
]
