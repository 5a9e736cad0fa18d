"""Photos and documents in a group, through the real bot and the local Telegram simulator.

The end-to-end test OCRs one real photo in the production set-up (a spawned, reniced worker
process with its own OCR engine); the rest use text documents or are refused before download,
so they cost no OCR. The worker-pool tests spawn real worker processes too, with a job that
sleeps for files named `sleep-<seconds>-…` (see `_sleepy_job`), to make timeouts happen on
purpose.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from bot_e2e_support import shared_scanner, unit_group
from PIL import Image

from bot.demo.harness import SimHarness
from bot.media import MediaOutcome, MediaScanner, _work_in_process
from bot.scan import skip_spacy_plugin_factories
from detectors.config import DetectorConfig
from detectors.scanner import Scanner
from detectors.types import ENTITY_TYPES

MEDIA = Path(__file__).parent / "media"


@asynccontextmanager
async def bot_with_media(tmp_path: Path, **media_cfg: object) -> AsyncIterator[SimHarness]:
    """A started simulator + real bot whose MediaScanner runs in a thread pool (a process
    pool would spawn a fresh interpreter and OCR engine per test)."""
    skip_spacy_plugin_factories()
    scanner = shared_scanner()
    media = MediaScanner({"executor": "thread", **media_cfg}, scanner)
    h = SimHarness(tmp_path / "bot.db", scanner, media=media)
    await h.start(check_rights=False)
    try:
        yield h
    finally:
        await h.stop()
        await media.aclose()


@pytest.mark.slow
@pytest.mark.timeout(240)
async def test_photo_of_a_petition_is_deleted_and_every_finding_box_is_black_in_the_evidence(
    tmp_path: Path,
) -> None:
    """Production executor: the photo is OCR'd in a spawned worker process warmed up first."""
    photo = (MEDIA / "photo_petition_01.jpg").read_bytes()
    async with bot_with_media(tmp_path, executor="process", nice=0) as h:
        assert await h.media.warm_up() >= 0.0
        assert h.media.stats()["workers"] == 1
        group, user = unit_group(h)
        msg = h.send(group, user, photo=photo)
        await h.settle(timeout=150)
        assert group.messages[msg.message_id].deleted
        (incident,) = h.store.incidents()
        assert incident["action_taken"] == "deleted"
        assert incident["media_status"] == "scanned"
        assert "personal_data" in incident["categories"]
        evidence = incident["evidence_png"]
        assert evidence is not None and evidence != photo
        img = Image.open(io.BytesIO(evidence))
        assert img.format == "PNG" and max(img.size) <= 1024
        findings = h.store.findings(incident["id"])
        types = {f["type"] for f in findings}
        assert {"TW_NATIONAL_ID", "PERSON", "ADDRESS", "PHONE"} <= types
        gray = img.convert("L")
        factor = gray.width / Image.open(io.BytesIO(photo)).width
        boxed = [f for f in findings if f["type"] in ENTITY_TYPES and f["bbox"]]
        assert len(boxed) >= 4
        for f in boxed:  # every pixel inside every identifier's box is black
            x0, y0, x1, y1 = (round(v * factor) for v in json.loads(f["bbox"]))
            inner = gray.crop((x0 + 1, y0 + 1, x1 - 1, y1 - 1))
            assert inner.getextrema()[1] < 20, f["type"]


async def test_document_with_a_roster_is_deleted_and_recorded_without_an_image(
    tmp_path: Path,
) -> None:
    data = (MEDIA / "doc_list.csv").read_bytes()
    async with bot_with_media(tmp_path) as h:
        group, user = unit_group(h)
        msg = h._tracked(
            lambda: h.sim.inject_document(
                group, user, data, file_name="名單.csv", mime_type="text/csv"
            )
        )
        await h.settle(timeout=30)
        assert group.messages[msg.message_id].deleted
        (incident,) = h.store.incidents()
        assert incident["media_status"] == "scanned"
        assert incident["evidence_png"] is None


async def test_oversized_document_is_refused_before_download_with_a_too_large_outcome(
    tmp_path: Path,
) -> None:
    from telegram import Message

    async with bot_with_media(tmp_path) as h:
        group, user = unit_group(h)
        sim_msg = h._tracked(
            lambda: h.sim.inject_document(
                group,
                user,
                b"%PDF-1.4 tiny",
                file_name="卷宗.pdf",
                mime_type="application/pdf",
                file_size=25 * 1024 * 1024,
            )
        )
        await h.settle(timeout=30)
        assert not h.calls("getFile")  # refused from the declared size, never downloaded
        assert not group.messages[sim_msg.message_id].deleted
        # Recorded for ethics staff as "not scanned", never silently passed; nobody warned.
        (incident,) = h.store.incidents()
        assert incident["media_status"] == "too_large"
        assert incident["severity"] == "none"
        assert not h.calls("sendMessage")
        # The same Message the bot received, decoded from the Bot API JSON by PTB.
        message = Message.de_json(h.world.message_json(sim_msg), h.app.bot)
        outcome = await h.media.scan_message(h.app.bot, message)
        assert outcome is not None
        assert outcome.status == "too_large"
        assert "25.0 MB" in outcome.detail
        assert outcome.original is None and outcome.evidence_png is None


