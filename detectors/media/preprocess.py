"""Image preparation before OCR: decode safely, fix orientation, bound the size.

Phone photos are usually stored sideways with an EXIF Orientation tag; OCR on the raw pixels
reads nothing, so the tag is applied first. Images larger than `ocr_max_side` are downscaled
(rapidocr would do it anyway, and resizing once here keeps the scale factor we need to map
boxes back). Contrast stretching is not applied: on the labelled set it changed no result.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from detectors.media.limits import MediaLimits, MediaRejected, check_pixels


def open_image(data: bytes, limits: MediaLimits) -> Image.Image:
    """Decode an image (first frame of animations) to upright RGB, refusing bombs and junk.

    The pixel count is checked from the header before any pixel is decoded.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            check_pixels(img.width, img.height, limits)
            img.seek(0)
            img.load()
            if limits.exif_transpose:
                img = ImageOps.exif_transpose(img) or img
            return _to_rgb(img)
    except MediaRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaRejected("bomb", "image pixel count exceeds the decompression limit") from exc
    except UnidentifiedImageError as exc:
        raise MediaRejected("corrupt", "image format not recognised") from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        # Truncated files raise OSError("image file is truncated"); bad headers SyntaxError.
        detail = f"image is damaged or truncated ({type(exc).__name__})"
        raise MediaRejected("corrupt", detail) from exc


def _to_rgb(img: Image.Image) -> Image.Image:
    """Flatten transparency on white: chat stickers and screenshots often carry alpha."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, "white")
        canvas.paste(rgba, mask=rgba.split()[3])
        return canvas
    return img.convert("RGB")


def fit_for_ocr(img: Image.Image, max_side: int) -> tuple[Image.Image, float]:
    """Downscale so the longer side is at most `max_side`; return the image and the factor
    that maps OCR coordinates back to `img` coordinates."""
    longest = max(img.size)
    if longest <= max_side:
        return img, 1.0
    factor = longest / max_side
    size = (max(1, round(img.width / factor)), max(1, round(img.height / factor)))
    return img.resize(size, Image.Resampling.LANCZOS), factor
