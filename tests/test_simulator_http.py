"""The simulator's wire protocol, checked with a plain HTTP client.

These pin down the Bot API details PTB hides (offset confirmation, the held long poll, 409s,
request encodings, file URLs) and the `/_control/...` API the demo drives from another process.
"""

from __future__ import annotations

import asyncio
import base64
import io
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.simulator import RateLimits, Simulator
from bot.simulator.faults import FaultPlan
from bot.simulator.formatting import parse_formatted
from bot.simulator.params import ApiError


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator() as s:
        yield s


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, sim: Simulator, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    """POST form-encoded like PTB (every value a string)."""
    form = {k: str(v) for k, v in params.items()}
    async with http.post(f"{sim.base_url}{sim.token}/{method}", data=form) as resp:
        return resp.status, await resp.json()


async def control(
    http: aiohttp.ClientSession, sim: Simulator, action: str, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{sim.url}/_control/{action}", json=kwargs) as resp:
        return resp.status, await resp.json()


def update_ids(body: dict[str, Any]) -> list[int]:
    return [u["update_id"] for u in body["result"]]


async def test_updates_stay_queued_until_an_offset_confirms_them(sim, http) -> None:
    group = sim.create_chat("g")
    user = sim.add_user("A")
    for text in ("one", "two", "three"):
        sim.inject_message(group, user, text)
    _, first = await call(http, sim, "getUpdates", timeout=0)
    ids = update_ids(first)
    assert len(ids) == 3 and ids == sorted(ids)
    _, again = await call(http, sim, "getUpdates", timeout=0)
    assert update_ids(again) == ids  # not confirmed yet: delivered again
    _, limited = await call(http, sim, "getUpdates", offset=ids[1], limit=1, timeout=0)
    assert update_ids(limited) == [ids[1]]
    _, last = await call(http, sim, "getUpdates", offset=-1, timeout=0)
    assert update_ids(last) == [ids[2]]
    _, done = await call(http, sim, "getUpdates", offset=ids[2] + 1, timeout=0)
    assert done == {"ok": True, "result": []}


async def test_empty_getupdates_is_held_for_its_timeout(sim, http) -> None:
    started = time.monotonic()
    status, body = await call(http, sim, "getUpdates", timeout=0.4)
    assert (status, body["result"]) == (200, [])
    assert time.monotonic() - started >= 0.35


async def test_held_getupdates_answers_as_soon_as_an_update_arrives(sim, http) -> None:
    group = sim.create_chat("g")
    poll = asyncio.create_task(call(http, sim, "getUpdates", timeout=10))
    await sim.wait_for(lambda: sim.calls("getUpdates"), timeout=2)
    started = time.monotonic()
    sim.inject_message(group, sim.add_user("A"), "hi")
    status, body = await asyncio.wait_for(poll, 2)
    assert status == 200 and body["result"][0]["message"]["text"] == "hi"
    assert time.monotonic() - started < 1.0


async def test_a_second_poller_terminates_the_first_with_409(sim, http) -> None:
    first = asyncio.create_task(call(http, sim, "getUpdates", timeout=5))
    await sim.wait_for(lambda: sim.calls("getUpdates"), timeout=2)
    second = asyncio.create_task(call(http, sim, "getUpdates", timeout=0.3))
    status, body = await asyncio.wait_for(first, 2)
    assert status == 409 and "terminated by other getUpdates" in body["description"]
    assert (await second)[0] == 200


async def test_allowed_updates_filters_and_webhook_blocks_polling(sim, http) -> None:
    group = sim.create_chat("g")
    sim.inject_message(group, sim.add_user("A"), "dropped")
    _, body = await call(http, sim, "getUpdates", timeout=0, allowed_updates='["callback_query"]')
    assert body["result"] == [] and sim.pending_updates() == []
    status, _ = await call(http, sim, "setWebhook", url="https://example.invalid/hook")
    assert status == 200
    status, body = await call(http, sim, "getUpdates", timeout=0)
    assert status == 409 and "webhook is active" in body["description"]
    assert (await call(http, sim, "deleteWebhook"))[0] == 200
    assert (await call(http, sim, "getUpdates", timeout=0))[0] == 200


async def test_json_bodies_tokens_and_unknown_methods(sim, http) -> None:
    group = sim.create_chat("g")
    url = f"{sim.base_url}{sim.token}/sendMessage"
    async with http.post(url, json={"chat_id": group.id, "text": "json ok"}) as resp:
        assert resp.status == 200 and (await resp.json())["result"]["text"] == "json ok"
    async with http.post(f"{sim.base_url}1:wrong/getMe") as resp:
        assert resp.status == 401
    status, body = await call(http, sim, "sendTelepathy")
    assert status == 404 and body["ok"] is False
    assert sim.calls("sendMessage")[0].params == {"chat_id": group.id, "text": "json ok"}


async def test_replies_and_batch_deletes_follow_telegram(sim, http) -> None:
    group = sim.create_chat("g")
    user = sim.add_user("A")
    a = sim.inject_message(group, user, "a")
    b = sim.inject_message(group, user, "b")
    status, body = await call(
        http, sim, "sendMessage", chat_id=group.id, text="re", reply_to_message_id=999
    )
    assert status == 400 and body["description"] == "Bad Request: message to be replied not found"
    status, body = await call(
        http, sim, "sendMessage", chat_id=group.id, text="re", reply_to_message_id=a.message_id
    )
    assert body["result"]["reply_to_message"]["text"] == "a"
    ids = f"[{a.message_id}, {b.message_id}, 999]"
    assert (await call(http, sim, "deleteMessages", chat_id=group.id, message_ids=ids))[0] == 200
    assert [m.text for m in sim.deleted_messages(group)] == ["a", "b"]
    assert [m.text for m in sim.messages(group)] == ["re"]


async def test_downloads_serve_the_stored_bytes(sim, http) -> None:
    group = sim.create_chat("g")
    msg = sim.inject_document(group, sim.add_user("A"), b"col\n1\n", file_name="a.csv")
    _, body = await call(http, sim, "getFile", file_id=msg.payload["document"]["file_id"])
    path = body["result"]["file_path"]
    async with http.get(f"{sim.base_file_url}{sim.token}/{path}") as resp:
        assert resp.status == 200 and await resp.read() == b"col\n1\n"
    async with http.get(f"{sim.base_file_url}{sim.token}/documents/nope.csv") as resp:
        assert resp.status == 404


async def test_control_http_api_drives_a_conversation(sim, http) -> None:
    _, user = await control(http, sim, "add_user", first_name="Alice", started_bot=True)
    _, chat = await control(http, sim, "create_chat", title="Ops")
    status, sent = await control(
        http,
        sim,
        "inject_message",
        chat=chat["result"]["id"],
        user=user["result"]["id"],
        text="/start",
    )
    assert status == 200 and sent["result"]["entities"][0]["type"] == "bot_command"
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48)).save(buf, format="PNG")
    status, photo = await control(
        http,
        sim,
        "inject_photo",
        chat=chat["result"]["id"],
        user=user["result"]["id"],
        data_base64=base64.b64encode(buf.getvalue()).decode(),
    )
    assert status == 200 and photo["result"]["photo"][-1]["width"] == 64
    await call(http, sim, "sendMessage", chat_id=chat["result"]["id"], text="收到")
    async with http.get(f"{sim.url}/_control/calls", params={"method": "sendMessage"}) as resp:
        calls = (await resp.json())["result"]
    assert [c["params"]["text"] for c in calls] == ["收到"]
    async with http.get(f"{sim.url}/_control/chats/{chat['result']['id']}/messages") as resp:
        texts = [m.get("text") for m in (await resp.json())["result"]]
    assert texts == ["/start", None, "收到"]
    _, sent = await control(http, sim, "sent_messages", chat=chat["result"]["id"])
    assert [(m["text"], m["by_bot"]) for m in sent["result"]] == [("收到", True)]
    async with http.get(f"{sim.url}/_control/state") as resp:
        assert (await resp.json())["result"]["pending_updates"] == 2
    assert (await control(http, sim, "no_such_action"))[0] == 404
    assert (await control(http, sim, "inject_message", chat=424242, user=1, text="x"))[0] == 400


