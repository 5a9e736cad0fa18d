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


@pytest.mark.parametrize(
    "text",
    [
        "請勿外流：本案底價1,860萬元，評選委員名單下週確定",
        "內部資料勿轉傳：本案底價 2,300 萬，開標日 3/15",
        "內部簽呈（請勿外流）：本案底價擬核定為980萬元",
    ],
)
def test_a_caution_phrase_heading_another_secret_reports_both_categories(
    scanner: Scanner, text: str
) -> None:
    assert {"classified", "procurement"} <= scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "機密等級：極機密\n主旨：核子事故區域應變計畫修正",
        "密等：密｜主旨：本府重大建設優先順序調整，說明依規定辦理",
        "文件密等：機密，保密期限：117年6月30日止",
        "保密期限：本案決標後\n說明：本局擬採最有利標，核定底價另簽",
        "機密等級「極機密」，以下為內容摘要：邊境管制措施調整",
        "Classification: SECRET\n本次演習兵棋推演想定如下",
    ],
)
def test_a_filled_in_classification_field_is_classified_even_beside_rule_words(
    scanner: Scanner, text: str
) -> None:
    assert "classified" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "機密等級：絕對機密、極機密、機密三種，由核定人員決定",
        "這份文件的機密等級：普通，可以公開",
    ],
)
def test_a_classification_field_listing_levels_or_holding_none_is_not_classified(
    scanner: Scanner, text: str
) -> None:
    assert "classified" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "這份 secret 等級的報告先給大家：港區監控點位調整",
        "這份 restricted 的文件先給你們看：新系統的網段規劃",
        "marked SECRET 的那份，內容是演習想定",
        "[RESTRICTED] 下年度組織調整草案",
        "SECRET：本案涉及國安單位協查，名單附後",
    ],
)
def test_english_classification_words_in_context_are_classified(
    scanner: Scanner, text: str
) -> None:
    assert "classified" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "the secret key of the API is rotated monthly",
        "restricted area, staff only",
        "classified ads 在報紙第三版",
        "secret: tldq8b8Vw2zbJYAxyL1a",
    ],
)
def test_english_classification_words_without_context_are_not_classified(
    scanner: Scanner, text: str
) -> None:
    assert "classified" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "請問機密等級要怎麼填？是寫「密」還是「機密」？",
        "「限閱」跟「密件」差在哪裡？",
        "密件可以用 email 寄嗎？",
        "一般公務機密的保密期限最長幾年？",
        "請問蓋了【密】的文件能不能影印？",
    ],
)
def test_questions_about_markings_are_not_classified(scanner: Scanner, text: str) -> None:
    assert "classified" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "國家機密分為絕對機密、極機密、機密三級，一般公務機密標示「密」",
        "機密文件一律以雙封套傳遞，不得用通訊軟體",
        "密件不要在群組傳，請走公文系統",
        "嚴禁將機敏資料上傳雲端硬碟，違者議處",
        "上課講到「極機密」的保密期限是三十年",
        "一般公務機密只有一種，國家機密才有絕對機密、極機密跟機密",
        "密件及限閱文件一律專人遞送，不得拍照上傳群組",
        "提醒一下，密件請勿拍照喔",
        "極機密的東西不要丟群組啦",
        "密件公文要放在專用卷夾，用完歸還檔案室",
    ],
)
def test_definitions_training_and_rule_reminders_are_not_classified(
    scanner: Scanner, text: str
) -> None:
    assert "classified" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "【密】下週專案會議決議，大家有意見嗎？",
        "這份密件大家看一下有沒有問題？內容是明年度裁員規劃",
        "密件截圖給你，依規定看完就刪掉好嗎",
        "限閱資料，僅供一級主管：下年度考績甲等比例草案。大家有問題嗎？",
        "剛拿到的極機密簡報，明天要報告。大家覺得要怎麼講？",
        "這份限閱資料只給群組看：新版組織圖",
    ],
)
def test_a_stamp_shared_content_or_a_question_elsewhere_does_not_hide_a_marking(
    scanner: Scanner, text: str
) -> None:
    assert "classified" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "密件規定" * 25_000,
        "機密等級：絕對機密、" * 10_000,
        "不是密件" * 25_000,
        "請勿外流\n" * 20_000,
        "secret 等級 " * 10_000,
        "密件？" * 33_000,
    ],
)
def test_long_repetitive_messages_scan_in_linear_time(scanner: Scanner, text: str) -> None:
    import time

    started = time.perf_counter()
    scanner.scan(text)
    assert time.perf_counter() - started < 5


def test_the_bcc_field_of_an_email_is_not_classified(scanner: Scanner) -> None:
    text = "請用密件副本寄給所有廠商，不要讓他們看到彼此的信箱"
    assert "classified" not in scanner.scan(text).categories


