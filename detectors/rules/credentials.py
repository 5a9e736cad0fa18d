"""credentials: passwords, PINs, one-time codes, API keys, tokens and private keys.

Two ways a secret shows up:
- a self-describing format: API keys (sk-…, AKIA…, ghp_…, xoxb-…, AIza…), JSON Web Tokens,
  PEM private keys, connection strings with a password (postgres://user:pass@host);
- a label followed by a value: 密碼 Abc12345!, OTP 774120, 驗證碼是 830 215, pwd=…, WiFi密碼：…,
  and 帳號/密碼 pairs written as "moi_user / M0i!user#7" after a 帳號密碼 label.
The finding's span is the secret itself and it is always fully masked.

Not an incident: talk about passwords with no value ("請重設密碼", "密碼政策", "忘記密碼怎麼辦":
a label followed by Chinese words is not a value), placeholders (********, xxxx, <密碼>), and
training material (benign cues) without a real identifier.
"""

from __future__ import annotations

import re

from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import Match
from detectors.rules.base import RuleInput
from detectors.rules.support import BENIGN_LEXICON, is_benign, rule_match
from detectors.types import CREDENTIALS

LABELS = "credential_labels"
SECRET_TYPE = "CREDENTIAL_SECRET"

_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key", re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----")),
    ("OpenAI-style API key", re.compile(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_\-]{16,}")),
    ("AWS access key", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Z])")),
    ("GitHub token", re.compile(r"(?<![A-Za-z0-9])(?:gh[pousr]_|github_pat_)[A-Za-z0-9_]{20,}")),
    ("Slack token", re.compile(r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9\-]{10,}")),
    ("Google API key", re.compile(r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_\-]{30,}")),
    (
        "JSON Web Token",
        re.compile(r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{8,}"),
    ),
    ("LINE/Telegram bot token", re.compile(r"(?<!\d)\d{8,10}:[A-Za-z0-9_\-]{35}(?![A-Za-z0-9])")),
    (
        "password in a connection string",
        re.compile(
            # The scheme is anchored and bounded: unbounded, "a." * n backtracks quadratically.
            r"(?<![a-z0-9+.\-])[a-z][a-z0-9+.\-]{0,30}://[^\s:/@]{1,200}:([^\s@/]{3,200})@\S+",
            re.IGNORECASE,
        ),
    ),
)
# A label, a link (是, 為, :, =, space) and a value. Longest labels first.
_LABEL = (
    r"(?:wi-?fi\s*密碼|無線(?:網路)?密碼|(?:登入|管理者|管理員|預設|初始|臨時|提款|新)?密碼|帳密"
    r"|通行碼|(?:身分)?驗證碼|認證碼|一次性密碼|動態密碼|金鑰|權杖|私鑰"
    r"|(?<![A-Za-z])(?:OTP|PIN\s*碼?|API[\s_]?KEY|apikey|(?:access|secret|storage)\s?key"
    r"|AccountKey|token|password|passwd|pwd|pass|secret|client_secret)(?![A-Za-z]))"
)
# Between label and value: punctuation, 是/為, or a verb that sets it (改成, 已重設為).
_LINK = (
    r"\s*(?:(?:已經?|已)?(?:改成|改為|設為|設成|重設為|換成|變更為)|是|為|:|：|=|\s+is\s|\s)"
    r"\s*(?:是|為|:|：)?\s*"
)
# The value: a run of printable ASCII; digits may be grouped by single spaces (830 215).
_VALUE = r"(\d{3,4}(?: \d{3,4}){1,2}(?![\w])|[A-Z]-\d{4,8}|[!-~]{3,80})"
_LABELLED = re.compile(_LABEL + _LINK + _VALUE, re.IGNORECASE)
# A default administrator login written as user / password: admin / Printer@88.
_ADMIN_PAIR = re.compile(
    r"(?<![A-Za-z])(?:admin|administrator|root|sa|guest|manager)\s*[/／]\s*([!-~]{4,80})",
    re.IGNORECASE,
)
# 帳號密碼寫在這：moi_user / M0i!user#7 — a user and a password after a combined label.
_PAIR = re.compile(
    r"(?:帳號|帳密|帳號密碼|account)[^\n]{0,12}?[:：]\s*[!-~]{2,40}\s*[/|／]\s*([!-~]{4,80})",
    re.IGNORECASE,
)
# Every secret pattern above starts at or after one of these: one cheap search decides whether
# the dozen patterns need to run at all.
# Matched case-sensitively against lower-cased text (pattern lower-cased too; it has no escapes
# such as \S whose meaning depends on case): 13 µs → 5 µs a message against IGNORECASE.
_TRIGGER = re.compile(
    (
        _LABEL + r"|帳號|帳密|account|sk-|AKIA|ASIA|gh[pousr]_|github_pat_|xox|AIza|eyJ|PRIVATE KEY"
        r"|://|\d:[A-Za-z0-9_\-]{30}|admin|administrator|root|sa\s*[/／]|guest|manager"
    ).lower()
)
# Values that are words, placeholders or masks, not secrets.
_NOT_A_SECRET = re.compile(
    r"[*＊xX•●?？.。]+|<[^>]*>|\(.*\)|（.*）|"
    r"(?:policy|reset|expired?|length|required?|manager|settings?|change|forgot|the|is|of|and|"
    r"for|to|in|on|please|here|below|none|null|n/?a)",
    re.IGNORECASE,
)
_TRAILING = ".,，。;；、)）]」』\"'"  # not ! or ?: passwords end with them


class CredentialsRule:
    """Reports every secret value: self-describing tokens and labelled passwords/codes."""

    name = "credentials"
    category = CREDENTIALS
    lexicons = (LABELS, BENIGN_LEXICON)
    anchors = (LABELS,)  # secrets are found by regex; hits feed the benign test

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self._config = config

    def evaluate(self, data: RuleInput) -> list[Match]:
        text = data.view.text
        if _TRIGGER.search(text.lower()) is None:
            return []  # no label, token prefix, key header, URL or admin login: nothing to read
        found: list[tuple[int, int, str]] = []
        for kind, pattern in _FORMATS:
            for m in pattern.finditer(text):
                group = 1 if pattern.groups else 0
                found.append((m.start(group), m.end(group), kind))
        labelled = (
            (_LABELLED, "labelled secret"),
            (_PAIR, "account and password"),
            (_ADMIN_PAIR, "administrator login"),
        )
        for pattern, kind in labelled:
            for m in pattern.finditer(text):
                start, end = m.start(1), m.end(1)
                value = text[start:end]
                trimmed = value.rstrip(_TRAILING)
                end -= len(value) - len(trimmed)
                if _is_secret(trimmed):
                    found.append((start, end, kind))
        if not found or is_benign(data):
            return []
        out: list[Match] = []
        for start, end, kind in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
            if any(start < m.end and m.start < end for m in out):
                continue
            out.append(
                rule_match(
                    SECRET_TYPE, CREDENTIALS, start, end, 0.95, self.name, kind,
                    value=text[start:end],
                )
            )
        return out


def _is_secret(value: str) -> bool:
    """A value with some entropy: not a placeholder or an English word of policy talk."""
    if len(value) < 3 or _NOT_A_SECRET.fullmatch(value):
        return False
    if value.isalpha() and value.islower() and len(value) < 6:
        return False  # "is", "the", "reset": prose, not a password
    return any(c.isdigit() for c in value) or not value.isalpha() or len(value) >= 6
