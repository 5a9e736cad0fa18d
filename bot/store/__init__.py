"""The incident store: SQLite through sqlite-utils, WAL, versioned schema, encrypted content.

What is kept and why: enough for the ethics office to review (who, where, when, which categories,
masked findings) and nothing that would make the database itself a leak: message text only
AES-GCM-encrypted (and not at all without a content key), finding values only as keyed hashes.
All calls happen on the event-loop thread; each write is a short transaction.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.store.crypto import ContentCipher, ValueHasher
from bot.store.migrations import MIGRATIONS, Migration
from bot.timeutil import now_iso, now_taipei
from detectors.types import CATEGORIES, Finding

log = logging.getLogger(__name__)

INCIDENT_STATUSES = ("open", "confirmed", "false_positive", "follow_up")


@dataclass(slots=True)
class FindingRecord:
    """A finding plus its raw value, which the store turns into an HMAC and then forgets."""

    finding: Finding
    value: str


class Store:
    def __init__(
        self,
        path: str | Path,
        hmac_key: bytes,
        content_key: bytes | None = None,
        migrations: Sequence[Migration] | None = None,
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        self.db = sqlite_utils.Database(conn)
        self.db.enable_wal()
        # WAL + synchronous=NORMAL: still atomic and never corrupt, and an application crash
        # loses nothing; only a power cut can drop the last commits. FULL would fsync every
        # commit (each update's processed mark, each incident): measured ~20 ms per message on
        # this machine, which alone caps the bot below 50 messages/s.
        conn.execute("PRAGMA synchronous = NORMAL")
        self.hasher = ValueHasher(hmac_key)
        self.cipher = ContentCipher(content_key) if content_key else None
        self.migrate(MIGRATIONS if migrations is None else migrations)

    def close(self) -> None:
        self.db.conn.close()

    # -- schema ---------------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        if not self.db["meta"].exists():
            return 0
        row = self.db.execute("SELECT schema_version FROM meta").fetchone()
        return int(row[0]) if row else 0

    def migrate(self, migrations: Sequence[Migration]) -> int:
        """Apply, in order, every migration newer than the database; returns the new version."""
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (schema_version INTEGER NOT NULL)")
        if self.db.execute("SELECT COUNT(*) FROM meta").fetchone()[0] == 0:
            self.db.execute("INSERT INTO meta (schema_version) VALUES (0)")
        current = self.schema_version
        for m in sorted(migrations, key=lambda m: m.version):
            if m.version <= current:
                continue
            with self.db.conn:
                self.db.conn.execute("BEGIN")
                for sql in m.statements:
                    self.db.conn.execute(sql)
                self.db.conn.execute("UPDATE meta SET schema_version = ?", (m.version,))
            log.info("store: migrated to schema %d (%s)", m.version, m.description)
            current = m.version
        return current

    # -- restart safety ---------------------------------------------------------------------------

    def is_processed(self, update_id: int) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,)
        ).fetchone()
        return row is not None

    def mark_processed(self, update_id: int) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO processed_updates (update_id, at) VALUES (?, ?)",
            (update_id, now_iso()),
        )

    # -- incidents --------------------------------------------------------------------------------

    def add_incident(
        self,
        fields: dict[str, Any],
        findings: Iterable[FindingRecord],
        content: str | None = None,
    ) -> int:
        """Insert one incident with its findings in one transaction; returns its id.

        `content` (the original text) is stored only encrypted, and only with a content key.
        """
        row = dict(fields)
        stamp = now_iso()
        row.setdefault("detected_at", stamp)
        row["updated_at"] = stamp
        cats = row.get("categories") or []
        row["categories"] = json.dumps(
            sorted(cats, key=lambda c: CATEGORIES.index(c) if c in CATEGORIES else 99)
        )
        row.setdefault("action_taken", "none")
        row.setdefault("warned_via", "none")
        row.setdefault("status", "open")
        cols = ", ".join(f'"{k}"' for k in row)
        marks = ", ".join("?" for _ in row)
        with self.db.conn:
            self.db.conn.execute("BEGIN")
            cur = self.db.conn.execute(
                f"INSERT INTO incidents ({cols}) VALUES ({marks})", list(row.values())
            )
            incident_id = int(cur.lastrowid or 0)
            if content is not None and self.cipher is not None:
                blob = self.cipher.encrypt(content, aad=f"incident:{incident_id}")
                self.db.conn.execute(
                    "UPDATE incidents SET content_enc = ? WHERE id = ?", (blob, incident_id)
                )
            for rec in findings:
                f = rec.finding
                self.db.conn.execute(
                    'INSERT INTO findings (incident_id, type, category, detector, score, masked,'
                    ' value_hmac, start, "end", bbox) VALUES (?,?,?,?,?,?,?,?,?,?)',
                    (
                        incident_id,
                        f.type,
                        f.category,
                        f.detector,
                        round(f.score, 3),
                        f.masked,
                        self.hasher.digest(rec.value) if rec.value else None,
                        f.start,
                        f.end,
                        json.dumps(list(f.bbox)) if f.bbox else None,
                    ),
                )
        return incident_id

    def update_incident(self, incident_id: int, **values: Any) -> None:
        if not values:
            return
        values["updated_at"] = now_iso()
        sets = ", ".join(f'"{k}" = ?' for k in values)
        self.db.execute(
            f"UPDATE incidents SET {sets} WHERE id = ?", [*values.values(), incident_id]
        )

    def set_appeal(self, incident_id: int, text: str) -> None:
        """An appeal may quote the message, so it is encrypted like content (or not kept)."""
        blob = (
            self.cipher.encrypt(text, aad=f"appeal:{incident_id}") if self.cipher else None
        )
        self.update_incident(incident_id, appeal_enc=blob)

    def decrypt_content(self, incident_id: int) -> str | None:
        row = self.get_incident(incident_id)
        if not row or not row.get("content_enc") or self.cipher is None:
            return None
        return self.cipher.decrypt(row["content_enc"], aad=f"incident:{incident_id}")

    def get_incident(self, incident_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM incidents WHERE id = ?", [incident_id]))
        return rows[0] if rows else None

    def incidents_for_message(self, chat_id: int, message_id: int) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT * FROM incidents WHERE chat_id = ? AND message_id = ? ORDER BY id",
                [chat_id, message_id],
            )
        )

    def incidents(self, limit: int = 1000) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM incidents ORDER BY id LIMIT ?", [limit]))

    def findings(self, incident_id: int) -> list[dict[str, Any]]:
        return list(
            self.db.query("SELECT * FROM findings WHERE incident_id = ? ORDER BY id", [incident_id])
        )

    # -- reviews -----------------------------------------------------------------------------------

    def add_review(
        self,
        incident_id: int,
        reviewer_id: int | None,
        reviewer_name: str | None,
        action: str,
        note: str | None = None,
        status: str | None = None,
    ) -> int:
        """Record who did what and when; optionally move the incident to `status`."""
        if status is not None and status not in INCIDENT_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self.db.conn:
            self.db.conn.execute("BEGIN")
            cur = self.db.conn.execute(
                "INSERT INTO reviews (incident_id, reviewer_id, reviewer_name, action, at, note)"
                " VALUES (?,?,?,?,?,?)",
                (incident_id, reviewer_id, reviewer_name, action, now_iso(), note),
            )
            if status is not None:
                self.db.conn.execute(
                    "UPDATE incidents SET status = ?, updated_at = ? WHERE id = ?",
                    (status, now_iso(), incident_id),
                )
        return int(cur.lastrowid or 0)

    def reviews(self, incident_id: int) -> list[dict[str, Any]]:
        return list(
            self.db.query("SELECT * FROM reviews WHERE incident_id = ? ORDER BY id", [incident_id])
        )

    # -- chats -------------------------------------------------------------------------------------

    def upsert_chat(self, chat_id: int, **values: Any) -> None:
        """Send full rows (sqlite-utils 4 rejects partial upserts into NOT NULL tables)."""
        current = self.get_chat(chat_id) or {
            "chat_id": chat_id,
            "title": None,
            "mode": None,
            "bot_status": None,
            "can_delete": None,
            "checked_at": None,
        }
        current.update(values)
        current["checked_at"] = now_iso()
        self.db["chats"].upsert(current, pk="chat_id")

    def get_chat(self, chat_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM chats WHERE chat_id = ?", [chat_id]))
        return rows[0] if rows else None

    def chats(self) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM chats ORDER BY chat_id"))

    # -- retention ---------------------------------------------------------------------------------

    def purge(self, retention_days: int, now: datetime | None = None) -> int:
        """Delete incidents (with findings, reviews, evidence) older than the retention period,
        and forget processed update ids older than that too. Returns incidents deleted."""
        cutoff = ((now or now_taipei()) - timedelta(days=retention_days)).isoformat(
            timespec="seconds"
        )
        with self.db.conn:
            self.db.conn.execute("BEGIN")
            cur = self.db.conn.execute("DELETE FROM incidents WHERE detected_at < ?", (cutoff,))
            self.db.conn.execute("DELETE FROM processed_updates WHERE at < ?", (cutoff,))
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return cur.rowcount
