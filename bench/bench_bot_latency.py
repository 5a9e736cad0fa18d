"""Update-to-deleteMessage latency of the real bot, through the local simulator, at a sustained
message rate.

    python bench/bench_bot_latency.py [--rate 50] [--seconds 10] [--leak-ratio 0.2] [--json]

Two processes: the simulator and the load generator in a child, the real bot (the same
`build_application` as `dlpbot run`) in this one, talking HTTP over 127.0.0.1.

What is measured: messages are injected into one unit group at `--rate` per second (a steady
clock, not bursts); a fraction `--leak-ratio` of them carry a national ID and a phone number and
must be deleted. For each leak, latency = time the simulator received the bot's deleteMessage
for it − time the message was queued as an update. That includes long polling, PTB dispatch,
the restart-safety bookkeeping (processed_updates), the scan, the incident write and the HTTP
round trip — everything between Telegram having the message and the bot asking to delete it.
Warnings and ethics alerts are sent too (they are part of the load), with the production
client-side rate limits (30 requests/s overall), since they compete with deletions.

Why not a timed unit test: the figure depends on the machine and its load; a test would be
either flaky or meaningless. Target: p99 <= 100 ms for text. Results go to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENIGN = [
    "各位早安，今天下午三點開勤前教育，記得帶筆記。",
    "會議改到三樓第二會議室，請準時出席。",
    "公文已經送出，麻煩科長有空幫忙核一下。",
    "中午便當訂好了，雞腿飯十個、素食兩個。",
    "明天值班表已更新，請大家確認自己的班別。",
]
# Checksum-valid fake ID numbers (first letter + 8 digits + check digit), one per leak.
_LETTERS = "ABCDEFGHJKLMNPQRSTUVXYWZIO"


def fake_id(n: int) -> str:
    """The n-th syntactically valid national ID (fictitious: generated, not anyone's)."""
    from detectors.checksums import is_national_id

    letter = _LETTERS[n % len(_LETTERS)]
    body = f"{1 + n % 2}{n % 10_000_000:07d}"
    for check in range(10):
        candidate = f"{letter}{body}{check}"
        if is_national_id(candidate):
            return candidate
    raise ValueError("no check digit")  # pragma: no cover - every body has exactly one


def leak_text(n: int) -> str:
    return f"民眾資料：身分證 {fake_id(n)}，電話 09{n % 100_000_000:08d}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def simulator_process(conn: Connection, rate: float, seconds: float, leak_ratio: float) -> None:
    """Child process: the simulator and the load generator, so the bot under test has its own
    process (on a 2-core server Telegram is not on the bot's CPU either). Queue times and the
    deleteMessage arrival times are both taken here, on one clock."""
    asyncio.run(_simulate(conn, rate, seconds, leak_ratio))


async def _simulate(conn: Connection, rate: float, seconds: float, leak_ratio: float) -> None:
    from bot.simulator import Simulator

    sim = Simulator()
    await sim.start()
    officer = sim.add_user("督察", last_name="陳", started_bot=True)
    ethics = sim.create_chat("政風室通報群", creator=officer)
    users = [sim.add_user(f"同仁{i}", last_name="測", started_bot=True) for i in range(10)]
    group = sim.create_chat("中正一分局偵查隊", members=users)
    conn.send(
        {"url": sim.url, "token": sim.token, "ethics": ethics.id, "officer": officer.id}
    )
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, conn.recv)  # the bot is polling (the server keeps serving)
    total = int(rate * seconds)
    every = max(1, round(1 / leak_ratio)) if leak_ratio > 0 else 0
    queued: dict[int, float] = {}
    start = loop.time()
    for n in range(total):
        # A steady clock: message n is due at start + n/rate, whatever happened before.
        delay = start + n / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        is_leak = bool(every) and n % every == 0
        text = leak_text(n + 1) if is_leak else BENIGN[n % len(BENIGN)]
        queued_at = time.time()
        msg = sim.inject_message(group, users[n % len(users)], text)
        if is_leak:
            queued[msg.message_id] = queued_at
    sent_for = loop.time() - start

    def deletes() -> list:
        return [c for c in sim.calls("deleteMessage") if c.ok]

    with contextlib.suppress(TimeoutError):
        await sim.wait_for(lambda: len(deletes()) >= len(queued), timeout=120)
    latencies = []
    for call in deletes():
        message_id = int(call.params.get("message_id", 0))
        if str(call.params.get("chat_id")) == str(group.id) and message_id in queued:
            latencies.append((call.time - queued.pop(message_id)) * 1000)
    conn.send(
        {
            "messages": total,
            "rate_achieved_msg_s": round(total / sent_for, 1),
            "latencies": latencies,
            "not_deleted": len(queued),
            "bot_requests": len(sim.calls()),
        }
    )
    await loop.run_in_executor(None, conn.recv)  # keep serving until the bot has stopped
    await sim.stop()


