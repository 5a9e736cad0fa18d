"""The web console: Datasette over the incident database, read-only, one login per staffer,
every page view audited.

Deny by default: every table or view that `bot/console/metadata.json` does not list as visible
is hidden AND forbidden (so `incidents` with its `content_enc`, `appeal_enc`, `evidence_png` and
`findings.value_hmac` are unreachable even by URL), arbitrary SQL is disabled (it would reach those
tables), downloading the database file is off, and every page needs a login from
datasette-auth-passwords. What remains are the masked `console_*` views, the audit log and the
canned monthly queries, each exportable as CSV by Datasette itself.

Read-only: the database is opened as a *mutable* Datasette database, whose read connections use
`mode=ro`; `immutable=1` would be wrong here because the bot keeps writing (WAL) while the console
runs, and an immutable reader may ignore the WAL and show stale or torn pages.

Audit: `console_app` wraps Datasette and appends each logged-in page view, CSV export, forbidden
page and login to the same append-only `audit_log` the bot writes, naming the account. That
write goes through `ConsoleAudit`'s own connection (authorizer: read + INSERT INTO audit_log
only), never through Datasette, which keeps no write path at all (no SQL, no write plugins).
"""

from __future__ import annotations

import copy
import json
import logging
import os
import re
import sqlite3
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.review import audit as A
from bot.review.audit import AuditLog

METADATA_PATH = Path(__file__).resolve().parent.parent / "console" / "metadata.json"
REQUIRED_VIEWS = ("console_incidents", "console_findings", "console_reviews")
PLUGIN = "datasette-auth-passwords"
access_log = logging.getLogger("dlpbot.console.access")
log = logging.getLogger(__name__)


class ConsoleError(ValueError):
    """A configuration problem the operator must fix before the console may start."""


ACCOUNT_NAME = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
HASH_PREFIX = "pbkdf2_sha256$"
# Keys of the single shared account this console had before; refused with a pointer to
# `accounts`, because one shared login cannot say WHO looked at what.
_LEGACY_KEYS = {"username", "password_hash_env", "password_hash"}
_PLAIN_KEYS = {"password", "passwords"}


@dataclass(slots=True)
class ConsoleConfig:
    """`[console]` in config.toml: one login per ethics staffer.

    `accounts` lists the usernames — or maps each to the staffer's Telegram user id, so the
    console's audit entries carry the same `actor_id` as their Telegram ones. The password
    *hashes* (never passwords) come from the environment, `DLPBOT_CONSOLE_HASH_<USERNAME>`, or
    from `hashes_file` (lines `username:pbkdf2_sha256$…`, as printed by
    `dlpbot console --hash-password --user NAME`); the environment wins."""

    host: str = "127.0.0.1"
    port: int = 8001
    accounts: list[str] | dict[str, int] = field(default_factory=list)
    hash_env_prefix: str = "DLPBOT_CONSOLE_HASH_"
    hashes_file: str = ""
    hashes_file_env: str = "DLPBOT_CONSOLE_HASHES_FILE"
    secret_env: str = "DLPBOT_CONSOLE_SECRET"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> ConsoleConfig:
        data = dict(data or {})
        plain = _PLAIN_KEYS & set(data)
        if plain:
            raise ConsoleError(
                "[console] must not contain passwords; put hashes from"
                " `dlpbot console --hash-password --user NAME` in the environment or hashes_file"
            )
        legacy = _LEGACY_KEYS & set(data)
        if legacy:
            raise ConsoleError(
                f"[console] {', '.join(sorted(legacy))}: the shared login was replaced by one"
                ' account per staffer: accounts = ["chen", "lin"] and DLPBOT_CONSOLE_HASH_CHEN, …'
            )
        unknown = set(data) - set(cls.__slots__)  # type: ignore[attr-defined]
        if unknown:
            raise ConsoleError(f"[console] unknown keys: {', '.join(sorted(unknown))}")
        cfg = cls(**data)
        cfg.port = int(cfg.port)
        cfg.account_ids()  # validates the names
        return cfg

    def account_ids(self) -> dict[str, int | None]:
        """username → Telegram user id (None when only names are listed)."""
        raw = self.accounts
        pairs = (
            {str(k): int(v) for k, v in raw.items()}
            if isinstance(raw, Mapping)
            else dict.fromkeys((str(n) for n in raw), None)
        )
        for name in pairs:
            if not ACCOUNT_NAME.match(name) or "password_hash" in name:
                raise ConsoleError(
                    f"[console] account {name!r}: use 2-32 lower-case letters, digits or _"
                )
        return pairs  # type: ignore[return-value]

    def hash_env(self, username: str) -> str:
        return f"{self.hash_env_prefix}{username.upper()}"

    def resolved_hashes(self, env: Mapping[str, str]) -> dict[str, str]:
        """username → PBKDF2 hash, for every configured account (ConsoleError if one lacks)."""
        names = list(self.account_ids())
        if not names:
            raise ConsoleError(
                '[console] no accounts: list one per ethics staffer, accounts = ["chen", "lin"]'
            )
        from_file: dict[str, str] = {}
        path = env.get(self.hashes_file_env) or self.hashes_file
        if path:
            from_file = read_hashes_file(Path(path))
        hashes: dict[str, str] = {}
        for name in names:
            value = (env.get(self.hash_env(name)) or from_file.get(name) or "").strip()
            if value.count("$") != 3 or not value.startswith(HASH_PREFIX):
                raise ConsoleError(
                    f"no console password hash for account {name!r}: set {self.hash_env(name)}"
                    " or add it to the hashes file (`dlpbot console --hash-password --user"
                    f" {name}`)"
                )
            hashes[name] = value
        return hashes


