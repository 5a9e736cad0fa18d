"""`dlpbot console --config config.toml`: the read-only web console for the ethics office.

Serves the incident database through Datasette (see bot/review/console.py for what is hidden and
why). `--hash-password` prints the hash to put in DLPBOT_CONSOLE_PASSWORD_HASH, reading the
password from the terminal so it never lands in the shell history.
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
        help="read a password and print its hash for DLPBOT_CONSOLE_PASSWORD_HASH",
    )


def _hash_password() -> int:
    import getpass

    from bot.review.console import hash_password

    if sys.stdin.isatty():
        password = getpass.getpass("主控台密碼 (console password): ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 12:
        print("dlpbot console: 密碼至少 12 個字元 (at least 12 characters)", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0


def run(args: argparse.Namespace) -> int:
    if args.hash_password:
        return _hash_password()

    from pathlib import Path

    from bot.config import AppConfig, AppConfigError
    from bot.review.console import ConsoleConfig, ConsoleError, build_datasette, with_access_log

    try:
        config = AppConfig.load(args.config) if Path(args.config).exists() else AppConfig()
        console = ConsoleConfig.from_mapping(config.sections.get("console"))
        db_path = args.db or config.store.path
        ds = build_datasette(db_path, console, os.environ)
    except (AppConfigError, ConsoleError) as exc:
        print(f"dlpbot console: 無法啟動 (cannot start): {exc}", file=sys.stderr)
        return 2

    import uvicorn

    host = args.host or console.host
    port = args.port or console.port
    print(f"dlpbot console: http://{host}:{port}/ (唯讀 read-only)", file=sys.stderr)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    uvicorn.run(with_access_log(ds), host=host, port=port, log_level="warning")
    return 0
