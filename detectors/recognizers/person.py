"""PERSON: Chinese full names, surname + honorific, and context-marked Latin-script names.

Chinese has no spaces, so "surname followed by one or two characters" alone would fire on 高雄,
林口, 許多, 陳列 … The recognizer therefore combines four data files with positional context:

- a surname lexicon in two tiers (`surnames.txt` counts with weak context; `surnames_rare.txt`,
  whose characters are everyday words such as 文 安 成, only with strong context) plus compound
  surnames (`surnames_compound.txt`, 歐陽 張簡 …) matched first;
- `surname_guards.txt`: everyday words starting with a surname character, never a name start;
- `given_name_chars.txt` / `person_stop_chars.txt`: which characters may form a given name;
- strong context: a role word (`person_roles.txt`: 檢舉人, 申請人 …), a form or list label
  (`person_labels.txt`: 姓名：, 名單：), a list layout (一、王小明 二、…), a title after the full
  name (王小明科長), or an identifier right after it (王小明 0912345678).

Scores: lexicon name with strong context ≈ 0.9; a lexicon name alone ≈ 0.6 (still reported).
A surname with a job title (王科長) is not a PERSON. The module also exposes `looks_like_name`
and `gating_signals` so an NER backend (detectors/ner/) can validate its spans and decide when
running the model is worth it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons, load_lexicon
from detectors.normalize import lower_keep_length, with_normalised
from detectors.recognizers.base import Match, TextView
from detectors.types import PERSON

SCORE_STRONG = 0.9
SCORE_HONORIFIC = 0.85
SCORE_ALONE = 0.6

# A CJK ideograph (the basic block plus extension A, where rare name characters live).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_IS_CJK = re.compile(f"[{_CJK}]")
# Digits of a phone number or an ID right after a name ("王小明 0912345678", "王小明（A123…").
_ID_OR_PHONE = r"(?:[A-Z][12ABCD89]\d{8}|0\d[\d\- ]{6,12}\d|\+886)"
# An identifier's label may stand between the name and the number ("阮氏蘭 居留證J99…",
# "王小明 手機：0912…", "Siti 的 ARC W86…").
_ID_LABEL = (
    r"(?:(?:的\s*)?(?:新式|舊式|新|舊)?(?:身分證|身份證|居留證|統一證號|護照|手機|電話|行動電話"
    r"|tel|TEL|ARC)(?:字號|號碼|統號|號)?(?:是|為)?)?"
)
_IDENT_AFTER = re.compile(
    r"[\s:：,，、(（\[]{0,3}" + _ID_LABEL + r"[\s:：]{0,2}" + _ID_OR_PHONE
)
_IDENT_ANY = re.compile(
    r"(?<![A-Za-z0-9])(?:[A-Z][12ABCD89]\d{8}|09\d{2}[\- ]?\d{3}[\- ]?\d{3})(?!\d)"
)
# List markers directly before a name: 一、 1. (1) ① - •, or the 、 between listed names.
_LIST_MARK = re.compile(
    r"(?:^|[\s:：])(?:[一二三四五六七八九十]+[、.．]|\d{1,3}[、.．)）]|[(（]\d{1,3}[)）]|[-•*‧])\s*$"
)
_LIST_LAYOUT = re.compile(
    r"(?:^|\n)\s*(?:[一二三四五六七八九十]+、|\d{1,3}[.．、)）])|名單|名冊"
    r"|[" + _CJK + r"]{2,4}、[" + _CJK + r"]{2,4}、"
)
# A Latin-script name: "John Smith", "Lin, Mei-Hua", "Walis Nokan", "CHEN Ta-wei".
# Also all capitals as passports and cards print them ("HSU MING CHE", "LIN YU-HSUAN") and
# Indigenous names with an interpunct ("Ciwas·Watan").
_LATIN_NAME = re.compile(
    r"(?:[A-Z][a-z]+|[A-Z]{2,}),\s*[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?"
    r"|(?:[A-Z][a-z]+|[A-Z]{2,})(?:[ \-][A-Z][a-z]+(?:-[A-Za-z][a-z]+)?){1,2}"
    r"|[A-Z]{2,}(?: [A-Z]{2,}(?:-[A-Z]{2,})?){1,2}"
    r"|[A-Z][a-z]+(?:[·・‧•][A-Z][a-z]+){1,2}"
)
# Distinctive without context: a romanised Taiwanese surname with a hyphenated given name in
# either order ("Chang Wei-Ting", "Wei-Ting Chang", "LIN YU-HSUAN"), or a Latin name with an
# interpunct (Indigenous names: "Ciwas·Watan"). The surname is checked against
# data/surnames_latin.txt, so "Use Wi-Fi" is not a name.
_HYPHEN_GIVEN = r"(?:[A-Z][a-z]+-[A-Za-z][a-z]+|[A-Z]{2,}-[A-Z]{2,})"
_ROMANISED = re.compile(
    r"(?<![A-Za-z])(?:(?P<s1>[A-Z][a-z]+|[A-Z]{2,}) " + _HYPHEN_GIVEN
    + r"|" + _HYPHEN_GIVEN + r" (?P<s2>[A-Z][a-z]+|[A-Z]{2,}))(?![A-Za-z\-])"
    r"|(?<![A-Za-z])[A-Z][a-z]+(?:[·・‧•][A-Z][a-z]+){1,2}(?![A-Za-z])"
)
# "Amy Chen", "Kevin Wu": an English given name (data/given_names_latin.txt) and a romanised
# Taiwanese surname — how many Taiwanese colleagues and citizens write their names in English.
_WESTERN_NAME = re.compile(r"(?<![A-Za-z])(?P<g>[A-Z][a-z]+) (?P<s>[A-Z][a-z]+)(?![A-Za-z\-])")
# A Latin name with its Chinese name in brackets: "Lawa Tanah（漢名林大山）".
_CHINESE_NAME_AFTER = re.compile(
    r"\s*[（(](?:漢名|中文名|中文姓名|漢名為)?[:：]?\s*[" + _CJK + r"]{2,4}[）)]"
)
# An identifier right before the name ("居留證號L867423709，Siti Rahayu").
_IDENT_BEFORE = re.compile(
    r"(?:[A-Za-z][12ABCDabcd89]\d{8}|[A-Za-z]{2}\d{8}|09\d{2}[\- ]?\d{3}[\- ]?\d{3})"
    r"[\s,，、:：]{1,3}$"
)
_HAS_LATIN = re.compile(r"[A-Za-z]")
# A table or tab-separated sheet with a name column: its cells are names.
_NAME_COLUMN = re.compile(r"(?:^|[|｜\t\s])(?:姓名|名字|中文姓名|Name|name|NAME)(?:[\s|｜\t]|$)")
# A Latin-script name is a person when an identifier of a person follows it closely
# ("Michael Chen 的 ARC W865710504", "Siti Rahayu 居留證 H908534963").
_PERSON_ID_AFTER = re.compile(
    r"[\s,，、]*(?:'s\s*|的\s*)?"
    r"(?:居留證|ARC|護照|passport|身分證|統一證號|電話|手機|phone|tel|生日|出生|DOB|ID\b"
    r"|[\u4e00-\u9fff]{1,4}籍)",
    re.IGNORECASE,
)
# An Indigenous name in Chinese transliteration with an interpunct: 瓦歷斯·諾幹.
_DOTTED_NAME = re.compile(f"[{_CJK}]{{1,5}}[·・‧•][{_CJK}]{{1,5}}")
# How far before a name a role word or label still counts, and what may sit between them
# ("檢舉人是王小明", "聯絡人：王小明", "申請人為 王小明").
_LINK = re.compile(r"[\s:：=,，]*(?:是|為|叫|姓名|名叫|乃|係)?[\s:：=,，]*$")
_ROLE_WINDOW = 8


def _words(name: str) -> tuple[str, ...]:
    """Lexicon entries in the form the text has after normalisation too (峰→峯, 群→羣)."""
    return with_normalised(load_lexicon(name))


@dataclass(frozen=True, slots=True)
class NameLexicons:
    """The name lexicons as sets, loaded once per process (they are shipped data, not config)."""

    surnames: frozenset[str]
    rare_surnames: frozenset[str]
    compound_surnames: frozenset[str]
    given_chars: frozenset[str]
    stop_chars: frozenset[str]
    guards: tuple[str, ...]
    given_stopwords: frozenset[str]
    honorifics: tuple[str, ...]
    titles: tuple[str, ...]
    roles: tuple[str, ...]
    labels: tuple[str, ...]
    # Everyday words that start with a surname character, generated from a word-frequency
    # dictionary (data/build_person_words.py): a candidate that is one of them needs context.
    words2: frozenset[str] = frozenset()
    word_prefixes: frozenset[str] = frozenset()
    words3: frozenset[str] = frozenset()
    word_ends: frozenset[str] = frozenset()  # 工程, 課程, 主張: the surname character ends a word


@lru_cache(maxsize=1)
def name_lexicons() -> NameLexicons:
    by_len = lambda ws: tuple(sorted(ws, key=len, reverse=True))  # noqa: E731
    return NameLexicons(
        surnames=frozenset(_words("surnames")),
        rare_surnames=frozenset(_words("surnames_rare")),
        compound_surnames=frozenset(_words("surnames_compound")),
        given_chars=frozenset(_words("given_name_chars")),
        stop_chars=frozenset(_words("person_stop_chars")),
        guards=by_len(_words("surname_guards")),
        given_stopwords=frozenset(_words("person_given_stopwords")),
        honorifics=by_len(_words("person_honorifics")),
        titles=by_len(_words("person_titles")),
        roles=by_len(_words("person_roles")),
        labels=by_len(_words("person_labels")),
        words2=frozenset(_words("person_word_2")),
        word_prefixes=frozenset(_words("person_word_prefix")),
        words3=frozenset(_words("person_word_3")),
        word_ends=frozenset(_words("person_word_end")),
    )


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(candidate starts, role/label words, titles) compiled once."""
    lex = name_lexicons()
    singles = "".join(sorted(lex.surnames | lex.rare_surnames))
    compounds = _alternation(tuple(lex.compound_surnames))
    start = re.compile(f"(?:{compounds})|[{re.escape(singles)}]")
    # Lower-cased words, searched in lower-cased text: IGNORECASE alternations are slow in `re`.
    cue = re.compile(_alternation(tuple(w.lower() for w in lex.roles + lex.labels)))
    titles = re.compile(_alternation(lex.titles))
    return start, cue, titles


