"""Cost of the CKIP NER backend: latency and throughput with and without the gate.

    python bench/bench_ner.py [--single 100] [--ungated 120] [--batch-size 32]

Why a randomly initialised model: the published ckiplab/bert-base-chinese-ner cannot be
downloaded here, and inference cost depends only on the shape, not on the weights. The script
builds (once, cached in --model-dir) a `BertForTokenClassification` of exactly CKIP's shape —
12 layers, hidden 768, 12 heads, intermediate 3072, 512 positions, vocabulary 21128 — with
CKIP's BIOES label set, and loads it through the production path (`CkipNerChunker`). Its
predictions are noise, so this measures speed and the gate's reach, never accuracy.

Measured on tests/corpus/messages.jsonl (every message):
- the fraction of messages the gate lets through to the model;
- per-message latency of `Scanner.scan` (first --single messages): no NER, NER gated,
  NER on every message (gate off);
- throughput of `Scanner.scan_many` in batches of --batch-size: gated over the whole corpus,
  ungated over the first --ungated messages (it is the slow case).

The machine is shared, so the report records the load average next to the figures. Results go
to bench/results/ner.json and a table is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

CORPUS = ROOT / "tests/corpus/messages.jsonl"
RESULTS = ROOT / "bench/results"
DEFAULT_MODEL_DIR = Path(os.environ.get("TMPDIR", "/tmp")) / "dlpbot-bench-bert-base-ner"
BERT_BASE = {"layers": 12, "hidden": 768, "heads": 12, "intermediate": 3072, "positions": 512}
VOCAB_SIZE = 21128  # bert-base-chinese
SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def load_texts(benign_only: bool = False) -> list[str]:
    with CORPUS.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [r["text"] for r in rows if not (benign_only and r["categories"])]


def _vocabulary(texts: list[str]) -> list[str]:
    """21128 tokens: specials, the corpus's characters (so they get real ids, as in
    bert-base-chinese), then CJK ideographs in code-point order as filler."""
    seen = dict.fromkeys(SPECIAL)
    for text in texts:
        seen.update(dict.fromkeys(c for c in text.lower() if c.strip()))
    code = 0x4E00
    while len(seen) < VOCAB_SIZE:
        seen.setdefault(chr(code))
        code += 1
    return list(seen)[:VOCAB_SIZE]


def build_model(directory: Path, texts: list[str]) -> Path:
    """Write a randomly initialised bert-base-shaped CKIP NER model (skipped when present)."""
    if (directory / "config.json").is_file():
        return directory
    import torch
    from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

    from detectors.ner.types import ONTONOTES_TYPES

    labels = ["O", *(f"{p}-{t}" for p in "BIES" for t in ONTONOTES_TYPES)]
    torch.manual_seed(0)
    vocab = _vocabulary(texts)
    tokenizer = BertTokenizerFast(
        vocab={t: i for i, t in enumerate(vocab)},
        model_max_length=BERT_BASE["positions"],
    )
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=BERT_BASE["hidden"],
        num_hidden_layers=BERT_BASE["layers"],
        num_attention_heads=BERT_BASE["heads"],
        intermediate_size=BERT_BASE["intermediate"],
        max_position_embeddings=BERT_BASE["positions"],
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    directory.mkdir(parents=True, exist_ok=True)
    BertForTokenClassification(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _latency(scanner: Any, texts: list[str]) -> dict[str, float]:
    """Per-message `scan` latency in milliseconds."""
    times = []
    cpu_started = time.process_time()
    for text in texts:
        started = time.perf_counter()
        scanner.scan(text)
        times.append((time.perf_counter() - started) * 1000)
    cpu_ms = (time.process_time() - cpu_started) * 1000
    return {
        "messages": len(texts),
        # CPU time of this process (all its threads): less disturbed by other load than wall.
        "cpu_ms_per_msg": round(cpu_ms / len(texts), 2),
        "mean_ms": round(statistics.fmean(times), 2),
        "p50_ms": round(_percentile(times, 0.50), 2),
        "p95_ms": round(_percentile(times, 0.95), 2),
        "max_ms": round(max(times), 2),
    }


def _throughput(scanner: Any, texts: list[str], batch_size: int) -> dict[str, float]:
    """`scan_many` over `texts` in batches: messages per second and mean ms per message."""
    started = time.perf_counter()
    cpu_started = time.process_time()
    for i in range(0, len(texts), batch_size):
        scanner.scan_many(texts[i : i + batch_size])
    seconds = time.perf_counter() - started
    cpu_ms = (time.process_time() - cpu_started) * 1000
    return {
        "cpu_ms_per_msg": round(cpu_ms / len(texts), 2),
        "messages": len(texts),
        "batch_size": batch_size,
        "seconds": round(seconds, 2),
        "msg_per_s": round(len(texts) / seconds, 2),
        "ms_per_msg": round(seconds * 1000 / len(texts), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--single", type=int, default=100, help="messages timed one by one")
    parser.add_argument("--ungated", type=int, default=120, help="messages for gate-off runs")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--out", type=Path, default=RESULTS / "ner.json", help="JSON report")
    parser.add_argument("--json", action="store_true", help="print the JSON instead of a table")
    args = parser.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)

    import psutil

    from detectors.config import DetectorConfig, NerConfig
    from detectors.ner import NerStage, NerStats
    from detectors.scanner import Scanner

    texts = load_texts()
    started = time.perf_counter()
    model_dir = build_model(args.model_dir, texts)
    build_s = time.perf_counter() - started

    def ner_scanner(gate: bool) -> Scanner:
        cfg = NerConfig(backend="ckip", model=str(model_dir), gate=gate, batch_size=args.batch_size)
        return Scanner.from_config(DetectorConfig(ner=cfg))

    plain = Scanner.from_config(DetectorConfig())
    gated = ner_scanner(gate=True)
    started = time.perf_counter()
    gated.ner.backend.load()
    load_s = time.perf_counter() - started
    # Gate off: a second stage over the same loaded backend (one model in memory, not two).
    ungated = Scanner.from_config(DetectorConfig())
    ungated.ner = NerStage(replace(gated.ner.config, gate=False), gated.ner.backend)

    # Warm-up (lazy lexicons, spaCy, first torch call), not timed.
    for scanner in (plain, gated, ungated):
        scanner.scan_many(texts[:8])
        if scanner.ner is not None:
            scanner.ner.stats = NerStats()

    single = texts[: args.single]
    sample = texts[: args.ungated]
    latency = {
        "no_ner": _latency(plain, single),
        "ner_gated": _latency(gated, single),
        "ner_every_message": _latency(ungated, single),
    }
    gated.ner.stats = NerStats()
    throughput = {
        "no_ner": _throughput(plain, texts, args.batch_size),
        "ner_gated": _throughput(gated, texts, args.batch_size),
        "ner_every_message": _throughput(ungated, sample, args.batch_size),
    }
    stats = gated.ner.stats
    # Ordinary chat: how often the gate sends a benign message (most of a group's traffic).
    benign = load_texts(benign_only=True)
    gated.ner.stats = NerStats()
    benign_throughput = _throughput(gated, benign, args.batch_size)
    benign_stats = gated.ner.stats
    report = {
        "model": "random bert-base shape (12 layers, 768 hidden, vocab 21128), CKIP labels",
        "corpus": str(CORPUS.relative_to(ROOT)),
        "messages": len(texts),
        "mean_chars": round(statistics.fmean(len(t) for t in texts), 1),
        "gate": {
            "reached_ner": stats.gated_in,
            "fraction_reaching_ner": round(stats.gated_in / max(1, stats.texts), 3),
            "ner_only_names_added": stats.person_added,
            "benign_messages": len(benign),
            "benign_reached_ner": benign_stats.gated_in,
            "benign_fraction_reaching_ner": round(
                benign_stats.gated_in / max(1, benign_stats.texts), 3
            ),
            "benign_throughput_gated": benign_throughput,
        },
        "latency_single_scan": latency,
        "throughput_scan_many": throughput,
        "model_build_s": round(build_s, 1),
        "model_load_s": round(load_s, 1),
        "rss_mib": round(psutil.Process().memory_info().rss / 2**20),
        "torch_threads": _torch_threads(),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _print_table(report)
    return 0


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def _print_table(report: dict[str, Any]) -> None:
    gate = report["gate"]
    print(
        f"{report['messages']} messages (mean {report['mean_chars']} chars); gate lets "
        f"{gate['reached_ner']} reach NER ({gate['fraction_reaching_ner']:.1%}); model load "
        f"{report['model_load_s']} s; RSS {report['rss_mib']} MiB; load avg "
        f"{report['load_average_1m']} on {report['cpus']} CPUs"
    )
    print(
        f"benign messages only: {gate['benign_reached_ner']} of {gate['benign_messages']} reach "
        f"NER ({gate['benign_fraction_reaching_ner']:.1%}); gated scan_many "
        f"{gate['benign_throughput_gated']['msg_per_s']:.1f} msg/s"
    )
    print(
        f"latency over the first {report['latency_single_scan']['no_ner']['messages']} messages;"
        f" gate-off throughput over the first "
        f"{report['throughput_scan_many']['ner_every_message']['messages']}"
    )
    head = ("configuration", "scan mean", "p50", "p95", "cpu/msg", "scan_many", "cpu/msg")
    print("{:<19}{:>11}{:>11}{:>11}{:>11}{:>13}{:>11}".format(*head))
    for name in ("no_ner", "ner_gated", "ner_every_message"):
        lat = report["latency_single_scan"][name]
        thr = report["throughput_scan_many"][name]
        cells = (
            f"{lat['mean_ms']:.1f} ms",
            f"{lat['p50_ms']:.1f} ms",
            f"{lat['p95_ms']:.1f} ms",
            f"{lat['cpu_ms_per_msg']:.1f} ms",
            f"{thr['msg_per_s']:.1f} msg/s",
            f"{thr['cpu_ms_per_msg']:.1f} ms",
        )
        print("{:<19}{:>11}{:>11}{:>11}{:>11}{:>13}{:>11}".format(name, *cells))


if __name__ == "__main__":
    sys.exit(main())
