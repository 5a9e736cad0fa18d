"""Allow-list additions made by reviewers from an incident, applied without a restart.

A reviewer who marks a finding as a false positive can declare its value public (an agency's
published number or address) or add a keyword exception. The entry is stored in `allow_list`,
audited, and the running scanner is rebuilt with the extended configuration — rebuilding rather
than mutating keeps the scanner immutable and therefore safe for concurrent scans.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from bot.review import audit as A
from bot.review.service import Actor, ReviewError, ReviewService
from bot.timeutil import now_iso
from detectors.config import DetectorConfig
from detectors.masking import compact
from detectors.scanner import Scanner

KINDS: dict[str, str] = {
    "number": "public_number",
    "public_number": "public_number",
    "address": "agency_address",
    "agency_address": "agency_address",
    "keyword": "keyword_exception",
    "kw": "keyword_exception",
    "keyword_exception": "keyword_exception",
}


@dataclass(frozen=True, slots=True)
class AllowEntry:
    kind: str
    value: str
    lexicon: str | None


def load_entries(conn: sqlite3.Connection) -> list[AllowEntry]:
    return [
        AllowEntry(r[0], r[1], r[2])
        for r in conn.execute("SELECT kind, value, lexicon FROM allow_list ORDER BY id")
    ]


def merged_config(
    base: DetectorConfig, entries: list[AllowEntry], lexicons: list[str]
) -> DetectorConfig:
    """`base` plus the stored entries. Keyword exceptions without a lexicon apply to `lexicons`
    (every lexicon the rules use), because the reviewer thinks in words, not file names."""
    allow = list(base.allow_list)
    exceptions = {k: list(v) for k, v in base.keyword_exceptions.items()}
    for e in entries:
        if e.kind in ("public_number", "agency_address"):
            if e.value not in allow:
                allow.append(e.value)
        else:
            for lex in [e.lexicon] if e.lexicon else lexicons:
                words = exceptions.setdefault(lex, [])
                if e.value not in words:
                    words.append(e.value)
    return dataclasses.replace(base, allow_list=allow, keyword_exceptions=exceptions)


def rule_lexicons(scanner: Scanner) -> list[str]:
    names: list[str] = []
    for rule in scanner.rules:
        for name in getattr(rule, "lexicons", ()):
            if name not in names:
                names.append(name)
    return names


class AllowListManager:
    """Owns the path from a reviewer's decision to the scanner the bot uses.

    `get_scanner`/`set_scanner` access wherever the running bot keeps its scanner, so this works
    whatever object the bot core uses as its context.
    """

    def __init__(
        self,
        service: ReviewService,
        base_config: DetectorConfig,
        get_scanner: Callable[[], Scanner | None],
        set_scanner: Callable[[Scanner], None],
    ) -> None:
        self.service = service
        self.base_config = base_config
        self.get_scanner = get_scanner
        self.set_scanner = set_scanner

    def value_from_finding(self, incident_id: int, finding_no: int) -> str:
        """The exact value of the N-th finding (1-based, as /incident lists them), read from the
        decrypted original; it is stored only because the reviewer declares it public."""
        detail = self.service.detail(incident_id)
        if not 1 <= finding_no <= len(detail.findings):
            raise ReviewError("no_finding", n=finding_no)
        f = detail.findings[finding_no - 1]
        text = self.service.content(incident_id)
        return text[int(f["start"]) : int(f["end"])]

    def add(
        self,
        incident_id: int,
        kind: str,
        actor: Actor,
        *,
        finding_no: int | None = None,
        word: str | None = None,
        lexicon: str | None = None,
        apply: bool = True,
    ) -> AllowEntry:
        """Store and audit one entry; with `apply` also rebuild the running scanner (callers on
        an event loop pass False and run `build` in a worker thread, then `set_scanner`)."""
        kind = KINDS.get(kind.lower(), "")
        if not kind:
            raise ReviewError("bad_allow_kind")
        self.service.detail(incident_id)
        if kind == "keyword_exception":
            if not word or not word.strip():
                raise ReviewError("allow_needs_word")
            value = word.strip()
        else:
            if finding_no is None:
                raise ReviewError("allow_needs_finding")
            value = self.value_from_finding(incident_id, finding_no)
            value = compact(value) if kind == "public_number" else value.strip()
        self.service.conn.execute(
            "INSERT OR IGNORE INTO allow_list (kind, value, lexicon, incident_id, added_by,"
            " added_at) VALUES (?, ?, ?, ?, ?, ?)",
            (kind, value, lexicon, incident_id, actor.id, now_iso()),
        )
        self.service.conn.commit()
        # The value is public by the reviewer's declaration; the log keeps only its kind and
        # length so that a mistaken declaration does not leak into the audit trail.
        self.service.audit.record(
            A.ALLOW_LIST,
            actor_id=actor.id,
            actor_name=actor.name,
            target=f"incident:{incident_id}",
            kind=kind,
            lexicon=lexicon,
            length=len(value),
        )
        if apply:
            self.reload()
        return AllowEntry(kind, value, lexicon)

    def entries(self) -> list[AllowEntry]:
        """Every stored entry (read on the thread that owns the database connection)."""
        return load_entries(self.service.conn)

    def build(self, entries: list[AllowEntry]) -> Scanner:
        """A new scanner from the base config plus `entries`. Touches no database, so it may run
        in a worker thread: loading lexicons takes about a second."""
        current = self.get_scanner()
        lexicons = rule_lexicons(current) if current is not None else []
        scanner = Scanner(merged_config(self.base_config, entries, lexicons))
        if not lexicons:
            scanner = Scanner(merged_config(self.base_config, entries, rule_lexicons(scanner)))
        return scanner

    def reload(self) -> Scanner:
        """Rebuild the scanner from the base config plus every stored entry and install it."""
        scanner = self.build(self.entries())
        self.set_scanner(scanner)
        return scanner
