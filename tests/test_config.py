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
