"""Property tests: generated valid identifiers are always found wherever they stand, with
offsets that slice the original text to exactly what was written; and no text, however odd,
makes the scanner raise or report a span outside the message.

Examples are capped (`max_examples`) so the whole module stays a few seconds of work.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detectors import Scanner
from detectors.checksums import (
    LETTER_CODES,
    is_credit_card,
    is_national_id,
    is_resident_id,
    luhn_ok,
)
from detectors.types import CREDIT_CARD, PHONE, TW_NATIONAL_ID, TW_RESIDENT_ID

_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_SCANNER: Scanner | None = None


def scanner() -> Scanner:
    """One scanner for the module (building one loads lexicons; hypothesis calls us often)."""
    global _SCANNER
    if _SCANNER is None:
        _SCANNER = Scanner.from_config(None)
    return _SCANNER


_LETTERS = sorted(LETTER_CODES)
_DIGIT = st.sampled_from("0123456789")

# Surrounding text: CJK, ASCII letters, digits, punctuation, spaces, full-width forms and
# zero-width characters. Right next to the identifier stands a CJK "boundary" character, the
# way an identifier sits in a sentence (a letter or digit touching it would make it a different,
# longer token).
_FILLER_CHARS = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.sampled_from("，。：「」、！？Ａ１２\u3000\u200b\n"),
)
_FILLER = st.text(alphabet=_FILLER_CHARS, max_size=40)
_BOUNDARY = st.sampled_from("的是在了我有和人這中大為上個國請給他她")


def _check_digit(prefix: str, valid: object) -> str:
    """The single digit completing the 9-character `prefix` under `valid`."""
    for d in "0123456789":
        if valid(prefix + d):  # type: ignore[operator]
            return prefix + d
    raise AssertionError("no check digit completes the prefix")


@st.composite
def national_ids(draw: st.DrawFn) -> str:
    body = draw(st.sampled_from(_LETTERS)) + draw(st.sampled_from("12"))
    body += "".join(draw(st.lists(_DIGIT, min_size=7, max_size=7)))
    value = _check_digit(body, is_national_id)
    return value.lower() if draw(st.booleans()) else value


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    second = draw(st.sampled_from("89ABCD"))
    body = draw(st.sampled_from(_LETTERS)) + second
    body += "".join(draw(st.lists(_DIGIT, min_size=7, max_size=7)))
    return _check_digit(body, is_resident_id)


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["4", "51", "55", "3530", "6011", "2221"]))
    body = prefix + "".join(
        draw(st.lists(_DIGIT, min_size=15 - len(prefix), max_size=15 - len(prefix)))
    )
    digits = next(body + d for d in "0123456789" if luhn_ok(body + d))
    assert is_credit_card(digits)
    if draw(st.booleans()):
        sep = draw(st.sampled_from([" ", "-"]))
        return sep.join(digits[i : i + 4] for i in range(0, 16, 4))
    return digits


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    digits = "09" + "".join(draw(st.lists(_DIGIT, min_size=8, max_size=8)))
    style = draw(st.sampled_from(["plain", "dash", "space", "dot"]))
    if style == "plain":
        return digits
    sep = {"dash": "-", "space": " ", "dot": "."}[style]
    return sep.join((digits[:4], digits[4:7], digits[7:]))


def _assert_found(text: str, written: str, start: int, kind: str) -> None:
    result = scanner().scan(text)
    spans = {(f.type, f.start, f.end) for f in result.findings}
    assert (kind, start, start + len(written)) in spans, (kind, result.to_dict())


def _embed(draw: st.DrawFn, written: str) -> tuple[str, int]:
    before = draw(_FILLER) + draw(_BOUNDARY)
    after = draw(_BOUNDARY) + draw(_FILLER)
    return before + written + after, len(before)


@_SETTINGS
@given(data=st.data(), written=national_ids())
def test_valid_national_id_is_found_anywhere_with_exact_offsets(
    data: st.DataObject, written: str
) -> None:
    text, start = _embed(data.draw, written)
    _assert_found(text, written, start, TW_NATIONAL_ID)


@_SETTINGS
@given(data=st.data(), written=resident_ids())
def test_valid_resident_id_of_either_format_is_found_anywhere(
    data: st.DataObject, written: str
) -> None:
    text, start = _embed(data.draw, written)
    _assert_found(text, written, start, TW_RESIDENT_ID)


@_SETTINGS
@given(data=st.data(), written=card_numbers())
def test_valid_card_number_is_found_anywhere_grouped_or_not(
    data: st.DataObject, written: str
) -> None:
    text, start = _embed(data.draw, written)
    _assert_found(text, written, start, CREDIT_CARD)


@_SETTINGS
@given(data=st.data(), written=mobiles())
def test_mobile_number_is_found_anywhere_in_any_common_spelling(
    data: st.DataObject, written: str
) -> None:
    text, start = _embed(data.draw, written)
    _assert_found(text, written, start, PHONE)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300))
def test_any_text_scans_without_error_and_findings_slice_the_original(text: str) -> None:
    result = scanner().scan(text)
    assert result.error is None
    for f in result.findings:
        assert 0 <= f.start < f.end <= len(text)


_IDENTIFIER_SOUP = st.text(
    alphabet=st.sampled_from("0123456789Aa -.+()#@號路巷段樓市區第年月日０９\u200b零九一"),
    max_size=200,
)


@settings(max_examples=150, deadline=None)
@given(text=_IDENTIFIER_SOUP)
def test_identifier_like_soup_never_breaks_offsets(text: str) -> None:
    for f in scanner().scan(text).findings:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end].strip() != ""


@pytest.mark.parametrize("kind", [TW_NATIONAL_ID, PHONE])
def test_full_width_spelling_is_found_at_its_original_offsets(kind: str) -> None:
    written = {"TW_NATIONAL_ID": "Ａ１２３４５６７８９", "PHONE": "０９１２－３４５－６７８"}[kind]
    text = f"請看這個{written}謝謝"
    _assert_found(text, written, 4, kind)


@st.composite
def addresses(draw: st.DrawFn) -> str:
    city = draw(st.sampled_from(["臺北市", "台中市", "新北市", "高雄市", "宜蘭縣", "花蓮縣"]))
    district = draw(st.sampled_from(["中正區", "板橋區", "羅東鎮", "吉安鄉", "西屯區"]))
    road = draw(st.sampled_from(["中山路", "民生東路", "文化路", "光復街", "台灣大道"]))
    section = draw(st.sampled_from(["", "一段", "2段", "三段"]))
    lane = draw(st.sampled_from(["", "12巷", "3巷5弄", "一百巷"]))
    number = draw(st.integers(min_value=1, max_value=999))
    floor = draw(st.sampled_from(["", "3樓", "12樓之2", "B1"]))
    with_city = draw(st.booleans())
    head = city + district if with_city else district
    return f"{head}{road}{section}{lane}{number}號{floor}"


@_SETTINGS
@given(written=addresses(), lead=st.sampled_from(["住", "地址：", "寄到", "他家在", ""]))
def test_generated_address_is_found_with_exact_offsets(written: str, lead: str) -> None:
    text = f"王先生{lead}{written}，謝謝"
    _assert_found(text, written, len(f"王先生{lead}"), "ADDRESS")
