"""Review operations on the incident database, independent of Telegram.

Every operation that shows or changes something is recorded in the audit log here (not in the
Telegram handlers) so the console, the CLI and the bot cannot forget to log. Nothing returned
for listing or export contains message text: only masked findings. The one exception is
`reveal`, which decrypts the original for one reviewer and records who asked and why.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from bot.review import audit as A
from bot.review.audit import AuditLog
from bot.review.timeutil import parse_day
from bot.store import Store

STATUSES: tuple[str, ...] = ("open", "confirmed", "false_positive", "follow_up")
# Reviewer decisions offered as buttons on the alert.
DECISIONS: tuple[str, ...] = ("confirmed", "false_positive", "follow_up")


def _dicts(cur: sqlite3.Cursor) -> list[dict[str, Any]]:
    """Rows as dicts without touching the shared connection's row_factory (sqlite-utils owns it)."""
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


class ReviewError(Exception):
    """A problem worth telling the reviewer (unknown incident, bad filter…); `key` selects text."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True, slots=True)
class Actor:
    """The Telegram user doing something (kept in the audit log by id and display name)."""

    id: int
    name: str = ""


@dataclass(slots=True)
class IncidentFilter:
    chat_id: int | None = None
    category: str | None = None
    status: str | None = None
    date_from: str | None = None  # YYYY-MM-DD, Taipei
    date_to: str | None = None
    sender_id: int | None = None
    chat_ids: set[int] | None = None  # restriction for chat administrators

    @classmethod
    def parse_args(cls, args: list[str]) -> tuple[IncidentFilter, int]:
        """`chat=… cat=… status=… from=… to=… sender=… page=…` → (filter, page ≥ 1)."""
        flt = cls()
        page = 1
        for arg in args:
            key, sep, value = arg.partition("=")
            if not sep or not value:
                raise ReviewError("bad_filter", arg=arg)
            key = key.lower()
            try:
                if key == "chat":
                    flt.chat_id = int(value)
                elif key in ("cat", "category"):
                    flt.category = value
                elif key == "status":
                    if value not in STATUSES:
                        raise ReviewError("bad_filter", arg=arg)
                    flt.status = value
                elif key == "from":
                    flt.date_from = parse_day(value).isoformat()
                elif key == "to":
                    flt.date_to = parse_day(value).isoformat()
                elif key == "sender":
                    flt.sender_id = int(value)
                elif key == "page":
                    page = max(1, int(value))
                else:
                    raise ReviewError("bad_filter", arg=arg)
            except ValueError as exc:
                raise ReviewError("bad_filter", arg=arg) from exc
        return flt, page

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        if self.chat_id is not None:
            clauses.append("chat_id = ?")
            args.append(self.chat_id)
        if self.chat_ids is not None:
            clauses.append(f"chat_id IN ({','.join('?' * len(self.chat_ids)) or 'NULL'})")
            args.extend(sorted(self.chat_ids))
        if self.category:
            clauses.append("EXISTS (SELECT 1 FROM json_each(incidents.categories) WHERE value = ?)")
            args.append(self.category)
        if self.status:
            clauses.append("status = ?")
            args.append(self.status)
        if self.date_from:
            clauses.append("substr(sent_at, 1, 10) >= ?")
            args.append(self.date_from)
        if self.date_to:
            clauses.append("substr(sent_at, 1, 10) <= ?")
            args.append(self.date_to)
        if self.sender_id is not None:
            clauses.append("sender_id = ?")
            args.append(self.sender_id)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def describe(self) -> dict[str, Any]:
        """The filter as audit-log detail (ids and dates only, never message content)."""
        return {
            name: getattr(self, name)
            for name in ("chat_id", "category", "status", "date_from", "date_to", "sender_id")
            if getattr(self, name) is not None
        }


@dataclass(slots=True)
class IncidentPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


@dataclass(slots=True)
class IncidentDetail:
    incident: dict[str, Any]
    findings: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)

    @property
    def categories(self) -> list[str]:
        return json.loads(self.incident.get("categories") or "[]")


# Columns safe to show and export (no ciphertext, no HMAC, no evidence image).
SAFE_COLUMNS: tuple[str, ...] = (
    "id",
    "chat_id",
    "chat_title",
    "message_id",
    "sender_id",
    "sender_name",
    "sent_at",
    "detected_at",
    "kind",
    "categories",
    "severity",
    "recommended_action",
    "policy_mode",
    "action_taken",
    "warned_via",
    "status",
    "media_status",
    "scan_status",
    "scan_error",
    "alert_state",
    "alert_chat_id",
    "alert_message_id",
    "updated_at",
)


class ReviewService:
    """One per process, on top of the bot's `Store` (its connection, cipher and review API)."""

    def __init__(self, store: Store, *, page_size: int = 10) -> None:
        self.store = store
        self.conn: sqlite3.Connection = store.db.conn
        self.audit = AuditLog(self.conn)
        self.page_size = page_size
        cols = {r[1] for r in self.conn.execute("PRAGMA table_info(incidents)")}
        self._cols = [c for c in SAFE_COLUMNS if c in cols]

    # -- reading ----------------------------------------------------------------------------

    def list_incidents(
        self, flt: IncidentFilter, page: int, actor: Actor, *, audit: bool = True
    ) -> IncidentPage:
        where, args = flt.where()
        total = int(self.conn.execute(f"SELECT count(*) FROM incidents{where}", args).fetchone()[0])
        pages = max(1, -(-total // self.page_size))
        page = min(max(page, 1), pages)
        rows = _dicts(
            self.conn.execute(
                f"SELECT {', '.join(self._cols)} FROM incidents{where}"
                " ORDER BY sent_at DESC, id DESC LIMIT ? OFFSET ?",
                [*args, self.page_size, (page - 1) * self.page_size],
            )
        )
        if audit:
            self.audit.record(
                A.LIST, actor_id=actor.id, actor_name=actor.name, page=page, **flt.describe()
            )
        return IncidentPage(rows, total, page, pages)

    def detail(self, incident_id: int, actor: Actor | None = None) -> IncidentDetail:
        """One incident with masked findings and review history; audited when `actor` is given."""
        rows = _dicts(
            self.conn.execute(
                f"SELECT {', '.join(self._cols)} FROM incidents WHERE id = ?", (incident_id,)
            )
        )
        if not rows:
            raise ReviewError("no_incident", id=incident_id)
        findings = _dicts(
            self.conn.execute(
                'SELECT id, type, category, detector, score, masked, start, "end"'
                " FROM findings WHERE incident_id = ? ORDER BY start, id",
                (incident_id,),
            )
        )
        reviews = _dicts(
            self.conn.execute(
                "SELECT reviewer_id, reviewer_name, action, at, note FROM reviews"
                " WHERE incident_id = ? ORDER BY id",
                (incident_id,),
            )
        )
        if actor is not None:
            self.audit.record(
                A.VIEW, actor_id=actor.id, actor_name=actor.name, target=f"incident:{incident_id}"
            )
        return IncidentDetail(rows[0], findings, reviews)

    def content(self, incident_id: int) -> str:
        """The decrypted original (callers audit); ReviewError when none was kept."""
        text = self.store.decrypt_content(incident_id)
        if text is None:
            raise ReviewError("no_content", id=incident_id)
        return text

    def reveal(self, incident_id: int, actor: Actor, reason: str) -> str:
        """Decrypt the original message. A reason is mandatory and is written to the audit log
        BEFORE decrypting, so even a reveal that later fails to be delivered is accounted for."""
        reason = reason.strip()
        if len(reason) < 2:
            raise ReviewError("reveal_needs_reason")
        self.detail(incident_id)  # raises for an unknown id before anything is logged
        self.audit.record(
            A.REVEAL,
            actor_id=actor.id,
            actor_name=actor.name,
            target=f"incident:{incident_id}",
            reason=reason,
        )
        return self.content(incident_id)

    def revealed_original(self, incident_id: int) -> tuple[bytes, str] | None:
        """The original file of an incident, after `reveal` audited the request (the same
        entry covers the text and the file), or None when none was kept."""
        return self.store.decrypt_original(incident_id)

    def has_evidence(self, incident_id: int) -> bool:
        row = self.conn.execute(
            "SELECT evidence_png IS NOT NULL FROM incidents WHERE id = ?", (incident_id,)
        ).fetchone()
        return bool(row and row[0])

    def evidence(self, incident_id: int, actor: Actor) -> bytes | None:
        """The redacted evidence image (PNG) of an image incident, None when there is none.
        Audited before it is returned, like `reveal`."""
        row = self.conn.execute(
            "SELECT evidence_png FROM incidents WHERE id = ?", (incident_id,)
        ).fetchone()
        if row is None:
            raise ReviewError("no_incident", id=incident_id)
        if not row[0]:
            return None
        data = bytes(row[0])
        self.audit.record(
            A.EVIDENCE,
            actor_id=actor.id,
            actor_name=actor.name,
            target=f"incident:{incident_id}",
            bytes=len(data),
        )
        return data

    def appeal_state(self, incident_id: int) -> str:
        """"none", "stored" (encrypted text kept) or "not_stored" (appealed without a key)."""
        if not self.has_appeal(incident_id):
            return "none"
        row = self.conn.execute(
            "SELECT appeal_enc FROM incidents WHERE id = ?", (incident_id,)
        ).fetchone()
        return "stored" if row and row[0] and self.store.cipher is not None else "not_stored"

    def appeal_text(self, incident_id: int, actor: Actor) -> str | None:
        """The sender's decrypted appeal reason for one reviewer (it may quote the leaked data,
        so it is stored encrypted); audited before decrypting. None when none is kept."""
        if self.appeal_state(incident_id) != "stored":
            return None
        blob = self.conn.execute(
            "SELECT appeal_enc FROM incidents WHERE id = ?", (incident_id,)
        ).fetchone()[0]
        self.audit.record(
            A.APPEAL_VIEW,
            actor_id=actor.id,
            actor_name=actor.name,
            target=f"incident:{incident_id}",
        )
        assert self.store.cipher is not None
        return self.store.cipher.decrypt(blob, aad=f"appeal:{incident_id}")

    # -- changing ---------------------------------------------------------------------------

    def set_status(
        self, incident_id: int, status: str, actor: Actor, note: str = ""
    ) -> IncidentDetail:
        if status not in STATUSES:
            raise ReviewError("bad_status", status=status)
        before = self.detail(incident_id)
        self.store.add_review(incident_id, actor.id, actor.name, status, note, status=status)
        self.audit.record(
            A.STATUS,
            actor_id=actor.id,
            actor_name=actor.name,
            target=f"incident:{incident_id}",
            before=before.incident.get("status"),
            after=status,
        )
        return self.detail(incident_id)

    def record_appeal(self, incident_id: int, sender_id: int, text: str) -> IncidentDetail:
        """Only the sender of the incident may appeal; the appeal text is stored encrypted
        (it may repeat the very data that caused the incident) or not at all without a key."""
        detail = self.detail(incident_id)
        if detail.incident.get("sender_id") != sender_id:
            raise ReviewError("not_your_incident", id=incident_id)
        if not text.strip():
            raise ReviewError("appeal_needs_text")
        self.store.set_appeal(incident_id, text)
        self.store.add_review(
            incident_id, sender_id, detail.incident.get("sender_name") or "", "appeal"
        )
        self.audit.record(
            A.APPEAL,
            actor_id=sender_id,
            target=f"incident:{incident_id}",
            stored=self.store.cipher is not None,
        )
        return self.detail(incident_id)

    def has_appeal(self, incident_id: int) -> bool:
        row = self.conn.execute(
            "SELECT count(*) FROM reviews WHERE incident_id = ? AND action = 'appeal'",
            (incident_id,),
        ).fetchone()
        return bool(row[0])

    # -- monthly figures --------------------------------------------------------------------

    def month_rows(self, month: str, chat_ids: set[int] | None = None) -> list[dict[str, Any]]:
        """Masked rows of one month (`YYYY-MM`, Taipei) for export and charts."""
        flt = IncidentFilter(chat_ids=chat_ids)
        where, args = flt.where()
        where = (where + " AND " if where else " WHERE ") + "substr(sent_at, 1, 7) = ?"
        rows = _dicts(
            self.conn.execute(
                f"SELECT {', '.join(self._cols)} FROM incidents{where} ORDER BY sent_at, id",
                [*args, month],
            )
        )
        masked: dict[int, list[str]] = {}
        ids = [r["id"] for r in rows]
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start : chunk_start + 500]
            for f in self.conn.execute(
                f"SELECT incident_id, type, masked FROM findings WHERE incident_id IN"
                f" ({','.join('?' * len(chunk))}) ORDER BY incident_id, start",
                chunk,
            ):
                masked.setdefault(f[0], []).append(f"{f[1]}:{f[2]}")
        for r in rows:
            r["masked_findings"] = " ".join(masked.get(r["id"], []))
        return rows
