"""The structured-identifier recognizers, seen the way a user sees them: through `Scanner.scan`.

Each positive case checks the type, that the finding slices the ORIGINAL text to the identifier
as written, and the canonical value where it matters; each hard negative is a string agency chat
is full of (公文文號, invoices, 統一編號, meeting dates, hotlines, amounts) that must not
be reported.
"""

from __future__ import annotations

import pytest

from detectors import Scanner
from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.normalize import normalize
from detectors.recognizers.address import AddressRecognizer, address_key
from detectors.recognizers.base import TextView
from detectors.recognizers.phone import PhoneRecognizer, hotline_digits, national_form
from detectors.types import (
    ADDRESS,
    BANK_ACCOUNT,
    BIRTHDATE,
    CREDIT_CARD,
    EMAIL,
    LICENSE_PLATE,
    PHONE,
    TW_NATIONAL_ID,
    TW_NHI_CARD,
    TW_PASSPORT,
    TW_RESIDENT_ID,
)

STRUCTURED = {
    TW_NATIONAL_ID,
    TW_RESIDENT_ID,
    TW_PASSPORT,
    TW_NHI_CARD,
    CREDIT_CARD,
    BANK_ACCOUNT,
    PHONE,
    EMAIL,
    ADDRESS,
    LICENSE_PLATE,
    BIRTHDATE,
}


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner.from_config(None)


def found(scanner: Scanner, text: str) -> list[tuple[str, str]]:
    """(type, original substring) of every structured-identifier finding."""
    return [
        (f.type, text[f.start : f.end]) for f in scanner.scan(text).findings if f.type in STRUCTURED
    ]


def _analyze(recognizer: object, text: str) -> list[tuple[str, str | None]]:
    norm = normalize(text)
    view = TextView(norm=norm, config=DetectorConfig())
    return [(norm.text[m.start : m.end], m.value) for m in recognizer.analyze(view)]  # type: ignore[attr-defined]


# -- positives ----------------------------------------------------------------------------------

POSITIVES = [
    ("身分證 A123456789", TW_NATIONAL_ID, "A123456789"),
    ("身分證字號 a123456789 請查", TW_NATIONAL_ID, "a123456789"),
    ("ID：A12 345 6789", TW_NATIONAL_ID, "A12 345 6789"),
    ("身分證 Ａ１２３４５６７８９", TW_NATIONAL_ID, "Ａ１２３４５６７８９"),
    ("證號A1\u200b23456789", TW_NATIONAL_ID, "A1\u200b23456789"),
    ("居留證 R884356462", TW_RESIDENT_ID, "R884356462"),
    ("手機 0912-345-678", PHONE, "0912-345-678"),
    ("手機 0912.345.678", PHONE, "0912.345.678"),
    ("電話 0912 345 678 找他", PHONE, "0912 345 678"),
    ("打給他 零九一二三四五六七八", PHONE, "零九一二三四五六七八"),
    ("電話 +886-912-345-678", PHONE, "+886-912-345-678"),
    ("家裡 +886 2 2345 6789", PHONE, "+886 2 2345 6789"),
    ("家裡 (02)2345-6789 分機 123", PHONE, "(02)2345-6789"),
    ("辦公室 07-123-4567#88", PHONE, "07-123-4567"),
    ("信箱 wang.xm@mail.example.com.tw", EMAIL, "wang.xm@mail.example.com.tw"),
    ("護照號碼 312345678", TW_PASSPORT, "312345678"),
    ("健保卡號 000012345678", TW_NHI_CARD, "000012345678"),
    ("匯款到 (822) 中國信託 123456789012", BANK_ACCOUNT, "123456789012"),
    ("郵局帳號 0001234-1234567", BANK_ACCOUNT, "0001234-1234567"),
    ("卡號 4111 1111 1111 1111 有效 12/27", CREDIT_CARD, "4111 1111 1111 1111"),
    ("刷卡 5555-5555-5555-4444", CREDIT_CARD, "5555-5555-5555-4444"),
    ("生日 民國85年3月5日", BIRTHDATE, "民國85年3月5日"),
    ("出生日期 1996/03/05", BIRTHDATE, "1996/03/05"),
    ("DOB: March 5, 1996", BIRTHDATE, "March 5, 1996"),
    ("車號 ABC-1234", LICENSE_PLATE, "ABC-1234"),
    ("車牌 1234-AB", LICENSE_PLATE, "1234-AB"),
    ("住在新北市板橋區文化路一段188巷6號3樓", ADDRESS, "新北市板橋區文化路一段188巷6號3樓"),
    ("他住在中正路100號5樓，晚上在家", ADDRESS, "中正路100號5樓"),
    ("寄到永和區民生路3巷2號", ADDRESS, "永和區民生路3巷2號"),
    ("台南市东区长荣路一段50号", ADDRESS, "台南市东区长荣路一段50号"),
    ("臺北市大安區和平東路二段106巷3弄8號", ADDRESS, "臺北市大安區和平東路二段106巷3弄8號"),
    ("新竹市東區光復路一段321號7樓之2", ADDRESS, "新竹市東區光復路一段321號7樓之2"),
    ("地址：台東縣卑南鄉太平村5鄰12號", ADDRESS, "台東縣卑南鄉太平村5鄰12號"),
]


