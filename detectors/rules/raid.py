"""raid: a non-public enforcement operation being planned or coordinated in the chat.

An action word alone is not enough — it is everyday vocabulary in a police or inspection
office. Near the action the rule looks for operational details of five kinds:

* timing — `raid_timing.txt` plus clock times (6點半, 0600, 06:00, ETA 2300), dates (11/27)
  and relative times (一小時內);
* deployment — `raid_deployment.txt` (警力, 集合, 會同, standby …) plus teams and head counts
  (第一組, A組, team B, 兩組人, 兵力18人, 兩位);
* target — `raid_targets.txt` (目標, 嫌犯, 倉儲 …), a suspect's identifiers, or a place pointed
  at (那家, 那間);
* secrecy — `raid_secrecy.txt` (不預告, 不要先通知, 勿外流 …) and "不要讓…知道";
* scene — `raid_scene.txt` (路口, 停車場, 外套 …) and room or floor numbers (305號房, B2). Weak:
  it adds to other kinds but never suffices alone.

Actions come in four strengths:

* strong words (`raid_actions.txt`: 搜索, 查緝, 臨檢, 收網, 押解 …) need one kind besides scene;
* weak words (`_WEAK`: 行動, 專案 …) need a target and one more kind, or timing right before
  them ("明早行動") with a deployment or secrecy detail;
* field words (`raid_cues.txt`: 進場, 查帳, 抄點, 咬住, go signal …; time-table slang such as
  "10點半收", "九點抄那間"; clause-end "在路口攔"; a suspect's movement, `raid_movements.txt`,
  right after a target word: "target 剛進…") are everyday words too: they need two kinds, one
  of them deployment, target or secrecy;
* weak field words (`raid_weak_cues.txt`: 動手, 帶回, 採樣 …; clause-end "在橋下等", "就可以動")
  need two kinds, one of them a named target (not just 那家), secrecy, or two deployment words.

Field words next to an everyday context (`raid_civil.txt`: 施工, 觀眾 …) do not count. An
everyday inspection word (`raid_inspections.txt`: 安檢, 抽查) right after a no-notice word
(`raid_unannounced.txt`: 無預警, 不預告) is a field word. A slang verb inside an action word
(查 of 去稽查) is that word. English text (mostly ASCII) gets a doubled window and English
head counts ("2 vans", `raid_force_nouns.txt`).

Mentioned in passing: a strong action as the time frame of another instruction (稽查的時候,
稽查時, 收網那天: `raid_frames.txt`) needs two substantive kinds, a routine's hour (每天早上:
`raid_habitual.txt`) not among them — "稽查的時候別讓工廠知道是她" protects a complainant, it
plans nothing. "不要讓…知道是她/是誰" hides who, not the operation: no secrecy. A weak word's
own detail (代號「 of 線民代號「小蜜蜂」) and a date inside an identifier (a birth date) are
no details. An action glued into an office's name (查處 of 檢查處: `raid_unit_tails.txt`) is
no action, and one said done before it (已辦理扣押) is done like 搜索了.

Not an incident: IT chat (搜索功能: `raid_exceptions.txt`, the configuration's
`keyword_exceptions`, and an action next to an IT word of `raid_it_context.txt`), talk about
the procedure (an action next to `raid_doc_context.txt`: 臨檢的SOP, 拘提的規定), an office name
(稽查科: an action followed by a `raid_units.txt` ending counts only as a field word), news or
history of a past operation (`raid_past.txt` or a done action, 搜索了, unless future timing is
also present), an operation announced to its targets or the public (`raid_public.txt`:
已函知各業者, 上網公布; not when negated: 不預告), a citizen's petition, and training material
(benign cues).

Speed: the keyword pass runs only when an action word is present; the detail regexes run only
when lexicon details are not enough; guard words are looked up only around an action about to
be reported.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.normalize import normalize
from detectors.recognizers.base import Match
from detectors.rules.base import KeywordHit, RuleInput
from detectors.rules.support import BENIGN_LEXICON, is_benign, rule_match
from detectors.types import ENTITY_TYPES, RAID

ACTIONS = "raid_actions"
CUES = "raid_cues"
WEAK_CUES = "raid_weak_cues"
MOVEMENTS = "raid_movements"
TIMING = "raid_timing"
DEPLOYMENT = "raid_deployment"
TARGETS = "raid_targets"
SCENE = "raid_scene"
SECRECY = "raid_secrecy"
PAST = "raid_past"
PUBLIC = "raid_public"
EXCEPTIONS = "raid_exceptions"
IT_CONTEXT = "raid_it_context"
DOC_CONTEXT = "raid_doc_context"
CIVIL = "raid_civil"
UNITS = "raid_units"
UNIT_TAILS = "raid_unit_tails"
INSPECTIONS = "raid_inspections"
UNANNOUNCED = "raid_unannounced"
FRAMES = "raid_frames"
HABITUAL = "raid_habitual"
FORCE_NOUNS = "raid_force_nouns"

# Clock times: 6點, 六點, 11點半, 0600, 06:00, 6:30, 0430時. Four bare digits need a time cue
# around them so that years and amounts do not count, except 0000-0959 standing alone (no
# year or amount is written so), which is how a plan writes times ("team A 0545 在 B2").
_CLOCK = re.compile(
    r"(?<!\d)(?:[01]?\d|2[0-3])\s*[點时時](?:半|\d{1,2}分?)?"
    r"|(?<![\d:])(?:[01]?\d|2[0-3])[:：][0-5]\d(?![\d:])"
    r"|(?<![第快多少好有差慢重])[一二三四五六七八九十兩]{1,3}點"
    r"|(?<!\d)(?:[01]\d|2[0-3])[0-5]\d(?:時|前|集合|出發|進場|執行|同步|行動|報到|到位|就位|簽到|開始)"
    r"|(?:時間|日|早|晚|明天|今晚|凌晨|ETA|eta|@)\s*(?:[01]\d|2[0-3])[0-5]\d(?!\d)"
    r"|(?<![0-9A-Za-z\-./:第])0\d[0-5]\d(?![0-9A-Za-z\-./:號年元萬件筆份張個]|\s?\d)"
    # a date: 8/14, 3月18日 (an operation scheduled for a day)
    r"|(?<![\d/])(?:1[0-2]|0?[1-9])/(?:3[01]|[12]\d|0?[1-9])(?![\d/])"
    r"|(?:1[0-2]|[1-9])月(?:3[01]|[12]\d|[1-9])日"
)


class _Prefixed:
    """A pattern searched only where a match can begin: a character class finds the places,
    then the pattern is tried there. Same matches as `pattern.finditer`, but a pattern whose
    branches begin with lookbehinds (which stop `re` from skipping ahead) is not tried at every
    character — `_CLOCK` over a message costs half as much."""

    __slots__ = ("_pattern", "_start")

    def __init__(self, pattern: re.Pattern[str], start: str) -> None:
        self._pattern = pattern
        self._start = re.compile(start)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        pos, n = 0, len(text)
        while pos < n:
            c = self._start.search(text, pos)
            if c is None:
                return
            at = c.start()
            m = self._pattern.match(text, at)
            if m is None:
                pos = at + 1
                continue
            yield m
            pos = max(m.end(), at + 1)


# Every branch of `_CLOCK` begins with a digit, a Chinese numeral or a word of its timing cues.
_CLOCK_FAST = _Prefixed(_CLOCK, r"[\d一二三四五六七八九十兩時日早晚明今凌@Ee]")
# Relative times of a surveillance report: 一小時內, 20 分鐘後, 半小時左右.
_RELATIVE = re.compile(r"(?:\d{1,2}|[一二三四五六兩半])\s*個?\s*(?:小時|分鐘)\s*(?:內|後|左右)")
# Teams and head counts: 第一組, A組, team B, 兩組人, 各組, 兵力18人, 每點4人, 支援8員, 兩位.
_FORCE = re.compile(
    r"(?<![A-Za-z])[Tt]eam\s?[A-Z1-9](?![A-Za-z0-9])"
    r"|(?<![A-Za-z])[A-Z]\s?組(?![織合件])"
    r"|第?[一二三四五六七八九十兩\d]{1,2}\s?(?:組|波|班)(?![織合件])|第[一二三四五\d]台"
    r"|(?<![一])[兩三四五六]路(?![線口上段])"  # 三路同時進去
    r"|[各每別另]組(?![織合件])"
    r"|(?<![第\d.])\d{1,3}\s?(?:人|員|名)(?![民口數次份])"
    r"|(?<![第唯統])[兩二三四五六七八九十]\s?(?:個人|人|位|名)(?![民口數次份])"
    r"|[兩二三四五六七八九十\d]\s?[台輛][^\s，。,.]{0,3}?車"  # 兩台車, 4輛偵防車
)
# A place pointed at: "那家物流倉儲", "那間地下匯兌", "這幾家" — a specific target.
_POINTED = re.compile(r"[那這]幾?(?:家|間|棟|台|批|位|個點|個人|傢伙)")
# Rooms, floors and directions: 305號房, 7樓, 三樓, B 棟, B2, 往新莊方向.
_ROOM = re.compile(
    r"\d{2,4}\s?號?房|(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s?樓"
    r"|(?<![A-Za-z])[A-Z]\s?棟|(?<![A-Za-z0-9])B[1-6](?![0-9A-Za-z])"
    r"|往[^，。,.\s]{1,6}?方向"
)
# "不要讓廠方知道", "不讓他們知道": the target must not learn of the operation; a code name.
_SECRET = re.compile(
    # (Not "不要讓工廠知道是她": who complained is kept from them, not the operation.)
    r"(?:不要|別|不能|不可|勿|不得|不)讓[^，。,.\n]{1,12}?(?:知道|發現|察覺)(?!是[他她誰])"
    r"|(?:先別|先不要|不要|別|勿)(?:跟|對|向)[^，。,.\n]{1,8}?(?:講|說|提|透露)"
    r"|代號\s?(?:叫|是|為|改成|改為)?\s?[「『\"“]"  # a code name: 行動代號「黎明」
)
# Slang of a time-table: "等一下10點半收，" (收 = 收網), "今晚九點抄那間賭場" (抄 = raid). Only
# when the clause before the verb is nothing but timing (`_timed`): "報名表5點收" is a form.
_TIMED_VERB = re.compile(r"收(?:網|人)?(?=[\s，,。.!！?？、]|$)|抄(?![送寫錄本表襲收件報近一給])")
# Clause-end 攔 after 在/先/就 ("準備在下一個路口攔", "拍到就攔"), a stake-out's 在…等
# ("我們11點在橋下等") and the go of 動 ("下午就可以動", "今晚先不要動").
_STOP = (
    # (Each pattern starts with a literal or a character set, so that `re` skips ahead fast.)
    ("攔", re.compile(r"[在先就再去][^，。,.\n\s]{0,6}?(攔)(?=[\s，,。.!！?？]|$)")),
    (
        "等",
        re.compile(
            r"在[^，。,.\n\s]{1,6}?(等)(?:他|她|人|對方)?(?:回來|出來|出現|下班|出門)?"
            r"(?=[\s，,。.!！?？]|$)"
        ),
    ),
    # "明天去那家餐廳查工時": an inspector going somewhere to check.
    ("查", re.compile(r"(?:去|到)[^，。,.\n]{1,10}?(查)(?![詢看閱到出了過完])")),
    (
        "動",
        re.compile(
            r"(?:可以|同時|準備|一起|再|就|要|先不要|先別|不要)(動)(?=[\s，,。.!！?？了]|$)"
        ),
    ),
)
_SLANG_CHARS = re.compile("[收抄攔等動查]")
# What may stand between the timing and a time-table verb ("10點半就收", "九點我們抄").
_FILLER = re.compile(r"[\s就再準備直接一起去要整我們大家等]+")
_CLAUSE = re.compile(r"[，,。.!！?？、；;：:\n]")
# A time-table clause is short ("等一下10點半收"): longer ones are sentences with an object.
CLAUSE_MAX = 16
# How far from the action word the details may be (a short message, a line of a plan).
WINDOW = 60
# A text more than this share ASCII is English: the window doubles.
ENGLISH_SHARE = 0.5
# An IT or paperwork word this close to an action makes it talk about software or procedure
# ("Elasticsearch 的搜索延遲", "拘提的規定").
TALK_WINDOW = 4
# An everyday context this close to a field word makes it everyday chat ("廠商明天進場施工").
CIVIL_WINDOW = 12
# A movement word counts when a target word ends this close before it ("target 剛進").
MOVEMENT_GAP = 4

_STRONG, _FIELD, _WEAK_FIELD = "strong", "field", "weak field"
_KINDS = ("timing", "deployment", "target", "secrecy", "scene")
# Kinds whose regex finds add nothing once a lexicon word of the kind is near: only their
# presence counts (a lexicon target is a named one). Timing and deployment words are also
# counted or placed (two deployment words, timing right before 行動, a routine's hour).
_PRESENCE_KINDS = frozenset({"target", "secrecy", "scene"})
# The lexicon and the regexes of each kind of detail.
_KIND_LEXICONS = {
    "timing": TIMING,
    "deployment": DEPLOYMENT,
    "target": TARGETS,
    "secrecy": SECRECY,
    "scene": SCENE,
}
# A place pointed at (那家) is a target, but too vague to make a field word an operation.
POINTED = "raid_pointed"
_KIND_PATTERNS: dict[str, tuple[tuple[str, re.Pattern[str] | _Prefixed], ...]] = {
    "timing": ((TIMING, _CLOCK_FAST), (TIMING, _RELATIVE)),
    "deployment": ((DEPLOYMENT, _FORCE),),
    "target": ((POINTED, _POINTED),),
    "secrecy": ((SECRECY, _SECRET),),
    "scene": ((SCENE, _ROOM),),
}

Hit = KeywordHit | Match
_ANCHOR_LEXICONS = frozenset({ACTIONS, CUES, WEAK_CUES, MOVEMENTS, UNANNOUNCED})


class RaidRule:
    """Reports an enforcement action word with timing, deployment, a target or secrecy near it."""

    name = "raid"
    category = RAID
    # Guard lexicons (IT, paperwork, everyday and public words, unit endings) are not here:
    # they matter only next to an action about to be reported, so the rule looks them up
    # itself in that window instead of the keyword pass finding them in every message.
    lexicons = (
        ACTIONS,
        CUES,
        WEAK_CUES,
        MOVEMENTS,
        UNANNOUNCED,
        TIMING,
        DEPLOYMENT,
        TARGETS,
        SCENE,
        SECRECY,
        PAST,
        EXCEPTIONS,
        BENIGN_LEXICON,
    )
    anchors = (ACTIONS, CUES, WEAK_CUES, MOVEMENTS, UNANNOUNCED)

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self._lexicons = lexicons
        self._configured_exceptions = lexicons.exceptions(ACTIONS) + lexicons.exceptions(CUES)
        self._units = tuple(sorted(lexicons.words(UNITS), key=len, reverse=True))
        self._unit_tails = tuple(lexicons.words(UNIT_TAILS))
        self._inspections = tuple(_variants(lexicons.words(INSPECTIONS)))
        self._frames = tuple(_variants(lexicons.words(FRAMES)))
        self._habitual = tuple(_variants(lexicons.words(HABITUAL)))
        # English head and vehicle counts: "2 vans", "6 officers", "two teams".
        nouns = "|".join(re.escape(w) for w in _variants(lexicons.words(FORCE_NOUNS)))
        force = re.compile(
            rf"(?<![A-Za-z0-9])(?:\d{{1,3}}|two|three|four|five|six|eight|ten)\s(?:{nouns})"
            r"(?![A-Za-z])"
        )
        # (Searched only in an English text, the only place such counts are written.)
        self._english_patterns = {
            **_KIND_PATTERNS,
            "deployment": (*_KIND_PATTERNS["deployment"], (DEPLOYMENT, force)),
        }
        self._timing_words = re.compile(
            "|".join(re.escape(w) for w in _variants(lexicons.words(TIMING))), re.IGNORECASE
        )
        self._talk = _WordSet(lexicons.words(IT_CONTEXT) + lexicons.words(DOC_CONTEXT))
        self._civil = _WordSet(lexicons.words(CIVIL))
        self._public = _WordSet(lexicons.words(PUBLIC))
        self._lookup_pattern: re.Pattern[str] | None = None
        inspections = "|".join(re.escape(w) for w in self._inspections)
        self._inspection_after = re.compile(rf"[的地]?({inspections})")
        self._lookup_owners: dict[str, tuple[str, ...]] = {}

    def evaluate(self, data: RuleInput) -> list[Match]:
        text = data.view.text
        for h in data.hits:
            if h.lexicon in _ANCHOR_LEXICONS:
                break
        else:
            # Most messages: no action word. Only a slang verb (收, 攔 …) can still be one.
            if not self._slang_only(text):
                return []
            if not data.hits:
                # No anchor word woke the keyword pass: look the context words up here so
                # that the slang action's details are seen.
                data = RuleInput(view=data.view, entities=data.entities, hits=self._lookup(text))
        by = _grouped(data, text)
        actions = self._actions(data, by, text)
        if not actions or is_benign(data):
            return []
        details = _Details(data, by, text, self._english_patterns)
        past = by.get(PAST)
        folded: str | None = None
        news: bool | None = None
        for action, tier in actions:
            # Lexicon details first; the detail regexes run only when those are not enough.
            found = details.near(action, tier, regexes=False)
            kinds = [k for k in _KINDS if found[k]]
            # 搜索了, 稽查過, 臨檢完: the action is done, like a past word ("昨日", "破獲").
            # 已辦理扣押, 業已查處: done as well.
            done = (
                past
                or (tier == _STRONG and text.startswith(_DONE, action.end))
                or (
                    "已" in text[max(action.start - 6, 0) : action.start]
                    and _DONE_BEFORE.search(text, max(action.start - 6, 0), action.start)
                    is not None
                )
            )
            framed = self.habitual if self._framed(text, action, tier) else None
            if not _enough(action, tier, kinds, found, text, framed) or (
                done and not found["timing"]
            ):
                found = details.near(action, tier, regexes=True)
                kinds = [k for k in _KINDS if found[k]]
                if not _enough(action, tier, kinds, found, text, framed):
                    continue
            if done and not found["timing"]:
                continue  # news of a past operation ("昨日搜索…已移送")
            if done and news is None:
                news = _NEWS.search(text) is not None
            if done and news:
                continue  # news of a past operation ("昨日搜索…已移送", "警方破獲…")
            if _REQUEST.search(text, max(action.start - 20, 0), action.start):
                continue  # a citizen's petition asking for an inspection is not a plan
            folded = folded if folded is not None else _fold(text)
            if self._talk.near(folded, action, TALK_WINDOW):
                continue  # software or procedure: "Elasticsearch 的搜索延遲", "臨檢的SOP"
            if tier != _STRONG and self._civil.near(folded, action, CIVIL_WINDOW):
                continue  # everyday chat: "廠商明天進場施工", "觀眾7點進場"
            if self._public.near(folded, action, WINDOW, negatable=True):
                continue  # announced to the targets or the public ("已函知各業者")
            base = 0.7 if tier == _STRONG else 0.6
            return [
                rule_match(
                    "RAID_PLAN",
                    RAID,
                    action.start,
                    action.end,
                    min(base + 0.1 * len(kinds), 1.0),
                    self.name,
                    f"enforcement {'action' if tier == _STRONG else 'field word'} with "
                    f"{', '.join(kinds)}",
                )
            ]
        return []

    # -- actions ------------------------------------------------------------------------------

    def _actions(
        self, data: RuleInput, by: dict[str, list[KeywordHit]], text: str
    ) -> list[tuple[Hit, str]]:
        """Action candidates, strong words first, each with its strength."""
        strong, cues, weak = by.get(ACTIONS), by.get(CUES), by.get(WEAK_CUES)
        movements = by.get(MOVEMENTS)
        field: list[Hit] = []
        slang: list[Hit] = []
        if strong or cues or weak:
            spans = self._exception_spans(by, text)
            if spans is not None:
                strong, cues, weak = (_drop_overlapping(h, spans) for h in (strong, cues, weak))
            if strong:
                # 查處 in 檢查處: the action word is the tail of an office's name, no action.
                strong = [
                    h
                    for h in strong
                    if not (h.word.endswith(self._unit_tails) and _cjk_before(text, h.start))
                ]
            if strong:
                # 稽查科, 查緝中心: an office's name, at most a field word ("稽查科明晚去那家工廠").
                field = [h for h in strong if text.startswith(self._units, h.end)]
                if field:
                    strong = [h for h in strong if h not in field]
            if cues:
                field.extend(cues)
        if movements:
            targets: list[Hit] = list(by.get(TARGETS, ()))
            targets.extend(e for e in data.entities if e.type == "PERSON")
            index = _Index(targets)
            field.extend(
                m
                for m in movements
                if any(
                    0 <= m.start - t.end <= MOVEMENT_GAP
                    for t in index.near(m.start, m.start, MOVEMENT_GAP)
                )
            )
        # 無預警安檢, 不預告抽查: an everyday inspection word made an unannounced inspection.
        for h in by.get(UNANNOUNCED, ()):
            inspection = self._unannounced(text, h)
            if inspection is not None:
                field.append(inspection)
        # Most messages have none of the slang verbs' characters (收抄攔等動查): one scan.
        slang_chars = _SLANG_CHARS.search(text) is not None
        if slang_chars and ("收" in text or "抄" in text):
            for m in _TIMED_VERB.finditer(text):
                start = m.start()
                if self._timed(text, start):
                    field.append(KeywordHit(CUES, text[start], start, start + 1))
        if slang_chars:
            # 查 of "去稽查": a slang verb inside an action word is that word, judged as such.
            inside: _Index | None = None
            for char, pattern in _STOP:
                if char in text:
                    for m in pattern.finditer(text):
                        hit = KeywordHit(CUES, char, m.start(1), m.end(1))
                        if inside is None:
                            inside = _Index(
                                [*by.get(ACTIONS, ()), *by.get(CUES, ()), *by.get(WEAK_CUES, ())]
                            )
                        if inside.near(hit.start, hit.end, -1):
                            continue
                        (field if char == "攔" else slang).append(hit)
        out = [(a, _STRONG) for a in strong] if strong else []
        out.extend((a, _FIELD) for a in field)
        if weak:
            out.extend((a, _WEAK_FIELD) for a in weak)
        out.extend((a, _WEAK_FIELD) for a in slang)
        return out

    def _unannounced(self, text: str, word: KeywordHit) -> KeywordHit | None:
        """The inspection word right after a no-notice word (無預警安檢, 不預告的抽查), if any."""
        m = self._inspection_after.match(text, word.end)
        if m is None:
            return None
        return KeywordHit(CUES, m.group(1), m.start(1), m.end(1))

    def _framed(self, text: str, action: Hit, tier: str) -> bool:
        """A strong action as the time frame of another instruction: "稽查的時候…",
        "稽查時不要讓兩邊碰面", "收網那天" (not 搜索時間, 收網時機: those schedule it)."""
        if tier != _STRONG:
            return False
        end = action.end
        if text.startswith(self._frames, end):
            return True
        return text.startswith("時", end) and not text.startswith(_NOT_FRAME, end + 1)

    def habitual(self, text: str, hit: Hit) -> bool:
        """A timing word of a routine: "每天早上", "平常晚上"."""
        return text.endswith(self._habitual, max(hit.start - 3, 0), hit.start)

    def _slang_only(self, text: str) -> bool:
        """A slang action may stand in a text that has no anchor word (cheap character tests
        first: most texts have none of 收抄攔等動查)."""
        if _SLANG_CHARS.search(text) is None:
            return False
        if ("收" in text or "抄" in text) and any(
            self._timed(text, m.start()) for m in _TIMED_VERB.finditer(text)
        ):
            return True
        return any(char in text and pattern.search(text) for char, pattern in _STOP)

    def _lookup(self, text: str) -> list[KeywordHit]:
        """The rule's context lexicons matched by one regex (the rare no-anchor path): the
        longest word at each place, one hit for each lexicon it belongs to."""
        if self._lookup_pattern is None:
            owners: dict[str, list[str]] = {}
            for name in self.lexicons:
                if name in self.anchors:
                    continue  # an anchor word would have woken the keyword pass
                for word in _variants(self._lexicons.words(name)):
                    owners.setdefault(word, []).append(name)
            ordered = sorted(owners, key=len, reverse=True)
            self._lookup_owners = {w: tuple(names) for w, names in owners.items()}
            self._lookup_pattern = re.compile("|".join(re.escape(w) for w in ordered))
        return [
            KeywordHit(name, text[m.start() : m.end()], m.start(), m.end())
            for m in self._lookup_pattern.finditer(_fold(text))
            for name in self._lookup_owners[m.group(0)]
        ]

    def _timed(self, text: str, start: int) -> bool:
        """The clause before `start` holds only timing: clock times, timing words, fillers."""
        lo = max(start - CLAUSE_MAX, 0)
        cut = -1
        for m in _CLAUSE.finditer(text, lo, start):
            cut = m.end()
        if cut < 0:
            if lo > 0:
                return False
            cut = 0
        prefix = text[cut:start]
        rest = self._timing_words.sub(" ", _CLOCK.sub(" ", prefix))
        return rest != prefix and not _FILLER.sub("", rest)

    def _exception_spans(self, by: dict[str, list[KeywordHit]], text: str) -> _Index | None:
        """Where exception words stand: the lexicon's hits, plus the configuration's
        `keyword_exceptions` (not in any lexicon, so looked up here)."""
        spans: list[Hit] = list(by.get(EXCEPTIONS, ()))
        for word in self._configured_exceptions:
            pos = text.find(word)
            while pos >= 0:
                spans.append(KeywordHit(EXCEPTIONS, word, pos, pos + len(word)))
                pos = text.find(word, pos + 1)
        return _Index(spans) if spans else None


class _Details:
    """The details of one message by kind: lexicon hits at once, regex finds on demand."""

    def __init__(
        self,
        data: RuleInput,
        by: dict[str, list[KeywordHit]],
        text: str,
        english_patterns: dict[str, tuple[tuple[str, re.Pattern[str] | _Prefixed], ...]],
    ) -> None:
        self._text = text
        self._entities = data.entities
        # English says in more letters what Chinese says in a few characters: a wider window,
        # and English head counts ("2 vans").
        english = len(text.encode("ascii", "ignore")) > ENGLISH_SHARE * len(text)
        self._window = WINDOW * 2 if english else WINDOW
        self._patterns = english_patterns if english else _KIND_PATTERNS
        lexical: dict[str, list[Hit]] = {
            kind: list(by.get(lexicon, ())) for kind, lexicon in _KIND_LEXICONS.items()
        }
        if by.get(EXCEPTIONS) and lexical["target"]:
            # "目標客群", "年度目標": a goal, not a target (exceptions overlapping the word).
            lexical["target"] = _drop_overlapping(lexical["target"], _Index(by[EXCEPTIONS])) or []
        lexical["target"].extend(e for e in data.entities if e.type in ENTITY_TYPES)
        self._lexical = lexical
        self._lexical_index = {kind: _Index(hits) for kind, hits in lexical.items()}
        self._regex: dict[str, _Index] = {}

    def near(self, action: Hit, tier: str, regexes: bool) -> dict[str, list[Hit]]:
        window = self._window
        if tier != _STRONG:
            own: Callable[[Sequence[Hit], Hit], list[Hit]] | None = _own
        elif isinstance(action, KeywordHit) and action.word.lower() in _WEAK:
            own = _apart  # a weak word's own detail (代號「 of 代號「小蜜蜂」) is no second one
        else:
            own = None
        found: dict[str, list[Hit]] = {}
        for kind, idx in self._lexical_index.items():
            hits = idx.near(action.start, action.end, window)
            found[kind] = own(hits, action) if own is not None and hits else hits
        if not regexes:
            return found
        for kind in _KINDS:
            if found[kind] and kind in _PRESENCE_KINDS:
                continue  # a lexicon word is there: more of the kind changes nothing
            hits = self._regex_index(kind).near(action.start, action.end, window)
            if hits:
                found[kind] = found[kind] + (own(hits, action) if own is not None else hits)
        return found

    def _regex_index(self, kind: str) -> _Index:
        """The regex finds of one kind, looked for once per message and only when asked."""
        index = self._regex.get(kind)
        if index is None:
            finds = [
                KeywordHit(name, m.group(0), m.start(), m.end())
                for name, pattern in self._patterns[kind]
                for m in pattern.finditer(self._text)
            ]
            if kind == "timing" and finds and self._entities:
                # 8月3日 inside 民國70年8月3日: a birth date, not a schedule.
                entities = _Index([e for e in self._entities if e.type in ENTITY_TYPES])
                finds = [h for h in finds if not entities.near(h.start, h.end, -1)]
            index = self._regex[kind] = _Index(finds)
        return index


class _Index:
    """Spans within a window of a span. A short list (the usual message) is simply scanned; a
    long one is sorted once and bisected, so that a long message with thousands of candidates
    stays linear."""

    __slots__ = ("_hits", "_longest", "_starts")

    def __init__(self, hits: Sequence[Hit]) -> None:
        self._hits = list(hits)
        self._starts: list[int] | None = None
        self._longest = 0
        if len(self._hits) > _SCAN_MAX:
            self._hits.sort(key=lambda h: h.start)
            self._starts = [h.start for h in self._hits]
            self._longest = max(h.end - h.start for h in self._hits)

    def near(self, start: int, end: int, window: int) -> list[Hit]:
        """Hits ending at most `window` before `start` or starting at most `window` after
        `end` (overlapping ones count), as `support.near` decides."""
        lo, hi = start - window, end + window
        if self._starts is None:
            return [h for h in self._hits if h.end >= lo and h.start <= hi]
        first = bisect_left(self._starts, lo - self._longest)
        last = bisect_right(self._starts, hi)
        return [h for h in self._hits[first:last] if h.end >= lo]


# Up to this many spans are scanned rather than sorted and bisected.
_SCAN_MAX = 32


class _WordSet:
    """Words looked up by regex around one action (guards read only a small window)."""

    def __init__(self, words: Sequence[str]) -> None:
        ordered = _variants(words)
        self._longest = max((len(w) for w in ordered), default=0)
        self._pattern = re.compile("|".join(re.escape(w) for w in ordered)) if ordered else None

    def near(self, folded: str, action: Hit, window: int, negatable: bool = False) -> bool:
        """A word within `window` characters of `action` in the case-folded text (ASCII words
        standing alone; with `negatable`, not right after a negation: 不預告, 未事先通知)."""
        if self._pattern is None:
            return False
        lo = max(action.start - window - self._longest, 0)
        hi = action.end + window + self._longest
        for m in self._pattern.finditer(folded, lo, hi):
            start, end = m.start(), m.end()
            if end < action.start - window or start > action.end + window:
                continue
            if m.group(0).isascii() and _glued(folded, start, end):
                continue
            if negatable and _NEGATION.search(folded, max(start - 3, 0), start):
                continue
            return True
        return False


def _enough(
    action: Hit,
    tier: str,
    kinds: list[str],
    found: dict[str, list[Hit]],
    text: str,
    framed: Callable[[str, Hit], bool] | None = None,
) -> bool:
    """Whether the details near `action` make it an operation (see the module docstring).
    `framed`: the action is a time frame ("稽查的時候…"), and this tells a routine's timing
    ("每天早上") from the operation's."""
    substantive = [k for k in kinds if k != "scene"]
    if framed is not None:
        # Mentioned in passing: two substantive kinds, a routine's hour not among them.
        if not all(framed(text, h) for h in found["timing"]):
            return len(substantive) >= 2
        return len([k for k in substantive if k != "timing"]) >= 2
    if tier == _FIELD:
        return len(kinds) >= 2 and bool(found["deployment"] or found["target"] or found["secrecy"])
    if tier == _WEAK_FIELD:
        # Two kinds, one of them a named target, secrecy, or a deployment of two words
        # ("分兩組" alone is any team's chore; "兩組人…第一組…第二組" is a plan).
        return len(kinds) >= 2 and (
            bool(found["secrecy"])
            or any(getattr(h, "lexicon", None) != POINTED for h in found["target"])
            or len({_word(h, text) for h in found["deployment"]}) > 1
        )
    if not substantive:
        return False
    word = action.word.lower() if isinstance(action, KeywordHit) else ""
    if word in _WEAK:
        if found["target"] and len(substantive) >= 2:
            return True
        # "明早行動用的對講機頻道…不要給別組": timing right before the word and a plan detail.
        right_before = any(0 <= action.start - t.end <= 2 for t in found["timing"])
        return right_before and bool(found["deployment"] or found["secrecy"])
    # "臨檢時請攜帶證件": one generic deployment word is an instruction, not a plan.
    return substantive != ["deployment"] or len({_word(h, text) for h in found["deployment"]}) > 1