# -- helpers an NER backend can use --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameSignals:
    """Cheap message-level signals that make a name sensitive (the NER gate uses them)."""

    role_word: bool
    identifier: bool
    list_layout: bool

    @property
    def any(self) -> bool:
        return self.role_word or self.identifier or self.list_layout


def gating_signals(text: str) -> NameSignals:
    """Whether the text holds a role word or label, an identifier, or a list of names."""
    _, cue, _ = _patterns()
    return NameSignals(
        role_word=cue.search(text.lower()) is not None,
        identifier=_IDENT_ANY.search(text) is not None,
        list_layout=_LIST_LAYOUT.search(text) is not None,
    )


def split_surname(span: str) -> tuple[str, str] | None:
    """(surname, given name) when `span` starts with a lexicon surname, else None."""
    lex = name_lexicons()
    if span[:2] in lex.compound_surnames and len(span) >= 3:
        return span[:2], span[2:]
    if span[:1] in lex.surnames or span[:1] in lex.rare_surnames:
        return span[:1], span[1:]
    return None


def looks_like_name(span: str, strong_context: bool = False) -> bool:
    """Whether `span` is plausibly a person's name (Chinese with a lexicon surname, or Latin).

    NER backends use it to drop model output such as 高雄 or 王科長; with `strong_context`
    (a role word or label next to it) rarer surnames and given-name characters are allowed.
    """
    span = span.strip()
    if _LATIN_NAME.fullmatch(span) or _DOTTED_NAME.fullmatch(span):
        return True
    parts = split_surname(span)
    if parts is None:
        return False
    surname, given = parts
    lex = name_lexicons()
    if any(span.startswith(h, len(surname)) for h in lex.honorifics) and len(given) == 2:
        return True
    if not 1 <= len(given) <= 2 or not all(_IS_CJK.match(c) for c in given):
        return False
    if _is_guarded(span, 0) or _title_at(span, len(surname)):
        return False
    if any(c in lex.stop_chars for c in given) or given in lex.given_stopwords:
        return False
    if strong_context:
        return True
    if surname in lex.rare_surnames:
        return False
    return all(c in lex.given_chars for c in given)


