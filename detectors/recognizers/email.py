"""E-mail addresses (a contact detail: personal data together with a name).

The pattern only starts at a token boundary (the look-behind), so a long run of address-like
characters is tried once rather than from every position: linear time on adversarial input.
Shared desk mailboxes (``service@``, ``report@``, ``data/email_role_accounts.txt``) are a
service's public contact, not a person's, and are not reported.
"""

from __future__ import annotations

import re

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import ContextSpec, Match, TextView
from detectors.types import EMAIL

_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+)*"
# A DNS label is at most 63 characters; the bounded inner repeat keeps backtracking bounded.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,24}}"
_PATTERN = re.compile(
    rf"(?<![A-Za-z0-9!#$%&'*+/=?^_`{{|}}~.\-]){_LOCAL}@{_DOMAIN}(?![A-Za-z0-9\-]|\.[A-Za-z0-9])"
)

# What may follow a role name in a shared mailbox: service2, service-tw, report_ntpc.
_ROLE_SUFFIX = re.compile(r"(?:[0-9]+|[-_.][a-z0-9]+)$")


class EmailRecognizer:
    """Finds e-mail addresses; the value keeps the address as written (case included)."""

    name = "email"
    entity_types = (EMAIL,)
    context: ContextSpec | None = None

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self.config = config
        self.role_accounts = frozenset(w.lower() for w in lexicons.words("email_role_accounts"))

    def is_role_account(self, address: str) -> bool:
        """service@…, report@…, info2@…, service-tw@…: a shared desk mailbox, not a person."""
        local = address.partition("@")[0].lower()
        base = _ROLE_SUFFIX.sub("", local)
        return local in self.role_accounts or base in self.role_accounts

    def analyze(self, view: TextView) -> list[Match]:
        text = view.text
        if "@" not in text:
            return []
        return [
            Match(
                type=EMAIL,
                start=m.start(),
                end=m.end(),
                score=0.85,
                detector=self.name,
                reason="電子郵件地址格式 (e-mail address)",
                value=m.group(0),
            )
            for m in _PATTERN.finditer(text)
            if not self.is_role_account(m.group(0))
        ]
