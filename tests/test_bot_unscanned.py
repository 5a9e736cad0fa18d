"""Nothing passes silently: a message the bot could not (fully) scan is recorded for ethics staff,
and when the bot itself failed (scanner crash or timeout, a cancelled media job) they are alerted.
Through the real Application and the simulator."""

from __future__ import annotations

import asyncio
import io
import logging
import time
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from bot_e2e_support import BENIGN, LEAK, shared_scanner, unit_group

from bot.demo.harness import SimHarness
from detectors.types import ScanResult

MEDIA = Path(__file__).parent / "media"
# Over the inline limit, so the scan runs in the pool under the timeout.
LONG_LEAK = LEAK + "。" + "今天的勤務分配如附件，請各組長確認人力。" * 30


class StalledScanner:
    """The real detectors behind a stall (a NER model stuck on a loaded CPU, say)."""

    def __init__(self, real: object, stall: float) -> None:
        self.real, self.stall, self.ner = real, stall, None

    def scan(self, text: str) -> ScanResult:
        time.sleep(self.stall)
        return self.real.scan(text)  # type: ignore[attr-defined]


class CrashingScanner:
    """A detector that fails the way a bug would: the exception quotes the text."""

    ner = None

    def scan(self, text: str) -> ScanResult:
        raise RuntimeError(f"detector bug while reading {text!r}")

    def scan_many(self, texts: list[str]) -> list[ScanResult]:
        return [self.scan(t) for t in texts]


def _alerts(h: SimHarness) -> list[str]:
    return [m.text or "" for m in h.bot_messages(h.ethics_chat.id)]


async def test_scan_timeout_records_an_unscanned_incident_and_alerts_ethics(
    tmp_path: Path,
) -> None:
    stalled = StalledScanner(shared_scanner(), stall=1.0)
    h = SimHarness(tmp_path / "bot.db", stalled)  # type: ignore[arg-type]
    h.policy = {"scan_timeout_seconds": 0.2}
    async with h:
        group, user = unit_group(h)
        msg = h.send(group, user, LONG_LEAK)
        await h.settle()
        (incident,) = h.store.incidents()
        assert incident["scan_status"] == "unscanned" and incident["scan_error"] == "timeout"
        assert incident["message_id"] == msg.message_id
        assert incident["alert_state"] == "sent" and incident["warned_via"] == "none"
        assert not group.messages[msg.message_id].deleted  # unknown content is not deleted
        (alert,) = _alerts(h)
        assert "未能完整掃描" in alert and "掃描逾時" in alert and "人工檢視" in alert
        assert "t.me/c/" in alert  # ethics staff can open the message themselves
        assert "A123456789" not in alert
        assert h.calls("sendMessage")[0].params["chat_id"] == str(h.ethics_chat.id)


async def test_scanner_crash_is_recorded_and_alerted_and_the_text_is_not_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    h = SimHarness(tmp_path / "bot.db", CrashingScanner())  # type: ignore[arg-type]
    await h.start(check_rights=False)
    try:
        group, user = unit_group(h)
        h.send(group, user, LEAK)
        await h.settle()
        (incident,) = h.store.incidents()
        assert incident["scan_status"] == "unscanned"
        assert incident["scan_error"] == "error:RuntimeError"
        (alert,) = _alerts(h)
        assert "掃描程式發生錯誤" in alert
    finally:
        await h.stop()
    assert "A123456789" not in caplog.text and "detector bug" not in caplog.text


# -- media ----------------------------------------------------------------------------------------


@asynccontextmanager
async def bot_with_media(tmp_path: Path, **media_cfg: object) -> AsyncIterator[SimHarness]:
    from bot.media import MediaScanner

    scanner = shared_scanner()
    media = MediaScanner({"executor": "thread", **media_cfg}, scanner)
    h = SimHarness(tmp_path / "bot.db", scanner, media=media)
    await h.start(check_rights=False)
    try:
        yield h
    finally:
        await h.stop()
        await media.aclose()


def _zip_with_nested_archive() -> bytes:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("inner.txt", "內層")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("會議通知.txt", BENIGN)
        z.writestr("舊檔.zip", inner.getvalue())
    return buf.getvalue()


async def test_partially_scanned_benign_file_is_recorded_as_partial_without_alert(
    tmp_path: Path,
) -> None:
    async with bot_with_media(tmp_path) as h:
        group, user = unit_group(h)
        data = _zip_with_nested_archive()
        msg = h._tracked(
            lambda: h.sim.inject_document(
                group, user, data, file_name="資料.zip", mime_type="application/zip"
            )
        )
        await h.settle(timeout=30)
        (incident,) = h.store.incidents()
        assert incident["media_status"] == "partial" and incident["scan_status"] == "partial"
        assert incident["categories"] == "[]" and incident["alert_state"] == "none"
        assert not group.messages[msg.message_id].deleted
        assert h.calls("sendMessage") == []  # recorded for review, nobody is messaged


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_cancelled_media_job_still_deletes_the_leaking_caption_and_records_the_file(
    tmp_path: Path,
) -> None:
    photo = (MEDIA / "photo_petition_01.jpg").read_bytes()
    async with bot_with_media(tmp_path, workers=1) as h:
        media = h.media
        group, user = unit_group(h)
        # Another job occupies the only worker, so the bot's job waits in the queue ...
        busy = asyncio.create_task(media.scan_bytes(photo, "busy.jpg"))
        await h.wait_for(lambda: media._pending >= 1, timeout=10)
        msg = h._tracked(
            lambda: h.sim.inject_document(
                group, user, b"a,b\n1,2\n", file_name="表.csv", mime_type="text/csv",
                caption=LEAK,
            )
        )
        await h.wait_for(lambda: media._pending >= 2, timeout=10)
        # ... and the pool is shut down under it: the queued job is cancelled.
        await media.aclose()
        await busy
        await h.settle(timeout=60)
        assert group.messages[msg.message_id].deleted  # the caption's verdict still applied
        (incident,) = h.store.incidents()
        assert incident["media_status"] == "cancelled"
        assert incident["scan_status"] == "partial" and incident["action_taken"] == "deleted"
        alert = _alerts(h)[0]
        assert "未能完整掃描" in alert and "檔案處理工作被中止" in alert
