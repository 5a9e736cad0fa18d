"""Update-to-deleteMessage latency of the real bot, through the local simulator, at a sustained
message rate.

    python bench/bench_bot_latency.py [--rate 50] [--seconds 10] [--leak-ratio 0.2] [--json]

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
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
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


async def measure(
    rate: float, seconds: float, leak_ratio: float, limits: bool = True
) -> dict[str, object]:
    from bot.demo.harness import SimHarness
    from detectors import Scanner
    from detectors.config import DetectorConfig

    scanner = Scanner.from_config(DetectorConfig())
    for text in (*BENIGN, leak_text(0)):  # warm lazy set-up (spaCy, lexicons) before timing
        scanner.scan(text)
    with tempfile.TemporaryDirectory(prefix="dlpbot-bench-") as tmp:
        h = SimHarness(Path(tmp) / "bench.db", scanner)
        if limits:
            h.telegram = {"overall_max_rate": 30.0, "group_max_rate": 20.0}
            h.telegram["group_time_period"] = 60.0
        group = h.create_group("中正一分局偵查隊")
        users = [h.add_user(f"同仁{i}", "測") for i in range(10)]
        for user in users:
            h.join(group, user)
        await h.start(check_rights=False)
        try:
            total = int(rate * seconds)
            queued: dict[int, float] = {}  # message_id -> time queued (leaks only)
            every = max(1, round(1 / leak_ratio)) if leak_ratio > 0 else 0
            start = time.monotonic()
            wall_start = time.time()
            for n in range(total):
                # A steady clock: message n is due at start + n/rate, whatever happened before.
                delay = start + n / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                is_leak = every and n % every == 0
                text = leak_text(n + 1) if is_leak else BENIGN[n % len(BENIGN)]
                queued_at = time.time()
                msg = h.send(group, users[n % len(users)], text)
                if is_leak:
                    queued[msg.message_id] = queued_at
            sent_for = time.monotonic() - start
            await h.wait_for(
                lambda: len([c for c in h.calls("deleteMessage") if c.ok]) >= len(queued),
                timeout=120,
            )
            await h.settle(quiet=0.5, timeout=120)
            latencies = []
            for call in h.calls("deleteMessage"):
                message_id = int(call.params.get("message_id", 0))
                in_group = str(call.params.get("chat_id")) == str(group.id)
                if call.ok and in_group and message_id in queued:
                    latencies.append((call.time - queued.pop(message_id)) * 1000)
            incidents = len(h.store.incidents()) if h.store else 0
        finally:
            await h.stop()
    return {
        "rate_target_msg_s": rate,
        "rate_achieved_msg_s": round(total / sent_for, 1),
        "messages": total,
        "leaks": len(latencies) + len(queued),
        "deleted": len(latencies),
        "not_deleted": len(queued),
        "incidents": incidents,
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
