"""Taiwanese street addresses (縣市 + 區鄉鎮市 + 路街 + 段 + 巷 + 弄 + 號 + 樓).

An address is personal data only when it belongs to a person (a home address next to a name);
that judgement is the rules' job, so this recognizer just reports address-shaped spans.
A span must reach a house number (``…號``) through a road (``路/街/大道``) or a village
(``村/里``): ``中正路`` alone, a 公文文號 such as ``府授教字第1130012345號`` and ``第3號`` never
qualify. Partial forms (``中正路100號5樓``, ``永和區民生路3巷2號``) are reported with a lower score
than a full one that starts with a city or county.

Offices of public agencies are not reported: ``data/agency_addresses.txt`` and the configured
``allow_list`` are compared in a folded form (台→臺, Chinese numerals→digits, no spaces). Nor is
an address announced as a public place's in the same clause ("活動中心的地址是…", "本局地址：",
``data/address_public_places.txt``) unless a home word (住, 家, 戶籍) stands there too.

Every repeat below is bounded and the character classes of neighbouring parts are either
bounded or separated by a literal suffix (路, 巷, 號 …), so matching is linear in practice; a
cheap ``號`` test skips messages that cannot hold an address at all.
"""

from __future__ import annotations

import re

from detectors.checksums import clause_before, words_pattern
from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import ContextSpec, Match, TextView
from detectors.types import ADDRESS

# Characters that never occur inside a place or road name but often right before one
# ("住在中正路…", "地址：…", "寄到…"); leaving them out makes the span start at the name.
_STOP = "的在於住是為到址往寄送搬去請位及或與、，。：:；;！？「」『』（）()\\s"
_NAME_CLASS = rf"[^\x00-\u33ff\ua000-\U0010ffff{_STOP}]"  # CJK ideographs minus stop chars
_NUM = r"(?:[0-9]{1,5}|[零〇一二三四五六七八九十百]{1,5})"
_SMALL = r"(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})"
_SP = r" ?"

_CITY = (
    r"(?:(?:[臺台](?:北|中|南)|新北|桃園|高雄|基隆|新竹|嘉義)市"
    r"|(?:新竹|苗栗|彰化|南投|雲林|嘉義|屏東|宜蘭|花蓮|[臺台]東|澎湖|金門|連江)縣)"
)
# After a city any 1-3 character district; alone only the common two-character form, which
# keeps "…我家永和區…" from starting the span at "家".
_DISTRICT_AFTER_CITY = rf"{_NAME_CLASS}{{1,3}}[區鄉鎮市]"
_DISTRICT_ALONE = rf"{_NAME_CLASS}{{2}}[區鄉鎮]"
_VILLAGE = rf"{_NAME_CLASS}{{1,3}}[村里](?:{_SMALL}鄰)?"
_ROAD = rf"{_NAME_CLASS}{{1,5}}?(?:大道|路|街)(?:{_SMALL}段|{_NAME_CLASS}{{1,3}}段)?"
_LANE = rf"(?:{_NUM}巷)?(?:{_NUM}弄)?(?:{_NUM}衖)?"
_HOUSE = rf"{_NUM}(?:[之\-]{_NUM})?號(?:之{_SMALL})?"
_FLOOR = (
    rf"(?:{_SP}(?:(?:地下|B){_SMALL}樓?|{_NUM}(?:樓|F|f))(?:之{_SMALL})?)?"
    rf"(?:{_SP}{_NUM}室)?"
)
# A village address may name its hamlet or 部落 instead of a road: 秀巒村3鄰泰平32號.
_HAMLET = rf"{_NAME_CLASS}{{1,3}}"
_STREET = rf"(?:{_ROAD}{_SP}{_LANE}|{_VILLAGE}{_SP}(?:{_ROAD}{_SP}|{_HAMLET})?{_LANE})"
_PATTERN = re.compile(
    rf"(?P<city>{_CITY}{_SP})?"
    rf"(?(city)(?:{_DISTRICT_AFTER_CITY}{_SP})?|(?:{_DISTRICT_ALONE}{_SP})?)"
    rf"{_STREET}{_HOUSE}{_FLOOR}"
)
# The English form on resident certificates and foreigners' forms:
# "4F., No. 18, Ln. 52, Sec. 2, Heping E. Rd., Da'an Dist., Taipei City".
_EN_WORD = r"[A-Z][A-Za-z'’]{1,15}"
_EN_PATTERN = re.compile(
    r"(?<![A-Za-z0-9])(?:(?:[0-9]{1,2}F\.?(?:-[0-9]{1,2})?,? ?))?"
    r"No\. ?[0-9]{1,5}(?:-[0-9]{1,4})?, ?"
    r"(?:(?:Aly|Alley|Ln|Lane)\.? ?[0-9]{1,4}, ?){0,2}"
    r"(?:Sec\.? ?[0-9], ?)?"
    rf"(?:{_EN_WORD} ){{0,3}}(?:[NSEW]\. )?(?:Rd|Road|St|Street|Blvd|Ave|Avenue)\.?"
    rf"(?:, ?(?:{_EN_WORD} ){{0,2}}{_EN_WORD} (?:Dist|District|Township|Vil|Village)\.?)?"
    rf"(?:, ?(?:{_EN_WORD} ){{0,2}}(?:City|County))?"
)
# An organisation named right after the address is its own (…1號 嘉義縣政府社會局 收).
_ORG_AFTER = re.compile(
    r"[ \t]{0,2}[（(]?[\u4e00-\u9fff]{0,12}?"
    r"(?:政府|公所|局|處|署|院|事務所|分局|派出所|中心|公司|大學|學校|農會|銀行|會議室|禮堂"
    r"|大樓|教室|簡報室|辦公室)"
    r"(?:[ \t)）]|收|$|[，。,])"
)
_CJK_NUM = str.maketrans("零〇一二三四五六七八九台", "00123456789臺")
_SPACES = re.compile(r"\s+")


