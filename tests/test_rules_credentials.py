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


def _secret_found(scanner: Scanner, text: str, secret: str) -> bool:
    result = scanner.scan(text)
    spans = [text[f.start : f.end] for f in result.findings if f.category == "credentials"]
    return "credentials" in result.categories and secret in spans


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("戶政的共用帳號，密碼我剛剛改成 Hh#2025kk，明天再通知大家", "Hh#2025kk"),
        ("你的密碼已經幫你設為 Tmp-8812a 了", "Tmp-8812a"),
        ("密碼我幫你重設成你名字縮寫加分機，也就是 wyc5512!，登入後記得改", "wyc5512!"),
        ("門禁密碼我改成 4093 了", "4093"),
    ],
)
def test_a_password_a_sentence_hands_over_is_a_credential(
    scanner: Scanner, text: str, secret: str
) -> None:
    assert _secret_found(scanner, text, secret)


@pytest.mark.parametrize(
    "text",
    [
        "密碼不能設成 Abc12345 這種太簡單的",
        "密碼建議設成 Abcd#1234 這樣的格式",
        "驗證碼有效時間改成 1800 秒",
        "密碼重設的流程就是到 https://sso.example.gov.tw 點忘記密碼",
        "系統密碼到期日改成 2025/12/31",
        "密碼的問題就是 VPN 沒開",
        "密碼忘了的話就是打分機 2345 找資訊室",
    ],
)
def test_policy_and_help_sentences_with_a_link_verb_are_not_credentials(
    scanner: Scanner, text: str
) -> None:
    assert "credentials" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("單位\t帳號\t密碼\n人事室\thr_lin\tHr#7721x\n會計室\tacc_wu\tAcc!5530", "Acc!5530"),
        ("| 設備 | 帳號 | Password |\n|---|---|---|\n| NAS | admin | N4s-Backup! |", "N4s-Backup!"),
        ("站點,PIN\n北區,736912\n南區,201845", "201845"),
    ],
)
def test_secret_looking_cells_under_a_password_column_header_are_credentials(
    scanner: Scanner, text: str, secret: str
) -> None:
    assert _secret_found(scanner, text, secret)


@pytest.mark.parametrize(
    "text",
    [
        "帳號\t密碼\t備註\nchen\t(同帳號)\t\nlin\t請洽資訊室\t",
        "| 系統 | 帳號 | 密碼 |\n|---|---|---|\n| 差勤 | 員工編號 | 身分證後四碼 |",
        "項目,密碼長度,更新頻率\n差勤,12,90天",
        "姓名\t分機\t密碼到期\n王小明\t2345\t2025-06-30",
        "系統\t密碼\n差勤\t已重設\n公文\tN/A",
    ],
)
def test_tables_about_passwords_without_values_are_not_credentials(
    scanner: Scanner, text: str
) -> None:
    assert "credentials" not in scanner.scan(text).categories


def test_a_connection_string_with_an_empty_user_is_a_credential(scanner: Scanner) -> None:
    text = "快取 rediss://:Qx8!cacheKey@10.9.0.7:6380 先別動"
    assert _secret_found(scanner, text, "Qx8!cacheKey")
    assert "credentials" not in scanner.scan("redis://10.3.2.15:6379/0 這是快取").categories


@pytest.mark.parametrize(
    "text",
    [
        "告警 webhook：https://hooks.slack.com/services/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",
        "https://discord.com/api/webhooks/112233445566778899/aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z",
        "Teams 通知 https://contoso.webhook.office.com/webhookb2/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"
        "@0f1e2d3c/IncomingWebhook/9a8b7c6d5e4f/77aa88bb",
    ],
)
def test_webhook_urls_that_carry_their_secret_are_credentials(scanner: Scanner, text: str) -> None:
    assert "credentials" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "Slack 的 webhook 要跟資訊室申請，不要自己建",
        "webhook 設定頁在 https://hooks.example.com/settings",
        "文件在 https://api.slack.com/messaging/webhooks 可以參考",
    ],
)
def test_talk_about_webhooks_without_a_secret_url_is_not_a_credential(
    scanner: Scanner, text: str
) -> None:
    assert "credentials" not in scanner.scan(text).categories


def test_pw_named_before_its_value_in_english_is_a_credential(scanner: Scanner) -> None:
    assert _secret_found(scanner, "admin pw for the router is Rt#5521go, thx", "Rt#5521go")


def test_a_full_width_comma_ends_the_password_span(scanner: Scanner) -> None:
    text = "勤務系統密碼 Op#0428，05:00 集合"
    assert _secret_found(scanner, text, "Op#0428")


