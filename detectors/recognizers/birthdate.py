"""Birth dates in the forms Taiwanese forms use: 民國 (ROC) and AD, kept only near 生日/出生/DOB.

Dates are everywhere in agency chat (meetings, deadlines, 公文 dates), so a date is only a
candidate (`needs_context`); the context step keeps it when 生日, 出生, 出生日期, DOB … stands
near. Candidates must be real calendar dates not in the future: ROC years 1..today's ROC year
(民國85年 = 1996), AD years 1900..this year. Month and day may be written in Chinese numerals
(民國八十五年三月五日); the value is the date in ISO form (``1996-03-05``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from detectors.checksums import SpanSet, overlaps_company_number
from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import ContextSpec, Match, TextView
from detectors.types import BIRTHDATE

_TAIPEI = ZoneInfo("Asia/Taipei")
_CJK_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
# Words that may stand right before a name in a record ("個案王小明", "相對人王志偉").
_NAME_OPENERS = frozenset("人案主員生犯嫌者長偶女子母父象屬工戶眾是為")
_CN = "[〇零一二三四五六七八九十]"
_NUM = rf"(?:[0-9]{{1,4}}|{_CN}{{1,4}})"
_S = "[ ]?"
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_MONTH_NAME = r"(?P<mname>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.?"
_PATTERNS = (
    # 民國85年3月5日, 85年03月05日, 1996年3月5日, 八十五年三月五日
    re.compile(
        rf"(?:(?P<era>中華民國|民國|民|西元|公元){_S})?(?<![0-9])(?P<y>{_NUM}){_S}年{_S}(?P<m>{_NUM}){_S}月"
        rf"{_S}(?P<d>{_NUM}){_S}[日號]?"
    ),
    # 1996/03/05, 1996-3-5, 85/03/05, 085.03.05 (same separator twice)
    re.compile(
        r"(?<![0-9./\-])(?P<era>民國|西元)?(?P<y>[0-9]{2,4})(?P<sep>[/.\-])(?P<m>[0-9]{1,2})"
        r"(?P=sep)(?P<d>[0-9]{1,2})(?![0-9]|[/.\-][0-9])"
    ),
    # 19960305 (AD) and 0850305 (ROC, zero-padded): only with context, like every date here
    re.compile(
        r"(?<![0-9])(?P<y>19[0-9]{2}|20[0-9]{2}|0[0-9]{2}|1[01][0-9])"
        r"(?P<m>[01][0-9])(?P<d>[0-3][0-9])(?![0-9])"
    ),
    # March 5, 1996 / Mar. 5 1996
    re.compile(rf"\b{_MONTH_NAME}{_S}(?P<d>[0-9]{{1,2}}),?{_S}(?P<y>[0-9]{{4}})\b", re.IGNORECASE),
    # 5 March 1996
    re.compile(rf"\b(?P<d>[0-9]{{1,2}}){_S}{_MONTH_NAME},?{_S}(?P<y>[0-9]{{4}})\b", re.IGNORECASE),
)
# "民國60年7月15日生", "（2010/02/14生）": the way forms and case notes state a birth date.
# Not 生效 (takes effect), 生日 (a birthday party's date), 生產, 生活 ….
_BORN_AFTER = re.compile(r"[ ]?[)）]?[ ]?(?:出生|生)(?![效日產活意態病氣成命物涯])")
# A mobile number on the same line marks a roster row (name, phone, date of birth).
_ROW_MOBILE = re.compile(r"(?<![0-9])09[0-9]{2}[ \-.]?[0-9]{3}[ \-.]?[0-9]{3}(?![0-9])")
_ROSTER_AGES = (12, 100)
# A record row: the date right after a national/resident ID or a name, optionally with the sex
# between them ("Z108948465 51年8月2日", "蕭家豪，男，民國85年2月9日", "王志偉 1979/08/25").
_ID_BEFORE = re.compile(r"[A-Z][12ABCD89][0-9]{8}[\s,，、:：]{0,3}$")
_SEX_BEFORE = re.compile(r"[\s,，、:：(（/|｜]{0,3}(?:[男女]性?[\s,，、:：)）/|｜]{1,3})?$")
_ROW_REACH = 60
# Cheap gate: every pattern above needs 年, digit-separator-digit, a run of six digits, or an
# English month name; most chat messages with a digit have none of these.
_QUICK = re.compile(
    r"年|[0-9][/.\-][0-9]|[0-9]{6}|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
)


def cn_number(token: str) -> int | None:
    """Value of a small number written in ASCII or Chinese digits (八十五 → 85, 〇五 → 5)."""
    if token.isascii():
        return int(token) if token.isdigit() else None
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
    if any(c not in digits and c != "十" for c in token):
        return None
    if "十" not in token:
        return int("".join(str(digits[c]) for c in token))
    head, _, tail = token.partition("十")
    if "十" in tail or len(head) > 1 or len(tail) > 1:
        return None
    return (digits[head] if head else 1) * 10 + (digits[tail] if tail else 0)


def to_date(year: int, month: int, day: int, roc: bool, today: date) -> date | None:
    """The calendar date, or None when impossible or in the future."""
    if roc:
        year += 1911
    if not 1900 <= year <= today.year:
        return None
    try:
        d = date(year, month, day)
    except ValueError:
        return None
    return d if d <= today else None


class BirthdateRecognizer:
    """Finds dates (ROC or AD) that the context step keeps when a birth word is near."""

    name = "birthdate"
    entity_types = (BIRTHDATE,)
    context: ContextSpec | None = ContextSpec(
        lexicon="birthdate_context", window=20, window_after=6
    )

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self.config = config

    def analyze(self, view: TextView) -> list[Match]:
        text = view.text
        if _QUICK.search(text) is None:
            return []
        today = datetime.now(_TAIPEI).date()
        out: list[Match] = []
        taken = SpanSet()
        for pattern in _PATTERNS:
            for m in pattern.finditer(text):
                start, end = m.start(), m.end()
                if taken.overlaps(start, end):
                    continue
                found = self._parse(m, today)
                if found is None or overlaps_company_number(text, start, end):
                    continue
                taken.add(start, end)
                if _BORN_AFTER.match(text, end) is not None:
                    score, reason = (
                        0.8,
                        "日期後接「生」，出生日期 (date followed by 生: birth date)",
                    )
                elif self._roster_row(text, start, end, found, today) or self._after_person(
                    text, start, found, today
                ):
                    score, reason = 0.6, "名冊列中的出生日期 (date of birth in a roster row)"
                else:
                    score, reason = 0.45, "日期格式，疑似出生日期 (date, birth-date candidate)"
                out.append(
                    Match(
                        type=BIRTHDATE,
                        start=start,
                        end=end,
                        score=score,
                        detector=self.name,
                        reason=reason,
                        value=found.isoformat(),
                        needs_context=score < 0.5,
                    )
                )
        return out

    @staticmethod
    def _roster_row(text: str, start: int, end: int, found: date, today: date) -> bool:
        """A row of a name list: "1. 張雅婷 0911-234-567 1990.03.15".

        A full date that makes someone 12 to 100 years old, on the same line as a mobile
        number, is that person's date of birth; a meeting date is recent and rarely shares a
        line with a mobile.
        """
        age = today.year - found.year
        if not _ROSTER_AGES[0] <= age <= _ROSTER_AGES[1]:
            return False
        # Only the row's neighbourhood: bounded so a 100,000-character line stays linear.
        lo, hi = max(0, start - _ROW_REACH), min(len(text), end + _ROW_REACH)
        line_start = text.rfind("\n", lo, start) + 1 or lo
        line_end = text.find("\n", end, hi)
        line = text[line_start : line_end if line_end >= 0 else hi]
        return _ROW_MOBILE.search(line) is not None

    @staticmethod
    def _after_person(text: str, start: int, found: date, today: date) -> bool:
        """A full date of a plausible age right after an ID or a person's name is that
        person's date of birth: case notes and pasted records put it there."""
        if not _ROSTER_AGES[0] <= today.year - found.year <= _ROSTER_AGES[1]:
            return False
        left = text[max(0, start - 16) : start]
        if _ID_BEFORE.search(left):
            return True
        sex = _SEX_BEFORE.search(left)
        head = left[: sex.start()] if sex else left
        from detectors.recognizers.person import looks_like_name

        return any(
            len(head) >= n and looks_like_name(head[-n:]) and (len(head) == n or not
            _CJK_CHAR.match(head[-n - 1]) or head[-n - 1] in _NAME_OPENERS)
            for n in (3, 2, 4)
        )

    @staticmethod
    def _parse(m: re.Match[str], today: date) -> date | None:
        groups = m.groupdict()
        year_text = groups["y"]
        year = cn_number(year_text)
        day = cn_number(groups["d"])
        if groups.get("mname"):
            month: int | None = _MONTHS[groups["mname"][:3].lower()]
        else:
            month = cn_number(groups["m"])
        if year is None or month is None or day is None:
            return None
        era = groups.get("era") or ""
        if era in ("西元", "公元"):
            roc = False
        elif era:
            roc = True
        else:
            # Unmarked: four digits are AD, two or three (or Chinese numerals) are ROC.
            roc = not (year_text.isascii() and len(year_text) == 4)
        return to_date(year, month, day, roc, today)
