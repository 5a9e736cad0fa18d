"""config.toml → AppConfig: defaults, validation that refuses unsafe typos, secrets from the
environment, and `dlpbot run` refusing to start with one plain sentence."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot.commands import run as run_command
from bot.config import AppConfig, AppConfigError, parse_key

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAEexampleexampleexample_1234"
HMAC_HEX = "11" * 32
CONTENT_HEX = "22" * 32


def test_example_config_loads_and_is_valid() -> None:
    cfg = AppConfig.load(ROOT / "config.example.toml")
    assert cfg.policy.default_mode in ("monitor", "warn", "enforce")
    assert cfg.telegram.mode == "polling"


def test_defaults_are_safe() -> None:
    cfg = AppConfig.from_mapping({})
    assert cfg.policy.default_mode == "warn" and cfg.store.retention_days >= 1
    assert cfg.policy.mode_for(-100) == "warn"


def test_per_chat_override_wins_over_default() -> None:
    cfg = AppConfig.from_mapping({"policy": {"default_mode": "monitor", "chats": {-5: "enforce"}}})
    assert cfg.policy.mode_for(-5) == "enforce" and cfg.policy.mode_for(-6) == "monitor"


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ({"policy": {"defualt_mode": "enforce"}}, "unknown keys"),
        ({"policy": {"default_mode": "delete"}}, "default_mode"),
        ({"policy": {"chats": {"abc": "warn"}}}, "numeric chat id"),
        ({"policy": {"alert_min_severity": "urgent"}}, "alert_min_severity"),
        ({"telegram": {"mode": "push"}}, "polling"),
        ({"store": {"retention_days": 0}}, "retention_days"),
    ],
)
def test_typos_and_bad_values_are_refused_not_ignored(doc: dict, words: str) -> None:
    with pytest.raises(AppConfigError, match=words):
        AppConfig.from_mapping(doc)


def test_unowned_sections_pass_through_for_other_modules() -> None:
    cfg = AppConfig.from_mapping({"review": {"page_size": 5}, "media": {"ocr": True}})
    assert cfg.sections["review"] == {"page_size": 5} and cfg.media == {"ocr": True}


def test_token_from_environment_wins_and_keys_are_read() -> None:
    cfg = AppConfig.from_mapping({"telegram": {"token": "1:file"}, "ethics": {"chat_id": -100}})
    env = {"DLPBOT_TOKEN": TOKEN, "DLPBOT_HMAC_KEY": HMAC_HEX, "DLPBOT_CONTENT_KEY": CONTENT_HEX}
    token, keys = cfg.validate_for_run(env)
    assert token == TOKEN
    assert keys.hmac == bytes.fromhex(HMAC_HEX) and keys.content == bytes.fromhex(CONTENT_HEX)


@pytest.mark.parametrize(
    ("env", "ethics", "words"),
    [
        ({}, -100, "no bot token"),
        ({"DLPBOT_TOKEN": "not-a-token"}, -100, "malformed"),
        ({"DLPBOT_TOKEN": TOKEN}, 0, "ethics"),
        ({"DLPBOT_TOKEN": TOKEN}, -100, "HMAC"),
        ({"DLPBOT_TOKEN": TOKEN, "DLPBOT_HMAC_KEY": "short"}, -100, "DLPBOT_HMAC_KEY"),
        (
            {"DLPBOT_TOKEN": TOKEN, "DLPBOT_HMAC_KEY": HMAC_HEX, "DLPBOT_CONTENT_KEY": HMAC_HEX},
            -100,
            "must differ",
        ),
    ],
)
def test_run_prerequisites_are_checked(env: dict, ethics: int, words: str) -> None:
    cfg = AppConfig.from_mapping({"ethics": {"chat_id": ethics}})
    with pytest.raises(AppConfigError, match=words):
        cfg.validate_for_run(env)


def test_keys_accept_hex_and_base64_of_32_bytes() -> None:
    import base64

    raw = bytes(range(32))
    assert parse_key(raw.hex(), "K") == raw
    assert parse_key(base64.urlsafe_b64encode(raw).decode().rstrip("="), "K") == raw
    with pytest.raises(AppConfigError):
        parse_key(base64.b64encode(b"x" * 16).decode(), "K")


def test_dlpbot_run_refuses_to_start_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[ethics]\nchat_id = -1001\n', encoding="utf-8")
    for name in ("DLPBOT_TOKEN", "DLPBOT_HMAC_KEY", "DLPBOT_CONTENT_KEY"):
        monkeypatch.delenv(name, raising=False)
    code = run_command.run(argparse.Namespace(config=str(config), log_level="INFO"))
    assert code == 2
    err = capsys.readouterr().err
    assert "無法啟動" in err and "DLPBOT_TOKEN" in err


def _run_with(
    tmp_path: Path, toml: str, monkeypatch: pytest.MonkeyPatch, **env: str
) -> int:
    config = tmp_path / "config.toml"
    config.write_text(toml, encoding="utf-8")
    for name in ("DLPBOT_TOKEN", "DLPBOT_HMAC_KEY", "DLPBOT_CONTENT_KEY", "DLPBOT_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DLPBOT_TOKEN", TOKEN)
    monkeypatch.setenv("DLPBOT_HMAC_KEY", HMAC_HEX)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return run_command.run(argparse.Namespace(config=str(config), log_level="INFO"))


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('[ethics]\nchat_id = "政風室"\n', ["[ethics] chat_id", "numeric Telegram id", "政風室"]),
        ('[ethics]\nchat_id = -1001\nstaff = ["陳督察"]\n', ["[ethics] staff"]),
        ('[ethics]\nchat_id = -1001\n[telegram]\npoll_timeout = "ten"\n',
         ["[telegram] poll_timeout", "whole number", "ten"]),
        ('[ethics]\nchat_id = -1001\n[telegram]\nbackoff_seconds = "fast"\n',
         ["[telegram] backoff_seconds", "a number"]),
        ('[ethics]\nchat_id = -1001\n[policy]\ndefault_mode = 3\n', ["[policy] default_mode"]),
        ('[ethics]\nchat_id = -1001\n[store]\nretention_days = "half a year"\n',
         ["[store] retention_days"]),
        ('[ethics]\nchat_id = -1001\n[telegram.webhook]\nport = "https"\n',
         ["[telegram.webhook] port"]),
        ('[ethics]\nchat_id = -1001\n[detectors]\nmin_score = 7\n', ["min_score"]),
        ('[ethics]\nchat_id = -1001\n[telegram]\ntoken = 987654\n', ["[telegram] token"]),
    ],
)
def test_dlpbot_run_explains_a_setting_of_the_wrong_type_without_a_traceback(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    toml: str,
    words: list[str],
) -> None:
    code = _run_with(tmp_path, toml, monkeypatch)
    err = capsys.readouterr().err
    assert code == 2 and "無法啟動" in err and "Traceback" not in err
    for word in words:
        assert word in err
    assert "987654" not in err  # a token is never echoed back


def test_quoted_numeric_ids_are_accepted() -> None:
    cfg = AppConfig.from_mapping({"ethics": {"chat_id": "-1001", "staff": ["42", 43]}})
    assert cfg.ethics.chat_id == -1001 and cfg.ethics.staff == [42, 43]


def test_dlpbot_run_refuses_a_database_path_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    toml = f'[ethics]\nchat_id = -1001\n[store]\npath = "{blocker}/dlpbot.db"\n'
    code = _run_with(tmp_path, toml, monkeypatch)
    err = capsys.readouterr().err
    assert code == 2 and "[store] path" in err and "is a file, not a folder" in err
    assert "Traceback" not in err


def test_dlpbot_run_refuses_a_fallback_path_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "spool"
    folder.mkdir()
    toml = (
        f'[ethics]\nchat_id = -1001\n[store]\npath = "{tmp_path}/dlpbot.db"\n'
        f'fallback_path = "{folder}"\n'
    )
    code = _run_with(tmp_path, toml, monkeypatch)
    err = capsys.readouterr().err
    assert code == 2 and "[store] fallback_path" in err and "folder" in err


def test_dlpbot_run_refuses_webhook_mode_without_a_secret_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = (
        f'[ethics]\nchat_id = -1001\n[store]\npath = "{tmp_path}/dlpbot.db"\n'
        '[telegram]\nmode = "webhook"\n'
        '[telegram.webhook]\nwebhook_url = "https://dlp.example.gov.tw/dlpbot"\n'
    )
    code = _run_with(tmp_path, toml, monkeypatch)
    err = capsys.readouterr().err
    assert code == 2 and "DLPBOT_WEBHOOK_SECRET" in err and "secret token" in err
    code = _run_with(tmp_path, toml, monkeypatch, DLPBOT_WEBHOOK_SECRET="has spaces!")
    err = capsys.readouterr().err
    assert code == 2 and "A-Z a-z 0-9 _ -" in err


def test_webhook_secret_is_accepted_when_set() -> None:
    cfg = AppConfig.from_mapping(
        {
            "ethics": {"chat_id": -100},
            "telegram": {"mode": "webhook", "webhook": {"webhook_url": "https://x.example/h"}},
        }
    )
    env = {"DLPBOT_TOKEN": TOKEN, "DLPBOT_HMAC_KEY": HMAC_HEX, "DLPBOT_WEBHOOK_SECRET": "s3cr3t_"}
    cfg.validate_for_run(env)
    assert cfg.webhook_secret(env) == "s3cr3t_"
