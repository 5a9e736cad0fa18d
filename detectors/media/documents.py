"""Text out of every supported file type, under the caps of `limits`.

`extract(data, file_name, limits)` never raises for bad input: whatever goes wrong becomes a
recorded outcome (`corrupt`, `encrypted`, `bomb`, `not_scanned`, …) on the `Extraction`, so a
broken or hostile upload is reported, never silently passed and never a crash.

Images inside documents are read too: the pictures of DOCX/PPTX/XLSX files (`word/media`,
`ppt/media`, `xl/media`) and the image objects of PDF pages that also have a text layer (pages
without one are rendered whole and OCR'd). Every part that is not read — an image beyond
`max_ocr_images`, an embedded picture in a format OCR cannot take (EMF/WMF), spreadsheet cells
beyond `max_cells`, a nested archive — is noted, and the outcome is then `partial`, never
`scanned`. Pictures too small to hold a line of text (under 24×12 pixels: bullets, rules) are
not counted as unread.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
from collections.abc import Callable
from typing import Any

from PIL import ImageOps

from detectors.media import ocr
from detectors.media.extraction import (
    CORRUPT,
    ENCRYPTED,
    ERROR,
    NOT_SCANNED,
    Extraction,
)
from detectors.media.limits import MediaLimits, MediaRejected, check_size, check_zip, read_member
from detectors.media.preprocess import fit_for_ocr, open_image
from detectors.media.sniff import IMAGE_KINDS, OFFICE_KINDS, decode_text, sniff

log = logging.getLogger(__name__)
CELL_SEP = " | "
# A PDF page with fewer visible characters than this in its text layer is treated as scanned.
_SCANNED_PAGE_CHARS = 20
# Embedded pictures smaller than this (either side, pixels) cannot hold a readable line.
_MIN_TEXT_IMAGE = (24, 12)
# Where each Office format keeps its pictures.
_OFFICE_MEDIA = {"docx": "word/media/", "pptx": "ppt/media/", "xlsx": "xl/media/"}


def extract(data: bytes, file_name: str = "", limits: MediaLimits | None = None) -> Extraction:
    """Extract the text (and OCR boxes) of one file; the outcome is in `.status`/`.detail`."""
    limits = limits or MediaLimits()
    kind = sniff(data, file_name)
    out = Extraction(kind=kind)
    try:
        check_size(len(data), limits)
        _extract_into(out, data, kind, file_name, limits, depth=0)
    except MediaRejected as exc:
        out.status, out.detail = exc.status, exc.detail
        return out
    except Exception as exc:  # a parser bug or an exotic file must not take the bot down
        log.warning("extraction failed for a %s file: %s", kind, type(exc).__name__)
        out.status, out.detail = ERROR, f"{kind} could not be read ({type(exc).__name__})"
        return out
    return out.finish(limits.max_text_chars)


def _extract_into(
    out: Extraction, data: bytes, kind: str, name: str, limits: MediaLimits, depth: int
) -> None:
    if kind in IMAGE_KINDS:
        _image(out, data, limits)
    elif kind == "pdf":
        _pdf(out, data, limits)
    elif kind in OFFICE_KINDS:
        _office(out, data, kind, limits)
    elif kind == "text":
        text = decode_text(data)
        if text is None:
            raise MediaRejected(CORRUPT, "text file in an unknown encoding")
        out.add_text(text)
    elif kind == "zip":
        if depth:
            out.skip(f"nested archive {_safe_name(name)} not scanned")
        else:
            _zip(out, data, limits)
    elif kind == "ole":
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise MediaRejected(ENCRYPTED, "password-protected Office file")
        raise MediaRejected(NOT_SCANNED, "legacy Office format (.doc/.xls/.ppt) is not supported")
    else:
        raise MediaRejected(NOT_SCANNED, f"file type not supported ({_ext(name) or 'unknown'})")


def _ext(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower()[:8] if "." in name else ""


def _safe_name(name: str) -> str:
    """Member names are shown in details; keep only the extension (names can hold PII)."""
    ext = _ext(name)
    return f"*.{ext}" if ext else "(no extension)"


# -- images ---------------------------------------------------------------------------------


def _ocr_image(out: Extraction, img: object, limits: MediaLimits) -> None:
    if out.ocr_images >= limits.max_ocr_images:
        out.skip(f"images beyond {limits.max_ocr_images} not OCR'd")
        return
    digest = hashlib.sha1(img.tobytes()).digest()  # type: ignore[attr-defined]
    if digest in out.seen_images:  # the same logo on every slide is read once
        return
    out.seen_images.add(digest)
    small, factor = fit_for_ocr(img, limits.ocr_max_side)  # type: ignore[arg-type]
    if limits.ocr_contrast:
        small = ImageOps.autocontrast(small, cutoff=1)
    lines, orientation = ocr.recognise_upright(
        small, factor, upright=limits.ocr_upright, deskew=limits.ocr_deskew
    )
    # The boxes are in the turned image's coordinates: keep that image for the evidence.
    out.add_ocr(lines, orientation.apply(img))  # type: ignore[arg-type]


def _image(out: Extraction, data: bytes, limits: MediaLimits) -> None:
    _ocr_image(out, open_image(data, limits), limits)


def _too_small(width: int, height: int) -> bool:
    return max(width, height) < _MIN_TEXT_IMAGE[0] or min(width, height) < _MIN_TEXT_IMAGE[1]


def _embedded_image(out: Extraction, data: bytes, name: str, limits: MediaLimits) -> None:
    """OCR one picture found inside a document; anything unreadable is noted, not raised."""
    kind = sniff(data, name)
    if kind not in IMAGE_KINDS:
        out.skip(f"embedded {_safe_name(name)} image not OCR'd (format not supported)")
        return
    if out.ocr_images >= limits.max_ocr_images:
        out.skip(f"images beyond {limits.max_ocr_images} not OCR'd")
        return
    try:
        img = open_image(data, limits)
    except MediaRejected as exc:
        out.skip(f"embedded {_safe_name(name)} image not OCR'd ({exc.status})")
        return
    if _too_small(img.width, img.height):
        return
    _ocr_image(out, img, limits)


# -- PDF --------------------------------------------------------------------------------------


def _pdf(out: Extraction, data: bytes, limits: MediaLimits) -> None:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            # An empty user password opens "owner-password only" PDFs; anything else is locked.
            raise MediaRejected(ENCRYPTED, "password-protected PDF")
        pages = reader.pages
        count = len(pages)
    except MediaRejected:
        raise
    except (FileNotDecryptedError, NotImplementedError) as exc:
        raise MediaRejected(ENCRYPTED, "PDF encryption not supported") from exc
    except (PdfReadError, ValueError, KeyError, OSError, TypeError, AttributeError) as exc:
        raise MediaRejected(CORRUPT, f"PDF is damaged ({type(exc).__name__})") from exc
    scanned: list[int] = []
    with_text: list[int] = []
    for index in range(min(count, limits.max_pdf_pages)):
        try:
            text = pages[index].extract_text() or ""
        except Exception as exc:  # pypdf raises many types on broken content streams
            out.skip(f"page {index + 1} unreadable ({type(exc).__name__})")
            continue
        if sum(1 for ch in text if not ch.isspace()) < _SCANNED_PAGE_CHARS:
            scanned.append(index)
        else:
            with_text.append(index)
        out.add_text(text)
    if count > limits.max_pdf_pages:
        out.skip(f"pages beyond {limits.max_pdf_pages} of {count} not scanned")
    if scanned or with_text:
        _ocr_pdf(out, data, scanned, with_text, limits)


def _ocr_pdf(
    out: Extraction, data: bytes, scanned: list[int], with_text: list[int], limits: MediaLimits
) -> None:
    """Render pages without a text layer (scans, photos saved as PDF) and OCR them; OCR the
    image objects of pages that have a text layer (a screenshot pasted into a memo)."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        out.skip(f"PDF pages could not be rendered for OCR ({type(exc).__name__})")
        return
    try:
        for n, index in enumerate(scanned):
            if n >= limits.max_ocr_pages:
                out.skip(f"scanned pages beyond {limits.max_ocr_pages} not OCR'd")
                break
            page = doc[index]
            width, height = page.get_size()  # points (1/72 in)
            scale = min(limits.ocr_max_side / max(width, height, 1.0), 200 / 72)
            if width * height * scale * scale > limits.max_pixels:
                out.skip(f"page {index + 1} too large to render")
                continue
            img = page.render(scale=scale).to_pil().convert("RGB")
            _ocr_image(out, img, limits)
        for index in with_text:
            _ocr_pdf_page_images(out, doc[index], index, limits)
    finally:
        doc.close()


