"""raid: a non-public enforcement operation being planned or coordinated in the chat.

An action word (`raid_actions.txt`: 搜索, 查緝, 臨檢, 收網, 搜索票, 跟監, raid …) alone is not
enough — it is everyday vocabulary in a police or inspection office. The rule needs, near the
action, at least one operational detail: timing (`raid_timing.txt` plus clock times such as
6點, 0600, 11:15), deployment (`raid_deployment.txt`: 警力, 集合, 分組 …), or a target
(`raid_targets.txt`: 目標, 嫌犯, 據點 …) or a suspect's name or identifier.

Not an incident: IT chat (搜索功能, 搜尋引擎: `raid_exceptions.txt` and the configuration's
`keyword_exceptions`), news or history of a past, already public operation (`raid_past.txt`,
unless future timing is also present), and training material (benign cues).
"""

from __future__ import annotations

import re

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import Match
from detectors.rules.base import KeywordHit, RuleInput
from detectors.rules.support import BENIGN_LEXICON, clean_hits, is_benign, near, rule_match
from detectors.types import ENTITY_TYPES, RAID

ACTIONS = "raid_actions"
TIMING = "raid_timing"
DEPLOYMENT = "raid_deployment"
TARGETS = "raid_targets"
PAST = "raid_past"
EXCEPTIONS = "raid_exceptions"

# Clock times: 6點, 六點, 11點半, 0600, 06:00, 6:30, 0430時. Four bare digits need a time cue
# around them so that years and amounts do not count.
_CLOCK = re.compile(
    r"(?<!\d)(?:[01]?\d|2[0-3])\s*[點时時](?:半|\d{1,2}分?)?"
    r"|(?<![\d:])(?:[01]?\d|2[0-3])[:：][0-5]\d(?![\d:])"
    r"|[一二三四五六七八九十兩]{1,3}點"
    r"|(?<!\d)(?:[01]\d|2[0-3])[0-5]\d(?:時|前|集合|出發|進場|執行|同步|行動)"
    r"|(?:時間|日|早|晚|明天|今晚|凌晨)\s*(?:[01]\d|2[0-3])[0-5]\d(?!\d)"
    # a date: 8/14, 3月18日 (an operation scheduled for a day)
    r"|(?<![\d/])(?:1[0-2]|0?[1-9])/(?:3[01]|[12]\d|0?[1-9])(?![\d/])"
    r"|(?:1[0-2]|[1-9])月(?:3[01]|[12]\d|[1-9])日"
)
# How far from the action word the details may be (a short message, a line of a plan).
WINDOW = 60


class RaidRule:
    """Reports an enforcement action word with timing, deployment or a target near it."""

    name = "raid"
    category = RAID
    lexicons = (ACTIONS, TIMING, DEPLOYMENT, TARGETS, PAST, EXCEPTIONS, BENIGN_LEXICON)
    anchors = (ACTIONS,)

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self._exceptions = lexicons.words(EXCEPTIONS) + lexicons.exceptions(ACTIONS)

    def evaluate(self, data: RuleInput) -> list[Match]:
        actions = clean_hits(data, ACTIONS, self._exceptions)
        if not actions or is_benign(data):
            return []
        text = data.view.text
        timing: list[KeywordHit | Match] = list(clean_hits(data, TIMING))
        timing.extend(
            KeywordHit(TIMING, m.group(0), m.start(), m.end()) for m in _CLOCK.finditer(text)
        )
        deployment = clean_hits(data, DEPLOYMENT)
        targets: list[KeywordHit | Match] = list(clean_hits(data, TARGETS))
        targets.extend(e for e in data.entities if e.type in ENTITY_TYPES)
        past = clean_hits(data, PAST)
        for action in actions:
            when = near(action, timing, WINDOW, WINDOW)
            how = near(action, deployment, WINDOW, WINDOW)
            what = near(action, targets, WINDOW, WINDOW)
            kinds = [k for k, v in (("timing", when), ("deployment", how), ("target", what)) if v]
            if not kinds or (action.word.lower() in _WEAK and not (what and len(kinds) >= 2)):
                continue
            if kinds == ["deployment"] and len({h.word for h in how}) < 2:
                continue  # "臨檢時請攜帶證件": one generic word is an instruction, not a plan
            if _REQUEST.search(text, max(action.start - 20, 0), action.start):
                continue  # a citizen's petition asking for an inspection is not a plan
            if past and (not when or _NEWS.search(text)):
                continue  # news of a past operation ("昨日搜索…已移送", "警方破獲…")
            return [
                rule_match(
                    "RAID_PLAN",
                    RAID,
                    action.start,
                    action.end,
                    0.7 + 0.1 * len(kinds),
                    self.name,
                    f"enforcement action with {', '.join(kinds)}",
                )
            ]
        return []


# Action words that are also everyday office words (專案 = project, 行動 = action): they need a
# target and one more detail ("明晚的行動目標換了" yes, "明天9點到專案辦公室集合" no).
_WEAK = frozenset({"專案", "行動", "代號", "operation", "偵辦", "約談", "支援"})
# Words of a news report or a closed case: with one of them the operation is already public.
_NEWS = re.compile(
    r"破獲|起獲|偵結|起訴|判決|新聞|報導|記者|戰果|宣布|已逮捕|已移送|公告|歡迎民眾|加強稽查"
)
# A request for enforcement ("懇請貴局派員稽查", "請求警方臨檢"): the writer asks the agency to
# act — the text of a petition, not the agency's own non-public plan.
# Only words a petitioner uses: 敬請/請求 also open inter-agency requests for support.
_REQUEST = re.compile(r"懇請|陳請|籲請|陳情")