def address_key(value: str) -> str:
    """The form two spellings of one address share: 台→臺, 一…九→digits, no spaces."""
    return _SPACES.sub("", value).translate(_CJK_NUM)


# A home word near a public-place cue keeps the address: "住在活動中心旁的中山路100號".
# 家 as in 我家/他家/住家, not 大家、國家、搬家、店家、廠家、專家.
_HOME = re.compile("住|(?<![大國專搬店廠商賣買作公管])家(?![數具電])|戶籍|居")
_CUE_WINDOW = 24


class AddressRecognizer:
    """Finds Taiwanese street addresses that are not a listed agency office."""

    name = "address"
    entity_types = (ADDRESS,)
    context: ContextSpec | None = None

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self.config = config
        listed = (*lexicons.words("agency_addresses"), *config.allow_list)
        self.public: frozenset[str] = frozenset(address_key(a) for a in listed if "號" in a)
        self._place_cue = words_pattern(
            (*lexicons.words("address_public_places"), *lexicons.words("public_contact_cues"))
        )
        self._example_cue = words_pattern(lexicons.words("example_cues"))

    def analyze(self, view: TextView) -> list[Match]:
        text = view.text
        if "號" not in text and "No" not in text:
            return []
        out: list[Match] = []
        for m in _PATTERN.finditer(text):
            start, end = m.start(), m.end()
            raw = text[start:end]
            home_field = _HOME.search(clause_before(text, start, 8)) is not None
            if (address_key(raw) in self.public and not home_field) or self._public_place(
                text, start
            ):
                continue  # an agency's listed office, unless a home field names it (住址：…)
            if _ORG_AFTER.match(text, end) and not _HOME.search(clause_before(text, start, 8)):
                continue
            full = m.group("city") is not None
            out.append(
                Match(
                    type=ADDRESS,
                    start=start,
                    end=end,
                    score=0.85 if full else 0.7,
                    detector=self.name,
                    reason="台灣地址格式 (Taiwanese street address)"
                    if full
                    else "台灣地址格式，無縣市 (partial Taiwanese address)",
                    value=_SPACES.sub("", raw),
                )
            )
        if "No" in text:
            for m in _EN_PATTERN.finditer(text):
                out.append(
                    Match(
                        type=ADDRESS, start=m.start(), end=m.end(), score=0.8,
                        detector=self.name,
                        reason="台灣地址英譯格式 (Taiwanese address in English)",
                        value=m.group(0),
                    )
                )
        return out

    def _public_place(self, text: str, start: int) -> bool:
        """ "活動中心的地址是…", "本局地址：…", "格式如…": the address of a place, or an example."""
        before = clause_before(text, start, _CUE_WINDOW)
        if self._example_cue is not None and self._example_cue.search(before):
            return True
        if self._place_cue is None or self._place_cue.search(before) is None:
            return False
        return _HOME.search(before) is None
