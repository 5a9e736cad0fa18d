"""Shared set-up of the bot's end-to-end tests: one Scanner per session, a started SimHarness.

Not a conftest on purpose: other engineers own the tests directory's shared files, and only the
bot's tests need this.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot.demo.harness import SimHarness
from bot.simulator.state import SimChat, SimUser


@cache
def shared_scanner() -> Any:
    """Building the Scanner loads lexicons; do it once. Skip (not fail) while the detector
    modules other engineers are writing have not landed yet."""
    try:
        from detectors import Scanner
        from detectors.config import DetectorConfig

        return Scanner.from_config(DetectorConfig())
    except ModuleNotFoundError as exc:  # pragma: no cover - only while detectors are incomplete
        pytest.skip(f"detectors incomplete: {exc.name}")


@asynccontextmanager
async def running_bot(
    tmp_path: Path,
    setup: Callable[[SimHarness], Any] | None = None,
    *,
    check_rights: bool = False,
    **policy: Any,
) -> AsyncIterator[SimHarness]:
    """A started simulator + real bot; `setup(h)` runs before the bot starts (to create chats
    whose ids the policy needs)."""
    h = SimHarness(tmp_path / "bot.db", shared_scanner())
    h.policy = dict(policy)
    if setup is not None:
        setup(h)
    await h.start(check_rights=check_rights)
    try:
        yield h
    finally:
        await h.stop()


def unit_group(h: SimHarness, *, can_delete: bool = True) -> tuple[SimChat, SimUser]:
    """A unit group the bot administers, with one member who has started the bot."""
    group = h.create_group("中正一分局偵查隊", can_delete=can_delete)
    user = h.add_user("志明", "王")
    h.join(group, user)
    return group, user


LEAK = "民眾資料：身分證 A123456789，電話 0912-345-678"
BENIGN = "各位早安，今天下午三點開勤前教育，記得帶筆記。"