async def test_wait_for_raises_timeout_when_nothing_happens(sim) -> None:
    with pytest.raises(TimeoutError, match="never"):
        await sim.wait_for(lambda: False, timeout=0.05, message="never")


def test_markdown_v2_requires_escaping_and_offsets_count_utf16() -> None:
    with pytest.raises(ApiError, match="reserved"):
        parse_formatted("結束.", "MarkdownV2")
    text, entities = parse_formatted("😀 *粗體* 結束\\.", "MarkdownV2")
    assert text == "😀 粗體 結束."
    assert entities == [{"type": "bold", "offset": 3, "length": 2}]


def test_rate_limits_allow_a_burst_then_ask_to_retry() -> None:
    limits = RateLimits(per_chat_per_second=1.0, per_chat_burst=2)
    assert limits.check(-100, now=0.0) is None
    assert limits.check(-100, now=0.0) is None
    assert limits.check(-100, now=0.0) == 1
    assert limits.check(-200, now=0.0) is None  # other chats are independent
    assert limits.check(-100, now=1.0) is None


def test_armed_failures_are_consumed_in_order() -> None:
    plan = FaultPlan()
    plan.fail_next("sendMessage", times=2, status=503)
    plan.retry_after("sendMessage", 3)
    outcomes = [plan.take("sendMessage")[1] for _ in range(4)]
    assert [o.status if o else None for o in outcomes] == [503, 503, 429, None]


