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
def test_it_chat_news_announcements_and_training_are_not_raids(scanner: Scanner, text: str) -> None:
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


@pytest.mark.parametrize(
    "text",
    [
        "禮拜五清晨五點半大隊部集合，六點同步進場兩處鐵皮屋，每處8人",
        "下禮拜二不預告稽查那幾家夜市攤商，兩人一組，帶採樣箱",
        "國稅局下週一到那家建設公司查帳，帶硬碟複製設備，別讓會計知道",
        "咬住那台白色賓士，他應該會去汐止交貨，後面兩台車輪流跟",
        "明天早上7點去他家樓下等，出門就上銬帶回分局",
        "下午那個要押去地檢署的，帶兩個人押解",
    ],
)
def test_operations_told_with_field_words_are_raid_incidents(scanner: Scanner, text: str) -> None:
    assert "raid" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "今晚九點抄那間職業賭場，便衣先進去，外面留三個人顧車",
        "等等凌晨三點收，第一組控制一樓，第二組上二樓",
        "主嫌在捷運站1號出口，灰色帽T，我們兩台車跟著，準備在下一個路口攔",
    ],
)
def test_time_table_slang_is_a_raid_plan(scanner: Scanner, text: str) -> None:
    assert "raid" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "嫌犯剛出門了，騎白色機車往中正路方向，我們兩台車跟著",
        "對象入住305號房，一小時後換班，大家保持無線電暢通",
    ],
)
def test_surveillance_report_of_a_suspects_movements_is_raid(scanner: Scanner, text: str) -> None:
    assert "raid" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "明晨0530 team B 守後巷，team A 從正門破門，ETA 抵達後通知",
        "OK 明天 0600 大家 brief，0630 move out，target 家在三峽",
        "FYI 今晚 op 改 2330 開始，suspect 還在店裡，大家先 hold",
    ],
)
def test_english_code_switched_plans_are_raid(scanner: Scanner, text: str) -> None:
    assert "raid" in scanner.scan(text).categories


def test_four_digit_plan_times_count_as_timing_but_hotline_numbers_do_not(
    scanner: Scanner,
) -> None:
    assert "raid" in scanner.scan("臨檢改到 0545").categories
    assert "raid" not in scanner.scan("臨檢問題請洽 0800-000-123").categories


@pytest.mark.parametrize(
    "text",
    ["臨檢的消息不要讓他們知道", "行動代號改成「白鷺」，時間不變"],
)
def test_secrecy_and_code_names_are_operation_details(scanner: Scanner, text: str) -> None:
    assert "raid" in scanner.scan(text).categories


def test_slang_action_in_a_message_without_anchor_words_still_sees_its_details(
    scanner: Scanner,
) -> None:
    # No lexicon action word wakes the keyword pass; 今晚 and 偷倒 are still seen.
    assert "raid" in scanner.scan("砂石車今晚偷倒廢土，我們11點在橋下等，拍到就攔").categories


def test_worry_about_the_press_in_a_plan_is_not_news(scanner: Scanner) -> None:
    text = "明天收網後直接押回隊上，記者可能在分局門口等"
    assert "raid" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "施工廠商明天早上8點進場，請各科室配合清空走廊",
        "演唱會觀眾晚上6點進場，志工5點在B2停車場集合",
        "報名表明天下午5點收，各組組長統一交到人事室",
        "副本抄送各單位，明天下午前回覆",
        "小孩被狗咬到了，現在在急診，我下午請假",
        "他剛出門了，等一下就回來，你要找他的話打手機",
        "這次改版我們自己動手，下週三前完成，分兩組",
        "旅行團明天早上7點在大門口等，導遊會帶隊",
        "明天早上8點集合出發，目標是合歡山主峰，記得帶外套",
        "新版App下週一上線，team A 負責測試，team B 負責文件",
        "週末要不要去抓娃娃？我知道那間店很好夾",
    ],
)
def test_everyday_uses_of_field_words_are_not_raids(scanner: Scanner, text: str) -> None:
    assert "raid" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text", ["查緝科的新同仁週一報到，請幫忙準備電腦", "稽查科明天下午兩點在三樓開科務會議"]
)
def test_an_office_named_after_an_action_is_not_an_operation(scanner: Scanner, text: str) -> None:
    assert "raid" not in scanner.scan(text).categories


def test_an_office_named_after_an_action_can_still_plan_one(scanner: Scanner) -> None:
    assert "raid" in scanner.scan("稽查科明晚10點去那家工廠，不要先通知廠方").categories


@pytest.mark.parametrize(
    "text",
    [
        "Elasticsearch 搜索很慢，明天請廠商調整索引",
        "臨檢的SOP修正草案下週討論",
        "拘提的要件下週三讀書會討論",
    ],
)
def test_talk_about_search_software_or_procedure_is_not_a_raid(scanner: Scanner, text: str) -> None:
    assert "raid" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "本局將於下月不定期稽查轄內餐廳，已函知各業者",
        "上週的聯合稽查成果已經上網公布，共查獲12家違規",
        "那家工廠已經稽查過了，沒問題",
    ],
)
def test_announced_or_finished_operations_are_not_raids(scanner: Scanner, text: str) -> None:
    assert "raid" not in scanner.scan(text).categories


