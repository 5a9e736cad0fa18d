"""What a file really is, from its first bytes: never trust the name or the MIME type.

A member posting `report.pdf.jpg` or a PNG named `.txt` must still be scanned as what it is.
The file name and the Telegram MIME type are used only to break ties the bytes cannot (plain
text vs. CSV) and to say what an unsupported file claimed to be.
"""

from __future__ import annotations

import io
import zipfile

IMAGE_KINDS = frozenset({"png", "jpeg", "gif", "webp", "bmp", "tiff"})
OFFICE_KINDS = frozenset({"docx", "xlsx", "pptx"})
SUPPORTED_KINDS = IMAGE_KINDS | OFFICE_KINDS | {"pdf", "zip", "text"}

MIME_BY_KIND = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "zip": "application/zip",
    "text": "text/plain",
}

_OOXML_MARKERS = (
    ("word/document.xml", "docx"),
    ("xl/workbook.xml", "xlsx"),
    ("ppt/presentation.xml", "pptx"),
)


def sniff(data: bytes, file_name: str = "") -> str:
    """Return a kind (`png`, `pdf`, `docx`, `text`, …), `ole` (legacy Office or encrypted
    OOXML), or `unknown`."""
    head = data[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"BM") and len(data) > 26:
        return "bmp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if looks_like_text(data):
        return "text"
    return "unknown"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "zip"  # let the ZIP reader report it as corrupt
    for marker, kind in _OOXML_MARKERS:
        if marker in names:
            return kind
    return "zip"


def decode_text(data: bytes) -> str | None:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, then Big5 (cp950),
    which older Taiwanese government systems still export."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "cp950"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def looks_like_text(data: bytes) -> bool:
    """Decodable and mostly printable: binary formats we do not know are not 'text'."""
    sample = data[:65536]
    if not sample:
        return True
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    text = decode_text(sample) or decode_text(sample[:-3])  # a cut multi-byte tail
    if text is None:
        return False
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
    return control <= len(text) * 0.01