async def test_burst_of_documents_beyond_the_queue_bound_is_recorded_not_dropped() -> None:
    skip_spacy_plugin_factories()
    media = MediaScanner({"executor": "thread", "max_pending": 1}, shared_scanner())
    try:
        import asyncio

        text = "會議改到下午三點".encode()
        first, second = await asyncio.gather(
            media.scan_bytes(text, "a.txt"), media.scan_bytes(text, "b.txt")
        )
        statuses = sorted([first.status, second.status])
        assert statuses == ["not_scanned", "scanned"]
        refused = first if first.status == "not_scanned" else second
        assert refused.detail == "media queue full"
    finally:
        await media.aclose()


# -- the worker pool ------------------------------------------------------------------------


def _sleepy_job(data: bytes, file_name: str, *args: object) -> object:
    """The production job, after sleeping as `file_name` says: `sleep-<s>-…` always,
    `once-<s>-<flag path>` only the first time (the flag file remembers)."""
    kind, seconds, rest = [*file_name.split("-", 2), "", ""][:3]
    if kind == "sleep":
        time.sleep(float(seconds))
    elif kind == "once" and not Path(rest).exists():
        Path(rest).touch()
        time.sleep(float(seconds))
    return _work_in_process(data, file_name, *args)  # type: ignore[arg-type]


class SleepyMedia(MediaScanner):
    job = staticmethod(_sleepy_job)


TEXT = "會議改到下午三點".encode()


@pytest.mark.slow
@pytest.mark.timeout(240)
async def test_a_file_that_times_out_loses_none_of_the_files_scanned_beside_it(
    tmp_path: Path,
) -> None:
    skip_spacy_plugin_factories()
    media = SleepyMedia(
        {"workers": 2, "timeout_s": 3.0, "warm_ocr": False, "nice": 0}, shared_scanner()
    )

    async def after(delay: float, name: str) -> MediaOutcome:
        await asyncio.sleep(delay)
        return await media.scan_bytes(TEXT, name)

    try:
        await media.warm_up(with_ocr=False)
        stuck, beside, queued_a, queued_b = await asyncio.gather(
            media.scan_bytes(TEXT, "sleep-120-stuck.txt"),
            # Starts at 1 s and sleeps (the first time) far past 3 s, when `stuck` times out
            # and the pool is killed: it is running at that moment.
            after(1.0, f"once-30-{tmp_path / 'beside.flag'}"),
            after(1.1, "queued-a.txt"),
            after(1.1, "queued-b.txt"),
        )
    finally:
        await media.aclose()
    assert stuck.status == "timeout"
    assert beside.status == "scanned" and beside.attempts == 2  # resubmitted to the new pool
    assert queued_a.status == queued_b.status == "scanned"
    assert media.stats()["pool_restarts"] == 1


@pytest.mark.slow
@pytest.mark.timeout(240)
async def test_timeout_clock_starts_when_a_worker_starts_the_file_not_while_it_queues() -> None:
    skip_spacy_plugin_factories()
    media = SleepyMedia(
        {"workers": 1, "timeout_s": 3.0, "warm_ocr": False, "nice": 0}, shared_scanner()
    )
    try:
        await media.warm_up(with_ocr=False)
        outcomes = await asyncio.gather(
            *(media.scan_bytes(TEXT, f"sleep-1.0-{k}.txt") for k in range(5))
        )
    finally:
        await media.aclose()
    assert [o.status for o in outcomes] == ["scanned"] * 5
    # The last one queued behind four others (4 s, more than its 3 s timeout) and still ran.
    assert max(o.timings["queue_wait"] for o in outcomes) > 3.0
    assert media.stats()["pool_restarts"] == 0


@pytest.mark.slow
@pytest.mark.timeout(240)
async def test_allow_list_edit_reaches_the_worker_processes_without_a_restart() -> None:
    skip_spacy_plugin_factories()
    phone = "0912-345-678"
    note = f"請回電給民眾，手機 {phone}".encode()
    media = MediaScanner({"workers": 1, "warm_ocr": False, "nice": 0}, shared_scanner())
    try:
        before = await media.scan_bytes(note, "note.txt")
        pool = media._pool
        # What the review commands do after ethics staff add a value to the allow-list.
        media.scanner = Scanner(DetectorConfig(allow_list=[phone]))
        after = await media.scan_bytes(note, "note.txt")
        assert media._pool is pool  # same worker processes
    finally:
        await media.aclose()
    assert before.result is not None and after.result is not None
    assert "PHONE" in {f.type for f in before.result.findings}
    assert "PHONE" not in {f.type for f in after.result.findings}
