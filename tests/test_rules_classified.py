"""classified: content marked classified being shared is an incident; explaining the
classification rules, denying a marking, passwords and software features are not."""

from __future__ import annotations

import pytest

from detectors import Scanner


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


@pytest.mark.parametrize(
    "text",
    [
        "【密件】市長交辦：明年度人事精簡方案，各局處裁減5%員額",
        "限閱資料，僅供一級主管：下年度考績甲等比例調整草案",
        "極機密公文影本，我先丟群組給大家看",
        "機密等級：密。主旨：加強重要設施安全維護",
        "這封信函蓋了「密」字，內容我打出來給大家",
        "請勿外流的簡報我放在這：明年度行銷策略",
    ],
)
def test_shared_classified_content_is_a_classified_incident(scanner: Scanner, text: str) -> None:
    result = scanner.scan(text)
    assert "classified" in result.categories
    assert result.action.label == "warn"


@pytest.mark.parametrize(
    "text",
    [
        "國家機密保護法規定機密等級分為絕對機密、極機密、機密三級",
        "保密宣導：公務機密不得洩漏，請同仁注意",
        "電腦開機密碼每90天要換一次",
        "這份文件不是密件，可以公開放官網",
        "限閱功能是新系統的權限設定",
        "這份資料是機密嗎？",
        "機密文件請用碎紙機銷毀",
        "本局密件處理作業要點修正",
        "密碼學課程介紹對稱式加密與雜湊",
    ],
)
def test_rules_explanations_and_lookalike_words_are_not_classified(
    scanner: Scanner, text: str
) -> None:
    assert "classified" not in scanner.scan(text).categories


def test_a_caution_phrase_on_a_raid_plan_reports_the_raid_alone(scanner: Scanner) -> None:
    result = scanner.scan("明天早上6點搜索嫌犯住處，警力5點集合，請勿外流")
    assert result.categories == {"raid"}
