"""procurement: secrets of a tender before it is awarded.

Four kinds of leak, each a keyword lexicon plus the detail that makes it concrete:
- the reserve price (`procurement_price.txt`: 底價, ceiling price …) with a value: an amount in
  any common spelling (2,760萬, NT$8,760,000, $3,456,000, 6.8M, 新臺幣參佰萬元), a ratio
  (預算九成, 93折, 92%), or a table whose column header is 底價; or with a secrecy cue; an
  English price word reaches an amount further on in its sentence (`ENGLISH_WINDOW`);
- the evaluation committee (`procurement_committee.txt`: 評選委員名單 …) — a named list, a
  person's name, or a secrecy cue; weaker panel words (`procurement_panel.txt`: 評審, 委員 …)
  count with a person's name (or 黃教授: surname + `procurement_titles.txt`) next to them while
  a tender is in view (`procurement_context.txt`);
- the bidders: counts (領標的有五家, 只有兩家投, 收到3份標封, 幾家投 … 三家, 3 bidders) and
  lists of names after a bidder word (投標廠商：1.A 2.B; 領標：昱晟資訊、達觀系統); a count
  "so far" (`procurement_pending.txt`: 目前, 到現在) read on the site that runs the tender
  (`procurement_public_places.txt`: 採購網) is not a published result;
- other bidders' documents (`procurement_bids.txt`: 服務建議書, 報價 …) passed around
  (`procurement_others.txt`: 他們家, 別家, 對手 …), or a named company's document (A公司的,
  崇德顧問的, A廠, 乙廠) with a sharing or copying word (`procurement_sharing.txt`: 寄給你, 截圖,
  照抄 …) unless the company is the writer's own (`procurement_own_party.txt`: 我們 … right
  before it; 我們把A公司的 brings in another party, `procurement_object_markers.txt`).
A secrecy cue is `procurement_secrecy.txt` (開標前, 先不要說, don't leak …).

Not an incident: published or past results (`procurement_public.txt`: 決標公告, 已開標 …, and
由…得標) unless a pre-award cue says otherwise — the site named as a login
(`procurement_login_words.txt`: 採購網帳號 …) publishes nothing; training material (benign
cues); explanations of the rules (`procurement_explain.txt`: 新人, 是指, 應於 … and law
citations such as 第46條), which veto the weak evidence — a secrecy cue, a ratio, a count — but
not an actual amount; and
statements of the norm (`procurement_norms.txt`: 規定, 為什麼 …), which veto a secrecy cue
alone. A count that is a condition (`procurement_hypothetical.txt`: 如果只有一家, 未滿三家) is
not a fact about a tender; an amount that follows another figure's name
(`procurement_other_amounts.txt`: 預算 …) is that figure, not the reserve price; and offices
such as 立法委員 (`procurement_panel_exceptions.txt`) are not panel words.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.normalize import normalize
from detectors.recognizers.base import Match
from detectors.rules.base import KeywordHit, RuleInput
from detectors.rules.support import (
    BENIGN_LEXICON,
    clean_hits,
    has_checksum_identifier,
    near,
    rule_match,
)
from detectors.types import PERSON, PROCUREMENT

PRICE = "procurement_price"
COMMITTEE = "procurement_committee"
PANEL = "procurement_panel"
BIDDERS = "procurement_bidders"
BIDS = "procurement_bids"
PUBLIC = "procurement_public"
SECRECY = "procurement_secrecy"
OTHERS = "procurement_others"
CONTEXT = "procurement_context"
EXPLAIN = "procurement_explain"
NORMS = "procurement_norms"
# Used as word lists by this rule only (no keyword pass needed).
PANEL_EXCEPTIONS = "procurement_panel_exceptions"
PUBLIC_EXCEPTIONS = "procurement_public_exceptions"
TITLES = "procurement_titles"
HYPOTHETICAL = "procurement_hypothetical"
OTHER_AMOUNTS = "procurement_other_amounts"
COMPANY_SUFFIXES = "procurement_company_suffixes"
SHARING = "procurement_sharing"
OWN_PARTY = "procurement_own_party"
OBJECT_MARKERS = "procurement_object_markers"
PENDING = "procurement_pending"
PUBLIC_PLACES = "procurement_public_places"
LOGIN_WORDS = "procurement_login_words"

_CN_MONEY = "一二三四五六七八九十兩百千壹貳參叁肆伍陸柒捌玖拾佰仟零〇"
# An amount: 2,760萬, 3400萬, 780 萬, 1,500萬元, NT$3,000,000, $3,456,000, 4,464,000, 6.8M,
# 新台幣三千萬, 新臺幣壹仟零玖拾萬元. Every repetition is bounded, so matching stays linear.
_AMOUNT = re.compile(
    r"(?:NT\$|US\$|NTD|TWD|USD|\$|新台幣|新臺幣)\s*\d[\d,.]{0,15}"
    r"(?:\s*(?:億|萬|万|千|元|百萬|million|M(?![A-Za-z])))?"
    r"|\d[\d,.]{0,15}\s*(?:億|萬|万|千元|元|百萬|million(?![A-Za-z])|[MK](?![A-Za-z]))"
    r"|(?<![\d.])\d{1,3}(?:,\d{3}){1,4}(?!\d|,\d)"
    r"|(?<![\d.])(?<!\d[,/:-])[1-9]\d{5,8}(?![\d/:-])"  # 8760000 (not a phone: those start with 0)
    r"|[" + _CN_MONEY + r"]{1,12}[萬億元]"
)
# A share of the budget: 預算九成, 九五折, 93折, 92%, 0.95.
_RATIO = re.compile(
    r"(?<![\d.])\d{1,3}(?:\.\d{1,2})?\s*[%％]"
    r"|[\d一二三四五六七八九]{1,2}\s*(?:成|折)"
    r"|(?<![\d.])0\.\d{1,3}(?![\d.])"
)
# A line with table cells (| or tab or wide spaces) and a number on a line below it.
_CELLS = re.compile(r"[|\t]| {2,}")
_TABLE_NUMBER = re.compile(r"\d{1,3}(?:,\d{3}){1,4}|\d{4,12}|\d[\d.]{0,8}\s*[萬億]")
# An award already made: 由宏碩科技得標 (not 由誰得標).
_AWARDED = re.compile(r"由(?!誰)[^,，。!?\n]{1,14}?(?:得標|決標)")
# A law article: 第46條, 第 34 條, 第四十六條.
_LAW_REF = re.compile(r"第\s*[\d一二三四五六七八九十百]{1,5}\s*條")

_N = r"[\d一二三四五六七八九十兩]{1,3}"
# 投 as "bid", not 投資 / 投保 / 投票 / 投訴 / 投入 / 投稿 / 投影.
_BID_VERB = r"(?:投標|來投|領標|來領標|參標|遞件|送件|備標|來標|投(?![資保票訴入稿影降放遞]))"
# How many bid: 領標的有五家, 投標廠商只有一家, 收件 5 家, 有3家投標, 只有兩家投, 一家來領標,
# 共收到3份標封, 標封共 4 封, (問我)有幾家投 … (我說)三家, 3 bidders.
_BIDDER_COUNT = re.compile(
    "|".join(
        (
            # 領標的有五家, 投標廠商只有一家, 資格標收件 5 家, 投的只有3家
            r"(?:領標|投標|參標|備標|來標|來投|投的|標[^。!?\n]{0,4}?收件|遞件|送件)"
            r"[^。!！?？\n]{0,8}?(?:有|共|只有|剩|僅)?\s*" + _N + r"\s*家",
            # 投標家數：3, 領標廠商數 5
            r"(?:投標|領標|參標|遞件)(?:廠商)?(?:家數|數量|數)\s*[:：=為是有]?\s*" + _N + r"(?!\d)",
            # 標封共 4 封, 投標文件 3 份
            r"(?:標封|標單|投標文件)[^。!！?？\n]{0,6}?" + _N + r"\s*(?:份|封|家)",
            # 有3家投標, 只有兩家投, 一家來領標, 三家廠商在投
            _N + r"\s*家\s*(?:廠商|公司)?\s*(?:在|來|有)?\s*" + _BID_VERB,
            # 共收到3份標封
            r"(?:收到|收了|來了)\s*" + _N + r"\s*(?:份|封|件)\s*(?:標封|標單|投標|標)",
            # (廠商問我)有幾家投 … (我說)三家
            r"幾家\s*(?:廠商)?\s*來?" + _BID_VERB + r"[^\n]{0,30}?" + _N + r"\s*家",
            # 3 bidders, only two bids
            r"(?<![A-Za-z])(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)"
            r"\s+(?:bidders?|bids|tenders|offers)(?![A-Za-z])",
        )
    ),
    re.IGNORECASE,
)
_COUNT_GATE = re.compile(r"[家份封]|[Bb][Ii][Dd]|[Tt]ender|[Oo]ffers")
# A list of names: 1.昱晟資訊 2.達觀系統 | 東昇、永鑫、立軒 | A / B. Items are short runs of
# name characters; separators are 、 / or a new number.
_ITEM = r"[^\s、,，;；:：。!?！？()（）\n\d/]{2,12}"
_NOTE = r"(?:\s*\([^()\n]{0,12}\))?"  # 張志明（逢甲）
_SEP = r"\s*(?:、|/|\s\(?\d{1,2}\s*[.、)．]|\n\s*\(?\d{1,2}\s*[.、)．])\s*"
_LIST = re.compile(
    r"\s*(?:分別是|分別為|包括|包含|有|是|為)?\s*[:：]?\s*(?:\(?\d{1,2}\s*[.、)．]\s*)?"
    r"(" + _ITEM + _NOTE + r"(?:" + _SEP + _ITEM + _NOTE + r"){1,9})"
)
_SPLIT = re.compile(_SEP + r"|\s*\([^()\n]{0,12}\)")
_NUMBERED = re.compile(r"\d{1,2}\s*[.、)．]")
_ENUM = re.compile(_ITEM + r"(?:、" + _ITEM + r"){1,9}")
WINDOW = 30
# English takes more characters to say the same: "reserve price for the dredging tender is
# NT$38.6 million". An English price word reaches an amount this far on in its sentence.
ENGLISH_WINDOW = 60
_SENTENCE_END = re.compile(r"[。!?！？;；\n]|\.\s")


def _word_regex(words: Sequence[str]) -> re.Pattern[str] | None:
    """One alternation over `words` (and their normalised forms), for lower-cased text."""
    forms = dict.fromkeys(f for w in words for f in (w, normalize(w).text))
    ordered = sorted((w.lower() for w in forms if w), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered)) if ordered else None


class _Spans:
    """Spans sorted by start: `near` looks only at those that can be close (bisect), so a
    message with thousands of hits and thousands of amounts stays linear-logarithmic."""

    def __init__(self, items: Iterable[KeywordHit | Match]) -> None:
        self.items = sorted(items, key=lambda i: i.start)
        self._starts = [i.start for i in self.items]
        self._longest = max((i.end - i.start for i in self.items), default=0)

    def __bool__(self) -> bool:
        return bool(self.items)

    def near(self, anchor: KeywordHit | Match, before: int, after: int) -> list[KeywordHit | Match]:
        lo = bisect_left(self._starts, anchor.start - before - self._longest)
        hi = bisect_right(self._starts, anchor.end + after)
        return near(anchor, self.items[lo:hi], before, after)


def _inside(text: str, hit: KeywordHit, words: Sequence[str]) -> bool:
    """The hit lies inside an occurrence of one of `words` (開標紀錄 in 開標紀錄表)."""
    for word in words:
        pos = text.find(word, max(0, hit.end - len(word)))
        while 0 <= pos <= hit.start:
            if pos + len(word) >= hit.end:
                return True
            pos = text.find(word, pos + 1)
    return False


class ProcurementRule:
    """Reports a reserve price, committee, bidder list or bid document before award."""

    name = "procurement"
    category = PROCUREMENT
    lexicons = (
        PRICE, COMMITTEE, PANEL, BIDDERS, BIDS, PUBLIC, SECRECY, OTHERS, SHARING, CONTEXT,
        EXPLAIN, NORMS, BENIGN_LEXICON,
    )
    anchors = (PRICE, COMMITTEE, PANEL, BIDDERS, BIDS)  # bidder counts are also found by regex

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self._lexicons = lexicons
        self._panel_exceptions = lexicons.words(PANEL_EXCEPTIONS)
        self._public_exceptions = lexicons.words(PUBLIC_EXCEPTIONS)
        self._hypothetical = _word_regex(lexicons.words(HYPOTHETICAL))
        self._other_amounts = _word_regex(lexicons.words(OTHER_AMOUNTS))
        self._suffixes = tuple(normalize(w).text for w in lexicons.words(COMPANY_SUFFIXES))
        self._own_party = tuple(normalize(w).text for w in lexicons.words(OWN_PARTY))
        self._markers = frozenset(normalize(w).text for w in lexicons.words(OBJECT_MARKERS))
        self._pending = _word_regex(lexicons.words(PENDING))
        self._places = frozenset(
            f.lower() for w in lexicons.words(PUBLIC_PLACES) for f in (w, normalize(w).text)
        )
        # 採購網帳號, 採購網的密碼: the site named as a login, not as where a result is published.
        logins = _word_regex(lexicons.words(LOGIN_WORDS))
        self._login = re.compile(rf"\s*(?:上的|的)?\s*(?:{logins.pattern})") if logins else None
        # A company named right before a bid document: A公司的, B廠商, 崇德顧問的, 達觀系統那家的.
        suffixes = "|".join(
            re.escape(w) for w in sorted(self._suffixes, key=len, reverse=True)
        )
        self._company_before = re.compile(
            # A letter or 甲乙丙 for a company: A公司, B廠, 乙廠商.
            r"(?:(?:(?<![A-Za-z])[A-Z]{1,6}|[甲乙丙丁戊])\s*(?:公司|廠商|廠|家)"
            r"|[^\s\d、,，:：。!?()的]{1,8}?(?:"
            + suffixes
            + r"))\s*(?:那家)?\s*的?\s*$"
        )
        # When no anchor word is in the message the keyword pass does not run; a bidder count
        # found by regex then looks its cue words up with these.
        self._fallback = {
            name: _word_regex(lexicons.words(name))
            for name in (PUBLIC, SECRECY, EXPLAIN, NORMS, BENIGN_LEXICON)
        }
        # A member named by surname and title: 黃教授, 歐陽技師, Prof. Lin, Dr. Chen.
        singles = "".join(w for w in lexicons.words("surnames") if len(w) == 1)
        compound = "|".join(re.escape(w) for w in lexicons.words("surnames_compound"))
        titles = "|".join(
            re.escape(w) for w in sorted(lexicons.words(TITLES), key=len, reverse=True)
        )
        self._titled = re.compile(
            r"(?:" + compound + r"|[" + re.escape(singles) + r"])(?:" + titles + r")"
            r"|(?:Prof\.?|Professor|Dr\.?)\s+[A-Z][a-z]+"
        )

    def _hits(self, data: RuleInput, name: str, exceptions: Sequence[str] = ()) -> list[KeywordHit]:
        return clean_hits(data, name, tuple(exceptions) + self._lexicons.exceptions(name))

    def _cues(self, data: RuleInput, name: str, exceptions: Sequence[str] = ()) -> list[KeywordHit]:
        """Hits of a cue lexicon; found by regex when the keyword pass did not run."""
        if data.hits:
            return self._hits(data, name, exceptions)
        pattern = self._fallback[name]
        if pattern is None:
            return []
        text = data.view.text
        found = [
            KeywordHit(name, text[m.start() : m.end()], m.start(), m.end())
            for m in pattern.finditer(text.lower())
        ]
        return [h for h in found if not _inside(text, h, exceptions)]

    def evaluate(self, data: RuleInput) -> list[Match]:
        text = data.view.text
        anchored = any(h.lexicon in self.anchors for h in data.hits)
        counts = self._counts(text) if _COUNT_GATE.search(text) else []
        if not anchored and not counts:
            return []  # everyday chat: no procurement word at all
        if self._benign(data):
            return []
        secrecy = self._cues(data, SECRECY)
        published = self._cues(data, PUBLIC, self._public_exceptions)
        if published and self._login is not None:
            published = [h for h in published if not self._names_login(text, h)]
        awarded = _AWARDED.search(text)
        public = (published or awarded) and not secrecy
        if public and (awarded or not self._seen_open(text, counts, published)):
            return []  # a published result or 採購法 training
        # An explanation of the rules, a definition or a quoted law article.
        explained = bool(self._cues(data, EXPLAIN)) or _LAW_REF.search(text) is not None
        # Weak evidence: a secrecy or pre-award cue, unless the message teaches or states the
        # rule (為什麼底價要保密, 開標前不能講是規定).
        hushed = bool(secrecy) and not explained and not self._cues(data, NORMS)
        amounts = _Spans(
            KeywordHit(PRICE, m.group(0), m.start(), m.end()) for m in _AMOUNT.finditer(text)
        )
        found = (
            self._price(data, amounts, hushed, explained)
            or self._committee(data, hushed)
            or self._bidders(data, counts, amounts, hushed, explained)
            or self._bid_documents(data, amounts, secrecy)
        )
        return [found] if found else []

    def _benign(self, data: RuleInput) -> bool:
        """`support.is_benign`, also when the keyword pass did not run."""
        if not data.view.config.benign_cues:
            return False
        if not self._cues(data, BENIGN_LEXICON):
            return False
        return not has_checksum_identifier(data.entities)

    # -- the four kinds of leak -------------------------------------------------------------

    def _price(
        self, data: RuleInput, amounts: _Spans, hushed: bool, explained: bool
    ) -> Match | None:
        text = data.view.text
        ratios = _Spans(
            KeywordHit(PRICE, m.group(0), m.start(), m.end()) for m in _RATIO.finditer(text)
        )
        for hit in self._hits(data, PRICE):
            if self._priced(text, hit, amounts) or self._table_column(text, hit):
                return self._match(hit, 0.9, "reserve price before award")
            if (ratios.near(hit, 5, WINDOW) and not explained) or hushed:
                return self._match(hit, 0.9, "reserve price before award")
        return None

    def _priced(self, text: str, hit: KeywordHit, amounts: _Spans) -> bool:
        """An amount right before the word or after it that is not another figure: no other
        figure's name (預算, 押標金 …) between the word and the amount or just before it."""
        english = hit.word.isascii()
        for amount in amounts.near(hit, 5, ENGLISH_WINDOW if english else WINDOW):
            if amount.start < hit.start:
                label = text[max(0, amount.start - 8) : amount.start]
            else:
                label = text[hit.end : amount.start]
                if amount.start - hit.end > WINDOW and _SENTENCE_END.search(label):
                    continue  # beyond the Chinese window only within the English sentence
            if self._other_amounts is None or not self._other_amounts.search(label.lower()):
                return True
        return False

    @staticmethod
    def _table_column(text: str, hit: KeywordHit) -> bool:
        """The word heads a column (項目｜預算｜底價) and a line below holds a number."""
        line_start = text.rfind("\n", 0, hit.start) + 1
        line_end = text.find("\n", hit.end)
        if line_end < 0 or not _CELLS.search(text, line_start, line_end):
            return False
        below = text[line_end + 1 : line_end + 400].split("\n", 3)[:3]
        return any(_TABLE_NUMBER.search(line) for line in below)

    def _committee(self, data: RuleInput, hushed: bool) -> Match | None:
        text = data.view.text
        titled = [
            KeywordHit(PERSON, m.group(0), m.start(), m.end()) for m in self._titled.finditer(text)
        ]
        persons = _Spans([e for e in data.entities if e.type == PERSON] + titled)
        for hit in self._hits(data, COMMITTEE):
            named = "名單" in hit.word or persons.near(hit, 5, 40) or "廠商" in text
            if named or hushed:
                return self._match(hit, 0.85, "evaluation committee before evaluation")
        if not persons:
            return None
        # A tender in view: a context word, another procurement word, a secrecy cue, or a
        # different panel word (評選 for a 委員).
        views = self._hits(data, CONTEXT) + [
            h for h in data.hits if h.lexicon in (PRICE, BIDDERS, BIDS)
        ]
        panel = self._hits(data, PANEL, self._panel_exceptions)
        words = {h.word for h in panel}
        for hit in panel:
            listed = text.startswith("名單", hit.end)  # 評審名單：…
            in_view = (
                hushed
                or len(words) > 1
                or any(v.end <= hit.start or v.start >= hit.end for v in views)
            )
            if (listed or in_view) and persons.near(hit, 12, WINDOW):
                return self._match(hit, 0.8, "evaluation committee member named")
        return None

    def _names_login(self, text: str, hit: KeywordHit) -> bool:
        """The site is named as a login (採購網帳號 pcc_gov05): not a published result."""
        assert self._login is not None
        return hit.word.lower() in self._places and (
            self._login.match(text.lower(), hit.end) is not None
        )

    def _seen_open(
        self, text: str, counts: list[re.Match[str]], published: list[KeywordHit]
    ) -> bool:
        """A count of a tender still open, read on the site that runs it: every public word
        only names the site (採購網) and a count says "so far" (目前已經有幾家投標…4家)."""
        if not counts or self._pending is None:
            return False
        if not all(h.word.lower() in self._places for h in published):
            return False
        return any(
            self._pending.search(text[max(0, m.start() - 12) : m.end()].lower()) for m in counts
        )

    def _counts(self, text: str) -> list[re.Match[str]]:
        """Bidder counts that state a fact (not 如果只有一家, 未滿三家)."""
        out = []
        for m in _BIDDER_COUNT.finditer(text):
            around = text[max(0, m.start() - 6) : m.end() + 2].lower()
            if self._hypothetical is None or not self._hypothetical.search(around):
                out.append(m)
        return out

    def _bidders(
        self,
        data: RuleInput,
        counts: list[re.Match[str]],
        amounts: _Spans,
        hushed: bool,
        explained: bool,
    ) -> Match | None:
        if counts and not explained:
            m = counts[0]
            return rule_match(
                "PROCUREMENT_SECRET", PROCUREMENT, m.start(), m.end(), 0.85, self.name,
                "number of bidders before opening",
            )
        text = data.view.text
        for hit in self._hits(data, BIDDERS):
            if hushed or self._lists_bidders(text, hit):
                return self._match(hit, 0.8, "bidders before opening")
            priced = [a for a in amounts.near(hit, WINDOW, WINDOW) if self._bid_amount(text, a)]
            if priced:
                return self._match(hit, 0.8, "bidders before opening")
        return None

    def _bid_amount(self, text: str, amount: KeywordHit) -> bool:
        """An amount that is not the budget, a deposit or another named figure."""
        before = text[max(0, amount.start - 8) : amount.start].lower()
        return self._other_amounts is None or not self._other_amounts.search(before)

    def _lists_bidders(self, text: str, hit: KeywordHit) -> bool:
        """Names after a bidder noun (投標廠商：1.A 2.B, 領標名單：A、B、C), or a list near any
        bidder word whose items include a company name (昱晟資訊、達觀系統)."""
        word = hit.word.lower()
        if "廠商" in word or "名單" in word or "bidder" in word:
            m = _LIST.match(text, hit.end)
            if m:
                items = [i for i in _SPLIT.split(m.group(1)) if i and i.strip()]
                numbered = _NUMBERED.search(m.group(0)) is not None
                short = len(items) >= 3 and all(len(i.strip()) <= 4 for i in items)
                if numbered or short or any(i.strip().endswith(self._suffixes) for i in items):
                    return True
        window = text[max(0, hit.start - WINDOW) : hit.end + 40]
        for m in _ENUM.finditer(window):
            if any(i.endswith(self._suffixes) for i in m.group(0).split("、")):
                return True
        return False

    def _bid_documents(
        self, data: RuleInput, amounts: _Spans, secrecy: list[KeywordHit]
    ) -> Match | None:
        text = data.view.text
        others = _Spans(self._hits(data, OTHERS))
        sharing = _Spans(self._hits(data, SHARING))
        for hit in self._hits(data, BIDS):
            priced = secrecy and amounts.near(hit, WINDOW, WINDOW)
            if others.near(hit, WINDOW, WINDOW) or priced:
                return self._match(hit, 0.8, "another bidder's documents shared")
            if sharing.near(hit, WINDOW, WINDOW) and self._named_company(text, hit):
                return self._match(hit, 0.8, "another bidder's documents shared")
        return None

    def _named_company(self, text: str, hit: KeywordHit) -> bool:
        """A company other than the writer's own is named right before the document word."""
        before = text[max(0, hit.start - 14) : hit.start]
        m = self._company_before.search(before)
        if m is None:
            return False
        return not any(self._own_word(before[: m.end()], w) for w in self._own_party)

    def _own_word(self, before: str, word: str) -> bool:
        """`word` (我們) stands before the company with no other party brought in between
        (我們公司的, 我們崇德的; not 我們把A公司的)."""
        pos = before.rfind(word)
        return pos >= 0 and not any(c in self._markers for c in before[pos + len(word) :])

    def _match(self, hit: KeywordHit, score: float, reason: str) -> Match:
        return rule_match(
            "PROCUREMENT_SECRET", PROCUREMENT, hit.start, hit.end, score, self.name, reason
        )
