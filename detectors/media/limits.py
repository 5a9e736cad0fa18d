"""Size and shape caps for untrusted files: what we refuse to open, and why.

Every file a group member posts is hostile until proven otherwise. The caps below keep one
upload from exhausting memory or CPU on a 2-core server: a 20 MB download cap (Telegram's own
bot limit), a pixel cap checked BEFORE decoding (a 50 KB PNG can decode to gigabytes), and ZIP
caps (member count, total and per-member uncompressed size, compression ratio) applied to
plain ZIPs and to Office files, which are ZIPs too.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

MB = 1024 * 1024


class MediaRejected(Exception):
    """A file we deliberately do not open; `status` is the recorded outcome."""

    def __init__(self, status: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """The `[media]` caps; defaults fit a 2-core, 4 GB server."""

    max_bytes: int = 20 * MB  # Telegram bots cannot download more anyway
    max_pixels: int = 40_000_000  # ~ 8000x5000; larger images are treated as bombs
    ocr_max_side: int = 2000  # images are downscaled to this before OCR
    max_zip_members: int = 200
    max_zip_total: int = 100 * MB  # sum of uncompressed sizes
    max_zip_member: int = 25 * MB
    max_zip_ratio: float = 100.0  # uncompressed / compressed, per member
    max_pdf_pages: int = 100  # pages whose text layer is read
    max_ocr_pages: int = 5  # scanned PDF pages rendered and OCR'd
    max_ocr_images: int = 10  # images OCR'd per file (ZIP members, PDF pages)
    max_text_chars: int = 500_000  # extracted text beyond this is cut (and said so)
    max_cells: int = 200_000  # spreadsheet cells read
    evidence_max_side: int = 1024  # redacted evidence PNG is downscaled to this
    max_evidence_images: int = 5  # redacted evidence images kept per file
    # Preprocessing steps (each measured by `bench/eval_media.py --ablation`).
    exif_transpose: bool = True  # apply the EXIF Orientation tag of phone photos
    ocr_upright: bool = True  # turn sideways / upside-down pages upright before the final OCR
    ocr_contrast: bool = False  # autocontrast the OCR input (measured: no gain, see README)
    ocr_deskew: bool = False  # straighten pages skewed > 3° and read again (measured: no gain)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> MediaLimits:
        """Take the matching keys of `[media]`; other keys belong to the bot side."""
        data = dict(data or {})
        if "max_mb" in data and "max_bytes" not in data:
            data["max_bytes"] = int(float(data["max_mb"]) * MB)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def check_size(size: int | None, limits: MediaLimits) -> None:
    """Refuse a file larger than `max_bytes` before reading it."""
    if size is not None and size > limits.max_bytes:
        raise MediaRejected(
            "too_large",
            f"{size / MB:.1f} MB exceeds the {limits.max_bytes / MB:.0f} MB limit",
        )


def check_pixels(width: int, height: int, limits: MediaLimits) -> None:
    """Refuse an image whose decoded size would exceed `max_pixels` (decompression bomb)."""
    if width <= 0 or height <= 0:
        raise MediaRejected("corrupt", f"image has invalid size {width}x{height}")
    if width * height > limits.max_pixels:
        raise MediaRejected(
            "bomb", f"image {width}x{height} exceeds the {limits.max_pixels:,} pixel limit"
        )


def check_zip(zf: zipfile.ZipFile, limits: MediaLimits) -> list[zipfile.ZipInfo]:
    """Vet a ZIP's directory (sizes as declared) before decompressing anything.

    Declared sizes can lie, so `read_member` also stops reading at the cap.
    """
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > limits.max_zip_members:
        raise MediaRejected(
            "bomb", f"archive has {len(infos)} members (limit {limits.max_zip_members})"
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise MediaRejected("encrypted", "archive members are password-protected")
        total += info.file_size
        if info.file_size > limits.max_zip_member:
            raise MediaRejected(
                "bomb",
                f"archive member of {info.file_size / MB:.0f} MB exceeds the member limit",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_zip_ratio and info.file_size > MB:
            raise MediaRejected("bomb", f"archive member compression ratio {ratio:.0f}:1")
    if total > limits.max_zip_total:
        raise MediaRejected(
            "bomb",
            f"archive expands to {total / MB:.0f} MB (limit {limits.max_zip_total / MB:.0f})",
        )
    return infos


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: MediaLimits) -> bytes:
    """Read one member, stopping at the cap even if the directory understated its size."""
    cap = limits.max_zip_member
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise MediaRejected("bomb", "archive member expands beyond its declared size")
    return data