def test_a_level_given_with_wei_is_a_filled_in_field(scanner: Scanner) -> None:
    assert "classified" in scanner.scan("公文密等為密，說明：本府配合國防部演習").categories


def test_a_caution_on_its_own_line_under_a_raid_plan_reports_the_raid_alone(
    scanner: Scanner,
) -> None:
    text = "【臨檢】明天早上6點搜索嫌犯住處\n請勿外流\n集合地點：分局前停車場，警力20人"
    assert scanner.scan(text).categories == {"raid"}


def test_a_caution_opening_a_raid_plan_reports_both(scanner: Scanner) -> None:
    text = "請勿外流！明天早上6點搜索嫌犯住處，警力5點集合"
    assert scanner.scan(text).categories == {"classified", "raid"}


@pytest.mark.parametrize(
    "text",
    [
        "那份簽屬密，我打出來給你：明年度預算刪減三成",
        "這案子的簽呈是密的喔，內容是人事室擬調整主管職務",
        "這份是密的，你看完就刪：新任局長人選已定",
    ],
)
def test_a_document_stated_to_be_mi_in_a_sentence_is_classified(
    scanner: Scanner, text: str
) -> None:
    assert "classified" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "這份文件不是密的，可以直接公告",
        "這張簽是密的嗎？要不要蓋章",
        "這份算密的還是普通的？",
        "他們兩個關係是密切的",
        "因為密集排班，大家辛苦了",
        "那份屬密，請走公文系統，不要在群組傳",
    ],
)
def test_a_stated_level_denied_asked_about_or_under_a_rule_is_not_classified(
    scanner: Scanner, text: str
) -> None:
    assert "classified" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "專案會議紀錄（密）：研議如何處理承包商延宕，決議先扣款",
        "簽(密)：擬同意該員停職，俟調查後再議",
        "附上會議紀錄（密），討論是否終止與保全公司的契約",
    ],
)
def test_a_stamp_after_a_document_name_heading_its_content_is_classified(
    scanner: Scanner, text: str
) -> None:
    assert "classified" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "請問標示（密）：要放在哪個位置？",
        "簽呈(密)的格式要怎麼寫？",
        "會議紀錄要討論是否把密件改成線上簽核",
    ],
)
def test_a_stamp_or_marking_inside_a_question_stays_a_question(scanner: Scanner, text: str) -> None:
    assert "classified" not in scanner.scan(text).categories


@pytest.mark.parametrize("text", ["是密的" * 30_000, "簽(密):" * 20_000, "(密)討論是否" * 15_000])
def test_long_stated_levels_and_stamps_scan_in_linear_time(scanner: Scanner, text: str) -> None:
    import time

    started = time.perf_counter()
    scanner.scan(text)
    assert time.perf_counter() - started < 5


def test_a_level_stated_with_its_grade_word_is_classified(scanner: Scanner) -> None:
    assert "classified" in scanner.scan("這份簽屬『密』等級，我打出來：擬調整科長職缺").categories


@pytest.mark.parametrize(
    "text",
    [
        "我最近在追《極機密檔案》第二季，超好看",
        "讀書會這週讀〈國家機密與民主〉那一章",
    ],
)
def test_a_marking_word_inside_the_title_of_a_work_is_not_classified(
    scanner: Scanner, text: str
) -> None:
    assert "classified" not in scanner.scan(text).categories


def test_a_marking_outside_a_title_still_counts(scanner: Scanner) -> None:
    text = "別管《機密任務》了，這份簽是機密，附件給你看：擬調整三個科長職缺"
    assert "classified" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "都市更新審議簡報（極機密級）節錄：B基地容積獎勵擬提高至50%",
        "這是人事室的名冊[限閱等級]，裡面有職缺調整名單",
    ],
)
def test_a_bracket_naming_the_level_as_such_is_a_stamp(scanner: Scanner, text: str) -> None:
    assert "classified" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "密｜人事異動：秘書室主任下月調任，先別講",
        "限閱 | 預算刪減名單：社會局三案",
        "群組整理\n密：議長行程異動，週五改去北區",
    ],
)
def test_a_bare_level_labelling_a_line_is_classified(scanner: Scanner, text: str) -> None:
    assert "classified" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    ["密：一律走公文系統，不要在 Telegram 傳", "請問 密｜ 這種標法要放在哪裡？"],
)
def test_a_bare_level_label_stating_a_rule_or_asking_is_not_classified(
    scanner: Scanner, text: str
) -> None:
    assert "classified" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text", ["《機密》" * 20_000, "\n密｜內容" * 20_000, "(機密等級)" * 20_000]
)
def test_long_titles_level_labels_and_grade_stamps_scan_in_linear_time(
    scanner: Scanner, text: str
) -> None:
    import time

    started = time.perf_counter()
    scanner.scan(text)
    assert time.perf_counter() - started < 5
