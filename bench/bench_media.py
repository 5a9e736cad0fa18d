"""Latency of images and documents, and of text messages while images are being OCR'd.

    python bench/bench_media.py [--burst 8] [--json]

Two measurements, both on the labelled files in tests/media:

1. Per-file latency of `detectors.media.scan_bytes` (extract + OCR + scan + redaction) in this
   process, one file at a time after a warm-up file (the OCR engine load is reported apart):
   median and p95 per kind (image / document).
2. Text latency under an image burst: the bot's production set-up — `bot.media.MediaScanner`
   with its process pool (spawned, reniced workers) and `bot.scan.ScanService` for text —
   receives `--burst` images at once while a text message arrives every 50 ms. Text latency
   (p50/p95/max) is reported idle and during the burst, with the burst's queue waits and the
   time until the last image is done. Why it matters: OCR takes ~1.5 s of both cores per image,
   and a leak typed while colleagues post photos must still be deleted at once.

Results go to bench/results/bench_media.json. Nothing sensitive is printed: only timings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MEDIA = ROOT / "tests/media"
RESULTS = ROOT / "bench/results"
IMAGE_EXT = (".png", ".jpg", ".webp", ".gif")
# Photos that are read twice (turned upright first): reported apart.
TURNED = ("sideways", "upside")
TEXT_INTERVAL_S = 0.05


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank; enough for a handful of samples."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summary_ms(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values) * 1000, 1),
        "p95_ms": round(pct(values, 0.95) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


def media_files() -> tuple[list[Path], list[Path]]:
    files = sorted(p for p in MEDIA.iterdir() if p.name != "make_media.py" and p.suffix != ".jsonl")
    images = [p for p in files if p.suffix in IMAGE_EXT]
    documents = [p for p in files if p.suffix not in IMAGE_EXT]
    return images, documents


def per_file_latency() -> dict[str, Any]:
    from bot.scan import skip_spacy_plugin_factories
    from detectors.media import scan_bytes
    from detectors.scanner import Scanner

    skip_spacy_plugin_factories()  # as the bot does (else torch is imported on a first hit)
    scanner = Scanner()
    images, documents = media_files()
    started = time.perf_counter()
    scan_bytes(images[0].read_bytes(), scanner, images[0].name)  # OCR engine load + warm-up
    warm_up = time.perf_counter() - started
    out: dict[str, Any] = {"warm_up_s": round(warm_up, 2)}
    turned = [p for p in images if any(t in p.name for t in TURNED)]
    upright = [p for p in images if p not in turned]
    for kind, paths in (
        ("image", images),
        ("image_upright", upright),
        ("image_turned", turned),
        ("document", documents),
    ):
        times: list[float] = []
        for path in paths:
            data = path.read_bytes()
            t0 = time.perf_counter()
            scan_bytes(data, scanner, path.name)
            times.append(time.perf_counter() - t0)
        out[kind] = summary_ms(times)
    return out


async def _text_loop(service: Any, texts: list[str], stop: asyncio.Event) -> list[float]:
    """Scan one text every TEXT_INTERVAL_S until `stop`; return each scan's latency."""
    latencies: list[float] = []
    k = 0
    while not stop.is_set():
        t0 = time.perf_counter()
        await service.scan(texts[k % len(texts)])
        latencies.append(time.perf_counter() - t0)
        k += 1
        await asyncio.sleep(TEXT_INTERVAL_S)
    return latencies


async def text_under_burst(burst: int) -> dict[str, Any]:
    from bot.media import MediaScanner
    from bot.scan import ScanService, skip_spacy_plugin_factories
    from detectors.scanner import Scanner

    skip_spacy_plugin_factories()
    scanner = Scanner()
    service = ScanService(scanner)
    texts = [
        json.loads(line)["text"]
        for line in (ROOT / "tests/corpus/messages.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ][:200]
    for text in texts:  # lexicons, spaCy: lazy set-up is not what we measure
        await service.scan(text)
    media = MediaScanner({"executor": "process", "workers": 1}, scanner)
    images, _ = media_files()
    try:
        t0 = time.perf_counter()
        await media.warm_up()  # spawn the worker, load its OCR engine
        worker_start = time.perf_counter() - t0

        stop = asyncio.Event()
        idle_task = asyncio.create_task(_text_loop(service, texts, stop))
        await asyncio.sleep(3.0)
        stop.set()
        idle = await idle_task

        stop = asyncio.Event()
        busy_task = asyncio.create_task(_text_loop(service, texts, stop))
        t0 = time.perf_counter()
        outcomes = await asyncio.gather(
            *(
                media.scan_bytes(p.read_bytes(), p.name)
                for p in (images * (burst // len(images) + 1))[:burst]
            )
        )
        burst_s = time.perf_counter() - t0
        stop.set()
        busy = await busy_task
    finally:
        await media.aclose()
        service.close()
    waits = [o.timings.get("queue_wait", 0.0) for o in outcomes]
    work = [o.timings.get("total", 0.0) for o in outcomes]
    return {
        "burst_images": burst,
        "worker_start_s": round(worker_start, 2),
        "burst_done_s": round(burst_s, 2),
        "image_work": summary_ms(work),
        "image_queue_wait": summary_ms(waits),
        "statuses": sorted({o.status for o in outcomes}),
        "text_idle": summary_ms(idle),
        "text_during_burst": summary_ms(busy),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burst", type=int, default=8, help="images posted at once")
    parser.add_argument("--json", action="store_true", help="print the JSON result")
    args = parser.parse_args(argv)
    result = {
        "cpus": os.cpu_count(),
        "load_average_1m_at_start": round(os.getloadavg()[0], 2),
        "per_file": per_file_latency(),
        "text_under_image_burst": asyncio.run(text_under_burst(args.burst)),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_media.json").write_text(json.dumps(result, indent=2) + "\n")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        pf, tb = result["per_file"], result["text_under_image_burst"]
        print(f"OCR engine warm-up: {pf['warm_up_s']} s")
        for kind in ("image", "image_upright", "image_turned", "document"):
            s = pf[kind]
            print(f"{kind:<14} n={s['n']:<3} p50 {s['p50_ms']:>7} ms  p95 {s['p95_ms']:>7} ms")
        print(
            f"burst of {tb['burst_images']} images done in {tb['burst_done_s']} s "
            f"(queue wait p95 {tb['image_queue_wait']['p95_ms']} ms)"
        )
        for key in ("text_idle", "text_during_burst"):
            s = tb[key]
            print(
                f"{key:<18} n={s['n']:<4} p50 {s['p50_ms']} ms  p95 {s['p95_ms']} ms  "
                f"max {s['max_ms']} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
