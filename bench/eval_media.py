"""Entity recall of the media pipeline on tests/media (see detectors/media/evaluate.py).

    .venv/bin/python bench/eval_media.py [--json] [--reveal]

Exits 1 when a target is missed (screenshots >= 0.9, photos >= 0.8, no benign file flagged).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from detectors.media.evaluate import main

if __name__ == "__main__":
    sys.exit(main())
