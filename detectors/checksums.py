"""Check digits of Taiwanese identifiers and payment cards, plus the company-number guard.

Why a module of its own: the format of a national ID or a card number alone matches plenty of
harmless strings (order numbers, hashes); the check digit is what makes a match trustworthy
enough to delete a message. Every function takes the canonical value (separators removed) and
never raises on junk input, so recognizers can call them on any candidate.

Rules (from the project notes; checked against the peer vectors of
guanting112/taiwan-id-validator in tests/data/peer_vectors):
- National ID ``[A-Z][12]\\d{8}``; new resident certificate (2021) ``[A-Z][89]\\d{8}``, same sum.
- Old resident certificate ``[A-Z][A-D]\\d{8}``: the second letter contributes the LAST digit of
  its two-digit code.
- 統一編號: weights 1,2,1,2,1,2,4,1, digit sum of each product, divisible by 5 (rule since
  2023-04-01); when the 7th digit is 7 the sum plus one may also qualify.
- Payment cards: Luhn over 13-19 digits with a known issuer prefix.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache

# Two-digit codes of the first letter (household registration area).
LETTER_CODES: dict[str, int] = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34,
    "J": 18, "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25,
    "S": 26, "T": 27, "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}  # fmt: skip
_ID_WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
_UBN_WEIGHTS = (1, 2, 1, 2, 1, 2, 4, 1)

_NATIONAL_ID = re.compile(r"[A-Z][12][0-9]{8}")
_NEW_RESIDENT_ID = re.compile(r"[A-Z][89][0-9]{8}")
_OLD_RESIDENT_ID = re.compile(r"[A-Z][A-D][0-9]{8}")
_DIGITS = re.compile(r"[0-9]+")


def _id_sum_ok(first: str, second_digit: int, rest: str) -> bool:
    """The shared weighted sum: two code digits of the first letter, then nine digits."""
    code = LETTER_CODES[first]
    digits = (code // 10, code % 10, second_digit, *(int(c) for c in rest))
    return sum(w * d for w, d in zip(_ID_WEIGHTS, digits, strict=True)) % 10 == 0


def is_national_id(value: str) -> bool:
    """中華民國國民身分證統一編號 (case-insensitive, no separators)."""
    v = value.upper()
    if not _NATIONAL_ID.fullmatch(v):
        return False
    return _id_sum_ok(v[0], int(v[1]), v[2:])


def is_new_resident_id(value: str) -> bool:
    """居留證統一證號, format issued since 2021 (second character 8 or 9)."""
    v = value.upper()
    if not _NEW_RESIDENT_ID.fullmatch(v):
        return False
    return _id_sum_ok(v[0], int(v[1]), v[2:])


def is_old_resident_id(value: str) -> bool:
    """居留證統一證號, format before 2021: two letters; the second adds its code's last digit."""
    v = value.upper()
    if not _OLD_RESIDENT_ID.fullmatch(v):
        return False
    return _id_sum_ok(v[0], LETTER_CODES[v[1]] % 10, v[2:])


def is_resident_id(value: str) -> bool:
    """Either format of the resident certificate number."""
    return is_new_resident_id(value) or is_old_resident_id(value)


def is_tw_id(value: str) -> bool:
    """Valid as a national ID or as a resident certificate number (peer vectors' ``id_any``)."""
    return is_national_id(value) or is_resident_id(value)


def is_ubn(value: str) -> bool:
    """統一編號 of a business or agency (2023 divisible-by-5 rule, 7th-digit-7 exception).

    All zeros passes the arithmetic but is no number anyone is issued, so it is rejected.
    """
    if len(value) != 8 or not value.isascii() or not value.isdigit() or value == "00000000":
        return False
    total = 0
    for w, c in zip(_UBN_WEIGHTS, value, strict=True):
        p = w * int(c)
        total += p // 10 + p % 10
    if total % 5 == 0:
        return True
    return value[6] == "7" and (total + 1) % 5 == 0


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check; `digits` must be ASCII digits only."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_brand(digits: str) -> str | None:
    """The card network whose issuer prefix and length `digits` fit, else None.

    Checking the prefix as well as Luhn cuts the false positives of Luhn alone (one in ten
    random digit strings passes it) down to a few networks' ranges.
    """
    n = len(digits)
    if not 13 <= n <= 19 or not digits.isascii() or not digits.isdigit():
        return None
    p2, p3, p4, p6 = int(digits[:2]), int(digits[:3]), int(digits[:4]), int(digits[:6])
    if digits[0] == "4" and n in (13, 16, 19):
        return "visa"
    if (51 <= p2 <= 55 or 2221 <= p4 <= 2720) and n == 16:
        return "mastercard"
    if p2 in (34, 37) and n == 15:
        return "amex"
    if 3528 <= p4 <= 3589 and 16 <= n <= 19:
        return "jcb"
    if (p4 == 6011 or p2 == 65 or 644 <= p3 <= 649 or 622126 <= p6 <= 622925) and n >= 16:
        return "discover"
    if p2 == 62 and 16 <= n <= 19:
        return "unionpay"
    if (300 <= p3 <= 305 or p2 in (36, 38, 39)) and 14 <= n <= 19:
        return "diners"
    if (p2 == 50 or 56 <= p2 <= 58 or p2 in (63, 67)) and n >= 13:
        return "maestro"
    return None


