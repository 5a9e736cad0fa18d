"""whistleblower: messages that reveal or narrow down a complainant are incidents; procedure
talk, public channels and training material are not."""

from __future__ import annotations

import pytest

from detectors import Scanner


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


@pytest.mark.parametrize(
    "text",
    [
        "檢舉人王美華，電話0912-345-678，請勿告知業者",
        "陳情人住在同棟的鄰居，七樓那戶，每天都在抱怨",
        "檢舉人是該公司夜班組長，請不要跟廠方提到夜班",
        "這次檢舉我們的其實是隔壁攤商的老闆娘",
        "那家工廠是被他們自己的會計檢舉的，新來那位",
        "線民說他在那家酒店當圍事，別讓人知道",
        "轉寄給你們：檢舉信原文，寄件人林志豪 0933-111-222",
    ],
)
def test_revealing_or_narrowing_a_complainant_is_a_whistleblower_incident(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "檢舉人身分應保密，請各單位注意",
        "請依規定保護檢舉人，不得洩漏其身分",
        "本局檢舉信箱 report@example.gov.tw 已上線",
        "教育訓練案例：某局洩漏檢舉人住址遭懲處，請同仁引以為戒",
        "陳情統計：本月共收到陳情案128件，已結案110件",
    ],
)
def test_procedure_channels_and_training_are_not_whistleblower_incidents(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" not in scanner.scan(text).categories


def test_whistleblower_findings_never_quote_the_complainants_name(scanner: Scanner) -> None:
    text = "檢舉人王美華，電話0912-345-678"
    result = scanner.scan(text)
    assert result.action.label == "delete"
    assert all("王美華" not in f.reason and "王美華" not in f.masked for f in result.findings)


@pytest.mark.parametrize(
    "text",
    [
        "檢舉人打電話來問處理情形",
        "陳情人對處理結果不滿意，要求主管出面",
        "檢舉人要求回覆進度，請承辦人在期限內回覆",
    ],
)
def test_talk_about_a_complainants_case_that_does_not_describe_them_is_not_an_incident(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" not in scanner.scan(text).categories


def test_a_nickname_after_the_role_word_identifies_the_informant(scanner: Scanner) -> None:
    assert "whistleblower" in scanner.scan("線人阿明說貨今晚到").categories
    assert "whistleblower" not in scanner.scan("檢舉人阿姨說她會再來電").categories
