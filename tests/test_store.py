"""The incident store: schema and migrations, encryption, keyed hashes, restart bookkeeping,
reviews and retention — on a real SQLite file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.store import FindingRecord, Store
from bot.store.crypto import ContentCipher, ValueHasher
from bot.store.migrations import MIGRATIONS, Migration, latest_version
from bot.timeutil import now_taipei
from detectors.types import Finding

HMAC_KEY = bytes(range(32))
CONTENT_KEY = bytes(range(32, 64))
RAW_ID = "A123456789"


def _finding() -> Finding:
    return Finding(
        type="TW_NATIONAL_ID",
        category="personal_data",
        start=4,
        end=14,
        score=0.95,
        detector="national_id",
        reason="checksum-valid national ID",
        masked="A1******89",
    )


def _incident(store: Store, content: str | None = f"身分證 {RAW_ID}", **extra: object) -> int:
    fields = {
        "chat_id": -1001,
        "chat_title": "偵查隊",
        "message_id": 7,
        "sender_id": 42,
        "sender_name": "王志明",
        "kind": "message",
        "categories": ["personal_data"],
        "severity": "high",
        "severity_level": 3,
        "recommended_action": "delete",
        "policy_mode": "enforce",
        **extra,
    }
    return store.add_incident(fields, [FindingRecord(_finding(), RAW_ID)], content=content)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "t.db", hmac_key=HMAC_KEY, content_key=CONTENT_KEY)
    yield s
    s.close()


def test_new_database_gets_every_migration_and_wal(store: Store) -> None:
    assert store.schema_version == latest_version()
    mode = store.db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    tables = set(store.db.table_names())
    assert {"incidents", "findings", "reviews", "chats", "processed_updates", "meta"} <= tables


def test_migrations_are_ordered_and_apply_once(tmp_path: Path) -> None:
    versions = [m.version for m in MIGRATIONS]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    path = tmp_path / "m.db"
    Store(path, hmac_key=HMAC_KEY).close()
    extra = Migration(latest_version() + 1, "test column", ("ALTER TABLE chats ADD note TEXT",))
    s = Store(path, hmac_key=HMAC_KEY, migrations=[*MIGRATIONS, extra])
    assert s.schema_version == extra.version
    assert s.migrate([*MIGRATIONS, extra]) == extra.version  # re-running changes nothing
    s.close()


def test_content_is_stored_only_encrypted_and_reads_back_with_the_key(store: Store) -> None:
    incident_id = _incident(store)
    row = store.get_incident(incident_id)
    assert row["content_enc"] and RAW_ID.encode() not in row["content_enc"]
    assert store.decrypt_content(incident_id) == f"身分證 {RAW_ID}"
    (finding,) = store.findings(incident_id)
    assert finding["masked"] == "A1******89" and RAW_ID not in finding["value_hmac"]


def test_without_content_key_no_content_is_kept(tmp_path: Path) -> None:
    s = Store(tmp_path / "n.db", hmac_key=HMAC_KEY, content_key=None)
    incident_id = _incident(s)
    assert s.get_incident(incident_id)["content_enc"] is None
    assert s.decrypt_content(incident_id) is None
    s.close()


def test_same_value_same_hash_but_key_matters() -> None:
    a, b = ValueHasher(HMAC_KEY), ValueHasher(bytes(32))
    assert a.digest("A123456789") == a.digest("a12345 6789")  # canonical form
    assert a.digest("A123456789") != b.digest("A123456789")


def test_ciphertext_is_bound_to_its_row() -> None:
    cipher = ContentCipher(CONTENT_KEY)
    blob = cipher.encrypt("秘密", aad="incident:1")
    assert cipher.decrypt(blob, aad="incident:1") == "秘密"
    with pytest.raises(Exception):  # noqa: B017 - cryptography raises InvalidTag
        cipher.decrypt(blob, aad="incident:2")


def test_processed_updates_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    s = Store(path, hmac_key=HMAC_KEY)
    s.mark_processed(100)
    s.mark_processed(100)  # idempotent
    s.close()
    s = Store(path, hmac_key=HMAC_KEY)
    assert s.is_processed(100) and not s.is_processed(101)
    s.close()


def test_review_records_who_when_and_moves_status(store: Store) -> None:
    incident_id = _incident(store)
    store.add_review(incident_id, 9, "陳督察", "confirm", status="confirmed")
    assert store.get_incident(incident_id)["status"] == "confirmed"
    (review,) = store.reviews(incident_id)
    assert review["reviewer_id"] == 9 and review["at"].endswith("+08:00")
    with pytest.raises(ValueError):
        store.add_review(incident_id, 9, "陳督察", "x", status="nonsense")


def test_appeal_text_is_encrypted(store: Store) -> None:
    incident_id = _incident(store)
    store.set_appeal(incident_id, "這是假資料")
    blob = store.get_incident(incident_id)["appeal_enc"]
    assert blob and "這是假資料".encode() not in blob


def test_purge_deletes_only_incidents_past_retention(store: Store) -> None:
    old = _incident(store, detected_at=(now_taipei() - timedelta(days=200)).isoformat())
    new = _incident(store)
    store.add_review(old, 9, "陳督察", "confirm", status="confirmed")
    assert store.purge(retention_days=180) == 1
    assert store.get_incident(old) is None and store.get_incident(new) is not None
    assert store.findings(old) == [] and store.reviews(old) == []  # nothing orphaned


def test_chat_rows_keep_mode_and_rights(store: Store) -> None:
    store.upsert_chat(-1001, title="偵查隊", mode="monitor")
    store.upsert_chat(-1001, bot_status="administrator", can_delete=1)
    row = store.get_chat(-1001)
    assert (row["mode"], row["bot_status"], row["can_delete"]) == ("monitor", "administrator", 1)



def test_warning_is_claimed_once_per_message_in_the_insert_transaction(store: Store) -> None:
    first = store.add_incident(_fields(), [], claim_warning=True)
    edit = store.add_incident(_fields(kind="edit"), [], claim_warning=True)
    assert store.get_incident(first)["warned_via"] == "held"
    assert store.get_incident(edit)["warned_via"] == "none"  # the message's warning is taken
    store.release_held(first)
    assert store.get_incident(first)["warned_via"] == "pending"
    assert store.claim(first, "warned_via", "pending")  # one sender wins ...
    assert not store.claim(first, "warned_via", "pending")  # ... the other sees it is taken


def test_sends_cut_off_by_a_crash_become_unconfirmed_never_resent(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    s = Store(path, hmac_key=HMAC_KEY)
    incident_id = s.add_incident(_fields(alert_state="held"), [], claim_warning=True)
    s.release_held(incident_id)
    assert s.claim(incident_id, "alert_state", "pending")
    assert s.claim(incident_id, "warned_via", "pending")
    s.close()  # the process dies with both requests in flight
    s = Store(path, hmac_key=HMAC_KEY)
    assert s.recover_in_flight() == 2
    row = s.get_incident(incident_id)
    assert (row["alert_state"], row["warned_via"]) == ("unconfirmed", "unconfirmed")
    assert s.owed() == []
    s.close()


def test_definite_delivery_failures_are_retried_then_given_up(store: Store) -> None:
    incident_id = store.add_incident(_fields(alert_state="pending"), [])
    states = [store.delivery_failed(incident_id, "alert_state", max_attempts=3) for _ in range(3)]
    assert states == ["pending", "pending", "failed"]
    assert store.get_incident(incident_id)["alert_attempts"] == 3


def test_fallback_record_is_imported_once_masked_hashed_and_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    s = Store(path, hmac_key=HMAC_KEY, content_key=CONTENT_KEY)
    fields = {**_fields(), "update_id": 555, "categories": ["personal_data"]}
    findings = [FindingRecord(_finding(), RAW_ID)]
    assert s.fallback.write_incident("k1", fields, findings, f"身分證 {RAW_ID}", None)
    assert s.fallback.write_update("k1", action_taken="deleted", warned_via="dm")
    with s.fallback.path.open("ab") as fh:
        fh.write(b'{"v": 1, "op": "upd')  # a torn last line (crash mid-write) is ignored
    raw = s.fallback.path.read_bytes()
    assert RAW_ID.encode() not in raw and b"A1******89" in raw
    assert oct(s.fallback.path.stat().st_mode & 0o777) == "0o600"
    (incident_id,) = s.import_fallback()
    row = s.get_incident(incident_id)
    assert (row["action_taken"], row["warned_via"], row["update_id"]) == ("deleted", "dm", 555)
    assert s.decrypt_content(incident_id) == f"身分證 {RAW_ID}"
    (finding,) = s.findings(incident_id)
    assert finding["value_hmac"] == ValueHasher(HMAC_KEY).digest(RAW_ID)
    assert s.is_processed(555) and not s.fallback.path.exists()
    # A second copy of the same record (a crash after the import, before the file was
    # removed) is not imported twice.
    s.fallback.write_incident("k1", fields, findings, None, None)
    assert s.import_fallback() == []
    assert len(s.incidents()) == 1
    s.close()


def test_appeal_button_press_is_recorded_and_its_pending_reason_survives_a_restart(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.db"
    s = Store(path, hmac_key=HMAC_KEY, content_key=CONTENT_KEY)
    incident_id = _incident(s)
    assert not s.request_appeal(incident_id, 99)  # only the sender (42) may appeal
    assert s.request_appeal(incident_id, 42, "王志明")
    assert [r["action"] for r in s.reviews(incident_id)] == ["appeal_requested"]
    s.close()
    s = Store(path, hmac_key=HMAC_KEY, content_key=CONTENT_KEY)
    assert s.pending_appeal(42) == incident_id
    assert s.take_pending_appeal(42) == incident_id
    assert s.pending_appeal(42) is None and s.take_pending_appeal(42) is None
    s.close()


def test_ethics_notices_are_an_outbox_too(store: Store) -> None:
    notice_id = store.add_notice(-5, "rights", "機器人已被移出群組")
    assert [n["id"] for n in store.due_notices()] == [notice_id]
    assert store.claim_notice(notice_id) and not store.claim_notice(notice_id)
    store.finish_notice(notice_id, "sent", message_id=9)
    assert store.due_notices() == [] and store.notices()[0]["message_id"] == 9


def _fields(**extra: object) -> dict:
    return {
        "chat_id": -1001,
        "chat_title": "偵查隊",
        "message_id": 7,
        "sender_id": 42,
        "sender_name": "王志明",
        "kind": "message",
        "categories": ["personal_data"],
        "severity": "high",
        "severity_level": 3,
        "recommended_action": "delete",
        "policy_mode": "enforce",
        **extra,
    }
