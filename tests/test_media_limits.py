"""Hostile and broken files get a clear recorded outcome, never a crash and never a silent pass.

No OCR here: every file below is refused or fails before any image reaches the OCR engine.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from detectors.media import MediaLimits, extract, sniff
from detectors.media.limits import MB

MEDIA = Path(__file__).parent / "media"


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


# -- type detection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("shot_chat_01.png", "png"),
        ("photo_petition_01.jpg", "jpeg"),
        ("doc_petition_text.pdf", "pdf"),
        ("doc_referral.docx", "docx"),
        ("doc_roster.xlsx", "xlsx"),
        ("doc_briefing.pptx", "pptx"),
        ("doc_bundle.zip", "zip"),
        ("doc_list.csv", "text"),
        ("doc_note_big5.txt", "text"),
    ],
)
def test_file_type_is_recognised_from_its_bytes(name: str, kind: str) -> None:
    assert sniff((MEDIA / name).read_bytes()) == kind


def test_misleading_file_name_does_not_change_the_detected_type() -> None:
    data = (MEDIA / "shot_chat_01.png").read_bytes()
    assert sniff(data, "會議紀錄.txt") == "png"


def test_gif_and_webp_are_recognised_and_only_the_first_gif_frame_is_read() -> None:
    frames = [Image.new("RGB", (40, 20), c) for c in ("white", "black")]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    assert sniff(buf.getvalue()) == "gif"
    webp = io.BytesIO()
    frames[0].save(webp, format="WEBP")
    assert sniff(webp.getvalue()) == "webp"


def test_unknown_binary_is_recorded_as_not_scanned() -> None:
    ex = extract(bytes(range(256)) * 64, "data.bin")
    assert ex.status == "not_scanned"
    assert "bin" in ex.detail


def test_legacy_office_file_is_recorded_as_not_scanned() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"WordDocument".ljust(512, b"\0")
    ex = extract(ole, "舊公文.doc")
    assert ex.status == "not_scanned"
    assert "legacy" in ex.detail


# -- size and bomb caps -----------------------------------------------------------------------


def test_file_over_20_mb_is_refused_as_too_large_before_parsing() -> None:
    ex = extract(b"a" * (20 * MB + 1), "big.txt")
    assert ex.status == "too_large"
    assert "20 MB" in ex.detail


def test_image_with_huge_pixel_count_is_refused_as_a_decompression_bomb() -> None:
    # 12000 x 12000 one-bit pixels compress to a few KB but decode to 144 megapixels.
    data = png_bytes(Image.new("1", (12000, 12000)))
    assert len(data) < 200_000
    ex = extract(data, "bomb.png")
    assert ex.status == "bomb"
    assert "pixel" in ex.detail


def test_zip_member_with_extreme_compression_ratio_is_refused_as_a_bomb() -> None:
    data = zip_bytes({"zeros.txt": bytes(30 * MB)})
    assert len(data) < MB
    ex = extract(data, "archive.zip")
    assert ex.status == "bomb"


def test_zip_total_expanded_size_cap_is_enforced() -> None:
    limits = MediaLimits(max_zip_total=1 * MB, max_zip_ratio=10_000.0)
    data = zip_bytes({f"part{i}.txt": b"x" * (400 * 1024) for i in range(4)})
    ex = extract(data, "parts.zip", limits)
    assert ex.status == "bomb"
    assert "expands" in ex.detail


def test_zip_with_too_many_members_is_refused() -> None:
    data = zip_bytes({f"f{i}.txt": b"ok" for i in range(20)})
    ex = extract(data, "many.zip", MediaLimits(max_zip_members=10))
    assert ex.status == "bomb"
    assert "members" in ex.detail


def test_office_file_that_is_a_zip_bomb_is_refused() -> None:
    data = zip_bytes({"word/document.xml": bytes(30 * MB), "[Content_Types].xml": b"<x/>"})
    assert sniff(data) == "docx"
    assert extract(data, "bomb.docx").status == "bomb"


# -- encrypted and corrupt --------------------------------------------------------------------


def test_password_protected_pdf_is_recorded_as_encrypted() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(MEDIA / "doc_petition_text.pdf").pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    ex = extract(buf.getvalue(), "locked.pdf")
    assert ex.status == "encrypted"


def test_truncated_pdf_is_recorded_as_corrupt_or_partial_never_as_scanned_clean() -> None:
    data = (MEDIA / "doc_petition_text.pdf").read_bytes()
    ex = extract(data[: len(data) // 3], "cut.pdf")
    assert ex.status in ("corrupt", "partial")
    assert ex.detail


def test_password_protected_office_file_is_recorded_as_encrypted() -> None:
    # Encrypted OOXML is an OLE container holding an "EncryptedPackage" stream.
    ole = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(504)
        + "EncryptedPackage".encode("utf-16-le")
        + bytes(480)
    )
    ex = extract(ole, "名冊.xlsx")
    assert ex.status == "encrypted"


def test_damaged_docx_is_recorded_as_corrupt() -> None:
    data = zip_bytes({"word/document.xml": b"<not really xml", "[Content_Types].xml": b"<"})
    ex = extract(data, "壞掉.docx")
    assert ex.status == "corrupt"


def test_truncated_image_is_recorded_as_corrupt() -> None:
    data = (MEDIA / "photo_petition_01.jpg").read_bytes()
    ex = extract(data[:2000], "cut.jpg")
    assert ex.status == "corrupt"
    assert "truncated" in ex.detail or "damaged" in ex.detail


def test_nested_archive_is_skipped_and_the_outcome_says_partial() -> None:
    inner = zip_bytes({"a.txt": b"hello"})
    data = zip_bytes({"inner.zip": inner, "note.txt": "會議改到三點".encode()})
    ex = extract(data, "outer.zip")
    assert ex.status == "partial"
    assert "nested archive" in ex.detail
    assert "會議改到三點" in ex.text


def test_archive_member_of_an_unsupported_type_is_counted_and_the_outcome_is_partial() -> None:
    data = zip_bytes({"note.txt": "會議改到三點".encode(), "tool.exe": b"MZ" + bytes(300)})
    ex = extract(data, "附件.zip")
    assert ex.status == "partial"
    assert ex.detail.startswith("1 of 2 archive members not scanned")
    assert "not supported" in ex.detail
    assert "會議改到三點" in ex.text


def test_archive_with_no_member_that_can_be_read_is_recorded_as_not_scanned() -> None:
    data = zip_bytes({"inner.zip": zip_bytes({"a.txt": b"hi"}), "tool.exe": b"MZ" + bytes(300)})
    ex = extract(data, "附件.zip")
    assert ex.status == "not_scanned"
    assert "no archive member could be scanned" in ex.detail
    assert "nested archive" in ex.detail


def test_spreadsheet_beyond_the_cell_cap_is_partial_not_silently_cut() -> None:
    ex = extract((MEDIA / "doc_roster.xlsx").read_bytes(), "名冊.xlsx", MediaLimits(max_cells=5))
    assert ex.status == "partial"
    assert "cells beyond 5 not read" in ex.detail
    assert "not read" not in ex.text  # the note is in the outcome, not mixed into the text