@pytest.mark.parametrize(("text", "kind", "expected"), POSITIVES)
def test_identifier_is_reported_with_offsets_into_the_original_text(
    scanner: Scanner, text: str, kind: str, expected: str
) -> None:
    assert (kind, expected) in found(scanner, text)


def test_masks_are_computed_from_the_canonical_value_without_separators(
    scanner: Scanner,
) -> None:
    for text in ("身分證 a12 345 6789", "手機 0912-345-678", "卡號 4111-1111-1111-1111"):
        (finding,) = [f for f in scanner.scan(text).findings if f.type in STRUCTURED]
        assert finding.masked.isalnum() is False  # something is hidden
        assert not set(finding.masked) & {" ", "-", "."}
        assert finding.masked == finding.masked.upper()


# -- hard negatives -----------------------------------------------------------------------------

NEGATIVES = [
    "府授教字第1130012345號",
    "北市警刑字第1130001234號函，請查照",
    "依據院臺法字第1120012345號函辦理",
    "發票號碼 AB-12345678",
    "發票 AB12345678 金額 1,200 元",
    "訂單編號 1234567890123",
    "開會時間 114年3月5日下午2點",
    "會議訂於 2025/03/05 14:30 召開",
    "金額 NT$ 1,234,567 元",
    "預算 12,345,678,901 元",
    "下午 14:30 開會",
    "請撥 1999 或 0800-000-123 或 165 反詐騙專線",
    "報案請撥 110，火警 119，婦幼 113",
    "行政院總機 02-3356-6500",
    "統編 22099131",
    "統一編號：22099131 電話另洽",
    "公司統編22099131，帳號另告",
    "身分證 A123456788",  # wrong check digit
    "序號 A1234567890123",
    "版本 1.2.3.4567",
    "第0912345678號",
    "日期 2025-11-25",
    "中正路附近塞車",
    "第3號公報",
    "9 位數字 312345678 沒有任何說明",
    "卡號後四碼 1111",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_agency_strings_that_look_like_identifiers_are_not_reported(
    scanner: Scanner, text: str
) -> None:
    assert found(scanner, text) == []


def test_company_number_next_to_account_word_does_not_become_an_account(scanner: Scanner) -> None:
    text = "統編 22099131 帳號 12345678901234"
    assert found(scanner, text) == [(BANK_ACCOUNT, "12345678901234")]


def test_context_dependent_formats_need_their_context_word(scanner: Scanner) -> None:
    for bare in ("312345678", "000012345678", "123456789012", "ABC-1234", "民國85年3月5日"):
        assert found(scanner, f"號碼 {bare} 收到") == []


# -- phone specifics ----------------------------------------------------------------------------


def test_configured_hotline_is_not_reported() -> None:
    cfg = DetectorConfig(hotlines=["(02) 2222-3333 分機 10"])
    rec = PhoneRecognizer(cfg, Lexicons(cfg))
    assert _analyze(rec, "請洽 02-2222-3333") == []
    assert _analyze(rec, "請洽 02-2222-4444") == [("02-2222-4444", "0222224444")]


def test_international_forms_share_the_national_number() -> None:
    assert national_form("886912345678") == "0912345678"
    assert national_form("0088622345678") == "022345678"
    assert national_form("0912345678") == "0912345678"
    assert hotline_digits("+886 2 3356 6500 #123") == "0233566500"


def test_extension_stays_outside_the_phone_span(scanner: Scanner) -> None:
    assert found(scanner, "電話 02-2345-6789 分機 123") == [(PHONE, "02-2345-6789")]


# -- address specifics --------------------------------------------------------------------------


def test_agency_office_address_is_not_reported_in_any_spelling() -> None:
    cfg = DetectorConfig()
    rec = AddressRecognizer(cfg, Lexicons(cfg))
    assert _analyze(rec, "本府地址：台北市信義區市府路1號") == []
    assert _analyze(rec, "總統府 臺北市中正區重慶南路1段122號") == []
    assert address_key("台北市 中正區重慶南路一段122號") == address_key(
        "臺北市中正區重慶南路1段122號"
    )


def test_configured_allow_list_address_is_not_reported() -> None:
    cfg = DetectorConfig(allow_list=["新北市板橋區文化路一段188號"])
    rec = AddressRecognizer(cfg, Lexicons(cfg))
    assert _analyze(rec, "新北市板橋區文化路1段188號") == []


def test_partial_address_scores_lower_than_a_full_one() -> None:
    cfg = DetectorConfig()
    rec = AddressRecognizer(cfg, Lexicons(cfg))
    view = TextView(norm=normalize("中正路100號；臺北市中正區中正路100號"), config=cfg)
    partial, full = rec.analyze(view)
    assert partial.score < full.score
    assert full.value == "臺北市中正區中正路100號"


# -- public contacts, examples and birth-date phrasing ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "本局防疫專線 (02)2375-3782，上班時間有人接聽",
        "本所電話改為 03-4567-890，請更新名片",
        "電話號碼格式：市話請加區碼，如 02-1234-5678（表單說明）",
        "客服信箱 service@example.gov.tw，民眾來信請轉給承辦",
        "本局檢舉信箱 report@example.gov.tw 已上線",
        "社區活動中心的地址是中山路100號，里長說活動在那邊辦",
        "本辦法自114年3月5日生效",
    ],
)
def test_office_lines_examples_desk_mailboxes_and_public_places_are_not_reported(
    scanner: Scanner, text: str
) -> None:
    assert found(scanner, text) == []


