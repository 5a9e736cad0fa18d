"""dlpbot vs. a Taiwan-configured Presidio, side by side on the same labelled corpus (issue 6).

    python bench/compare_presidio.py [--corpus FILE ...] [--seconds 3] [--json] [--media]
                                     [--write-readme]

Each engine runs in its own fresh interpreter (pinned to the same CPU) so start-up time and
peak RSS are its own; inside, every text is analysed once as warm-up, then timed per message
until `--seconds` have passed. Quality is scored by detectors/evaluate.py for both engines, so
the rules (categories per message, entities by normalised value) are identical. How Presidio
is configured, and why, is in bench/presidio_setup.py.

`--media` adds the same comparison over text extracted from the labelled image/document set
(tests/media); extraction (OCR) runs once, its time reported apart from both engines'.
`--write-readme` replaces the text between the `presidio-compare` markers in README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

_STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from detectors.evaluate import GoldMessage, load_corpus, score  # noqa: E402
from detectors.types import CATEGORIES, ENTITY_TYPES, Finding, ScanResult  # noqa: E402

DEFAULT_CORPORA = (ROOT / "tests/corpus/messages.jsonl", ROOT / "tests/corpus/holdout.jsonl")
MEDIA_LABELS = ROOT / "tests/media/labels.jsonl"
# Written last by an author who saw neither engine's rules; never tuned on (tests/corpus/README).
VALIDATION = ROOT / "tests/corpus/validation.jsonl"
README = ROOT / "README.md"
START_MARK = "<!-- presidio-compare:start -->"
END_MARK = "<!-- presidio-compare:end -->"
ENGINES = ("dlpbot", "presidio")


def build_scan(engine: str) -> Callable[[str], ScanResult]:
    """A text → ScanResult function for either engine (Presidio's output is converted)."""
    if engine == "dlpbot":
        from detectors.scanner import Scanner

        return Scanner().scan
    from presidio_setup import build_engine, categories_of, presidio_entity_type

    analyzer = build_engine()

    def scan(text: str) -> ScanResult:
        findings = []
        for r in analyzer.analyze(text, language="zh"):
            etype = presidio_entity_type(r.entity_type)
            findings.append(Finding(etype, "presidio", r.start, r.end, r.score, "presidio", "", ""))
        return ScanResult(findings=findings, categories=categories_of({f.type for f in findings}))

    return scan


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timed(scan: Callable[[str], ScanResult], texts: Sequence[str], seconds: float) -> list[float]:
    """Per-scan seconds over `texts`, round after round, until `seconds` have passed."""
    latencies: list[float] = []
    began = time.perf_counter()
    while True:
        for text in texts:
            t = time.perf_counter()
            scan(text)
            latencies.append(time.perf_counter() - t)
        if time.perf_counter() - began >= seconds:
            return latencies


def run_engine(engine: str, corpus: Sequence[GoldMessage], seconds: float) -> dict[str, Any]:
    """Build, warm up, time and score one engine in this process."""
    t0 = time.perf_counter()
    scan = build_scan(engine)
    texts = [m.text for m in corpus]
    results = [scan(t) for t in texts]  # warm-up pass, also the results that get scored
    first_pass = time.perf_counter() - t0
    startup = time.perf_counter() - _STARTED
    latencies = _timed(scan, texts, seconds)
    # Most of a work group's traffic is ordinary chat: the benign messages timed on their own.
    benign_lat = _timed(scan, [m.text for m in corpus if m.benign] or texts, seconds / 2)
    ev = score(corpus, results)
    return {
        "engine": engine,
        "evaluation": ev.to_dict(errors=False),
        "throughput_msg_s": round(len(latencies) / sum(latencies), 1) if latencies else 0.0,
        "benign_throughput_msg_s": round(len(benign_lat) / sum(benign_lat), 1)
        if benign_lat
        else 0.0,
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 3),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 3),
        "timed_scans": len(latencies),
        "startup_s": round(startup, 3),
        "build_and_first_pass_s": round(first_pass, 3),
        "peak_rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> float:
    """This process's peak resident set size.

    Prefers /proc's VmHWM: `ru_maxrss` survives fork+exec on Linux, so a worker started by a
    parent that had just run OCR would report the parent's peak instead of its own.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _load(paths: Sequence[Path], limit: int | None) -> list[GoldMessage]:
    corpus = [m for p in paths for m in load_corpus(p)]
    return corpus[:limit] if limit else corpus


def run_worker_process(
    engine: str, paths: Sequence[Path], seconds: float, limit: int | None
) -> dict[str, Any]:
    """Run one engine in a fresh interpreter pinned to one CPU; returns its JSON report."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", engine]
    cmd += ["--seconds", str(seconds)]
    if limit:
        cmd += ["--limit", str(limit)]
    for p in paths:
        cmd += ["--corpus", str(p)]
    if hasattr(os, "sched_getaffinity"):
        cpu = sorted(os.sched_getaffinity(0))[-1]
        cmd = ["taskset", "-c", str(cpu), *cmd] if _has_taskset() else cmd
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _has_taskset() -> bool:
    from shutil import which

    return which("taskset") is not None