async def test_unreachable_webhook_keeps_updates_and_reports_the_error(sim, http) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens there
    status, _ = await call(http, sim, "setWebhook", url=f"http://127.0.0.1:{port}/hook")
    assert status == 200
    sim.inject_message(sim.create_chat("g"), sim.add_user("A"), "kept")
    await sim.wait_for(lambda: sim.webhook_deliveries(), timeout=3)
    _, info = await call(http, sim, "getWebhookInfo")
    assert info["result"]["pending_update_count"] == 1
    assert info["result"]["last_error_message"].startswith("Connection failed")
    status, body = await call(http, sim, "setWebhook", url="http://example.org/hook")
    assert status == 400 and "HTTPS URL must be provided" in body["description"]


async def test_dm_to_the_anonymous_admin_account_is_forbidden(sim, http) -> None:
    group = sim.create_chat("g")
    msg = sim.inject_message(group, None, "匿名", sender_chat=group)
    anonymous_sender = sim.world.message_json(msg)["from"]["id"]
    status, body = await call(http, sim, "sendMessage", chat_id=anonymous_sender, text="x")
    assert status == 403 and body["description"] == "Forbidden: bot can't send messages to bots"


async def test_adding_the_bot_announces_it_and_channel_posts_are_channel_updates(sim) -> None:
    owner = sim.add_user("Owner")
    group = sim.create_chat("g", creator=owner, announce=True)
    channel = sim.create_chat("公告頻道", chat_type="channel")
    sim.inject_message(channel, None, "公告", sender_chat=channel)
    banned = sim.add_user("Banned")
    sim.add_member(group, banned, "kicked")
    with pytest.raises(ValueError, match="banned"):
        sim.inject_message(group, banned, "x")
    joined, post = sim.pending_updates()
    change = joined["my_chat_member"]
    assert change["from"]["id"] == owner.id and change["chat"]["id"] == group.id
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == (
        "left",
        "administrator",
    )
    assert post["channel_post"]["text"] == "公告"


async def test_transcript_shows_who_said_what_and_what_was_deleted(sim, http) -> None:
    group = sim.create_chat("g")
    leak = sim.inject_message(group, sim.add_user("Alice"), "A123456789")
    await call(http, sim, "deleteMessage", chat_id=group.id, message_id=leak.message_id)
    await call(http, sim, "sendMessage", chat_id=group.id, text="已刪除一則訊息")
    assert sim.transcript(group).splitlines() == [
        "#1 Alice: A123456789 [已刪除 deleted]",
        "#2 🤖 機密守門員: 已刪除一則訊息",
    ]
