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


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("the admin password for the file server is Fs#2026-ok, don't share", "Fs#2026-ok"),
        ("password for the NAS admin page is Nas#2025 btw", "Nas#2025"),
        ("the PIN for the office safe is 4471", "4471"),
        ("the guest wifi password was changed to Cafe-2025-5F", "Cafe-2025-5F"),
        ("admin password has been reset to Tmp#4412", "Tmp#4412"),
    ],
)
def test_english_sentences_naming_a_password_before_its_value_are_credentials(
    scanner: Scanner, text: str, secret: str
) -> None:
    result = scanner.scan(text)
    assert "credentials" in result.categories
    assert any(text[f.start : f.end] == secret for f in result.findings)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("GPG key passphrase: Red-Canyon-31", "Red-Canyon-31"),
        ("SSH 金鑰的 passphrase 是 Tiger-River-22", "Tiger-River-22"),
        ("ID: ops_team\nPW: 0ps!Team77", "0ps!Team77"),
        ("host: 10.2.3.4\nuser: upload01\npass: Up!oad2025", "Up!oad2025"),
        ("passcode 8824, door on the left", "8824"),
        ("MFA backup code: 4829-1174", "4829-1174"),
        ("login: jchen / Jc#2025ok", "Jc#2025ok"),
        ("creds for the vendor portal: vendor01 / V3ndor!pw", "V3ndor!pw"),
    ],
)
def test_passphrases_codes_and_user_pass_layouts_are_credentials(
    scanner: Scanner, text: str, secret: str
) -> None:
    result = scanner.scan(text)
    assert "credentials" in result.categories
    assert any(text[f.start : f.end] == secret for f in result.findings)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("資料庫密碼我放這：Db#Prod2025", "Db#Prod2025"),
        ("公文系統帳號 lin.mh，密碼一樣是 Lin@0915", "Lin@0915"),
    ],
)
def test_a_password_label_a_few_words_before_its_value_is_a_credential(
    scanner: Scanner, text: str, secret: str
) -> None:
    result = scanner.scan(text)
    assert "credentials" in result.categories
    assert any(text[f.start : f.end] == secret for f in result.findings)


@pytest.mark.parametrize(
    "text",
    [
        "the API secret rotates every 90 days",
        "the wifi password is changing tomorrow",
        "please reset your password before Friday",
        "the password for the portal is the same as before",
        "password for the new hires is on page 3",
        "the key to success is 100% effort",
        "passphrase must be at least 5 words",
        "the password policy for 2025 is stricter",
        "密碼到期日：2025/12/31",
        "token 到期時間：2025-12-31 23:59",
        "驗證碼寄到：chen@mail.gov.tw",
        "PIN 碼設定規則：6位數字",
    ],
)
def test_prose_dates_and_policy_after_a_password_word_are_not_credentials(
    scanner: Scanner, text: str
) -> None:
    assert "credentials" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "password for " + "a " * 50_000,
        "OTP 123 " * 12_000,
        "密碼我放這：" * 16_000,
        "login: a / " * 9_000,
    ],
)
def test_long_repetitive_messages_scan_in_linear_time(scanner: Scanner, text: str) -> None:
    import time

    started = time.perf_counter()
    scanner.scan(text)
    assert time.perf_counter() - started < 5


def test_a_password_after_an_arrow_is_a_credential(scanner: Scanner) -> None:
    text = "新密碼 → Abc#1234"
    result = scanner.scan(text)
    assert "credentials" in result.categories
    assert any(text[f.start : f.end] == "Abc#1234" for f in result.findings)


def test_an_arrow_to_words_is_not_a_credential(scanner: Scanner) -> None:
    assert "credentials" not in scanner.scan("密碼 → 請洽資訊室").categories


def test_a_combination_lock_code_is_a_credential(scanner: Scanner) -> None:
    text = "門口密碼鎖 4826#，晚上最後離開的人記得鎖"
    result = scanner.scan(text)
    assert "credentials" in result.categories
    assert any(text[f.start : f.end] == "4826#" for f in result.findings)


def test_talk_about_a_combination_lock_is_not_a_credential(scanner: Scanner) -> None:
    assert "credentials" not in scanner.scan("密碼鎖壞了，要叫鎖匠").categories
