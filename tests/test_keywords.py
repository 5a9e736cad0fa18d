"""keyword spotting: lexicon words are found with offsets, case-insensitively, and only anchor
lexicons wake up the spaCy pass."""

from __future__ import annotations

import subprocess
import sys

import pytest

from detectors.config import DetectorConfig
from detectors.keywords import KeywordMatcher
from detectors.lexicon import Lexicons
from detectors.normalize import normalize


@pytest.fixture(scope="module")
def lexicons() -> Lexicons:
    return Lexicons(DetectorConfig(extra_keywords={"raid_actions": ["掃黑專案"]}))


def test_lexicon_words_are_found_with_their_offsets(lexicons: Lexicons) -> None:
    matcher = KeywordMatcher(lexicons, ["raid_actions", "raid_timing"])
    text = "明天搜索嫌犯住處"
    hits = matcher.find(text)
    words = {(h.lexicon, h.word) for h in hits}
    assert ("raid_actions", "搜索") in words
    assert ("raid_timing", "明天") in words
    for h in hits:
        assert text[h.start : h.end] == h.word


def test_latin_keywords_match_case_insensitively(lexicons: Lexicons) -> None:
    matcher = KeywordMatcher(lexicons, ["raid_actions"])
    assert any(h.word.lower() == "raid" for h in matcher.find("明早 6 點 RAID"))


def test_configured_extra_keywords_are_matched(lexicons: Lexicons) -> None:
    matcher = KeywordMatcher(lexicons, ["raid_actions"])
    assert any(h.word == "掃黑專案" for h in matcher.find("下週掃黑專案啟動"))


def test_text_without_an_anchor_word_skips_the_keyword_pass(lexicons: Lexicons) -> None:
    matcher = KeywordMatcher(lexicons, ["raid_actions", "raid_timing"], anchors=["raid_actions"])
    assert not matcher.might_match("明天上午10點開會")
    assert matcher.find("明天上午10點開會") == []
    assert matcher.might_match("明天上午10點搜索")


def test_lexicon_words_match_after_normalisation_folds_their_characters(
    lexicons: Lexicons,
) -> None:
    # The normaliser folds 雇 to 僱; the role word 雇主 must still be found.
    matcher = KeywordMatcher(lexicons, ["person_roles"])
    text = normalize("雇主說明天來").text
    assert any(h.lexicon == "person_roles" for h in matcher.find(text))


def test_importing_the_library_does_not_load_spacy() -> None:
    code = "import sys, detectors; sys.exit('spacy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_keyword_pass_never_loads_presidio_or_transformers() -> None:
    code = (
        "import sys\n"
        "from detectors.config import DetectorConfig\n"
        "from detectors.keywords import KeywordMatcher\n"
        "from detectors.lexicon import Lexicons\n"
        "m = KeywordMatcher(Lexicons(DetectorConfig()), ['raid_actions'])\n"
        "assert m.find('明天搜索')\n"
        "sys.exit(any(k.startswith(('presidio', 'transformers')) for k in sys.modules))\n"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_an_exception_word_with_a_character_the_normaliser_folds_still_applies() -> None:
    """Exceptions are written in standard characters; the text they are compared with is
    normalised (群 → 羣), so both forms must be looked for."""
    from detectors.config import DetectorConfig
    from detectors.lexicon import Lexicons
    from detectors.normalize import normalize
    from detectors.recognizers.base import TextView
    from detectors.rules.base import KeywordHit, RuleInput
    from detectors.rules.support import clean_hits

    norm = normalize("請勿外流群組")
    view = TextView(norm=norm, config=DetectorConfig())
    Lexicons(DetectorConfig())
    hit = KeywordHit("classified_markings", "外流", 2, 4)
    data = RuleInput(view=view, entities=[], hits=[hit])
    assert clean_hits(data, "classified_markings", ("外流群組",)) == []
    assert clean_hits(data, "classified_markings", ("外洩",)) == [hit]
