"""Retention: incidents older than `retention_days` are deleted with everything attached.

Personal data must not be kept longer than needed (個人資料保護法 §11). The store deletes the
incidents (findings and reviews cascade); this module schedules that daily and writes every
purge's count into the audit log, which itself is never purged (it holds no message content).
"""

from __future__ import annotations

import logging
from datetime import datetime, time

from bot.review import audit as A
from bot.review.audit import AuditLog
from bot.store import Store
from bot.timeutil import TAIPEI

log = logging.getLogger(__name__)


def run_purge(
    store: Store,
    retention_days: int,
    *,
    actor_id: int | None = None,
    actor_name: str = "retention",
    now: datetime | None = None,
) -> int:
    """Purge once and audit the count; returns the number of incidents deleted."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    deleted = store.purge(retention_days, now=now)
    AuditLog(store.db.conn).record(
        A.PURGE,
        actor_id=actor_id,
        actor_name=actor_name,
        deleted=deleted,
        retention_days=retention_days,
    )
    log.info("retention: purged %d incidents older than %d days", deleted, retention_days)
    return deleted


def schedule_daily_purge(job_queue: object, store: Store, retention_days: int, hour: int) -> None:
    """Register the purge with PTB's JobQueue at `hour`:00 Asia/Taipei every day."""

    async def _job(_context: object) -> None:
        run_purge(store, retention_days, actor_name="daily-purge")

    job_queue.run_daily(  # type: ignore[attr-defined]
        _job, time=time(hour=hour, tzinfo=TAIPEI), name="dlpbot-retention-purge"
    )
