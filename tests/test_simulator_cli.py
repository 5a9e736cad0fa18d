"""`dlpbot simulator` runs a standalone server another process can use, and stops cleanly."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_simulator_command_serves_seeded_chats_until_terminated() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "simulator",
            "--port",
            "0",
            "--group",
            "稽核科",
            "--user",
            "Alice",
            "--log-level",
            "WARNING",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert url, first
        with urllib.request.urlopen(f"{url.group()}/_control/state", timeout=5) as resp:
            state = json.load(resp)["result"]
        assert [c["title"] for c in state["chats"]] == ["稽核科"]
        assert any(u["first_name"] == "Alice" and u["started_bot"] for u in state["users"])
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
