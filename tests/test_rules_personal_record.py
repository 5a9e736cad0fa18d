"""personal_data by combination: a name with a contact detail or a record is an incident; a lone
name, a public hotline, a company number or a surname with a title and extension is not."""

from __future__ import annotations

import pytest

from detectors import Scanner


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


@pytest.mark.parametrize(
    "text",
    [
        "請聯絡陳怡如 0912-345-678 補件",
        "王大明住新北市板橋區文化路一段100號5樓",
        "林志豪有竊盜前科，請承辦人注意",
        "彭思婷在身心科就診中，請個管師追蹤",
    ],
)
def test_a_name_with_a_contact_detail_or_record_is_personal_data(
    scanner: Scanner, text: str
) -> None:
    result = scanner.scan(text)
    assert "personal_data" in result.categories
    assert result.action.label == "warn"


@pytest.mark.parametrize(
    "text",
    [
        "陳怡如明天請假",
        "反詐騙諮詢專線165，請多宣導",
        "得標廠商統一編號 22099131，請會計室核對",
        "王科長分機 1234，有事找他",
    ],
)
def test_lone_names_hotlines_company_numbers_and_titles_are_not_personal_data(
    scanner: Scanner, text: str
) -> None:
    assert "personal_data" not in scanner.scan(text).categories


def test_the_combined_finding_masks_the_name_and_the_number(scanner: Scanner) -> None:
    result = scanner.scan("請聯絡陳怡如 0912-345-678 補件")
    for f in result.findings:
        assert "陳怡如" not in f.masked
        assert "0912-345-678" not in f.masked


def test_a_roster_of_three_names_with_phones_is_critical(scanner: Scanner) -> None:
    roster = "名單\n1. 張雅婷 0911-234-567\n2. 劉建志 0922-345-678\n3. 蔡宗霖 0933-456-789"
    assert scanner.scan(roster).severity.label == "critical"


def test_a_phone_belongs_to_the_nearest_name_not_to_everyone_mentioned(scanner: Scanner) -> None:
    result = scanner.scan("王小明、李美玲、張志強開會，王小明電話0912-345-678")
    assert "personal_data" in result.categories
    assert result.severity.label == "medium"


def test_two_details_of_one_unnamed_person_are_personal_data(scanner: Scanner) -> None:
    result = scanner.scan("KLM-3302 的車主電話 0917 235 806，請拖吊場通知他來領車")
    assert "personal_data" in result.categories


def test_a_name_with_a_medical_detail_is_personal_data(scanner: Scanner) -> None:
    result = scanner.scan("魏淑貞，乳癌第二期，化療中，請長照科優先派案")
    assert "personal_data" in result.categories


def test_a_single_detail_without_a_name_is_not_personal_data(scanner: Scanner) -> None:
    assert "personal_data" not in scanner.scan("請回電 0917-235-806，謝謝").categories


@pytest.mark.parametrize(
    "text",
    [
        "剛查完，周俊傑有兩筆前案（103年竊盜、108年施用二級毒品）",
        "地政這邊查到：張秋月名下大安區學府段三小段0421地號持分三分之一",
    ],
)
def test_a_name_with_criminal_or_land_records_is_personal_data(
    scanner: Scanner, text: str
) -> None:
    assert "personal_data" in scanner.scan(text).categories
