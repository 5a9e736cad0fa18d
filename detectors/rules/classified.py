"""classified: content marked or described as classified being shared.

A marking (`classified_markings.txt`: 密件, 機密, 限閱, 機敏, 請勿外流, 內部資料勿轉傳 …) is what a
civil servant puts on a document that must not leave the office; seeing one in a group chat
means the content is (or is about to be) out. A form header such as 機密等級：密 counts too.

Not an incident: explaining the rules (`classified_explain.txt`: 機密等級的規定, 保密宣導,
國家機密保護法, 密碼學 …) when nothing in the message shares a document, and training
material (benign cues).
"""

from __future__ import annotations

import re

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import Match
from detectors.rules.base import RuleInput
from detectors.rules.support import BENIGN_LEXICON, clean_hits, is_benign, near, rule_match
from detectors.types import CLASSIFIED

MARKINGS = "classified_markings"
EXPLAIN = "classified_explain"
EXCEPTIONS = "classified_exceptions"
# A caution phrase asks readers to keep something in; it marks what it accompanies. When another
# category (a raid plan, a password) is reported for the same message, decide.py lets that
# category speak alone (see `CAUTION_TYPE`).
CAUTION_TYPE = "CLASSIFIED_CAUTION"
MARKING_TYPE = "CLASSIFIED_MARKING"
_CAUTION = re.compile(r"(?:外流|轉傳|外洩|外傳)$")
# A stamp: 「密」, 【密】, （密）, 蓋了密字.
_STAMP = re.compile(r"[「【(（\[]\s*(?:密|機密|極機密|絕對機密|密件|限閱)\s*[」】)）\]]")

# A filled-in classification header: 機密等級：密, 密等：機密, 保密期限：…
_HEADER = re.compile(r"(?:機密等級|密等|保密期限|解密條件)\s*[:：]\s*\S")
# Signs that a document or its content is in the message or being passed on.
_SHARING = re.compile(
    r"附件|如附|如下|全文|影本|掃描|截圖|拍照|給你看|分享|給大家|丟群組|傳給|轉給|先丟|先傳"
    r"|閱後即刪|打出來|節錄|放在這|貼在這|我先丟"
)
EXPLAIN_WINDOW = 12


class ClassifiedRule:
    """Reports a classification marking unless the message only explains the rules."""

    name = "classified"
    category = CLASSIFIED
    lexicons = (MARKINGS, EXPLAIN, EXCEPTIONS, BENIGN_LEXICON)
    anchors = (MARKINGS,)  # headers and stamps are found by regex

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self._exceptions = lexicons.words(EXCEPTIONS) + lexicons.exceptions(MARKINGS)

    def evaluate(self, data: RuleInput) -> list[Match]:
        text = data.view.text
        header = _HEADER.search(text) or _STAMP.search(text)
        markings = clean_hits(data, MARKINGS, self._exceptions)
        if (not markings and header is None) or is_benign(data):
            return []
        explain = clean_hits(data, EXPLAIN)
        if header is not None and not [
            h for h in explain if h.end <= header.start() or h.start >= header.end()
        ]:
            return [
                rule_match(
                    MARKING_TYPE, CLASSIFIED, header.start(), header.end(), 0.9,
                    self.name, "classification header or stamp",
                )
            ]
        sharing = _SHARING.search(text) is not None
        # A real marking speaks before a caution phrase in the same message.
        markings.sort(key=lambda h: _CAUTION.search(h.word) is not None)
        for hit in markings:
            labelled = text[hit.end : hit.end + 2].startswith((":", "：", "】", "」", "]"))
            if near(hit, explain, EXPLAIN_WINDOW, EXPLAIN_WINDOW) and not (sharing or labelled):
                continue
            caution = _CAUTION.search(hit.word) is not None
            return [
                rule_match(
                    CAUTION_TYPE if caution else MARKING_TYPE, CLASSIFIED, hit.start, hit.end,
                    0.7 if caution else 0.8, self.name, f"classification marking {hit.word}",
                )
            ]
        return []
