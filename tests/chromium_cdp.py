"""Drive Debian's headless Chromium through the DevTools protocol, with aiohttp only.

Why not selenium/playwright: both would be new dependencies for two uses (the console browser
test and docs/make_screenshots.py); the DevTools protocol over a websocket needs nothing beyond
aiohttp, which the bot already uses. Chromium runs with the flags the brief prescribes (no
sandbox, no GPU, no background networking, throw-away profile) and is killed on exit.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Page:
    """One tab: navigate, evaluate JavaScript, take screenshots."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self._ids = itertools.count(1)
        self._events: list[dict[str, Any]] = []

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        msg_id = next(self._ids)
        await self.ws.send_json({"id": msg_id, "method": method, "params": params})
        while True:
            data = json.loads((await self.ws.receive(timeout=30)).data)
            if data.get("id") == msg_id:
                if "error" in data:
                    raise RuntimeError(f"{method}: {data['error']}")
                return data.get("result", {})
            self._events.append(data)

    async def wait_event(self, method: str, timeout: float = 15) -> dict[str, Any]:
        for i, event in enumerate(self._events):
            if event.get("method") == method:
                return self._events.pop(i)
        async with asyncio.timeout(timeout):
            while True:
                data = json.loads((await self.ws.receive()).data)
                if data.get("method") == method:
                    return data
                self._events.append(data)

    async def navigate(self, url: str) -> None:
        self._events.clear()
        await self.send("Page.navigate", url=url)
        await self.wait_event("Page.loadEventFired")

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        return result.get("result", {}).get("value")

    async def text(self) -> str:
        return str(await self.evaluate("document.body ? document.body.innerText : ''"))

    async def html(self) -> str:
        return str(await self.evaluate("document.documentElement.outerHTML"))

    async def submit_form(self, values: dict[str, str], selector: str = "form") -> None:
        """Fill inputs by name and submit like a person pressing the button (one navigation)."""
        self._events.clear()
        script = (
            f"(() => {{ const f = document.querySelector({json.dumps(selector)});"
            f" const v = {json.dumps(values)};"
            ' for (const k in v) { f.querySelector(`[name="${k}"]`).value = v[k]; }'
            " const b = f.querySelector('[type=submit]'); b ? b.click() : f.submit(); })()"
        )
        await self.evaluate(script)
        await self.wait_event("Page.loadEventFired")

    async def screenshot(self, width: int = 1280, height: int = 800, full: bool = False) -> bytes:
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        params: dict[str, Any] = {"format": "png"}
        if full:
            params["captureBeyondViewport"] = True
        shot = await self.send("Page.captureScreenshot", **params)
        return base64.b64decode(shot["data"])


@contextlib.asynccontextmanager
async def chromium_page(binary: str | None = None) -> AsyncIterator[Page]:
    """Start Chromium, yield its first tab, and always kill it afterwards."""
    exe = binary or chromium_binary()
    if exe is None:
        raise FileNotFoundError("chromium is not installed")
    profile = Path(tempfile.mkdtemp(prefix="dlpbot-chromium-"))
    proc = subprocess.Popen(
        [exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        async with asyncio.timeout(30):
            while not port_file.exists() or not port_file.read_text().strip():
                if proc.poll() is not None:
                    raise RuntimeError(f"chromium exited with {proc.returncode}")
                await asyncio.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/json/list") as resp:
                targets = await resp.json()
            page_target = next(t for t in targets if t.get("type") == "page")
            async with http.ws_connect(page_target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                page = Page(ws)
                await page.send("Page.enable")
                yield page
    finally:
        proc.kill()
        proc.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)
