"""`dlpbot` command line: one dispatcher, each sub-command implemented in its own module.

Sub-command modules are imported only when used, so `dlpbot scan` never pays for Telegram or
OCR imports and `dlpbot run` never loads the evaluation code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# name → (module, help). Each module has `add_arguments(parser)` and `run(args) -> int`.
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("bot.commands.scan", "掃描文字／圖片／文件 (scan text, images, documents)"),
    "eval": ("bot.commands.evaluate", "以標註語料評估偵測品質 (precision/recall/F1)"),
    "demo": ("bot.commands.demo", "離線示範：模擬 Telegram 伺服器＋真實機器人"),
    "run": ("bot.commands.run", "正式執行機器人 (polling 或 webhook)"),
    "console": ("bot.commands.console", "事件審查網頁主控台 (Datasette，唯讀)"),
    "purge": ("bot.commands.purge", "刪除超過保存期限的事件與證據"),
    "models": ("bot.commands.models", "檢查 OCR／NER 模型是否可載入 (models check)"),
    "simulator": ("bot.commands.simulator", "只啟動本機 Telegram Bot API 模擬器"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dlpbot", description="機密守門員 dlpbot — Telegram 群組資料外洩防護"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module_name)
        try:
            importlib.import_module(module_name).add_arguments(p)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            p.set_defaults(_missing=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "_missing", False):
        print(f"dlpbot {args.command}: not available in this build", file=sys.stderr)
        return 2
    module = importlib.import_module(args._module)
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
