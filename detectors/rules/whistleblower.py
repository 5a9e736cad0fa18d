"""whistleblower: a message that reveals or narrows down who complained or informed.

Anchors (what points at a complainant):

- role words (`whistleblower_roles.txt`: 檢舉人, 陳情人, 線民, complainant …), but not in a
  budget or admin compound (`whistleblower_admin.txt`: 線民費核銷, 報案人保護);
- spoken forms built from a complaint verb (`whistleblower_verbs.txt`) and 的: the identity
  statement "檢舉噪音的（其實就）是…", the role phrase "爆料的人 / 申訴的那位", the answer
  "是誰檢舉的？聽說是…", "檢舉的不是我們，是…", and the passive "被自己的會計檢舉的"
  (報案 counts: "報案的是…"; a demonstrative may precede the noun: "陳情的那個太太");
  complaint channels (`whistleblower_channels.txt`: 1999, 市長信箱) work like a verb;
- a named person as the subject of a complaint verb ("李志明君來電檢舉", "是吳女士陳情的");
- the English phrase "the person who reported / complained …".

Around an anchor the rule looks for what identifies the person: a name, a contact detail or an
identifier, a nickname (線民阿土最近…, 大家都叫他阿海, everyone calls him …), a narrowing
descriptor (`whistleblower_narrowing.txt`, `whistleblower_people.txt`: 同棟鄰居, 夜班組長, 二廚,
住戶, English "sits in", "runs the" …; by pattern: units such as 稽徵科的人 or 人事室兩個人,
surname-plus-kin forms such as 陳姐, trades such as 賣彩券的, a nickname after 的, a home down to
the floor or door such as 住…那排大樓12樓), a description before 是 before the anchor (那位阿伯
就是…陳情的人), or the forwarded complaint itself with its source (`whistleblower_forward.txt`:
檢舉信, 黑函, 寄件人 …; `whistleblower_source.txt`: 寄件, 筆跡, 郵戳, the complaint's own
"我是…"). An identification statement (`whistleblower_identification.txt`: 一看就知道是誰, he
will figure out who; "八成是她") next to a complaint and a description says the description
identifies the complainant ("提到的數字只有秘書室兩個人看過，八成是她").

Not an incident: procedure talk with nothing that points at a person (檢舉人身分應保密,
`whistleblower_procedure.txt`), hypothetical or general talk (「如果」檢舉人要求保密,
`whistleblower_generic.txt`), a complaint verb used as a noun (林志強檢舉案) or with a
subject that makes its complement what was reported (民眾陳情的是路口號誌), and training
material or news without a checksum-valid identifier (the shared benign-cue test; a cue inside
the description of the person, "檢舉人就是上過報導的那位退休老師", is not framing). Procedure
words do not cancel an explicit identity statement: "檢舉人是誰不能說，她就住工廠後面" reveals.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.normalize import lower_keep_length, with_normalised
from detectors.recognizers.base import Match
from detectors.rules.base import KeywordHit, RuleInput
from detectors.rules.support import BENIGN_LEXICON, clean_hits, is_benign, near, rule_match
from detectors.types import (
    ADDRESS,
    BIRTHDATE,
    CONTACT_DETAILS,
    EMAIL,
    PERSON,
    PHONE,
    STRONG_IDENTIFIERS,
    TW_NATIONAL_ID,
    TW_NHI_CARD,
    TW_PASSPORT,
    TW_RESIDENT_ID,
    WHISTLEBLOWER,
)

# Lexicons matched by the keyword stage (spaCy hits).
ROLES = "whistleblower_roles"
NARROWING = "whistleblower_narrowing"
PROCEDURE = "whistleblower_procedure"
FORWARD = "whistleblower_forward"
VERBS = "whistleblower_verbs"
CHANNELS = "whistleblower_channels"
# Lexicons compiled into the rule's own patterns (never handed to spaCy).
PEOPLE = "whistleblower_people"
HEDGES = "whistleblower_hedges"
GENERIC = "whistleblower_generic"
OBJECTS = "whistleblower_objects"
MANNER = "whistleblower_manner"
SUBJECTS = "whistleblower_subjects"
ADDRESSEES = "whistleblower_addressees"
UNITS = "whistleblower_units"
KIN = "whistleblower_kin"
SOURCE = "whistleblower_source"
ROLE_NOUNS = "whistleblower_role_nouns"
TRADES = "whistleblower_trades"
OFFICIAL_VERBS = "whistleblower_official_verbs"
AGENCIES = "whistleblower_agencies"
ADMIN = "whistleblower_admin"
IDENTIFICATION = "whistleblower_identification"
POINTING = "whistleblower_pointing"
KNOWLEDGE = "whistleblower_knowledge"
NAMING = "whistleblower_naming"
NAME_FOLLOWERS = "whistleblower_name_followers"
DWELLINGS = "whistleblower_dwellings"
ENGLISH_DESCRIPTORS = "whistleblower_english_descriptors"

# Anchor kinds that are not lexicon words.
SPOKEN = "spoken form"  # "檢舉…的（其實）是": an identity statement
PHRASE = "role phrase"  # "爆料的人", "申訴的那位": a role noun built from a verb
PASSIVE = "passive form"  # "被櫃台小姐檢舉的": the agent inside the anchor is the complainant
ENGLISH = "english phrase"  # "the person who reported it …"
SUBJECT = "named subject"  # "李志明君來電檢舉": a named person complained
PATTERN = "narrowing pattern"  # units, surname + kin, nickname after 的 (found by regex)
STATEMENT = "identification statement"  # "一看就知道是誰", "等於就是她", "only she can see …"

# Punctuation that ends a clause or a sentence.
_CLAUSE = "。！？!?\n，,；;"
_NOT_CLAUSE_END = f"[^{_CLAUSE}]"
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_CLAUSE_END = re.compile(f"[{_CLAUSE}]")
# 是 as a copula of identity, not 是誰 / 是否 / 但是 / 還是 / 不是.
_COPULA = r"(?:(?<![但還可於總凡要若不])是(?!誰|哪|什麼|甚麼|否|不是)|(?<![關聯])係(?!指)|乃)"
# A date or time between a name and its verb: "吳女士於8月3日陳情", "王先生10/2上午來電檢舉".
_DATE = r"於?[0-9一二三四五六七八九十年月日號/.\-上下午晚早時點]{2,12}"
# Where a nickname or surname-with-kin form ends: 阿龍說, 陳姐, 小美😂 (the next character is
# not part of a longer word), or a word of `whistleblower_name_followers.txt` (阿土最近…).
_NAME_END_CHARS = r"說|講|表示|的|是|在|他|她|今|明|昨|也|那|就|都|[^\u4e00-\u9fff]|$"
# A nickname: what colleagues call the person is as identifying as the name (not 阿姨, 老師,
# 小孩, 小組, 老是, 小時, 老實, 老早, 老家).
_NICKNAME_CHARS = (
    r"(?:阿|老|小)(?![姨伯公嬤媽婆爸舅嬸姑師闆人孩朋弟妹姐哥心組時是額型實早家地])[\u4e00-\u9fff]"
)
# A floor written as a number: 12樓, 七樓, 3F, 5樓之2.
_NUMBER = r"(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})"
_FLOOR = rf"{_NUMBER}\s?(?:樓|F)(?:之{_NUMBER})?"
# 住 as "to live" (not 記住, 忍不住, 住院, 住宿), or someone's 家在 (not 大家在, 店家在).
_LIVE = (
    r"(?:住(?<![記抓忍頂站保撐擋止停困圍包卡按穩捉守留咬憋禁挺罩纏釘綁扣拉握]住)(?![院宿手口持])"
    r"|家(?<![大全國專作商店廠買賣玩行自回娘婆親管東莊業藝畫名]家)就?在)"
)
# "the person who reported …": an English spoken anchor.
_ENGLISH_PHRASE = re.compile(
    r"\b(?:the\s+)?(?:person|one|guy|lady|woman|man|people|staff|employee|colleague)\s+who\s+"
    r"(?:reported|complained|filed|tipped|blew\s+the\s+whistle|called\s+in|leaked)\b",
    re.IGNORECASE,
)
# Forwarded complaints that carry their sender: with a name or contact detail they reveal them.
_FORWARD_ANCHOR = re.compile(
    r"檢舉|陳情|投訴|申訴|匿名|署名|具名|黑函|complaint|anonymous|tip", re.IGNORECASE
)
# Public channels, not a forwarded complaint: 檢舉信箱 holds 檢舉信.
_CHANNELS = ("檢舉信箱", "陳情信箱", "檢舉專線", "陳情專線", "投訴信箱", "申訴信箱")
# What a forwarded complaint reveals about its sender. A card, bank account or licence plate in
# a complaint is what it reports (貼在陳情信裡的卡號, 檢舉的車牌), not who sent it.
SENDER_DETAILS = frozenset(
    {PERSON, PHONE, EMAIL, ADDRESS, BIRTHDATE}
    | {TW_NATIONAL_ID, TW_RESIDENT_ID, TW_PASSPORT, TW_NHI_CARD}
)
# Identifying details count this far after the anchor (a sentence) and a little before it
# ("林先生是這次的檢舉人").
WINDOW_AFTER = 45
WINDOW_BEFORE = 15
# What people call the person counts this far after the anchor, in its sentence.
NAMING_AFTER = 80
# A narrowing word must be closer: it describes the person the role word names.
NARROW_AFTER = 30
NARROW_BEFORE = 6
# "那位阿伯就是…陳情的人": a description before the anchor, linked by 是, counts this far.
REVERSED_BEFORE = 15
# An identification statement counts this far from a complaint ("申訴書…只有秘書室兩個人知道，
# 等於就是她"), and a description this far around both.
STATEMENT_WINDOW = 80
STATEMENT_CONTEXT = 10
# The clause around an anchor searched for hypothetical or general words.
GENERIC_WINDOW = 12
IDENTIFYING = CONTACT_DETAILS | STRONG_IDENTIFIERS | {PERSON}


def _words(lexicons: Lexicons, name: str) -> tuple[str, ...]:
    """Lexicon words plus their normalised forms (the rule matches normalised text)."""
    return with_normalised(lexicons.words(name))


def _inside_any(text: str, start: int, end: int, words: Sequence[str]) -> bool:
    """Whether [start, end) lies inside an occurrence of one of `words` (the configuration's
    `keyword_exceptions`, as `clean_hits` applies them to spaCy hits)."""
    for word in words:
        pos = text.find(word, max(0, end - len(word)))
        while 0 <= pos <= start:
            if pos + len(word) >= end:
                return True
            pos = text.find(word, pos + 1)
    return False


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _word_branches(words: Iterable[str], suffix: str = "") -> str:
    """An alternation whose branches all begin with a literal: the regex engine then skips to
    the characters a branch can start with, instead of trying every branch at every position
    (a leading lookbehind or group would prevent that). ASCII words must not run on into more
    letters; their left edge is checked by `_finditer_words`."""
    return "|".join(
        re.escape(w) + (r"(?![a-z])" if w.isascii() else "") + suffix
        for w in sorted(set(words), key=len, reverse=True)
    )


def _glued_left(text: str, m: re.Match[str]) -> bool:
    """An ASCII match glued to a letter or digit on its left ("team" in "steam")."""
    start = m.start()
    if start == 0 or not text[start].isascii():
        return False
    before = text[start - 1]
    return before.isascii() and before.isalnum()


def _finditer_words(pattern: re.Pattern[str], text: str) -> Iterable[re.Match[str]]:
    """`pattern.finditer(text)` without the ASCII matches glued to a letter on their left; a
    rejected match is retried one character later, as a lookbehind would."""
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        if _glued_left(text, m):
            pos = m.start() + 1
            continue
        yield m
        pos = max(m.end(), m.start() + 1)


_ANCHOR_LEXICONS = (ROLES, FORWARD, VERBS, CHANNELS)


class _Spans:
    """Hits or entities sorted by start, for `near` over a window in O(log n + k): a long
    message with thousands of role words must not cost anchors × hits."""

    def __init__(self, items: Iterable[KeywordHit | Match]) -> None:
        self.items: Sequence[KeywordHit | Match] = sorted(items, key=lambda o: o.start)
        self._starts = [o.start for o in self.items]
        self._longest = max((o.end - o.start for o in self.items), default=0)

    def __bool__(self) -> bool:
        return bool(self.items)

    def window(self, start: int, end: int) -> Sequence[KeywordHit | Match]:
        """Items that may overlap [start, end)."""
        lo = bisect_left(self._starts, start - self._longest)
        hi = bisect_right(self._starts, end)
        return self.items[lo:hi]

    def near(self, anchor: KeywordHit, before: int, after: int) -> list[KeywordHit | Match]:
        return near(anchor, self.window(anchor.start - before, anchor.end + after), before, after)


class WhistleblowerRule:
    """Reports a complainant's role word next to something that identifies them."""

    name = "whistleblower"
    category = WHISTLEBLOWER
    # PEOPLE is not here: it is a long list of common words (先生, 老師, 員工), and only messages
    # with an anchor need it, so the rule searches it itself (see `_people`).
    lexicons = (ROLES, NARROWING, PROCEDURE, FORWARD, VERBS, CHANNELS, BENIGN_LEXICON)
    anchors = _ANCHOR_LEXICONS

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self._lexicons = lexicons
        name_end = rf"(?=(?:{_alternation(_words(lexicons, NAME_FOLLOWERS))}|{_NAME_END_CHARS}))"
        # A nickname right after the role word (線民阿龍說…, 檢舉人是老張, 線民阿土最近…).
        self._nickname = re.compile(
            r"[\s:：,，]*(?:是|叫|綽號|外號)?\s*" + _NICKNAME_CHARS + name_end
        )
        # Budget and admin compounds of a role word (線民費核銷): no person.
        self._admin = re.compile(_alternation(_words(lexicons, ADMIN)))
        cjk_verbs = [w for w in _words(lexicons, VERBS) if not w.isascii()]
        verb = _alternation((*cjk_verbs, *_words(lexicons, CHANNELS)))
        # Nouns that make "VERB…的" a person: 的人 (not 人數, 人員), 的民眾, 的那位, 的阿姨.
        # A demonstrative may stand before the noun: 陳情的那個太太, 來陳情的那兩位.
        nouns = _alternation(_words(lexicons, ROLE_NOUNS))
        role_noun = rf"(?:(?:那個|這個)?(?:人(?![數員次力手])|{nouns}))"
        hedge = f"(?:{_alternation(_words(lexicons, HEDGES))})"
        copula = rf"{hedge}{{0,3}}{_COPULA}"
        # "檢舉那間工廠的（，）其實就是…", "打電話來檢舉的那位是…", "爆料的人…", "是誰檢舉的？
        # 聽說是…", "檢舉的不是我們，是…". Not after 被/遭 (被檢舉的 is the accused).
        # (The 被/遭 test is in `_spoken_anchors`: a leading lookbehind would slow the search.)
        self._spoken = re.compile(
            rf"(?:{verb}){_NOT_CLAUSE_END}{{0,14}}?的"
            rf"(?:(?P<noun>{role_noun})(?P<cop1>\s?{copula})?"
            rf"|(?P<cop2>\s?[，,？?]?\s?{copula})"
            rf"|(?P<cop3>(?:那個|這個)\s?{copula})"
            rf"|(?P<neg>{role_noun}?\s?不是{_NOT_CLAUSE_END}{{1,10}}?[，,]\s?(?:而)?{copula}))"
        )
        self._verb = re.compile(verb)
        # The passive: 被他們自己的櫃台小姐檢舉的 names who complained.
        self._passive = re.compile(rf"被{_NOT_CLAUSE_END}{{1,15}}?(?:{verb})(?:的|了)")
        # A subject right before the verb: "民眾陳情的是…" says what was reported.
        self._subject_before = re.compile(
            rf"(?:{_alternation(_words(lexicons, SUBJECTS))})"
            r"(?:一直|又|也|都|曾|常常|常|再|還|有|已經|就|來|去|跑來|跑去|打電話|上網|寫信){0,2}"
            r"\s?$"
        )
        self._addressee = frozenset(w for w in _words(lexicons, ADDRESSEES) if len(w) == 1)
        # A named person, then how and when, then the verb: "李志明君來電檢舉", "吳淑慧女士陳情的",
        # "王小明昨天向環保局檢舉". Not a verb used as a noun (林志強檢舉案).
        official = set(_words(lexicons, OFFICIAL_VERBS))
        self._citizen_verbs = frozenset(w for w in cjk_verbs if w not in official)
        citizen_verb = _alternation(self._citizen_verbs)
        honorifics = (*_words(lexicons, "person_honorifics"), "君")
        manner = _alternation(_words(lexicons, MANNER))
        agency = _alternation(_words(lexicons, AGENCIES))
        self._person_verb = re.compile(
            rf"\s?(?:{_alternation(honorifics)})?\s?(?:[（(][^）)]{{0,6}}[）)])?"
            rf"(?:{manner}|[向到去跟給][^\s{_CLAUSE}、]{{0,6}}?(?:{agency})|{_DATE}){{0,3}}"
            rf"(?P<verb>{citizen_verb})(?!{_alternation(_words(lexicons, OBJECTS))})"
        )
        # "那位阿伯就是…陳情的人": a description before the anchor linked by 是.
        self._copula_before = re.compile(rf"{hedge}{{0,2}}{_COPULA}{_NOT_CLAUSE_END}{{0,12}}$")
        # 是 (or a pronoun with 住/是/在) between a role word and a description: an explicit
        # identity statement, which procedure words around it do not cancel.
        self._identity = re.compile(rf"{copula}|[他她]{hedge}{{0,2}}(?:住|是|在|當|做)")
        self._generic = re.compile(_alternation(_words(lexicons, GENERIC)))
        source = _alternation(_words(lexicons, SOURCE))
        self._source = re.compile(source)
        # What says the complainant can be worked out: a phrase ("一看就知道是誰", "the manager
        # will figure out who") or a certain pointing at one person ("等於就是她", "八成是他寫的").
        # Searched in lower-cased text.
        pointed = (
            rf"{hedge}{{0,2}}是[她他](?![們])(?=[{_CLAUSE}\s啦吧了嘛啊耶喔哦.]|$|{verb}|{source})"
        )
        self._identification = re.compile(
            _word_branches(_words(lexicons, IDENTIFICATION))
            + f"|{_word_branches(_words(lexicons, POINTING), pointed)}"
        )
        # "只有…看得到", "only the payroll clerk could see": only a few could know what the
        # complaint says. A description for an identification statement, not alone (who may
        # read a complaint file is procedure).
        knowledge = _words(lexicons, KNOWLEDGE)
        self._knowledge = re.compile(
            rf"只有[^{_CLAUSE}]{{1,14}}?(?:{_alternation(w for w in knowledge if not w.isascii())})"
            r"|only\s+(?:[a-z0-9'-]{1,20}\s+){0,4}?"
            rf"(?:{_alternation(w for w in knowledge if w.isascii())})(?![a-z])"
        )
        # 是 right after a role word: what follows in its clause describes the person.
        self._statement_start = re.compile(rf"\s?{copula}")
        # Narrowing patterns: a unit (稽徵科的人, IT 組的, 採購科那個), a surname with a kin word
        # (陳姐, 王哥說), a nickname after 的 (戶政的小美).
        units = _alternation(_words(lexicons, UNITS))
        surnames = _words(lexicons, "surnames")
        singles = {s for s in surnames if len(s) == 1}
        compounds = _alternation((*_words(lexicons, "surnames_compound"), *singles))
        kin = _alternation(_words(lexicons, KIN))
        # English descriptions (sits in, runs the …) are searched with the people words: one pass.
        people = (*_words(lexicons, PEOPLE), *_words(lexicons, ENGLISH_DESCRIPTORS))
        self._people = re.compile(_word_branches(w.lower() for w in people))
        self._people_exceptions = self._lexicons.exceptions(PEOPLE)
        # What people call the person: "大家都叫他阿海", "everyone calls him 阿龍", "goes by
        # Tiger". Naming words as written and capitalised: no IGNORECASE, which would keep the
        # engine from skipping to the words' first characters.
        naming = _alternation(w for n in _words(lexicons, NAMING) for w in (n, n.capitalize()))
        self._naming = re.compile(
            rf"(?:{naming})\s?[「\"'“]?(?:{_NICKNAME_CHARS}{name_end}|[A-Z][a-z]{{1,15}}(?![a-z]))"
        )
        self._narrow_patterns = (
            # … or a count of its people: 人事室兩個人, 會計室三位.
            re.compile(
                rf"(?:{units})(?=\s?(?:的|那|裡的|唯一|只有|[兩二三四五六七八九十幾0-9][個位名]))"
            ),
            re.compile(rf"(?:{compounds})(?:{kin}){name_end}"),
            # A nickname after 的 / 是 further on: "就是戶政的小美".
            re.compile(r"[的是]\s?(?P<hit>" + _NICKNAME_CHARS + f"){name_end}"),
            # Where the person lives, down to the building, floor or door: "住市場旁那排透天的
            # 三樓", "住我們樓上5樓之2", "住在公園旁的透天".
            re.compile(
                rf"{_LIVE}在?[^{_CLAUSE}]{{0,14}}?"
                rf"(?:{_FLOOR}|{_alternation(_words(lexicons, DWELLINGS))})"
            ),
            # A trade: "賣彩券的", "修腳踏車的那個" (not "做什麼的", not "開會的").
            re.compile(
                rf"(?:{_alternation(_words(lexicons, TRADES))})"
                rf"(?!什麼|甚麼|啥|哪|會|完|好|過|錯|到|掉)[^\s{_CLAUSE}的]{{1,5}}的"
                rf"(?=[{_CLAUSE}\s]|$|那|人|老闆|阿|先生|小姐|太太)"
            ),
        )

    # -- anchors ---------------------------------------------------------------------------

    def _anchors(self, data: RuleInput) -> list[KeywordHit]:
        text = data.view.text
        anchors = [
            h
            for h in clean_hits(data, ROLES, self._lexicons.exceptions(ROLES))
            if not self._admin.match(text, h.end)
        ]
        verbs = data.hits_of(VERBS)
        if verbs or data.hits_of(CHANNELS):
            anchors.extend(self._spoken_anchors(text))
            for m in self._passive.finditer(text):
                anchors.append(KeywordHit(PASSIVE, m.group(0), m.start(), m.end()))
            anchors.extend(self._named_subjects(data))
        if any(h.word.isascii() for h in verbs):  # "who reported", "who complained" …
            for m in _ENGLISH_PHRASE.finditer(text):
                anchors.append(KeywordHit(ENGLISH, m.group(0), m.start(), m.end()))
        return anchors

    def _spoken_anchors(self, text: str) -> Iterable[KeywordHit]:
        pos = 0
        while (m := self._spoken.search(text, pos)) is not None:
            if m.start() > 0 and text[m.start() - 1] in "被遭":
                pos = m.start() + 1  # 被檢舉的 is the accused: retry one character later
                continue
            pos = m.end()
            if self._has_subject(text, m.start()):
                continue
            kind = PHRASE if m.group("noun") and not m.group("cop1") else SPOKEN
            yield KeywordHit(kind, m.group(0), m.start(), m.end())

    def _has_subject(self, text: str, verb_start: int) -> bool:
        """ "民眾陳情的是…", "他檢舉的那個人": the verb has its own subject, so what follows 的
        is what was reported (or who). "跟我們檢舉的是…" keeps 我們 as the addressee."""
        prefix = text[max(0, verb_start - 10) : verb_start]
        m = self._subject_before.search(prefix)
        if m is None:
            return False
        return not (m.start() > 0 and prefix[m.start() - 1] in self._addressee)

    def _named_subjects(self, data: RuleInput) -> Iterable[KeywordHit]:
        text = data.view.text
        for e in data.entities:
            if e.type != PERSON or (e.start > 0 and text[e.start - 1] in self._addressee):
                continue
            if text[max(0, e.start - 1) : e.start] in ("被", "遭"):
                continue
            m = self._person_verb.match(text[e.end : e.end + 30])
            if m:
                # The finding points at the verb, never at the name (findings are shown).
                yield KeywordHit(SUBJECT, m.group("verb"), e.end + m.start("verb"), e.end + m.end())

    # -- evidence --------------------------------------------------------------------------

    def _narrowing(self, data: RuleInput) -> list[KeywordHit]:
        text = data.view.text
        hits = clean_hits(data, NARROWING, self._lexicons.exceptions(NARROWING))
        for m in _finditer_words(self._people, lower_keep_length(text)):
            word = text[m.start() : m.end()]
            if not _inside_any(text, m.start(), m.end(), self._people_exceptions):
                hits.append(KeywordHit(PEOPLE, word, m.start(), m.end()))
        for pattern in self._narrow_patterns:
            for m in pattern.finditer(text):
                g = "hit" if "hit" in pattern.groupindex else 0
                hits.append(KeywordHit(PATTERN, m.group(g), m.start(g), m.end(g)))
        return hits

    def _named_as(self, text: str, anchor: KeywordHit) -> bool:
        """ "線民大家都叫他阿海", "the informant …, everyone calls him 阿龍": what people call the
        person, later in the anchor's sentence."""
        window = text[anchor.end : anchor.end + NAMING_AFTER]
        window = _SENTENCE_END.split(window, maxsplit=1)[0].split(". ", 1)[0]
        return self._naming.search(window) is not None

    def _generic_talk(self, text: str, anchor: KeywordHit) -> bool:
        """ "如果檢舉人要求保密…", "檢舉人可以選擇匿名": the anchor's clause is hypothetical or
        general, so it describes no particular person."""
        left = text[max(0, anchor.start - GENERIC_WINDOW) : anchor.start]
        right = text[anchor.end : anchor.end + GENERIC_WINDOW]
        left = _CLAUSE_END.split(left)[-1]
        right = _CLAUSE_END.split(right)[0]
        return self._generic.search(left) is not None or self._generic.search(right) is not None

    def _described_before(self, text: str, anchor: KeywordHit, narrowing: _Spans) -> bool:
        """Before 是 before the anchor, a description: "上次拍桌那位阿伯就是寫信去陳情的人".
        Not for the passive: in "那家補習班是被會計檢舉的" what comes before is the accused."""
        if anchor.lexicon == PASSIVE:
            return False
        start = max(0, anchor.start - REVERSED_BEFORE - 14)
        prefix = text[start : anchor.start]
        m = self._copula_before.search(prefix)
        if m is None:
            return False
        copula_at = start + m.start()
        # The description may be a topic before a comma ("發傳單的那位大叔，就是…的人").
        sentence_start = start + max(
            (c.end() for c in _SENTENCE_END.finditer(prefix[: m.start()])), default=0
        )
        return any(
            sentence_start <= h.start and h.end <= copula_at
            for h in narrowing.window(copula_at - REVERSED_BEFORE, copula_at)
            if copula_at - h.end <= REVERSED_BEFORE
        )

    def _asserted(self, text: str, anchor: KeywordHit, hit: KeywordHit | Match) -> bool:
        """An explicit identity statement links the anchor to the description."""
        if anchor.lexicon in (SPOKEN, PASSIVE):
            return True
        if hit.start < anchor.end:
            return False
        between = text[anchor.end : hit.start]
        return not _SENTENCE_END.search(between) and self._identity.search(between) is not None

    def evaluate(self, data: RuleInput) -> list[Match]:
        # Every anchor (role word, verb, channel, forwarded complaint) is a keyword hit; most
        # messages that reach the rules only have hits of other rules' lexicons.
        if not any(h.lexicon in _ANCHOR_LEXICONS for h in data.hits):
            return []
        anchors = self._anchors(data)
        forward = _Spans(clean_hits(data, FORWARD, _CHANNELS + self._lexicons.exceptions(FORWARD)))
        if not (anchors or forward):
            return []
        text = data.view.text
        if is_benign(data) and not self._cues_describe(text, data, anchors):
            return []
        ids = _Spans(e for e in data.entities if e.type in IDENTIFYING)
        narrowing: _Spans | None = None  # built on first need: most anchors end before
        procedure = _Spans(())
        for anchor in anchors:
            if anchor.lexicon == SUBJECT:
                return [self._match(anchor, 0.85, "a named person as the complaint's subject")]
            if self._nickname.match(text, anchor.end) or self._named_as(text, anchor):
                return [self._match(anchor, 0.85, "role word with a nickname")]
            found = ids.near(anchor, WINDOW_BEFORE, WINDOW_AFTER)
            if found:
                kinds = sorted({getattr(f, "type", "") for f in found})
                return [self._match(anchor, 0.9, f"role word with {', '.join(kinds)}")]
            if self._generic_talk(text, anchor):
                continue
            if narrowing is None:
                narrowing = _Spans(self._narrowing(data))
                procedure = _Spans(clean_hits(data, PROCEDURE))
            if self._described_before(text, anchor, narrowing):
                return [self._match(anchor, 0.8, "a description identified as the complainant")]
            narrow = [
                h
                for h in narrowing.near(anchor, NARROW_BEFORE, NARROW_AFTER)
                if _describes(text, anchor, h)
            ]
            if narrow and (
                not procedure.near(anchor, 10, 20)
                or any(self._asserted(text, anchor, h) for h in narrow)
            ):
                return [self._match(anchor, 0.8, "role word with a narrowing descriptor")]
            if forward.near(anchor, 20, 20) and not procedure:
                return [self._match(anchor, 0.75, "complaint forwarded with its source")]
        senders = _Spans(e for e in ids.items if e.type in SENDER_DETAILS)
        for hit in forward.items:
            if not isinstance(hit, KeywordHit) or not _FORWARD_ANCHOR.search(hit.word):
                continue
            if senders.near(hit, 10, 40):
                return [self._match(hit, 0.8, "complaint forwarded with the sender's details")]
            tail = text[hit.end : hit.end + 30]
            if not self._source.search(tail):
                continue
            if narrowing is None:
                narrowing = _Spans(self._narrowing(data))
            if narrowing.near(hit, 0, 30):
                return [self._match(hit, 0.75, "complaint forwarded with its source described")]
        return self._identified(data, anchors, forward, narrowing)

    def _cues_describe(self, text: str, data: RuleInput, anchors: Sequence[KeywordHit]) -> bool:
        """ "檢舉人就是上過報導的那位退休老師": a benign cue inside an identity statement
        (after the role word and its 是, in the same clause) describes the person; it does not
        make the message news or training. Every cue must be such a description."""
        for cue in data.hits_of(BENIGN_LEXICON):
            if not any(self._in_statement(text, a, cue) for a in anchors):
                return False
        return True

    def _in_statement(self, text: str, anchor: KeywordHit, hit: KeywordHit) -> bool:
        if hit.start < anchor.end or hit.start - anchor.end > NARROW_AFTER:
            return False
        between = text[anchor.end : hit.start]
        if _CLAUSE_END.search(between):
            return False
        return anchor.lexicon == SPOKEN or self._statement_start.match(between) is not None

    def _identified(
        self,
        data: RuleInput,
        anchors: Sequence[KeywordHit],
        forward: _Spans,
        narrowing: _Spans | None,
    ) -> list[Match]:
        """An identification statement ("主管一看就知道是誰", "等於就是她", "the manager will
        figure out who") next to a complaint and a description of someone: the message says the
        description identifies the complainant. Procedure words around it (other than the
        statement's own 是誰) and hypothetical talk cancel it."""
        text = data.view.text
        low = lower_keep_length(text)
        statements = list(_finditer_words(self._identification, low))
        if not statements:
            return []
        # A complaint: an anchor, a forwarded complaint, or a citizen's complaint verb ("匿名陳情
        # 附了…"), not 被檢舉 (the accused).
        verbs = (
            h
            for h in data.hits_of(VERBS)
            if h.word in self._citizen_verbs and not (h.start > 0 and text[h.start - 1] in "被遭")
        )
        complaints = _Spans(
            [*anchors, *(h for h in forward.items if _FORWARD_ANCHOR.search(h.word)), *verbs]
        )
        if not complaints:
            return []
        if narrowing is None:
            narrowing = _Spans(self._narrowing(data))
        knowing = [
            KeywordHit(STATEMENT, m.group(0), m.start(), m.end())
            for m in _finditer_words(self._knowledge, low)
        ]
        descriptions = _Spans([*narrowing.items, *knowing]) if knowing else narrowing
        procedure = _Spans(clean_hits(data, PROCEDURE))
        for m in statements:
            statement = KeywordHit(STATEMENT, m.group(0), m.start(), m.end())
            if self._generic_talk(text, statement):
                continue
            for c in complaints.near(statement, STATEMENT_WINDOW, STATEMENT_WINDOW):
                if not isinstance(c, KeywordHit) or self._generic_talk(text, c):
                    continue
                region = KeywordHit(STATEMENT, "", min(c.start, m.start()), max(c.end, m.end()))
                described = any(
                    h.end <= c.start or h.start >= c.end  # not the words of the complaint
                    for h in descriptions.near(region, STATEMENT_CONTEXT, STATEMENT_CONTEXT)
                )
                cancelled = any(
                    not (m.start() <= p.start and p.end <= m.end())
                    for p in procedure.near(region, STATEMENT_CONTEXT, STATEMENT_CONTEXT)
                )
                if described and not cancelled:
                    return [self._match(c, 0.8, "an identification statement about a complaint")]
        return []

    def _match(self, anchor: KeywordHit, score: float, reason: str) -> Match:
        start = anchor.start
        if anchor.lexicon == PASSIVE:
            # "被王小明檢舉的": the finding points at the verb, not at the agent's name.
            verbs = list(self._verb.finditer(anchor.word))
            start += verbs[-1].start() if verbs else 0
        return rule_match(
            "WHISTLEBLOWER_ROLE", WHISTLEBLOWER, start, anchor.end, score, self.name, reason
        )


