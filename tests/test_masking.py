"""Masked renderings let a reader recognise which value was meant, never reconstruct it."""

from __future__ import annotations

from detectors.masking import compact, mask_value


def test_national_id_keeps_two_characters_at_each_end() -> None:
    assert mask_value("TW_NATIONAL_ID", "A123456789") == "A1******89"


def test_separators_are_removed_before_masking_so_formatting_cannot_leak_digits() -> None:
    assert mask_value("CREDIT_CARD", "4111-1111-1111-1111") == "41************11"
    assert compact(" a12-345.6789 ") == "A123456789"


def test_phone_shows_prefix_and_last_two_digits_only() -> None:
    masked = mask_value("PHONE", "0912345678")
    assert masked == "0912****78"
    assert "3456" not in masked


def test_person_name_hides_the_given_name() -> None:
    assert mask_value("PERSON", "王小明") == "王*明"
    assert mask_value("PERSON", "王明") == "王*"
    assert mask_value("PERSON", "歐陽娜娜") == "歐**娜"
    assert mask_value("PERSON", "John Smith") == "J*** S****"


def test_email_keeps_the_domain_but_not_the_mailbox() -> None:
    assert mask_value("EMAIL", "wang.xm@mail.gov.tw") == "w******@mail.gov.tw"


def test_address_keeps_city_and_district_only() -> None:
    masked = mask_value("ADDRESS", "臺北市中正區重慶南路一段122號")
    assert masked.startswith("臺北市中正區")
    assert "122" not in masked


def test_passwords_reveal_nothing_not_even_length() -> None:
    assert mask_value("CREDENTIAL_SECRET", "hunter2") == mask_value("CREDENTIAL_SECRET", "x" * 40)


def test_birthdate_hides_every_digit() -> None:
    masked = mask_value("BIRTHDATE", "1985-03-14")
    assert not any(ch.isdigit() for ch in masked)


def test_short_values_are_still_mostly_hidden() -> None:
    masked = mask_value("TW_PASSPORT", "1234")
    assert masked == "1***"
