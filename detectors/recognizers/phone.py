"""Taiwanese phone numbers: mobiles 09xx, landlines with area code, and +886 forms.

What is reported is the number itself; an extension (``#123``, ``分機123``, ``轉 45``, ``ext. 6``)
is left outside the span, so the same office line with different extensions is one value.
Public numbers are never reported: toll-free (0800, 0809), premium/service prefixes (020x),
short codes (110, 119, 165, 1999 …, which no pattern here matches at all: every accepted
number has an area code or the 09 mobile prefix), the agency hotlines of
``data/hotlines.txt`` and the configured ``hotlines`` / ``allow_list``.

A local number without area code (``2345-6789``) is deliberately not reported: eight bare
digits are far more often a 統一編號, an amount or an order number than a phone.
"""

from __future__ import annotations

import re

from detectors.checksums import (
    SEP,
    SpanSet,
    clause_before,
    group_ends,
    overlaps_company_number,
    spaced_digits,
    words_pattern,
)
from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import ContextSpec, Match, TextView
from detectors.types import PHONE

_BEFORE = r"(?<![0-9A-Za-z+#])"
_MOBILE = re.compile(rf"{_BEFORE}\(?09\)?{SEP}{spaced_digits(8)}(?![0-9])")
# +886 912 345 678, 00886-2-2345-6789, (+886) 2 2345 6789, +886 (0)2 2345 6789
_INTL = re.compile(
    rf"(?<![0-9A-Za-z])(?:\+ ?|00|\(\+?)886\)?{SEP}(?:\(0\){SEP}|0{SEP})?"
    rf"\(?[2-9]\)?(?:{SEP}[0-9]){{6,8}}(?![0-9])"
)
# (02)2345-6789, 02-2345-6789, (037)123456, 049-2234567, 0836-12345
_LANDLINE = re.compile(
    rf"{_BEFORE}(?:\(0[2-8][0-9]{{0,2}}\)|0[2-8]){SEP}[0-9](?:{SEP}[0-9]){{4,7}}(?![0-9])"
)
_QUICK = re.compile(r"0[2-9]|886")
_NOT_PUBLIC_PREFIXES = ("0800", "0809", "0801", "0203", "0204", "0205", "0209")
# Where an extension starts, for stripping it from hotline entries.
_EXTENSION = re.compile(r"(?:#|分機|轉|ext\.?|x).*$", re.IGNORECASE)
# An extension right after a landline: a switchboard, i.e. an office line, not a person's.
_EXTENSION_AFTER = re.compile(r"\s{0,2}(?:#|分機|轉|ext\.?|x)\s{0,2}[0-9]{1,6}", re.IGNORECASE)
_HOME_CUE = re.compile(r"家裡|住家|家中|自宅|私人|宅電|home", re.IGNORECASE)
_PRECEDED_BY_SERIAL = ("第", "No.", "NO.", "no.")
# How far before a number an office or example cue is looked for (a landline's office context
# may stand further back in its clause: "本局第三辦公室搬遷…電話改為 (02)…").
_CUE_WINDOW = 14
_LANDLINE_CUE_WINDOW = 40
_HEADER_REACH = 12  # lines a list header reaches down
# An organisation named right before a landline: the number is its switchboard or desk.
_ORG_BEFORE = re.compile(
    r"[\u4e00-\u9fff]{1,10}(?:局|處|所|署|中心|公所|公司|工程行|商行|行號|店|診所|醫院|銀行|農會"
    r"|學校|大學|分隊|分局|派出所|企業|協會|基金會)(?:的)?(?:電話|專線|總機|服務台|窗口|店面電話)?"
    r"[\s:：]*$"
)
# A person's number even next to an organisation word ("陳情人的公司電話").
_PERSON_CUE = re.compile(r"檢舉|陳情|申訴|告發|舉發|民眾|當事人|個案|家屬|他的|她的|私人|住家|家裡")


def national_form(digits: str) -> str:
    """``886912345678`` / ``00886…`` → ``0912345678``; national numbers unchanged."""
    if digits.startswith("00886"):
        digits = digits[5:]
    elif digits.startswith("886"):
        digits = digits[3:]
    else:
        return digits
    if digits.startswith("0"):  # +886 (0)2 …
        digits = digits[1:]
    return "0" + digits


def is_valid_tw_number(digits: str) -> bool:
    """Plausible Taiwanese subscriber number in national form (``0`` + area/mobile + local).

    Lengths: mobiles 10; Taipei 02 and Nantou 049 ten; Taichung/Changhua 04 nine or ten;
    every other area (03, 037, 05, 06, 07, 08, 082, 0826, 089, 0836) nine.
    """
    if not digits.isdigit() or len(digits) < 9 or digits[0] != "0":
        return False
    if digits.startswith(_NOT_PUBLIC_PREFIXES):
        return False
    n = len(digits)
    if digits[1] == "9":
        return n == 10
    if digits[1] == "2" or digits.startswith("049"):
        return n == 10
    if digits[1] == "4":
        return n in (9, 10)
    if digits[1] in "35678":
        return n == 9
    return False