async def measure(
    rate: float, seconds: float, leak_ratio: float, limits: bool = True
) -> dict[str, object]:
    """Parent process: the real bot (`build_application`), polling the child's simulator."""
    from bot.app import build_application
    from bot.config import Keys
    from bot.demo.harness import DEMO_CONTENT_KEY, DEMO_HMAC_KEY, POLL_TIMEOUT, harness_config
    from bot.receive import ALLOWED_UPDATES
    from bot.store import Store
    from detectors import Scanner
    from detectors.config import DetectorConfig

    scanner = Scanner.from_config(DetectorConfig())
    for text in (*BENIGN, leak_text(0)):  # warm lazy set-up (spaCy, lexicons) before timing
        scanner.scan(text)
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=simulator_process, args=(child, rate, seconds, leak_ratio))
    proc.start()
    wall_start = time.time()
    loop = asyncio.get_running_loop()
    info = await loop.run_in_executor(None, parent.recv)
    telegram = {"overall_max_rate": 30.0, "group_max_rate": 20.0, "group_time_period": 60.0}
    with tempfile.TemporaryDirectory(prefix="dlpbot-bench-") as tmp:
        cfg = harness_config(
            Path(tmp) / "bench.db",
            info["ethics"],
            [info["officer"]],
            telegram if limits else None,
        )
        cfg.telegram.base_url = f"{info['url']}/bot"
        cfg.telegram.base_file_url = f"{info['url']}/file/bot"
        keys = Keys(content=DEMO_CONTENT_KEY, hmac=DEMO_HMAC_KEY)
        store = Store(cfg.store.path, hmac_key=keys.hmac, content_key=keys.content)
        app = build_application(
            cfg, info["token"], keys, scanner=scanner, store=store, media=None,
            check_rights_at_start=False,
        )
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(
                poll_interval=0.0, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
            )
            parent.send("go")
            result = await loop.run_in_executor(None, parent.recv)
            await app.updater.stop()
            await app.stop()
        parent.send("stop")
        incidents = len(store.incidents())
        store.close()
    proc.join(timeout=10)
    latencies: list[float] = result["latencies"]
    return {
        "rate_target_msg_s": rate,
        "rate_achieved_msg_s": result["rate_achieved_msg_s"],
        "messages": result["messages"],
        "leaks": len(latencies) + result["not_deleted"],
        "deleted": len(latencies),
        "not_deleted": result["not_deleted"],
        "incidents": incidents,
        "bot_requests": result["bot_requests"],
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p90_ms": round(percentile(latencies, 0.90), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(wall_start)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=50.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to sustain it")
    parser.add_argument("--leak-ratio", type=float, default=0.2, help="share of leaks (0-1)")
    parser.add_argument(
        "--no-limits", action="store_true", help="lift the client-side rate limits (diagnosis)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(
        measure(args.rate, args.seconds, args.leak_ratio, limits=not args.no_limits)
    )
    result["client_rate_limits"] = not args.no_limits
    result.update(
        machine=platform.machine(),
        cpus=os.cpu_count(),
        load_avg_1m=round(os.getloadavg()[0], 2),
        python=platform.python_version(),
    )
    if not args.no_save:
        out = ROOT / "bench" / "results" / "bench_bot_latency.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(
            f"{result['messages']} messages at {result['rate_achieved_msg_s']} msg/s "
            f"({result['leaks']} leaks, {result['deleted']} deleted): update→deleteMessage "
            f"p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms, p99 {result['p99_ms']} ms, "
            f"max {result['max_ms']} ms (load avg {result['load_avg_1m']} on {result['cpus']} cpus)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
