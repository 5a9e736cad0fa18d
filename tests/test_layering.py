"""The detection library stands alone: it never imports the Telegram side."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

DETECTORS = Path(__file__).resolve().parent.parent / "detectors"


def test_no_detectors_module_imports_bot_or_telegram() -> None:
    offenders = []
    for path in DETECTORS.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in ("bot", "telegram"):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_scanning_loads_neither_telegram_nor_torch() -> None:
    code = (
        "import sys; from detectors import Scanner; "
        "Scanner().scan('檢舉人王小明 明天搜索 0912345678'); "
        "print(sorted(m for m in ('telegram', 'bot', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
