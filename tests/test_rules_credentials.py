"""credentials: passwords, codes, keys and tokens are incidents and are masked completely;
talk about password rules is not."""

from __future__ import annotations

import pytest

from detectors import Scanner


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


GITHUB = "ghp_a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwXyZ"
SECRETS = [
    ("公文系統帳號 chen.yh 密碼 Abc12345!，幫我簽收", "Abc12345!"),
    ("你的OTP是 774120", "774120"),
    ("我的驗證碼是 830 215，你幫我按確認", "830 215"),
    (f"GitHub token {GITHUB}", GITHUB),
    ("金鑰 sk-proj-9fK2mL4nP6qR8sT0uV2wX4yZ6aB8", "sk-proj-9fK2mL4nP6qR8sT0uV2wX4yZ6aB8"),
    ("AWS AKIAIOSFODNN7EXAMPLE 先借用", "AKIAIOSFODNN7EXAMPLE"),
    ("slack xoxb-1234567890-abcdefghij", "xoxb-1234567890-abcdefghij"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA", "-----BEGIN RSA PRIVATE KEY-----"),
    ("會議室WiFi密碼：meeting2024", "meeting2024"),
    ("共用信箱密碼改成 Hsinchu#2026 了", "Hsinchu#2026"),
    ("db postgres://dbadmin:Xk9#mPq2v@10.1.2.3:5432/hr", "Xk9#mPq2v"),
    ("印表機管理介面 admin / Printer@88", "Printer@88"),
    ("the wifi password is Sunny2024 btw", "Sunny2024"),
]


@pytest.mark.parametrize(("text", "secret"), SECRETS)
def test_secrets_are_credentials_incidents_and_fully_masked(
    scanner: Scanner, text: str, secret: str
) -> None:
    result = scanner.scan(text)
    assert "credentials" in result.categories
    assert result.action.label == "delete"
    spans = [f for f in result.findings if f.category == "credentials"]
    assert any(text[f.start : f.end] == secret for f in spans)
    for f in result.findings:
        assert secret not in f.masked
        assert secret not in f.reason


@pytest.mark.parametrize(
    "text",
    [
        "請重設密碼",
        "密碼政策：長度至少12碼，含大小寫",
        "忘記密碼怎麼辦？",
        "密碼：********",
        "資訊室：系統維護期間暫停登入，帳號不受影響",
        "keyboard 的 key 壞了",
        "密碼不要寫在便利貼上",
        "password is required",
        "這個案子先 pass 給你",
    ],
)
def test_talk_about_passwords_without_a_value_is_not_an_incident(
    scanner: Scanner, text: str
) -> None:
    assert "credentials" not in scanner.scan(text).categories