@lru_cache(maxsize=1)
def _guards_by_char() -> dict[str, tuple[str, ...]]:
    """Guards indexed by their first character: a candidate checks a handful, not hundreds."""
    out: dict[str, list[str]] = {}
    for g in name_lexicons().guards:
        out.setdefault(g[0], []).append(g)
    return {k: tuple(v) for k, v in out.items()}


def _is_guarded(text: str, pos: int) -> bool:
    if pos >= len(text):
        return False
    return any(text.startswith(g, pos) for g in _guards_by_char().get(text[pos], ()))


def _title_at(text: str, pos: int) -> str | None:
    _, _, titles = _patterns()
    m = titles.match(text, pos)
    return m.group(0) if m else None


@lru_cache(maxsize=1)
def _latin_cues() -> frozenset[str]:
    """Role words and labels written in Latin letters (applicant, client, name …), lower-cased:
    a capitalised one at the head of a Latin name span is the cue, not part of the name."""
    lex = name_lexicons()
    return frozenset(w.lower().rstrip(".:") for w in (*lex.roles, *lex.labels) if w.isascii())


@lru_cache(maxsize=1)
def _latin_given_names() -> frozenset[str]:
    return frozenset(load_lexicon("given_names_latin"))


@lru_cache(maxsize=1)
def _latin_surnames() -> frozenset[str]:
    return frozenset(w.lower() for w in load_lexicon("surnames_latin"))


