"""The web console: Datasette over the incident database, read-only, behind a password.

Deny by default: every table or view that `bot/console/metadata.json` does not list as visible
is hidden AND forbidden (so `incidents` with its `content_enc`, `appeal_enc`, `evidence_png` and
`findings.value_hmac` are unreachable even by URL), arbitrary SQL is disabled (it would reach those
tables), downloading the database file is off, and every page needs a login from
datasette-auth-passwords. What remains are the masked `console_*` views, the audit log and the
canned monthly queries, each exportable as CSV by Datasette itself.

Read-only: the database is opened as a *mutable* Datasette database, whose read connections use
`mode=ro`; `immutable=1` would be wrong here because the bot keeps writing (WAL) while the console
runs, and an immutable reader may ignore the WAL and show stale or torn pages.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import sqlite3
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

METADATA_PATH = Path(__file__).resolve().parent.parent / "console" / "metadata.json"
REQUIRED_VIEWS = ("console_incidents", "console_findings", "console_reviews")
PLUGIN = "datasette-auth-passwords"
access_log = logging.getLogger("dlpbot.console.access")


class ConsoleError(ValueError):
    """A configuration problem the operator must fix before the console may start."""


@dataclass(slots=True)
class ConsoleConfig:
    """`[console]` in config.toml. The password hash comes from the environment by default so
    the file can be committed; make one with `dlpbot console --hash-password`."""

    host: str = "127.0.0.1"
    port: int = 8001
    username: str = "ethics"
    password_hash_env: str = "DLPBOT_CONSOLE_PASSWORD_HASH"
    password_hash: str = ""
    secret_env: str = "DLPBOT_CONSOLE_SECRET"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> ConsoleConfig:
        data = dict(data or {})
        unknown = set(data) - set(cls.__slots__)  # type: ignore[attr-defined]
        if unknown:
            raise ConsoleError(f"[console] unknown keys: {', '.join(sorted(unknown))}")
        cfg = cls(**data)
        cfg.port = int(cfg.port)
        return cfg

    def resolved_hash(self, env: Mapping[str, str]) -> str:
        value = (env.get(self.password_hash_env) or self.password_hash or "").strip()
        if value.count("$") != 3 or not value.startswith("pbkdf2_sha256$"):
            raise ConsoleError(
                f"no console password: set {self.password_hash_env} to the output of"
                " `dlpbot console --hash-password`"
            )
        return value


def hash_password(password: str) -> str:
    """The PBKDF2 hash datasette-auth-passwords verifies (never store the password itself)."""
    from datasette_auth_passwords.utils import hash_password as _hash

    return _hash(password)


def database_objects(path: Path) -> set[str]:
    """Names of every table and view, read through a read-only connection."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        }
    finally:
        conn.close()


def build_metadata(db_name: str, objects: set[str], username: str, hash_env: str) -> dict[str, Any]:
    """Datasette metadata: zh-TW labels, facets and canned queries from the JSON file, plus the
    login plugin's account and the permission rules that hide everything else."""
    base = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    visible: dict[str, Any] = copy.deepcopy(base["visible_tables"])
    tables: dict[str, Any] = {name: meta for name, meta in visible.items() if name in objects}
    for name in sorted(objects - set(visible)):
        tables[name] = {"hidden": True, "allow": False}
    logged_in = {"id": username}
    queries = copy.deepcopy(base["queries"])
    for query in queries.values():
        query["allow"] = logged_in
    return {
        "title": base["title"],
        "description": base["description"],
        "license": base["license"],
        # Inline (data: URL) so the console needs no static-file route: lays the zh-TW column
        # descriptions out as a compact grid above the facets instead of one long list.
        "extra_css_urls": ["data:text/css," + urllib.parse.quote(base["extra_css"])],
        "allow": logged_in,
        "allow_sql": False,
        # By reference: Datasette shows resolved literals to logged-in users at /-/metadata.json.
        "plugins": {PLUGIN: {f"{username}_password_hash": {"$env": hash_env}}},
        "databases": {
            db_name: {
                **base["database"],
                "allow": logged_in,
                "allow_sql": False,
                "tables": tables,
                "queries": queries,
            }
        },
    }


SETTINGS: dict[str, Any] = {
    "allow_download": False,  # the .db file holds the ciphertext and HMACs
    "default_allow_sql": False,
    "allow_csv_stream": True,
    "suggest_facets": False,
    "default_page_size": 50,
}


def build_datasette(db_path: str | Path, config: ConsoleConfig, env: Mapping[str, str]) -> Any:
    """A configured `Datasette` instance (not yet serving) for `dlpbot console` and the tests."""
    from datasette.app import Datasette

    path = Path(db_path)
    if not path.exists():
        raise ConsoleError(f"database not found: {path}")
    objects = database_objects(path)
    missing = [v for v in REQUIRED_VIEWS if v not in objects]
    if missing:
        raise ConsoleError(
            f"{path}: console views missing ({', '.join(missing)}); start the bot once"
            " (`dlpbot run`) so the schema migrations run"
        )
    # Datasette resolves `$env` from the process environment, so a hash given in the file (or in
    # a test's mapping) is placed there; the metadata then only names the variable.
    os.environ[config.password_hash_env] = config.resolved_hash(env)
    metadata = build_metadata(path.stem, objects, config.username, config.password_hash_env)
    return Datasette(
        files=[str(path)],
        metadata=metadata,
        settings=SETTINGS,
        secret=env.get(config.secret_env) or None,
    )


def _actor_id(ds: Any, scope: dict[str, Any]) -> str:
    """The logged-in account from Datasette's signed `ds_actor` cookie ("-" when anonymous)."""
    from http.cookies import SimpleCookie

    headers = dict(scope.get("headers") or [])
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get(b"cookie", b"").decode("latin-1"))
        morsel = jar.get("ds_actor")
        if morsel is None:
            return "-"
        return str(ds.unsign(morsel.value, "actor")["a"].get("id", "?"))
    except Exception:  # a forged or expired cookie is logged as such, never trusted
        return "invalid"


def with_access_log(ds: Any) -> Any:
    """Datasette's ASGI app, logging who requested which page and the answer's status.

    The console never writes to the incident database (it is opened read-only), so it cannot add
    to `audit_log`; this access log is its accountability trail instead. Paths and filters name
    chats, months and masked values only — never message content.
    """
    app = ds.app()

    async def logged(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return
        status: list[int] = []

        async def send_status(message: dict[str, Any]) -> None:
            if message.get("type") == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        await app(scope, receive, send_status)
        query = scope.get("query_string", b"").decode("latin-1")
        access_log.info(
            "console %s %s%s actor=%s status=%s",
            scope.get("method"),
            scope.get("path"),
            f"?{query}" if query else "",
            _actor_id(ds, scope),
            status[0] if status else "-",
        )

    return logged
