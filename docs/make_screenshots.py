"""Regenerate the README screenshots in docs/screenshots/ from the real code, offline.

    .venv/bin/python docs/make_screenshots.py [--out DIR]   # default docs/screenshots/

- alert.png: the real bot (bot.app.build_application) runs against the local Telegram
  simulator; a member leaks, the ethics alert arrives, a reviewer presses 確認違規 and the alert
  is updated in place. The alert and the sender's warning DM are drawn as chat bubbles (the
  simulator has no UI) and photographed by headless Chromium.
- chart.png: `/stats`'s chart (bot.review.charts) for sample incidents.
- console.png: the Datasette console after logging in, in headless Chromium.

All data are the fictitious sample incidents of bot/review/sample.py. Needs Chromium and, for
faithful glyphs, fonts-noto-cjk and fonts-noto-color-emoji (the alert starts with 🚨).
tests/test_review_screenshots.py runs this script, so it cannot silently rot.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bot.app import build_application  # noqa: E402
from bot.config import AppConfig, Keys  # noqa: E402
from bot.review.charts import render_month_chart  # noqa: E402
from bot.review.console import ConsoleConfig, open_console  # noqa: E402
from bot.review.sample import seed  # noqa: E402
from bot.review.service import Actor, ReviewService  # noqa: E402
from bot.simulator import SimMessage, Simulator  # noqa: E402
from bot.store import Store  # noqa: E402

PASSWORD = "screenshot-only-password"
KEY = b"c" * 32
HMAC = b"h" * 32


def bubble(title: str, message: SimMessage) -> str:
    text = html.escape(message.text or "").replace("\n", "<br>")
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    buttons = "".join(
        "<div class=row>"
        + "".join(f"<span class=btn>{html.escape(b['text'])}</span>" for b in row)
        + "</div>"
        for row in rows
    )
    return f"<section><h2>{html.escape(title)}</h2><div class=msg>{text}</div>{buttons}</section>"


PAGE = """<!doctype html><html lang=zh-Hant><meta charset=utf-8><style>
body {{ margin:0; padding:24px; background:#8fb3c9; font-family:'Noto Sans CJK TC',sans-serif;
       display:flex; gap:32px; align-items:flex-start; }}
section {{ width:560px; }}
h2 {{ color:#fff; font-size:18px; margin:0 0 8px; text-shadow:0 1px 2px #0006; }}
.msg {{ background:#fff; border-radius:14px; padding:14px 16px; font-size:16px; line-height:1.6;
        box-shadow:0 1px 2px #0003; }}
.row {{ display:flex; gap:6px; margin-top:6px; }}
.btn {{ flex:1; text-align:center; background:#4f7590; color:#fff; border-radius:10px;
        padding:9px 0; font-size:15px; font-weight:600; }}
</style><body>{body}</body></html>"""


async def alert_screenshot(tmp: Path, out: Path) -> None:
    from chromium_cdp import chromium_page

    async with Simulator() as sim:
        ethics = sim.create_chat("政風室")
        group = sim.create_chat("刑事大隊工作群")
        reviewer = sim.add_user("陳科員", started_bot=True)
        sender = sim.add_user("林志明", started_bot=True)
        cfg = AppConfig.from_mapping(
            {
                "telegram": {"base_url": sim.base_url, "base_file_url": sim.base_file_url},
                "policy": {"default_mode": "enforce"},
                "ethics": {"chat_id": ethics.id, "staff": [reviewer.id]},
            }
        )
        store = Store(tmp / "alert.db", hmac_key=HMAC, content_key=KEY)
        app = build_application(
            cfg, sim.token, Keys(KEY, HMAC), store=store, media=None, check_rights_at_start=False
        )
        async with sim.polling(app, timeout=0.5):
            sim.inject_message(group, sender, "檢舉人 陳美玲 身分證 A123456789 電話 0912345678")
            await sim.wait_for(lambda: sim.sent_messages(ethics), timeout=15)
            alert = sim.sent_messages(ethics)[0]
            sim.press_button(ethics, alert, reviewer, alert.callback_data[0])
            await sim.wait_for(lambda: sim.calls("editMessageText"), timeout=15)
            dm_chat = sim.private_chat(sender)
            await sim.wait_for(lambda: sim.sent_messages(dm_chat), timeout=15)
            alert = sim.message(ethics, alert.message_id)
            warning = sim.sent_messages(dm_chat)[0]
        store.close()
    page_path = tmp / "alert.html"
    body = bubble("政風室：事件通報（已按「確認違規」）", alert) + bubble(
        "傳送者收到的私訊提醒", warning
    )
    page_path.write_text(PAGE.format(body=body), encoding="utf-8")
    async with chromium_page() as page:
        await page.navigate(page_path.as_uri())
        height = int(await page.evaluate("document.body.scrollHeight"))
        (out / "alert.png").write_bytes(await page.screenshot(width=1260, height=height + 10))


def chart_screenshot(db: Path, out: Path) -> None:
    store = Store(db, hmac_key=HMAC, content_key=KEY)
    rows = ReviewService(store).month_rows("2026-11")
    (out / "chart.png").write_bytes(render_month_chart(rows, "2026-11", "zh-TW"))
    store.close()


async def console_screenshot(db: Path, out: Path) -> None:
    import uvicorn
    from chromium_cdp import chromium_page
    from datasette_auth_passwords.utils import hash_password

    env: dict[str, Any] = {"DLPBOT_CONSOLE_HASH_CHEN": hash_password(PASSWORD)}
    _, app, audit = open_console(db, ConsoleConfig(accounts=["chen"]), env)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        async with chromium_page() as page:
            await page.navigate(base + "/-/login")
            await page.submit_form({"username": "chen", "password": PASSWORD})
            await page.navigate(base + "/dlpbot/console_incidents")
            (out / "console.png").write_bytes(await page.screenshot(width=1400, height=1100))
    finally:
        server.should_exit = True
        await task
        audit.close()


async def main(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        db = tmp / "dlpbot.db"
        store = Store(db, hmac_key=HMAC, content_key=KEY)
        ids = seed(store, month="2026-11", count=40)
        service = ReviewService(store)
        for n, incident_id in enumerate(ids[:18]):
            status = ("confirmed", "false_positive", "follow_up")[n % 3]
            service.set_status(incident_id, status, Actor(9001, "陳科員"))
        store.close()
        chart_screenshot(db, out)
        await console_screenshot(db, out)
        await alert_screenshot(tmp, out)
    for name in ("alert.png", "chart.png", "console.png"):
        print(out / name, (out / name).stat().st_size, "bytes")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output directory")
    asyncio.run(main(parser.parse_args().out))
