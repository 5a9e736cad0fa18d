"""personal_data by combination: a person's name together with a contact detail or a record.

A lone name is not an incident, nor is a lone phone number (it may be an agency hotline, which
the phone recognizer already drops). A name *and* a phone, home address, birth date or licence
plate close together single out a person; so does a name with a record term such as 戶籍, 前科,
病歷, 所得 or 存款. A surname with a title (王科長) never becomes a PERSON, so "王科長 分機 123"
stays clean by construction.
"""

from __future__ import annotations

from itertools import pairwise

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import Match
from detectors.rules.base import RuleInput
from detectors.rules.support import BENIGN_LEXICON, is_benign, near, rule_match
from detectors.types import CONTACT_DETAILS, PERSON, PERSONAL_DATA

RECORD_LEXICON = "personal_record_terms"
# How far apart a name and its detail may be (characters): a line of a roster or a sentence.
DETAIL_WINDOW = 40
RECORD_WINDOW = 30


def _nearest_person(detail: Match, persons: list[Match]) -> Match:
    """The name a detail belongs to: the closest one, a name before it winning a tie.

    Why: in "王小明、李美玲、張志強開會，王小明電話0912…" the phone is one person's, and a
    window alone would pin it on all three (and make the message look like three people's)."""

    def gap(p: Match) -> tuple[int, int]:
        before = p.end <= detail.start
        dist = detail.start - p.end if before else max(p.start - detail.end, 0)
        return (dist, 0 if before else 1)

    return min(persons, key=gap)


class PersonalRecordRule:
    """Reports each name that stands next to a contact detail or a personal-record term."""

    name = "personal_record"
    category = PERSONAL_DATA
    lexicons = (RECORD_LEXICON, BENIGN_LEXICON)
    anchors = (RECORD_LEXICON,)

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self._config = config

    def evaluate(self, data: RuleInput) -> list[Match]:
        persons = [e for e in data.entities if e.type == PERSON]
        details = [e for e in data.entities if e.type in CONTACT_DETAILS]
        if not persons:
            return self._unnamed(data, details)
        if is_benign(data):
            return []
        records = data.hits_of(RECORD_LEXICON)
        text = data.view.text
        out: list[Match] = []
        for person in persons:
            found = [
                d for d in near(person, details, DETAIL_WINDOW, DETAIL_WINDOW)
                if _nearest_person(d, persons) is person
            ]
            if found:
                detail = min(found, key=lambda d: abs(d.start - person.start))
                start, end = min(person.start, detail.start), max(person.end, detail.end)
                kind = getattr(detail, "type", "detail")
                out.append(
                    rule_match(
                        "PERSONAL_RECORD", PERSONAL_DATA, start, end, 0.85, self.name,
                        f"name with {kind}", value=text[start:end],
                    )
                )
                continue
            terms = near(person, records, RECORD_WINDOW, RECORD_WINDOW)
            if terms:
                term = terms[0]
                start, end = min(person.start, term.start), max(person.end, term.end)
                out.append(
                    rule_match(
                        "PERSONAL_RECORD", PERSONAL_DATA, start, end, 0.8, self.name,
                        f"name with record term {getattr(term, 'word', '')}",
                        value=text[start:end],
                    )
                )
        return out

    def _unnamed(self, data: RuleInput, details: list[Match]) -> list[Match]:
        """Two different details of one person without a name still single them out: the
        plate and the owner's phone (KLM-3302 的車主電話 0917…), a mobile and a home address.
        Office lines and agency addresses never get here (their recognizers drop them)."""
        if len(details) < 2 or is_benign(data):
            return []
        ordered = sorted(details, key=lambda d: d.start)
        for a, b in pairwise(ordered):
            if a.type != b.type and b.start - a.end <= DETAIL_WINDOW:
                text = data.view.text
                return [
                    rule_match(
                        "PERSONAL_RECORD", PERSONAL_DATA, a.start, b.end, 0.75, self.name,
                        f"{a.type} with {b.type} of one person", value=text[a.start : b.end],
                    )
                ]
        return []
