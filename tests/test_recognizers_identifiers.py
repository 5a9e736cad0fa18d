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


def test_extension_stays_outside_the_phone_span_of_a_home_line(scanner: Scanner) -> None:
    assert found(scanner, "他家裡電話 02-2345-6789 分機 123") == [(PHONE, "02-2345-6789")]


@pytest.mark.parametrize(
    "text",
    [
        "承辦人：戶籍課 李怡君，電話 (02)2931-5678 分機 215",
        "區農會電話 (03)956-1234 分機 201 是推廣股",
        "辦公室 07-123-4567#88",
        "總機 02-2720-8889 ext. 3321",
    ],
)
def test_a_landline_with_an_extension_is_an_office_switchboard(
    scanner: Scanner, text: str
) -> None:
    assert PHONE not in {t for t, _ in found(scanner, text)}


def test_a_bracket_that_opens_a_remark_is_not_part_of_the_phone(scanner: Scanner) -> None:
    text = "鍾志明科員（0955-730-218，住高雄市苓雅區四維三路12號）"
    assert (PHONE, "0955-730-218") in found(scanner, text)
    assert (PHONE, "（02）2345-6789") in found(scanner, "家裡（02）2345-6789")


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


# -- context from table columns, vehicles, record rows ------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "車籍查詢結果\n| 車號 | 車主 | 電話 |\n| BFK-6273 | 蔡明宏 | 0932-581-406 |\n"
            "| MQA-2051 | 許雅婷 | 0978-224-613 |",
            [(LICENSE_PLATE, "BFK-6273"), (LICENSE_PLATE, "MQA-2051")],
        ),
        (
            "姓名,身分證,出生,電話\n廖文彬,S181291247,1962-04-18,0919-603-552\n"
            "廖林阿桃,O217583341,1964-09-02,049-2991735",
            [(BIRTHDATE, "1962-04-18"), (BIRTHDATE, "1964-09-02")],
        ),
        ("車號\t廠牌\t車主\nAKK-9021\tMAZDA\t鍾宜蓁", [(LICENSE_PLATE, "AKK-9021")]),
    ],
)
def test_a_table_header_gives_context_to_every_cell_of_its_column(
    scanner: Scanner, text: str, expected: list[tuple[str, str]]
) -> None:
    kinds = {t for t, _ in expected}
    assert [f for f in found(scanner, text) if f[0] in kinds] == expected


def test_a_header_of_another_column_gives_no_context(scanner: Scanner) -> None:
    text = "| 車號 | 型號 |\n| --- | --- |\n| 無 | ABC-1234 |"
    assert (LICENSE_PLATE, "ABC-1234") not in found(scanner, text)


def test_a_plate_someone_drives_is_a_plate_and_an_agency_car_is_not(scanner: Scanner) -> None:
    assert (LICENSE_PLATE, "ARK-2097") in found(scanner, "明早拘提陳志明，開ARK-2097黑色賓士")
    assert (LICENSE_PLATE, "ARK-3321") in found(scanner, "檢舉人周建志開的是ARK-3321")
    assert found(scanner, "公務車 ARH-0231 這週送保養，要出公差的請改借") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("精神科轉介：蕭家豪，男，民國85年2月9日，思覺失調症", "民國85年2月9日"),
        ("戶長 謝明哲 Z108948465 51年8月2日", "51年8月2日"),
        ("家暴相對人王志偉 1979/08/25 前科：傷害", "1979/08/25"),
        ("跟監對象蘇志偉，1979/08/23，開AMV-3390機車", "1979/08/23"),
    ],
)
def test_a_full_date_right_after_a_name_or_an_id_is_a_birth_date(
    scanner: Scanner, text: str, value: str
) -> None:
    assert (BIRTHDATE, value) in found(scanner, text)


@pytest.mark.parametrize(
    "text",
    ["王科長 2025/11/20 請假", "陳志明 2024/01/05 到職，請人事室建檔", "會議 1990/01/01 改期"],
)
def test_a_recent_date_after_a_name_is_not_a_birth_date(scanner: Scanner, text: str) -> None:
    assert BIRTHDATE not in {t for t, _ in found(scanner, text)}


