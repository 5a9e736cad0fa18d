"""The append-only audit log: who looked at, revealed, exported, changed or purged what, and when.

Entries never contain message text or matched values — only ids, actions and reviewer-written
reasons. The table's triggers (see `schema.py`) make UPDATE and DELETE fail at the database level.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from bot.review.schema import ensure_schema
from bot.timeutil import now_iso

# The actions the log records (kept as constants so reports can filter on them reliably).
VIEW = "view"
LIST = "list"
REVEAL = "reveal"
EXPORT = "export"
STATUS = "status"
ALLOW_LIST = "allow_list"
APPEAL = "appeal"
PURGE = "purge"
DENIED = "denied"
STATS = "stats"
AUDIT_VIEW = "audit_view"
EVIDENCE = "evidence"  # the redacted evidence image of an incident was sent to a reviewer
APPEAL_VIEW = "appeal_view"  # an appeal's decrypted text was sent to a reviewer


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    actor_id: int | None
    actor_name: str | None
    action: str
    target: str | None
    detail: dict[str, Any]


class AuditLog:
    """Writes and reads `audit_log` on a connection the caller owns."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        ensure_schema(conn)

    def record(
        self,
        action: str,
        *,
        actor_id: int | None,
        actor_name: str | None = None,
        target: str | None = None,
        **detail: Any,
    ) -> int:
        """Append one entry and commit at once, so the record exists even if the caller fails."""
        cur = self.conn.execute(
            "INSERT INTO audit_log (at, actor_id, actor_name, action, target, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                now_iso(),
                actor_id,
                actor_name,
                action,
                target,
                json.dumps(detail, ensure_ascii=False, sort_keys=True),
            ),
        )
        self.conn.commit()
        return int(cur.lastrowid or 0)

    def entries(
        self, *, limit: int = 20, offset: int = 0, action: str | None = None
    ) -> list[AuditEntry]:
        """Newest first."""
        sql = "SELECT id, at, actor_id, actor_name, action, target, detail FROM audit_log"
        args: list[Any] = []
        if action:
            sql += " WHERE action = ?"
            args.append(action)
        sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
        args += [limit, offset]
        return [
            AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6] or "{}"))
            for r in self.conn.execute(sql, args)
        ]

    def count(self, action: str | None = None) -> int:
        if action:
            row = self.conn.execute("SELECT count(*) FROM audit_log WHERE action = ?", (action,))
        else:
            row = self.conn.execute("SELECT count(*) FROM audit_log")
        return int(row.fetchone()[0])
