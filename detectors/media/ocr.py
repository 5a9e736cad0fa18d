"""OCR with rapidocr 3.10 (PP-OCRv6 small models shipped inside the wheel, offline).

Only the models in the wheel are used: naming any other model makes rapidocr download it at
first use, which fails on an offline server. The engine costs ~600 MiB and a fraction of a
second to build, so there is one per process (`engine()`), built lazily on first use.

Results are lines of text with an axis-aligned box and, where rapidocr gives them, one box per
character, so a finding inside a line can be blacked out without hiding the whole line.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from PIL import Image

from detectors.types import BBox

log = logging.getLogger(__name__)
_LOCK = threading.Lock()  # one inference at a time per engine: ORT already uses every core


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One recognised line: `text`, its box, per-character boxes (aligned with `text`, None
    for characters without one, e.g. spaces) and the recogniser's confidence."""

    text: str
    box: BBox
    char_boxes: tuple[BBox | None, ...]
    score: float


def _quad_to_bbox(points: Any, factor: float = 1.0) -> BBox:
    xs = [float(p[0]) * factor for p in points]
    ys = [float(p[1]) * factor for p in points]
    return (int(min(xs)), int(min(ys)), round(max(xs)), round(max(ys)))


def _disable_thread_spinning() -> None:
    """Make onnxruntime's worker threads sleep instead of spin while waiting for work.

    Why: by default ORT threads busy-wait between operators. On a 2-core server shared with
    the bot's text scanning (and, in CI, other processes) that spinning steals the CPU the
    others need. Measured here on shot_lookup_01.png under load: 2.7 s → 1.9 s CPU per image
    and lower wall time too. rapidocr exposes no option for it, so its session-options hook
    is wrapped; if a future rapidocr renames it, OCR still works (just with spinning).
    """
    try:
        from rapidocr.inference_engine.onnxruntime import main as ort_main
    except ImportError:
        return
    cls = getattr(ort_main, "OrtInferSession", None)
    original = getattr(cls, "_init_sess_opts", None)
    if cls is None or original is None or getattr(original, "_dlpbot_no_spin", False):
        return

    def no_spin(cfg: Any) -> Any:
        opts = original(cfg)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
        return opts

    no_spin._dlpbot_no_spin = True  # type: ignore[attr-defined]
    cls._init_sess_opts = staticmethod(no_spin)


@lru_cache(maxsize=1)
def engine() -> Any:
    """The process-wide rapidocr engine, built on first use with the in-wheel models."""
    from rapidocr import RapidOCR

    _disable_thread_spinning()
    threads = int(os.environ.get("DLPBOT_OCR_THREADS", "0")) or -1
    started = time.monotonic()
    eng = RapidOCR(
        params={
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        }
    )
    log.info("OCR engine ready in %.2fs", time.monotonic() - started)
    return eng


def recognise(img: Image.Image, factor: float = 1.0) -> list[OcrLine]:
    """OCR an RGB image; boxes are multiplied by `factor` (undoing a downscale)."""
    import numpy as np

    arr = np.asarray(img.convert("RGB"))
    with _LOCK:
        out = engine()(arr, return_word_box=True)
    if out is None or getattr(out, "txts", None) is None or out.boxes is None:
        return []
    words = getattr(out, "word_results", None) or ()
    lines: list[OcrLine] = []
    for i, (text, quad, score) in enumerate(zip(out.txts, out.boxes, out.scores, strict=False)):
        if not text:
            continue
        box = _quad_to_bbox(quad, factor)
        chars = _align_chars(text, words[i] if i < len(words) else (), box, factor)
        lines.append(OcrLine(text=text, box=box, char_boxes=chars, score=float(score)))
    return lines


def _align_chars(
    text: str, word_result: Any, line_box: BBox, factor: float
) -> tuple[BBox | None, ...]:
    """Give each character of `text` a box.

    rapidocr's word results list the non-space characters (or multi-character words for
    Latin text) with boxes. We walk the text and consume word results in order; when they do
    not line up (rare), characters get a slice of the line box proportional to position, which
    is still far tighter than blacking out the whole line.
    """
    pieces = [(str(w[0]), _quad_to_bbox(w[2], factor)) for w in word_result or () if len(w) >= 3]
    boxes: list[BBox | None] = [None] * len(text)
    pos = 0
    ok = True
    for word, box in pieces:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if not word or text[pos : pos + len(word)] != word:
            ok = False
            break
        n = len(word)
        x0, y0, x1, y1 = box
        for k in range(n):  # split a multi-character word evenly
            boxes[pos + k] = (
                x0 + (x1 - x0) * k // n,
                y0,
                x0 + (x1 - x0) * (k + 1) // n,
                y1,
            )
        pos += n
    if ok and pieces and all(b is not None or text[i].isspace() for i, b in enumerate(boxes)):
        return tuple(boxes)
    x0, y0, x1, y1 = line_box
    n = max(len(text), 1)
    return tuple(
        (x0 + (x1 - x0) * k // n, y0, x0 + (x1 - x0) * (k + 1) // n, y1) for k in range(len(text))
    )
