"""Parsing of the month and day arguments reviewers type; times are Asia/Taipei (bot.timeutil)."""

from __future__ import annotations

from datetime import date, datetime

from bot.timeutil import now_taipei


def this_month() -> str:
    return now_taipei().strftime("%Y-%m")


def parse_month(text: str | None) -> str:
    """`2026-11` / `2026/11` / `202611` → `2026-11`; None → the current month. ValueError if bad."""
    if not text:
        return this_month()
    t = text.strip().replace("/", "-")
    if len(t) == 6 and t.isdigit():
        t = f"{t[:4]}-{t[4:]}"
    datetime.strptime(t, "%Y-%m")
    return t


def parse_day(text: str) -> date:
    return date.fromisoformat(text.strip().replace("/", "-"))
