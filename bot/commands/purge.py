"""`dlpbot purge --config config.toml`: delete incidents older than the retention period now.

The running bot already purges daily (bot/review/retention.py); this command is for operators
who run the bot elsewhere, want a purge before a backup, or shorten the period with `--days`.
Each run writes its count to the append-only audit log.
"""

from __future__ import annotations

import argparse
import os
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default="config.toml", help="path to config.toml")
    parser.add_argument("--db", help="incident database (default: [store] path)")
    parser.add_argument(
        "--days", type=int, help="retention in days (default: [store] retention_days)"
    )


def run(args: argparse.Namespace) -> int:
    import secrets
    from pathlib import Path

    from bot.config import AppConfig, AppConfigError
    from bot.review.retention import run_purge
    from bot.store import Store

    try:
        config = AppConfig.load(args.config) if Path(args.config).exists() else AppConfig()
    except AppConfigError as exc:
        print(f"dlpbot purge: {exc}", file=sys.stderr)
        return 2
    days = args.days if args.days is not None else config.store.retention_days
    if days < 1:
        print("dlpbot purge: --days 至少為 1 (must be at least 1)", file=sys.stderr)
        return 2
    db_path = Path(args.db or config.store.path)
    if not db_path.exists():
        print(f"dlpbot purge: 找不到資料庫 (database not found): {db_path}", file=sys.stderr)
        return 2
    # Deleting needs no key material; the HMAC key only hashes new findings, which a purge never
    # writes, so a throw-away key avoids demanding secrets from the operator.
    hmac_key = os.environ.get(config.secrets.hmac_key_env)
    try:
        key = config.read_keys(os.environ).hmac if hmac_key else secrets.token_bytes(32)
    except AppConfigError:
        key = secrets.token_bytes(32)
    store = Store(db_path, hmac_key=key)
    try:
        deleted = run_purge(store, days, actor_name="dlpbot purge")
    finally:
        store.close()
    print(f"已刪除 {deleted} 筆超過 {days} 天的事件 (purged {deleted} older than {days} days)")
    return 0
