"""Build the gold JSONL corpus from the hand-written annotation sources in `src/`.

Why an authoring format: writing each entity twice (once in the text, once in the entity list)
invites copy mistakes, so the sources mark entities inline and this script derives both the
plain text and the entity list. A record in `src/*.txt` is::

    @pd-0001 pd,wb ; optional note
    身分證«NID:A123456789»，手機«PH:0912-345-678»
    (more lines of the same message)

Records start with ``@id categories``; ``-`` means benign. The text is every following line
up to the next ``@`` record (a literal newline inside a message is just a new line). Inline
marks are ``«CODE:value»``; `value` is kept exactly as written. Files named ``holdout_*`` go to
`holdout.jsonl`, ``validation_*`` to `validation.jsonl` (written last, never tuned on), all
others to `messages.jsonl`.

    python tests/corpus/build_corpus.py          # rewrite the JSONL files
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODES: dict[str, str] = {
    "NID": "TW_NATIONAL_ID",
    "RID": "TW_RESIDENT_ID",
    "PASS": "TW_PASSPORT",
    "NHI": "TW_NHI_CARD",
    "PH": "PHONE",
    "EM": "EMAIL",
    "ADDR": "ADDRESS",
    "PLATE": "LICENSE_PLATE",
    "BANK": "BANK_ACCOUNT",
    "CARD": "CREDIT_CARD",
    "BD": "BIRTHDATE",
    "P": "PERSON",
}
CATS: dict[str, str] = {
    "pd": "personal_data",
    "wb": "whistleblower",
    "raid": "raid",
    "proc": "procurement",
    "cls": "classified",
    "cred": "credentials",
}
_MARK = re.compile(r"«([A-Z]+):([^»]+)»")


def parse_record(header: str, body: str) -> dict[str, object]:
    head, _, note = header.partition(";")
    parts = head.split()
    rec_id, cat_field = parts[0], parts[1] if len(parts) > 1 else "-"
    categories = [] if cat_field == "-" else [CATS[c] for c in cat_field.split(",")]
    entities: list[dict[str, str]] = []

    def plain(m: re.Match[str]) -> str:
        entities.append({"type": CODES[m.group(1)], "value": m.group(2)})
        return m.group(2)

    text = _MARK.sub(plain, body)
    if "«" in text or "»" in text:
        raise ValueError(f"{rec_id}: unbalanced entity mark")
    out: dict[str, object] = {"id": rec_id, "text": text, "categories": categories,
                              "entities": entities}
    if note.strip():
        out["note"] = note.strip()
    return out


def parse_source(path: Path) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    header: str | None = None
    lines: list[str] = []

    def flush() -> None:
        if header is not None:
            body = "\n".join(lines).strip("\n")
            if not body.strip():
                raise ValueError(f"{path.name}: record {header!r} has no text")
            records.append(parse_record(header, body))

    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("@"):
            flush()
            header, lines = raw[1:], []
        elif raw.startswith("//") and header is None:
            continue  # file comment before the first record
        elif header is not None:
            lines.append(raw)
    flush()
    return records


def build() -> dict[str, int]:
    outputs: dict[str, list[dict[str, object]]] = {
        "messages.jsonl": [], "holdout.jsonl": [], "validation.jsonl": []
    }
    for path in sorted((HERE / "src").glob("*.txt")):
        if path.name.startswith("holdout"):
            target = "holdout.jsonl"
        elif path.name.startswith("validation"):
            target = "validation.jsonl"
        else:
            target = "messages.jsonl"
        outputs[target].extend(parse_source(path))
    counts = {}
    for name, rows in outputs.items():
        if not rows:
            continue
        with open(HERE / name, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        counts[name] = len(rows)
    return counts


if __name__ == "__main__":
    print(build())
    sys.exit(0)
