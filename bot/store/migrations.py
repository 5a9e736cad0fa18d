"""Schema migrations: an ORDERED list, applied once each, recorded in `meta.schema_version`.

Other modules (issue 5's review tables, …) append their own `Migration` to `MIGRATIONS` — never
edit or reorder an existing entry, because deployed databases have already run it. A migration
is a list of SQL statements run in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.review.schema import REVIEW_MIGRATION_STATEMENTS


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: list[Migration] = [
    Migration(
        1,
        "incidents, findings, reviews, chats, processed_updates",
        (
            """CREATE TABLE incidents (
                id INTEGER PRIMARY KEY,
                chat_id INTEGER NOT NULL,
                chat_title TEXT,
                message_id INTEGER NOT NULL,
                media_group_id TEXT,
                sender_id INTEGER,
                sender_name TEXT,
                sent_at TEXT,
                detected_at TEXT NOT NULL,
                kind TEXT NOT NULL,
                categories TEXT NOT NULL,
                severity TEXT NOT NULL,
                severity_level INTEGER NOT NULL,
                recommended_action TEXT NOT NULL,
                policy_mode TEXT NOT NULL,
                action_taken TEXT NOT NULL DEFAULT 'none',
                delete_error TEXT,
                warned_via TEXT NOT NULL DEFAULT 'none',
                status TEXT NOT NULL DEFAULT 'open',
                appeal_enc BLOB,
                content_enc BLOB,
                evidence_png BLOB,
                media_status TEXT,
                alert_chat_id INTEGER,
                alert_message_id INTEGER,
                updated_at TEXT NOT NULL
            )""",
            "CREATE INDEX idx_incidents_chat_msg ON incidents(chat_id, message_id)",
            "CREATE INDEX idx_incidents_detected ON incidents(detected_at)",
            """CREATE TABLE findings (
                id INTEGER PRIMARY KEY,
                incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
                type TEXT NOT NULL,
                category TEXT NOT NULL,
                detector TEXT,
                score REAL,
                masked TEXT,
                value_hmac TEXT,
                start INTEGER,
                "end" INTEGER,
                bbox TEXT
            )""",
            "CREATE INDEX idx_findings_incident ON findings(incident_id)",
            "CREATE INDEX idx_findings_hmac ON findings(value_hmac)",
            """CREATE TABLE reviews (
                id INTEGER PRIMARY KEY,
                incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
                reviewer_id INTEGER,
                reviewer_name TEXT,
                action TEXT NOT NULL,
                at TEXT NOT NULL,
                note TEXT
            )""",
            "CREATE INDEX idx_reviews_incident ON reviews(incident_id)",
            """CREATE TABLE chats (
                chat_id INTEGER PRIMARY KEY,
                title TEXT,
                mode TEXT,
                bot_status TEXT,
                can_delete INTEGER,
                checked_at TEXT
            )""",
            "CREATE TABLE processed_updates (update_id INTEGER PRIMARY KEY, at TEXT NOT NULL)",
        ),
    ),
    # issue 5 (review): append-only audit log, reviewer allow-list, masked console views.
    Migration(
        2,
        "review: audit_log (append-only triggers), allow_list, console views",
        REVIEW_MIGRATION_STATEMENTS,
    ),
]


def latest_version() -> int:
    return max(m.version for m in MIGRATIONS)
