"""PERSON recognition: full names, surname + honorific, context-marked Latin names, and the
everyday words that start with a surname character but are not names."""

from __future__ import annotations

import pytest

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.normalize import normalize
from detectors.recognizers.base import TextView
from detectors.recognizers.person import (
    SCORE_ALONE,
    SCORE_STRONG,
    PersonRecognizer,
    gating_signals,
    looks_like_name,
    split_surname,
)


@pytest.fixture(scope="module")
def recognizer() -> PersonRecognizer:
    config = DetectorConfig()
    return PersonRecognizer(config, Lexicons(config))


def names(recognizer: PersonRecognizer, text: str) -> list[str]:
    """The names found, sliced from the caller's text (normalisation may fold 峰 to 峯)."""
    norm = normalize(text)
    view = TextView(norm=norm, config=DetectorConfig())
    spans = [norm.to_original(m.start, m.end) for m in recognizer.analyze(view)]
    return [text[start:end] for start, end in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("檢舉人是王小明，請保密", "王小明"),
        ("姓名：陳怡君", "陳怡君"),
        ("聯絡人 林志豪 0912-345-678", "林志豪"),
        ("申請人為 黃淑芬", "黃淑芬"),
        ("李大華 0922333444", "李大華"),
        ("這是邱國峰的車", "邱國峰"),
        ("通緝犯黃文雄躲在臺南", "黃文雄"),
    ],
)
def test_full_names_in_context_are_reported(
    recognizer: PersonRecognizer, text: str, expected: str
) -> None:
    assert expected in names(recognizer, text)


def test_compound_surname_names_keep_both_surname_characters(recognizer: PersonRecognizer) -> None:
    assert "歐陽志明" in names(recognizer, "承辦人歐陽志明請假")
    assert "張簡雅婷" in names(recognizer, "姓名：張簡雅婷")


def test_surname_with_honorific_is_a_person(recognizer: PersonRecognizer) -> None:
    assert names(recognizer, "剛剛王先生打來問進度") == ["王先生"]
    assert names(recognizer, "請轉告陳小姐明天補件") == ["陳小姐"]


def test_surname_with_job_title_is_not_a_person(recognizer: PersonRecognizer) -> None:
    for text in ("王科長說明天開會", "請陳經理回電", "李警員分機 1234", "楊主任已核章"):
        assert names(recognizer, text) == [], text


@pytest.mark.parametrize(
    "text",
    [
        "本案金額為三百萬元",
        "明天去高雄出差",
        "林口長庚的院區",
        "周末記得休息",
        "黃昏時分開始下雨",
        "搭高鐵比較方便",
        "程式更新完成",
        "字型請用宋體",
        "謝謝大家今天的協助",
        "詐騙集團常假冒檢察官",
        "消保官明天會突擊檢查",
        "該公司夜班組長",
        "老人福利專線 0800-228-585",
    ],
)
def test_everyday_words_starting_with_a_surname_are_not_names(
    recognizer: PersonRecognizer, text: str
) -> None:
    assert names(recognizer, text) == []


def test_resident_card_word_is_not_taken_for_a_name_before_an_id(
    recognizer: PersonRecognizer,
) -> None:
    assert names(recognizer, "施美玉，居留證C864667597") == ["施美玉"]


def test_latin_and_indigenous_names_count_after_a_role_word_or_label(
    recognizer: PersonRecognizer,
) -> None:
    assert "John Smith" in names(recognizer, "姓名: John Smith")
    assert "Lin, Mei-Hua" in names(recognizer, "檢舉人 Lin, Mei-Hua 來電")
    assert "Walis Nokan" in names(recognizer, "原住民名：Walis Nokan")
    assert names(recognizer, "Please check the Google Drive folder") == []


def test_names_listed_after_list_markers_are_reported(recognizer: PersonRecognizer) -> None:
    found = names(recognizer, "名單：一、王小明 二、李美玲 三、張志強")
    assert found == ["王小明", "李美玲", "張志強"]


