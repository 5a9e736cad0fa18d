"""`dlpbot run --config config.toml`: the production bot, polling (default) or webhook.

It refuses to start — with one plain sentence saying what to fix — when the token, the ethics
chat or the HMAC key is missing or malformed, a setting has the wrong type, the database or its
fallback file cannot be written, or webhook mode has no secret token — because a DLP bot that
starts half-configured gives a false sense of protection.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default="config.toml", help="path to config.toml")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING…")


def run(args: argparse.Namespace) -> int:
    from bot.config import AppConfig, AppConfigError

    logging.basicConfig(
        level=getattr(logging, str(args.log_level).upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL, and the URL contains the bot token; python-telegram-bot
    # logs whole updates (message text included) at DEBUG. Neither may reach the logs, even
    # when the bot's own modules are debugged.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.root.level))
    try:
        config = AppConfig.load(args.config)
        token, keys = config.validate_for_run(os.environ)
    except AppConfigError as exc:
        return _refuse(exc)

    import sqlite3

    from bot.app import build_application
    from bot.receive import ALLOWED_UPDATES

    try:
        app = build_application(config, token, keys)
    except AppConfigError as exc:
        return _refuse(exc)
    except sqlite3.Error as exc:
        return _refuse(f"[store] path {config.store.path}: the database cannot be opened ({exc})")
    except (TypeError, ValueError) as exc:  # a section another module reads ([media], …)
        return _refuse(f"configuration: {exc}")
    tg = config.telegram
    if keys.content is None:
        logging.getLogger("dlpbot").warning(
            "%s is not set: message content will not be stored", config.secrets.content_key_env
        )
    if tg.mode == "webhook":
        wh = tg.webhook
        app.run_webhook(
            listen=wh.listen,
            port=wh.port,
            url_path=wh.url_path,
            webhook_url=wh.webhook_url,
            secret_token=config.webhook_secret(os.environ),  # validate_for_run: never empty
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        app.run_polling(allowed_updates=ALLOWED_UPDATES, timeout=tg.poll_timeout)
    return 0


def _refuse(reason: object) -> int:
    print(f"dlpbot run: 無法啟動 (cannot start): {reason}", file=sys.stderr)
    return 2
