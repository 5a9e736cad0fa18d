"""`dlpbot eval CORPUS.jsonl… [--errors] [--json] [--reveal] [--check] [--config FILE]`.

Prints precision/recall/F1 per category and per entity type for each labelled corpus. Errors
list message ids and masked values only; `--reveal` is needed to print raw text, because even
the test corpus looks exactly like the data this tool exists to protect.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("corpus", nargs="+", help="labelled JSONL file(s)")
    parser.add_argument("--errors", action="store_true", help="list misclassified message ids")
    parser.add_argument("--json", action="store_true", help="machine-readable JSON output")
    parser.add_argument(
        "--reveal", action="store_true", help="show raw text and values in the error list"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a headline figure misses its target"
    )
    parser.add_argument("--config", help="config.toml whose [detectors] section to use")


def run(args: argparse.Namespace) -> int:
    from detectors.evaluate import CorpusError, evaluate, format_report, load_corpus
    from detectors.scanner import Scanner

    try:
        scanner = Scanner.from_config(args.config) if args.config else Scanner()
    except (OSError, ValueError) as exc:
        print(f"dlpbot eval: 設定錯誤 (config error): {exc}", file=sys.stderr)
        return 2
    reports = {}
    for path in args.corpus:
        try:
            corpus = load_corpus(path)
        except (OSError, CorpusError) as exc:
            print(f"dlpbot eval: 無法讀取語料 (cannot read corpus): {exc}", file=sys.stderr)
            return 2
        reports[path] = evaluate(corpus, scanner.scan_many)
    if args.json:
        payload = {
            path: ev.to_dict(reveal=args.reveal, errors=args.errors) for path, ev in reports.items()
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for path, ev in reports.items():
            print(format_report(ev, title=path, errors=args.errors, reveal=args.reveal))
            print()
    if args.check and any(ev.failed_targets() for ev in reports.values()):
        return 1
    return 0