def _ocr_pdf_page_images(out: Extraction, page: Any, index: int, limits: MediaLimits) -> None:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        objects = list(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=4))
    except pdfium.PdfiumError as exc:
        out.skip(f"images of page {index + 1} not OCR'd ({type(exc).__name__})")
        return
    for obj in objects:
        try:
            width, height = obj.get_px_size()
        except pdfium.PdfiumError:
            out.skip(f"an image of page {index + 1} not OCR'd (unreadable)")
            continue
        if _too_small(width, height):
            continue
        if width * height > limits.max_pixels:
            out.skip(f"an image of page {index + 1} not OCR'd (exceeds the pixel limit)")
            continue
        if out.ocr_images >= limits.max_ocr_images:
            out.skip(f"images beyond {limits.max_ocr_images} not OCR'd")
            return
        try:
            img = obj.get_bitmap(render=False).to_pil()
        except (pdfium.PdfiumError, ValueError, OSError):
            try:  # unusual colour spaces and masks: let pdfium draw the object instead
                img = obj.get_bitmap(render=True).to_pil()
            except (pdfium.PdfiumError, ValueError, OSError) as exc:
                out.skip(f"an image of page {index + 1} not OCR'd ({type(exc).__name__})")
                continue
        _ocr_image(out, img.convert("RGB"), limits)


# -- Office -----------------------------------------------------------------------------------


