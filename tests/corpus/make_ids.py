"""Checksum rules for the identifiers written into the gold corpus, and a pool generator.

Why a script: every national ID, resident certificate and credit card written as a positive in
the corpus must pass its checksum (a detector that validates checksums would otherwise be
penalised for being right), and every "look-alike" in a benign message must fail it. The
corpus author draws values from `python tests/corpus/make_ids.py` and writes them in by hand
(adding full-width forms, dashes, Chinese numerals); `tests/test_corpus_quality.py` re-checks
them with the functions below. The algorithms are the ones in /work/shared/NOTES.md, written
independently of `detectors/` so the corpus does not inherit a detector bug.
"""

from __future__ import annotations

import random
import sys

LETTER_CODES: dict[str, int] = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34,
    "J": 18, "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25,
    "S": 26, "T": 27, "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}  # fmt: skip
_WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)


def _id_digits(value: str) -> list[int] | None:
    """The eleven digits the weights apply to, or None when the shape is wrong."""
    v = value.upper()
    if len(v) != 10 or v[0] not in LETTER_CODES or not v[2:].isdigit():
        return None
    code = LETTER_CODES[v[0]]
    if v[1].isdigit():
        second = int(v[1])
    elif v[1] in "ABCD":  # old resident certificate: the letter's code, last digit
        second = LETTER_CODES[v[1]] % 10
    else:
        return None
    return [code // 10, code % 10, second, *(int(c) for c in v[2:])]


def id_checksum_ok(value: str) -> bool:
    """National ID or resident certificate (old and new format) checksum."""
    digits = _id_digits(value)
    if digits is None:
        return False
    return sum(w * d for w, d in zip(_WEIGHTS, digits, strict=True)) % 10 == 0


def id_kind(value: str) -> str:
    """``TW_NATIONAL_ID`` for second digit 1/2, ``TW_RESIDENT_ID`` for 8/9 or A-D."""
    second = value[1].upper()
    return "TW_NATIONAL_ID" if second in "12" else "TW_RESIDENT_ID"


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) < 12:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def make_id(rng: random.Random, second: str) -> str:
    """A valid ID whose second character is `second` (1/2 national, 8/9/A-D resident)."""
    letter = rng.choice(sorted(LETTER_CODES))
    body = "".join(rng.choice("0123456789") for _ in range(7))
    for check in "0123456789":
        candidate = f"{letter}{second}{body}{check}"
        if id_checksum_ok(candidate):
            return candidate
    raise AssertionError("unreachable: one check digit always fits")


def make_card(rng: random.Random, prefix: str, length: int = 16) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    for check in "0123456789":
        if luhn_ok(body + check):
            return body + check
    raise AssertionError("unreachable")


def main() -> int:
    rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 20261125)
    print("national:", *(make_id(rng, rng.choice("12")) for _ in range(40)))
    print("resident-new:", *(make_id(rng, rng.choice("89")) for _ in range(10)))
    print("resident-old:", *(make_id(rng, rng.choice("ABCD")) for _ in range(6)))
    for prefix in ("4", "5", "35", "37"):
        length = 15 if prefix == "37" else 16
        print(f"card {prefix}:", *(make_card(rng, prefix, length) for _ in range(6)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