@pytest.mark.parametrize(
    "text",
    [
        "密碼" + "我" * 39 + "就是 " * 20_000,
        "密碼\t" * 25_000,
        "密碼\tx\n" + "a\tAbc#123\n" * 12_000,
        "hooks.slack.com/services/a/" + "a/" * 50_000,
        "redis://:" * 10_000,
    ],
)
def test_long_sentences_tables_and_urls_scan_in_linear_time(scanner: Scanner, text: str) -> None:
    import time

    started = time.perf_counter()
    scanner.scan(text)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    "text",
    [
        "通報 webhook：https://notify.example.gov.tw/hook/8f3a9c2e7b1d4f6a9c0e",
        "檔案分享 https://stor01.blob.core.windows.net/c/f.pdf?sv=2022-11-02&sig=Kx9%2FmQ2pL7vR4tW8nB1c",
        "密碼幫你改好了，新的是 Qa#77120",
    ],
)
def test_hook_urls_query_secrets_and_new_passwords_are_credentials(
    scanner: Scanner, text: str
) -> None:
    assert "credentials" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "https://github.com/org/repo/settings/hooks/123456789012345678901",
        "https://docs.example.com/webhooks/getting-started-with-notifications",
        "https://www.gov.tw/news?id=12345&token=abc",
        "https://search.gov.tw/?q=採購&key=value",
        "密碼鎖壞了，新的是型號 AB-300",
    ],
)
def test_ids_short_query_values_and_prose_are_not_credentials(scanner: Scanner, text: str) -> None:
    assert "credentials" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "https://a/" + "hook/" * 20_000,
        ("https://x.com/hook/" + "a" * 19 + " ") * 3_000,
        "?key=" * 20_000,
        "https://x/hook/" + "aaaa1" * 20_000,
    ],
)
def test_long_hook_urls_and_queries_scan_in_linear_time(scanner: Scanner, text: str) -> None:
    import time

    started = time.perf_counter()
    scanner.scan(text)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("還原資料庫：mysql -u hr_admin -p'Hr#2025db' hrdb < dump.sql", "Hr#2025db"),
        ("mysqldump -pBk2025x backup > all.sql", "Bk2025x"),
        ('sshpass -p "Sv!8812" ssh ops@10.20.3.4', "Sv!8812"),
    ],
)
def test_a_password_given_to_a_command_line_client_is_a_credential(
    scanner: Scanner, text: str, secret: str
) -> None:
    assert _secret_found(scanner, text, secret)


@pytest.mark.parametrize(
    "text",
    [
        "先 mkdir -p /data/backup 再跑腳本",
        "psql -h 10.1.1.5 -p 5432 -U report 連報表庫",
        "cp -pr old new 就好",
    ],
)
def test_command_line_options_without_a_password_are_not_credentials(
    scanner: Scanner, text: str
) -> None:
    assert "credentials" not in scanner.scan(text).categories


def test_a_note_between_a_password_label_and_its_value_keeps_the_value(scanner: Scanner) -> None:
    assert _secret_found(scanner, "新進人員預設密碼(第一次登入會要求更新):Wel#0301", "Wel#0301")


def test_a_password_rule_in_the_note_is_policy_talk(scanner: Scanner) -> None:
    assert "credentials" not in scanner.scan("密碼（長度至少12碼）：________").categories


def test_secrets_listed_one_a_line_under_a_label_are_all_credentials(scanner: Scanner) -> None:
    text = "各分隊值班帳號的初始密碼如下：\n一分隊 Duty@7101\n二分隊 Duty@7102"
    result = scanner.scan(text)
    spans = {text[f.start : f.end] for f in result.findings if f.category == "credentials"}
    assert "credentials" in result.categories
    assert {"Duty@7101", "Duty@7102"} <= spans


def test_a_rule_list_under_a_password_heading_is_not_a_credential(scanner: Scanner) -> None:
    text = "密碼規則：\n1. 至少 12 碼\n2. 要有大小寫 Aa\n3. 每 90 天更換"
    assert "credentials" not in scanner.scan(text).categories


def test_plural_english_labels_and_every_code_of_a_list_are_credentials(scanner: Scanner) -> None:
    text = "VPN recovery codes: 5521-0937, 6610-2284, 7093-4415"
    result = scanner.scan(text)
    spans = {text[f.start : f.end] for f in result.findings if f.category == "credentials"}
    assert spans == {"5521-0937", "6610-2284", "7093-4415"}


def test_a_password_described_then_given_after_a_comma_is_a_credential(scanner: Scanner) -> None:
    assert _secret_found(scanner, "公務信箱密碼是我車牌後四碼加驚嘆號，8856!!", "8856!!")


def test_a_described_password_followed_by_more_prose_is_not_a_credential(
    scanner: Scanner,
) -> None:
    assert "credentials" not in scanner.scan("密碼是原本那組，VPN2 那台不用改").categories


@pytest.mark.parametrize(
    "text",
    [
        "mysql -u a " + "-p'x" * 30_000,
        "密碼:\n" + "陳 Ab#12\n" * 20_000,
        "密碼:\n\n" * 20_000,
        "codes: " + "1111、" * 30_000,
        "密碼是" + "我" * 24 + "," * 30_000,
    ],
)
def test_command_lines_lists_and_described_values_scan_in_linear_time(
    scanner: Scanner, text: str
) -> None:
    import time

    started = time.perf_counter()
    scanner.scan(text)
    assert time.perf_counter() - started < 5


def test_a_word_before_a_colon_is_the_next_label_not_a_secret(scanner: Scanner) -> None:
    assert "credentials" not in scanner.scan("OTP codes: expire in 5 min, 請重新申請").categories
    assert _secret_found(scanner, "OTP code: 558812 給你", "558812")
