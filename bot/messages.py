"""All user-facing text, from bot/locale/<locale>.toml (zh-TW by default, English available).

Why a catalogue and not f-strings in the handlers: the wording of a warning is policy that the
ethics office reviews and translates; keeping it in one file per language lets them do that
without touching code, and a test checks both languages define the same keys.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from detectors.types import CATEGORIES

LOCALE_DIR = Path(__file__).parent / "locale"
LOCALES: tuple[str, ...] = ("zh-TW", "en")


@cache
def _catalogue(locale: str) -> dict[str, Any]:
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}")
    with (LOCALE_DIR / f"{locale}.toml").open("rb") as fh:
        return tomllib.load(fh)


def flatten(doc: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in doc.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = str(v)
    return out


class Messages:
    """`Messages("zh-TW").t("dm.body", chat=..., ...)`; missing keys fail loudly in tests."""

    def __init__(self, locale: str = "zh-TW") -> None:
        self.locale = locale
        self._flat = flatten(_catalogue(locale))

    def t(self, key: str, **values: Any) -> str:
        template = self._flat[key]
        return template.format(**values) if values else template

    def keys(self) -> set[str]:
        return set(self._flat)

    def categories(self, cats: Iterable[str]) -> str:
        ordered = sorted(cats, key=lambda c: CATEGORIES.index(c) if c in CATEGORIES else 99)
        return self.t("finding.separator").join(self.t(f"category.{c}") for c in ordered)

    def first_category(self, cats: Iterable[str]) -> str:
        ordered = sorted(cats, key=lambda c: CATEGORIES.index(c) if c in CATEGORIES else 99)
        # The most specific risk explains best: rule categories before plain personal data.
        specific = [c for c in ordered if c != "personal_data"]
        return (specific or ordered or ["personal_data"])[0]

    def findings(self, masked: Iterable[str], limit: int = 5) -> str:
        items = list(dict.fromkeys(m for m in masked if m))
        text = self.t("finding.separator").join(items[:limit])
        return text + ("…" if len(items) > limit else "")
