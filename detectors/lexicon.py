"""Keyword lists and name lexicons are data files (`detectors/data/*.txt`), not code.

One entry per line; `#` starts a comment. `Lexicons` merges the shipped files with the
`extra_keywords` of the configuration so an ethics office can extend a list without a release.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from detectors.config import DetectorConfig


@cache
def load_lexicon(name: str) -> tuple[str, ...]:
    """Entries of `detectors/data/{name}.txt` in file order, comments and blanks removed."""
    path = resources.files("detectors").joinpath(f"data/{name}.txt")
    if not path.is_file():
        raise FileNotFoundError(f"lexicon {name!r} not found at detectors/data/{name}.txt")
    words: list[str] = []
    seen: set[str] = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        word = raw.split("#", 1)[0].strip()
        if word and word not in seen:
            seen.add(word)
            words.append(word)
    return tuple(words)


class Lexicons:
    """Shipped lexicons plus the configured extras, cached per instance."""

    def __init__(self, config: DetectorConfig) -> None:
        self._config = config
        self._cache: dict[str, tuple[str, ...]] = {}

    def words(self, name: str) -> tuple[str, ...]:
        if name not in self._cache:
            extra = tuple(self._config.extra_keywords.get(name, ()))
            merged = dict.fromkeys(load_lexicon(name) + extra)
            self._cache[name] = tuple(merged)
        return self._cache[name]

    def exceptions(self, name: str) -> tuple[str, ...]:
        return tuple(self._config.keyword_exceptions.get(name, ()))
