"""Schema migrations: an ORDERED list, applied once each, recorded in `meta.schema_version`.

Other modules (issue 5's review tables, …) append their own `Migration` to `MIGRATIONS` — never
edit or reorder an existing entry, because deployed databases have already run it. A migration
is a list of SQL statements run in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.review.schema import CONSOLE_INCIDENTS_VIEW, REVIEW_MIGRATION_STATEMENTS


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
    # Reliability: the update an incident came from (a redelivered update resumes it instead of
    # recording it twice), how completely it was scanned, the delivery state of its alert and
    # warning (a persisted outbox), the key of a record replayed from the fallback file, an
    # outbox for ethics notices that are not incidents, and appeals pressed but not yet argued.
    Migration(
        3,
        "reliability: update_id, scan_status, alert/warning outbox, notices, pending appeals",
        (
            "ALTER TABLE incidents ADD COLUMN update_id INTEGER",
            "CREATE UNIQUE INDEX idx_incidents_update ON incidents(update_id)"
            " WHERE update_id IS NOT NULL",
            # scanned | partial | unscanned (what ethics staff must know was not fully read)
            "ALTER TABLE incidents ADD COLUMN scan_status TEXT NOT NULL DEFAULT 'scanned'",
            "ALTER TABLE incidents ADD COLUMN scan_error TEXT",
            # none | held | pending | sending | sent | unconfirmed | failed
            "ALTER TABLE incidents ADD COLUMN alert_state TEXT NOT NULL DEFAULT 'none'",
            "ALTER TABLE incidents ADD COLUMN alert_attempts INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE incidents ADD COLUMN warn_attempts INTEGER NOT NULL DEFAULT 0",
            # dm | group_notice: where the warning goes first (a DM needs a person as sender)
            "ALTER TABLE incidents ADD COLUMN warn_channel TEXT",
            "ALTER TABLE incidents ADD COLUMN fallback_key TEXT",
            "CREATE UNIQUE INDEX idx_incidents_fallback ON incidents(fallback_key)"
            " WHERE fallback_key IS NOT NULL",
            "CREATE INDEX idx_incidents_alert_state ON incidents(alert_state)",
            "CREATE INDEX idx_incidents_warned_via ON incidents(warned_via)",
            """CREATE TABLE notices (
                id INTEGER PRIMARY KEY,
                chat_id INTEGER NOT NULL,
                kind TEXT NOT NULL,
                text TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending',
                attempts INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,
                sent_at TEXT,
                message_id INTEGER
            )""",
            "CREATE INDEX idx_notices_state ON notices(state)",
            """CREATE TABLE pending_appeals (
                user_id INTEGER PRIMARY KEY,
                incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
                at TEXT NOT NULL
            )""",
        ),
    ),
    # The original photo or document of an incident, sealed with the content key (never in the
    # clear; absent without the key), and what ethics staff must see in the console: how
    # completely a message was read and whether its alert went out.
    Migration(
        4,
        "original file encrypted; console view shows scan status and alert state",
        (
            "ALTER TABLE incidents ADD COLUMN original_enc BLOB",
            "ALTER TABLE incidents ADD COLUMN original_mime TEXT",
            "DROP VIEW IF EXISTS console_incidents",
            CONSOLE_INCIDENTS_VIEW,
        ),
    ),
]


def latest_version() -> int:
    return max(m.version for m in MIGRATIONS)
