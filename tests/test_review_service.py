"""Review operations on a real Store: filters, paging, status changes, reveal, appeal, audit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.review import audit as A
from bot.review.sample import UNITS, seed
from bot.review.service import Actor, IncidentFilter, ReviewError, ReviewService
from bot.store import Store

HMAC_KEY = b"h" * 32
CONTENT_KEY = b"c" * 32
REVIEWER = Actor(42, "政風室 陳專員")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "dlp.db", HMAC_KEY, CONTENT_KEY)
    seed(s, "2026-11", count=24)
    yield s
    s.close()


@pytest.fixture
def service(store: Store) -> ReviewService:
    return ReviewService(store, page_size=5)


def test_incident_list_filters_by_chat_category_status_dates_and_sender(service: ReviewService):
    chat = UNITS[0][0]
    flt, page = IncidentFilter.parse_args(
        [f"chat={chat}", "status=open", "from=2026-11-01", "to=2026-11-30"]
    )
    result = service.list_incidents(flt, page, REVIEWER)
    assert result.total == 6 and all(r["chat_id"] == chat for r in result.rows)
    flt, _ = IncidentFilter.parse_args(["cat=raid"])
    raid = service.list_incidents(flt, 1, REVIEWER)
    assert raid.total > 0
    assert all("raid" in r["categories"] for r in raid.rows)
    flt, _ = IncidentFilter.parse_args(["sender=7001"])
    assert all(r["sender_id"] == 7001 for r in service.list_incidents(flt, 1, REVIEWER).rows)
    flt, _ = IncidentFilter.parse_args(["from=2026-12-01"])
    assert service.list_incidents(flt, 1, REVIEWER).total == 0


def test_incident_list_pages_through_all_incidents_without_repeats(service: ReviewService):
    seen: list[int] = []
    first = service.list_incidents(IncidentFilter(), 1, REVIEWER)
    assert first.pages == 5
    for page in range(1, first.pages + 1):
        seen += [r["id"] for r in service.list_incidents(IncidentFilter(), page, REVIEWER).rows]
    assert sorted(seen) == list(range(1, 25))


def test_unknown_filter_is_rejected_with_the_offending_argument(service: ReviewService):
    with pytest.raises(ReviewError) as err:
        IncidentFilter.parse_args(["colour=red"])
    assert err.value.key == "bad_filter" and err.value.params["arg"] == "colour=red"


def test_listing_and_detail_never_carry_ciphertext_or_hmac(service: ReviewService):
    rows = service.list_incidents(IncidentFilter(), 1, REVIEWER).rows
    detail = service.detail(rows[0]["id"], REVIEWER)
    for row in [*rows, detail.incident, *detail.findings]:
        assert not {"content_enc", "appeal_enc", "value_hmac", "evidence_png"} & set(row)
    assert "A123456789" not in repr(rows) + repr(detail)


def test_status_change_is_stored_as_review_and_audited(service: ReviewService):
    detail = service.set_status(3, "false_positive", REVIEWER, note="公開電話")
    assert detail.incident["status"] == "false_positive"
    assert detail.reviews[-1]["action"] == "false_positive"
    entry = service.audit.entries(action=A.STATUS)[0]
    assert entry.actor_id == 42 and entry.target == "incident:3"
    assert entry.detail == {"before": "open", "after": "false_positive"}


def test_reveal_requires_reason_and_logs_it_before_returning_the_original(service: ReviewService):
    with pytest.raises(ReviewError):
        service.reveal(1, REVIEWER, " ")
    assert service.audit.count(A.REVEAL) == 0
    text = service.reveal(1, REVIEWER, "調查 2026-政-17 號案")
    assert text == service.store.decrypt_content(1) and len(text) > 5
    entry = service.audit.entries(action=A.REVEAL)[0]
    assert entry.detail["reason"] == "調查 2026-政-17 號案" and entry.actor_id == 42


def test_appeal_only_accepted_from_the_incidents_sender_and_stored_encrypted(
    service: ReviewService,
):
    sender = service.detail(2).incident["sender_id"]
    with pytest.raises(ReviewError) as err:
        service.record_appeal(2, sender + 1, "不是我")
    assert err.value.key == "not_your_incident"
    service.record_appeal(2, sender, "那是本局公開的服務電話")
    raw = service.conn.execute("SELECT appeal_enc FROM incidents WHERE id = 2").fetchone()[0]
    assert raw and "公開".encode() not in raw
    assert service.has_appeal(2)


def test_audit_log_refuses_update_and_delete(service: ReviewService):
    service.detail(1, REVIEWER)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        service.conn.execute("UPDATE audit_log SET actor_id = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        service.conn.execute("DELETE FROM audit_log")
    assert service.audit.count(A.VIEW) == 1


def test_month_rows_include_masked_findings_only(service: ReviewService):
    rows = service.month_rows("2026-11")
    assert len(rows) == 24
    joined = " ".join(r["masked_findings"] for r in rows)
    assert "*" in joined and "A123456789" not in joined and "0912345678" not in joined
    assert service.month_rows("2026-10") == []