def hotline_digits(raw: str) -> str:
    """A configured hotline in the form numbers are compared in (national, digits only)."""
    number = _EXTENSION.sub("", raw.split("  ")[0])
    return national_form("".join(c for c in number if c.isdigit()))


# "東區 (06)268-3119、北區 (06)251-3995": the next number of a list of office lines.
_LIST_GAP = re.compile(r"[\s、,，;；/]{1,3}[^\s\d、,，。;；/]{0,6}[\s:：]{0,2}$")


def _follows_public(text: str, start: int, public_ends: list[int]) -> bool:
    """A landline listed right after an announced office line is one too."""
    return any(0 < start - e <= 12 and _LIST_GAP.fullmatch(text, e, start) for e in public_ends)


class PhoneRecognizer:
    """Finds Taiwanese mobile and landline numbers that are not public hotlines."""

    name = "phone"
    entity_types = (PHONE,)
    context: ContextSpec | None = ContextSpec(lexicon="phone_context", window=12, boost=0.1)

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self.config = config
        public = (*lexicons.words("hotlines"), *config.hotlines, *config.allow_list)
        self.public: frozenset[str] = frozenset(d for d in map(hotline_digits, public) if d)
        self._office_cue = words_pattern(lexicons.words("public_contact_cues"))
        self._example_cue = words_pattern(lexicons.words("example_cues"))

    def analyze(self, view: TextView) -> list[Match]:
        text = view.text
        if _QUICK.search(text) is None:
            return []
        taken = SpanSet()
        out: list[Match] = []
        public_ends: list[int] = []  # where announced office lines end (a list of them follows)
        for pattern, kind in ((_INTL, "intl"), (_MOBILE, "mobile"), (_LANDLINE, "landline")):
            for m in pattern.finditer(text):
                if taken.overlaps(m.start(), m.end()):
                    continue
                found = self._validate(text, m.start(), m.end())
                if found is None:
                    continue
                end, national = found
                start = m.start()
                if text[start] == "(" and ")" not in text[start : start + 6]:
                    start += 1  # "（0955-730-218，…）": a bracket opening a remark, no area code
                if national in self.public or self._looks_like_serial(text, start):
                    continue
                if self._announced_as_public(text, start, national) or (
                    not national.startswith("09") and _follows_public(text, start, public_ends)
                ):
                    public_ends.append(end)
                    continue
                if (
                    not national.startswith("09")
                    and _EXTENSION_AFTER.match(text, end)
                    and not _HOME_CUE.search(clause_before(text, start, _CUE_WINDOW))
                ):
                    continue  # (02)2931-5678 分機 215: a switchboard, unless it is "家裡…"
                if overlaps_company_number(text, start, end):
                    continue
                taken.add(start, end)
                compact = "".join(c for c in text[start:end] if c.isdigit() or c == "+")
                out.append(
                    Match(
                        type=PHONE,
                        start=start,
                        end=end,
                        score=0.85,
                        detector=self.name,
                        reason=f"台灣電話號碼格式 (Taiwan {kind} phone number)",
                        value=compact,
                    )
                )
        return out

    @staticmethod
    def _validate(text: str, start: int, end: int) -> tuple[int, str] | None:
        """Longest cut of the candidate that is a valid number: (end, national digits)."""
        for cut, digits in group_ends(text, start, end):
            national = national_form(digits)
            if is_valid_tw_number(national):
                return cut, national
        return None

    def _announced_as_public(self, text: str, start: int, national: str) -> bool:
        """An example ("格式…如 02-1234-5678") or an office line ("本局防疫專線 (02)…").

        Only the clause before the number is read (back to the last sentence break), and an
        office cue silences landlines only: a colleague's mobile next to 本局 is still his.
        """
        before = clause_before(text, start, _CUE_WINDOW)
        if self._example_cue is not None and self._example_cue.search(before):
            return True
        if national.startswith("09"):
            return False
        wide = clause_before(text, start, _LANDLINE_CUE_WINDOW)
        if self._office_cue is not None and self._office_cue.search(wide) is not None:
            return True
        if _ORG_BEFORE.search(wide) and not _PERSON_CUE.search(wide):
            return True  # 聯絡窗口：水利局 (07)337-3321, 冷氣工程行店面電話 04-…
        return self._under_office_header(text, start)

    def _under_office_header(self, text: str, start: int) -> bool:
        """A list of numbers under a header line ("各區公所對外服務電話：" then one line per
        district): the header's office cue covers every line of the list below it."""
        if self._office_cue is None:
            return False
        line_start = text.rfind("\n", 0, start)
        for _ in range(_HEADER_REACH):
            if line_start <= 0:
                return False
            prev_start = text.rfind("\n", 0, line_start) + 1
            header = text[prev_start:line_start].strip()
            if not header:
                return False  # a blank line ends the list
            if header.endswith((":", "：")):
                return self._office_cue.search(header) is not None
            line_start = prev_start - 1
        return False

    @staticmethod
    def _looks_like_serial(text: str, start: int) -> bool:
        """公文文號 and similar serials: "第0912345678號", "No. 0223456789"."""
        before = text[max(0, start - 4) : start].rstrip()
        return before.endswith(_PRECEDED_BY_SERIAL)
