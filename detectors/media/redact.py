"""The evidence image: a redacted, downscaled copy, never the original.

An incident record must show a reviewer what was posted without becoming a second leak, so
every sensitive box is filled black (with a small margin, OCR boxes are tight) BEFORE the image
is downscaled, and the result is a palette PNG small enough to keep for the retention period.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from PIL import Image, ImageDraw

from detectors.types import BBox

PAD = 3


def redact(img: Image.Image, boxes: Iterable[BBox], max_side: int = 1024) -> bytes:
    """Black out `boxes` (image pixel coordinates) and return a PNG no larger than `max_side`."""
    out = img.convert("RGB")  # always a copy: the caller's image is untouched
    draw = ImageDraw.Draw(out)
    for x0, y0, x1, y1 in boxes:
        draw.rectangle(
            (
                max(x0 - PAD, 0),
                max(y0 - PAD, 0),
                min(x1 + PAD, out.width - 1),
                min(y1 + PAD, out.height - 1),
            ),
            fill="black",
        )
    longest = max(out.size)
    if longest > max_side:
        factor = max_side / longest
        out = out.resize(
            (max(1, round(out.width * factor)), max(1, round(out.height * factor))),
            Image.Resampling.LANCZOS,
        )
    palette = out.quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    buf = io.BytesIO()
    palette.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
