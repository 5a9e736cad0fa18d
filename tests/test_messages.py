"""What staff read: names in their own order, no empty masks."""

from __future__ import annotations

from telegram import User

from bot.messages import Messages, display_name


def test_chinese_name_split_by_telegram_is_shown_surname_first() -> None:
    assert display_name(User(1, "志明", False, last_name="王")) == "王志明"


def test_latin_and_single_field_names_keep_telegrams_form() -> None:
    assert display_name(User(1, "Mary", False, last_name="Chen")) == "Mary Chen"
    assert display_name(User(1, "王志明", False)) == "王志明"


def test_fully_masked_values_are_not_listed_as_findings() -> None:
    text = Messages("zh-TW").findings(["王*明", "********", "A1******89", "王*明"])
    assert "********" not in text.replace("A1******89", "")
    assert "王*明" in text and "A1******89" in text
