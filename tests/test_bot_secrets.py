"""Secrets stay secret: after real leaks pass through the running bot, no raw identifier from the
scanned messages is anywhere in the database files (main, WAL, SHM) or in the logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from bot_e2e_support import running_bot, unit_group

from bot.config import Keys
from bot.demo.harness import DEMO_HMAC_KEY

SECRETS = {
    "national_id": "A123456789",
    "phone": "0912-345-678",
    "phone_digits": "0912345678",
    "email": "meiling.chen@example.com",
    "resident_id": "B120987653",
    "name": "陳美玲",
}
MESSAGES = [
    f"民眾資料：{SECRETS['name']}，身分證 {SECRETS['national_id']}，電話 {SECRETS['phone']}",
    f"她的信箱 {SECRETS['email']}，另一位 {SECRETS['resident_id']}",
]


def _db_bytes(db: Path) -> bytes:
    """The database as it sits on disk, including the WAL and shared-memory files."""
    data = b""
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{db}{suffix}")
        if part.exists():
            data += part.read_bytes()
    return data


@pytest.mark.parametrize("with_content_key", [True, False])
async def test_no_raw_identifier_in_db_file_wal_or_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, with_content_key: bool
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="bot")
    async with running_bot(tmp_path) as h:
        if not with_content_key:
            h.keys = Keys(content=None, hmac=DEMO_HMAC_KEY)
            await h.stop_bot()
            await h.start_bot(check_rights=False)
        group, user = unit_group(h)
        sent = [h.send(group, user, text) for text in MESSAGES]
        await h.settle()
        h.edit(h.send(group, user, "稍後補資料"), MESSAGES[0])
        await h.settle()
        incidents = h.store.incidents()
        assert len(incidents) == 3  # the leaks really went through the bot
        assert all(group.messages[m.message_id].deleted for m in sent)
        if with_content_key:
            assert all(i["content_enc"] for i in incidents)
            # ... and the ethics office can still read it back with the key.
            assert SECRETS["national_id"] in (h.store.decrypt_content(incidents[0]["id"]) or "")
        else:
            assert all(i["content_enc"] is None for i in incidents)
        db_path = h.db_path
        on_disk_live = _db_bytes(db_path)  # while the bot still holds the database open
    on_disk = _db_bytes(db_path) + on_disk_live
    assert b"SQLite format 3" in on_disk
    logs = caplog.text
    assert "incident" in logs  # the bot did log, by id and category
    for kind, secret in SECRETS.items():
        assert secret.encode() not in on_disk, f"raw {kind} found in the database files"
        assert secret not in logs, f"raw {kind} found in the logs"
