"""whistleblower: messages that reveal or narrow down a complainant are incidents; procedure
talk, public channels and training material are not."""

from __future__ import annotations

import time

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


@pytest.mark.parametrize(
    "text",
    [
        "舉報那輛砂石車的，應該就是路口賣檳榔的那個阿姨",
        "上禮拜來局裡陳情的，就是那個在菜市場賣魚的老闆",
        "打去環保局檢舉的那個就是我們樓下開麵店的",
        "說真的，投訴我們櫃台的是同一個人，住在公所後面那條巷子的住戶",
    ],
)
def test_saying_who_made_a_complaint_with_a_description_is_an_incident(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "申訴的那位同仁是人事室的約聘，只有她負責差勤",
        "那個投訴的阿姨就是隔壁棟的管委會主委",
        "陳情的民眾是社區管委會的總幹事，上次開會也有來",
    ],
)
def test_a_role_phrase_built_from_a_complaint_verb_counts_like_a_role_word(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" in scanner.scan(text).categories


def test_answering_who_complained_reveals_the_complainant(scanner: Scanner) -> None:
    assert "whistleblower" in scanner.scan("是誰去投訴清潔隊的？好像是三樓那戶的太太").categories
    assert "whistleblower" not in scanner.scan("是誰去投訴清潔隊的？我們也不知道").categories


def test_correcting_who_complained_still_names_the_complainant(scanner: Scanner) -> None:
    assert "whistleblower" in scanner.scan("檢舉的人不是里長，是里長的弟弟").categories


@pytest.mark.parametrize(
    "text",
    [
        "本案係由張美玲女士來電陳情，請依權責辦理",
        "黃國華先生親自到所檢舉該工地夜間施工",
        "是許志明打電話來投訴的，他說要找議員",
        "吳雅雯女士於8月3日以電子郵件陳情，內容涉及社區管委會帳目",
        "林美秀昨天到分局檢舉她前夫",
    ],
)
def test_a_named_person_who_complained_is_an_incident(scanner: Scanner, text: str) -> None:
    assert "whistleblower" in scanner.scan(text).categories


def test_a_named_complainants_finding_points_at_the_verb_not_the_name(scanner: Scanner) -> None:
    result = scanner.scan("黃國華先生親自到所檢舉該工地夜間施工")
    wb = [f for f in result.findings if f.category == "whistleblower"]
    assert wb and all("黃國華" not in f.masked and "黃國華" not in f.reason for f in wb)


@pytest.mark.parametrize(
    "text",
    [
        "李怡君負責受理檢舉案件，有問題可以找她",
        "王科員向民眾說明檢舉流程",
        "林志強檢舉案已結案，請歸檔",
        "員警陳志明舉發該車超速，罰單已寄出",
        "王小明被檢舉上班時間打麻將，政風室正在調查",
        "張雅婷承辦的陳情案下週要回覆",
    ],
)
def test_staff_who_handle_complaints_and_the_accused_are_not_complainants(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "the complainant works at the front desk of the hotel, only two people on that shift",
        "the person who reported it works in our procurement section, keep it quiet",
        "FYI 申訴人是我們這組的 intern，拜託不要傳出去",
    ],
)
def test_english_role_words_with_a_description_are_an_incident(scanner: Scanner, text: str) -> None:
    assert "whistleblower" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "the complainant will be notified within 30 days",
        "who reported the outage? IT said it was a power issue",
        "anyone can report to the hotline anonymously",
    ],
)
def test_english_procedure_talk_is_not_an_incident(scanner: Scanner, text: str) -> None:
    assert "whistleblower" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "爆料的人應該是他們局裡人事室的人",
        "申訴書是誰寫的大家都知道，就是總務組的王姐",
        "投書給媒體的就是會計室的小芳",
    ],
)
def test_a_unit_a_surname_with_kin_word_or_a_nickname_narrows_the_complainant(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" in scanner.scan(text).categories


def test_a_description_before_is_then_the_complaint_identifies_the_complainant(
    scanner: Scanner,
) -> None:
    text = "對面機車行那個老闆就是上個月來陳情的人，你們去的時候低調一點"
    assert "whistleblower" in scanner.scan(text).categories


def test_an_identity_statement_is_not_cancelled_by_procedure_words(scanner: Scanner) -> None:
    text = "檢舉人是誰我不能說，不過她就在那家早餐店打工"
    assert "whistleblower" in scanner.scan(text).categories
    assert "whistleblower" not in scanner.scan("請勿向被檢舉人透露檢舉人是誰").categories


@pytest.mark.parametrize(
    "text",
    [
        "若陳情人要求面談，請安排在一樓會客室",
        "檢舉人如果不願具名，也可以用匿名方式檢舉",
        "舉報人可以選擇匿名，系統不會記錄來源",
        "一般來說，檢舉的人大多是附近的住戶，但不能因此去猜",
        "如果申訴人是員工，要先通知人事室嗎？",
        "陳情人住址欄位請以星號遮蔽後再上傳",
    ],
)
def test_hypothetical_or_general_talk_about_complainants_is_not_an_incident(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "民眾陳情的是路口號誌太短，請交通隊評估",
        "他檢舉的是隔壁工廠的噪音問題，已派員處理",
        "被檢舉的那家餐廳今天已經改善了",
        "他們投訴的那個司機已經被記過了",
        "這次陳情的人數比上次多，共有五十幾位",
    ],
)
def test_what_or_who_was_reported_is_not_who_reported_it(scanner: Scanner, text: str) -> None:
    assert "whistleblower" not in scanner.scan(text).categories


