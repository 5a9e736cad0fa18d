"""The web console (Datasette) and `dlpbot purge`, exercised in-process on a real incident store.

Datasette's own ASGI test client checks what Datasette shows; the audited app that `dlpbot
console` serves (`open_console`) is driven with httpx over ASGI (no server, no browser:
tests/test_console_browser.py covers the browser). Logins go through datasette-auth-passwords'
real form and CSRF check.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from datasette_auth_passwords.utils import hash_password

from bot.cli import main as cli_main
from bot.review import audit as A
from bot.review.console import ConsoleConfig, ConsoleError, build_datasette, open_console
from bot.review.sample import seed
from bot.store import Store

PASSWORD = "correct horse battery staple"
LIN_PASSWORD = "lin's own long passphrase"
# Few PBKDF2 rounds keep the test fast; verification reads the rounds from the hash itself.
HASH = hash_password(PASSWORD, iterations=1000)
ENV = {
    "DLPBOT_CONSOLE_HASH_CHEN": HASH,
    "DLPBOT_CONSOLE_HASH_LIN": hash_password(LIN_PASSWORD, iterations=1000),
}
CONFIG = ConsoleConfig(accounts={"chen": 9001, "lin": 9002})  # staffers' Telegram ids
SECRET_TEXT = "A123456789"  # a value inside the seeded originals (encrypted in the store)


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("console") / "dlpbot.db"
    store = Store(path, hmac_key=b"h" * 32, content_key=b"c" * 32)
    seed(store, month="2026-11", count=24)
    store.close()
    return path


@pytest.fixture(scope="module")
def ds(db_path: Path):
    return build_datasette(db_path, CONFIG, ENV)


async def _login(ds, username: str = "chen", password: str = PASSWORD) -> dict[str, str]:
    """Log in through the real form: GET sets the CSRF cookie, POST verifies the password."""
    first = await ds.client.get("/-/login")
    token = first.cookies["ds_csrftoken"]
    resp = await ds.client.post(
        "/-/login",
        data={"username": username, "password": password, "csrftoken": token},
        cookies={"ds_csrftoken": token},
    )
    assert resp.status_code == 302, resp.text[:300]
    return {"ds_actor": resp.cookies["ds_actor"]}


ANY_PATHS = (
    "/",
    "/dlpbot",
    "/dlpbot/console_incidents",
    "/dlpbot/console_incidents.json",
    "/dlpbot/console_incidents.csv",
    "/dlpbot/incidents",
    "/dlpbot/monthly_by_unit.csv?month=2026-11",
    "/dlpbot.json?sql=select+1",
    "/dlpbot.db",
    "/-/metadata.json",
)


async def test_unauthenticated_visitor_sees_no_incident_data_anywhere(ds) -> None:
    for path in ANY_PATHS:
        resp = await ds.client.get(path)
        assert resp.status_code == 403, path
        for leak in ("臺北市政府", "林志明", "TW_NATIONAL_ID", SECRET_TEXT):
            assert leak not in resp.text, (path, leak)


async def test_wrong_password_is_refused_and_sets_no_session(ds) -> None:
    first = await ds.client.get("/-/login")
    token = first.cookies["ds_csrftoken"]
    resp = await ds.client.post(
        "/-/login",
        data={"username": "chen", "password": "guess", "csrftoken": token},
        cookies={"ds_csrftoken": token},
    )
    assert resp.status_code == 200
    assert "ds_actor" not in resp.cookies


async def test_logged_in_reviewer_sees_masked_incidents_with_zh_tw_labels_and_facets(
    ds,
) -> None:
    cookies = await _login(ds)
    resp = await ds.client.get("/dlpbot/console_incidents", cookies=cookies)
    assert resp.status_code == 200
    page = resp.text
    assert "事件列表" in page and "臺北市政府警察局刑事大隊" in page
    assert "TW_NATIONAL_ID:A1" in page  # masked finding shown…
    assert SECRET_TEXT not in page  # …never the value
    for facet in ("chat_title", "categories", "status", "week"):
        assert f'data-column="{facet}"' in page, facet
    data = (
        await ds.client.get(
            "/dlpbot/console_incidents.json?_shape=array&_size=max", cookies=cookies
        )
    ).json()
    assert len(data) == 24
    assert not {"content_enc", "appeal_enc", "evidence_png", "value_hmac"} & set(data[0])


async def test_raw_tables_sql_and_database_download_stay_forbidden_after_login(
    ds,
) -> None:
    cookies = await _login(ds)
    for path in (
        "/dlpbot/incidents",
        "/dlpbot/incidents.json",
        "/dlpbot/findings.csv",
        "/dlpbot/allow_list",
        "/dlpbot.json?sql=select+content_enc+from+incidents",
        "/dlpbot/console_incidents.json?_where=1=1",
        "/dlpbot.db",
    ):
        resp = await ds.client.get(path, cookies=cookies)
        assert resp.status_code in (400, 403), path
    listing = (await ds.client.get("/dlpbot", cookies=cookies)).text
    assert "console_incidents" in listing and ">incidents<" not in listing
    meta = (await ds.client.get("/-/metadata.json", cookies=cookies)).text
    assert "pbkdf2" not in meta  # the password hash is referenced by variable name only


async def test_monthly_canned_query_exports_csv_counts_per_unit(ds) -> None:
    cookies = await _login(ds)
    resp = await ds.client.get("/dlpbot/monthly_by_unit.csv?month=2026-11", cookies=cookies)
    assert resp.status_code == 200
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert rows and set(rows[0]) >= {"單位", "事件數", "確認違規", "誤判"}
    assert sum(int(r["事件數"]) for r in rows) == 24
    cats = await ds.client.get("/dlpbot/monthly_by_category.json?month=2026-11", cookies=cookies)
    assert cats.status_code == 200
    labels = {row[0] for row in cats.json()["rows"]}
    assert "個人資料" in labels and "personal_data" not in labels


def test_console_refuses_to_start_without_password_hash_or_views(
    db_path: Path, tmp_path: Path
) -> None:
    with pytest.raises(ConsoleError, match="no console password hash for account 'chen'"):
        build_datasette(db_path, ConsoleConfig(accounts=["chen"]), {})
    with pytest.raises(ConsoleError, match="no accounts"):
        build_datasette(db_path, ConsoleConfig(), ENV)
    bare = tmp_path / "bare.db"
    sqlite3.connect(bare).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ConsoleError, match="console views missing"):
        build_datasette(bare, CONFIG, ENV)


def test_dlpbot_purge_deletes_old_incidents_and_audits_the_count(tmp_path: Path) -> None:
    path = tmp_path / "purge.db"
    store = Store(path, hmac_key=b"h" * 32, content_key=b"c" * 32)
    ids = seed(store, count=10)
    store.db.conn.execute(
        "UPDATE incidents SET detected_at = '2020-01-01T00:00:00+08:00' WHERE id IN (?, ?, ?)",
        ids[:3],
    )
    store.close()
    rc = cli_main(["purge", "--config", str(tmp_path / "none.toml"), "--db", str(path)])
    assert rc == 0
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == 7
    assert (
        conn.execute("SELECT count(*) FROM findings WHERE incident_id = ?", (ids[0],)).fetchone()[0]
        == 0
    )
    detail = conn.execute(
        "SELECT detail FROM audit_log WHERE action = ? ORDER BY id DESC", (A.PURGE,)
    ).fetchone()[0]
    assert '"deleted": 3' in detail
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit_log")
    conn.close()


async def test_each_staffer_logs_in_with_their_own_account_and_no_shared_login_exists(
    ds,
) -> None:
    chen = await _login(ds, "chen", PASSWORD)
    lin = await _login(ds, "lin", LIN_PASSWORD)
    assert ds.unsign(chen["ds_actor"], "actor")["a"] == {"id": "chen"}
    assert ds.unsign(lin["ds_actor"], "actor")["a"] == {"id": "lin"}
    for user, password in (("chen", LIN_PASSWORD), ("ethics", PASSWORD), ("root", PASSWORD)):
        first = await ds.client.get("/-/login")
        token = first.cookies["ds_csrftoken"]
        resp = await ds.client.post(
            "/-/login",
            data={"username": user, "password": password, "csrftoken": token},
            cookies={"ds_csrftoken": token},
        )
        assert resp.status_code == 200 and "ds_actor" not in resp.cookies, user
    # A validly signed cookie for an account that is not configured opens nothing.
    forged = {"ds_actor": ds.sign({"a": {"id": "ethics"}}, "actor")}
    assert (await ds.client.get("/dlpbot/console_incidents", cookies=forged)).status_code == 403


def test_console_accounts_take_hashes_from_the_environment_or_a_file_never_passwords(
    tmp_path: Path,
) -> None:
    hashes = tmp_path / "console.hashes"
    hashes.write_text(f"# 政風室\nchen:{HASH}\n\nlin:{ENV['DLPBOT_CONSOLE_HASH_LIN']}\n")
    cfg = ConsoleConfig.from_mapping({"accounts": ["chen", "lin"], "hashes_file": str(hashes)})
    assert cfg.resolved_hashes({}) == {"chen": HASH, "lin": ENV["DLPBOT_CONSOLE_HASH_LIN"]}
    other = hash_password("another long password", iterations=1000)
    assert cfg.resolved_hashes({"DLPBOT_CONSOLE_HASH_CHEN": other})["chen"] == other
    assert ConsoleConfig.from_mapping({"accounts": {"chen": 9001}}).account_ids() == {"chen": 9001}
    with pytest.raises(ConsoleError, match="must not contain passwords"):
        ConsoleConfig.from_mapping({"accounts": ["chen"], "password": "hunter2hunter2"})
    with pytest.raises(ConsoleError, match="one account per staffer"):
        ConsoleConfig.from_mapping({"username": "ethics"})
    with pytest.raises(ConsoleError, match="account 'Chen Li'"):
        ConsoleConfig.from_mapping({"accounts": ["Chen Li"]})
    hashes.write_text("chen:not-a-hash\n")
    with pytest.raises(ConsoleError, match=r"console\.hashes:1"):
        cfg.resolved_hashes({})


def _audit_rows(path: Path, after: int = 0) -> list[dict]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT id, actor_id, actor_name, action, target, detail FROM audit_log"
            " WHERE id > ? ORDER BY id",
            (after,),
        ).fetchall()
    finally:
        conn.close()
    return [
        {
            "id": r[0],
            "actor_id": r[1],
            "actor": r[2],
            "action": r[3],
            "target": r[4],
            **json.loads(r[5]),
        }
        for r in rows
    ]


async def _client_login(client, username: str, password: str):
    page = await client.get("/-/login")
    token = page.cookies["ds_csrftoken"]
    return await client.post(
        "/-/login", data={"username": username, "password": password, "csrftoken": token}
    )


async def test_console_page_views_and_csv_exports_are_audited_naming_the_account(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import httpx

    _, app, audit = open_console(db_path, CONFIG, ENV)
    start = _audit_rows(db_path)[-1]
    assert start["action"] == "console_start" and start["accounts"] == ["chen", "lin"]
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://console") as client:
            with caplog.at_level("INFO", logger="dlpbot.console.access"):
                anonymous = await client.get("/dlpbot/console_incidents?status=open")
                assert anonymous.status_code == 403 and "臺北市政府" not in anonymous.text
                assert _audit_rows(db_path, start["id"]) == []  # anonymous: access log only
                login = await _client_login(client, "chen", PASSWORD)
                assert login.status_code == 302
                page = await client.get("/dlpbot/console_incidents?status=open&sender_name=林志明")
                assert page.status_code == 200 and "事件列表" in page.text
                export = await client.get("/dlpbot/monthly_by_unit.csv?month=2026-11")
                assert export.status_code == 200 and "單位" in export.text
                forbidden = await client.get("/dlpbot/incidents")
                assert forbidden.status_code == 403
                await client.get("/-/static/app.css")  # assets are not page views
    finally:
        audit.close()
    rows = _audit_rows(db_path, start["id"])
    assert [(r["action"], r["actor"], r["actor_id"], r["target"]) for r in rows] == [
        ("console_login", "chen", 9001, "/-/login"),
        ("console_view", "chen", 9001, "/dlpbot/console_incidents"),
        ("console_export", "chen", 9001, "/dlpbot/monthly_by_unit.csv"),
        ("denied", "chen", 9001, "/dlpbot/incidents"),
    ]
    assert all(r["via"] == "console" for r in rows)
    view = rows[1]
    assert view["status"] == 200
    # Filter values are kept for codes and ids; a typed name is recorded by its length only.
    assert view["query"] == {"status": "open", "sender_name": "<3 字元>"}
    assert rows[2]["query"] == {"month": "2026-11"} and rows[3]["status"] == 403
    assert "林志明" not in json.dumps(rows, ensure_ascii=False)
    lines = [r.getMessage() for r in caplog.records if r.name == "dlpbot.console.access"]
    assert lines[0] == "console GET /dlpbot/console_incidents?status=open actor=- status=403"
    assert "console POST /-/login actor=chen status=302" in lines
    assert (
        "console GET /dlpbot/console_incidents?status=open&sender_name=<3 字元>"
        " actor=chen status=200" in lines
    )
    assert "林志明" not in "\n".join(lines)


async def test_datasette_stays_read_only_and_the_audit_writer_can_only_append(
    db_path: Path,
) -> None:
    ds, _, audit = open_console(db_path, CONFIG, ENV)
    try:
        db = ds.get_database("dlpbot")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await db.execute("INSERT INTO audit_log (at, action) VALUES ('x', 'forged')")
        for sql in (
            "UPDATE incidents SET status = 'false_positive'",
            "DELETE FROM audit_log",
            "INSERT INTO allow_list (kind, value, added_at) VALUES ('public_number', '1', 'x')",
            "PRAGMA writable_schema = 1",
        ):
            with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
                audit.conn.execute(sql)
    finally:
        audit.close()


async def test_console_answers_503_rather_than_serve_a_page_it_cannot_audit(
    db_path: Path,
) -> None:
    import httpx

    _, app, audit = open_console(db_path, CONFIG, ENV)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://console") as client:
        assert (await _client_login(client, "chen", PASSWORD)).status_code == 302
        audit.close()  # the audit database is gone (disk full, file removed, locked…)
        page = await client.get("/dlpbot/console_incidents")
    assert page.status_code == 503 and "臺北市政府" not in page.text


def test_console_view_keeps_formula_like_display_names_inert_for_csv_export(tmp_path) -> None:
    """Datasette exports the console views as CSV itself: a sender named =HYPERLINK(…) must
    reach the spreadsheet as text, exactly as in the bot's own /export."""
    from bot.store import Store

    store = Store(tmp_path / "x.db", hmac_key=b"h" * 32, content_key=None)
    store.db.conn.execute(
        "INSERT INTO incidents (chat_id, message_id, kind, categories, severity, severity_level,"
        " detected_at, sender_name, chat_title, recommended_action, policy_mode, action_taken,"
        " warned_via, status, updated_at) VALUES (1, 1, 'message', '[]', 'high', 3, 'x',"
        " '=HYPERLINK(\"http://evil\")', '＋群組', 'delete', 'warn', 'none', 'none', 'open', 'x')"
    )
    [(name, title)] = store.db.conn.execute(
        "SELECT sender_name, chat_title FROM console_incidents"
    ).fetchall()
    assert name == "'=HYPERLINK(\"http://evil\")" and title == "'＋群組"
    store.close()