# What links a role word to a description of the person in the same clause:
# 檢舉人「是」夜班組長, 陳情人「住」在對面, 線民說他「在」酒店「當」圍事, 被告「的」前妻,
# the complainant「is」the night-shift supervisor.
_LINK_WORD = re.compile(
    rf"是|為|係|乃|{_LIVE}|在|的|之|當|做|擔任|任職|服務|就讀|開|[:：]"
    r"|\b(?:is|was|are|were|works?|worked|lives?|lived|from|at)\b",
    re.IGNORECASE,
)


def _describes(text: str, anchor: KeywordHit, hit: KeywordHit) -> bool:
    """Whether a narrowing word describes the person the anchor names, not the conversation
    around them: in the same sentence and linked by 是/住/在/的 … ("檢舉人是夜班組長",
    "陳情人為退休科長，現在住在同一社區"); "檢舉人打電話來問" and "陳情人不滿意，要求主管
    出面" are not. Inside a passive anchor (被櫃台小姐檢舉的) the description is the agent; inside
    an active one (檢舉那間工廠的) it is what was reported."""
    if hit.start < anchor.end and anchor.start < hit.end:
        return anchor.lexicon == PASSIVE and (hit.start > anchor.start or hit.end < anchor.end)
    after = hit.start >= anchor.end
    between = text[anchor.end : hit.start] if after else text[hit.end : anchor.start]
    if _SENTENCE_END.search(between):
        return False
    if after and anchor.lexicon in (SPOKEN, ENGLISH):
        return True  # "爆料的是…": everything after the anchor describes the person
    return between.strip() == "" or _LINK_WORD.search(between) is not None
