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
        # A fully masked rendering ("********": a composite span or a secret) tells the reader
        # nothing the category line does not; the specific masked values do.
        items = list(dict.fromkeys(m for m in masked if m and m.strip("*")))
        text = self.t("finding.separator").join(items[:limit])
        return text + ("…" if len(items) > limit else "")


def _all_cjk(text: str) -> bool:
    return bool(text) and all(
        "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text
    )


def display_name(user: Any) -> str:
    """A Telegram user's name as a colleague would write it.

    Telegram joins first and last name Western-style ("志明 王"); a Chinese name whose parts are
    both CJK is shown surname first without a space ("王志明"). Anything else: PTB's full_name.
    """
    first, last = user.first_name or "", user.last_name or ""
    if _all_cjk(first) and _all_cjk(last):
        return last + first
    return str(user.full_name)
