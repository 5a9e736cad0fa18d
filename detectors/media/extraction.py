"""The result of extracting text from a file, with the map from text back to image boxes.

Text from every source (OCR lines, PDF text layers, Office paragraphs, ZIP members) is
appended to one string the Scanner reads. OCR'd characters remember which image ("page") and
which line they came from and their box, so a finding's character span can be turned back into
rectangles to black out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from detectors.media.ocr import OcrLine
from detectors.types import BBox

# Separator between boxes that sit side by side on one visual row (form label | value, table
# cells). Two spaces: recognizers allow a single space inside numbers, so values in adjacent
# cells are never glued into one number, yet a label stays next to its value for context.
ROW_GAP = "  "

# Outcomes recorded for a file (the bot stores them as they are).
SCANNED = "scanned"  # every part was read
PARTIAL = "partial"  # read, but some parts were skipped (detail says which)
NOT_SCANNED = "not_scanned"  # unknown or unsupported type: never silently passed
TOO_LARGE = "too_large"
BOMB = "bomb"  # decompression bomb: pixel/ZIP caps
ENCRYPTED = "encrypted"
CORRUPT = "corrupt"
TIMEOUT = "timeout"
ERROR = "error"


@dataclass(frozen=True, slots=True)
class OcrSpan:
    """`text[start:end]` came from OCR line `line` of image `page`; one box per character."""

    start: int
    end: int
    page: int
    line: int
    char_boxes: tuple[BBox | None, ...]


@dataclass(slots=True)
class Extraction:
    kind: str
    status: str = SCANNED
    detail: str = ""
    text: str = ""
    spans: list[OcrSpan] = field(default_factory=list)
    images: dict[int, Image.Image] = field(default_factory=dict)  # page → upright RGB image
    skipped: list[str] = field(default_factory=list)  # human-readable notes on parts not read
    ocr_images: int = 0
    seen_images: set[bytes] = field(default_factory=set)  # digests of images already OCR'd
    repeats: dict[str, int] = field(default_factory=dict)  # note → times it was noted again

    # -- building --------------------------------------------------------------------------

    def add_text(self, text: str) -> None:
        if not text or not text.strip():
            return
        if self.text and not self.text.endswith("\n"):
            self.text += "\n"
        self.text += text

    def add_ocr(self, lines: list[OcrLine], image: Image.Image) -> int:
        """Append OCR lines of one image in reading order; returns the page number."""
        page = len(self.images)
        self.images[page] = image
        self.ocr_images += 1
        rows = group_rows(lines)
        for row in rows:
            if self.text and not self.text.endswith("\n"):
                self.text += "\n"
            for k, (line_no, line) in enumerate(row):
                if k:
                    self.text += ROW_GAP
                start = len(self.text)
                self.text += line.text
                self.spans.append(
                    OcrSpan(start, len(self.text), page, line_no, tuple(line.char_boxes))
                )
        return page

    def skip(self, note: str) -> None:
        """Note a part that was not read (the outcome becomes `partial`); a note made again
        (one per image beyond the cap) is counted, not repeated."""
        if note in self.skipped:
            self.repeats[note] = self.repeats.get(note, 1) + 1
            return
        self.skipped.append(note)

    def finish(self, max_chars: int) -> Extraction:
        """Cap the text and settle status/detail from what was skipped."""
        if len(self.text) > max_chars:
            self.text = self.text[:max_chars]
            self.spans = [s for s in self.spans if s.end <= max_chars]
            self.skip(f"text beyond {max_chars:,} characters not scanned")
        if self.skipped and self.status == SCANNED:
            self.status = PARTIAL
        if self.skipped:
            notes = [
                f"{n} (x{self.repeats[n]})" if n in self.repeats else n for n in self.skipped
            ]
            self.detail = "; ".join(notes[:5]) + (
                f" (+{len(notes) - 5} more)" if len(notes) > 5 else ""
            )
        return self

    # -- mapping back ----------------------------------------------------------------------

    def regions(self, start: int, end: int) -> list[tuple[int, BBox]]:
        """Boxes covering text[start:end]: one per (page, line) touched, tight to the characters."""
        out: dict[tuple[int, int], BBox] = {}
        for span in self.spans:
            if span.end <= start or span.start >= end:
                continue
            lo, hi = max(start, span.start), min(end, span.end)
            for i in range(lo - span.start, hi - span.start):
                box = span.char_boxes[i] if i < len(span.char_boxes) else None
                if box is None:
                    continue
                key = (span.page, span.line)
                out[key] = union(out[key], box) if key in out else box
        return [(page, box) for (page, _line), box in out.items()]


def union(a: BBox, b: BBox) -> BBox:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def group_rows(lines: list[OcrLine]) -> list[list[tuple[int, OcrLine]]]:
    """Group OCR lines that share a visual row, each row left to right, rows top to bottom.

    Two lines share a row when each one's vertical centre lies within the other's height, so
    a form label and its value end up next to each other, as a person reads them.
    """
    indexed = sorted(enumerate(lines), key=lambda il: ((il[1].box[1] + il[1].box[3]) / 2))
    rows: list[list[tuple[int, OcrLine]]] = []
    for item in indexed:
        _, line = item
        cy = (line.box[1] + line.box[3]) / 2
        for row in rows:
            _, ref = row[0]
            rcy = (ref.box[1] + ref.box[3]) / 2
            if ref.box[1] <= cy <= ref.box[3] and line.box[1] <= rcy <= line.box[3]:
                row.append(item)
                break
        else:
            rows.append([item])
    for row in rows:
        row.sort(key=lambda il: il[1].box[0])
    rows.sort(key=lambda row: min(il[1].box[1] for il in row))
    return rows
