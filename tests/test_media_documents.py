"""Documents posted in a group are read like messages: PDF text layers, Office files, text/CSV
in legacy encodings and ZIPs one level deep, and the pictures inside them are OCR'd. Only the
tests marked slow pay for OCR (the scanned PDF is in test_media_ocr).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from bot.scan import skip_spacy_plugin_factories
from detectors.media import MediaLimits, extract, scan_bytes, scan_file, scan_record
from detectors.media.evaluate import fold, load_labels
from detectors.scanner import Scanner

MEDIA = Path(__file__).parent / "media"
LABELS = {label.id: label for label in load_labels(MEDIA / "labels.jsonl")}


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    skip_spacy_plugin_factories()  # as the bot does: spaCy's plugin scan imports torch
    return Scanner()


def found_values(report_text: str, findings: list, entity_type: str) -> set[str]:
    return {fold(report_text[f.start : f.end]) for f in findings if f.type == entity_type}


@pytest.mark.parametrize(
    "label_id", ["doc-pdf-01", "doc-docx-01", "doc-xlsx-01", "doc-txt-01", "doc-csv-01"]
)
def test_identifiers_in_documents_are_found(scanner: Scanner, label_id: str) -> None:
    label = LABELS[label_id]
    report = scan_file(MEDIA / label.path, scanner)
    assert report.status == "scanned", report.detail
    assert report.result is not None
    assert "personal_data" in report.result.categories
    for entity_type, value in label.entities:
        if entity_type in ("TW_NATIONAL_ID", "PHONE"):
            assert fold(value) in found_values(report.text, report.result.findings, entity_type)


def test_raid_plan_in_a_slide_deck_is_an_incident(scanner: Scanner) -> None:
    report = scan_file(MEDIA / "doc_briefing.pptx", scanner)
    assert report.status == "scanned"
    assert report.result is not None
    assert "raid" in report.result.categories


@pytest.mark.parametrize("name", ["doc_minutes_benign.pdf", "doc_party_benign.docx"])
def test_ordinary_documents_are_not_flagged(scanner: Scanner, name: str) -> None:
    report = scan_file(MEDIA / name, scanner)
    assert report.status == "scanned"
    assert report.result is not None
    assert not report.result.is_incident


def test_spreadsheet_header_gives_every_cell_its_context(scanner: Scanner) -> None:
    report = scan_file(MEDIA / "doc_roster.xlsx", scanner)
    assert "身分證字號：" in report.text  # header repeated next to each value
    ids = [f for f in report.result.findings if f.type == "TW_NATIONAL_ID"] if report.result else []
    assert len(ids) == 3


@pytest.mark.slow
def test_zip_attachment_is_read_one_level_deep(scanner: Scanner) -> None:
    """The bundle holds a DOCX (text) and a PNG; the PNG is OCR'd too, so keep it in mind
    that this is the one document test that pays for OCR (~1.5 s)."""
    report = scan_file(MEDIA / "doc_bundle.zip", scanner)
    assert report.status == "scanned", report.detail
    assert report.result is not None
    assert {"personal_data", "raid"} <= report.result.categories


def test_document_findings_have_no_boxes_and_no_evidence_image(scanner: Scanner) -> None:
    report = scan_bytes((MEDIA / "doc_referral.docx").read_bytes(), scanner, "轉介單.docx")
    assert report.result is not None and report.result.is_incident
    assert all(f.bbox is None for f in report.result.findings)
    assert report.evidence_png is None


def test_jsonl_record_naming_a_file_yields_a_scan_line_and_reveals_only_on_request(
    scanner: Scanner,
) -> None:
    record = {"id": "r1", "file": "doc_note_big5.txt"}
    hidden = scan_record(record, scanner, base_dir=MEDIA)
    shown = scan_record(record, scanner, base_dir=MEDIA, reveal=True)
    assert hidden is not None and shown is not None
    assert hidden["id"] == "r1"
    assert hidden["media"]["status"] == "scanned"  # type: ignore[index]
    assert "personal_data" in hidden["categories"]  # type: ignore[operator]
    phone = LABELS["doc-txt-01"].entities[1][1]
    assert phone not in json.dumps(hidden, ensure_ascii=False)
    assert phone in json.dumps(shown, ensure_ascii=False)


def test_jsonl_record_without_image_or_file_is_left_to_the_text_scanner(
    scanner: Scanner,
) -> None:
    assert scan_record({"id": "t", "text": "收到"}, scanner) is None


def test_jsonl_record_naming_a_missing_file_reports_an_error_line(scanner: Scanner) -> None:
    line = scan_record({"id": "m", "image": "no_such.png"}, scanner, base_dir=MEDIA)
    assert line is not None
    assert line["media"]["status"] == "error"  # type: ignore[index]


# -- pictures inside documents ---------------------------------------------------------------


def with_member(data: bytes, name: str, member: bytes) -> bytes:
    """The Office file `data` with one more ZIP member (a picture the parser never reads)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr(name, member)
    return buf.getvalue()


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def black_inside(evidence_png: bytes, image: Image.Image, box: tuple[int, int, int, int]) -> bool:
    evidence = Image.open(io.BytesIO(evidence_png)).convert("L")
    factor = evidence.width / image.width
    x0, y0, x1, y1 = (round(v * factor) for v in box)
    return evidence.crop((x0 + 1, y0 + 1, x1 - 1, y1 - 1)).getextrema()[1] < 20