def is_everyday_word(span: str) -> bool:
    """Whether a name-shaped span is an everyday word (時間, 高考, 麥克風, 關鍵基…)."""
    lex = name_lexicons()
    if len(span) == 2:
        return span in lex.words2
    if len(span) == 3:
        return span in lex.words3 or span[:2] in lex.word_prefixes
    return False


# A company, not a person: 安達營造, 宏碩科技, 昱晟資訊, 大禹環保 — the name of a firm is
# often two or three characters that look like a given name, followed by its trade.
_COMPANY_AFTER = re.compile(
    r"(?:營造|工程|科技|資訊|系統|實業|企業|建設|顧問(?=公司|有限|股份|社)|環保|環工|數位|電子|電機"
    r"|機電|開發|物流"
    r"|貿易|生技|醫材|保全|清潔|印刷|設計|國際|股份|有限公司|公司|事務所|工作室|行號|商行)"
)
# A place or facility named like a person: 曾文水庫, 王功漁港, 林口國小, 陳家古厝.
_PLACE_AFTER = re.compile(
    r"(?:庫|港|橋|寺|宮|廟|溪|潭|國小|國中|高中|醫院|公園|車站|夜市|老街|大樓|社區|古厝)"
)
# Stop characters that real given names use (陳福來, 王萬得, 林千惠): allowed when an ID or
# phone number follows the name, which settles that it is one.
_NAME_CAPABLE_STOPS = frozenset("來萬千才")
# A street name, not a person: 林森北路, 中正路, 仁愛街 — unless the 路 starts a word (路過).
_ROAD_AFTER = re.compile(r"(?:路|街|大道)(?!過|上|邊|人|旁|程|線|況|途|費)")


# -- the recognizer ------------------------------------------------------------------------


