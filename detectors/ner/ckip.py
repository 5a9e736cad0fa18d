"""CKIP Transformers NER (`CkipNerChunker`) as a backend of the PERSON detector.

Why lazily: torch, transformers and ckip-transformers are an optional extra (`dlpbot[ner]`),
cost ~4 s to import and ~800 MiB for a bert-base model. Constructing the backend only checks
that the model can be found (so a wrong path fails at start-up with instructions); the model is
loaded once, on first use, under a lock, in whatever thread calls `predict`. The bot calls the
scanner off the event loop (in a worker thread), so that first load never blocks Telegram I/O.

Why our own windows and batches: CKIP's driver splits long inputs at arbitrary points without
overlap, and pads every input of one call to the longest. We cut overlapping windows
(`windows.plan_windows`) and call the driver once per batch of windows of similar length.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from detectors.config import NerConfig
from detectors.keywords import IMPORT_LOCK
from detectors.ner.errors import HOW_TO_INSTALL, HOW_TO_PROVIDE_MODEL, NerUnavailable
from detectors.ner.types import NerEntity
from detectors.ner.windows import Window, batched, plan_windows

log = logging.getLogger(__name__)

# The model vocabulary (bert-base-chinese) has only lower-case Latin letters and CKIP's driver
# looks characters up one by one without the tokenizer's lower-casing; ASCII lower-casing keeps
# the length, so offsets stay valid.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_BIOES = frozenset("BIOES")
# "owner/name" as the Hugging Face hub spells repository ids; anything else is a local path.
_HF_ID = re.compile(r"[A-Za-z0-9][\w.\-]*/[\w.\-]+")


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def resolve_model(model: str) -> str:
    """Return what to hand `from_pretrained`: a local directory, or a Hugging Face id that can
    be loaded (cached, or downloadable when not offline). Raise `NerUnavailable` otherwise."""
    if not model.strip():
        raise NerUnavailable(f"[detectors.ner] model is not set. {HOW_TO_PROVIDE_MODEL}")
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise NerUnavailable(
                f"NER model directory {path} has no config.json (incomplete copy?). "
                f"{HOW_TO_PROVIDE_MODEL}"
            )
        return str(path)
    if not _HF_ID.fullmatch(model) or _looks_like_path(model):
        raise NerUnavailable(f"NER model directory {path} does not exist. {HOW_TO_PROVIDE_MODEL}")
    # A Hugging Face id ("ckiplab/bert-base-chinese-ner"): usable if it is in the local cache,
    # or when downloads are allowed. Never contact the hub here.
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError as exc:
        raise NerUnavailable(HOW_TO_INSTALL) from exc
    cached = try_to_load_from_cache(model, "config.json")
    if isinstance(cached, str):
        return model
    if _offline():
        raise NerUnavailable(
            f"NER model {model!r} is not in the local Hugging Face cache and HF_HUB_OFFLINE is "
            f"set. {HOW_TO_PROVIDE_MODEL}"
        )
    return model


def _looks_like_path(model: str) -> bool:
    """"models/bert-base-chinese-ner" is a mistyped folder, not a hub id, when its first part
    is a folder here; "./x", "../x", "~/x" and absolute paths are never hub ids."""
    if model.startswith((".", "~", "/", "\\")) or (len(model) > 1 and model[1] == ":"):
        return True
    return Path(model.split("/", 1)[0]).expanduser().is_dir()


def require_installed() -> None:
    """Raise `NerUnavailable` with install instructions when the `ner` extra is missing."""
    missing = [
        m for m in ("ckip_transformers", "transformers", "torch") if not importlib.util.find_spec(m)
    ]
    if missing:
        raise NerUnavailable(f"missing Python packages: {', '.join(missing)}. {HOW_TO_INSTALL}")


class CkipBackend:
    """Named-entity recognition with a CKIP BERT token classifier, loaded on first use."""

    name = "ckip_ner"

    def __init__(self, config: NerConfig) -> None:
        require_installed()
        self.config = config
        self.model_ref = resolve_model(config.model)
        self._chunker: Any = None
        self._window = max(2, config.max_chars)
        self._lock = threading.Lock()
        self.load_seconds: float | None = None

    @property
    def loaded(self) -> bool:
        return self._chunker is not None

    @property
    def window_size(self) -> int:
        """Characters per model call (after `load`, capped by what the model can read)."""
        return self._window

    def load(self) -> None:
        """Import the libraries and load the model; idempotent and thread-safe."""
        if self._chunker is not None:
            return
        with self._lock:
            if self._chunker is not None:
                return
            started = time.monotonic()
            # The keyword matcher briefly hides torch from thinc while importing spaCy; taking
            # the same lock here means the real torch import never runs inside that window.
            with IMPORT_LOCK:
                _apply_thread_limit()
                import torch  # noqa: F401 (imported under the lock on purpose)
            try:
                from ckip_transformers.nlp import CkipNerChunker

                chunker = CkipNerChunker(model_name=self.model_ref, device=self.config.device)
            except Exception as exc:  # missing or corrupt weights raise many different types
                raise NerUnavailable(
                    f"cannot load NER model {self.model_ref!r} ({type(exc).__name__}). "
                    f"{HOW_TO_PROVIDE_MODEL}"
                ) from exc
            _check_labels(chunker.model.config.id2label)
            limits = [self.config.max_chars, chunker.tokenizer.model_max_length - 2]
            positions = getattr(chunker.model.config, "max_position_embeddings", None)
            if isinstance(positions, int):
                limits.append(positions - 2)
            self._window = max(2, min(limits))
            chunker.model.eval()
            self._chunker = chunker
            self.load_seconds = time.monotonic() - started
            log.info(
                "NER model loaded in %.1fs (window %d chars, batch %d)",
                self.load_seconds,
                self._window,
                self.config.batch_size,
            )

    def predict(self, texts: Sequence[str]) -> list[list[NerEntity]]:
        """Entities of every text, offsets in that text. One model call per batch of windows."""
        self.load()
        overlap = self.config.overlap
        plans: list[list[Window]] = [plan_windows(t, self._window, overlap) for t in texts]
        jobs = [
            (ti, w)
            for ti, windows in enumerate(plans)
            for w in windows
            if w.end > w.start and texts[ti][w.start : w.end].strip()
        ]
        # Similar lengths together: the driver pads a whole call to its longest input.
        jobs.sort(key=lambda job: job[1].end - job[1].start)
        found: list[set[NerEntity]] = [set() for _ in texts]
        for batch in batched(jobs, self.config.batch_size):
            inputs = [texts[ti][w.start : w.end].translate(_ASCII_LOWER) for ti, w in batch]
            outputs = self._chunker(inputs, batch_size=len(inputs), show_progress=False)
            for (ti, w), tokens in zip(batch, outputs, strict=True):
                for tok in tokens:
                    start, end = tok.idx
                    if w.owns(start):
                        found[ti].add(NerEntity(tok.ner, w.start + start, w.start + end))
        return [sorted(s, key=lambda e: (e.start, e.end, e.label)) for s in found]


def _apply_thread_limit() -> None:
    """Honour DLPBOT_NER_THREADS (torch intra-op threads for this process).

    Why: on a shared 2-core server (scan workers, OCR processes) torch's default of one thread
    per core oversubscribes the CPU; bench/bench_ner.py measured a single bert-base message at
    ~1,030 ms with 2 threads against ~170 ms with 1 under the same background load.
    """
    value = os.environ.get("DLPBOT_NER_THREADS", "").strip()
    if not value:
        return
    try:
        threads = int(value)
    except ValueError:
        log.warning("DLPBOT_NER_THREADS=%r is not a number; ignored", value)
        return
    if threads > 0:
        import torch

        torch.set_num_threads(threads)


def _check_labels(id2label: dict[Any, str]) -> None:
    """Refuse a model that is not a BIOES NER tagger (e.g. CKIP's word segmenter by mistake)."""
    labels = list(id2label.values())
    ok = bool(labels) and all(
        lab == "O" or (lab[:1] in _BIOES and lab[1:2] == "-" and len(lab) > 2) for lab in labels
    )
    if not ok or not any(lab.endswith("-PERSON") for lab in labels):
        raise NerUnavailable(
            "the configured model is not a CKIP NER model (its labels are not BIOES tags with "
            f"PERSON). {HOW_TO_PROVIDE_MODEL}"
        )
