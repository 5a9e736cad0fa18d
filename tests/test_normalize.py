"""Normalisation: identifiers written in any of the ways people (and OCR) write them become one
canonical form, and every normalised span maps back to the exact original characters."""

from __future__ import annotations

import pytest

from detectors.normalize import normalize


def test_plain_ascii_and_chinese_text_is_left_untouched_without_an_offset_map() -> None:
    text = "收到、謝謝 A123456789"
    norm = normalize(text)
    assert norm.text == text
    assert norm.starts is None and norm.to_original(3, 7) == (3, 7)


def test_full_width_letters_and_digits_fold_to_ascii_with_offsets_kept() -> None:
    text = "證號：Ａ１２３４５６７８９。"
    norm = normalize(text)
    assert "A123456789" in norm.text
    start = norm.text.index("A123456789")
    s, e = norm.to_original(start, start + 10)
    assert text[s:e] == "Ａ１２３４５６７８９"


def test_zero_width_characters_vanish_and_spans_still_slice_the_original() -> None:
    text = "手機\u200b0912\u200c345\ufeff678 好"
    norm = normalize(text)
    assert "0912345678" in norm.text
    start = norm.text.index("0912345678")
    s, e = norm.to_original(start, start + 10)
    assert text[s:e] == "0912\u200c345\ufeff678"


def test_ideographic_space_and_nbsp_become_plain_spaces() -> None:
    norm = normalize("A12\u3000345\u00a06789")
    assert norm.text == "A12 345 6789"


def test_unicode_dashes_become_ascii_hyphens() -> None:
    assert normalize("0912\u2013345\u2212678").text == "0912-345-678"


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("零九一二三四五六七八", "0912345678"),
        ("〇九一二-三四五-六七八", "0912-345-678"),
        ("○九一二 三四五 六七八", "0912 345 678"),
        ("壹貳參肆", "1234"),
    ],
)
def test_chinese_numeral_digit_runs_become_ascii_digits_one_to_one(
    written: str, digits: str
) -> None:
    norm = normalize(f"電話{written}")
    assert norm.text == f"電話{digits}"
    assert len(norm.text) == len(norm.original)


def test_short_chinese_numerals_in_words_are_not_rewritten() -> None:
    for text in ("一段", "三樓", "第二次會議", "八十五年三月五日"):
        assert normalize(text).text == text


def test_simplified_characters_become_traditional_without_changing_length() -> None:
    norm = normalize("台南市东区长荣路一段50号")
    assert norm.text == "台南市東區長榮路一段50號"
    assert len(norm.text) == len(norm.original)


def test_traditional_text_is_never_changed_by_the_simplified_table() -> None:
    text = "臺灣台北市萬華區、身分證、護照、健保卡、帳號、生日、住址"
    assert normalize(text).text == text


def test_case_is_kept_so_recognizers_decide_about_case_themselves() -> None:
    assert normalize("a123456789").text == "a123456789"


def test_characters_that_expand_map_every_piece_back_to_their_source() -> None:
    text = "第⑴項 Ａ"
    norm = normalize(text)
    for i in range(len(norm.text)):
        s, e = norm.to_original(i, i + 1)
        assert 0 <= s < e <= len(text)
    assert norm.to_original(0, len(norm.text)) == (0, len(text))


def test_empty_span_maps_to_an_empty_original_span() -> None:
    norm = normalize("Ａ１")
    assert norm.to_original(1, 1) == (1, 1)
    assert norm.to_original(2, 2) == (2, 2)


def test_full_width_punctuation_folds_to_ascii() -> None:
    assert normalize("收到，謝謝：好！").text == "收到,謝謝:好!"