class PersonRecognizer:
    """Finds personal names with a precompiled surname regex, guards and positional context."""

    name = "person"
    entity_types = (PERSON,)
    context = None

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self._config = config
        self._lex = name_lexicons()
        self._start, self._cue, self._titles = _patterns()
        self._titles_end = re.compile(f"(?:{self._titles.pattern})$")

    # context ---------------------------------------------------------------------------

    def _cue_before(self, text: str, pos: int) -> bool:
        """A role word or label ends just before `pos` (only linking words in between)."""
        left = text[max(0, pos - _ROLE_WINDOW - 6) : pos].lower()
        for m in self._cue.finditer(left):
            if _LINK.fullmatch(left[m.end() :]) and len(left) - m.end() <= _ROLE_WINDOW:
                return True
        return False

    def _title_before(self, text: str, pos: int) -> bool:
        """A job title right before the name (市長蔣萬安, 志工張阿花) — unless a surname stands
        before the title, which makes "王科長" the person and this the next word."""
        m = self._titles_end.search(text, max(0, pos - 6), pos)
        if m is None:
            return False
        before = text[m.start() - 1] if m.start() > 0 else ""
        return before not in self._lex.surnames and before not in self._lex.rare_surnames

    def _list_before(self, text: str, pos: int) -> bool:
        left = text[max(0, pos - 6) : pos]
        if _LIST_MARK.search(left):
            return True
        if left.rstrip(" \t").endswith(("|", "｜", "\t")) and _NAME_COLUMN.search(text):
            return True  # a cell of a table whose header has a name column (| 姓名 | …)
        # "王小明、李大華": the 、 between names of a list.
        return left.endswith(("、", "及", "和")) and self._name_ends_at(text, pos - 1)

    def _name_ends_at(self, text: str, pos: int) -> bool:
        for length in (3, 2, 4):
            s = pos - length
            if s >= 0 and split_surname(text[s:pos]) and looks_like_name(text[s:pos]):
                return True
        return False

    def _strong_after(self, text: str, end: int) -> bool:
        """A title, an honorific or an identifier right after the name."""
        if self._titles.match(text, end):
            return True
        if any(text.startswith(h, end) for h in self._lex.honorifics):
            return True
        if _IDENT_AFTER.match(text, end):
            return True
        return text.startswith(("、", "及", "和", "與"), end) and self._name_follows(text, end + 1)

    def _name_follows(self, text: str, pos: int) -> bool:
        nxt = text[pos : pos + 3]
        return len(nxt) >= 2 and split_surname(nxt) is not None and looks_like_name(nxt)

    @staticmethod
    def _bounded_left(text: str, pos: int) -> bool:
        return pos == 0 or not _IS_CJK.match(text[pos - 1])

    def _bounded_right(self, text: str, end: int) -> bool:
        if end >= len(text) or not _IS_CJK.match(text[end]):
            return True
        return text[end] in ("說", "的", "與", "和", "跟", "及", "等", "先", "今", "昨", "已", "於")

    # candidates ------------------------------------------------------------------------

    def _candidate(self, text: str, pos: int, surname: str) -> Match | None:
        lex = self._lex
        after = pos + len(surname)
        rare = surname in lex.rare_surnames
        if _is_guarded(text, pos):
            return None
        if pos > 0 and text[pos - 1] == surname[0]:
            return None  # 謝謝大家, 常常: a doubled character is a word, not a surname
        strong_before = (
            self._cue_before(text, pos)
            or self._list_before(text, pos)
            or self._title_before(text, pos)
        )
        if rare and not strong_before and not self._bounded_left(text, pos):
            return None  # 居留證, 公司夜班: an everyday-word surname inside a word
        for hon in lex.honorifics:
            if text.startswith(hon, after):
                return Match(
                    PERSON,
                    pos,
                    after + len(hon),
                    SCORE_HONORIFIC,
                    self.name,
                    "surname with honorific",
                    value=text[pos : after + len(hon)],
                )
        if self._titles.match(text, after):
            return None  # 王科長: a surname with a job title is not a person on its own
        if (
            pos > 0
            and self._titles.match(text, pos - 1)
            and text[pos - 2 : pos - 1] in (lex.surnames | lex.rare_surnames)
        ):
            return None  # the 任 of 楊主任 is the title's tail, not a new surname
        # Context that names a person outright (a role word or label, a title before the name)
        # outweighs the everyday-word check; a list marker alone does not (1. 時間：…).
        # (A title before the name does not outweigh it: 校長言語霸凌 is not 校長 + 言語霸.)
        named = self._cue_before(text, pos)
        if not named and len(surname) == 1 and text[pos - 1 : pos + 1] in lex.word_ends:
            return None  # 工程師, 課程表: the surname character closes the word before it
        for given_len in (2, 1):
            end = after + given_len
            given = text[after:end]
            if len(given) < given_len or not all(_IS_CJK.match(c) for c in given):
                continue
            if given in lex.given_stopwords or any(
                c in lex.stop_chars
                and not (c in _NAME_CAPABLE_STOPS and _IDENT_AFTER.match(text, end))
                for c in given
            ):
                continue
            if (
                _ROAD_AFTER.match(text, end)
                or _COMPANY_AFTER.match(text, end)
                or _PLACE_AFTER.match(text, end)
            ):
                continue  # 林森北路, 安達營造: a street or a firm named like a person
            strong_after = self._strong_after(text, end)
            # 高考, 申訴, 時間: a two-character dictionary word is a word even after a label
            # (公務人員高考); a three-character candidate only yields to a role word or title.
            if (
                len(surname) == 1
                and not strong_after
                and (given_len == 1 or not named)
                and is_everyday_word(text[pos:end])
            ):
                continue
            strong = strong_before or strong_after
            usual = all(c in lex.given_chars for c in given)
            bounded_right = self._bounded_right(text, end)
            if given_len == 1 and not bounded_right:
                continue  # 2-char names only when something clearly ends them
            if strong and (bounded_right or given_len == 2 or strong_after):
                end = self._married_name_end(text, pos, end, strong=True)
                return Match(
                    PERSON,
                    pos,
                    end,
                    SCORE_STRONG,
                    self.name,
                    "surname lexicon with strong context",
                    value=text[pos:end],
                )
            if rare or not usual:
                continue
            if given_len == 2 or self._bounded_left(text, pos):
                end = self._married_name_end(text, pos, end, strong=False)
                return Match(
                    PERSON,
                    pos,
                    end,
                    SCORE_ALONE,
                    self.name,
                    "surname lexicon and given-name characters",
                    value=text[pos:end],
                )
        return None

    def _married_name_end(self, text: str, pos: int, end: int, strong: bool) -> int:
        """Extend 謝陳秀 to 謝陳秀琴: a married woman's name puts her husband's surname before
        her own (謝 + 陳秀琴), four characters. Only when the second character is a common
        surname, a fourth given-name character follows and the name is clearly ended."""
        lex = self._lex
        if end - pos != 3 or text[pos + 1] not in lex.surnames or end >= len(text):
            return end
        nxt = text[end]
        if not _IS_CJK.match(nxt) or nxt in lex.stop_chars:
            return end
        if nxt not in lex.given_chars or self._titles.match(text, end):
            return end
        if not strong and not self._bounded_right(text, end + 1):
            return end  # without context only a clearly ended name (…，廖林阿桃，…) is stretched
        return end + 1

    def _latin_names(self, text: str) -> list[Match]:
        """Latin-script or dotted Indigenous names, only right after a role word or label or
        right before a personal identifier."""
        out: list[Match] = []

        def add(nm: re.Match[str], reason: str) -> None:
            start, value = nm.start(), nm.group(0)
            head, _, rest = value.partition(" ")
            if rest and head.lower() in _latin_cues():
                start, value = start + len(head) + 1, rest  # "Applicant Hsiao Ya-Hui"
            out.append(
                Match(PERSON, start, start + len(value), SCORE_STRONG, self.name, reason,
                      value=value)
            )

        for nm in _LATIN_NAME.finditer(text):
            if _PERSON_ID_AFTER.match(text, nm.end()):
                add(nm, "name in Latin script before a personal identifier")
            elif _IDENT_BEFORE.search(text, max(0, nm.start() - 16), nm.start()):
                add(nm, "name in Latin script right after a personal identifier")
            elif _CHINESE_NAME_AFTER.match(text, nm.end()):
                add(nm, "name in Latin script with its Chinese name")
        latin_surnames = _latin_surnames()
        given_names = _latin_given_names()
        for nm in _WESTERN_NAME.finditer(text):
            if nm.group("g") in given_names and nm.group("s").lower() in latin_surnames:
                add(nm, "English given name with a romanised Taiwanese surname")
        for nm in _ROMANISED.finditer(text):
            surname = nm.group("s1") or nm.group("s2")
            if surname is None or surname.lower() in latin_surnames:
                add(nm, "romanised Taiwanese name (surname with hyphenated given name)")
        for m in self._cue.finditer(lower_keep_length(text)):
            tail = text[m.end() : m.end() + 40]
            link = re.match(r"[\s:：=,，]*(?:是|為)?[\s:：=]*", tail)
            offset = m.end() + (link.end() if link else 0)
            for pat in (_LATIN_NAME, _DOTTED_NAME):
                nm = pat.match(text, offset)
                if nm:
                    out.append(
                        Match(
                            PERSON,
                            nm.start(),
                            nm.end(),
                            SCORE_STRONG,
                            self.name,
                            "name in Latin script after a role word or label",
                            value=nm.group(0),
                        )
                    )
                    break
        # Several of the paths above may find the same name: report each span once.
        return list({(m.start, m.end): m for m in out}.values())

    def analyze(self, view: TextView) -> list[Match]:
        text = view.text
        out: list[Match] = []
        pos = 0
        while True:
            m = self._start.search(text, pos)
            if m is None:
                break
            cand = self._candidate(text, m.start(), m.group(0))
            if cand is None and len(m.group(0)) == 2:
                # 歐陽 failed as a compound: 歐 alone may still start a name.
                cand = self._candidate(text, m.start(), m.group(0)[0])
            if cand is not None:
                out.append(cand)
                pos = cand.end
            else:
                pos = m.start() + 1
        if _HAS_LATIN.search(text):
            out.extend(self._latin_names(text))
        return out
