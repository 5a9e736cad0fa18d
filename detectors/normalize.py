"""Normalise a message before matching, keeping a map back to the original offsets.

Why: people (and OCR) write the same identifier many ways: full-width ``Ａ１２３…``,
zero-width characters pasted from other apps, Simplified characters, ``零九一二…`` in Chinese
numerals. Recognizers match one canonical form; every span they report is mapped back with
`Normalized.to_original` so findings always slice the text the user actually sent.

Only the first step (width folding and dropping invisible characters) can change the length;
Simplified→Traditional, dash folding and Chinese-numeral digits are one-to-one, so they cost a
single `str.translate` each and need no extra bookkeeping.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Characters that vanish: zero-width spaces/joiners, BOM, soft hyphen, bidi marks.
_INVISIBLE = (
    "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064"
    "\ufeff\u00ad\u180e\u202a\u202b\u202c\u202d\u202e"
)
# Characters that NFKC folds to ASCII-ish forms we care about: full-width forms, odd spaces,
# circled digits. Everything else is left alone (NFKC on CJK text would change far too much).
_FOLD_CLASS = (
    "[\u00a0\u2000-\u200a\u2028\u2029\u202f\u205f\u2460-\u24ff\u3000\uff01-\uffef"
    + _INVISIBLE
    + "]"
)
_NEEDS_FOLD = re.compile(_FOLD_CLASS)

_DASHES = {ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"}
CJK_DIGITS = "零〇○一二三四五六七八九壹貳參肆伍陸柒捌玖"
_CJK_DIGIT_VALUE = {c: str(i % 10) for i, c in enumerate("零一二三四五六七八九")}
_CJK_DIGIT_VALUE.update({"〇": "0", "○": "0"})
_CJK_DIGIT_VALUE.update({c: str(i + 1) for i, c in enumerate("壹貳參肆伍陸柒捌玖")})
_CJK_DIGIT_TABLE = str.maketrans(_CJK_DIGIT_VALUE)
# A run of at least four digits written (at least partly) in Chinese numerals, optionally split
# by single spaces or dashes: 零九一二三四五六七八, 〇九一二-三四五-六七八.
_DIGIT_CHAR = f"[0-9{CJK_DIGITS}]"
_CJK_DIGIT_RUN = re.compile(f"{_DIGIT_CHAR}(?:[ \\-]?{_DIGIT_CHAR}){{3,}}")
_HAS_CJK_DIGIT = re.compile(f"[{CJK_DIGITS}]")


@lru_cache(maxsize=1)
def _s2t_table() -> dict[int, str]:
    """Simplified→Traditional, one character to one, from OpenCC's STCharacters (Apache-2.0).

    Characters that are also standard Traditional characters (台, 里, 干, 后 …) are left out
    of the data file, so Traditional text is never changed by this step.
    """
    table: dict[int, str] = {}
    data = resources.files("detectors").joinpath("data/s2t_chars.tsv")
    for line in data.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        simp, trad = line.split("\t")[:2]
        if len(simp) == 1 and len(trad) == 1:
            table[ord(simp)] = trad
    table.update(_DASHES)
    return table


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalised view of `original` with a map from its offsets back to the original."""

    original: str
    text: str
    # starts[i] / ends[i]: original span of normalised character i; None when identity.
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span [start, end) to the smallest original span covering it."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


@lru_cache(maxsize=1)
def _one_to_one_folds() -> tuple[dict[int, str], re.Pattern[str]]:
    """The folds that keep the length (，→, Ａ→A ０→0 and the odd spaces) as one translate
    table, and a pattern for the rest (invisible characters, ① → 1 is fine but ㍿ → 株式会社
    is not): only texts holding one of those need the offset map."""
    table: dict[int, str] = {}
    other: list[str] = []
    for lo, hi in ((0x00A0, 0x00A0), (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F),
                   (0x205F, 0x205F), (0x2460, 0x24FF), (0x3000, 0x3000), (0xFF01, 0xFFEF)):
        for code in range(lo, hi + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            if len(folded) == 1:
                table[code] = folded
            else:
                other.append(chr(code))
    other.extend(_INVISIBLE)
    return table, re.compile("[" + re.escape("".join(other)) + "]")


def _fold(text: str) -> tuple[str, tuple[int, ...] | None, tuple[int, ...] | None]:
    """Width-fold and drop invisible characters, recording where each output char came from."""
    if not _NEEDS_FOLD.search(text):
        return text, None, None
    _, length_changing = _one_to_one_folds()
    if not length_changing.search(text):
        # Every fold here is one character to one: `normalize` does it in its translate pass.
        return text, None, None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0
    for m in _NEEDS_FOLD.finditer(text):
        i = m.start()
        if i > last:
            out.append(text[last:i])
            starts.extend(range(last, i))
            ends.extend(range(last + 1, i + 1))
        ch = text[i]
        if ch not in _INVISIBLE:
            folded = unicodedata.normalize("NFKC", ch)
            out.append(folded)
            starts.extend([i] * len(folded))
            ends.extend([i + 1] * len(folded))
        last = i + 1
    if last < len(text):
        out.append(text[last:])
        starts.extend(range(last, len(text)))
        ends.extend(range(last + 1, len(text) + 1))
    return "".join(out), tuple(starts), tuple(ends)


def _cjk_digits_to_ascii(text: str) -> str:
    """Rewrite runs like 零九一二三四五六七八 as 0912345678 (same length)."""
    if not _HAS_CJK_DIGIT.search(text):
        return text
    return _CJK_DIGIT_RUN.sub(lambda m: m.group(0).translate(_CJK_DIGIT_TABLE), text)


@lru_cache(maxsize=1)
def _one_pass_table() -> dict[int, str]:
    """Width folds, dashes and Simplified→Traditional in one table: all one character to one,
    and no fold yields a character that another entry would change again."""
    return {**_s2t_table(), **_one_to_one_folds()[0]}


def normalize(text: str) -> Normalized:
    """Return the canonical form recognizers match against, with its offset map."""
    folded, starts, ends = _fold(text)
    canonical = _cjk_digits_to_ascii(folded.translate(_one_pass_table()))
    return Normalized(original=text, text=canonical, starts=starts, ends=ends)


def with_normalised(words: Iterable[str]) -> tuple[str, ...]:
    """The words plus their normalised forms, in order, without repeats.

    Matching runs over normalised text, and the normaliser turns a few standard characters
    into variants (群→羣, 秘→祕, ？→?) that a hand-written lexicon would miss otherwise."""
    words = tuple(words)
    return tuple(dict.fromkeys((*words, *(normalize(w).text for w in words))))


def lower_keep_length(text: str) -> str:
    """`text.lower()` unless a character (İ) would lower to two: offsets must not move."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(lc if len(lc := c.lower()) == 1 else c for c in text)
