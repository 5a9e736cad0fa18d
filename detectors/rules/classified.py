"""classified: content marked or described as classified being shared.

A marking (`classified_markings.txt`: 密件, 機密, 限閱, 機敏, 請勿外流, 內部資料勿轉傳 …) is what a
civil servant puts on a document that must not leave the office; seeing one in a group chat
means the content is (or is about to be) out.

Evidence, strongest first:
- a filled-in classification field: 機密等級：密, 密等：機密, Classification: SECRET, 保密期限：
  116年12月31日 (`classified_level_fields.txt` + `classified_levels.txt`,
  `classified_term_fields.txt`) — a level list (機密等級：絕對機密、極機密…) is not filled in;
- a bracket stamp at the head of a line: 【密】, [機密], (限閱) (`classified_stamps.txt`; also the
  level named as such: （機密等級）, [極機密級]), or after a document's name heading its
  content: 會議紀錄（密）：討論…;
- a caution phrase heading content: 請勿外流：本案底價…, 內部資料勿轉傳：… It labels what follows,
  so it is a marking even when the content is also a raid plan or a procurement secret. A
  trailing caption ("…警力5點集合，請勿外流") only accompanies another incident (see
  `CAUTION_TYPE`);
- a labelled marking (機密：…, 限閱｜…, and the bare level labelling a line: 密｜底價單：…), a
  stamp elsewhere, a marking word, a quoted 「密」, the
  bare level stated in a sentence (`classified_copulas.txt`: 這張簽是密的, 那份屬密), an English
  word in context (這份 secret 等級的簡報, marked restricted, [CONFIDENTIAL]).

Not an incident: a message about the rules rather than a marked document — a marking inside a
question (`classified_question_cues.txt`: 請問密件要怎麼標示?; a question word a deliberation verb
reports after the marking is content: 密件：討論是否終止契約), definitions, training and reminders
(`classified_rule_cues.txt`: 分為三級, 一律走公文系統, 不要在 Telegram 傳; a forbidden act of
sharing: 請勿拍照) — unless something in it shows a document being passed on
(`classified_sharing.txt`: 附件, 我打出來, 看完請刪); markings
next to an explanation (`classified_explain.txt`: 機密等級的規定, 保密宣導, 密碼學 …); and training
material (benign cues); a marking word inside the title of a work (《機密任務》, 〈…〉). Only
the weaker evidence yields to these cues: a filled-in field, a stamp heading a line or a
heading caution says that this message carries the document.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from operator import attrgetter

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.normalize import with_normalised
from detectors.recognizers.base import Match
from detectors.rules.base import KeywordHit, RuleInput
from detectors.rules.support import (
    BENIGN_LEXICON,
    clean_hits,
    is_benign,
    rule_match,
    word_alternation,
)
from detectors.types import CLASSIFIED

MARKINGS = "classified_markings"
ENGLISH = "classified_english"
CAUTIONS = "classified_cautions"
EXPLAIN = "classified_explain"
EXCEPTIONS = "classified_exceptions"
# Context lexicons, compiled into regexes once; read only when a marking is present.
LEVELS = "classified_levels"
LEVEL_FIELDS = "classified_level_fields"
TERM_FIELDS = "classified_term_fields"
STAMPS = "classified_stamps"
ENGLISH_CONTEXT = "classified_english_context"
ENGLISH_CUES = "classified_english_cues"
SHARING = "classified_sharing"
QUESTION_CUES = "classified_question_cues"
RULE_CUES = "classified_rule_cues"
NEGATIONS = "classified_negations"
COPULAS = "classified_copulas"
STATED_EXCEPTIONS = "classified_stated_exceptions"
DELIBERATION = "classified_deliberation"
EMBEDDED_QUESTIONS = "classified_embedded_questions"
# A caution phrase asks readers to keep something in; it marks what it accompanies. When another
# category (a raid plan, a password) is reported for the same message, decide.py lets that
# category speak alone (see `CAUTION_TYPE`).
CAUTION_TYPE = "CLASSIFIED_CAUTION"
MARKING_TYPE = "CLASSIFIED_MARKING"
_LEXICON_OF = attrgetter("lexicon")
_CAUTION = re.compile(r"(?:外流|轉傳|外洩|外傳)$")
# Without a marking word, only a field or a stamp can speak, and each holds 密 (not 密碼) or 限閱.
_GATE = re.compile(r"密(?!碼)|限閱")
# A label separator right after a marking (機密：…, 限閱｜…, 【限閱資料】); normalised text has
# ASCII ":" and "|" for the full-width forms.
_LABELLED = re.compile(r"\s*[:：|｜】\]]")
# After a caution phrase: closing brackets, then a colon (內部簽呈（請勿外流）：…).
_CAUTION_LABEL = re.compile(r"[)）」』】\]\s]*[:：]")
_COLON = re.compile(r"\s*[:：]")
# A 密 that ends its word: 是密的, 屬密件, 列「密」, 屬『密』等級 (not 密切, 密碼, 密集).
_STATED = re.compile(r"密(?=[」』]?(?:[的件等級,;:.!?。，；：！？\s]|$))")
# What may stand before a heading on its line (brackets, punctuation, spaces).
_OPENERS = re.compile(r"[\s\W_]+")
_CONTENT = re.compile(r"[^\s\W_]")
HEAD_PREFIX = 6  # characters of other words a heading may follow on its line (內部資料，)
HEAD_CONTENT = 8  # characters of content that must follow a heading caution
EXPLAIN_WINDOW = 12
# A sentence ends at one of these; a question cue counts within the marking's sentence, looked
# for at most SENTENCE characters either side.
_TERMINATOR = re.compile(r"[。!?！？\n]")
SENTENCE = 80
# The weak form of a term field: 保密期限：<anything>. It counts only when no explanation stands
# elsewhere in the message (the filled-in form needs no such care). A level field holding no
# level (機密等級：普通, 機密等級：分為…) is not a marking at all.
_FIELD_ANY = r"\s*[:：]\s*\S"


class ClassifiedRule:
    """Reports a classification marking unless the message only talks about the rules."""

    name = "classified"
    category = CLASSIFIED
    lexicons = (MARKINGS, ENGLISH, CAUTIONS, EXPLAIN, EXCEPTIONS, BENIGN_LEXICON)
    anchors = (MARKINGS, ENGLISH, CAUTIONS)  # fields and stamps (all hold 密/限閱) by regex

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self._anchor_set = frozenset(self.anchors)
        self._exceptions = tuple(
            with_normalised(lexicons.words(EXCEPTIONS) + lexicons.exceptions(MARKINGS))
        )
        self._stated_exceptions = tuple(with_normalised(lexicons.words(STATED_EXCEPTIONS)))
        context = (LEVELS, LEVEL_FIELDS, TERM_FIELDS, STAMPS, ENGLISH_CONTEXT, ENGLISH_CUES)
        context += (SHARING, QUESTION_CUES, RULE_CUES, NEGATIONS, COPULAS, DELIBERATION)
        alt = {name: word_alternation(lexicons.words(name)) for name in context}
        # Fields and stamps are searched in lower-cased text without IGNORECASE: a case-blind
        # alternation of English words is ~4x slower in `re`.
        low = {name: word_alternation(w.lower() for w in lexicons.words(name)) for name in context}
        levels, fields, terms = low[LEVELS], low[LEVEL_FIELDS], low[TERM_FIELDS]
        # 機密等級：密, 密等為機密, 機密等級「極機密」; not 機密等級：絕對機密、極機密… (a list
        # of levels) nor 密碼.
        self._filled = re.compile(
            rf"(?:{fields})\s*(?:(?:[:：]|為)\s*[「『【(（\[]?|[「『【(（\[])\s*(?:{levels})"
            r"(?!\s*[、和與及跟或/／碼])"
            rf"|(?:{terms})\s*[:：]\s*[0-9一二三四五六七八九十民本至自]"
        )
        self._term_any = re.compile(rf"(?:{terms}){_FIELD_ANY}")
        # 【密】, (限閱), and the level named as such: （機密等級）, [極機密級].
        self._stamp = re.compile(
            rf"[【\[(（〔]\s*(?:{low[STAMPS]})\s*(?:等級|級)?\s*[】\])）〕]"
        )
        # The level as a label heading a line and its content: 密｜底價單：…, 限閱: 本案…
        self._head_label = re.compile(
            rf"[ \t]*(?P<level>{low[STAMPS]})[ \t]*[:|｜][ \t]*(?=[^\x00-\x7f])"
        )
        self._quoted = re.compile(rf"「\s*(?:{low[STAMPS]})\s*」")
        # English word in context: followed by what it qualifies, or applied by a cue.
        self._english_next = re.compile(
            rf"\s?[-–]?\s?(?:的\s?)?(?:{alt[ENGLISH_CONTEXT]})", re.IGNORECASE
        )
        self._english_cue = re.compile(rf"(?:{alt[ENGLISH_CUES]})\s*$", re.IGNORECASE)
        self._sharing = re.compile(alt[SHARING], re.IGNORECASE)
        self._question = re.compile(alt[QUESTION_CUES], re.IGNORECASE)
        self._rules = re.compile(alt[RULE_CUES], re.IGNORECASE)
        self._negated = re.compile(rf"(?:{alt[NEGATIONS]})\s*$")
        # The bare level stated of a document: 這張簽是密的, 那份屬密 (not 是密切, 是密碼); the
        # copula is looked for before each 密 that ends a word.
        self._copula_before = re.compile(rf"(?:{alt[COPULAS]})\s*[「『]?$")
        # 討論是否…, 研議如何…: a question word reported as content, not asked.
        self._deliberated = re.compile(rf"(?:{alt[DELIBERATION]})\s*$")
        self._embedded = with_normalised(lexicons.words(EMBEDDED_QUESTIONS))

    def evaluate(self, data: RuleInput) -> list[Match]:
        text = data.view.text
        # The cheap tests first: a set test over the hits' lexicons, then plain substring tests
        # before the gate's regex (most messages hold neither 密 nor 限閱).
        if self._anchor_set.isdisjoint(map(_LEXICON_OF, data.hits)) and not (
            ("密" in text and _GATE.search(text)) or "限閱" in text
        ):
            return []  # every Chinese field and stamp holds 密 or 限閱, English ones a word
        markings = clean_hits(data, MARKINGS)
        if not markings and "密" in text:
            markings = self._stated_levels(text)  # a marking word already speaks louder
        markings = _without_exceptions(text, markings, self._exceptions)
        markings += clean_hits(data, CAUTIONS)
        markings += [h for h in clean_hits(data, ENGLISH) if self._english_applies(text, h)]
        titles = _titles(text)
        if titles:
            markings = [h for h in markings if not _inside_spans(h.start, h.end, titles)]
        low = _fold(text)
        found = self._filled.search(low)
        if ("密" in low or "限閱" in low) and (":" in low or "|" in low):
            markings += self._head_labels(low, markings)
        if not (markings or found) and not (
            self._stamp.search(low) or self._term_any.search(low) or self._quoted.search(low)
        ):
            return []  # 保密, 密切, 密封: 密 without a marking, a field or a stamp
        if is_benign(data):
            return []
        if found:
            return [_marking(found.start(), found.end(), 0.9, "classification field")]
        stamps = [
            m for m in self._stamp.finditer(low) if not _inside_spans(m.start(), m.end(), titles)
        ]
        for stamp in stamps:
            if _line_head(text, stamp.start(), 0) or self._labels_content(text, stamp):
                return [_marking(stamp.start(), stamp.end(), 0.9, "classification stamp")]
        markings.sort(key=lambda h: h.start)
        explain = _Spans(clean_hits(data, EXPLAIN))
        for hit in markings:
            if _is_caution(hit) and _heads(text, hit, explain):
                return [_marking(hit.start, hit.end, 0.8, f"caution heading content {hit.word}")]
        # Weaker evidence: a message about the rules (a definition, a reminder) or a question
        # about a marking mentions markings without carrying a marked document.
        sharing, forbidden = self._sharing_signs(text)
        header = self._term_any.search(low) or self._quoted.search(low)
        if not sharing:
            if forbidden or self._rules.search(text) or _names_levels(markings):
                return []
            stamps = [m for m in stamps if not self._asked(text, m.start(), m.end())]
            markings = [h for h in markings if not self._asked(text, h.start, h.end)]
            if header is not None and self._asked(text, header.start(), header.end()):
                header = None
        if stamps:
            stamp = stamps[0]
            return [_marking(stamp.start(), stamp.end(), 0.85, "classification stamp")]
        if header is not None and not explain.outside(header.start(), header.end()):
            return [_marking(header.start(), header.end(), 0.85, "classification field")]
        # A real marking speaks before a caution phrase in the same message.
        markings.sort(key=_is_caution)
        for hit in markings:
            labelled = _LABELLED.match(text, hit.end) is not None
            if explain.near(hit, EXPLAIN_WINDOW) and not (sharing or labelled):
                continue
            caution = _is_caution(hit)
            return [
                rule_match(
                    CAUTION_TYPE if caution else MARKING_TYPE, CLASSIFIED, hit.start, hit.end,
                    0.7 if caution else 0.8, self.name, f"classification marking {hit.word}",
                )
            ]
        return []

    def _head_labels(self, low: str, markings: Sequence[KeywordHit]) -> list[KeywordHit]:
        """The bare level labelling a line (密｜底價單：…): a labelled marking like 機密：…, so the
        rule and question cues still judge it. Levels a marking hit already covers are skipped."""
        taken = {h.start for h in markings}
        out = []
        pos = 0
        while pos >= 0:  # tried at each line's start only: one match a line, linear
            m = self._head_label.match(low, pos)
            if m is not None and m.start("level") not in taken:
                start, end = m.span("level")
                out.append(KeywordHit(MARKINGS, low[start:end], start, end))
            pos = low.find("\n", pos)
            pos = pos + 1 if pos >= 0 else -1
        return out

    def _stated_levels(self, text: str) -> list[KeywordHit]:
        """這張簽是密的, 那份屬密, 列「密」: a copula, then 密 ending its word (followed by 的,
        件, punctuation, a space or the end); the copula is looked for only before such a 密."""
        out = []
        for level in _STATED.finditer(text):
            pos = level.start()
            m = self._copula_before.search(text, max(0, pos - 6), pos)
            if m is not None:
                out.append(KeywordHit(MARKINGS, text[m.start() : pos + 1], m.start(), pos + 1))
        return _without_exceptions(text, out, self._stated_exceptions)

    def _labels_content(self, text: str, stamp: re.Match[str]) -> bool:
        """A stamp after a document's name heads its content: 會議紀錄（密）：討論…, 簽(密)：…
        (a few words before it on the line, none a question cue, then a colon and a sentence)."""
        if not _line_head(text, stamp.start()):
            return False
        colon = _COLON.match(text, stamp.end())
        if colon is None:
            return False
        line_start = text.rfind("\n", 0, stamp.start()) + 1
        if self._question.search(text, line_start, stamp.start()):
            return False
        following = text[colon.end() : colon.end() + 4 * HEAD_CONTENT]
        return len(_CONTENT.findall(following)) >= HEAD_CONTENT

    def _asked(self, text: str, start: int, end: int) -> bool:
        """The sentence around [start, end) is a question (請問密件要怎麼標示?, 「限閱」跟「密」
        一樣嗎?). A question elsewhere in the message ("…，大家有意見嗎?") does not count."""
        lo = max(0, start - SENTENCE)
        for m in _TERMINATOR.finditer(text, lo, start):
            lo = m.end()
        stop = _TERMINATOR.search(text, end, min(len(text), end + SENTENCE))
        hi = stop.end() if stop else min(len(text), end + SENTENCE)
        q = self._question.search(text, lo, hi)
        while q is not None:
            if q.start() < end or not self._reported(text, q):
                return True
            q = self._question.search(text, q.end(), hi)
        return False

    def _reported(self, text: str, question: re.Match[str]) -> bool:
        """A question word a deliberation verb makes content: after the marking (密件：討論是否
        終止契約) it reports what the document says; before it (討論是否把密件改成線上簽核) it
        may still ask about the marking."""
        return question.group(0) in self._embedded and (
            self._deliberated.search(text, max(0, question.start() - 6), question.start())
            is not None
        )

    def _sharing_signs(self, text: str) -> tuple[bool, bool]:
        """(a sign of sharing, a prohibition of sharing): 附件, 我打出來 share; 不得拍照上傳,
        密件請勿拍照, 不要丟群組 state a rule."""
        forbidden = False
        for m in self._sharing.finditer(text):
            if not self._negated.search(text, max(0, m.start() - 4), m.start()):
                return True, forbidden
            forbidden = True
        return False, forbidden

    def _english_applies(self, text: str, hit: KeywordHit) -> bool:
        """secret 等級, restricted document, marked classified, [SECRET], SECRET：本案…"""
        if self._english_next.match(text, hit.end):
            return True
        before = text[max(0, hit.start - 16) : hit.start]
        if self._english_cue.search(before):
            return True
        after = text[hit.end : hit.end + 4]
        if before.rstrip().endswith(("【", "[", "(", "（", "〔")) and after.lstrip().startswith(
            ("】", "]", ")", "）", "〕")
        ):
            return True
        # A label at the head of a line followed by Chinese content (not "secret: tldq8…",
        # which is a credential).
        return _line_head(text, hit.start) and re.match(
            r"\s*[:：|｜—–\-]+\s*[^\x00-\x7f]", text[hit.end : hit.end + 8]
        ) is not None


def _without_exceptions(
    text: str, hits: list[KeywordHit], exceptions: Sequence[str]
) -> list[KeywordHit]:
    """The hits not inside an exception word (機密 in 開機密碼): support.clean_hits's test, in
    (hits + exceptions) × log time rather than hits × exception occurrences ("不是密件" × 25,000
    took 14 s there)."""
    if not hits or not exceptions:
        return hits
    spans: list[tuple[int, int]] = []
    for word in exceptions:
        pos = text.find(word)
        while pos >= 0:
            spans.append((pos, pos + len(word)))
            pos = text.find(word, pos + 1)
    if not spans:
        return hits
    spans.sort()
    starts = [s for s, _ in spans]
    reach: list[int] = []  # the furthest end among spans starting at or before each one
    for _, end in spans:
        reach.append(max(end, reach[-1]) if reach else end)
    kept = []
    for h in hits:
        i = bisect_right(starts, h.start) - 1
        if i < 0 or reach[i] < h.end:
            kept.append(h)
    return kept


class _Spans:
    """Keyword hits sorted by start, asked "is one within `window` characters of this hit?" in
    logarithmic time: a message of many markings and many explanation words ("密件規定" × 25,000)
    must not cost markings × explanations (support.near scans the whole list each time)."""

    def __init__(self, hits: Sequence[KeywordHit]) -> None:
        self._hits = sorted(hits, key=lambda h: h.start)
        self._starts = [h.start for h in self._hits]
        self._longest = max((h.end - h.start for h in self._hits), default=0)
        self._first_end = min((h.end for h in self._hits), default=0)

    def near(self, hit: KeywordHit, window: int) -> bool:
        """A hit ending at most `window` before `hit` starts, starting at most `window` after
        it ends, or overlapping it (the test of support.near)."""
        lo = bisect_left(self._starts, hit.start - window - self._longest)
        hi = bisect_right(self._starts, hit.end + window)
        return any(h.end >= hit.start - window for h in self._hits[lo:hi])

    def outside(self, start: int, end: int) -> bool:
        """Any hit lying wholly before `start` or wholly after `end`."""
        return bool(self._hits) and (self._first_end <= start or self._starts[-1] >= end)


# The title of a work (《機密任務》, 〈極機密檔案〉): a marking word inside names a film or a book.
_NO_END = float("inf")  # sorts after every span starting at the same place
_TITLE = re.compile(r"《[^《》\n]{1,40}》|〈[^〈〉\n]{1,40}〉")


def _titles(text: str) -> list[tuple[int, int]]:
    if "《" not in text and "〈" not in text:
        return []
    return [m.span() for m in _TITLE.finditer(text)]


def _inside_spans(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """[start, end) lies inside one of the sorted, disjoint `spans` (bisect: linear overall)."""
    if not spans:
        return False
    i = bisect_right(spans, (start, _NO_END)) - 1
    return i >= 0 and spans[i][0] <= start and end <= spans[i][1]


def _names_levels(markings: Sequence[KeywordHit]) -> bool:
    """Three different markings, none inside another (絕對機密、極機密跟機密): a message that
    lists the levels explains the scheme; a marked document carries one."""
    words: set[str] = set()
    reach = -1
    for h in sorted(markings, key=lambda h: (h.start, -h.end)):
        if h.end <= reach:
            continue  # 機密 inside 極機密
        reach = h.end
        if not _is_caution(h):
            words.add(h.word)
            if len(words) >= 3:
                return True
    return False


def _is_caution(hit: KeywordHit) -> bool:
    return hit.lexicon == CAUTIONS or _CAUTION.search(hit.word) is not None


def _fold(text: str) -> str:
    """Lower-cased text for the field and stamp patterns, whose offsets must stay those of
    `text`: when lower-casing changes the length (İ), the text as it is (English fields then
    match only in lower case)."""
    low = text.lower()
    return low if len(low) == len(text) else text


def _line_head(text: str, start: int, words: int = HEAD_PREFIX) -> bool:
    """Only brackets, punctuation or up to `words` characters of words (轉貼, 內部資料，) stand
    before `start` on its line. Looks back a bounded window, so many hits stay linear."""
    window = text[max(0, start - words - 4) : start]
    newline = window.rfind("\n")
    if newline >= 0:
        window = window[newline + 1 :]
    elif start > words + 4:
        return False
    return len(_OPENERS.sub("", window)) <= words


def _heads(text: str, hit: KeywordHit, explain: _Spans) -> bool:
    """A caution phrase used as a label: 請勿外流：…, 內部簽呈（請勿外流）：…, or the opening
    words of the message followed by at least a short sentence (請勿外流！內部簽呈…) with no
    explanation next to it (請勿轉傳，依規定… is an instruction, not a label). Said after other
    words without a colon ("各位，請勿轉傳 …", a line of its own under a raid plan), it is a
    caption like a trailing one."""
    if _CAUTION_LABEL.match(text, hit.end):
        return True
    if hit.start > HEAD_PREFIX or _OPENERS.sub("", text[: hit.start]):
        return False
    if explain.near(hit, EXPLAIN_WINDOW):
        return False
    following = text[hit.end : hit.end + 4 * HEAD_CONTENT]
    return len(_CONTENT.findall(following)) >= HEAD_CONTENT


def _marking(start: int, end: int, score: float, reason: str) -> Match:
    return rule_match(MARKING_TYPE, CLASSIFIED, start, end, score, ClassifiedRule.name, reason)
