"""docs/make_screenshots.py still regenerates the README screenshots from the real code: the
real bot against the simulator (alert), the /stats chart, the audited console in Chromium."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

chromium_cdp = pytest.importorskip("chromium_cdp")
ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.skipif(
        chromium_cdp.chromium_binary() is None, reason="chromium binary not installed"
    ),
    pytest.mark.slow,
]


@pytest.mark.timeout(240)
def test_make_screenshots_regenerates_alert_chart_and_console_images(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "make_screenshots.py"), "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=220,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    sizes = {}
    for name in ("alert", "chart", "console"):
        image = Image.open(tmp_path / f"{name}.png")
        assert image.format == "PNG"
        sizes[name] = image.size
    assert sizes["chart"] == (1000, 750) and sizes["console"] == (1400, 1100)
    assert sizes["alert"][0] == 1260 and sizes["alert"][1] > 300
    # The committed copies are the ones README embeds.
    for name in ("alert", "chart", "console"):
        assert (ROOT / "docs" / "screenshots" / f"{name}.png").stat().st_size > 20_000
