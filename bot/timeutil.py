"""Time in Asia/Taipei: every timestamp the bot stores or shows is Taiwan time (UTC+8).

Why a fixed offset rather than zoneinfo: Taiwan has no daylight saving since 1979 and some
minimal containers lack the tz database; a fixed +08:00 is exact and always available.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

TAIPEI = timezone(timedelta(hours=8), "Asia/Taipei")


def now_taipei() -> datetime:
    return datetime.now(TAIPEI)


def to_taipei(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(TAIPEI)


def iso(dt: datetime) -> str:
    return to_taipei(dt).isoformat(timespec="seconds")


def now_iso() -> str:
    return iso(now_taipei())


def display(dt: datetime | str) -> str:
    """`2026-11-25 17:23`: how times appear in user-facing text."""
    if isinstance(dt, str):
        dt = datetime.fromisoformat(dt)
    return to_taipei(dt).strftime("%Y-%m-%d %H:%M")
