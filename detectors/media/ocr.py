"""OCR with rapidocr 3.10 (PP-OCRv6 small models shipped inside the wheel, offline).

Only the models in the wheel are used: naming any other model makes rapidocr download it at
first use, which fails on an offline server. The engine costs ~600 MiB and a fraction of a
second to build, so there is one per process (`engine()`), built lazily on first use.

Results are lines of text with an axis-aligned box and, where rapidocr gives them, one box per
character, so a finding inside a line can be blacked out without hiding the whole line. Those
character boxes are only true for horizontal, upright lines: `recognise_upright` first turns a
sideways or upside-down page upright (from the majority direction of its lines), and a line
that is still vertical or upside down afterwards gets its whole line box for every character.
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


# Line geometry, as rapidocr itself decides it: a detected box at least 1.5 times taller than
# wide is cropped and turned 90° counter-clockwise before recognition; the direction
# classifier then flips crops it reads as upside down (confidence above 0.9).
_VERTICAL_RATIO = 1.5
_CLS_THRESH = 0.9
# A turn of the page is made only when the lines voting for it hold more than half of the
# characters read, and at least this many.
_MIN_VOTE_CHARS = 4
# Quarter turns, counter-clockwise, as PIL transposes.
TURNS = {
    90: Image.Transpose.ROTATE_90,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_270,
}


@dataclass(frozen=True, slots=True)
class _RawLine:
    text: str
    quad: Any
    score: float
    words: Any  # rapidocr word result for this line, or ()
    vertical: bool  # cropped and turned by rapidocr: its character boxes are not usable
    flipped: bool  # turned upside down by the direction classifier: same
    up: bool | None  # direction classifier: True "0", False "180", None unsure


def turn_image(img: Image.Image, degrees: int) -> Image.Image:
    """Turn `img` counter-clockwise by a multiple of 90 degrees (0 returns it unchanged)."""
    degrees %= 360
    return img.transpose(TURNS[degrees]) if degrees else img


def recognise(img: Image.Image, factor: float = 1.0) -> list[OcrLine]:
    """OCR an RGB image as it is; boxes are multiplied by `factor` (undoing a downscale)."""
    return _to_lines(_run(img), factor)


@dataclass(frozen=True, slots=True)
class Orientation:
    """How a page was turned before its final OCR pass: `turn` degrees counter-clockwise (a
    multiple of 90), then `skew` degrees counter-clockwise (deskewing, 0 when not done)."""

    turn: int = 0
    skew: float = 0.0

    def apply(self, img: Image.Image) -> Image.Image:
        """The same turn on another copy of the page (the full-size image for evidence)."""
        out = turn_image(img, self.turn)
        if self.skew:
            out = out.rotate(
                self.skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white"
            )
        return out


# Deskewing is only worth a second pass beyond this angle (rapidocr reads small skews well).
DESKEW_MIN_DEGREES = 3.0


def recognise_upright(
    img: Image.Image, factor: float = 1.0, upright: bool = True, deskew: bool = False
) -> tuple[list[OcrLine], Orientation]:
    """OCR `img` after turning it upright; returns the lines and the turn applied.

    The turn (0, 90, 180 or 270 degrees counter-clockwise, see `turn_image`) comes from the
    majority direction of the lines read on the first pass: rapidocr reads a sideways or
    upside-down page line by line, but the character boxes it then gives are laid along the
    wrong axis or in reverse order, so blacking out a value by them hides its label instead.
    Turned upright and read again, the page gives true character boxes, and the evidence image
    (turned the same way by the caller, `Orientation.apply`) is upright for the reviewer. An
    upright page costs one pass; a turned one two (three when the classifier was unsure of a
    sideways page's sense). With `deskew`, a page whose lines slope by more than
    `DESKEW_MIN_DEGREES` is straightened and read once more.
    Boxes are in the coordinates of the TURNED image, multiplied by `factor`.
    """
    raw = _run(img)
    turn = 0
    seen: dict[int, list[_RawLine]] = {0: raw}
    while upright:
        step = _majority_turn(raw)
        if not step:
            break
        candidate = (turn + step) % 360
        if candidate in seen:  # the classifier disagrees with itself: keep the better read
            break
        turn = candidate
        raw = _run(turn_image(img, turn))
        seen[turn] = raw
    if len(seen) > 1:
        turn = max(seen, key=lambda t: (_upright_chars(seen[t]), t == turn))
        raw = seen[turn]
    orientation = Orientation(turn)
    if deskew:
        slope = _slope_degrees(raw)
        if abs(slope) > DESKEW_MIN_DEGREES:
            candidate_o = Orientation(turn, slope)
            straight = _run(candidate_o.apply(img))
            if _upright_chars(straight) >= _upright_chars(raw):
                orientation, raw = candidate_o, straight
    return _to_lines(raw, factor), orientation


def _slope_degrees(lines: list[_RawLine]) -> float:
    """The character-weighted median slope of the horizontal lines, in degrees
    counter-clockwise as PIL counts them (so rotating by it straightens the page)."""
    import math

    slopes: list[tuple[float, int]] = []
    for line in lines:
        weight = _weight(line)
        if line.vertical or line.flipped or weight < 4:
            continue
        (x0, y0), (x1, y1) = line.quad[0], line.quad[1]
        if x1 - x0 <= 0:
            continue
        slopes.append((math.degrees(math.atan2(float(y1 - y0), float(x1 - x0))), weight))
    if not slopes:
        return 0.0
    slopes.sort()
    half, acc = sum(w for _, w in slopes) / 2, 0
    for angle, weight in slopes:
        acc += weight
        if acc >= half:
            return angle
    return slopes[-1][0]


def _run(img: Image.Image) -> list[_RawLine]:
    """One rapidocr pass with its line direction decisions kept (its public result drops
    them). Falls back to the public call, treating every line as horizontal and upright, if a
    future rapidocr moves the internals this uses (rapidocr is pinned to 3.10.0)."""
    import numpy as np

    arr = np.asarray(img.convert("RGB"))
    with _LOCK:
        eng = engine()
        try:
            return _run_steps(eng, arr)
        except AttributeError:
            log.warning("rapidocr internals changed: line directions unknown")
            out = eng(arr, return_word_box=True)
    if out is None or getattr(out, "txts", None) is None or out.boxes is None:
        return []
    words = list(getattr(out, "word_results", None) or ())
    return [
        _RawLine(text, quad, float(score), _take_words(words, text), False, False, None)
        for text, quad, score in zip(out.txts, out.boxes, out.scores, strict=False)
        if text
    ]


def _run_steps(eng: Any, arr: Any) -> list[_RawLine]:
    """rapidocr's own `__call__`, step by step (3.10.0): detect, classify, recognise, build."""
    import numpy as np

    eng.update_params(return_word_box=True)
    ori = eng.load_img(arr)
    pre, record = eng.preprocess_img(ori)
    det, cls, rec, crops = eng.run_ocr_steps(pre, record)
    if det.boxes is None or rec.txts is None:
        return []
    texts = list(rec.txts)
    geometry: list[tuple[str, bool, bool, bool | None]] = []
    cls_res = list(cls.cls_res or [])
    for i, (quad, text, score) in enumerate(zip(det.boxes, texts, rec.scores, strict=False)):
        if not text.strip() or score < eng.text_score:
            continue  # exactly what build_final_output drops, in the same order
        width = max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3]))
        height = max(np.linalg.norm(quad[1] - quad[2]), np.linalg.norm(quad[3] - quad[0]))
        vertical = bool(height >= _VERTICAL_RATIO * max(width, 1e-6))
        label, conf = cls_res[i] if i < len(cls_res) else ("", 0.0)
        flipped = "180" in str(label) and float(conf) > _CLS_THRESH
        up = None if float(conf) <= _CLS_THRESH else "180" not in str(label)
        geometry.append((text, vertical, flipped, up))
    out = eng.build_final_output(ori, det, cls, rec, crops, record)
    if getattr(out, "txts", None) is None or getattr(out, "boxes", None) is None:
        return []
    words = list(getattr(out, "word_results", None) or ())
    lines: list[_RawLine] = []
    final = list(zip(out.txts, out.boxes, out.scores, strict=False))
    aligned = len(final) == len(geometry) and all(
        g[0] == t for g, (t, _, _) in zip(geometry, final, strict=False)
    )
    for k, (text, quad, score) in enumerate(final):
        if not text:
            continue
        if aligned:
            _, vertical, flipped, up = geometry[k]
        else:  # cannot tell which line is which: treat every box as unreliable
            vertical, flipped, up = True, True, None
        lines.append(
            _RawLine(text, quad, float(score), _take_words(words, text), vertical, flipped, up)
        )
    return lines


