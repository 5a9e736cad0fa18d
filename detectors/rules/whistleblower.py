"""whistleblower: a message that reveals or narrows down who complained or informed.

Anchors are role words (`whistleblower_roles.txt`: 檢舉人, 陳情人, 線民 …) and the spoken
form "檢舉…的是" (this time the one who reported us is …). Around an anchor the rule looks for
what identifies the person: a name, a contact detail or an identifier, a narrowing descriptor
(`whistleblower_narrowing.txt`: 同棟鄰居, 夜班組長, 住在對面 …), or the forwarded complaint
itself with its source (`whistleblower_forward.txt`: 檢舉信, 寄件人 …).

Not an incident: procedure talk with nothing that points at a person (檢舉人身分應保密,
請依規定保護檢舉人, `whistleblower_procedure.txt`), and training material or news without a
checksum-valid identifier (the shared benign-cue test).
"""

from __future__ import annotations

import re

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import Match
from detectors.rules.base import KeywordHit, RuleInput
from detectors.rules.support import BENIGN_LEXICON, clean_hits, is_benign, near, rule_match
from detectors.types import CONTACT_DETAILS, PERSON, STRONG_IDENTIFIERS, WHISTLEBLOWER

ROLES = "whistleblower_roles"
NARROWING = "whistleblower_narrowing"
PROCEDURE = "whistleblower_procedure"
FORWARD = "whistleblower_forward"
VERBS = "whistleblower_verbs"
SPOKEN = "spoken form"  # anchors found by `_VERB_ROLE`, not a lexicon

# "這次檢舉環保局的是…", "吹哨的是…", "舉報違法傾倒的是…": the verb form of a role word.
_VERB_ROLE = re.compile(
    r"(?:檢舉|舉報|舉發|陳情|申訴|投訴|爆料|吹哨|告發|通報|密報)[^。！？!?\n，,]{0,14}?的"
    r"(?:人|民眾)?(?:其實|應該|就|可能|八成)?(?:是|為)"
    # the passive: 被他們自己的櫃台小姐檢舉的 names who complained
    r"|被[^。！？!?\n，,]{1,15}?(?:檢舉|舉報|投訴|爆料|告發|舉發)(?:的|了)"
)
# A nickname right after the role word (線民阿龍說…, 檢舉人是老張): what colleagues call the
# person is as identifying as the name.
_NICKNAME = re.compile(
    r"[\s:：,，]*(?:是|叫|綽號|外號)?\s*(?:阿|老|小)"
    r"(?![姨伯公嬤媽婆爸舅嬸姑師闆人孩朋弟妹姐哥心])[\u4e00-\u9fff]"
    r"(?=說|講|表示|的|是|在|他|她|今|明|昨|[，,。！？!?\s]|$)"
)
# Forwarded complaints that carry their sender: with a name or contact detail they reveal them.
_FORWARD_ANCHOR = re.compile(r"檢舉|陳情|投訴|申訴|匿名|署名|具名")
# Public channels, not a forwarded complaint: 檢舉信箱 holds 檢舉信.
_CHANNELS = ("檢舉信箱", "陳情信箱", "檢舉專線", "陳情專線", "投訴信箱", "申訴信箱")
_SOURCE = re.compile(r"來源|寄件|八成是|應該是|就是")
# Identifying details count this far after the anchor (a sentence) and a little before it
# ("林先生是這次的檢舉人").
WINDOW_AFTER = 45
WINDOW_BEFORE = 15
# A narrowing word must be closer: it describes the person the role word names.
NARROW_AFTER = 30
NARROW_BEFORE = 6
IDENTIFYING = CONTACT_DETAILS | STRONG_IDENTIFIERS | {PERSON}