@pytest.mark.slow  # one OCR run
def test_screenshot_pasted_into_a_word_file_is_read_and_blacked_out_in_its_evidence(
    scanner: Scanner,
) -> None:
    label = LABELS["doc-docx-img-01"]
    report = scan_file(MEDIA / label.path, scanner)
    assert report.status == "scanned", report.detail
    assert report.result is not None and "personal_data" in report.result.categories
    gold = fold(next(v for t, v in label.entities if t == "TW_NATIONAL_ID"))
    (idx,) = [
        k
        for k, f in enumerate(report.result.findings)
        if f.type == "TW_NATIONAL_ID" and fold(report.text[f.start : f.end]) == gold
    ]
    finding = report.result.findings[idx]
    assert finding.bbox is not None and report.finding_images[idx] == 0
    (evidence,) = report.evidence
    with zipfile.ZipFile(MEDIA / label.path) as zf:
        (picture,) = [n for n in zf.namelist() if n.startswith("word/media/")]
        shot = Image.open(io.BytesIO(zf.read(picture)))
    assert black_inside(evidence.png, shot, finding.bbox)


@pytest.mark.slow  # one OCR run
def test_screenshot_on_a_pdf_page_that_has_a_text_layer_is_read(scanner: Scanner) -> None:
    label = LABELS["doc-pdf-img-01"]
    report = scan_file(MEDIA / label.path, scanner)
    assert report.status == "scanned", report.detail
    assert "會辦單" in report.text  # the text layer …
    assert report.result is not None
    for entity_type, value in label.entities:  # … and the screenshot
        if entity_type in ("TW_NATIONAL_ID", "PHONE"):
            assert fold(value) in found_values(report.text, report.result.findings, entity_type)
    assert all(f.bbox is not None for f in report.result.findings if f.type == "PHONE")
    assert report.evidence_png is not None


@pytest.mark.slow  # one OCR run
def test_picture_in_a_spreadsheet_is_read(scanner: Scanner) -> None:
    import openpyxl
    from openpyxl.drawing.image import Image as SheetImage

    shot = Image.open(MEDIA / "shot_lookup_01.png").convert("RGB")
    wb = openpyxl.Workbook()
    wb.active.append(["備註", "如附圖"])
    wb.active.add_image(SheetImage(io.BytesIO(png(shot))), "B3")
    buf = io.BytesIO()
    wb.save(buf)
    report = scan_bytes(buf.getvalue(), scanner, "名冊.xlsx")
    assert report.status == "scanned", report.detail
    gold = fold(next(v for t, v in LABELS["shot-lookup-01"].entities if t == "TW_NATIONAL_ID"))
    assert gold in found_values(report.text, report.result.findings, "TW_NATIONAL_ID")


def test_pictures_beyond_the_ocr_cap_make_the_document_partial_not_scanned() -> None:
    data = (MEDIA / "doc_embedded_shot.docx").read_bytes()
    ex = extract(data, "日誌.docx", MediaLimits(max_ocr_images=0))
    assert ex.status == "partial"
    assert "images beyond 0 not OCR'd" in ex.detail
    assert "工作日誌" in ex.text  # the text was still read


def test_picture_in_a_format_ocr_cannot_read_makes_the_document_partial() -> None:
    data = with_member((MEDIA / "doc_referral.docx").read_bytes(), "word/media/image1.emf",
                       b"\x01\x00\x00\x00" + bytes(200))
    ex = extract(data, "轉介單.docx")
    assert ex.status == "partial"
    assert "embedded *.emf image not OCR'd" in ex.detail


def test_tiny_decorative_picture_does_not_make_a_document_partial() -> None:
    bullet = png(Image.new("RGB", (10, 10), "navy"))
    data = with_member((MEDIA / "doc_referral.docx").read_bytes(), "word/media/image1.png",
                       bullet)
    ex = extract(data, "轉介單.docx")
    assert ex.status == "scanned", ex.detail
    assert ex.ocr_images == 0
