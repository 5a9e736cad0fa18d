"""End to end: the real Application (polling, rate limiter, JobQueue) against the simulator.

Each test plays what a unit group would do and checks what Telegram saw (the simulator's world
and recorded requests) and what the incident store holds.
"""

from __future__ import annotations

from pathlib import Path

from bot_e2e_support import BENIGN, LEAK, running_bot, unit_group


def _dms(h, user_id: int) -> list:
    return [c for c in h.calls("sendMessage") if str(c.params.get("chat_id")) == str(user_id)]


async def test_leak_is_deleted_and_sender_warned_by_dm_and_ethics_alerted(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h)
        msg = h.send(group, user, LEAK)
        await h.settle()
        assert group.messages[msg.message_id].deleted
        dm = _dms(h, user.id)
        assert len(dm) == 1 and dm[0].ok
        text = dm[0].params["text"]
        assert "A123456789" not in text and "A1******89" in text
        assert "我認為這是誤判" in str(dm[0].params["reply_markup"])
        alert = [m for m in h.bot_messages(h.ethics_chat.id) if m.callback_data]
        assert len(alert) == 1 and "A123456789" not in (alert[0].text or "")
        (incident,) = h.store.incidents()
        assert incident["action_taken"] == "deleted"
        assert incident["warned_via"] == "dm"
        assert incident["alert_message_id"] == alert[0].message_id
        assert incident["sent_at"].endswith("+08:00")  # Asia/Taipei


async def test_benign_message_is_untouched_and_not_recorded(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h)
        msg = h.send(group, user, BENIGN)
        await h.settle()
        assert not group.messages[msg.message_id].deleted
        assert h.calls("sendMessage") == [] and h.calls("deleteMessage") == []
        assert h.store.incidents() == []


async def test_harmless_message_edited_into_a_leak_is_deleted(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h)
        msg = h.send(group, user, "等等把資料傳給你")
        await h.settle()
        assert h.store.incidents() == []
        h.edit(msg, LEAK)
        await h.settle()
        assert group.messages[msg.message_id].deleted
        (incident,) = h.store.incidents()
        assert incident["kind"] == "edit" and incident["action_taken"] == "deleted"


async def test_repeated_edits_of_a_leak_get_one_warning_only(tmp_path: Path) -> None:
    holder: dict = {}

    def setup(h) -> None:
        holder["group"], holder["user"] = unit_group(h)

    group = None
    async with running_bot(tmp_path, setup) as h:
        group, user = holder["group"], holder["user"]
        h.config.policy.chats[str(group.id)] = "warn"
        msg = h.send(group, user, LEAK)
        await h.settle()
        h.edit(msg, LEAK + "，地址另外給")
        await h.settle()
        assert len(h.store.incidents()) == 2  # both versions recorded
        assert len(_dms(h, user.id)) == 1  # but the sender is warned once
        assert not group.messages[msg.message_id].deleted  # warn mode never deletes