def _office(out: Extraction, data: bytes, kind: str, limits: MediaLimits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = check_zip(zf, limits)
    except zipfile.BadZipFile as exc:
        raise MediaRejected(CORRUPT, f"{kind} file is damaged") from exc
    readers: dict[str, Callable[[Extraction, bytes, MediaLimits], str]] = {
        "docx": _docx_text,
        "xlsx": _xlsx_text,
        "pptx": _pptx_text,
    }
    try:
        out.add_text(readers[kind](out, data, limits))
    except MediaRejected:
        raise
    except Exception as exc:
        # The parsers raise anything from KeyError (missing part) to lxml's XMLSyntaxError and
        # their own PackageNotFoundError; for a file that passed the ZIP checks every one of
        # them means the same thing to the user: the file is damaged.
        raise MediaRejected(CORRUPT, f"{kind} file is damaged ({type(exc).__name__})") from exc
    _office_media(out, data, kind, infos, limits)


def _office_media(
    out: Extraction, data: bytes, kind: str, infos: list[zipfile.ZipInfo], limits: MediaLimits
) -> None:
    """OCR the pictures of an Office file (screenshots pasted into a report), in name order
    (image1, image2, … is the order they were inserted)."""
    prefix = _OFFICE_MEDIA[kind]
    members = sorted(
        (i for i in infos if i.filename.startswith(prefix)),
        key=lambda i: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", i.filename)],
    )
    if not members:
        return
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in members:
            try:
                member = read_member(zf, info, limits)
            except MediaRejected as exc:
                out.skip(f"embedded {_safe_name(info.filename)} image not OCR'd ({exc.status})")
                continue
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
                out.skip(f"embedded {_safe_name(info.filename)} image not OCR'd (damaged)")
                continue
            _embedded_image(out, member, info.filename, limits)


def _docx_text(out: Extraction, data: bytes, limits: MediaLimits) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts: list[str] = []
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
    parts.extend(p.text for p in document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            parts.append(CELL_SEP.join(cell.text for cell in row.cells))
    for section in document.sections:
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(p for p in parts if p.strip())


def _xlsx_text(out: Extraction, data: bytes, limits: MediaLimits) -> str:
    """Rows as `header：value | header：value`, so a 身分證字號 column header sits next to
    every value in it (recognizers look for context words just before a value). Cells beyond
    `max_cells` are not read, and the outcome says so (`partial`)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines: list[str] = []
    cells = 0
    try:
        for ws in wb.worksheets:
            header: list[str] | None = None
            for row in ws.iter_rows(values_only=True):
                values = ["" if v is None else str(v) for v in row]
                cells += len(values)
                if cells > limits.max_cells:
                    out.skip(f"spreadsheet cells beyond {limits.max_cells:,} not read")
                    return "\n".join(lines)
                if not any(v.strip() for v in values):
                    continue
                if header is None:
                    header = values
                    lines.append(CELL_SEP.join(values))
                    continue
                lines.append(
                    CELL_SEP.join(
                        f"{header[i]}：{v}" if i < len(header) and header[i] else v
                        for i, v in enumerate(values)
                        if v
                    )
                )
    finally:
        wb.close()
    return "\n".join(lines)


def _pptx_text(out: Extraction, data: bytes, limits: MediaLimits) -> str:
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    parts: list[str] = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    parts.append(CELL_SEP.join(cell.text for cell in row.cells))
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(p for p in parts if p.strip())


# -- ZIP --------------------------------------------------------------------------------------


def _zip(out: Extraction, data: bytes, limits: MediaLimits) -> None:
    """Read every member one level deep. A member that is not read (nested archive, type not
    supported, damaged, encrypted, a bomb) is counted: some → `partial`, all → `not_scanned`,
    and the detail says how many and why."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise MediaRejected(CORRUPT, "archive is damaged") from exc
    with zf:
        infos = check_zip(zf, limits)
        first_note = len(out.skipped)
        not_read = 0
        for info in infos:
            name = _safe_name(info.filename)
            try:
                member = read_member(zf, info, limits)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                out.skip(f"member {name} damaged ({type(exc).__name__})")
                not_read += 1
                continue
            except NotImplementedError:
                out.skip(f"member {name} uses an unsupported compression")
                not_read += 1
                continue
            except MediaRejected as exc:
                out.skip(f"member {name}: {exc.status} ({exc.detail})")
                not_read += 1
                continue
            kind = sniff(member, info.filename)
            if kind == "zip":
                out.skip(f"nested archive {name} not scanned")
                not_read += 1
                continue
            try:
                _extract_into(out, member, kind, info.filename, limits, depth=1)
            except MediaRejected as exc:
                out.skip(f"member {name}: {exc.status} ({exc.detail})")
                not_read += 1
    if not_read and not_read == len(infos):
        notes = "; ".join(out.skipped[first_note : first_note + 3])
        raise MediaRejected(NOT_SCANNED, f"no archive member could be scanned: {notes}")
    if not_read:
        out.skipped.insert(first_note, f"{not_read} of {len(infos)} archive members not scanned")
