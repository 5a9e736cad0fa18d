"""The scripted demo conversation and its readable zh-TW transcript.

Why scripted through the simulator rather than calling the handlers directly: the point of the
demo is to show what a unit group would really see — the bot polls, deletes over the Bot API,
DMs or falls back to a self-deleting group notice, and alerts the ethics chat with buttons. The
transcript is built from the requests the bot actually made (the simulator records them), not
from what the bot intended to do.

Every name, ID number and phone number below is invented (the ID numbers are checksum-valid
fakes); the demo prints them because showing the input is the point of a demo.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot.demo.harness import SimHarness
from bot.messages import Messages
from bot.simulator.state import RecordedCall, SimChat, SimMessage, SimUser
from bot.timeutil import display

# The "screenshot": a small real PNG, so the photo travels through getFile like a real one.
_PNG_SIDE = 64

_MENTION = re.compile(r"<a [^>]*>(.*?)</a>")
ACTION_TAKEN = {"none": "未刪除", "deleted": "已刪除", "delete_failed": "刪除失敗"}
WARNED_VIA = {"dm": "私訊", "group_notice": "群組提醒", "none": "—"}
STATUS = {"open": "待審", "confirmed": "確認違規", "false_positive": "誤判", "follow_up": "需追蹤"}
KIND = {
    "message": "訊息",
    "edit": "編輯",
    "caption": "圖說",
    "photo": "圖片",
    "document": "文件",
    "forward": "轉傳",
}


def _png() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (_PNG_SIDE * 4, _PNG_SIDE), "white")
    ImageDraw.Draw(image).rectangle((4, 4, _PNG_SIDE * 4 - 5, _PNG_SIDE - 5), outline="black")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


@dataclass
class Cast:
    group: SimChat
    lin: SimUser  # 林佩君: chats normally
    wang: SimUser  # 王志明: pastes a citizen record
    lee: SimUser  # 李淑芬: posts the complaint screenshot
    chou: SimUser  # 周建國: the raid plan
    chang: SimUser  # 張家豪: edits a harmless message into a leak
    liu: SimUser  # 劉建宏: never started the bot


def cast(h: SimHarness) -> Cast:
    group = h.create_group("中正一分局偵查隊")
    people = Cast(
        group=group,
        lin=h.add_user("佩君", "林"),
        wang=h.add_user("志明", "王"),
        lee=h.add_user("淑芬", "李"),
        chou=h.add_user("建國", "周"),
        chang=h.add_user("家豪", "張"),
        liu=h.add_user("建宏", "劉", started_bot=False),
    )
    for user in (people.lin, people.wang, people.lee, people.chou, people.chang, people.liu):
        h.join(group, user)
    return people


def width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, cols: int) -> str:
    return text + " " * max(0, cols - width(text))


def name_of(user: SimUser) -> str:
    """Taiwanese order: family name first."""
    return f"{user.last_name or ''}{user.first_name}"


@dataclass
class Transcript:
    """Collects the readable account of the conversation while the script runs."""

    h: SimHarness
    out: TextIO
    lines: list[str] = field(default_factory=list)

    def say(self, line: str = "") -> None:
        self.lines.append(line)
        print(line, file=self.out, flush=True)

    def user_line(self, who: SimUser, chat: SimChat, text: str, what: str = "") -> None:
        self.say(f"👤 {name_of(who)} 在「{chat.title}」{what}：")
        for part in text.splitlines():
            self.say(f"     {part}")

    def bot_actions(self, calls: Iterable[RecordedCall], chats: dict[int, str]) -> None:
        for call in calls:
            for line in describe(call, chats, self.h):
                self.say(f"   🤖 {line}")

    async def step(self, action: Any, chats: dict[int, str]) -> Any:
        """Run one user action, wait until the bot is idle, then narrate what it did."""
        mark = len(self.h.world.calls)
        result = action()
        await self.h.settle()
        made = self.h.calls(since=mark)
        if not made:
            self.say("   🤖 （沒有動作：內容無敏感資料）")
        self.bot_actions(made, chats)
        self.say()
        return result


def _indent(text: str) -> list[str]:
    return [f"      │ {line}" for line in text.splitlines() if line.strip()]


def describe(call: RecordedCall, chats: dict[int, str], h: SimHarness) -> list[str]:
    """One request of the bot, in words (with the text it posted, indented)."""
    p = call.params
    chat_id = int(p.get("chat_id", 0) or 0)
    where = chats.get(chat_id, str(chat_id))
    ok = call.ok
    if call.method == "deleteMessage":
        if ok:
            return [f"刪除「{where}」的訊息 #{p.get('message_id')}"]
        return [f"無法刪除「{where}」的訊息 #{p.get('message_id')}：{call.description}"]
    if call.method == "sendMessage":
        text = str(p.get("text", ""))
        if chat_id > 0:
            user = h.world.users.get(chat_id)
            who = name_of(user) if user else str(chat_id)
            if not ok:
                return [f"私訊 {who} 失敗（{call.status}：對方從未啟動機器人），改在群組提醒"]
            return [f"私訊 {who}：", *_indent(text)]
        label = "通報" if chat_id == h.ethics_chat.id else "在群組發出提醒"
        if not ok:
            return [f"{label}「{where}」失敗（{call.status}）"]
        plain = html.unescape(_MENTION.sub(r"@\1", text)) if p.get("parse_mode") else text
        lines = [f"{label}「{where}」：", *_indent(plain)]
        buttons = _buttons(p.get("reply_markup"))
        if buttons:
            lines.append(f"      └ 按鈕：{' / '.join(buttons)}")
        return lines
    if call.method == "answerCallbackQuery":
        return [f"回應按鈕：{p.get('text') or '（已收到）'}"]
    if call.method == "editMessageText":
        last = str(p.get("text", "")).strip().splitlines()[-1:]
        return [f"更新「{where}」的通報訊息：{last[0] if last else ''}"]
    if call.method == "getChatMember":
        return [f"檢查在「{where}」的權限"]
    return [f"{call.method}（{call.status}）"]


def _buttons(markup: Any) -> list[str]:
    if not markup:
        return []
    data = json.loads(markup) if isinstance(markup, str) else markup
    return [b["text"] for row in data.get("inline_keyboard", []) for b in row]


def find_bot_message(h: SimHarness, chat_id: int, callback: str) -> SimMessage | None:
    for message in h.bot_messages(chat_id):
        if callback in message.callback_data:
            return message
    return None


async def play(h: SimHarness, out: TextIO) -> Cast:
    """The conversation. Returns the cast so callers (tests) can inspect the world after."""
    c = cast(h)
    t = Transcript(h, out)
    chats = {c.group.id: c.group.title or "", h.ethics_chat.id: h.ethics_chat.title or ""}
    g = c.group
    t.say("═" * 72)
    t.say(f"示範對話：「{g.title}」（政策：enforce 強制刪除）")
    t.say(f"政風室通報群組：「{h.ethics_chat.title}」")
    t.say("═" * 72)

    text = "各位早安，今天下午三點開勤前教育，記得帶筆記。"
    t.user_line(c.lin, g, text)
    await t.step(lambda: h.send(g, c.lin, text), chats)

    text = "民眾資料：陳美玲，身分證 A223456781，電話 0912-345-678，住臺北市中正區重慶南路一段122號"
    t.user_line(c.wang, g, text, "貼上民眾資料")
    await t.step(lambda: h.send(g, c.wang, text), chats)

    text = "陳情截圖如附，檢舉人是李大華（0933-123-456），請大家不要外流"
    t.user_line(c.lee, g, text, "傳了一張陳情截圖，圖說")
    await t.step(lambda: h.send(g, c.lee, caption=text, photo=_png()), chats)

    text = "明天早上6點搜索大安區和平東路二段96巷的據點，行動代號清風，勿外洩"
    t.user_line(c.chou, g, text, "貼出行動計畫")
    await t.step(lambda: h.send(g, c.chou, text), chats)

    text = "等等把嫌犯資料傳給你"
    t.user_line(c.chang, g, text)
    sent: SimMessage = await t.step(lambda: h.send(g, c.chang, text), chats)
    text = "嫌犯 黃國華 身分證 F131234569 手機 0922-555-666"
    t.user_line(c.chang, g, text, f"把訊息 #{sent.message_id} 編輯成")
    await t.step(lambda: h.edit(sent, text), chats)

    text = "幫忙查一下 B120987653 這個人的前科"
    t.user_line(c.liu, g, text, "（從未啟動機器人）")
    await t.step(lambda: h.send(g, c.liu, text), chats)
    assert h.config is not None
    delay = h.config.policy.notice_delete_after_seconds
    mark = len(h.world.calls)
    await h.wait_for(
        lambda: any(
            x.method == "deleteMessage" and int(x.params.get("chat_id", 0)) == g.id
            for x in h.calls(since=mark)
        ),
        timeout=delay + 10,
    )
    await h.settle()
    t.say(f"⏱ {delay:g} 秒後：")
    t.bot_actions(h.calls(since=mark), chats)
    t.say()

    first = min(int(r["id"]) for r in h.store.incidents()) if h.store else 1
    alert = find_bot_message(h, h.ethics_chat.id, f"rv:confirm:{first}")
    if alert is not None:
        officer = name_of(h.ethics_officer)
        t.say(f"👮 政風室 {officer} 在「{h.ethics_chat.title}」按下事件 #{first} 的「確認違規」")
        await t.step(lambda: h.press(alert, f"rv:confirm:{first}", h.ethics_officer), chats)
    return c


def incident_table(h: SimHarness, msgs: Messages) -> list[str]:
    """The incident table, as the ethics office would list it (masked, no content)."""
    assert h.store is not None
    rows = sorted(h.store.incidents(), key=lambda r: r["id"])
    header = ["#", "時間", "傳送者", "種類", "類別", "嚴重度", "處置", "提醒", "狀態"]
    header.append("偵測到（遮罩）")
    table: list[list[str]] = [header]
    for r in rows:
        cats = json.loads(r["categories"]) if isinstance(r["categories"], str) else r["categories"]
        masked = [f["masked"] for f in h.store.findings(int(r["id"]))]
        table.append(
            [
                str(r["id"]),
                display(r["sent_at"])[5:] if r["sent_at"] else "-",
                r["sender_name"] or "-",
                KIND.get(r["kind"], r["kind"]),
                msgs.categories(cats),
                msgs.t(f"severity.{r['severity']}") if r["severity"] else "-",
                ACTION_TAKEN.get(r["action_taken"], r["action_taken"]),
                WARNED_VIA.get(r["warned_via"], r["warned_via"]),
                STATUS.get(r["status"], r["status"]),
                "、".join(masked[:3]) + ("…" if len(masked) > 3 else ""),
            ]
        )
    cols = [max(width(row[i]) for row in table) for i in range(len(header))]
    lines = []
    for n, row in enumerate(table):
        lines.append("  ".join(pad(cell, cols[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("─" * c for c in cols))
    return lines
