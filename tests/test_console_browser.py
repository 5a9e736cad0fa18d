"""The web console in a real browser: headless Chromium against `dlpbot console`'s server.

Proves what a person sees: a visitor who has not logged in gets no incident data at all; after
logging in through the password form the masked incident list, its facets and the zh-TW labels
are on screen, and raw values are not. Skipped only when no Chromium binary exists (.ci/run
installs Debian's `chromium`).
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from datasette_auth_passwords.utils import hash_password

from bot.review.console import ConsoleConfig, build_datasette
from bot.review.sample import seed
from bot.store import Store

chromium_cdp = pytest.importorskip("chromium_cdp")
BINARY = chromium_cdp.chromium_binary()
pytestmark = [
    pytest.mark.skipif(BINARY is None, reason="chromium binary not installed (apt chromium)"),
    pytest.mark.slow,
]

PASSWORD = "correct horse battery staple"
ENV = {"DLPBOT_CONSOLE_PASSWORD_HASH": hash_password(PASSWORD, iterations=1000)}
RAW_VALUES = ("A123456789", "0912345678", "Hunter2!")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def console_url(tmp_path: Path) -> AsyncIterator[str]:
    """The console served by uvicorn on a free local port (the same app `dlpbot console` runs)."""
    import uvicorn

    path = tmp_path / "dlpbot.db"
    store = Store(path, hmac_key=b"h" * 32, content_key=b"c" * 32)
    seed(store, month="2026-11", count=24)
    store.close()
    ds = build_datasette(path, ConsoleConfig(), ENV)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(ds.app(), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_browser_without_login_sees_nothing_and_after_login_sees_masked_incidents(
    console_url: str,
) -> None:
    async with chromium_cdp.chromium_page(BINARY) as page:
        for path in ("/", "/dlpbot/console_incidents", "/dlpbot/monthly_by_unit?month=2026-11"):
            await page.navigate(console_url + path)
            text = await page.text()
            assert "Forbidden" in text or "403" in text, path
            assert "臺北市政府" not in text and "TW_NATIONAL_ID" not in text, path

        await page.navigate(console_url + "/-/login")
        await page.submit_form({"username": "ethics", "password": PASSWORD})
        await page.navigate(console_url + "/dlpbot/console_incidents")
        text = await page.text()
        assert "事件列表" in text and "24 rows" in text
        assert "臺北市政府警察局刑事大隊" in text and "TW_NATIONAL_ID:A1******89" in text
        for facet in ("chat_title", "categories", "status", "week"):
            assert await page.evaluate(f"!!document.querySelector('[data-column=\"{facet}\"]')")
        assert not any(v in text for v in RAW_VALUES)
        png = await page.screenshot()
        assert png.startswith(b"\x89PNG") and len(png) > 20_000

        await page.navigate(console_url + "/dlpbot/monthly_by_category?month=2026-11")
        assert "個人資料" in await page.text()
        await page.navigate(console_url + "/dlpbot/incidents")
        assert "臺北市政府" not in await page.text()  # the raw table stays forbidden


async def test_chromium_cli_dump_dom_of_the_console_is_empty_without_login(
    console_url: str, tmp_path: Path
) -> None:
    """The brief's plain CLI form: `chromium --headless --dump-dom URL` (no cookies)."""
    proc = await asyncio.create_subprocess_exec(
        BINARY,
        *[f for f in chromium_cdp.FLAGS if not f.startswith("--remote-debugging")],
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        console_url + "/dlpbot/console_incidents",
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    dom = out.decode("utf-8", "replace")
    assert "<html" in dom and "Forbidden" in dom
    assert "臺北市政府" not in dom and "masked_findings" not in dom