def test_context_raises_the_score_of_a_lexicon_name(recognizer: PersonRecognizer) -> None:
    view = TextView(norm=normalize("檢舉人陳志明"), config=DetectorConfig())
    assert recognizer.analyze(view)[0].score == SCORE_STRONG
    view = TextView(norm=normalize("陳志明明天請假"), config=DetectorConfig())
    assert recognizer.analyze(view)[0].score == SCORE_ALONE


def test_name_helpers_tell_a_name_from_a_place_or_a_title() -> None:
    assert looks_like_name("王小明")
    assert looks_like_name("John Smith")
    assert not looks_like_name("高雄")
    assert not looks_like_name("王科長")
    assert split_surname("歐陽志明") == ("歐陽", "志明")
    assert split_surname("今天") is None


def test_gating_signals_report_role_words_identifiers_and_lists() -> None:
    assert gating_signals("檢舉人說他看到了").role_word
    assert gating_signals("電話 0912345678").identifier
    assert gating_signals("名單：王小明、李美玲、張志強").list_layout
    assert not gating_signals("午餐吃便當").any


def test_cells_of_a_table_with_a_name_column_are_names(recognizer: PersonRecognizer) -> None:
    table = "| 姓名 | 出生 |\n|---|---|\n| 鄭國樑 | 1958/03/27 |"
    assert names(recognizer, table) == ["鄭國樑"]
    assert names(recognizer, "| 地點 | 人數 |\n| 高雄 | 30 |") == []


def test_latin_name_right_before_a_personal_identifier_is_a_person(
    recognizer: PersonRecognizer,
) -> None:
    assert "Michael Chen" in names(recognizer, "Michael Chen 的 ARC W865710504")
    assert "Siti Rahayu" in names(recognizer, "Siti Rahayu 居留證 H908534963")
    assert names(recognizer, "Google Drive 的連結在群組") == []


def test_a_title_right_before_a_full_name_is_strong_context(recognizer: PersonRecognizer) -> None:
    assert names(recognizer, "志工張阿花的故事") == ["張阿花"]
    assert names(recognizer, "主任陳列的資料") == []
    assert names(recognizer, "王科長林口的案子") == []


@pytest.mark.parametrize(
    "text",
    [
        "恭喜李佳穎通過公務人員高考！",  # 高考 after the label-like 人員
        "勞動部 1955 專線可以處理移工申訴",  # 申訴 after a role word
        "各位夥伴：\n1. 時間：04:30 報到\n2. 車輛：偵防車4台",  # list items are field labels
        "這份簡報：\n- 關鍵基礎設施清冊新增4處",  # 關鍵 is a frequent word, 基 starts 基礎
        "陳老師下午來上課，記得準備麥克風",
        "今晚臨檢名單：林森北路3家酒店",  # a street named after a person
    ],
)
def test_dictionary_words_and_street_names_are_not_names_without_real_context(
    recognizer: PersonRecognizer, text: str
) -> None:
    found = names(recognizer, text)
    assert not [n for n in found if n not in ("李佳穎",)], found


def test_married_womens_four_character_names_keep_both_surnames(
    recognizer: PersonRecognizer,
) -> None:
    assert "謝陳秀琴" in names(recognizer, "戶長 謝明哲 Z108948465\n配偶 謝陳秀琴 B226400522")
    assert "廖林阿桃" in names(recognizer, "姓名,身分證\n廖林阿桃,O217583341")
    assert "莊黃月英" in names(recognizer, "同住家人莊明德、莊黃月英需要接觸者檢查")
    # An ordinary three-character name followed by a word is not stretched.
    assert names(recognizer, "承辦人陳志明明天請假") == ["陳志明"]