def is_credit_card(digits: str) -> bool:
    """A plausible payment card number: known issuer prefix and length, and Luhn-valid."""
    return card_brand(digits) is not None and luhn_ok(digits)


# -- company numbers: recognised so that nothing reports them as personal data ---------------

# Words that announce a company / agency number (統編 22099131, 統一編號：…, 扣繳單位統編 …).
COMPANY_MARKERS: tuple[str, ...] = (
    "統一編號",
    "統編",
    "營利事業",
    "公司編號",
    "扣繳單位",
    "扣繳編號",
    "稅籍編號",
    "機關代號",
    "VAT",
    "Tax ID",
    "TAX ID",
    "UBN",
)
_COMPANY_MARKER = re.compile("|".join(re.escape(m) for m in COMPANY_MARKERS))
_UBN_CANDIDATE = re.compile(r"(?<![0-9])[0-9]{8}(?![0-9])")
# How far after a marker the number may stand ("統一編號（公司）：22099131").
_MARKER_REACH = 16


@lru_cache(maxsize=128)
def company_number_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of valid 統一編號 announced by a company marker shortly before them.

    Numeric recognizers drop candidates overlapping these spans, so "統編 22099131 帳號…" or a
    company number next to a phone never turns into a personal identifier. Cached because every
    numeric recognizer asks about the same text.
    """
    if _COMPANY_MARKER.search(text) is None:
        return ()
    spans: list[tuple[int, int]] = []
    for marker in _COMPANY_MARKER.finditer(text):
        window_end = min(len(text), marker.end() + _MARKER_REACH + 8)
        for m in _UBN_CANDIDATE.finditer(text, marker.end(), window_end):
            if m.start() - marker.end() <= _MARKER_REACH and is_ubn(m.group(0)):
                spans.append((m.start(), m.end()))
    return tuple(sorted(set(spans)))


def overlaps_company_number(text: str, start: int, end: int) -> bool:
    """True when [start, end) touches an announced 統一編號 in `text`."""
    spans = company_number_spans(text)
    if not spans:
        return False
    # Spans are sorted and disjoint: only the last one starting before `end` can overlap.
    i = bisect_right(spans, (end,)) - 1
    return i >= 0 and spans[i][1] > start


def digits_of(value: str) -> str:
    """ASCII digits of `value` in order (the canonical form of a number written with separators)."""
    return "".join(_DIGITS.findall(value))


# -- numbers written with separators -----------------------------------------------------------

# What people and OCR put inside one number: spaces, tabs, dashes, dots, a line break; at most
# three in a row ("0912 - 345 - 678"). The class shares nothing with [0-9], so patterns such as
# f"[0-9](?:{SEP}[0-9]){{8}}" can only split one way and never backtrack catastrophically.
SEP = r"[ \t\-.\n]{0,3}"
SEP_CHARS = frozenset(" \t-.\n")


def spaced_digits(count: int) -> str:
    """Regex for exactly `count` digits with optional separators between them."""
    return f"[0-9](?:{SEP}[0-9]){{{count - 1}}}"


def group_ends(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """Every place a run of digits in text[start:end] could end, longest first, with its digits.

    A number written "4111 1111 1111 1111 2025" (a card and a year) or "07-123-4567 89" matches
    greedily past its real end; recognizers try these shorter cuts, which fall only where a
    group of digits ends, until one validates.
    """
    out: list[tuple[int, str]] = []
    digits: list[str] = []
    for i in range(start, end):
        ch = text[i]
        if "0" <= ch <= "9":
            digits.append(ch)
            if i + 1 == end or not ("0" <= text[i + 1] <= "9"):
                out.append((i + 1, "".join(digits)))
    out.reverse()
    return out


# The most groups one number is cut into ("4111 1111 1111 1111 111" is five).
MAX_GROUPS = 6


@lru_cache(maxsize=64)
def _run_groups(text: str, run_start: int, run_end: int) -> tuple[list[tuple[int, int]], list[int]]:
    """Digit groups of one run and the prefix sums of their lengths.

    Cached because the passport, NHI, card and bank recognizers all cut the same runs of the
    same message. Callers must not mutate the lists.
    """
    groups = [(g.start(), g.end()) for g in _DIGITS.finditer(text, run_start, run_end)]
    prefix = [0]
    for s, e in groups:
        prefix.append(prefix[-1] + e - s)
    return groups, prefix


def _cut_run(
    text: str,
    run_start: int,
    run_end: int,
    min_digits: int,
    max_digits: int,
    accept: Callable[[int, int, str], bool],
) -> list[tuple[int, int, str]]:
    """Cut one run of digit groups into accepted numbers (see `find_numbers`).

    A number is one to `MAX_GROUPS` consecutive groups (nobody writes one in more: cards use
    4-5, NHI numbers 3) of at most `max_digits` digits. Prefix sums of the group lengths let
    a group that cannot start a long-enough number be skipped in O(1), so the work is linear
    in the run even for 100,000 characters of digit soup ("1 1 1 …", "12-34-56-…").
    """
    groups, prefix = _run_groups(text, run_start, run_end)
    n = len(groups)
    out: list[tuple[int, int, str]] = []
    j = 0
    while j < n:
        last = min(n, j + MAX_GROUPS)
        if prefix[last] - prefix[j] < min_digits:
            j += 1
            continue
        # Longest cut first: the last group k such that groups j..k hold <= max_digits digits.
        k = last - 1
        while k >= j and prefix[k + 1] - prefix[j] > max_digits:
            k -= 1
        found = -1
        while k >= j and prefix[k + 1] - prefix[j] >= min_digits:
            start, end = groups[j][0], groups[k][1]
            digits = "".join(text[s:e] for s, e in groups[j : k + 1])
            if accept(start, end, digits):
                out.append((start, end, digits))
                found = k
                break
            k -= 1
        j = found + 1 if found >= 0 else j + 1
    return out


# A maximal run of digits with separators; recognizers cut it into numbers (`find_numbers`).
DIGIT_RUN = re.compile(rf"(?<![0-9A-Za-z])[0-9](?:{SEP}[0-9])*")


@lru_cache(maxsize=16)
def _digit_run(min_digits: int) -> re.Pattern[str]:
    """`DIGIT_RUN` for runs of at least `min_digits` digits: shorter runs are skipped in C.

    A run shorter than `min_digits` can hold no number, and a match cannot start inside a run
    (the look-behind), so this finds exactly the runs `DIGIT_RUN` finds that are long enough.
    """
    return re.compile(rf"(?<![0-9A-Za-z])[0-9](?:{SEP}[0-9]){{{max(min_digits - 1, 0)},}}")


def find_numbers(
    text: str,
    min_digits: int,
    max_digits: int,
    accept: Callable[[int, int, str], bool],
) -> list[tuple[int, int, str]]:
    """Numbers of `min_digits`..`max_digits` digits (separators allowed): (start, end, digits).

    Each maximal run of digits and separators is cut at group boundaries: the longest cut from
    the run's first group that `accept(start, end, digits)` takes wins, and when none does the
    search restarts at the next group, so "2025 4111 1111 1111 1111" still yields the card.
    A number must not continue into letters, nor follow letters and a dash: ``AB12345678`` and
    ``AB-12345678`` are invoice or serial numbers, not accounts.
    """
    out: list[tuple[int, int, str]] = []
    for run in _digit_run(min_digits).finditer(text):
        run_end = run.end()
        if run_end < len(text) and text[run_end].isascii() and text[run_end].isalpha():
            continue
        start = run.start()
        if (
            start >= 2
            and text[start - 1] in "-."
            and text[start - 2].isascii()
            and (text[start - 2].isalpha())
        ):
            continue
        out.extend(_cut_run(text, start, run_end, min_digits, max_digits, accept))
    return out


def ascii_digit_count(text: str) -> int:
    """How many ASCII digits `text` holds: numeric recognizers bail out early.

    Ten `str.count` passes (C, memchr-like) beat one `str.translate` with a deletion table,
    which looks every CJK character up in a dict: measured 3 µs against 16 µs a message.
    """
    return sum(map(text.count, "0123456789"))


class SpanSet:
    """Non-overlapping spans already claimed, with O(log n) overlap tests.

    Recognizers that run several patterns keep the first pattern's match where two overlap; a
    plain list made that check quadratic (a 100,000-character message of dates or phone numbers
    has tens of thousands of matches).
    """

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, start)
        if i > 0 and self._ends[i - 1] > start:
            return True
        return i < len(self._starts) and self._starts[i] < end

    def add(self, start: int, end: int) -> None:
        i = bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)


# -- cues in the words before a match -----------------------------------------------------------

_CLAUSE_BREAK = re.compile(r"[。！？!?;；\n]")


def words_pattern(words: tuple[str, ...] | list[str]) -> re.Pattern[str] | None:
    """One alternation over `words`, longest first (None when there are none)."""
    ordered = sorted({w for w in words if w}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)


def clause_before(text: str, start: int, window: int) -> str:
    """Up to `window` characters before `start`, cut at the last sentence break.

    Cue words ("本局", "例如") speak about what follows them in the same clause only.
    """
    before = text[max(0, start - window) : start]
    cut = 0
    for brk in _CLAUSE_BREAK.finditer(before):
        cut = brk.end()
    return before[cut:]
