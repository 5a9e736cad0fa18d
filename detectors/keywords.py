"""Keyword spotting for the rule categories: spaCy PhraseMatcher over one-character tokens.

A cheap regex pre-filter over every lexicon word runs first; only a message that contains at
least one word is handed to spaCy (its character tokenizer costs ~0.1 ms a message, too much to
spend on every "收到，謝謝"). spaCy is imported lazily so `import detectors` stays fast, and
only its `Vocab`, `Doc` and `PhraseMatcher` are used (see `KeywordMatcher._spacy`).
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Sequence
from typing import Any

from detectors.lexicon import Lexicons
from detectors.normalize import lower_keep_length, with_normalised
from detectors.rules.base import KeywordHit

# Held while spaCy is first imported; the NER loader takes it too before importing torch, so the
# short window in which torch is hidden from thinc can never break a concurrent real import.
IMPORT_LOCK = threading.Lock()
# Machine-learning backends thinc probes for at import. None of them is used for keyword
# matching, yet importing torch alone costs ~3 s of the first scan on the 2-core machines.
_ML_BACKENDS = ("torch", "cupy", "tensorflow", "mxnet")


def import_spacy_matcher() -> tuple[Any, Any, Any]:
    """`(Vocab, Doc, PhraseMatcher)` from spaCy, imported without thinc's ML backends.

    thinc (spaCy's ML layer) imports torch at start-up when it is installed, which is the case
    whenever the optional NER extra is. Marking the backends absent in `sys.modules` for the
    duration of the import makes thinc skip them (measured: first scan 5.5 s → 1.4 s); the
    markers are removed afterwards so a later real `import torch` works normally.
    """
    with IMPORT_LOCK:
        hidden = [m for m in _ML_BACKENDS if m not in sys.modules]
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]
        try:
            from spacy.matcher import PhraseMatcher
            from spacy.tokens import Doc
            from spacy.vocab import Vocab
        finally:
            for name in hidden:
                if sys.modules.get(name, 0) is None:
                    del sys.modules[name]
    return Vocab, Doc, PhraseMatcher


def skip_spacy_plugin_factories() -> None:
    """Stop spaCy from importing third-party pipeline factories if a `Language` is ever built.

    Why: `Language.__init__` loads every `spacy_factories` entry point of the environment, and
    presidio-analyzer (installed for the benchmark) registers one whose import pulls in
    transformers and torch — measured 20 s inside a first scan. The matcher here never builds a
    `Language`; this guards processes (media workers, tools) that might.
    """
    import_spacy_matcher()  # spaCy in, without thinc's ML backends
    from spacy.util import registry

    registry._entry_point_factories.entry_points = False


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
            for word in with_normalised(lexicons.words(name)):
                self._word_lexicons.setdefault(word, []).append(name)
        words = sorted(self._word_lexicons, key=len, reverse=True)
        # Case-sensitive over lower-cased text: an IGNORECASE alternation of ~300 words is
        # ~5x slower in `re` (measured 14 µs → 3 µs a message). `str.lower` maps character by
        # character, so a word found by the matcher is always found here too.
        self._prefilter = (
            re.compile("|".join(re.escape(w.lower()) for w in words)) if words else None
        )
        self._nlp: Any = None
        self._matcher: Any = None
        self._doc_class: Any = None

    def _spacy(self) -> tuple[Any, Any]:
        """A PhraseMatcher over one-character tokens (what the `zh` char tokenizer produces).

        Why not `spacy.blank("zh")`: building a `Language` loads every installed
        `spacy_factories` entry point, and presidio-analyzer registers one that imports
        transformers — seconds of start-up and hundreds of MB for a keyword lookup. A bare
        `Vocab` and `Doc` give the same matches, and one token per character keeps offsets exact.
        """
        if self._nlp is None:
            Vocab, self._doc_class, PhraseMatcher = import_spacy_matcher()
            vocab = Vocab()
            matcher = PhraseMatcher(vocab, attr="ORTH")
            for name in self._names:
                words = with_normalised(self._lexicons.words(name))
                if words:
                    matcher.add(name, [self._doc(vocab, lower_keep_length(w)) for w in words])
            self._nlp, self._matcher = vocab, matcher
        return self._nlp, self._matcher

    def _doc(self, vocab: Any, text: str) -> Any:
        return self._doc_class(vocab, words=list(text), spaces=[False] * len(text))

    def might_match(self, text: str) -> bool:
        return self._prefilter is not None and self._prefilter.search(text.lower()) is not None

    def find(self, text: str) -> list[KeywordHit]:
        if not self.might_match(text):
            return []
        vocab, matcher = self._spacy()
        doc = self._doc(vocab, lower_keep_length(text))
        hits: list[KeywordHit] = []
        for match_id, start, end in matcher(doc):
            # One token per character: token indices are character offsets.
            hits.append(
                KeywordHit(
                    lexicon=vocab.strings[match_id],
                    word=text[start:end],
                    start=start,
                    end=end,
                )
            )
        hits.sort(key=lambda h: (h.start, -h.end))
        return hits
