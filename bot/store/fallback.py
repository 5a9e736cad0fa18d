"""The append-only fallback file: incidents the database could not take (disk full, read-only
file system, locked), kept until the store works again and then imported exactly once.

Why a second file at all: the order "record, then delete" must not turn into "lose the record,
and leave the leak visible" when SQLite refuses a write. The bot still deletes and alerts from
memory, and writes here what it would have written to the database — in the same protected
form: findings masked and keyed-hashed, the original text only AES-GCM-encrypted (bound to
this record's key; not kept at all without a content key), the evidence image already redacted.
Nothing in this file is message content in the clear.

Format: JSON lines, one object per line, fsync'ed, file mode 0600. `{"op": "incident", "key",
"fields", "findings", "content_enc", "evidence_png"}` opens a record; `{"op": "update", "key",
"values"}` lines change its columns afterwards (what was deleted, who was warned, the alert).
A torn last line (a crash mid-write) is ignored on reading.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.store.crypto import ContentCipher, ValueHasher

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


def content_aad(key: str) -> str:
    return f"fallback:{key}"


@dataclass(slots=True)
class FallbackRecord:
    key: str
    fields: dict[str, Any]
    findings: list[dict[str, Any]]
    content_enc: bytes | None
    evidence_png: bytes | None
    updates: dict[str, Any] = field(default_factory=dict)


def _b64(data: bytes | None) -> str | None:
    return base64.b64encode(data).decode("ascii") if data is not None else None


def _unb64(text: str | None) -> bytes | None:
    return base64.b64decode(text) if text else None


class FallbackLog:
    def __init__(
        self, path: str | Path, hasher: ValueHasher, cipher: ContentCipher | None
    ) -> None:
        self.path = Path(path)
        self.hasher = hasher
        self.cipher = cipher

    # -- writing ------------------------------------------------------------------------------

    def _append(self, obj: dict[str, Any]) -> bool:
        line = json.dumps({"v": FORMAT_VERSION, **obj}, ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            log.error("fallback file %s not writable: %s", self.path, type(exc).__name__)
            return False
        return True

    def write_incident(
        self,
        key: str,
        fields: dict[str, Any],
        findings: list[Any],
        content: str | None,
        evidence_png: bytes | None,
    ) -> bool:
        """`findings` are `FindingRecord`s: only their masked form and HMAC are written."""
        rows = []
        for rec in findings:
            f = rec.finding
            digest = rec.value_hmac or (self.hasher.digest(rec.value) if rec.value else None)
            rows.append(
                {
                    "type": f.type,
                    "category": f.category,
                    "detector": f.detector,
                    "score": round(f.score, 3),
                    "masked": f.masked,
                    "value_hmac": digest,
                    "start": f.start,
                    "end": f.end,
                    "bbox": list(f.bbox) if f.bbox else None,
                }
            )
        blob = (
            self.cipher.encrypt(content, aad=content_aad(key))
            if content is not None and self.cipher is not None
            else None
        )
        safe = {k: v for k, v in fields.items() if k not in ("evidence_png", "content_enc")}
        return self._append(
            {
                "op": "incident",
                "key": key,
                "fields": safe,
                "findings": rows,
                "content_enc": _b64(blob),
                "evidence_png": _b64(evidence_png),
            }
        )

    def write_update(self, key: str, **values: Any) -> bool:
        return self._append({"op": "update", "key": key, "values": values})

    # -- reading ------------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.path.exists() and self.path.stat().st_size > 0

    def read(self) -> list[FallbackRecord]:
        """Records in the order they were opened, their updates applied."""
        if not self.path.exists():
            return []
        records: dict[str, FallbackRecord] = {}
        with self.path.open("rb") as fh:
            for n, raw in enumerate(fh, start=1):
                try:
                    obj = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    log.warning("fallback file line %d unreadable (torn write?): skipped", n)
                    continue
                key = str(obj.get("key") or "")
                if obj.get("op") == "incident" and key:
                    records[key] = FallbackRecord(
                        key=key,
                        fields=dict(obj.get("fields") or {}),
                        findings=list(obj.get("findings") or []),
                        content_enc=_unb64(obj.get("content_enc")),
                        evidence_png=_unb64(obj.get("evidence_png")),
                    )
                elif obj.get("op") == "update" and key in records:
                    records[key].updates.update(obj.get("values") or {})
        return list(records.values())

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