def _grouped(data: RuleInput, text: str) -> dict[str, list[KeywordHit]]:
    """The keyword hits by lexicon, ASCII words glued to more letters dropped ("raid" in
    "afraid"), as `clean_hits` does — in one pass, the rule reads a dozen lexicons."""
    by: dict[str, list[KeywordHit]] = {}
    for h in data.hits:
        if h.word.isascii() and _glued(text, h.start, h.end):
            continue
        by.setdefault(h.lexicon, []).append(h)
    return by


def _glued(text: str, start: int, end: int) -> bool:
    """An ASCII word glued to more letters ("raid" in "afraid", "app" in "apple")."""
    left = start > 0 and text[start - 1].isascii() and text[start - 1].isalnum()
    right = end < len(text) and text[end].isascii() and text[end].isalpha()
    return left or right


def _fold(text: str) -> str:
    """Lower-case character by character, keeping the length (offsets must not move)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(low if len(low := c.lower()) == 1 else c for c in text)


def _variants(words: Sequence[str]) -> list[str]:
    """Lexicon words as the folded, normalised text spells them, longest first."""
    forms = {f for w in words for f in (_fold(w), _fold(normalize(w).text))}
    return sorted(forms, key=len, reverse=True)


def _word(hit: Hit, text: str) -> str:
    return hit.word if isinstance(hit, KeywordHit) else text[hit.start : hit.end]


def _own(hits: Sequence[Hit], action: Hit) -> list[Hit]:
    """Details that are not the field word itself (兵力 is a field word and a deployment)."""
    return [h for h in hits if not (action.start <= h.start and h.end <= action.end)]


def _apart(hits: Sequence[Hit], action: Hit) -> list[Hit]:
    """Details that do not overlap the action word."""
    return [h for h in hits if h.end <= action.start or h.start >= action.end]


def _cjk_before(text: str, start: int) -> bool:
    """A CJK character right before `start` (查處 glued into 檢查處)."""
    return start > 0 and "\u4e00" <= text[start - 1] <= "\u9fff"


def _drop_overlapping(hits: list[KeywordHit] | None, spans: _Index) -> list[KeywordHit] | None:
    """Action words overlapping an exception word (要抄 in 要抄送, 去抓 in 去抓娃娃) are dropped;
    unlike the containment test of `clean_hits`, an exception may stick out on either side."""
    if not hits:
        return hits
    return [
        h
        for h in hits
        if not any(x.start < h.end and h.start < x.end for x in spans.near(h.start, h.end, 0))
    ]


# Action words that are also everyday office words (專案 = project, 行動 = action): they need a
# target and one more detail ("明晚的行動目標換了" yes, "明天9點到專案辦公室集合" no).
_WEAK = frozenset({"專案", "行動", "代號", "operation", "op", "偵辦", "約談", "支援"})
# Words of a news report or a closed case: with one of them the operation is already public.
# (記者 alone is not one: "記者可能會守在外面" is a plan's worry; 記者會 is.)
_NEWS = re.compile(
    r"破獲|起獲|偵結|起訴|判決|新聞|報導|記者會|戰果|宣布|已逮捕|已移送|公告|歡迎民眾|加強稽查"
    r"|查獲|扣得|落網|成果"
)
# Aspect endings of an action already done.
_DONE = ("了", "過", "完")
# An action done, said before it: 已辦理扣押, 業已查處, 已經搜索.
_DONE_BEFORE = re.compile(r"(?:已經?|業已|均已)(?:辦理|完成|執行|進行)?$")
# 時 after an action is a time frame ("稽查時…"), not in 時間, 時機, 時程, 時段 (scheduling).
_NOT_FRAME = ("間", "機", "程", "段", "刻", "限", "效", "數")
# A negation right before a public marker turns it into secrecy ("不預告", "沒有事先通知").
_NEGATION = re.compile(r"[不未沒勿別無免]")
# A request for enforcement ("懇請貴局派員稽查", "請求警方臨檢"): the writer asks the agency to
# act — the text of a petition, not the agency's own non-public plan.
# Only words a petitioner uses: 敬請/請求 also open inter-agency requests for support.
_REQUEST = re.compile(r"懇請|陳請|籲請|陳情")