# -- the side-by-side table -------------------------------------------------------------------


def _f(x: float) -> str:
    return f"{x:.3f}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b else "–"


def render(reports: dict[str, dict[str, Any]], corpus_note: str) -> str:
    """Markdown comparison: headline, per-category, per-entity, speed and resources."""
    d, p = reports["dlpbot"], reports["presidio"]
    de, pe = d["evaluation"], p["evaluation"]
    lines = [
        f"Corpus: {corpus_note}. Same scoring for both (detectors/evaluate.py); "
        "Presidio configuration in `bench/presidio_setup.py`.",
        "",
        "| metric | dlpbot | Presidio (TW-configured) |",
        "|---|---:|---:|",
        f"| category macro-F1 | {_f(de['category_macro_f1'])} | {_f(pe['category_macro_f1'])} |",
        f"| structured-entity F1 | {_f(de['structured_entity_f1'])} "
        f"| {_f(pe['structured_entity_f1'])} |",
        f"| PERSON F1 | {_f(de['person_f1'])} | {_f(pe['person_f1'])} |",
        f"| benign false alarms | {de['benign_false_alarm_rate']:.1%} "
        f"| {pe['benign_false_alarm_rate']:.1%} |",
        "",
        "| category (P / R / F1) | dlpbot | Presidio |",
        "|---|---|---|",
    ]

    def prf(c: dict[str, Any]) -> str:
        return f"{c['precision']:.2f} / {c['recall']:.2f} / {c['f1']:.2f}"

    for cat in CATEGORIES:
        lines.append(f"| {cat} | {prf(de['per_category'][cat])} | {prf(pe['per_category'][cat])} |")
    lines += ["", "| entity (P / R / F1) | support | dlpbot | Presidio |", "|---|---:|---|---|"]
    for et in ENTITY_TYPES:
        dc, pc = de["per_entity"][et], pe["per_entity"][et]
        support = dc["tp"] + dc["fn"]
        if support or dc["fp"] or pc["fp"]:
            lines.append(f"| {et} | {support} | {prf(dc)} | {prf(pc)} |")
    lines += [
        "",
        "| speed & resources (one process, one core, after warm-up) | dlpbot | Presidio "
        "| dlpbot ÷ Presidio |",
        "|---|---:|---:|---:|",
        f"| throughput (msg/s) | {d['throughput_msg_s']:,} | {p['throughput_msg_s']:,} "
        f"| {_ratio(d['throughput_msg_s'], p['throughput_msg_s'])} |",
        f"| throughput, benign messages only (msg/s) | {d['benign_throughput_msg_s']:,} "
        f"| {p['benign_throughput_msg_s']:,} "
        f"| {_ratio(d['benign_throughput_msg_s'], p['benign_throughput_msg_s'])} |",
        f"| latency p50 (ms) | {d['p50_ms']} | {p['p50_ms']} "
        f"| {_ratio(d['p50_ms'], p['p50_ms'])} |",
        f"| latency p99 (ms) | {d['p99_ms']} | {p['p99_ms']} "
        f"| {_ratio(d['p99_ms'], p['p99_ms'])} |",
        f"| start-up incl. first pass (s) | {d['startup_s']} | {p['startup_s']} "
        f"| {_ratio(d['startup_s'], p['startup_s'])} |",
        f"| peak RSS (MB) | {d['peak_rss_mb']} | {p['peak_rss_mb']} "
        f"| {_ratio(d['peak_rss_mb'], p['peak_rss_mb'])} |",
    ]
    return "\n".join(lines)