def test_office_cue_does_not_hide_a_colleagues_mobile(scanner: Scanner) -> None:
    assert found(scanner, "本局同仁王小明手機 0912-345-678") == [(PHONE, "0912-345-678")]


def test_home_word_keeps_an_address_next_to_a_public_place(scanner: Scanner) -> None:
    assert (ADDRESS, "中山路100號") in found(scanner, "他住在活動中心旁邊的中山路100號")


def test_personal_mailbox_on_an_agency_domain_is_still_reported(scanner: Scanner) -> None:
    text = "承辦人信箱 servicewang@example.gov.tw"
    assert found(scanner, text) == [(EMAIL, "servicewang@example.gov.tw")]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("個案吳建國，民國62年8月3日生，住處不明", "民國62年8月3日"),
        ("學生涂家豪（民國95年12月1日生）的鑑定", "民國95年12月1日"),
        ("陳柏宇本人2010/02/14生", "2010/02/14"),
    ],
)
def test_date_followed_by_sheng_is_a_birth_date_without_other_context(
    scanner: Scanner, text: str, date: str
) -> None:
    assert (BIRTHDATE, date) in found(scanner, text)


@pytest.mark.parametrize(
    ("text", "plate"),
    [("這是他的車AKB-3312，昨天停在紅線", "AKB-3312"), ("他開BNY-7732白色休旅車", "BNY-7732")],
)
def test_plate_next_to_a_car_word_is_reported(scanner: Scanner, text: str, plate: str) -> None:
    assert (LICENSE_PLATE, plate) in found(scanner, text)


def test_maestro_card_is_reported(scanner: Scanner) -> None:
    assert found(scanner, "卡號5614-5224-6620-8261，請查") == [(CREDIT_CARD, "5614-5224-6620-8261")]


# -- adversarial input --------------------------------------------------------------------------

_ADVERSARIAL = {
    "digit soup": "1 " * 50_000,
    "dashed digits": "12-" * 33_334,
    "letters and digits": "A1" * 50_000,
    "dates": "民國85年3月5日生日" * 10_000,
    "address parts": "臺北市中正區中正路1巷" * 9_000,
    "email-ish": "a." * 50_000 + "@",
}


@pytest.mark.parametrize("kind", list(_ADVERSARIAL))
def test_structured_recognizers_stay_linear_on_100k_adversarial_input(kind: str) -> None:
    """Every recognizer of this module together: well under a second on an idle core; the
    budget leaves headroom for a loaded CI machine, a quadratic path would take minutes."""
    import time

    from detectors.registry import RECOGNIZERS, _load

    cfg = DetectorConfig()
    lex = Lexicons(cfg)
    recognizers = [_load(spec)(cfg, lex) for spec in RECOGNIZERS if "person" not in spec]
    view = TextView(norm=normalize(_ADVERSARIAL[kind]), config=cfg)
    started = time.perf_counter()
    for rec in recognizers:
        rec.analyze(view)
    assert time.perf_counter() - started < 2.5


def test_dates_of_birth_in_a_roster_with_mobiles_are_reported(scanner: Scanner) -> None:
    text = "研習報名名單\n1. 張雅婷 0911-234-567 1990.03.15\n2. 劉建志 0922-345-678 1988.11.02"
    dates = [value for kind, value in found(scanner, text) if kind == BIRTHDATE]
    assert dates == ["1990.03.15", "1988.11.02"]


def test_recent_date_next_to_a_mobile_is_not_a_birth_date(scanner: Scanner) -> None:
    text = "陳先生 0912-345-678 2025/03/05 來訪"
    assert [kind for kind, _ in found(scanner, text)] == [PHONE]