def test_nhi_card_context_reaches_across_a_name_and_a_date(scanner: Scanner) -> None:
    text = "補發健保卡：鄭雅芳 1983/11/19 原卡號 0000 3329 7761"
    assert (TW_NHI_CARD, "0000 3329 7761") in found(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "請民眾把申請書寄到：嘉義縣太保市祥和一路東段1號 嘉義縣政府社會局 收",
        "廠商資料：宏昌營造有限公司，統編 24578136，地址 桃園市蘆竹區南崁路一段112號",
        "我們所搬家了，新地址：臺中市北區永興街301號2樓，下週一開始在新址辦公",
    ],
)
def test_an_organisations_own_address_is_not_personal(scanner: Scanner, text: str) -> None:
    assert ADDRESS not in {t for t, _ in found(scanner, text)}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("王小明家住台北市中山路1號", "台北市中山路1號"),
        ("住台北市中山路1號，他在社會局上班", "台北市中山路1號"),
        ("電話0937 112 486，住尖石鄉秀巒村3鄰泰平32號", "尖石鄉秀巒村3鄰泰平32號"),
        (
            "Address: No. 18, Ln. 52, Sec. 2, Heping E. Rd., Da'an Dist., Taipei City",
            "No. 18, Ln. 52, Sec. 2, Heping E. Rd., Da'an Dist., Taipei City",
        ),
    ],
)
def test_home_village_and_english_addresses_are_found(
    scanner: Scanner, text: str, value: str
) -> None:
    assert (ADDRESS, value) in found(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "颱風期間各區消防分隊聯絡電話：東區 (06)268-3119、北區 (06)251-3995，請放在防災專區",
        "宣導海報上的電話記得放：165反詐騙諮詢專線，還有本分局的24小時值班台 (03)332-5146",
    ],
)
def test_an_agency_units_numbers_and_lists_of_them_are_office_lines(
    scanner: Scanner, text: str
) -> None:
    assert PHONE not in {t for t, _ in found(scanner, text)}


@pytest.mark.parametrize(
    "text",
    [
        "監理站搬到新大樓了喔～ 嘉義市東區忠孝路518號，舊址那邊只剩一個臨時櫃台",
        "協調會改在市府大樓開，地址：新北市板橋區中山路一段161號 18樓 第二會議室",
        "契約封面的廠商地址寫：台北市內湖區瑞光路583巷21號7樓，跟工商登記一致",
    ],
)
def test_a_moved_office_a_meeting_venue_and_a_vendors_address_are_not_personal(
    scanner: Scanner, text: str
) -> None:
    assert ADDRESS not in {t for t, _ in found(scanner, text)}


@pytest.mark.parametrize(
    "text",
    [
        "影印機管理介面 http://192.168.10.40 帳號 admin",
        "公文掛號號碼 31867500012345 郵局說已經投遞了",
    ],
)
def test_ip_addresses_and_registered_mail_numbers_are_not_bank_accounts(
    scanner: Scanner, text: str
) -> None:
    assert BANK_ACCOUNT not in {t for t, _ in found(scanner, text)}


def test_a_birth_date_after_a_name_introduced_by_a_verb_or_a_slash(scanner: Scanner) -> None:
    assert (BIRTHDATE, "民國31年2月9日") in found(scanner, "被看護人是湯淑華，民國31年2月9日")
    text = "報名資料：田文傑 / 1984年12月2日 / 寄紙本"
    assert (BIRTHDATE, "1984年12月2日") in found(scanner, text)


def test_an_account_after_its_bank_code_in_a_table_column(scanner: Scanner) -> None:
    text = "| 姓名 | 匯款帳號 |\n|---|---|\n| 江明德 | 700-0021345-0678901 |"
    assert (BANK_ACCOUNT, "0021345-0678901") in found(scanner, text)
    assert (BANK_ACCOUNT, "0001234-0567891") in found(scanner, "郵局帳號 700-0001234-0567891")


@pytest.mark.parametrize(
    "text",
    [
        "各區公所對外服務電話：\n東區\t(06)267-9751\n北區\t(06)222-0101\n請貼在服務台",
        "聯絡窗口：水利局 (07)337-3321",
        "Vendor 那邊的 support hotline 是 02-2655-8899（週一到週五）",
        "冷氣保養廠商是「冷氣王空調工程行」，店面電話 04-2236-5588",
        "本局第三辦公室搬遷公告：自12月1日起遷至新址，電話改為 (02)2984-3000，原址停止辦公。",
    ],
)
def test_office_desk_shop_and_vendor_lines_are_not_personal(scanner: Scanner, text: str) -> None:
    assert PHONE not in {t for t, _ in found(scanner, text)}


def test_a_complainants_number_next_to_an_organisation_word_is_still_reported(
    scanner: Scanner,
) -> None:
    text = "陳情人說可以打她的公司電話 02-2345-6789 找她"
    assert (PHONE, "02-2345-6789") in found(scanner, text)


def test_an_agency_letter_header_address_and_a_transaction_reference_are_not_personal(
    scanner: Scanner,
) -> None:
    header = (
        "發文機關：新竹市政府\n機關地址：300 新竹市北區中正路120號\n"
        "聯絡電話：(03)521-6121 分機 402"
    )
    assert found(scanner, header) == []
    ref = "錯誤訊息說交易參考號 379178619354809 格式不符，不是卡號"
    assert BANK_ACCOUNT not in {t for t, _ in found(scanner, ref)}


def test_a_listed_agency_address_in_a_home_field_is_reported(scanner: Scanner) -> None:
    assert found(scanner, "本府地址：新北市板橋區中山路一段161號") == []
    text = "住址：新北市板橋區中山路一段161號"
    assert found(scanner, text) == [(ADDRESS, "新北市板橋區中山路一段161號")]
    text = "戶籍地址  高雄市苓雅區四維三路2號"
    assert found(scanner, text) == [(ADDRESS, "高雄市苓雅區四維三路2號")]