def test_a_card_number_pasted_in_a_complaint_letter_is_not_its_sender(scanner: Scanner) -> None:
    result = scanner.scan("有人把卡號貼在陳情信裡 5682-8890-9310-0253，要遮蔽再歸檔")
    assert "personal_data" in result.categories
    assert "whistleblower" not in result.categories


def test_a_long_message_full_of_role_words_is_scanned_quickly(scanner: Scanner) -> None:
    text = "檢舉人說。" * 10_000 + "鄰居" * 10_000
    started = time.monotonic()
    scanner.scan(text)
    assert time.monotonic() - started < 5


def test_who_raised_a_problem_is_a_complainant_but_a_named_colleague_reporting_is_not(
    scanner: Scanner,
) -> None:
    assert "whistleblower" in scanner.scan("來反映的那位是對面大樓的保全").categories
    assert "whistleblower" not in scanner.scan("王小明反映系統很慢，請資訊室看一下").categories
    assert "whistleblower" not in scanner.scan("民眾反映的是路燈不亮").categories


def test_what_an_informant_does_for_a_living_narrows_them(scanner: Scanner) -> None:
    assert "whistleblower" in scanner.scan("線民是在車站前賣彩券的，他說明天會再給消息").categories
    assert "whistleblower" not in scanner.scan("陳情人今天是來開會的").categories


def test_calling_a_complaint_hotline_and_writing_a_poison_pen_letter_are_complaints(
    scanner: Scanner,
) -> None:
    assert "whistleblower" in scanner.scan("打1999的那位太太就是住公園旁那棟大樓的主委").categories
    assert "whistleblower" in scanner.scan("那封黑函應該是會計室的人寄的").categories
    assert "whistleblower" not in scanner.scan("打1999的民眾很多，話務量爆了").categories


@pytest.mark.parametrize(
    "text",
    [
        "線民費核銷的程序改了，請各分局注意",
        "本年度檢舉人獎金預算已用罄，下半年的核銷請等追加",
        "報案人保護的規定請參考附件",
    ],
)
def test_budget_and_admin_items_named_after_a_role_word_are_not_a_person(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" not in scanner.scan(text).categories


def test_a_nickname_followed_by_a_habit_identifies_the_informant(scanner: Scanner) -> None:
    assert "whistleblower" in scanner.scan("線民阿土最近在夜市擺攤，他說那批貨今晚到").categories
    assert "whistleblower" in scanner.scan("檢舉人小莉每天早上都在公園晨跑").categories
    for text in ("線民小組平常每週開一次會", "檢舉人老實說他也不確定", "線民老早就說過貨會延後"):
        assert "whistleblower" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "那個線民大家都叫他阿海，最近很少出現",
        "the informant is a regular at the temple, everyone calls him 阿財",
        "the informant drives a cab, he goes by Tiger",
    ],
)
def test_what_people_call_the_informant_identifies_them(scanner: Scanner, text: str) -> None:
    assert "whistleblower" in scanner.scan(text).categories


def test_calling_someone_a_title_is_not_a_nickname(scanner: Scanner) -> None:
    assert "whistleblower" not in scanner.scan("叫他小心一點，檢舉人最近情緒不穩").categories
    assert "whistleblower" not in scanner.scan("檢舉人說大家都叫他老師").categories


