"""Keyword spotting for the rule categories: spaCy's PhraseMatcher over a blank `zh` pipeline.

A cheap regex pre-filter over every lexicon word runs first; only a message that contains at
least one word is handed to spaCy (its character tokenizer costs ~0.1 ms a message, too much to
spend on every "收到，謝謝"). spaCy is imported lazily so `import detectors` stays fast.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from detectors.lexicon import Lexicons
from detectors.rules.base import KeywordHit


def _with_normalised(words: Sequence[str]) -> tuple[str, ...]:
    """The words plus their normalised forms: the matcher runs over normalised text, and the
    normaliser turns a few standard characters into variants (秘→祕, 雇→僱) that a lexicon
    written by hand would miss."""
    from detectors.normalize import normalize

    return tuple(dict.fromkeys((*words, *(normalize(w).text for w in words))))


class KeywordMatcher:
    """Finds the words of the named lexicons; offsets are in the text it is given."""

    def __init__(
        self, lexicons: Lexicons, names: Sequence[str], anchors: Sequence[str] | None = None
    ) -> None:
        """`anchors` names the lexicons whose words gate the spaCy pass (default: all of
        `names`). Context lexicons such as timing words (明天) are matched only once an anchor
        (搜索, 檢舉人, 底價 …) is present, which keeps everyday chat on the regex path."""
        self._lexicons = lexicons
        self._names = tuple(names)
        gate = set(anchors) if anchors is not None else set(self._names)
        self._word_lexicons: dict[str, list[str]] = {}
        for name in self._names:
            if name not in gate:
                continue
            for word in _with_normalised(lexicons.words(name)):
                self._word_lexicons.setdefault(word, []).append(name)
        words = sorted(self._word_lexicons, key=len, reverse=True)
        self._prefilter = (
            re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
        )
        self._nlp: Any = None
        self._matcher: Any = None

    def _spacy(self) -> tuple[Any, Any]:
        if self._nlp is None:
            import spacy
            from spacy.matcher import PhraseMatcher

            nlp = spacy.blank("zh")
            matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
            for name in self._names:
                words = _with_normalised(self._lexicons.words(name))
                if words:
                    matcher.add(name, [nlp.make_doc(w) for w in words])
            self._nlp, self._matcher = nlp, matcher
        return self._nlp, self._matcher

    def might_match(self, text: str) -> bool:
        return self._prefilter is not None and self._prefilter.search(text) is not None

    def find(self, text: str) -> list[KeywordHit]:
        if not self.might_match(text):
            return []
        nlp, matcher = self._spacy()
        doc = nlp.make_doc(text)
        hits: list[KeywordHit] = []
        for match_id, start, end in matcher(doc):
            span = doc[start:end]
            hits.append(
                KeywordHit(
                    lexicon=nlp.vocab.strings[match_id],
                    word=span.text,
                    start=span.start_char,
                    end=span.end_char,
                )
            )
        hits.sort(key=lambda h: (h.start, -h.end))
        return hits
