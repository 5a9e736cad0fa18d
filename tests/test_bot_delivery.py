"""Alerts and warnings are delivered exactly once: what fails is kept in the database (the outbox)
and sent later — periodically and after a restart — and what may already have reached Telegram
(a timeout after the request went out) is never sent a second time. At most one warning per
message, however quickly it is edited. Real Application, real simulator, real timeouts."""

from __future__ import annotations

from pathlib import Path

from bot_e2e_support import LEAK, running_bot, unit_group


def _dms(h, user_id: int) -> list:
    return [c for c in h.calls("sendMessage") if str(c.params.get("chat_id")) == str(user_id)]


def _delivered(h, chat_id: int) -> list:
    return h.bot_messages(chat_id)


async def test_failed_alert_and_warning_are_resent_once_by_the_periodic_retry(
    tmp_path: Path,
) -> None:
    def setup(h) -> None:
        h.telegram = {"resend_interval": 0.5, "network_retries": 0}

    async with running_bot(tmp_path, setup) as h:
        group, user = unit_group(h)
        h.faults.fail_next("sendMessage", times=2, status=502)  # the DM and the alert fail
        msg = h.send(group, user, LEAK)
        await h.wait_for(lambda: len(h.calls("sendMessage")) >= 4, timeout=10)
        await h.settle(quiet=1.5)  # three more retry rounds: nothing is sent again
        assert group.messages[msg.message_id].deleted
        # The rate limiter did not retry (network_retries = 0): the outbox job did, once each.
        assert [c.status for c in h.calls("sendMessage")] == [502, 502, 200, 200]
        assert len(_delivered(h, user.id)) == 1
        assert len(_delivered(h, h.ethics_chat.id)) == 1
        (incident,) = h.store.incidents()
        assert incident["warned_via"] == "dm" and incident["alert_state"] == "sent"
        row = h.store.get_incident(incident["id"])
        assert row["warn_attempts"] == 1 and row["alert_attempts"] == 1
        assert row["alert_message_id"] == _delivered(h, h.ethics_chat.id)[0].message_id


async def test_alert_and_warning_owed_at_shutdown_are_sent_once_after_restart(
    tmp_path: Path,
) -> None:
    def setup(h) -> None:
        h.telegram = {"network_retries": 0}

    async with running_bot(tmp_path, setup) as h:
        group, user = unit_group(h)
        h.faults.fail_next("sendMessage", times=50, status=503)  # Telegram is down for sends
        h.send(group, user, LEAK)
        await h.settle()
        assert _delivered(h, user.id) == [] and _delivered(h, h.ethics_chat.id) == []
        await h.stop_bot()
        h.faults.clear()
        await h.start_bot(check_rights=False)
        await h.settle()
        assert len(_delivered(h, user.id)) == 1
        assert len(_delivered(h, h.ethics_chat.id)) == 1
        (incident,) = h.store.incidents()
        assert incident["warned_via"] == "dm" and incident["alert_state"] == "sent"
        await h.stop_bot()
        await h.start_bot(check_rights=False)
        await h.settle()
        assert len(_delivered(h, user.id)) == 1  # a second restart sends nothing again
        assert len(_delivered(h, h.ethics_chat.id)) == 1


async def test_edit_while_the_first_warning_is_in_flight_gets_no_second_warning(
    tmp_path: Path,
) -> None:
    def setup(h) -> None:
        h.policy["default_mode"] = "warn"

    async with running_bot(tmp_path, setup) as h:
        group, user = unit_group(h)
        h.faults.delay("sendMessage", 0.5)  # a slow Telegram: the DM is still in flight ...
        msg = h.send(group, user, LEAK)
        await h.wait_for(
            lambda: any(c.status is None for c in h.calls("sendMessage")), timeout=10
        )
        h.edit(msg, LEAK + "，地址另外給")  # ... when the sender edits the leak
        await h.settle()
        first, second = h.store.incidents()
        assert len(_dms(h, user.id)) == 1  # one message, one warning
        assert first["warned_via"] == "dm" and second["warned_via"] == "none"
        assert second["kind"] == "edit"


async def test_telegram_timeouts_lose_nothing_and_send_nothing_twice(tmp_path: Path) -> None:
    def setup(h) -> None:
        h.telegram = {"request_timeout": 0.5}

    async with running_bot(tmp_path, setup) as h:
        group, user = unit_group(h)
        # Telegram answers too late for the client, but does execute each request.
        h.faults.delay("deleteMessage", 1.0, times=1)
        h.faults.delay("sendMessage", 1.0, times=2)
        msg = h.send(group, user, LEAK)
        await h.settle(quiet=1.5)
        assert group.messages[msg.message_id].deleted  # the deletion was retried (idempotent)
        assert len(_delivered(h, user.id)) == 1  # the DM arrived once, not resent
        assert len(_delivered(h, h.ethics_chat.id)) == 1  # so did the alert
        assert len(h.calls("sendMessage")) == 2  # neither send was repeated
        (incident,) = h.store.incidents()
        assert incident["action_taken"] == "deleted"
        assert incident["warned_via"] == "unconfirmed"  # Telegram got it, the bot cannot know
        assert incident["alert_state"] == "unconfirmed"
        # Nor after a restart: an unconfirmed delivery is never repeated.
        await h.stop_bot()
        await h.start_bot(check_rights=False)
        await h.settle()
        assert len(h.calls("sendMessage")) == 2
