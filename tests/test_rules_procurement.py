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
