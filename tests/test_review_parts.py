"""Small parts of the review module: texts, roles, the chart's font fallback, `dlpbot console`."""

from __future__ import annotations

import io
import string
from pathlib import Path

import pytest
from PIL import Image

from bot.cli import main as cli_main
from bot.review import charts
from bot.review.console import ConsoleConfig, ConsoleError
from bot.review.roles import Role, Roles
from bot.review.texts import TEXTS

ROWS = [
    {
        "chat_title": "新北市政府採購處",
        "categories": '["procurement"]',
        "sent_at": "2026-11-03T10:00",
    },
    {"chat_title": "新北市政府採購處", "categories": '["raid"]', "sent_at": "2026-11-04T10:00"},
    {
        "chat_title": "法務部調查局",
        "categories": '["personal_data"]',
        "sent_at": "2026-11-04T11:00",
    },
]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_review_message_exists_in_zh_tw_and_english_with_the_same_placeholders() -> None:
    zh, en = TEXTS["zh-TW"], TEXTS["en"]
    assert set(zh) == set(en)
    for key in zh:
        assert _fields(zh[key]) == _fields(en[key]), key


def test_roles_from_config_separate_ethics_staff_chat_admins_and_everyone_else() -> None:
    roles = Roles.from_mapping({"ethics_staff": [1], "chat_admins": {"-100": [2]}})
    assert roles.role_of(1) is Role.ETHICS
    assert roles.role_of(2) is Role.CHAT_ADMIN and roles.admin_chats(2) == {-100}
    assert roles.role_of(3) is Role.NONE and roles.admin_chats(3) == set()
    # Telegram's own admin list adds the chat the user administers there, nothing more.
    assert roles.admin_chats(3, telegram_admins=[-200]) == {-200}
    assert roles.role_of(None) is Role.NONE


def test_stats_chart_is_a_png_with_cjk_font_and_falls_back_to_english_without_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    has_cjk_font = charts.cjk_font() is not None
    png = charts.render_month_chart(ROWS, "2026-11", "zh-TW")
    assert Image.open(io.BytesIO(png)).size == (1000, 750)
    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    fallback = charts.render_month_chart(ROWS, "2026-11", "zh-TW")
    english = charts.render_month_chart(ROWS, "2026-11", "en")
    # Without a CJK font the zh-TW chart is drawn with the English labels, not empty boxes.
    assert Image.open(io.BytesIO(fallback)).format == "PNG" and fallback == english
    # With one (CI installs fonts-noto-cjk) the zh-TW chart really differs from that fallback.
    assert (fallback != png) == has_cjk_font


def test_stats_chart_uses_a_cjk_font_installed_after_matplotlib_cached_its_font_list() -> None:
    """On this project's machines fonts-noto-cjk was installed after matplotlib had written
    its font cache; the chart must still find the font rather than draw boxes."""
    from matplotlib import font_manager

    files = [p for p in font_manager.findSystemFonts() if "cjk" in Path(p).name.lower()]
    if not files:
        pytest.skip("no CJK font installed (apt fonts-noto-cjk)")
    assert charts.cjk_font() is not None
    png = charts.render_month_chart(ROWS, "2026-11", "zh-TW")
    assert png != charts.render_month_chart(ROWS, "2026-11", "en")  # zh-TW labels drawn


def test_dlpbot_console_hash_password_prints_a_verifiable_hash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from datasette_auth_passwords.utils import verify_password

    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert cli_main(["console", "--hash-password"]) == 0
    hashed = capsys.readouterr().out.strip()
    assert hashed.startswith("pbkdf2_sha256$") and "a long enough" not in hashed
    assert verify_password("a long enough password", hashed)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli_main(["console", "--hash-password"]) == 2
    # --user prints a line of the hashes file (`[console] hashes_file`).
    monkeypatch.setattr("sys.stdin", io.StringIO("chen's long password\n"))
    assert cli_main(["console", "--hash-password", "--user", "chen"]) == 0
    name, _, hashed = capsys.readouterr().out.strip().partition(":")
    assert name == "chen" and verify_password("chen's long password", hashed)
    assert cli_main(["console", "--hash-password", "--user", "Chen Li"]) == 2


def test_dlpbot_console_refuses_to_start_without_a_database_or_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = cli_main(["console", "--config", str(tmp_path / "none.toml"), "--db", "missing.db"])
    assert rc == 2 and "database not found" in capsys.readouterr().err
    with pytest.raises(ConsoleError, match="unknown keys"):
        ConsoleConfig.from_mapping({"pasword_hash": "typo"})