async def test_sender_who_never_started_bot_gets_group_notice_that_disappears(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        group, _ = unit_group(h)
        stranger = h.add_user("建宏", "劉", started_bot=False)
        h.join(group, stranger)
        h.send(group, stranger, LEAK)
        await h.settle()
        refused = _dms(h, stranger.id)
        assert len(refused) == 1 and refused[0].status == 403
        notices = [m for m in h.bot_messages(group.id)]
        assert len(notices) == 1
        notice = notices[0]
        assert f"tg://user?id={stranger.id}" in (notice.text or "") or notice.entities
        assert "A123456789" not in (notice.text or "") and "0912" not in (notice.text or "")
        assert h.store.incidents()[0]["warned_via"] == "group_notice"
        await h.wait_for(lambda: notice.deleted, timeout=10)


async def test_without_delete_rights_failure_is_recorded_and_ethics_alerted(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h, can_delete=False)
        msg = h.send(group, user, LEAK)
        await h.settle()
        assert not group.messages[msg.message_id].deleted
        (incident,) = h.store.incidents()
        assert incident["action_taken"] == "delete_failed"
        assert incident["delete_error"] == "no_rights"
        alerts = h.bot_messages(h.ethics_chat.id)
        assert len(alerts) == 1 and "t.me/c/" in (alerts[0].text or "")  # message still exists


async def test_bot_demoted_without_delete_right_tells_the_chat_which_permission(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        group, _ = unit_group(h)
        admin = h.add_user("所長", "林")
        h.join(group, admin, "creator")
        h.sim.set_bot_status(group, "administrator", can_delete_messages=False, by=admin)
        await h.settle()
        said = [m.text or "" for m in h.bot_messages(group.id)]
        assert len(said) == 1 and "刪除訊息" in said[0]
        assert h.store.get_chat(group.id)["can_delete"] == 0


async def test_ethics_buttons_record_who_and_when(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h)
        h.send(group, user, LEAK)
        await h.settle()
        (incident,) = h.store.incidents()
        alert = h.bot_messages(h.ethics_chat.id)[0]
        # Someone who is not ethics staff is refused and nothing changes.
        h.press(alert, f"rv:fp:{incident['id']}", user)
        await h.settle()
        assert h.store.get_incident(incident["id"])["status"] == "open"
        h.press(alert, f"rv:confirm:{incident['id']}", h.ethics_officer)
        await h.settle()
        assert h.store.get_incident(incident["id"])["status"] == "confirmed"
        (review,) = [r for r in h.store.reviews(incident["id"]) if r["action"] != "appeal"]
        assert review["reviewer_id"] == h.ethics_officer.id and review["at"]
        assert "陳" in (alert.text or "")  # the alert now shows who decided


async def test_sender_appeal_button_and_reason_are_recorded(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h)
        h.send(group, user, LEAK)
        await h.settle()
        (incident,) = h.store.incidents()
        dm = next(m for m in h.bot_messages(user.id) if m.callback_data)
        h.press(dm, f"ap:{incident['id']}", user)
        await h.settle()
        h.dm(user, "這是測試用的假資料")
        await h.settle()
        stored = h.store.get_incident(incident["id"])
        assert stored["appeal_enc"] is not None
        assert b"\xe6\xb8\xac\xe8\xa9\xa6" not in stored["appeal_enc"]  # encrypted, not plain
        assert any(r["action"] == "appeal" for r in h.store.reviews(incident["id"]))


async def test_restart_mid_stream_handles_each_update_once_and_loses_none(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h)
        h.faults.delay("deleteMessage", 0.2)  # a slow Telegram: the stop lands mid-stream
        sent = [h.send(group, user, f"{LEAK} 第{i}筆") for i in range(6)]
        queued = h.world.updates.pending()
        await h.wait_for(lambda: len(h.store.incidents()) >= 2)
        await h.stop_bot()
        # Telegram redelivers everything the crashed bot had not confirmed (worst case: all);
        # the simulator has no public call for that, so its queue is refilled directly.
        h.world.updates._items[:0] = [u for u in queued if u not in h.world.updates.pending()]
        await h.start_bot(check_rights=False)
        await h.settle()
        incidents = h.store.incidents()
        assert sorted(i["message_id"] for i in incidents) == [m.message_id for m in sent]
        assert all(group.messages[m.message_id].deleted for m in sent)
        assert len(_dms(h, user.id)) == len(sent)
        ok_deletes = [c for c in h.calls("deleteMessage") if c.ok]
        assert len(ok_deletes) == len(sent)


async def test_telegram_429_and_5xx_are_retried_and_nothing_is_lost(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h)
        h.faults.retry_after("deleteMessage", 1)
        h.faults.fail_next("sendMessage", times=2, status=502)
        msg = h.send(group, user, LEAK)
        await h.settle(quiet=0.5)
        deletes = h.calls("deleteMessage")
        assert [c.status for c in deletes] == [429, 200]
        assert group.messages[msg.message_id].deleted
        sends = h.calls("sendMessage")
        assert [c.status for c in sends].count(502) == 2
        assert len(_dms(h, user.id)) >= 2 and _dms(h, user.id)[-1].ok  # DM got through
        assert len(h.bot_messages(h.ethics_chat.id)) == 1  # and so did the alert
        (incident,) = h.store.incidents()
        assert incident["warned_via"] == "dm" and incident["alert_message_id"]


async def test_monitor_mode_records_without_deleting_or_warning(tmp_path: Path) -> None:
    async with running_bot(tmp_path, default_mode="monitor") as h:
        group, user = unit_group(h)
        msg = h.send(group, user, LEAK)
        await h.settle()
        assert not group.messages[msg.message_id].deleted
        assert _dms(h, user.id) == []
        (incident,) = h.store.incidents()
        assert incident["policy_mode"] == "monitor" and incident["action_taken"] == "none"


async def test_dlp_mode_is_refused_to_members_and_allowed_to_admins(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h)
        admin = h.add_user("所長", "林")
        h.join(group, admin, "administrator")
        h.send(group, user, "/dlp mode monitor")
        await h.settle()
        assert h.store.get_chat(group.id) is None or h.store.get_chat(group.id)["mode"] != "monitor"
        h.send(group, admin, "/dlp mode monitor")
        await h.settle()
        assert h.store.get_chat(group.id)["mode"] == "monitor"
        h.send(group, user, "/dlp status")
        await h.settle()
        replies = [m.text or "" for m in h.bot_messages(group.id)]
        assert len(replies) == 3 and "監看" in replies[-1]


async def test_the_lazy_detector_set_up_is_loaded_at_start_up_not_by_the_first_message(
    tmp_path: Path,
) -> None:
    """The spaCy matcher (and, when configured, the NER model and OCR workers) load right after
    start-up, off the event loop, so the first leak of the day is not the one that waits."""
    from bot.demo.harness import SimHarness
    from detectors import Scanner

    fresh = Scanner()
    assert fresh.keywords._nlp is None
    h = SimHarness(tmp_path / "bot.db", fresh)
    h.warm_up = True
    await h.start(check_rights=False)
    try:
        await h.wait_for(lambda: fresh.keywords._nlp is not None, timeout=60)
        assert h.calls("sendMessage") == []  # nobody was messaged to get there
    finally:
        await h.stop()
