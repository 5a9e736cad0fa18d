"""`dlpbot demo`: the scripted conversation really runs through simulator + bot, and the
transcript and incident table say what happened."""

from __future__ import annotations

import io
from pathlib import Path

from bot_e2e_support import shared_scanner

from bot.demo.harness import SimHarness
from bot.demo.script import incident_table, play
from bot.messages import Messages


async def test_demo_script_deletes_leaks_keeps_chat_and_prints_transcript(tmp_path: Path) -> None:
    h = SimHarness(tmp_path / "demo.db", shared_scanner())
    await h.start()
    out = io.StringIO()
    try:
        cast = await play(h, out)
        table = incident_table(h, Messages("zh-TW"))
        incidents = h.store.incidents()
    finally:
        await h.stop()
    group = cast.group
    first = group.messages[1]
    assert first.sender_id == cast.lin.id and not first.deleted  # the benign greeting stays
    kinds = {i["kind"] for i in incidents}
    assert {"message", "edit"} <= kinds  # a pasted record and the edit into a leak
    senders = {i["sender_id"] for i in incidents}
    assert {cast.wang.id, cast.chang.id, cast.liu.id} <= senders
    assert any(i["warned_via"] == "group_notice" for i in incidents)  # the user without DM
    assert any(i["status"] == "confirmed" for i in incidents)  # the ethics button press
    text = out.getvalue()
    assert "私訊" in text and "刪除" in text and "通報" in text
    assert "403" in text  # the refused DM is shown, then the in-group notice
    assert len(table) == len(incidents) + 2  # header, rule, one row per incident
    assert "A223456781" not in "\n".join(table)  # the table shows masked values only


def test_demo_command_is_registered_in_the_cli() -> None:
    from bot.cli import build_parser

    args = build_parser().parse_args(["demo"])
    assert args._module == "bot.commands.demo" and not getattr(args, "_missing", False)