def test_a_name_before_a_labelled_identifier_has_strong_context(
    recognizer: PersonRecognizer,
) -> None:
    # 氏 is a Vietnamese middle name; the resident certificate label sits between name and number.
    assert names(recognizer, "外配阮氏蘭 居留證J995414211 要申請歸化") == ["阮氏蘭"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FYI 這位 client Chang Wei-Ting 的 DOB 是 1991/12/03", "Chang Wei-Ting"),
        ("Pls double check ID K247987031 for Yang Chun-Hsien", "Yang Chun-Hsien"),
        ("Name: LIN YU-HSUAN\nPassport No.: 347120958", "LIN YU-HSUAN"),
        ("持卡人HSU MING CHE，要退回還是銷毀？", "HSU MING CHE"),
        ("Ciwas·Watan 的戶籍要加註傳統名字", "Ciwas·Watan"),
        ("部落那位 Lawa Tanah（漢名林大山）身分證", "Lawa Tanah"),
        ("新式居留證號L867423709，Siti Rahayu，看護工", "Siti Rahayu"),
        ("Indonesian caregiver Sri Wahyuni, ARC MD56851387", "Sri Wahyuni"),
        ("對象：NGUYEN VAN HUNG，居留證X878422075", "NGUYEN VAN HUNG"),
    ],
)
def test_latin_script_names_are_found_where_context_or_form_marks_them(
    recognizer: PersonRecognizer, text: str, expected: str
) -> None:
    assert expected in names(recognizer, text)


@pytest.mark.parametrize(
    "text",
    ["Use Wi-Fi to connect", "請改用 Google Meet-Up 連結", "New Taipei City Hall 的 Wi-Fi"],
)
def test_hyphenated_english_words_are_not_romanised_names(
    recognizer: PersonRecognizer, text: str
) -> None:
    assert names(recognizer, text) == []


@pytest.mark.parametrize(
    "text", ["投標的有安達營造、宏碩科技、昱晟資訊", "共收到3份標封：大禹環保、清川工程"]
)
def test_company_names_that_look_like_given_names_are_not_people(
    recognizer: PersonRecognizer, text: str
) -> None:
    assert names(recognizer, text) == []


def test_titles_after_names_in_committee_lists_and_vietnamese_middle_names(
    recognizer: PersonRecognizer,
) -> None:
    assert names(recognizer, "委員：周怡如副教授、賴文昌顧問，評選會下週四") == ["周怡如", "賴文昌"]
    assert names(recognizer, "外配阮氏梅的舊式居留證號是ZC71721521") == ["阮氏梅"]
    assert names(recognizer, "崇德顧問公司的服務建議書") == []


def test_x_surname_man_and_a_title_before_a_common_word_are_not_names(
    recognizer: PersonRecognizer,
) -> None:
    assert names(recognizer, "新聞：前鄉長林姓男子因工程圍標案判刑") == []
    assert names(recognizer, "申訴的是校長言語霸凌") == []


def test_a_role_word_heading_a_latin_name_is_not_part_of_it(recognizer: PersonRecognizer) -> None:
    found = names(recognizer, "Applicant Hsiao Ya-Hui (蕭雅惠), mobile +886 975 331 208")
    assert "Hsiao Ya-Hui" in found and "Applicant Hsiao Ya-Hui" not in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Amy Chen from the 觀光署 international division will join", ["Amy Chen"]),
        ("居留證 l996780751 MARIA SANTOS 菲律賓籍 看護", ["MARIA SANTOS"]),
        ("職災通報：傷者BUI VAN NAM，越南籍，居留證號U919633815", ["BUI VAN NAM"]),
        ("陳福來 身分證L148179086 出生民國41年8月3日", ["陳福來"]),
        ("水庫蓄水率：石門水庫72.3%、曾文水庫58.1%", []),
        ("這學期的工程師課程表排好了", []),
        ("Use the Google Chrome browser, Happy New Year", []),
    ],
)
def test_names_by_form_nationality_and_identifier_and_places_or_words_that_are_not(
    recognizer: PersonRecognizer, text: str, expected: list[str]
) -> None:
    assert names(recognizer, text) == expected
