"""Every way a leak can enter a group is scanned: forwards, replies, captions, album items."""

from __future__ import annotations

from pathlib import Path

from bot_e2e_support import BENIGN, LEAK, running_bot, unit_group


def _png() -> bytes:
    """A small real PNG: the photo only carries the caption here."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buf, format="PNG")
    return buf.getvalue()


PNG = _png()


async def test_forwarded_leak_is_deleted_and_recorded_as_forward(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h)
        outsider = h.add_user("外部", "某")
        msg = h.send(group, user, LEAK, forward_from=outsider)
        await h.settle()
        assert group.messages[msg.message_id].deleted
        assert h.store.incidents()[0]["kind"] == "forward"


async def test_reply_containing_a_leak_is_caught(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h)
        first = h.send(group, user, BENIGN)
        reply = h.send(group, user, LEAK, reply_to=first)
        await h.settle()
        assert group.messages[reply.message_id].deleted
        assert not group.messages[first.message_id].deleted


async def test_album_items_with_leaking_captions_are_separate_incidents(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h)
        items = [
            h.send(group, user, caption=LEAK, photo=PNG, media_group_id="album-1"),
            h.send(group, user, caption="第二張", photo=PNG, media_group_id="album-1"),
            h.send(group, user, caption=f"第三張 {LEAK}", photo=PNG, media_group_id="album-1"),
        ]
        await h.settle()
        incidents = h.store.incidents()
        assert [i["message_id"] for i in incidents] == [items[0].message_id, items[2].message_id]
        assert {i["media_group_id"] for i in incidents} == {"album-1"}
        assert not group.messages[items[1].message_id].deleted


async def test_shared_contact_card_with_a_citizens_number_is_caught(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h)
        card = {"phone_number": "0912-345-678", "first_name": "美玲", "last_name": "陳"}
        msg = h._tracked(
            lambda: h.sim.inject_message(group, user, None, extra={"contact": card})
        )
        await h.settle()
        (incident,) = h.store.incidents()
        assert incident["kind"] == "contact" and incident["message_id"] == msg.message_id
        assert "personal_data" in incident["categories"]
        masked = {f["masked"] for f in h.store.findings(incident["id"])}
        assert not any("0912345678" in m or "0912-345-678" in m for m in masked)
        dm = [m.text or "" for m in h.bot_messages(user.id)]
        assert len(dm) == 1 and "0912-345-678" not in dm[0]


async def test_quoted_part_of_a_replied_message_is_scanned(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h)
        quote = {"text": LEAK, "position": 0}
        reply = h._tracked(
            lambda: h.sim.inject_message(group, user, "請看這段", extra={"quote": quote})
        )
        await h.settle()
        assert group.messages[reply.message_id].deleted
        (incident,) = h.store.incidents()
        assert "A123456789" in (h.store.decrypt_content(incident["id"]) or "")


async def test_contact_card_quoted_from_another_chat_is_scanned(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        group, user = unit_group(h)
        other = h.create_group("外部群組")
        external = {
            "origin": h.sim.origin_chat(other),
            "chat": other.to_api(),
            "message_id": 5,
            "contact": {"phone_number": "0912345678", "first_name": "美玲", "last_name": "陳"},
        }
        h._tracked(
            lambda: h.sim.inject_message(
                group, user, "這位是誰？", extra={"external_reply": external}
            )
        )
        await h.settle()
        (incident,) = h.store.incidents()
        assert "personal_data" in incident["categories"]
