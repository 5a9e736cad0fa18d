"""`dlpbot models check`: is every model the configuration asks for installed and loadable?

Why a separate command: the models are the part of a deployment that cannot come from PyPI on
an offline agency server (the CKIP NER folder is copied by hand), and a bot that silently runs
without them protects less than the administrator believes. `dlpbot run` loads the NER model
lazily, on the first message, so this command is how an administrator finds a wrong path at
installation time instead of in the logs of a live group.

By default each configured model is really loaded and run once on a fixed probe (no user
data), so "OK" means "the bot will be able to use it". `--no-load` only checks packages and
paths (seconds instead of the ~5-10 s a bert-base load takes). Exit status: 0 when everything
configured works, 1 when something configured does not, 2 for an unreadable configuration.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
import time
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# A fixed probe: a role word and a name, so a working NER model has something to tag. It is
# not user data, so printing counts about it is safe.
_NER_PROBE = "檢舉人王小明說承辦人有收錢"
_DEFAULT_CONFIG = "config.toml"

OK, DISABLED, ERROR = "ok", "disabled", "error"
_STATUS_TEXT = {OK: "可用 OK", DISABLED: "未啟用 disabled", ERROR: "無法使用 ERROR"}


@dataclass(slots=True)
class ModelStatus:
    """One component's verdict; `detail` is for the administrator (paths, timings, the fix)."""

    component: str  # "ner" | "ocr"
    status: str  # OK | DISABLED | ERROR
    backend: str
    detail: str
    load_seconds: float | None = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["check"], help="check: 檢查設定的模型能否載入")
    parser.add_argument(
        "--config",
        default=None,
        help=f"path to config.toml (default: ./{_DEFAULT_CONFIG} if present, else defaults)",
    )
    parser.add_argument(
        "--no-load",
        action="store_true",
        help="只檢查套件與路徑，不載入模型 (check packages and paths only)",
    )
    parser.add_argument(
        "--only", choices=["ner", "ocr"], default=None, help="check one component only"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _read_config(path: str | None) -> tuple[dict[str, Any], str]:
    """The TOML document and a description of where it came from."""
    if path is None:
        if not Path(_DEFAULT_CONFIG).is_file():
            return {}, "built-in defaults (no ./config.toml)"
        path = _DEFAULT_CONFIG
    with open(path, "rb") as fh:
        return tomllib.load(fh), path


def check_ner(ner_config: Any, load: bool) -> ModelStatus:
    """Whether the configured NER backend is installed, found and (with `load`) runs."""
    from detectors.config import ConfigError

    backend = ner_config.backend
    if backend == "none":
        return ModelStatus(
            "ner",
            DISABLED,
            backend,
            '[detectors.ner] backend = "none": PERSON uses the lexicon recognizer only. '
            "See docs/NER.md to enable CKIP NER.",
        )
    try:
        from detectors.ner import build_backend

        stage = build_backend(ner_config)
    except ConfigError as exc:
        return ModelStatus("ner", ERROR, backend, str(exc))
    model_ref = getattr(stage.backend, "model_ref", ner_config.model)
    if not load:
        return ModelStatus("ner", OK, backend, f"model {model_ref} found (not loaded: --no-load)")
    started = time.monotonic()
    try:
        [entities] = stage.backend.predict([_NER_PROBE])
    except ConfigError as exc:
        return ModelStatus("ner", ERROR, backend, str(exc))
    except Exception as exc:
        return ModelStatus(
            "ner", ERROR, backend, f"model {model_ref} failed on a probe: {type(exc).__name__}"
        )
    seconds = time.monotonic() - started
    window = getattr(stage.backend, "window_size", ner_config.max_chars)
    return ModelStatus(
        "ner",
        OK,
        backend,
        f"model {model_ref} loaded and ran (window {window} chars, batch "
        f"{ner_config.batch_size}, gate {'on' if ner_config.gate else 'off'}; "
        f"{len(entities)} entities on the probe)",
        round(seconds, 2),
    )


def check_ocr(media: dict[str, Any], load: bool) -> ModelStatus:
    """Whether the OCR engine used for images and scanned PDFs is installed and (with `load`)
    builds and reads an image."""
    backend = "rapidocr"
    if media.get("enabled", True) is False:
        return ModelStatus("ocr", DISABLED, backend, "[media] enabled = false: no OCR")
    try:
        ocr = importlib.import_module("detectors.media.ocr")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("detectors.media"):
            return ModelStatus("ocr", ERROR, backend, "detectors.media.ocr is not in this build")
        return ModelStatus("ocr", ERROR, backend, f"missing Python package: {exc.name}")
    missing = [m for m in ("rapidocr", "onnxruntime") if importlib.util.find_spec(m) is None]
    if missing:
        return ModelStatus(
            "ocr",
            ERROR,
            backend,
            f"missing Python packages: {', '.join(missing)} (pip install rapidocr onnxruntime)",
        )
    if not load:
        return ModelStatus("ocr", OK, backend, "rapidocr and onnxruntime installed (not loaded)")
    from PIL import Image

    started = time.monotonic()
    try:
        lines = ocr.recognise(Image.new("RGB", (160, 48), "white"))
    except Exception as exc:
        return ModelStatus("ocr", ERROR, backend, f"OCR engine failed: {type(exc).__name__}")
    seconds = time.monotonic() - started
    return ModelStatus(
        "ocr",
        OK,
        backend,
        f"engine built and ran (PP-OCRv6 models in the wheel; {len(lines)} lines on a blank "
        "probe image)",
        round(seconds, 2),
    )


def run(args: argparse.Namespace) -> int:
    from detectors.config import ConfigError, DetectorConfig

    try:
        doc, source = _read_config(args.config)
        detectors = DetectorConfig.from_mapping(doc.get("detectors"))
    except (OSError, tomllib.TOMLDecodeError, ConfigError, TypeError) as exc:
        print(f"dlpbot models: 設定檔無法讀取 (cannot read configuration): {exc}", file=sys.stderr)
        return 2
    load = not args.no_load
    results: list[ModelStatus] = []
    if args.only in (None, "ner"):
        results.append(check_ner(detectors.ner, load))
    if args.only in (None, "ocr"):
        results.append(check_ocr(dict(doc.get("media") or {}), load))
    failed = any(r.status == ERROR for r in results)
    if args.json:
        print(
            json.dumps(
                {"config": source, "ok": not failed, "models": [asdict(r) for r in results]},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(f"設定 (config): {source}")
        for r in results:
            timing = f" [{r.load_seconds:.1f}s]" if r.load_seconds is not None else ""
            print(f"{r.component.upper()} ({r.backend}): {_STATUS_TEXT[r.status]}{timing}")
            print(f"  {r.detail}")
    return 1 if failed else 0
