"""The incident store: SQLite through sqlite-utils, WAL, versioned schema, encrypted content.

What is kept and why: enough for the ethics office to review (who, where, when, which categories,
masked findings) and nothing that would make the database itself a leak: message text only
AES-GCM-encrypted (and not at all without a content key), finding values only as keyed hashes.
All calls happen on the event-loop thread; each write is a short transaction.

Delivery bookkeeping (the outbox): an incident's `alert_state` and `warned_via` say whether its
ethics alert and its warning are still owed. `held` = the handler that recorded it still works on
it (deleting first); `pending` = owed, any sender may claim it; `sending` = claimed, in flight;
then `sent`/`dm`/`group_notice`, `unconfirmed` (a timeout or crash left it unknown whether
Telegram got it: never sent again, so nobody gets a message twice) or `failed`. A claim is one
UPDATE … WHERE state = 'pending', so two senders never both send.
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
from bot.store.fallback import FallbackLog, content_aad
from bot.store.migrations import MIGRATIONS, Migration
from bot.timeutil import now_iso, now_taipei
from detectors.types import CATEGORIES, Finding

log = logging.getLogger(__name__)

INCIDENT_STATUSES = ("open", "confirmed", "false_positive", "follow_up")
# Warning states that mean "this message's one warning is taken care of" (claimed or done).
WARNING_CLAIMED_SQL = "warned_via != 'none'"


@dataclass(slots=True)
class FindingRecord:
    """A finding plus its raw value, which the store turns into an HMAC and then forgets.
    `value_hmac` instead of a value: a record replayed from the fallback file."""

    finding: Finding
    value: str
    value_hmac: str | None = None


class Store:
    def __init__(
        self,
        path: str | Path,
        hmac_key: bytes,
        content_key: bytes | None = None,
        migrations: Sequence[Migration] | None = None,
        fallback_path: str | Path | None = None,
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
        self.fallback = FallbackLog(
            fallback_path or f"{self.path}.pending.jsonl", self.hasher, self.cipher
        )
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
        *,
        claim_warning: bool = False,
        content_enc: bytes | None = None,
        original: bytes | None = None,
        original_mime: str | None = None,
    ) -> int:
        """Insert one incident with its findings in one transaction; returns its id.

        `content` (the original text) is stored only encrypted, and only with a content key
        (`content_enc`: already encrypted for this row — the fallback import).
        `original` (the photo or document as sent) likewise: sealed with the content key and
        bound to the row, or not kept at all; the redacted evidence PNG is what reviewers see.
        `claim_warning`: in the same transaction, take the message's one warning
        (`warned_via = 'held'`) unless an earlier incident of the message already holds it.
        """
        row = dict(fields)
        stamp = now_iso()
        row.setdefault("detected_at", stamp)
        row["updated_at"] = stamp
        cats = row.get("categories") or []
        if not isinstance(cats, str):
            row["categories"] = json.dumps(
                sorted(cats, key=lambda c: CATEGORIES.index(c) if c in CATEGORIES else 99)
            )
        row.setdefault("action_taken", "none")
        row.setdefault("warned_via", "none")
        row.setdefault("status", "open")
        with self.db.conn:
            self.db.conn.execute("BEGIN")
            if claim_warning:
                prior = self.db.conn.execute(
                    "SELECT 1 FROM incidents WHERE chat_id = ? AND message_id = ? AND "
                    f"{WARNING_CLAIMED_SQL} LIMIT 1",
                    (row["chat_id"], row["message_id"]),
                ).fetchone()
                row["warned_via"] = "none" if prior else "held"
            cols = ", ".join(f'"{k}"' for k in row)
            marks = ", ".join("?" for _ in row)
            cur = self.db.conn.execute(
                f"INSERT INTO incidents ({cols}) VALUES ({marks})", list(row.values())
            )
            incident_id = int(cur.lastrowid or 0)
            blob = content_enc
            if blob is None and content is not None and self.cipher is not None:
                blob = self.cipher.encrypt(content, aad=f"incident:{incident_id}")
            if blob is not None:
                self.db.conn.execute(
                    "UPDATE incidents SET content_enc = ? WHERE id = ?", (blob, incident_id)
                )
            if original is not None and self.cipher is not None:
                sealed = self.cipher.encrypt_bytes(original, aad=f"incident-file:{incident_id}")
                self.db.conn.execute(
                    "UPDATE incidents SET original_enc = ?, original_mime = ? WHERE id = ?",
                    (sealed, original_mime, incident_id),
                )
            for rec in findings:
                f = rec.finding
                digest = rec.value_hmac or (self.hasher.digest(rec.value) if rec.value else None)
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
                        digest,
                        f.start,
                        f.end,
                        json.dumps(list(f.bbox)) if f.bbox else None,
                    ),
                )
        return incident_id

    def incident_for_update(self, update_id: int | None) -> dict[str, Any] | None:
        """The incident recorded from Telegram update `update_id` (a redelivered update)."""
        if update_id is None:
            return None
        rows = list(self.db.query("SELECT * FROM incidents WHERE update_id = ?", [update_id]))
        return rows[0] if rows else None

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

    def decrypt_original(self, incident_id: int) -> tuple[bytes, str] | None:
        """The original file of an incident and its MIME type (for `/reveal`), or None."""
        row = self.get_incident(incident_id)
        if not row or not row.get("original_enc") or self.cipher is None:
            return None
        data = self.cipher.decrypt_bytes(row["original_enc"], aad=f"incident-file:{incident_id}")
        return data, str(row.get("original_mime") or "application/octet-stream")

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
            if self.db["notices"].exists():
                self.db.conn.execute("DELETE FROM notices WHERE created_at < ?", (cutoff,))
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return cur.rowcount

    # -- outbox: alerts and warnings still owed ----------------------------------------------

    def claim(self, incident_id: int, column: str, expect: str, new: str = "sending") -> bool:
        """Move `column` (alert_state | warned_via) from `expect` to `new`; True if this caller
        won (a concurrent sender then sees the new state and leaves the row alone)."""
        if column not in ("alert_state", "warned_via"):
            raise ValueError(column)
        cur = self.db.conn.execute(
            f'UPDATE incidents SET "{column}" = ?, updated_at = ? WHERE id = ? AND "{column}" = ?',
            (new, now_iso(), incident_id, expect),
        )
        return cur.rowcount == 1

    def release_held(self, incident_id: int, *, alert: bool = False) -> None:
        """The recording handler is done (deleted or not): what it held is now owed.
        `alert=True` also makes an alert owed that was not (a failed deletion)."""
        with self.db.conn:
            self.db.conn.execute("BEGIN")
            self.db.conn.execute(
                "UPDATE incidents SET warned_via = 'pending' WHERE id = ? AND warned_via = 'held'",
                (incident_id,),
            )
            self.db.conn.execute(
                "UPDATE incidents SET alert_state = 'pending' WHERE id = ? AND"
                " (alert_state = 'held' OR (? AND alert_state = 'none'))",
                (incident_id, int(alert)),
            )

    def recover_in_flight(self) -> int:
        """At start-up nothing is in flight: a `sending` row is one whose request a crash cut
        off — Telegram may or may not have it, so it is never sent again (`unconfirmed`)."""
        n = 0
        with self.db.conn:
            self.db.conn.execute("BEGIN")
            for column in ("alert_state", "warned_via"):
                cur = self.db.conn.execute(
                    f'UPDATE incidents SET "{column}" = \'unconfirmed\', updated_at = ?'
                    f' WHERE "{column}" = \'sending\'',
                    (now_iso(),),
                )
                n += cur.rowcount
            cur = self.db.conn.execute(
                "UPDATE notices SET state = 'unconfirmed' WHERE state = 'sending'"
            )
            n += cur.rowcount
        return n

    def held(self, older_than: str | None = None) -> list[dict[str, Any]]:
        """Rows a handler still holds (`held`): at start-up every one (its handler died with
        the last process), while running those not touched since `older_than`."""
        sql = "SELECT * FROM incidents WHERE (warned_via = 'held' OR alert_state = 'held')"
        args: list[Any] = []
        if older_than is not None:
            sql += " AND updated_at < ?"
            args.append(older_than)
        return list(self.db.query(sql + " ORDER BY id", args))

    def owed(self, limit: int = 100) -> list[dict[str, Any]]:
        """Incidents with an alert or a warning to send, oldest first."""
        return list(
            self.db.query(
                "SELECT * FROM incidents WHERE alert_state = 'pending' OR warned_via = 'pending'"
                " ORDER BY id LIMIT ?",
                [limit],
            )
        )

    def delivery_failed(self, incident_id: int, column: str, max_attempts: int) -> str:
        """A definite failure: back to `pending` for the next round, or `failed` after
        `max_attempts`. Returns the new state."""
        attempts = "alert_attempts" if column == "alert_state" else "warn_attempts"
        row = self.db.execute(
            f'SELECT "{attempts}" FROM incidents WHERE id = ?', (incident_id,)
        ).fetchone()
        n = int(row[0] if row else 0) + 1
        state = "failed" if n >= max_attempts else "pending"
        self.db.execute(
            f'UPDATE incidents SET "{column}" = ?, "{attempts}" = ?, updated_at = ? WHERE id = ?',
            (state, n, now_iso(), incident_id),
        )
        return state

    # -- notices: ethics messages that are not incidents (rights lost, bot removed) --------

    def add_notice(self, chat_id: int, kind: str, text: str) -> int:
        cur = self.db.conn.execute(
            "INSERT INTO notices (chat_id, kind, text, created_at) VALUES (?, ?, ?, ?)",
            (chat_id, kind, text, now_iso()),
        )
        return int(cur.lastrowid or 0)

    def due_notices(self, limit: int = 50) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT * FROM notices WHERE state = 'pending' ORDER BY id LIMIT ?", [limit]
            )
        )

    def claim_notice(self, notice_id: int) -> bool:
        cur = self.db.conn.execute(
            "UPDATE notices SET state = 'sending' WHERE id = ? AND state = 'pending'",
            (notice_id,),
        )
        return cur.rowcount == 1

    def finish_notice(
        self, notice_id: int, state: str, message_id: int | None = None, max_attempts: int = 20
    ) -> None:
        if state == "pending":
            self.db.conn.execute(
                "UPDATE notices SET attempts = attempts + 1, state = CASE WHEN attempts + 1 >= ?"
                " THEN 'failed' ELSE 'pending' END WHERE id = ?",
                (max_attempts, notice_id),
            )
            return
        self.db.conn.execute(
            "UPDATE notices SET state = ?, message_id = ?, sent_at = ? WHERE id = ?",
            (state, message_id, now_iso() if state == "sent" else None, notice_id),
        )

    def notices(self) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM notices ORDER BY id"))

    # -- appeals: the button press is recorded at once, and survives a restart --------------

    def request_appeal(self, incident_id: int, user_id: int, user_name: str = "") -> bool:
        """The sender pressed 「我認為這是誤判」: record the request (a review row
        `appeal_requested`, visible to ethics staff even if no reason ever follows) and
        remember, in the database, that this user's next private text is its reason.
        Returns False (and records nothing) if `user_id` is not the incident's sender."""
        row = self.get_incident(incident_id)
        if row is None or row.get("sender_id") != user_id:
            return False
        with self.db.conn:
            self.db.conn.execute("BEGIN")
            self.db.conn.execute(
                "INSERT INTO reviews (incident_id, reviewer_id, reviewer_name, action, at)"
                " VALUES (?, ?, ?, 'appeal_requested', ?)",
                (incident_id, user_id, user_name, now_iso()),
            )
            self.db.conn.execute(
                "INSERT OR REPLACE INTO pending_appeals (user_id, incident_id, at)"
                " VALUES (?, ?, ?)",
                (user_id, incident_id, now_iso()),
            )
        return True

    def pending_appeal(self, user_id: int) -> int | None:
        """The incident whose appeal reason `user_id` still owes, if any."""
        row = self.db.execute(
            "SELECT incident_id FROM pending_appeals WHERE user_id = ?", (user_id,)
        ).fetchone()
        return int(row[0]) if row else None

    def take_pending_appeal(self, user_id: int) -> int | None:
        """Pop the pending appeal of `user_id` (call when its reason arrives)."""
        incident_id = self.pending_appeal(user_id)
        if incident_id is not None:
            self.db.conn.execute("DELETE FROM pending_appeals WHERE user_id = ?", (user_id,))
        return incident_id

    # -- fallback: incidents the database refused, replayed once it works again -------------

    def import_fallback(self) -> list[int]:
        """Move every record of the fallback file into the database, each once (a record
        already imported — same key or same update — is skipped, so a crash mid-import is
        harmless), mark its update as processed, then remove the file. Returns the new
        incident ids. Raises sqlite3.Error while the database still refuses writes (the file
        is then left as it is)."""
        records = self.fallback.read()
        if not records:
            self.fallback.remove()
            return []
        new_ids: list[int] = []
        for rec in records:
            fields = {**rec.fields, **rec.updates, "fallback_key": rec.key}
            if self.db.execute(
                "SELECT 1 FROM incidents WHERE fallback_key = ?", (rec.key,)
            ).fetchone() or self.incident_for_update(fields.get("update_id")):
                continue
            content = None
            if rec.content_enc is not None and self.cipher is not None:
                content = self.cipher.decrypt(rec.content_enc, aad=content_aad(rec.key))
            fields["evidence_png"] = rec.evidence_png
            findings = [
                FindingRecord(
                    Finding(
                        type=f["type"],
                        category=f["category"],
                        start=int(f.get("start") or 0),
                        end=int(f.get("end") or 0),
                        score=float(f.get("score") or 0.0),
                        detector=f.get("detector") or "",
                        reason="",
                        masked=f.get("masked") or "",
                        bbox=tuple(f["bbox"]) if f.get("bbox") else None,
                    ),
                    "",
                    value_hmac=f.get("value_hmac"),
                )
                for f in rec.findings
            ]
            incident_id = self.add_incident(fields, findings, content=content)
            if fields.get("update_id") is not None:
                self.mark_processed(int(fields["update_id"]))
            new_ids.append(incident_id)
        self.fallback.remove()
        log.info("store: %d incident(s) imported from the fallback file", len(new_ids))
        return new_ids
