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
