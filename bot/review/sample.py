"""Deterministic sample incidents for the console demo, screenshots and tests.

Built through the real `Store` (encryption, HMAC, cascade rules) so everything downstream sees
exactly what the bot would write. All identifiers are fictitious test values.
"""

from __future__ import annotations

import random

from bot.store import FindingRecord, Store
from detectors.masking import mask_value
from detectors.types import Finding

UNITS: tuple[tuple[int, str], ...] = (
    (-1001000000001, "臺北市政府警察局刑事大隊"),
    (-1001000000002, "法務部調查局北部機動站"),
    (-1001000000003, "新北市政府採購處"),
    (-1001000000004, "衛生福利部疾病管制署"),
)

# (category list, text, [(entity type, value, category)])
TEMPLATES: tuple[tuple[list[str], str, list[tuple[str, str, str]]], ...] = (
    (
        ["personal_data"],
        "請協助查詢 王大明 A123456789 的戶籍資料",
        [
            ("PERSON", "王大明", "personal_data"),
            ("TW_NATIONAL_ID", "A123456789", "personal_data"),
        ],
    ),
    (
        ["whistleblower", "personal_data"],
        "檢舉人 陳美玲 電話 0912345678，請勿外洩",
        [
            ("PERSON", "陳美玲", "personal_data"),
            ("PHONE", "0912345678", "personal_data"),
            ("WHISTLEBLOWER_ROLE", "檢舉人", "whistleblower"),
        ],
    ),
    (
        ["raid"],
        "明天 06:00 搜索 中山路 據點，集合地點分局",
        [
            ("RAID_PLAN", "搜索", "raid"),
        ],
    ),
    (
        ["procurement"],
        "這次標案底價 1,234 萬，廠商名單先別傳出去",
        [
            ("PROCUREMENT_SECRET", "底價", "procurement"),
        ],
    ),
    (
        ["credentials"],
        "公文系統帳號 admin 密碼 Hunter2!",
        [
            ("CREDENTIAL_SECRET", "Hunter2!", "credentials"),
        ],
    ),
    (
        ["classified"],
        "【密】本案偵查計畫請勿轉傳",
        [
            ("CLASSIFIED_MARKING", "【密】", "classified"),
        ],
    ),
)


def seed(store: Store, month: str = "2026-11", count: int = 24, seed_value: int = 5) -> list[int]:
    """Insert `count` incidents spread over `month`; returns their ids."""
    rng = random.Random(seed_value)
    ids: list[int] = []
    for i in range(count):
        chat_id, title = UNITS[i % len(UNITS)]
        cats, text, ents = TEMPLATES[rng.randrange(len(TEMPLATES))]
        day = 1 + (i * 7 + rng.randrange(3)) % 28
        sent_at = f"{month}-{day:02d}T{9 + i % 8:02d}:{(i * 13) % 60:02d}:00+08:00"
        records = []
        for kind, value, cat in ents:
            start = text.index(value)
            finding = Finding(
                type=kind,
                category=cat,
                start=start,
                end=start + len(value),
                score=0.9,
                detector=f"sample_{kind.lower()}",
                reason="sample",
                masked=mask_value(kind, value),
            )
            records.append(FindingRecord(finding, value))
        severity = "high" if cats[0] != "classified" else "medium"
        incident_id = store.add_incident(
            {
                "chat_id": chat_id,
                "chat_title": title,
                "message_id": 1000 + i,
                "sender_id": 7000 + i % 5,
                "sender_name": ("林志明", "張雅婷", "李建國", "黃淑芬", "吳家豪")[i % 5],
                "sent_at": sent_at,
                "kind": "text",
                "categories": cats,
                "severity": severity,
                "severity_level": 3 if severity == "high" else 2,
                "recommended_action": "delete" if severity == "high" else "warn",
                "policy_mode": "enforce",
                "action_taken": "deleted" if severity == "high" else "warned",
            },
            records,
            content=text,
        )
        ids.append(incident_id)
    return ids