def write_readme(section: str, readme: Path = README) -> None:
    """Replace the marked section (appending the markers first if README lacks them)."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    if START_MARK not in text or END_MARK not in text:
        text = text.rstrip("\n") + f"\n\n{START_MARK}\n{END_MARK}\n"
    head, _, rest = text.partition(START_MARK)
    _, _, tail = rest.partition(END_MARK)
    readme.write_text(f"{head}{START_MARK}\n{section}\n{END_MARK}{tail}", encoding="utf-8")


def media_corpus(labels: Path, out: Path) -> tuple[int, float]:
    """Extract (OCR) the text of every labelled media file once, into a gold JSONL at `out`.

    The gold labels stay those of the file; only `text` becomes what extraction read, so both
    engines are scored on the same OCR output and OCR time is kept out of their figures.
    Returns (files, extraction seconds).
    """
    from detectors.media import MediaLimits, extract

    limits = MediaLimits()
    total = 0.0
    rows = []
    with labels.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            name = rec.get("image") or rec.get("file")
            data = (labels.parent / name).read_bytes()
            t = time.perf_counter()
            text = extract(data, name, limits).text
            total += time.perf_counter() - t
            rows.append(
                {
                    "id": rec["id"],
                    "text": text,
                    "categories": rec.get("categories", []),
                    "entities": rec.get("entities", []),
                }
            )
    out.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return len(rows), total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", help="gold JSONL (repeatable)")
    parser.add_argument("--seconds", type=float, default=3.0, help="timing budget per engine")
    parser.add_argument("--limit", type=int, help="only the first N messages")
    parser.add_argument("--json", action="store_true", help="print JSON instead of markdown")
    parser.add_argument("--write-readme", action="store_true", help="update README.md section")
    parser.add_argument(
        "--media", action="store_true", help="also compare on text extracted from tests/media"
    )
    parser.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    paths = args.corpus or [p for p in DEFAULT_CORPORA if p.exists()]
    if args.worker:
        corpus = _load(paths, args.limit)
        print(json.dumps(run_engine(args.worker, corpus, args.seconds)))
        return 0
    reports = {e: run_worker_process(e, paths, args.seconds, args.limit) for e in ENGINES}
    n = reports["dlpbot"]["evaluation"]["messages"]
    benign = reports["dlpbot"]["evaluation"]["benign"]
    note = f"{n} messages ({benign} benign) from " + ", ".join(
        str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in paths
    )
    note += f"; measured {time.strftime('%Y-%m-%d', time.gmtime())}"
    if hasattr(os, "getloadavg"):
        # Speed figures are only comparable with each other when the machine was busy.
        note += f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    results = ROOT / "bench/results"
    results.mkdir(parents=True, exist_ok=True)
    payload = {"corpus": note, "engines": reports}
    (results / "compare_presidio.json").write_text(
        json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    table = render(reports, note)
    if not args.corpus and VALIDATION.exists():
        val_reports = {e: run_worker_process(e, [VALIDATION], args.seconds, None) for e in ENGINES}
        vn = val_reports["dlpbot"]["evaluation"]
        val_note = (
            f"tests/corpus/validation.jsonl, {vn['messages']} messages ({vn['benign']} benign) "
            "written last by an author who saw neither engine's rules; dlpbot was never tuned "
            "on it, so these are the figures to expect on new text"
        )
        payload["validation"] = {"corpus": val_note, "engines": val_reports}
        table += "\n\n**Same comparison on the validation set.** " + render(val_reports, val_note)
    if args.media and MEDIA_LABELS.exists():
        extracted = results / "media_extracted.jsonl"  # sensitive-looking text: not committed
        files, ocr_s = media_corpus(MEDIA_LABELS, extracted)
        media_reports = {e: run_worker_process(e, [extracted], args.seconds, None) for e in ENGINES}
        extracted.unlink()
        media_note = (
            f"text extracted from the {files} labelled files of tests/media (images via OCR, "
            f"documents via their parsers; extraction took {ocr_s:.1f} s in total, "
            "excluded from the figures below)"
        )
        payload["media"] = {"corpus": media_note, "extraction_s": ocr_s, "engines": media_reports}
        table += "\n\n**Same comparison over media.** " + render(media_reports, media_note)
        (results / "compare_presidio.json").write_text(
            json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    print(json.dumps(payload, indent=2, ensure_ascii=False) if args.json else table)
    if args.write_readme:
        write_readme(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
