"""procurement: reserve prices, committee lists, bidder counts and other bidders' documents
before award are incidents; published results and 採購法 training are not."""

from __future__ import annotations

import pytest

from detectors import Scanner


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


@pytest.mark.parametrize(
    "text",
    [
        "這案子底價是2,850萬，下週二開標，先不要說出去",
        "評選委員名單：台大黃教授、成大林教授，評選前請保密",
        "目前領標的有四家，開標前不要公開",
        "投標廠商家數只有兩家，可能流標",
        "他們家的服務建議書我傳給你，你們參考一下再投",
        "底價：新台幣陸佰伍拾萬元整（簽核中）",
    ],
)
def test_secrets_before_award_are_procurement_incidents(scanner: Scanner, text: str) -> None:
    assert "procurement" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "決標公告：本案由大成營造以3,150萬元得標，底價為3,300萬元（已公告）",
        "政府採購法教育訓練：底價的訂定原則與評選委員會的組成",
        "請問採購案的押標金要多少？",
        "我們的報價單傳給你參考一下",
        "下午3點開標，請相關人員出席",
        "評選委員會組成已依規定簽准，委員名單於評選後公開",
        "這是去年的決標資料，已經公開了：底價2,100萬",
    ],
)
def test_published_results_and_training_are_not_procurement_incidents(
    scanner: Scanner, text: str
) -> None:
    assert "procurement" not in scanner.scan(text).categories


def _is_procurement(scanner: Scanner, text: str) -> bool:
    return "procurement" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "底價單給你看一下：NT$5,130,000，週四開標",
        "核定底價 $2,718,000，簽已經回來了",
        "底價確定是 4,096,000，明天帶去開標室",
        "底價抓 9.35M 左右",
        "底價 1.2 億，主秘同意了",
        "底價：肆佰參拾萬元整",
        "底價: 3,275千元",
        "底價我抄在便條紙上：6430000",
    ],
)
def test_reserve_price_in_any_currency_or_number_format_is_reported(
    scanner: Scanner, text: str
) -> None:
    assert _is_procurement(scanner, text)


def test_reserve_price_as_a_table_column_is_reported(scanner: Scanner) -> None:
    text = "品項｜預算｜底價\n印表機租賃｜1,500,000｜1,395,000\n影印紙｜300,000｜279,000"
    assert _is_procurement(scanner, text)
    tab = "品項\t底價\n冷氣保養\t640000"
    assert _is_procurement(scanner, tab)


@pytest.mark.parametrize(
    "text", ["底價就抓預算的九成，你們報高一點沒關係", "底價是預算打 93 折", "底價大概是預算的 94%"]
)
def test_reserve_price_as_a_share_of_the_budget_is_reported(scanner: Scanner, text: str) -> None:
    assert _is_procurement(scanner, text)


def test_an_amount_that_is_the_budget_is_not_read_as_the_reserve_price(scanner: Scanner) -> None:
    assert not _is_procurement(scanner, "本案預算 3,600 萬元，底價由機關首長核定")


@pytest.mark.parametrize(
    "text",
    [
        "評審這次找了王建民老師，你們簡報要把維運講清楚",
        "評選會下週三\n委員：李明哲（中興）、陳美君（外聘技師）",
        "評審名單我看到了：吳家豪、林佩珊、張建國",
        "這次評審是黃教授跟蔡技師，評選前你們可以先準備",
        "跟你講，評審是楊建華教授，他以前在工研院",
    ],
)
def test_committee_members_named_next_to_a_panel_word_are_reported(
    scanner: Scanner, text: str
) -> None:
    assert _is_procurement(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "立法委員陳建宏辦公室來電，詢問本局標案進度",
        "論文口試委員是陳美玲教授跟張志強教授",
        "攝影比賽評審是林振宇老師，作品下週截止",
        "評選委員要從專家學者資料庫遴選，外聘委員不得少於三分之一",
    ],
)
def test_panel_words_outside_a_pending_tender_are_not_procurement(
    scanner: Scanner, text: str
) -> None:
    assert not _is_procurement(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "這案子只有兩家投，開標前別講",
        "截止了，總共收到4份標封",
        "資格標收件 6 家，明天審",
        "廠商打來問有幾家投，我說五家左右",
        "目前只有一家來領標",
        "目前投標家數：3",
        "so far only two bidders, opening on Friday",
    ],
)
def test_bidder_counts_in_any_phrasing_are_reported(scanner: Scanner, text: str) -> None:
    assert _is_procurement(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "未滿三家廠商投標，依法不予開標",
        "如果只有一家投標就會流標",
        "我們有三家投資公司要來拜訪",
        "這次補助案收件 5 家，下週審查",
        "昨天已開標，共三家投標，由宏碩科技得標",
    ],
)
def test_conditional_counts_and_past_openings_are_not_procurement(
    scanner: Scanner, text: str
) -> None:
    assert not _is_procurement(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "投標廠商：1.華碩科技 2.光寶資訊 3.宏達電\n開標日 12/9",
        "投標的廠商有：東昇、永鑫、立軒",
        "目前領標的是聯宇工程、北辰開發，還有一家在考慮",
    ],
)
def test_bidder_list_before_opening_is_reported(scanner: Scanner, text: str) -> None:
    assert _is_procurement(scanner, text)


