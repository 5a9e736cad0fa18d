"""Check-digit rules: national/resident IDs, 統一編號, payment cards, and the company guard.

Every vector of the independent peer implementation (guanting112/taiwan-id-validator,
tests/data/peer_vectors) must agree with our validators: that is the evidence the letter codes,
weights and the 2023 統一編號 rule were transcribed correctly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detectors import checksums
from detectors.checksums import (
    LETTER_CODES,
    card_brand,
    company_number_spans,
    digits_of,
    find_numbers,
    group_ends,
    is_credit_card,
    is_national_id,
    is_new_resident_id,
    is_old_resident_id,
    is_resident_id,
    is_tw_id,
    is_ubn,
    luhn_ok,
    overlaps_company_number,
)

PEER_VECTORS = Path(__file__).parent / "data" / "peer_vectors" / "taiwan-id-validator.jsonl"
_VALIDATORS = {
    "id_any": is_tw_id,
    "national_id": is_national_id,
    "resident_id": is_resident_id,
    "ubn": is_ubn,
}


def _peer_vectors() -> list[dict[str, object]]:
    with PEER_VECTORS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_peer_vector_file_is_complete_and_covers_every_kind() -> None:
    vectors = _peer_vectors()
    assert len(vectors) == 1920
    kinds = {(v["kind"], v["valid"]) for v in vectors}
    for kind in _VALIDATORS:
        assert (kind, True) in kinds and (kind, False) in kinds


def test_every_peer_vector_agrees_with_our_validators() -> None:
    disagreements = [
        (v["kind"], v["description"])
        for v in _peer_vectors()
        if _VALIDATORS[str(v["kind"])](str(v["value"])) is not v["valid"]
    ]
    assert disagreements == []


@pytest.mark.parametrize("value", ["A123456789", "a123456789", "Y144766850", "F131104093"])
def test_valid_national_ids_pass(value: str) -> None:
    assert is_national_id(value)
    assert is_tw_id(value)
    assert not is_resident_id(value)


@pytest.mark.parametrize(
    "value",
    ["A123456788", "A323456789", "A12345678", "A1234567890", "1123456789", "", "Ａ123456789"],
)
def test_wrong_check_digit_or_shape_is_not_a_national_id(value: str) -> None:
    assert not is_national_id(value)


def _complete(prefix: str, validator: object) -> str:
    """The one check digit that makes `prefix` (9 chars) valid under `validator`."""
    hits = [prefix + str(d) for d in range(10) if validator(prefix + str(d))]  # type: ignore[operator]
    assert len(hits) == 1, hits
    return hits[0]


def test_new_resident_certificate_uses_the_national_id_sum() -> None:
    value = _complete("A80000001", is_new_resident_id)
    assert is_resident_id(value) and is_tw_id(value)
    assert not is_national_id(value)
    # Same body with second digit 1 uses the same arithmetic shifted by 7 (weight 8 * (8-1)).
    assert is_new_resident_id(_complete("B90000001", is_new_resident_id))


def test_old_resident_certificate_counts_only_the_last_digit_of_the_second_letter() -> None:
    # Second letter D has code 13: it contributes 3, exactly like a national ID's digit 3 would.
    value = _complete("AD0000000", is_old_resident_id)
    body = value[2:]
    code = LETTER_CODES["A"]
    total = code // 10 + 9 * (code % 10) + 8 * 3
    total += sum(w * int(c) for w, c in zip((7, 6, 5, 4, 3, 2, 1, 1), body, strict=True))
    assert total % 10 == 0
    assert is_resident_id(value.lower())
    assert not is_old_resident_id("AE" + body)  # only A-D are issued as second letters


@pytest.mark.parametrize("value", ["04595257", "22099131", "10458575", "12345675"])
def test_valid_company_numbers_pass_the_2023_rule(value: str) -> None:
    assert is_ubn(value)


def test_company_number_with_seventh_digit_seven_may_use_sum_plus_one() -> None:
    # Sum for 1000007X: products digit sums 1 + 0 + 0 + 0 + 0 + 0 + (4*7=28 → 10) + X.
    with_seven = [f"1000007{d}" for d in range(10) if is_ubn(f"1000007{d}")]
    plain = [f"1000006{d}" for d in range(10) if is_ubn(f"1000006{d}")]
    assert len(with_seven) > len(plain)


@pytest.mark.parametrize(
    "value", ["00000000", "1234567", "123456789", "abcdefgh", "２２０９９１３１"]
)
def test_junk_is_never_a_company_number(value: str) -> None:
    assert not is_ubn(value)


@pytest.mark.parametrize(
    ("digits", "brand"),
    [
        ("4111111111111111", "visa"),
        ("4222222222222", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("3530111333300000", "jcb"),
        ("6011111111111117", "discover"),
        ("6200000000000005", "unionpay"),
        ("30569309025904", "diners"),
    ],
)
def test_test_cards_of_every_network_are_recognised(digits: str, brand: str) -> None:
    assert card_brand(digits) == brand
    assert is_credit_card(digits)


@pytest.mark.parametrize(
    "digits",
    ["4111111111111112", "1234567812345670", "411111111111", "41111111111111111111", "", "4111x"],
)
def test_bad_luhn_unknown_prefix_or_length_is_not_a_card(digits: str) -> None:
    assert not is_credit_card(digits)


def test_luhn_rejects_non_digits_instead_of_raising() -> None:
    assert luhn_ok("79927398713")
    assert not luhn_ok("7992739871x")
    assert not luhn_ok("")


def test_announced_company_number_is_guarded_but_a_bare_one_is_not() -> None:
    text = "廠商統編：22099131，聯絡 0912345678"
    spans = company_number_spans(text)
    assert [text[s:e] for s, e in spans] == ["22099131"]
    start = text.index("22099131")
    assert overlaps_company_number(text, start, start + 8)
    assert not overlaps_company_number(text, text.index("0912"), len(text))
    assert company_number_spans("會議編號 22099131") == ()


def test_invalid_number_after_a_company_marker_is_not_guarded() -> None:
    assert company_number_spans("統一編號 22099132") == ()


def test_group_ends_lists_every_cut_longest_first() -> None:
    text = "4111 1111 1111 1111 2025"
    cuts = group_ends(text, 0, len(text))
    assert cuts[0] == (len(text), "41111111111111112025")
    assert (19, "4111111111111111") in cuts


def test_find_numbers_skips_a_leading_year_to_reach_the_card() -> None:
    text = "2025 4111 1111 1111 1111"
    found = find_numbers(text, 13, 19, lambda s, e, d: is_credit_card(d))
    assert [(text[s:e], d) for s, e, d in found] == [("4111 1111 1111 1111", "4111111111111111")]


def test_find_numbers_ignores_invoice_and_serial_shapes() -> None:
    for text in ("AB-12345678901", "AB12345678901", "12345678901AB"):
        assert find_numbers(text, 10, 16, lambda s, e, d: True) == []


def test_digits_of_and_digit_count_ignore_everything_but_ascii_digits() -> None:
    assert digits_of("0912-345 678") == "0912345678"
    assert checksums.ascii_digit_count("a1b2c3３") == 3
