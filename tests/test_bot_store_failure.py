"""When the incident database refuses writes (disk full, file system remounted read-only), a leak
is still deleted, the sender still warned and ethics still alerted — from memory — and the record
goes to the fallback file (masked and encrypted, never raw), to be filed once the database works.
The database failure is real: SQLite's `query_only` makes every write raise OperationalError."""

from __future__ import annotations

from pathlib import Path

from bot_e2e_support import LEAK, running_bot, unit_group


async def test_leak_is_deleted_and_alerted_while_the_db_refuses_writes_and_filed_after_restart(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h)
        h.store.db.conn.execute("PRAGMA query_only = 1")  # every write now fails
        msg = h.send(group, user, LEAK)
        update_id = h.pushed[-1]

        def dms() -> list:
            return [m for m in h.bot_messages(user.id)]

        await h.wait_for(
            lambda: group.messages[msg.message_id].deleted
            and dms()
            and h.bot_messages(h.ethics_chat.id),
            timeout=10,
        )
        await h.wait_for(lambda: not h._busy(), timeout=10)
        (alert,) = h.bot_messages(h.ethics_chat.id)
        assert "尚未編號" in (alert.text or "") and "備援檔" in (alert.text or "")
        assert "A1******89" in (alert.text or "") and "A123456789" not in (alert.text or "")
        assert not alert.callback_data  # no incident number yet, so no review buttons
        assert not h.store.is_processed(update_id)  # the update is not marked handled
        fallback = Path(f"{h.db_path}.pending.jsonl")
        raw = fallback.read_bytes()
        assert b"A1******89" in raw
        for secret in (b"A123456789", b"0912-345-678", b"0912345678"):
            assert secret not in raw  # masked, hashed, encrypted: never the value itself

        # The disk is freed; the bot restarts and files the record exactly once.
        await h.stop_bot()
        await h.start_bot(check_rights=False)
        await h.settle()
        (incident,) = h.store.incidents()
        assert incident["message_id"] == msg.message_id and incident["update_id"] == update_id
        assert incident["action_taken"] == "deleted" and incident["warned_via"] == "dm"
        assert incident["alert_message_id"] == alert.message_id
        assert "A123456789" in (h.store.decrypt_content(incident["id"]) or "")
        assert {f["masked"] for f in h.store.findings(incident["id"])} >= {"A1******89"}
        assert h.store.is_processed(update_id)
        assert not fallback.exists()
        # The same alert message now carries the incident number and the review buttons.
        assert f"#{incident['id']}" in (alert.text or "")
        assert f"rv:confirm:{incident['id']}" in alert.callback_data
        assert len(dms()) == 1 and len(h.bot_messages(h.ethics_chat.id)) == 1  # nothing twice
        assert len([c for c in h.calls("deleteMessage") if c.ok]) == 1
