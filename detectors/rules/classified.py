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

# A filled-in classification header: 機密等級：密, 密等：機密, 保密期限：…
_HEADER = re.compile(r"(?:機密等級|密等|保密期限|解密條件)\s*[:：]\s*\S")
# Signs that a document or its content is in the message or being passed on.
_SHARING = re.compile(
    r"附件|如附|如下|內容|全文|影本|掃描|截圖|檔案|文件|分享|給大家|丟群組|傳給|轉給|先丟|先傳"
    r"|閱後即刪|[:：]\s*\S"
)
EXPLAIN_WINDOW = 12


class ClassifiedRule:
    """Reports a classification marking unless the message only explains the rules."""

    name = "classified"
    category = CLASSIFIED
    lexicons = (MARKINGS, EXPLAIN, BENIGN_LEXICON)

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self._lexicons = lexicons

    def evaluate(self, data: RuleInput) -> list[Match]:
        text = data.view.text
        header = _HEADER.search(text)
        markings = clean_hits(data, MARKINGS, self._lexicons.exceptions(MARKINGS))
        if (not markings and header is None) or is_benign(data):
            return []
        if header is not None:
            return [
                rule_match(
                    "CLASSIFIED_MARKING", CLASSIFIED, header.start(), header.end() - 1, 0.9,
                    self.name, "classification header filled in",
                )
            ]
        explain = clean_hits(data, EXPLAIN)
        sharing = _SHARING.search(text) is not None
        for hit in markings:
            if near(hit, explain, EXPLAIN_WINDOW, EXPLAIN_WINDOW) and not sharing:
                continue
            return [
                rule_match(
                    "CLASSIFIED_MARKING", CLASSIFIED, hit.start, hit.end, 0.8, self.name,
                    f"classification marking {hit.word}",
                )
            ]
        return []