def test_a_bidder_form_listing_documents_is_not_a_bidder_list(scanner: Scanner) -> None:
    assert not _is_procurement(scanner, "投標廠商應檢附：1.押標金 2.切結書 3.授權書")


@pytest.mark.parametrize(
    "text",
    [
        "ceiling price 定在 5.2M，bid opening 下週一",
        "the reserve price came out at 3.2 million, keep it between us",
        "evaluation committee: Prof. Wang, Dr. Chen, 週四評選",
    ],
)
def test_english_code_switching_is_reported(scanner: Scanner, text: str) -> None:
    assert _is_procurement(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "政府採購法第46條：機關辦理採購，除本法另有規定外，應訂定底價。"
        "公開招標應於開標前定之。讀書會請先讀這條",
        "新人訓練重點：底價是機關願意支付的最高金額，開標前要保密",
        "底價依採購法第46條在開標前訂定，新人記一下",
        "為什麼底價要保密？因為怕廠商圍標",
        "開標前底價要保密，這是規定",
    ],
)
def test_law_text_definitions_and_training_are_not_procurement(
    scanner: Scanner, text: str
) -> None:
    assert not _is_procurement(scanner, text)


def test_a_named_competitors_bid_document_passed_on_is_reported(scanner: Scanner) -> None:
    assert _is_procurement(scanner, "我把A公司的服務建議書寄給你，你們對照一下")
    assert _is_procurement(scanner, "崇德顧問的投標文件截圖給你")
    assert not _is_procurement(scanner, "我們公司的服務建議書寄給你參考")


def test_long_procurement_text_scans_in_linear_time(scanner: Scanner) -> None:
    """Amount, count and list patterns are bounded: 100k characters of digits, numerals or
    list items after a procurement word take well under a second each (a quadratic pattern
    took over a minute on the first of these)."""
    import time

    texts = [
        "底價" + "1," * 50_000,
        "底價NT$" + "9" * 100_000,
        "幾家投" + "一" * 100_000,
        "投標廠商：" + "甲乙科技、" * 20_000,
        "評審" + "林教授" * 30_000,
    ]
    for text in texts:
        started = time.perf_counter()
        scanner.scan(text)
        assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    "text",
    [
        "剛在採購網後台看，到目前為止領標的有6家，下週三開標",
        "採購網上現在顯示已經有2家投標",
    ],
)
def test_a_bidder_count_seen_on_the_procurement_site_while_open_is_reported(
    scanner: Scanner, text: str
) -> None:
    assert _is_procurement(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "採購網上的決標公告寫得很清楚，目前三家投標，由宏碩科技得標",
        "目前採購網上查得到的開標結果是三家投標",
        "政府電子採購網現在改版了，可以查到有幾家投標嗎？",
    ],
)
def test_a_bidder_count_in_a_published_result_on_the_site_is_not_procurement(
    scanner: Scanner, text: str
) -> None:
    assert not _is_procurement(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "C廠商想看D公司的服務建議書，我先寄給他了",
        "A公司拜託我們把競爭者B公司的投標文件傳過去",
    ],
)
def test_a_named_other_companys_proposal_handed_to_a_bidder_is_reported(
    scanner: Scanner, text: str
) -> None:
    assert _is_procurement(scanner, text)


@pytest.mark.parametrize(
    "text",
    [
        "我們崇德的建議書寄給你參考一下",
        "我們把我們公司的建議書寄給你參考",
    ],
)
def test_the_writers_own_company_proposal_is_not_procurement(scanner: Scanner, text: str) -> None:
    assert not _is_procurement(scanner, text)


def test_a_named_companys_bid_handed_to_another_company_is_reported(scanner: Scanner) -> None:
    assert _is_procurement(scanner, "承辦把甲公司的投標文件交給乙公司了")


def test_the_tender_site_named_as_a_login_does_not_make_a_price_public(scanner: Scanner) -> None:
    text = "電子採購網的帳號我借你，順便說底價簽核下來是 2,480 萬"
    assert "procurement" in scanner.scan(text).categories


def test_a_price_read_on_the_tender_site_stays_public(scanner: Scanner) -> None:
    assert "procurement" not in scanner.scan("採購網上看得到底價 2,480 萬，上週決標了").categories


def test_an_english_reserve_price_reaches_its_amount_within_the_sentence(
    scanner: Scanner,
) -> None:
    text = "FYI the reserve price on the bridge repainting tender came out at NT$12.4 million"
    assert "procurement" in scanner.scan(text).categories


def test_an_english_amount_in_the_next_sentence_is_not_the_reserve_price(
    scanner: Scanner,
) -> None:
    text = "The reserve price is still being drafted. Our team's travel claim was NT$12,400"
    assert "procurement" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "B廠的企劃書那段系統架構，我們照抄到招標規格裡就好",
        "把C廠商的報價單直接套用成我們的預算表",
        "丙廠的服務建議書我複製一份給承辦參考",
    ],
)
def test_copying_a_named_bidders_document_is_procurement(scanner: Scanner, text: str) -> None:
    assert "procurement" in scanner.scan(text).categories


def test_copying_ones_own_proposal_is_not_procurement(scanner: Scanner) -> None:
    text = "我們公司的服務建議書去年那份，直接複製改一改再投"
    assert "procurement" not in scanner.scan(text).categories
