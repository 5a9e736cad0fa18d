"""Masked renderings of matched values, safe to show in warnings and to store.

The rule: keep just enough to let a person recognise which value was meant (the first and last
characters of an identifier, the surname of a name, the city of an address) and never enough
to reconstruct it.
"""

from __future__ import annotations

import re

_SEP = re.compile(r"[\s\-.()/]")


def compact(value: str) -> str:
    """The value without separators, upper-cased: the canonical form for hashing and allow-lists."""
    return _SEP.sub("", value).upper()


def mask_identifier(value: str, keep_head: int = 2, keep_tail: int = 2) -> str:
    """``A123456789`` → ``A1******89``; short values keep less so most is always hidden."""
    v = compact(value)
    n = len(v)
    if n <= 4:
        return v[:1] + "*" * (n - 1)
    if n <= 8:
        keep_head, keep_tail = 1, 1
    return v[:keep_head] + "*" * (n - keep_head - keep_tail) + v[n - keep_tail :]


def mask_person(value: str) -> str:
    """``王小明`` → ``王*明``; ``王先生`` stays (already anonymous).

    Latin ``John Smith`` → ``J*** S****``.
    """
    v = value.strip()
    if re.fullmatch(r"[A-Za-z][A-Za-z .'\-]*", v):
        return " ".join(w[:1] + "*" * (len(w) - 1) for w in v.split())
    if v.endswith(("先生", "小姐", "女士")):
        return v
    if len(v) <= 2:
        return v[:1] + "*"
    return v[:1] + "*" * (len(v) - 2) + v[-1]


def mask_email(value: str) -> str:
    """``wang.xm@mail.gov.tw`` → ``w******@mail.gov.tw``: the domain says which agency, not who."""
    local, _, domain = value.partition("@")
    return (local[:1] + "*" * max(len(local) - 1, 1)) + "@" + domain


def mask_address(value: str) -> str:
    """Keep the administrative area (city/county and district), hide the rest."""
    v = value.strip()
    m = re.match(r"^(.{2,3}?[市縣])?(.{1,4}?[區鄉鎮市])?", v)
    head = "".join(g for g in (m.groups() if m else ()) if g)
    if not head:
        head = v[:3]
    return head + "*" * max(len(v) - len(head), 3)


def mask_secret(value: str) -> str:
    """Passwords, PINs and tokens: nothing of the value, only a fixed mask."""
    return "********"


def mask_value(entity_type: str, value: str) -> str:
    """Dispatch on the entity type; unknown types are fully masked."""
    if entity_type == "PERSON":
        return mask_person(value)
    if entity_type == "EMAIL":
        return mask_email(value)
    if entity_type == "ADDRESS":
        return mask_address(value)
    if entity_type in ("CREDENTIAL", "CREDENTIAL_SECRET"):
        return mask_secret(value)
    if entity_type == "BIRTHDATE":
        return mask_identifier(value, keep_head=0, keep_tail=0) if len(value) < 6 else (
            re.sub(r"\d", "*", value)
        )
    if entity_type == "PHONE":
        return mask_identifier(value, keep_head=4, keep_tail=2) if len(compact(value)) > 8 else (
            mask_identifier(value)
        )
    return mask_identifier(value)