def _take_words(words: list[Any], text: str) -> Any:
    """The word result belonging to the line `text`, consumed from the front of `words`.

    rapidocr drops the word result of a line that has none, so results are matched to lines
    by their characters rather than by position.
    """
    key = "".join(text.split())
    for j, word_result in enumerate(words[:3]):
        try:
            joined = "".join(str(w[0]) for w in word_result)
        except (TypeError, IndexError):
            continue
        if "".join(joined.split()) == key:
            del words[: j + 1]
            return word_result
    return ()


def _weight(line: _RawLine) -> int:
    return len(line.text.strip()) if len(line.text.strip()) >= 2 else 0


def _majority_turn(lines: list[_RawLine]) -> int:
    """The quarter turn that makes most of the text upright (0 when it already is)."""
    total = sum(_weight(line) for line in lines)
    if total < _MIN_VOTE_CHARS:
        return 0
    vertical = [line for line in lines if line.vertical]
    if sum(_weight(line) for line in vertical) * 2 > total:
        # rapidocr turned these crops 90° counter-clockwise; "0" means that made them upright.
        up = sum(_weight(line) for line in vertical if line.up is True)
        down = sum(_weight(line) for line in vertical if line.up is False)
        return 90 if up >= down else 270
    flipped = sum(_weight(line) for line in lines if not line.vertical and line.flipped)
    return 180 if flipped * 2 > total else 0


def _upright_chars(lines: list[_RawLine]) -> int:
    return sum(_weight(line) for line in lines if not line.vertical and not line.flipped)


def _to_lines(raw: list[_RawLine], factor: float) -> list[OcrLine]:
    lines: list[OcrLine] = []
    for line in raw:
        box = _quad_to_bbox(line.quad, factor)
        if line.vertical or line.flipped:
            # rapidocr lays these characters along the crop, not the page: the only box known
            # to hold every character is the line's own.
            chars: tuple[BBox | None, ...] = tuple(box for _ in line.text)
        else:
            chars = _align_chars(line.text, line.words, box, factor)
        lines.append(OcrLine(text=line.text, box=box, char_boxes=chars, score=line.score))
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
