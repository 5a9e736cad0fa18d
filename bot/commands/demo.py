"""`dlpbot demo` (what `make demo` runs): the simulator and the real bot in one process, a scripted
conversation in a unit group, a readable zh-TW transcript, then the incident table.

Offline and self-contained: a temporary database, fixed demo keys, no token, no network beyond
127.0.0.1. It exists so anyone can see in under a minute what the bot does before deploying it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", default=None, help="keep the demo database at this path (default: a temp file)"
    )
    parser.add_argument("--verbose", action="store_true", help="also show the bot's logs")


async def _demo(db_path: Path, out: object) -> int:
    from bot.demo.harness import SimHarness
    from bot.demo.script import incident_table, play
    from bot.messages import Messages
    from detectors import Scanner
    from detectors.config import DetectorConfig

    started = time.monotonic()
    print("載入偵測器並啟動本機 Telegram 模擬器與機器人…", file=out, flush=True)  # type: ignore[call-overload]
    harness = SimHarness(db_path, Scanner.from_config(DetectorConfig()))
    await harness.start()
    try:
        await play(harness, out)  # type: ignore[arg-type]
        print("事件列表（政風室看到的內容：只有遮罩後的值，原文僅加密保存）", file=out)  # type: ignore[call-overload]
        for line in incident_table(harness, Messages("zh-TW")):
            print("  " + line, file=out)  # type: ignore[call-overload]
    finally:
        await harness.stop()
    print(f"\n完成，用時 {time.monotonic() - started:.1f} 秒。", file=out)  # type: ignore[call-overload]
    return 0


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.db:
        return asyncio.run(_demo(Path(args.db), sys.stdout))
    with tempfile.TemporaryDirectory(prefix="dlpbot-demo-") as tmp:
        return asyncio.run(_demo(Path(tmp) / "demo.db", sys.stdout))
