"""OCR'd images: findings carry boxes and the evidence kept is a redacted copy.

OCR costs ~0.5-1.5 s per image, so only a few real files from tests/media are OCR'd here (each
once, cached for the module); the whole labelled set runs in test_media_evaluation (slow).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from bot.scan import skip_spacy_plugin_factories
from detectors.media import MediaReport, ocr, scan_file
from detectors.media.evaluate import fold, load_labels, match, readable_values
from detectors.media.redact import redact
from detectors.scanner import Scanner

MEDIA = Path(__file__).parent / "media"
LABELS = {label.path: label for label in load_labels(MEDIA / "labels.jsonl")}


@pytest.fixture(scope="module")
def scan() -> object:
    skip_spacy_plugin_factories()
    scanner = Scanner()
    cache: dict[str, MediaReport] = {}

    def run(name: str) -> MediaReport:
        if name not in cache:
            cache[name] = scan_file(MEDIA / name, scanner)
        return cache[name]

    return run


def ids_found(report: MediaReport) -> dict[str, tuple[int, int, int, int] | None]:
    assert report.result is not None
    return {
        fold(report.text[f.start : f.end]): f.bbox
        for f in report.result.findings
        if f.type == "TW_NATIONAL_ID"
    }


def gold_id(name: str) -> str:
    return fold(next(v for t, v in LABELS[name].entities if t == "TW_NATIONAL_ID"))


def test_id_in_a_record_lookup_screenshot_is_found_with_its_box(scan) -> None:
    report = scan("shot_lookup_01.png")
    assert report.status == "scanned"
    assert "personal_data" in report.result.categories
    found = ids_found(report)
    assert gold_id("shot_lookup_01.png") in found
    box = found[gold_id("shot_lookup_01.png")]
    assert box is not None and box[2] > box[0] and box[3] > box[1]


def test_evidence_of_a_screenshot_has_the_id_blacked_out_and_is_downscaled(scan) -> None:
    report = scan("shot_lookup_01.png")
    assert report.evidence_png is not None and report.redacted_boxes >= 1
    original = Image.open(MEDIA / "shot_lookup_01.png")
    evidence = Image.open(io.BytesIO(report.evidence_png)).convert("L")
    assert max(evidence.size) <= 1024
    assert report.evidence_png != (MEDIA / "shot_lookup_01.png").read_bytes()
    factor = evidence.width / original.width
    x0, y0, x1, y1 = ids_found(report)[gold_id("shot_lookup_01.png")]  # type: ignore[misc]
    inner = (
        round(x0 * factor) + 1,
        round(y0 * factor) + 1,
        round(x1 * factor) - 1,
        round(y1 * factor) - 1,
    )
    assert evidence.crop(inner).getextrema()[1] < 20  # every pixel of the ID box is black


def test_photo_of_a_petition_is_an_incident_with_the_id_found(scan) -> None:
    report = scan("photo_petition_01.jpg")
    assert report.status == "scanned"
    assert "personal_data" in report.result.categories
    assert gold_id("photo_petition_01.jpg") in ids_found(report)
    assert report.evidence_png is not None


@pytest.mark.slow  # renders a page at 200 dpi before OCR
def test_scanned_pdf_page_without_text_layer_is_ocred(scan) -> None:
    report = scan("doc_scanned.pdf")
    assert report.status == "scanned"
    assert gold_id("doc_scanned.pdf") in ids_found(report)


def test_poster_with_public_hotlines_is_not_flagged(scan) -> None:
    report = scan("benign_poster_02.png")
    assert report.status == "scanned"
    assert report.text  # OCR did read the poster
    assert not report.result.is_incident
    assert report.evidence_png is None


def test_redaction_fills_boxes_black_and_keeps_the_rest() -> None:
    img = Image.new("RGB", (2048, 1024), "white")
    png = redact(img, [(100, 100, 300, 150)], max_side=1024)
    out = Image.open(io.BytesIO(png)).convert("L")
    assert out.size == (1024, 512)
    assert out.crop((52, 52, 148, 73)).getextrema()[1] < 20  # box (halved) is black
    assert out.crop((400, 300, 500, 400)).getextrema()[0] > 235  # elsewhere untouched
    assert img.getpixel((150, 120)) == (255, 255, 255)  # the caller's image is not modified


# -- sideways and upside-down pages -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["photo_sideways_01.jpg", "photo_sideways_02.jpg", "photo_upside_01.jpg"]
)
def test_turned_petition_photo_keeps_no_sensitive_value_readable_in_its_evidence(
    scan, name: str
) -> None:
    """A 陳情書 photographed sideways (90° and 270°, no EXIF tag) or upside down: every value
    is found, and OCR run again over the redacted evidence can read none of them — not the
    ID, the phone, the address, nor the name in the signature line."""
    label = LABELS[name]
    report = scan(name)
    assert report.status == "scanned"
    predicted = [(f.type, report.text[f.start : f.end]) for f in report.result.findings]
    assert all(match(label.entities, predicted)), report.to_dict()
    assert report.evidence_png is not None
    assert readable_values([report.evidence_png], label.entities) == []


@pytest.mark.slow
def test_evidence_of_a_sideways_photo_is_stored_upright(scan) -> None:
    report = scan("photo_sideways_01.jpg")
    evidence = Image.open(io.BytesIO(report.evidence_png)).convert("RGB")
    original = Image.open(MEDIA / "photo_sideways_01.jpg")
    assert original.width > original.height  # the photo is sideways …
    assert evidence.height > evidence.width  # … its evidence is the upright page
    _, orientation = ocr.recognise_upright(evidence)
    assert orientation.turn == 0  # reads as upright: nothing left to turn


def _raw(text: str, box: tuple[int, int, int, int], vertical: bool, up: bool | None):
    x0, y0, x1, y1 = box
    quad = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return ocr._RawLine(text, quad, 0.99, (), vertical, up is False, up)


def test_page_turn_follows_the_majority_of_the_characters_read() -> None:
    sideways = [_raw("身分證字號：A123456789", (10, 10, 40, 400), True, True)]
    assert ocr._majority_turn(sideways) == 90
    other_way = [_raw("身分證字號：A123456789", (10, 10, 40, 400), True, False)]
    assert ocr._majority_turn(other_way) == 270
    upside_down = [_raw("陳情人：王小明", (10, 10, 300, 40), False, False)]
    assert ocr._majority_turn(upside_down) == 180
    mostly_upright = [
        _raw("陳情事由：路燈損壞多日未修", (10, 10, 400, 40), False, True),
        _raw("第三頁", (500, 10, 530, 120), True, True),  # a short vertical stamp
    ]
    assert ocr._majority_turn(mostly_upright) == 0


def test_a_line_left_vertical_gives_every_character_its_whole_line_box() -> None:
    """rapidocr's character boxes of a vertical line lie along the wrong axis; blacking out
    by them would hide a neighbour and leave the value readable."""
    (line,) = ocr._to_lines([_raw("0912345678", (10, 10, 40, 400), True, True)], 1.0)
    assert set(line.char_boxes) == {line.box}


# -- files with several images ------------------------------------------------------------


@pytest.mark.slow  # two OCR runs
def test_each_screenshot_in_an_archive_keeps_its_own_redacted_evidence(tmp_path: Path) -> None:
    """Two record screenshots in one ZIP: evidence of both is kept (not only of the one with
    more boxes), and each finding's box says which image it is in."""
    import zipfile

    names = ["shot_lookup_01.png", "shot_lookup_03.png"]
    bundle = tmp_path / "截圖.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        for name in names:
            zf.write(MEDIA / name, name)
    skip_spacy_plugin_factories()
    report = scan_file(bundle, Scanner())
    assert report.status == "scanned", report.detail
    assert [e.image for e in report.evidence] == [0, 1]
    for image, name in enumerate(names):
        evidence = report.evidence[image]
        original = Image.open(MEDIA / name)
        assert evidence.size == original.size
        gray = Image.open(io.BytesIO(evidence.png)).convert("L")
        factor = gray.width / original.width
        gold = gold_id(name)
        (idx,) = [
            k
            for k, f in enumerate(report.result.findings)
            if f.type == "TW_NATIONAL_ID" and fold(report.text[f.start : f.end]) == gold
        ]
        assert report.finding_images[idx] == image
        x0, y0, x1, y1 = (round(v * factor) for v in report.result.findings[idx].bbox)
        assert gray.crop((x0 + 1, y0 + 1, x1 - 1, y1 - 1)).getextrema()[1] < 20
    line = report.to_dict()
    assert line["media"]["evidence_images"] == [0, 1]  # type: ignore[index]
    assert {f.get("image") for f in line["findings"] if "bbox" in f} == {0, 1}  # type: ignore[union-attr]