def read_hashes_file(path: Path) -> dict[str, str]:
    """`username:hash` per line; blank lines and `#` comments ignored."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        reason = type(exc).__name__
        raise ConsoleError(f"console hashes file unreadable: {path} ({reason})") from exc
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition(":")
        if not sep or not value.startswith(HASH_PREFIX):
            raise ConsoleError(f"{path}:{n}: expected `username:{HASH_PREFIX}…`")
        out[name.strip()] = value.strip()
    return out


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


def build_metadata(db_name: str, objects: set[str], hash_envs: Mapping[str, str]) -> dict[str, Any]:
    """Datasette metadata: zh-TW labels, facets and canned queries from the JSON file, plus one
    login per account (`hash_envs`: username → the variable holding its hash) and the permission
    rules that hide everything else."""
    base = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    visible: dict[str, Any] = copy.deepcopy(base["visible_tables"])
    tables: dict[str, Any] = {name: meta for name, meta in visible.items() if name in objects}
    for name in sorted(objects - set(visible)):
        tables[name] = {"hidden": True, "allow": False}
    logged_in = {"id": sorted(hash_envs)}
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
        "plugins": {
            PLUGIN: {
                f"{name}_password_hash": {"$env": env_name}
                for name, env_name in sorted(hash_envs.items())
            }
        },
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
    """A configured `Datasette` instance (not yet serving). Serve it through `console_app`,
    which adds the audit trail; `ds.app()` alone would serve pages unaudited."""
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
    # Datasette resolves `$env` from the process environment, so a hash read from the hashes
    # file (or a test's mapping) is placed there; the metadata then only names the variable.
    hash_envs: dict[str, str] = {}
    for name, value in config.resolved_hashes(env).items():
        os.environ[config.hash_env(name)] = value
        hash_envs[name] = config.hash_env(name)
    metadata = build_metadata(path.stem, objects, hash_envs)
    return Datasette(
        files=[str(path)],
        metadata=metadata,
        settings=SETTINGS,
        secret=env.get(config.secret_env) or None,
    )


# -- the audit trail --------------------------------------------------------------------------

# Query parameters whose values are recorded: Datasette's own controls and filters on columns
# that hold ids, codes or dates. Any other value (a typed name, a `masked_findings` search…) is
# recorded by length only — a reviewer might paste a raw identifier into a filter box.
_SAFE_PARAMS = {
    "_sort",
    "_sort_desc",
    "_next",
    "_size",
    "_shape",
    "_facet",
    "_facet_array",
    "_labels",
    "_col",
    "_nocol",
    "_stream",
    "_format",
    "_dl",
    "month",
}
_SAFE_COLUMNS = {
    "id",
    "incident_id",
    "chat_id",
    "chat_title",
    "sender_id",
    "month",
    "week",
    "kind",
    "categories",
    "severity",
    "recommended_action",
    "policy_mode",
    "action_taken",
    "warned_via",
    "status",
    "media_status",
    "type",
    "category",
    "detector",
    "action",
    "actor_id",
    "actor_name",
    "reviewer_id",
    "at",
    "sent_at",
}
_UNAUDITED_PREFIXES = ("/-/static", "/favicon.ico", "/-/login", "/-/logout")


def safe_query(query_string: str) -> dict[str, str]:
    """The query string as audit detail, unsafe values replaced by their length."""
    out: dict[str, str] = {}
    for key, value in urllib.parse.parse_qsl(query_string, keep_blank_values=True):
        column = key.split("__", 1)[0]
        safe = key in _SAFE_PARAMS or column in _SAFE_COLUMNS
        shown = value if safe else f"<{len(value)} 字元>"
        out[key] = f"{out[key]},{shown}" if key in out else shown
    return out


def _is_export(path: str, query: dict[str, str]) -> bool:
    return path.endswith(".csv") or query.get("_format") == "csv"


class ConsoleAudit:
    """Appends the console's audit entries to the incident database's `audit_log`.

    Through its OWN read-write SQLite connection, never Datasette's (whose connections stay
    `mode=ro`), and an authorizer on that connection refuses everything but reading and
    INSERT INTO audit_log — so this writer cannot change an incident even by a bug. The table's
    triggers forbid UPDATE and DELETE in any case."""

    def __init__(self, db_path: str | Path) -> None:
        import threading

        self.conn = sqlite3.connect(str(db_path), timeout=10, check_same_thread=False)
        self.conn.execute("PRAGMA busy_timeout = 10000")
        self._lock = threading.Lock()
        self.log = AuditLog(self.conn)  # (creates nothing on a migrated database)
        self.conn.set_authorizer(_audit_only)

    def record(self, action: str, **kw: Any) -> int:
        with self._lock:
            return self.log.record(action, **kw)

    async def arecord(self, action: str, **kw: Any) -> int:
        import asyncio

        return await asyncio.to_thread(self.record, action, **kw)

    def close(self) -> None:
        self.conn.close()


def _audit_only(action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
    """sqlite3 authorizer of the console's audit connection."""
    ok, deny = sqlite3.SQLITE_OK, sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_INSERT:
        return ok if arg1 in ("audit_log", "sqlite_sequence") else deny
    if action == sqlite3.SQLITE_UPDATE:  # AUTOINCREMENT bookkeeping only
        return ok if arg1 == "sqlite_sequence" else deny
    return ok if action in _AUDIT_READS else deny


