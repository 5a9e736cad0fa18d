"""The web console in a real browser: headless Chromium against `dlpbot console`'s server.

Proves what a person sees: a visitor who has not logged in gets no incident data at all (and
leaves no audit entry); after a staffer logs in with their own account through the password form
the masked incident list, its facets and the zh-TW labels are on screen, raw values are not, and
each page they open is in the append-only audit log under their name. Skipped only when no
Chromium binary exists (.ci/run installs Debian's `chromium`).
"""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from datasette_auth_passwords.utils import hash_password

from bot.review.console import ConsoleConfig, open_console
from bot.review.sample import seed
from bot.store import Store

chromium_cdp = pytest.importorskip("chromium_cdp")
BINARY = chromium_cdp.chromium_binary()
pytestmark = [
    pytest.mark.skipif(BINARY is None, reason="chromium binary not installed (apt chromium)"),
    pytest.mark.slow,
]

PASSWORD = "correct horse battery staple"
ENV = {
    "DLPBOT_CONSOLE_HASH_CHEN": hash_password(PASSWORD, iterations=1000),
    "DLPBOT_CONSOLE_HASH_LIN": hash_password("lin's own long passphrase", iterations=1000),
}
CONFIG = ConsoleConfig(accounts=["chen", "lin"])
RAW_VALUES = ("A123456789", "0912345678", "Hunter2!")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Console:
    url: str
    db: Path

    def audit(self, after: int = 0) -> list[dict]:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            rows = conn.execute(
                "SELECT id, actor_name, action, target, detail FROM audit_log WHERE id > ?"
                " ORDER BY id",
                (after,),
            ).fetchall()
        finally:
            conn.close()
        return [
            {"id": r[0], "actor": r[1], "action": r[2], "target": r[3], **json.loads(r[4])}
            for r in rows
        ]


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    """The console served by uvicorn on a free local port: the same audited app `dlpbot
    console` runs (bot.review.console.open_console)."""
    import uvicorn

    path = tmp_path / "dlpbot.db"
    store = Store(path, hmac_key=b"h" * 32, content_key=b"c" * 32)
    seed(store, month="2026-11", count=24)
    store.close()
    _, app, audit = open_console(path, CONFIG, ENV)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield Console(f"http://127.0.0.1:{port}", path)
    finally:
        server.should_exit = True
        await task
        audit.close()


async def test_browser_without_login_sees_nothing_and_after_login_sees_masked_incidents(
    console: Console,
) -> None:
    console_url = console.url
    started = console.audit()[-1]["id"]  # console_start
    async with chromium_cdp.chromium_page(BINARY) as page:
        for path in ("/", "/dlpbot/console_incidents", "/dlpbot/monthly_by_unit?month=2026-11"):
            await page.navigate(console_url + path)
            text = await page.text()
            assert "Forbidden" in text or "403" in text, path
            assert "臺北市政府" not in text and "TW_NATIONAL_ID" not in text, path
        assert console.audit(started) == []  # nobody logged in: nothing to attribute

        await page.navigate(console_url + "/-/login")
        await page.submit_form({"username": "chen", "password": PASSWORD})
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

        # Every page chen opened is in the audit log under chen's name, and the console's own
        # audit view shows it to the next reviewer.
        entries = [(e["action"], e["actor"], e["target"]) for e in console.audit(started)]
        assert ("console_login", "chen", "/-/login") in entries
        assert ("console_view", "chen", "/dlpbot/console_incidents") in entries
        assert ("console_view", "chen", "/dlpbot/monthly_by_category") in entries
        assert ("denied", "chen", "/dlpbot/incidents") in entries
        assert {e[1] for e in entries} == {"chen"}
        await page.navigate(console_url + "/dlpbot/audit_log?action=console_view")
        assert "chen" in await page.text() and "console_view" in await page.text()


async def test_chromium_cli_dump_dom_of_the_console_is_empty_without_login(
    console: Console, tmp_path: Path
) -> None:
    """The brief's plain CLI form: `chromium --headless --dump-dom URL` (no cookies)."""
    console_url = console.url
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
