"""`dlpbot simulator --port 8081`: run the local Telegram Bot API simulator on its own.

Useful to point a separately started bot at it (`[telegram] base_url =
"http://127.0.0.1:8081/bot"`, the same token) and to drive it from another process through
`/_control/...` (see `bot.simulator`). It never contacts Telegram.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
import signal


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8081, help="listen port; 0 = any free port")
    parser.add_argument(
        "--token",
        default=None,
        help="the one bot token the simulator accepts (default: the built-in test token)",
    )
    parser.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="TITLE",
        help="create a supergroup where the bot is a full admin (repeatable)",
    )
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="NAME",
        help="create a user who has started the bot and is in every --group (repeatable)",
    )
    parser.add_argument(
        "--rate-limits",
        action="store_true",
        help="answer 429 like Telegram (1 msg/s per chat, 20/min per group, 30/s overall)",
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING…")


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=getattr(logging, str(args.log_level).upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return asyncio.run(_serve(args))


async def _serve(args: argparse.Namespace) -> int:
    from bot.simulator import DEFAULT_TOKEN, RateLimits, Simulator

    token = args.token or DEFAULT_TOKEN
    if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", token):
        print("dlpbot simulator: --token 格式應為 <數字>:<字串> (expected <bot id>:<secret>)")
        return 2
    sim = Simulator(
        token,
        host=args.host,
        port=args.port,
        rate_limits=RateLimits.telegram() if args.rate_limits else None,
    )
    users = [sim.add_user(name, started_bot=True) for name in args.user]
    chats = [sim.create_chat(title, members=users, announce=False) for title in args.group]
    try:
        url = await sim.start()
    except OSError as exc:
        print(f"dlpbot simulator: 無法監聽 (cannot listen on) {args.host}:{args.port}: {exc}")
        return 2
    print(f"Telegram Bot API 模擬器 (simulator): {url}", flush=True)
    print(f'  [telegram] base_url = "{sim.base_url}"   base_file_url = "{sim.base_file_url}"')
    print(f"  bot: @{sim.bot.username} (id {sim.bot.id}); control API: {url}/_control/state")
    for chat in chats:
        print(f"  group {chat.id}: {chat.title}")
    for user in users:
        print(f"  user {user.id}: {user.first_name}")
    print("Ctrl-C 結束 (to stop)", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not available on Windows
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await sim.stop()
    return 0
