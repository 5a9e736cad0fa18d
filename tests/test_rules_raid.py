"""raid: planned, non-public enforcement operations are incidents; IT search talk, news of past
operations, public announcements and training are not."""

from __future__ import annotations

import pytest

from detectors import Scanner


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


@pytest.mark.parametrize(
    "text",
    [
        "明天早上6點搜索嫌犯住處，警力5點在分局集合",
        "週五凌晨收網，第一組攻堅，第二組封鎖後門",
        "今晚11點臨檢林森北路那幾家酒店，便衣先進去",
        "明早 6 點 raid，目標 target 在三重的倉庫",
        "行動代號「黎明」，後天0500同步執行，請勿外流",
        "跟監對象今天下午會去汽車旅館，埋伏點在對面超商",
    ],
)
def test_planned_enforcement_operations_are_raid_incidents(scanner: Scanner, text: str) -> None:
    assert "raid" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "新版系統的搜索功能可以用關鍵字找公文",
        "搜尋引擎找不到我們的網站，明天請廠商處理",
        "昨日警方破獲詐騙集團，已移送地檢署，新聞稿如附",
        "環保局公告：本月將加強稽查露天燃燒，歡迎民眾檢舉",
        "教育訓練：搜索票應記載事項包括案由與有效期間",
        "專案會議改到明天下午兩點",
        "他今天的行動電話打不通",
        "請明天早上9點到專案辦公室集合",
        "臨檢時請攜帶證件",
        "搜索隊明天上山找失蹤登山客",
    ],
)
def test_it_chat_news_announcements_and_training_are_not_raids(
    scanner: Scanner, text: str
) -> None:
    assert "raid" not in scanner.scan(text).categories


def test_raid_plan_is_deleted(scanner: Scanner) -> None:
    result = scanner.scan("明天早上6點搜索嫌犯住處，警力5點在分局集合")
    assert result.action.label == "delete"


def test_citizen_petition_asking_for_an_inspection_is_not_a_raid_plan() -> None:
    from detectors import Scanner

    scanner = Scanner()
    petition = "陳情事項：工廠夜間排放廢氣，懇請貴局於明天派員稽查。陳情日期：113年10月5日"
    assert "raid" not in scanner.scan(petition).categories
    plan = "明天早上6點派員稽查該工廠，分兩組進場"
    assert "raid" in scanner.scan(plan).categories