def test_an_unannounced_inspection_is_not_mistaken_for_an_announced_one(
    scanner: Scanner,
) -> None:
    text = "這次不預告，明天一早直接去那家回收場查廢棄物流向"
    assert "raid" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "勞動局明天要去那家餐廳查打工學生的工時，先別跟店長講",
        "主嫌估計晚上會回租屋處，今晚就在那裡等他回來",
        "週三 06:30 集合 → 07:00 出發 → 07:30 到點，對象：八德那家廢油回收行",
        "建管處下週二會同警方拆除那棟違建頂樓加蓋，屋主還不知道，請保密",
    ],
)
def test_inspection_visits_and_stake_outs_in_plain_words_are_raids(
    scanner: Scanner, text: str
) -> None:
    assert "raid" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "明天去那家店查一下價格，兩個人一起去",
        "下週二會同廠商拆除舊冷氣，請各科室配合",
        "林先生的牌照稅欠了兩年，移送執行前再寄一次催繳單",
        "扣押物品清冊明天下午前送地檢署",
        "生日驚喜先別跟主任講，明天下午3點在會議室",
    ],
)
def test_errands_paperwork_and_administrative_enforcement_are_not_raids(
    scanner: Scanner, text: str
) -> None:
    assert "raid" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "稽查人員的制服明天發放，各組組長下午來領",
        "臨檢勤務表下週一公布，有問題找值班台",
        "這週的稽查件數請各組週五前回報",
        "這個專案的目標客群是年輕人，下週提企劃",
    ],
)
def test_office_administration_around_enforcement_words_is_not_a_raid(
    scanner: Scanner, text: str
) -> None:
    assert "raid" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "這週六凌晨去拔那個詐騙機房，共12員，分三台車",
        "調查局約談那位主秘的時間定在週四上午，先不要讓媒體知道",
    ],
)
def test_take_down_slang_and_pointed_suspects_are_raid_details(scanner: Scanner, text: str) -> None:
    assert "raid" in scanner.scan(text).categories


def test_a_dentist_appointment_is_not_a_take_down(scanner: Scanner) -> None:
    assert "raid" not in scanner.scan("明天下午去拔牙，兩點要請假").categories


@pytest.mark.parametrize("unit", ["要抄送", "10點收，", "target 剛進", "搜索功能"])
def test_a_long_message_of_repeated_candidates_is_scanned_in_linear_time(
    scanner: Scanner, unit: str
) -> None:
    import time

    text = unit * (100_000 // len(unit))
    started = time.monotonic()
    scanner.scan(text)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "text",
    [
        "明天系統升級，team A 0600 standby，team B 負責回報問題",
        "週末打 raid 副本嗎？晚上9點上線",
        "明天的 surveillance 攝影機更新，請資訊室兩位同仁 8 點到機房",
    ],
)
def test_english_it_and_gaming_chat_is_not_a_raid(scanner: Scanner, text: str) -> None:
    assert "raid" not in scanner.scan(text).categories


def test_a_person_pointed_at_is_the_target_of_a_field_word(scanner: Scanner) -> None:
    assert "raid" in scanner.scan("等一下那個人出來我們就上，兩邊包抄").categories


@pytest.mark.parametrize(
    "text",
    [
        "明早消防分隊不預告抽查那三家網咖，每組3人，八點出發",
        "下週三清晨取締違法砂石場，會同環保局，出動四台車",
    ],
)
def test_an_unannounced_inspection_or_a_crackdown_with_details_is_a_raid(
    scanner: Scanner, text: str
) -> None:
    assert "raid" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "Tonight's inspection at the warehouse is unannounced, meet at 2300, don't tell the boss",
        "ETA 0415, 3 vans at the north gate, customs holds the container until we move in",
    ],
)
def test_english_inspection_plans_with_counts_and_secrecy_are_raids(
    scanner: Scanner, text: str
) -> None:
    assert "raid" in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "檢舉人就是對面修車廠的師傅，去稽查的時候別讓老闆知道是他",
        "陳情的是巷口那間麵店的老闆娘，臨檢時不要在她店門口停車",
        "申訴人每天早上都在工廠門口擺攤，稽查當天請同仁繞後門進去",
    ],
)
def test_an_inspection_mentioned_only_to_protect_a_complainant_is_not_a_raid(
    scanner: Scanner, text: str
) -> None:
    assert "raid" not in scanner.scan(text).categories


def test_an_informants_code_name_and_birth_date_are_no_operation_details(
    scanner: Scanner,
) -> None:
    text = "線民代號「老鷹」是那家車行的技師，民國68年5月9日生，之前幫我們認過車"
    assert "raid" not in scanner.scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "勞動檢查處來函：該公司倉庫已改善，請檢查員下週複查",
        "分署通知：義務人帳戶已辦理扣押，其餘移送執行",
    ],
)
def test_an_office_name_or_a_finished_seizure_is_not_a_raid(scanner: Scanner, text: str) -> None:
    assert "raid" not in scanner.scan(text).categories
