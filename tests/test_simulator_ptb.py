"""The simulator driven by the REAL python-telegram-bot 22 Application and Bot.

Each test proves a Telegram behaviour the DLP bot relies on, as PTB experiences it: long polling
that holds, updates reaching handlers, delete/DM/429/5xx errors mapped to PTB's exceptions, and
file downloads.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import pytest
from telegram import (
    BotCommandScopeChat,
    ChatMemberAdministrator,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageOriginHiddenUser,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.simulator import DOWNLOAD_LIMIT, RateLimits, Simulator

POLL = 0.5  # getUpdates timeout in tests: long enough to prove holding, short to stop fast


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator() as s:
        yield s


def build_app(sim: Simulator) -> Application:
    return sim.application_builder().build()


def png_bytes(width: int = 1000, height: int = 600) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


async def test_long_polling_holds_getupdates_while_idle(sim: Simulator) -> None:
    app = build_app(sim)
    async with sim.polling(app, timeout=POLL):
        await sim.wait_for_call("getUpdates", timeout=2)
        before = len(sim.calls("getUpdates"))
        await asyncio.sleep(1.0)
        polls = len(sim.calls("getUpdates")) - before
    # A held request answers once per POLL seconds; an instant empty answer would mean hundreds.
    assert polls <= 4


async def test_message_handler_receives_injected_group_text(sim: Simulator) -> None:
    group = sim.create_chat("稽核科")
    alice = sim.add_user("Alice", username="alice")
    seen: list[tuple[int, int, str]] = []

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        m = update.effective_message
        seen.append((m.chat_id, m.from_user.id, m.text))

    app = build_app(sim)
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    async with sim.polling(app, timeout=POLL):
        sim.inject_message(group, alice, "會議改到三點")
        await sim.wait_for(lambda: seen, timeout=3)
    assert seen == [(group.id, alice.id, "會議改到三點")]
    assert sim.pending_updates() == []  # PTB confirmed the update with its next offset


async def test_deleting_a_message_twice_raises_bad_request(sim: Simulator) -> None:
    group = sim.create_chat("g")
    msg = sim.inject_message(group, sim.add_user("A"), "secret")
    app = build_app(sim)
    async with app:
        assert await app.bot.delete_message(group.id, msg.message_id) is True
        assert sim.is_deleted(group, msg)
        with pytest.raises(BadRequest, match=r"[Mm]essage to delete not found"):
            await app.bot.delete_message(group.id, msg.message_id)


async def test_bot_without_delete_right_cannot_delete_members_messages(sim: Simulator) -> None:
    group = sim.create_chat("g", bot_rights={"can_delete_messages": False})
    msg = sim.inject_message(group, sim.add_user("A"), "x")
    app = build_app(sim)
    async with app:
        with pytest.raises(BadRequest, match="can't be deleted"):
            await app.bot.delete_message(group.id, msg.message_id)
        sim.set_bot_status(group, "administrator", can_delete_messages=True, notify=False)
        assert await app.bot.delete_message(group.id, msg.message_id)


async def test_messages_older_than_48_hours_cannot_be_deleted(sim: Simulator) -> None:
    group = sim.create_chat("g")
    user = sim.add_user("A")
    old = sim.inject_message(group, user, "old", date=sim.now() - 49 * 3600)
    fresh = sim.inject_message(group, user, "fresh")
    app = build_app(sim)
    async with app:
        with pytest.raises(BadRequest, match="can't be deleted"):
            await app.bot.delete_message(group.id, old.message_id)
        sim.advance_time(48 * 3600 + 1)
        with pytest.raises(BadRequest, match="can't be deleted"):
            await app.bot.delete_message(group.id, fresh.message_id)
    assert not sim.deleted_messages(group)


async def test_dm_to_user_who_never_started_the_bot_is_forbidden(sim: Simulator) -> None:
    bob = sim.add_user("Bob")
    app = build_app(sim)
    async with app:
        with pytest.raises(Forbidden, match="can't initiate conversation"):
            await app.bot.send_message(bob.id, "提醒")
        sim.start_bot(bob)
        sent = await app.bot.send_message(bob.id, "提醒")
    assert sent.chat.type == "private"
    assert [m.text for m in sim.sent_messages(bob.id)] == ["提醒"]


async def test_bot_kicked_from_group_gets_forbidden(sim: Simulator) -> None:
    group = sim.create_chat("g", chat_type="group")
    sim.set_bot_status(group, "kicked")
    app = build_app(sim)
    async with app:
        with pytest.raises(Forbidden, match="kicked"):
            await app.bot.send_message(group.id, "hi")


# PTB itself reads RetryAfter.retry_after while building the error, which warns about v23.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
async def test_injected_429_raises_retry_after_with_that_delay(sim: Simulator) -> None:
    group = sim.create_chat("g")
    sim.retry_after("sendMessage", 7)
    app = build_app(sim)
    async with app:
        with pytest.raises(RetryAfter, match=r"Retry in 7\.?0? seconds"):
            await app.bot.send_message(group.id, "x")
        await app.bot.send_message(group.id, "x")  # only the next call was armed
    assert [c.status for c in sim.calls("sendMessage")] == [429, 200]


async def test_injected_5xx_and_slow_answers_surface_as_ptb_errors(sim: Simulator) -> None:
    group = sim.create_chat("g")
    sim.fail_next("sendMessage", status=502)
    app = build_app(sim)
    async with app:
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await app.bot.send_message(group.id, "x")
        sim.delay("sendMessage", 1.0, times=1)
        with pytest.raises(TimedOut):
            await app.bot.send_message(group.id, "x", read_timeout=0.3)
        await app.bot.send_message(group.id, "x")


# PTB itself reads RetryAfter.retry_after while building the error, which warns about v23.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
async def test_real_rate_limits_answer_429_when_enabled(sim: Simulator) -> None:
    group = sim.create_chat("g")
    # A burst of 3, then one message per 10 s: slow enough that a loaded CI box cannot refill.
    sim.enable_rate_limits(RateLimits(per_chat_per_second=0.1, per_chat_burst=3))
    app = build_app(sim)
    async with app:
        for _ in range(3):
            await app.bot.send_message(group.id, "x")
        with pytest.raises(RetryAfter):
            await app.bot.send_message(group.id, "x")


async def test_photo_is_downloadable_through_get_file(sim: Simulator) -> None:
    group = sim.create_chat("g")
    original = png_bytes()
    downloaded: list[bytes] = []
    widths: list[int] = []

    async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        photos = update.effective_message.photo
        widths.extend(p.width for p in photos)
        tg_file = await photos[-1].get_file()
        downloaded.append(bytes(await tg_file.download_as_bytearray()))

    app = build_app(sim)
    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    async with sim.polling(app, timeout=POLL):
        sim.inject_photo(group, sim.add_user("A"), original, caption="名單")
        await sim.wait_for(lambda: downloaded, timeout=3)
    assert downloaded == [original]
    assert widths == sorted(widths) and widths[-1] == 1000 and len(widths) > 1


async def test_documents_over_20_mb_cannot_be_downloaded(sim: Simulator) -> None:
    group = sim.create_chat("g")
    msg = sim.inject_document(
        group,
        sim.add_user("A"),
        b"%PDF-1.4 tiny",
        file_name="big.pdf",
        mime_type="application/pdf",
        file_size=DOWNLOAD_LIMIT + 1,
    )
    file_id = msg.payload["document"]["file_id"]
    app = build_app(sim)
    async with app:
        with pytest.raises(BadRequest, match=r"[Ff]ile is too big"):
            await app.bot.get_file(file_id)


async def test_callback_query_round_trip_with_answer(sim: Simulator) -> None:
    group = sim.create_chat("g")
    admin = sim.add_user("Admin")

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer(text=f"已處理 {query.data}")
        await query.edit_message_reply_markup(None)

    app = build_app(sim)
    app.add_handler(CallbackQueryHandler(on_press))
    async with sim.polling(app, timeout=POLL):
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("誤判", callback_data="fp:1")]])
        sent = await app.bot.send_message(group.id, "警告", reply_markup=keyboard)
        query_id = sim.press_button(group, sent.message_id, admin)
        await sim.wait_for_call("editMessageReplyMarkup", timeout=3)
    assert sim.callback_answer(query_id)["text"] == "已處理 fp:1"
    assert sim.message(group, sent.message_id).reply_markup is None


async def test_edited_message_is_delivered(sim: Simulator) -> None:
    group = sim.create_chat("g")
    user = sim.add_user("A")
    edits: list[str] = []

    async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        edits.append(update.edited_message.text)

    app = build_app(sim)
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit))
    msg = sim.inject_message(group, user, "hello")
    async with sim.polling(app, timeout=POLL):
        sim.inject_edit(group, msg, "hello A123456789")
        await sim.wait_for(lambda: edits, timeout=3)
    assert edits == ["hello A123456789"]


async def test_admin_members_parse_with_every_required_flag(sim: Simulator) -> None:
    owner = sim.add_user("Owner")
    group = sim.create_chat("g", creator=owner, bot_rights={"can_restrict_members": False})
    app = build_app(sim)
    async with app:
        me = await app.bot.get_chat_member(group.id, sim.bot.id)
        admins = await app.bot.get_chat_administrators(group.id)
        chat = await app.bot.get_chat(group.id)
    assert isinstance(me, ChatMemberAdministrator)
    assert me.can_delete_messages and not me.can_restrict_members
    assert {a.user.id for a in admins} == {owner.id, sim.bot.id}
    assert chat.title == "g"


async def test_demoting_the_bot_sends_my_chat_member(sim: Simulator) -> None:
    group = sim.create_chat("g")
    changes: list[tuple[str, str]] = []

    async def on_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        changes.append((change.old_chat_member.status, change.new_chat_member.status))

    app = build_app(sim)
    app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER))
    async with sim.polling(app, timeout=POLL):
        sim.set_bot_status(group, "member")
        await sim.wait_for(lambda: changes, timeout=3)
    assert changes == [("administrator", "member")]


async def test_chat_member_updates_arrive_only_when_requested(sim: Simulator) -> None:
    group = sim.create_chat("g")
    carol = sim.add_user("Carol")
    seen: list[int] = []

    async def on_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.chat_member.new_chat_member.user.id)

    app = build_app(sim)
    app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.CHAT_MEMBER))
    async with sim.polling(app, timeout=POLL):  # default allowed_updates: no chat_member
        sim.add_member(group, carol, notify=True)
        await sim.wait_idle(timeout=3)
    assert seen == []
    async with sim.polling(app, timeout=POLL, allowed_updates=["message", "chat_member"]):
        sim.add_member(group, carol, "left", notify=True)
        await sim.wait_for(lambda: seen, timeout=3)
    assert seen == [carol.id]


async def test_privacy_mode_hides_plain_text_from_a_member_bot(sim: Simulator) -> None:
    group = sim.create_chat("g", bot_status="member")
    user = sim.add_user("A")
    texts: list[str] = []

    async def on_any(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        texts.append(update.effective_message.text)

    app = build_app(sim)
    app.add_handler(MessageHandler(filters.ALL, on_any))
    async with sim.polling(app, timeout=POLL):
        sim.inject_message(group, user, "plain text the bot cannot see")
        sim.inject_command(group, user, "/status")
        await sim.wait_for(lambda: texts, timeout=3)
    assert texts == ["/status"]


async def test_command_handler_sees_injected_command(sim: Simulator) -> None:
    group = sim.create_chat("g")
    args: list[list[str]] = []

    async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        args.append(list(context.args or []))
        await update.effective_message.reply_text("<b>統計</b> 0 件", parse_mode="HTML")

    app = build_app(sim)
    app.add_handler(CommandHandler("stats", on_stats))
    async with sim.polling(app, timeout=POLL):
        cmd = sim.inject_command(group, sim.add_user("A"), "stats", "7d")
        call = await sim.wait_for_call("sendMessage", timeout=3)
    assert args == [["7d"]]
    reply = sim.sent_messages(group)[0]
    assert reply.text == "統計 0 件" and reply.entities[0]["type"] == "bold"
    assert reply.reply_to_message_id == cmd.message_id
    assert call.params["parse_mode"] == "HTML"


async def test_forward_origin_reaches_the_bot(sim: Simulator) -> None:
    group = sim.create_chat("g")
    origins: list[object] = []

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        origins.append(update.effective_message.forward_origin)

    app = build_app(sim)
    app.add_handler(MessageHandler(filters.FORWARDED, on_text))
    async with sim.polling(app, timeout=POLL):
        sim.inject_message(
            group, sim.add_user("A"), "轉傳", forward_origin=sim.origin_hidden_user("匿名者")
        )
        await sim.wait_for(lambda: origins, timeout=3)
    assert isinstance(origins[0], MessageOriginHiddenUser)
    assert origins[0].sender_user_name == "匿名者"


async def test_bad_html_is_rejected_like_telegram(sim: Simulator) -> None:
    group = sim.create_chat("g")
    app = build_app(sim)
    async with app:
        with pytest.raises(BadRequest, match=r"[Cc]an't parse entities"):
            await app.bot.send_message(group.id, "王<小明> 違規", parse_mode="HTML")


async def test_bot_uploads_are_stored_for_inspection(sim: Simulator) -> None:
    group = sim.create_chat("g")
    app = build_app(sim)
    async with app:
        await app.bot.send_document(group.id, b"a,b\n1,2\n", filename="report.csv")
        image = png_bytes(400, 300)
        sent_photo = await app.bot.send_photo(group.id, image, caption="遮蔽後")
    files = sim.uploaded_files(group)  # the bot's uploads only, not Telegram's renditions
    assert [f.file_name for f in files] == ["report.csv", None]
    assert files[0].data == b"a,b\n1,2\n" and files[1].data == image
    [(part, upload)] = sim.calls("sendPhoto")[-1].files.items()
    assert part == "photo" and upload.data == image
    assert sent_photo.photo[-1].width == 400 and sent_photo.caption == "遮蔽後"


async def test_commands_menu_round_trip(sim: Simulator) -> None:
    app = build_app(sim)
    async with app:
        await app.bot.set_my_commands([("incidents", "事件列表"), ("stats", "統計")])
        await app.bot.set_my_commands(
            [("appeal", "申訴")], scope=BotCommandScopeChat(-100123), language_code="en"
        )
        commands = await app.bot.get_my_commands()
        assert [c.command for c in commands] == ["incidents", "stats"]
        assert sim.bot_commands()[1] == {"command": "stats", "description": "統計"}
        assert sim.bot_commands("chat", chat_id=-100123, language_code="en")[0]["command"] == (
            "appeal"
        )
        await app.bot.delete_my_commands()
        assert await app.bot.get_my_commands() == ()


async def test_anonymous_albums_and_topics_parse_in_ptb(sim: Simulator) -> None:
    group = sim.create_chat("g", is_forum=True)
    user = sim.add_user("A")
    sim.inject_message(group, None, "匿名管理員", sender_chat=group)
    for _ in range(2):
        sim.inject_photo(group, user, png_bytes(100, 80), media_group_id="album-1")
    sim.inject_message(group, user, "議題內", message_thread_id=5)
    app = build_app(sim)
    async with app:
        updates = await app.bot.get_updates(timeout=0)
        reply = await app.bot.send_message(group.id, "topic reply", message_thread_id=5)
    anonymous, photo1, photo2, topic = (u.message for u in updates)
    assert anonymous.sender_chat.id == group.id
    assert anonymous.from_user.username == "GroupAnonymousBot"
    assert photo1.media_group_id == photo2.media_group_id == "album-1"
    assert photo1.message_id != photo2.message_id
    assert topic.message_thread_id == 5 and topic.is_topic_message
    assert reply.message_thread_id == 5


async def test_settle_waits_for_slow_handlers_to_finish(sim: Simulator) -> None:
    group = sim.create_chat("g")

    async def slow_handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await asyncio.sleep(0.2)  # e.g. OCR before deciding
        await update.effective_message.reply_text("scanned")

    app = build_app(sim)
    app.add_handler(MessageHandler(filters.TEXT, slow_handler))
    async with sim.polling(app, timeout=POLL):
        sim.inject_message(group, sim.add_user("A"), "photo caption")
        await sim.settle(quiet=0.6, timeout=5)
        assert [m.text for m in sim.sent_messages(group)] == ["scanned"]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_mode_receives_updates_pushed_by_the_simulator(sim: Simulator) -> None:
    group = sim.create_chat("g")
    seen: list[str] = []

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.effective_message.text)

    app = build_app(sim)
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    port = free_port()
    async with app:
        await app.start()
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="s3cret",
        )
        try:
            sim.inject_message(group, sim.add_user("A"), "via webhook")
            await sim.wait_for(lambda: seen, timeout=5)
            info = await app.bot.get_webhook_info()
        finally:
            await app.updater.stop()
            await app.stop()
    assert seen == ["via webhook"]
    assert info.url.endswith("/hook") and info.pending_update_count == 0
    assert [d.ok for d in sim.webhook_deliveries()] == [True]


async def test_edits_follow_telegram_rules(sim: Simulator) -> None:
    group = sim.create_chat("g")
    user_msg = sim.inject_message(group, sim.add_user("A"), "user text")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("撤回", callback_data="undo")]])
    app = build_app(sim)
    async with app:
        sent = await app.bot.send_message(group.id, "警告", reply_markup=keyboard)
        with pytest.raises(BadRequest, match="not modified"):
            await app.bot.edit_message_text(
                "警告", group.id, sent.message_id, reply_markup=keyboard
            )
        edited = await app.bot.edit_message_text("已撤回", group.id, sent.message_id)
        with pytest.raises(BadRequest, match="can't be edited"):
            await app.bot.edit_message_text("x", group.id, user_msg.message_id)
    assert edited.text == "已撤回" and edited.edit_date is not None
    assert sim.message(group, sent.message_id).reply_markup is None  # no markup → keyboard gone


async def test_replies_to_the_bot_reach_a_member_bot_with_the_quoted_message(
    sim: Simulator,
) -> None:
    group = sim.create_chat("g", bot_status="member")
    user = sim.add_user("A")
    app = build_app(sim)
    async with app:
        notice = await app.bot.send_message(group.id, "請勿張貼個資")
        sim.inject_message(group, user, "收到", reply_to=notice.message_id)
        sim.inject_message(group, user, "not for the bot")
        updates = await app.bot.get_updates(timeout=0)
    [reply] = [u.message for u in updates]
    assert reply.text == "收到"
    assert reply.reply_to_message.message_id == notice.message_id
    assert reply.reply_to_message.from_user.id == sim.bot.id