@pytest.mark.parametrize(
    "text",
    ["報案的是隔壁棟的管理員，他看到車牌", "報案的人是對面便利商店的夜班店員"],
)
def test_who_reported_to_the_police_is_described_like_a_complainant(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    ["請問報案的流程是什麼？要帶身分證嗎", "民眾報案說機車被偷，已受理", "報案專線110"],
)
def test_the_police_report_procedure_and_hotline_are_not_an_incident(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" not in scanner.scan(text).categories


def test_a_role_phrase_may_name_a_couple_or_a_demonstrative_person(scanner: Scanner) -> None:
    assert "whistleblower" in scanner.scan("來局陳情的那兩位是同一間工廠的作業員").categories
    assert "whistleblower" in scanner.scan("陳情的那個太太住在公園對面那排透天").categories


@pytest.mark.parametrize(
    "text",
    [
        "陳情人住在市場旁那排透天的三樓，門口有盆栽",
        "投訴的是住我們樓上5樓之2那戶的太太",
        "the complainant lives on the 5th floor of our dormitory, room next to the elevator",
    ],
)
def test_where_a_complainant_lives_down_to_the_floor_or_door_narrows_them(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    ["陳情人目前住院中，家屬說下週再來電改約", "檢舉人記住了車牌，已提供給交通隊"],
)
def test_a_hospital_stay_or_remembering_is_not_where_someone_lives(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "the complainant sits in the 4F legal unit, only two paralegals there",
        "the whistleblower runs the noodle shop across from the station",
        "the tipster works at the gas station on Route 9, only two guys on the night shift",
    ],
)
def test_english_descriptions_of_where_an_informant_sits_works_or_what_they_run(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "the complainant joined the call at 3pm",
        "the complainant asked who is in charge of the case",
        "we need someone who runs the hotline on weekends",
    ],
)
def test_english_talk_about_what_a_complainant_did_describes_nobody(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "這次的匿名檢舉引用了上個月盤點的差異數字跟排班表，這些只有倉庫那三個人拿得到，"
        "主管一看就知道是誰",
        "這份匿名陳情附了出勤表的截圖，那張表只有人事室兩個人調得出來，主管一看就知道是誰",
        "The anonymous complaint mentions things only the payroll clerk could see, "
        "the manager will figure out who it is",
    ],
)
def test_saying_a_complaint_identifies_its_author_is_an_incident(
    scanner: Scanner, text: str
) -> None:
    result = scanner.scan(text)
    assert "whistleblower" in result.categories


@pytest.mark.parametrize(
    "text",
    [
        "檢舉人身分應保密，住址、電話都要遮，不然一看就知道是誰",
        "如果檢舉信寫太多細節，主管一看就知道是誰",
        "檢舉信只有政風室的兩個人看過，請放心",
        "檢舉信的承辦人一定是她，別人不會處理",
    ],
)
def test_warnings_and_access_rules_about_complaints_identify_nobody(
    scanner: Scanner, text: str
) -> None:
    assert "whistleblower" not in scanner.scan(text).categories


def test_a_complaints_own_first_person_words_describe_its_author(scanner: Scanner) -> None:
    text = "轉來的投訴信裡寫「我是對面早餐店的老闆」，回覆時這句要刪掉"
    assert "whistleblower" in scanner.scan(text).categories


def test_a_news_word_inside_the_description_of_a_complainant_is_not_news_framing(
    scanner: Scanner,
) -> None:
    assert "whistleblower" in scanner.scan("檢舉人就是上次上過報導的那位退休老師").categories
    text = "新聞報導：檢舉人是該公司前員工，局方已檢討"
    assert "whistleblower" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "檢舉人" + "住" * 50_000,
        "檢舉信" + "只有" * 25_000 + "一看就知道是誰",
        "anonymous complaint " + "only " * 10_000 + "figure out who",
        "線民" + "叫他" * 25_000,
        "檢舉信" + "等於就" * 15_000,
        "the informant " + "sits in the unit next to " * 2_000,
    ],
)
def test_long_messages_built_from_the_new_patterns_are_scanned_quickly(
    scanner: Scanner, text: str
) -> None:
    started = time.monotonic()
    scanner.scan(text)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "text",
    [
        "舉發營養午餐的家長是二年三班班長的媽媽，也是家長會副會長",
        "那位吹哨的工程師現在在竹科上班，他前公司就是這次得標的廠商",
        "告訴你喔，跟我們講評選黑箱的是委員之一黃素娥教授，下週才評選",
        "那封告密信署名「一個看不下去的司機」，但大家都知道是鶯歌站跑末班車的那位",
    ],
)
def test_complainants_named_by_what_they_are_by_telling_us_or_by_a_signed_letter(
    text: str,
) -> None:
    assert "whistleblower" in Scanner().scan(text).categories


@pytest.mark.parametrize(
    "text",
    ["陳情的內容是路燈不亮，已派工", "檢舉的理由是違規停車，請交通隊處理", "老師跟我們說明天放假"],
)
def test_what_was_complained_about_or_ordinary_telling_is_not_a_complainant(text: str) -> None:
    assert "whistleblower" not in Scanner().scan(text).categories
