"""`dlpbot console --config config.toml`: the read-only web console for the ethics office.

Serves the incident database through Datasette (see bot/review/console.py for what is hidden,
what is audited and why), one login per staffer listed in `[console] accounts`.
`--hash-password [--user NAME]` prints the hash for DLPBOT_CONSOLE_HASH_<NAME> (or, with --user,
a `NAME:hash` line for the hashes file), reading the password from the terminal so it never
lands in the shell history.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default="config.toml", help="path to config.toml")
    parser.add_argument("--db", help="incident database (default: [store] path)")
    parser.add_argument("--host", help="listen address (default: [console] host, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: [console] port, 8001)")
    parser.add_argument(
        "--hash-password",
        action="store_true",
        help="read a password and print its hash for DLPBOT_CONSOLE_HASH_<USER>",
    )
    parser.add_argument(
        "--user", help="with --hash-password: print `USER:hash`, a line of the hashes file"
    )


def _hash_password(user: str | None) -> int:
    import getpass

    from bot.review.console import ACCOUNT_NAME, hash_password

    if user is not None and not ACCOUNT_NAME.match(user):
        print(
            "dlpbot console: 帳號名稱 2-32 個小寫字母、數字或 _ (bad account name)", file=sys.stderr
        )
        return 2
    if sys.stdin.isatty():
        password = getpass.getpass("主控台密碼 (console password): ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 12:
        print("dlpbot console: 密碼至少 12 個字元 (at least 12 characters)", file=sys.stderr)
        return 2
    hashed = hash_password(password)
    print(f"{user}:{hashed}" if user else hashed)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.hash_password:
        return _hash_password(args.user)

    from pathlib import Path

    from bot.config import AppConfig, AppConfigError
    from bot.review.console import ConsoleConfig, ConsoleError, open_console

    try:
        config = AppConfig.load(args.config) if Path(args.config).exists() else AppConfig()
        console = ConsoleConfig.from_mapping(config.sections.get("console"))
        db_path = args.db or config.store.path
        _, app, audit = open_console(db_path, console, os.environ)
    except (AppConfigError, ConsoleError) as exc:
        print(f"dlpbot console: 無法啟動 (cannot start): {exc}", file=sys.stderr)
        return 2

    import uvicorn

    host = args.host or console.host
    port = args.port or console.port
    print(f"dlpbot console: http://{host}:{port}/ (唯讀 read-only)", file=sys.stderr)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        audit.close()
    return 0
