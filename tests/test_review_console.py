"""The web console (Datasette) and `dlpbot purge`, exercised in-process on a real incident store.

Datasette's own ASGI test client is used (no server, no browser: tests/test_console_browser.py
covers the browser); the login goes through datasette-auth-passwords' real form and CSRF check.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from datasette_auth_passwords.utils import hash_password

from bot.cli import main as cli_main
from bot.review import audit as A
from bot.review.console import ConsoleConfig, ConsoleError, build_datasette
from bot.review.sample import seed
from bot.store import Store

PASSWORD = "correct horse battery staple"
# Few PBKDF2 rounds keep the test fast; verification reads the rounds from the hash itself.
HASH = hash_password(PASSWORD, iterations=1000)
ENV = {"DLPBOT_CONSOLE_PASSWORD_HASH": HASH}
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
    return build_datasette(db_path, ConsoleConfig(), ENV)


async def _login(ds) -> dict[str, str]:
    """Log in through the real form: GET sets the CSRF cookie, POST verifies the password."""
    first = await ds.client.get("/-/login")
    token = first.cookies["ds_csrftoken"]
    resp = await ds.client.post(
        "/-/login",
        data={"username": "ethics", "password": PASSWORD, "csrftoken": token},
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
        data={"username": "ethics", "password": "guess", "csrftoken": token},
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
    with pytest.raises(ConsoleError, match="no console password"):
        build_datasette(db_path, ConsoleConfig(password_hash_env="DLPBOT_TEST_NO_SUCH_VAR"), {})
    bare = tmp_path / "bare.db"
    sqlite3.connect(bare).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ConsoleError, match="console views missing"):
        build_datasette(bare, ConsoleConfig(), ENV)


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


async def test_console_access_log_names_the_account_and_page_without_content(
    ds,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import httpx

    from bot.review.console import with_access_log

    cookies = await _login(ds)
    transport = httpx.ASGITransport(app=with_access_log(ds))
    async with httpx.AsyncClient(transport=transport, base_url="http://console") as client:
        with caplog.at_level("INFO", logger="dlpbot.console.access"):
            await client.get("/dlpbot/console_incidents?status=open")
            client.cookies.update(cookies)
            await client.get("/dlpbot/console_incidents?status=open")
    lines = [r.getMessage() for r in caplog.records if r.name == "dlpbot.console.access"]
    assert lines == [
        "console GET /dlpbot/console_incidents?status=open actor=- status=403",
        "console GET /dlpbot/console_incidents?status=open actor=ethics status=200",
    ]
