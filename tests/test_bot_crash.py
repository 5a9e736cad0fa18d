"""A hard crash mid-stream loses nothing and repeats nothing: the real `dlpbot run` polls a real
`dlpbot simulator` (two processes), is killed with SIGKILL while a burst of leaks is being
handled, and is started again. Telegram (the simulator) redelivers every update the bot had not
confirmed; each leak ends with exactly one incident, one successful deletion, and at most one
warning and one alert."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:SIMULATOR-test-token"  # the simulator's built-in token
LEAK = "民眾資料：身分證 A123456789，電話 0912-345-678"
N = 8


def _control(url: str, action: str, **kwargs: Any) -> Any:
    req = urllib.request.Request(
        f"{url}/_control/{action}",
        data=json.dumps(kwargs).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())["result"]


def _get(url: str, path: str) -> Any:
    with urllib.request.urlopen(f"{url}{path}", timeout=10) as resp:
        return json.loads(resp.read())["result"]


def _wait(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(what)


def _rows(db: Path, sql: str) -> list[tuple]:
    if not db.exists():
        return []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:  # schema not created yet
        return []
    finally:
        conn.close()


def _start_simulator(log: Path) -> tuple[subprocess.Popen, str, int, int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "simulator", "--port", "0",
         "--group", "中正一分局偵查隊", "--user", "志明", "--log-level", "WARNING"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=log.open("wb"), text=True,
    )  # fmt: skip
    url = group = user = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if "(simulator):" in line:
            url = line.split("):", 1)[1].strip()
        elif line.strip().startswith("group "):
            group = int(line.split()[1].rstrip(":"))
        elif line.strip().startswith("user "):
            user = int(line.split()[1].rstrip(":"))
        elif "Ctrl-C" in line:
            break
    assert url and group and user, "simulator did not start"
    return proc, url, group, user


def _start_bot(config: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DLPBOT_TOKEN": TOKEN,
        "DLPBOT_HMAC_KEY": "11" * 32,
        "DLPBOT_CONTENT_KEY": "22" * 32,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--config", str(config)],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_bot_killed_mid_stream_handles_every_update_once_after_restart(tmp_path: Path) -> None:
    sim, url, group, user = _start_simulator(tmp_path / "sim.log")
    bot: subprocess.Popen | None = None
    try:
        ethics = _control(url, "create_chat", title="政風室通報群")["id"]
        db = tmp_path / "bot.db"
        config = tmp_path / "config.toml"
        config.write_text(
            f"""
[telegram]
base_url = "{url}/bot"
base_file_url = "{url}/file/bot"
poll_timeout = 1
backoff_seconds = 0.05
overall_max_rate = 1000.0
group_max_rate = 1000.0
group_time_period = 1.0
[policy]
default_mode = "enforce"
alert_min_severity = "medium"
[ethics]
chat_id = {ethics}
[store]
path = "{db}"
[media]
enabled = false
""",
            encoding="utf-8",
        )
        bot_log = tmp_path / "bot.log"
        bot = _start_bot(config, bot_log)
        _wait(lambda: _rows(db, "SELECT 1 FROM meta"), 60, "bot did not start")
        # A slow Telegram: each deletion takes 0.4 s, so the kill lands mid-stream.
        _control(url, "delay", method="deleteMessage", seconds=0.4)
        sent = [
            _control(url, "inject_message", chat=group, user=user, text=f"{LEAK} 第{i}筆")
            for i in range(N)
        ]
        ids = sorted(m["message_id"] for m in sent)
        _wait(lambda: len(_rows(db, "SELECT id FROM incidents")) >= 3, 60, "no incidents")
        bot.send_signal(signal.SIGKILL)
        bot.wait(10)
        before = len(_rows(db, "SELECT id FROM incidents"))
        assert before < N, "the kill came too late to prove anything"

        _control(url, "clear_faults")
        bot = _start_bot(config, bot_log)

        def done() -> bool:
            state = _get(url, "/_control/state")
            handled = len(_rows(db, "SELECT update_id FROM processed_updates"))
            busy = any(c["status"] is None for c in _get(url, "/_control/calls")
                       if c["method"] != "getUpdates")  # fmt: skip
            return state["pending_updates"] == 0 and handled >= N and not busy

        _wait(done, 90, "the restarted bot did not handle the redelivered updates")
        time.sleep(1.0)  # background warnings and alerts

        incidents = _rows(db, "SELECT message_id, update_id, action_taken FROM incidents")
        assert sorted(r[0] for r in incidents) == ids  # none lost, none recorded twice
        assert len({r[1] for r in incidents}) == N and all(r[2] == "deleted" for r in incidents)
        messages = _get(url, f"/_control/chats/{group}/messages")
        assert all(m["deleted"] for m in messages if m["message_id"] in ids)
        calls = _get(url, "/_control/calls")
        deleted_ok = [c for c in calls if c["method"] == "deleteMessage" and c["status"] == 200]
        assert sorted(int(c["params"]["message_id"]) for c in deleted_ok) == ids  # once each

        def sends_to(chat_id: int) -> int:
            return len([c for c in calls if c["method"] == "sendMessage"
                        and str(c["params"]["chat_id"]) == str(chat_id)
                        and c["status"] == 200])  # fmt: skip

        warned = _rows(db, "SELECT warned_via, alert_state FROM incidents")
        # Every warning and alert was either delivered once or cut off by the kill (then it
        # is "unconfirmed" and never repeated): never two for one message.
        assert {w for w, _ in warned} <= {"dm", "unconfirmed"}
        assert {a for _, a in warned} <= {"sent", "unconfirmed"}
        assert sum(w == "dm" for w, _ in warned) <= sends_to(user) <= N
        assert sum(a == "sent" for _, a in warned) <= sends_to(ethics) <= N
    finally:
        for proc in (bot, sim):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
