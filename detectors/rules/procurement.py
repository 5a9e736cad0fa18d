"""procurement: secrets of a tender before it is awarded.

Four kinds of leak, each a keyword lexicon plus the detail that makes it concrete:
- the reserve price (`procurement_price.txt`: 底價 …) with an amount or a secrecy cue;
- the evaluation committee (`procurement_committee.txt`: 評選委員名單 …) — a named list, a
  person's name, or a secrecy/pre-evaluation cue;
- the bidders (`procurement_bidders.txt`: 投標廠商家數 …, and counts such as 領標的有五家);
- other bidders' documents (`procurement_bids.txt`: 服務建議書, 報價 …) passed around
  (`procurement_others.txt`: 他們家, 傳你, 改一改 …).
A secrecy cue is `procurement_secrecy.txt` (開標前, 先不要說, 保密 …).

Not an incident: published results (`procurement_public.txt`: 決標公告, 已決標 …) unless a
pre-award cue says otherwise, general 採購法 training, and training material (benign cues).
"""

from __future__ import annotations

import re

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import Match
from detectors.rules.base import KeywordHit, RuleInput
from detectors.rules.support import BENIGN_LEXICON, clean_hits, is_benign, near, rule_match
from detectors.types import PERSON, PROCUREMENT

PRICE = "procurement_price"
COMMITTEE = "procurement_committee"
BIDDERS = "procurement_bidders"
BIDS = "procurement_bids"
PUBLIC = "procurement_public"
SECRECY = "procurement_secrecy"
OTHERS = "procurement_others"

_NUM = r"[\d０-９一二三四五六七八九十兩百千萬億,，.]"
# An amount: 2,760萬, 3400萬, 1,500萬元, NT$3,000,000, 新台幣三千萬.
_AMOUNT = re.compile(
    r"(?:NT\$|\$|新台幣|新臺幣)?\s*\d[\d,，.]*\s*(?:億|萬|万|千|元|%|％)"
    r"|[一二三四五六七八九十兩百千壹貳參肆伍陸柒捌玖拾佰仟]+[萬億元]"
)
# How many bid: 領標的有五家, 投標廠商只有一家, 有3家投標, 共兩家參標.
_BIDDER_COUNT = re.compile(
    r"(?:領標|投標|參標|備標|來標)[^。！？\n]{0,6}?(?:有|共|只有|剩|僅)?\s*" + _NUM + r"{1,3}\s*家"
    r"|" + _NUM + r"{1,3}\s*家(?:廠商)?(?:投標|領標|參標|來投|遞件|送件)"
)
# The price itself follows: 底價：…, 底價是…, 底價算出來是…
_DISCLOSED = re.compile(
    r"[^。，,\n]{0,6}?(?:[:：=]|是|為|訂在|抓在)\s*[\d０-９一二三四五六七八九十兩壹貳參肆伍陸柒捌玖新]"
)
WINDOW = 30


class ProcurementRule:
    """Reports a reserve price, committee, bidder list or bid document before award."""

    name = "procurement"
    category = PROCUREMENT
    lexicons = (PRICE, COMMITTEE, BIDDERS, BIDS, PUBLIC, SECRECY, OTHERS, BENIGN_LEXICON)
    anchors = (PRICE, COMMITTEE, BIDDERS, BIDS)  # bidder counts are also found by regex

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self._lexicons = lexicons

    def _hits(self, data: RuleInput, name: str) -> list[KeywordHit]:
        return clean_hits(data, name, self._lexicons.exceptions(name))

    def evaluate(self, data: RuleInput) -> list[Match]:
        text = data.view.text
        if not any(h.lexicon in self.anchors for h in data.hits) and not _BIDDER_COUNT.search(
            text
        ):
            return []  # everyday chat: no procurement word at all
        if is_benign(data):
            return []
        secrecy = self._hits(data, SECRECY)
        if self._hits(data, PUBLIC) and not secrecy:
            return []  # a published result or 採購法 training
        amounts: list[KeywordHit | Match] = [
            KeywordHit(PRICE, m.group(0), m.start(), m.end()) for m in _AMOUNT.finditer(text)
        ]
        for hit in self._hits(data, PRICE):
            disclosed = _DISCLOSED.match(text, hit.end) is not None
            if disclosed or near(hit, amounts, 5, WINDOW) or secrecy:
                return [self._match(hit, 0.9, "reserve price before award")]
        persons = [e for e in data.entities if e.type == PERSON]
        for hit in self._hits(data, COMMITTEE):
            named = "名單" in hit.word or near(hit, persons, 5, 40) or "廠商" in text
            if named or secrecy:
                return [self._match(hit, 0.85, "evaluation committee before evaluation")]
        for m in _BIDDER_COUNT.finditer(text):
            return [
                rule_match(
                    "PROCUREMENT_SECRET", PROCUREMENT, m.start(), m.end(), 0.85, self.name,
                    "number of bidders before opening",
                )
            ]
        for hit in self._hits(data, BIDDERS):
            if secrecy or near(hit, amounts, WINDOW, WINDOW):
                return [self._match(hit, 0.8, "bidders before opening")]
        others = self._hits(data, OTHERS)
        for hit in self._hits(data, BIDS):
            priced = secrecy and near(hit, amounts, WINDOW, WINDOW)
            if near(hit, others, WINDOW, WINDOW) or priced:
                return [self._match(hit, 0.8, "another bidder's documents shared")]
        return []

    def _match(self, hit: KeywordHit, score: float, reason: str) -> Match:
        return rule_match(
            "PROCUREMENT_SECRET", PROCUREMENT, hit.start, hit.end, score, self.name, reason
        )