_AUDIT_READS = {
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_TRANSACTION,
    sqlite3.SQLITE_FUNCTION,
}


async def _request_actor(ds: Any, scope: dict[str, Any]) -> dict[str, Any] | None:
    """The logged-in actor exactly as Datasette resolves it (its `actor_from_request` hooks:
    the signed `ds_actor` cookie, with expiry), or None."""
    from datasette.plugins import pm
    from datasette.utils import await_me_maybe
    from datasette.utils.asgi import Request

    request = Request(scope, None)
    for candidate in pm.hook.actor_from_request(datasette=ds, request=request):
        actor = await await_me_maybe(candidate)
        if actor:
            return actor if isinstance(actor, dict) else None
    return None


def _login_actor(ds: Any, headers: list[tuple[bytes, bytes]]) -> str | None:
    """The account a login response signs in (its `ds_actor` Set-Cookie), or None."""
    from http.cookies import SimpleCookie

    for name, value in headers:
        if name.lower() != b"set-cookie" or not value.startswith(b"ds_actor="):
            continue
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(value.decode("latin-1"))
            return str(ds.unsign(jar["ds_actor"].value, "actor")["a"]["id"])
        except Exception:
            return None
    return None


def console_app(ds: Any, audit: ConsoleAudit, config: ConsoleConfig | None = None) -> Any:
    """Datasette's ASGI app with the console's accountability trail.

    For a logged-in reviewer, every page, JSON or CSV request is appended to `audit_log`
    (`console_view`, `console_export` for CSV, `denied` for a forbidden page) and a successful
    login as `console_login`, each naming the account — written BEFORE the first byte of the
    answer leaves, and if it cannot be written the reviewer gets 503 instead of the page.
    Anonymous requests (which see only the refusal) and failed logins go to the access log
    (`dlpbot.console.access`) only: an append-only table anyone on the network could fill would
    bury the entries that matter. Paths and filters are recorded with `safe_query`."""
    app = ds.app()
    ids = config.account_ids() if config is not None else {}

    async def audited(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return
        path = str(scope.get("path") or "")
        method = str(scope.get("method") or "")
        query = safe_query(scope.get("query_string", b"").decode("latin-1"))
        actor = await _request_actor(ds, scope)
        account = str(actor.get("id")) if actor else None
        is_login = path == "/-/login" and method == "POST"
        audited_page = account is not None and not path.startswith(_UNAUDITED_PREFIXES)
        state: dict[str, Any] = {"status": None, "blocked": False, "account": account}

        def entry(status: int, headers: list[tuple[bytes, bytes]]) -> tuple[str, str] | None:
            """(action, account) to audit for this answer, or None."""
            if is_login:
                who = _login_actor(ds, headers)
                if who is None:
                    return None
                state["account"] = who
                return "console_login", who
            if not audited_page:
                return None
            if status == 403:
                return A.DENIED, str(account)
            return ("console_export" if _is_export(path, query) else "console_view"), str(account)

        async def send_audited(message: dict[str, Any]) -> None:
            if state["blocked"]:
                return
            if message.get("type") == "http.response.start":
                status = state["status"] = int(message["status"])
                todo = entry(status, list(message.get("headers") or []))
                if todo is not None:
                    action, who = todo
                    try:
                        await audit.arecord(
                            action,
                            actor_id=ids.get(who),
                            actor_name=who,
                            target=path,
                            via="console",
                            method=method,
                            query=query,
                            status=status,
                        )
                    except Exception as exc:  # fail closed: no audit row, no page
                        log.error("console: audit write failed (%s)", type(exc).__name__)
                        state["blocked"], state["status"] = True, 503
                        await _send_unavailable(send)
                        return
            await send(message)

        await app(scope, receive, send_audited)
        access_log.info(
            "console %s %s%s actor=%s status=%s",
            method,
            path,
            ("?" + "&".join(f"{k}={v}" for k, v in query.items())) if query else "",
            state["account"] or "-",
            state["status"] if state["status"] is not None else "-",
        )

    return audited


async def _send_unavailable(send: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    body = "稽核紀錄無法寫入，暫停服務。(Audit log unavailable.)".encode()
    await send({"type": "http.response.body", "body": body})


def open_console(
    db_path: str | Path, config: ConsoleConfig, env: Mapping[str, str]
) -> tuple[Any, Any, ConsoleAudit]:
    """What `dlpbot console`, the tests and the screenshots serve: (datasette, asgi app, audit
    writer — close it when done)."""
    ds = build_datasette(db_path, config, env)
    try:
        audit = ConsoleAudit(db_path)
        # Proves at start-up, not at the first page, that the audit log is writable.
        audit.record(
            "console_start",
            actor_id=None,
            actor_name="dlpbot console",
            accounts=sorted(config.account_ids()),
        )
    except sqlite3.Error as exc:
        raise ConsoleError(
            f"cannot write the audit log in {db_path} ({exc}); the console needs write access"
            " to the database file and its directory (WAL) for its audit entries"
        ) from exc
    return ds, console_app(ds, audit, config), audit
