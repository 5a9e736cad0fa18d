"""A local Telegram Bot API server for tests and the offline demo (never contacts Telegram).

It speaks the Bot API subset python-telegram-bot 22 uses, with Telegram's real semantics:
long-polling `getUpdates` (held open until an update or `timeout`; `offset` confirms), message
ids per chat, `deleteMessage` rules (400 when already gone, older than 48 h, or when the bot is
not an admin with `can_delete_messages`), 403 for DMs to users who never started the bot or after
a kick, `getFile` + downloads (400 "file is too big" over 20 MB), `parse_mode` parsing (bad HTML
→ 400 "can't parse entities"), inline keyboards and callback queries, commands menu, webhooks.

Start/stop (an async context manager; port 0 → an ephemeral port)::

    from telegram.ext import ApplicationBuilder
    from bot.simulator import Simulator

    async with Simulator() as sim:                    # sim.url == "http://127.0.0.1:<port>"
        app = (ApplicationBuilder().token(sim.token)
               .base_url(sim.base_url).base_file_url(sim.base_file_url).build())
        group = sim.create_chat("稽核科工作群", chat_type="supergroup")   # bot = full admin
        alice = sim.add_user("Alice", username="alice", started_bot=True)
        bob = sim.add_user("Bob")                     # never started the bot → DM is 403
        async with app:                               # ids in call params are strings
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=1)
            msg = sim.inject_message(group, alice, "身分證 A123456789")
            await sim.wait_for(lambda: sim.is_deleted(group, msg), timeout=5)
            dm = await sim.wait_for_call(
                "sendMessage", lambda c: c.params["chat_id"] == str(alice.id))
            await app.updater.stop()
            await app.stop()

Shorter, same thing: `app = sim.application_builder().build()` (token and both base URLs set),
then `async with sim.polling(app, timeout=0.5): ...` starts polling and stops it afterwards.

Set-up: `add_user(first_name, user_id=, last_name=, username=, is_bot=, started_bot=,
language_code=)`, `set_started(user, started=True, blocked=False)`, `start_bot(user)` (sends
/start in the DM), `create_chat(title, chat_type="group"|"supergroup"|"channel", chat_id=,
username=, is_forum=, creator=, members=, bot_status="administrator"|"member",
bot_rights={"can_delete_messages": False}, announce=False)`, `add_member(chat, user, status,
rights=, notify=)` (→ `chat_member` update), `set_bot_status(chat, status, can_delete_messages=,
rights=, notify=True)` (→ `my_chat_member`: promote, demote, kick), `set_privacy_mode(bool)`,
`advance_time(seconds)` / `now()` (message dates are Unix seconds; pass `date=` to age one).

Inject (each returns the stored `SimMessage`, whose `.message_id` the bot sees):
`inject_message(chat, user, text, entities=, reply_to=, forward_origin=, media_group_id=,
message_thread_id=, sender_chat=, date=)` (`/commands` get bot_command entities),
`inject_command(chat, user, "/stats", "arg")`, `inject_edit(chat, message, new_text)`,
`inject_photo(chat, user, image_bytes, caption=)`, `inject_document(chat, user, data,
file_name=, mime_type=, file_size=)`, `press_button(chat, bot_message, user, data=)` → query id;
`origin_user/origin_hidden_user/origin_chat/origin_channel(...)` build `forward_origin`.
Chats and users may be passed as objects or ids, messages as `SimMessage` or ids.

Faults: `fail_next(method, times=1, status=502)`, `retry_after(method, seconds, times=1)` (429),
`delay(method, seconds, times=None)` (a slow Telegram / read timeouts), `clear_faults()`,
`enable_rate_limits(RateLimits(...))` (Telegram-like 429s; off by default).

Inspect: `calls(method)` → `RecordedCall(method, params, files, time, status, result,
description)` (failed calls too; form values are strings, JSON values decoded),
`sent_messages(chat)`, `messages(chat, include_deleted=)`, `deleted_messages(chat)`,
`is_deleted(chat, message)`, `uploaded_files(chat)` (`SimFile.data` holds the bytes),
`callback_answer(query_id)`, `pending_updates()`, `bot_commands()`, `webhook_deliveries()`,
`transcript(chat)` (readable lines for failure messages),
and `sim.world` for the rest.

Webhook mode: after the bot's setWebhook (`Updater.start_webhook`, http:// allowed on loopback
only), queued updates are POSTed to it one by one with the secret-token header and kept until it
answers 2xx (errors show in getWebhookInfo); getUpdates then answers 409, as on Telegram.

Wait: `await sim.wait_for(predicate, timeout=5)` re-checks on every change (no busy polling) and
raises TimeoutError; `await sim.wait_for_call("deleteMessage", where, after=len(sim.calls()))`;
`await sim.wait_idle()` (the bot has fetched every queued update — PTB confirms before its
handlers finish); `await sim.settle(quiet=0.3)` (fetched, then no Bot API call for `quiet` s:
use it before asserting that nothing happened).

Other processes: `dlpbot simulator --port 8081` runs it standalone; `POST /_control/<action>`
with JSON keyword arguments runs the method of that name (bytes as `data_base64`), `GET
/_control/state`, `/_control/calls?method=X`, `/_control/chats/<id>/messages` read state.
"""

from bot.simulator.control import ControlHttp, Simulator
from bot.simulator.faults import FaultPlan, RateLimits
from bot.simulator.state import (
    Membership,
    RecordedCall,
    SimChat,
    SimFile,
    SimMessage,
    SimUser,
    admin_rights,
)
from bot.simulator.world import DEFAULT_TOKEN, DOWNLOAD_LIMIT, World

__all__ = [
    "DEFAULT_TOKEN",
    "DOWNLOAD_LIMIT",
    "ControlHttp",
    "FaultPlan",
    "Membership",
    "RateLimits",
    "RecordedCall",
    "SimChat",
    "SimFile",
    "SimMessage",
    "SimUser",
    "Simulator",
    "World",
    "admin_rights",
]
