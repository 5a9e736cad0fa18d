"""Tables the review layer adds to the incident database: `audit_log`, `allow_list`, console view.

The same statements are appended as a migration to `bot/store/migrations.py`; `ensure_schema`
runs them idempotently so the review layer also works on a database created before that
migration existed (and in tests that build only the incident tables).
"""

from __future__ import annotations

import sqlite3

# Append-only: triggers RAISE on any UPDATE or DELETE, so not even a bug (or a curious admin with
# the sqlite3 shell who does not drop the trigger first) can silently rewrite history.
AUDIT_SQL = """
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor_name TEXT,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log(at);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
"""

# Allow-list entries added by reviewers from an incident; merged into the detector config at
# start-up and applied to the running scanner at once.
ALLOW_LIST_SQL = """
CREATE TABLE IF NOT EXISTS allow_list (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('public_number', 'agency_address', 'keyword_exception')),
    value TEXT NOT NULL,
    lexicon TEXT,
    incident_id INTEGER,
    added_by INTEGER,
    added_at TEXT NOT NULL,
    note TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS allow_list_unique ON allow_list(kind, value, IFNULL(lexicon, ''));
"""

# What the web console may show: masked, no ciphertext, no HMACs, no evidence images.
CONSOLE_VIEW_SQL = """
CREATE VIEW IF NOT EXISTS console_incidents AS
SELECT id, chat_id, chat_title, sender_id, sender_name, sent_at,
       substr(sent_at, 1, 7) AS month,
       strftime('%Y-W%W', substr(sent_at, 1, 10)) AS week,
       kind, categories, severity, recommended_action, policy_mode, action_taken,
       warned_via, status, media_status, updated_at,
       (SELECT group_concat(f.type || ':' || f.masked, ' ')
          FROM findings f WHERE f.incident_id = incidents.id) AS masked_findings
FROM incidents;
CREATE VIEW IF NOT EXISTS console_findings AS
SELECT id, incident_id, type, category, detector, score, masked FROM findings;
CREATE VIEW IF NOT EXISTS console_reviews AS
SELECT id, incident_id, reviewer_id, reviewer_name, action, at FROM reviews;
"""


def _inert(column: str) -> str:
    """SQL that keeps a Telegram display name inert in a spreadsheet: Datasette's own CSV
    export of the console views would otherwise hand "=HYPERLINK(...)" to Excel as a formula
    (the bot's /export does the same in Python, bot/review/export.py)."""
    quote = "'"
    return (
        f"CASE WHEN substr({column}, 1, 1) IN ('=', '+', '-', '@', char(9), char(13),"
        f" '＝', '＋', '－', '＠') THEN {quote * 4} || {column} ELSE {column} END"
    )


# Since migration 4: the same view with how completely each message was read and whether its
# alert went out (the columns migration 3 added). Migration 2 keeps its original text.
CONSOLE_INCIDENTS_VIEW = f"""CREATE VIEW console_incidents AS
SELECT id, chat_id, {_inert("chat_title")} AS chat_title, sender_id,
       {_inert("sender_name")} AS sender_name, sent_at,
       substr(sent_at, 1, 7) AS month,
       strftime('%Y-W%W', substr(sent_at, 1, 10)) AS week,
       kind, categories, severity, recommended_action, policy_mode, action_taken,
       warned_via, status, media_status, scan_status, scan_error, alert_state, updated_at,
       (SELECT group_concat(f.type || ':' || f.masked, ' ')
          FROM findings f WHERE f.incident_id = incidents.id) AS masked_findings
FROM incidents"""


def _statements(script: str) -> tuple[str, ...]:
    """Split a script into single statements (trigger bodies keep their inner `;`)."""
    out: list[str] = []
    buf = ""
    for part in script.split(";"):
        buf += part + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n;"):
                out.append(buf.strip())
            buf = ""
    return tuple(out)


# The store's migration 2 (bot/store/migrations.py) runs exactly these, one at a time.
REVIEW_MIGRATION_STATEMENTS: tuple[str, ...] = _statements(
    AUDIT_SQL + ALLOW_LIST_SQL + CONSOLE_VIEW_SQL
)


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the review tables, triggers and console views if missing (idempotent)."""
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    if {"audit_log", "allow_list", "console_incidents"} <= have:
        return
    conn.executescript(AUDIT_SQL + ALLOW_LIST_SQL)
    if {"incidents", "findings", "reviews"} <= have:
        conn.executescript(CONSOLE_VIEW_SQL)