class WhistleblowerRule:
    """Reports a complainant's role word next to something that identifies them."""

    name = "whistleblower"
    category = WHISTLEBLOWER
    lexicons = (ROLES, NARROWING, PROCEDURE, FORWARD, VERBS, BENIGN_LEXICON)
    anchors = (ROLES, FORWARD, VERBS)

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self._lexicons = lexicons

    def _anchors(self, data: RuleInput) -> list[KeywordHit]:
        anchors = clean_hits(data, ROLES, self._lexicons.exceptions(ROLES))
        for m in _VERB_ROLE.finditer(data.view.text):
            anchors.append(KeywordHit(SPOKEN, m.group(0), m.start(), m.end()))
        return anchors

    def evaluate(self, data: RuleInput) -> list[Match]:
        anchors = self._anchors(data)
        forward = clean_hits(data, FORWARD, _CHANNELS + self._lexicons.exceptions(FORWARD))
        if not (anchors or forward) or is_benign(data):
            return []
        ids = [e for e in data.entities if e.type in IDENTIFYING]
        narrowing = clean_hits(data, NARROWING, self._lexicons.exceptions(NARROWING))
        procedure = clean_hits(data, PROCEDURE)
        for anchor in anchors:
            if _NICKNAME.match(data.view.text, anchor.end):
                return [self._match(anchor, 0.85, "role word with a nickname")]
            found = near(anchor, ids, WINDOW_BEFORE, WINDOW_AFTER)
            if found:
                kinds = sorted({getattr(f, "type", "") for f in found})
                return [self._match(anchor, 0.9, f"role word with {', '.join(kinds)}")]
            narrow = [
                h
                for h in near(anchor, narrowing, NARROW_BEFORE, NARROW_AFTER)
                if _describes(data.view.text, anchor, h)
            ]
            if narrow and not near(anchor, procedure, 10, 20):
                return [self._match(anchor, 0.8, "role word with a narrowing descriptor")]
            if near(anchor, forward, 20, 20) and not procedure:
                return [self._match(anchor, 0.75, "complaint forwarded with its source")]
        for hit in forward:
            if not _FORWARD_ANCHOR.search(hit.word):
                continue
            if near(hit, ids, 10, 40):
                return [self._match(hit, 0.8, "complaint forwarded with the sender's details")]
            tail = data.view.text[hit.start : hit.end + 30]
            if _SOURCE.search(tail) and near(hit, narrowing, 0, 30):
                return [self._match(hit, 0.75, "complaint forwarded with its source described")]
        return []

    def _match(self, anchor: KeywordHit, score: float, reason: str) -> Match:
        return rule_match(
            "WHISTLEBLOWER_ROLE", WHISTLEBLOWER, anchor.start, anchor.end, score, self.name, reason
        )


# What links a role word to a description of the person in the same clause:
# 檢舉人「是」夜班組長, 陳情人「住」在對面, 線民說他「在」酒店「當」圍事, 被告「的」前妻.
_LINK_WORD = re.compile(r"是|為|住|在|的|當|做|擔任|任職|服務|就讀|開")
_SENTENCE_END = re.compile(r"[。！？!?\n]")


def _describes(text: str, anchor: KeywordHit, hit: KeywordHit) -> bool:
    """Whether a narrowing word describes the person the anchor names, not the conversation
    around them: in the same sentence and linked by 是/住/在/的 … ("檢舉人是夜班組長",
    "陳情人為退休科長，現在住在同一社區"); "檢舉人打電話來問" and "陳情人不滿意，要求主管
    出面" are not. Inside a spoken anchor (被櫃台小姐檢舉的) the description is part of it."""
    if hit.start < anchor.end and anchor.start < hit.end:
        return anchor.lexicon == SPOKEN and (hit.start > anchor.start or hit.end < anchor.end)
    after = hit.start >= anchor.end
    between = text[anchor.end : hit.start] if after else text[hit.end : anchor.start]
    if _SENTENCE_END.search(between):
        return False
    if after and anchor.lexicon == SPOKEN:
        return True  # "爆料的是…": everything after the anchor describes the person
    return between == "" or _LINK_WORD.search(between) is not None
