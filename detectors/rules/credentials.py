"""credentials: passwords, PINs, one-time codes, API keys, tokens and private keys.

Two ways a secret shows up:
- a self-describing format: API keys (sk-…, AKIA…, ghp_…, xoxb-…, AIza…), JSON Web Tokens,
  PEM private keys, connection strings with a password (postgres://user:pass@host, also with
  an empty user: redis://:pass@host), webhook URLs whose path is the secret (Slack, Discord,
  Teams, any …/hook/<random token>), a long secret in a URL query (?key=, &sig=, &token=);
- a label followed by a value: 密碼 Abc12345!, OTP 774120, 驗證碼是 830 215, pwd=…, WiFi密碼：…,
  key passphrase: … (more labels in `credential_value_labels.txt`), English links included
  ("the wifi password is …", "was changed to …"), and 帳號/密碼 pairs written as
  "moi_user / M0i!user#7" after an account label (`credential_account_labels.txt`);
- a secret named a few words before its value: "the root password for the backup server is
  R00t-…" (`credential_secret_nouns.txt`), 資料庫密碼我放這：Db#… (a short Chinese gap and a
  colon; a gap holding a word of `credential_benign.txt` such as 到期, 長度 is policy talk);
- a Chinese sentence that hands the label its value (`credential_links.txt`: 密碼我改成
  Land2024!!, 密碼我幫你重設成…就是 A0415!): the value must look like a password and the
  words in between must not be policy talk (密碼不能設成 Abc12345 這種);
- the label, 是 and a description of the value, then the value after a comma, ending its clause
  (密碼是我分機加兩個井字號，2231##: letters, digits and symbols mixed);
- a list under a label, one secret a line (臨時密碼：⏎陳 Tmp#4401⏎林 Tmp#4402), and more values
  of the first one's shape after it (backup codes: 4829-1730、8812-6654); a note in brackets may
  stand between label and link (臨時密碼（登入後要改）：…) unless it states a format rule
  (`credential_format_words.txt`: 至少, 長度 …); English labels may be plural (recovery codes);
- a command-line client given its password (mysql -u root -p'Fire119!', sshpass -p '…'): a
  value glued to -p or quoted, after a user option or a client of `credential_cli_clients.txt`;
- a pasted table whose header cell names a secret (`credential_column_labels.txt`: 系統 | 帳號 |
  密碼): the secret-looking cells of that column, the header found as context.py finds one.
The finding's span is the secret itself and it is always fully masked.

Not an incident: talk about passwords with no value ("請重設密碼", "密碼政策", "忘記密碼怎麼辦":
a label followed by Chinese words is not a value), placeholders (********, xxxx, <密碼>), a
word before a colon (OTP codes: expire …: the next label), and training material (benign
cues) without a real identifier. Where the value follows a bare space
or English words ("password before Friday", "the API secret rotates", "is changing tomorrow"),
it must look like a secret — a digit, a symbol or mixed case — not like a word of prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from detectors.config import DetectorConfig

# The table layout context.column_header_words reads (its cell separators and how far above a
# cell its header may stand), so a 密碼 column is found the way a 護照號碼 column is.
from detectors.context import CELL_SEPARATORS as SEPARATORS
from detectors.context import HEADER_LINES
from detectors.lexicon import Lexicons
from detectors.normalize import Normalized, with_normalised
from detectors.recognizers.base import Match
from detectors.rules.base import RuleInput
from detectors.rules.support import BENIGN_LEXICON, is_benign, rule_match, word_alternation
from detectors.types import CREDENTIALS


def _alternation(words: Iterable[str]) -> str:
    """English labels may be plural here (passwords, tokens, backup codes)."""
    return word_alternation(words, plural=True)


LABELS = "credential_labels"
VALUE_LABELS = "credential_value_labels"
SECRET_NOUNS = "credential_secret_nouns"
ACCOUNT_LABELS = "credential_account_labels"
POLICY_WORDS = "credential_benign"
LINKS = "credential_links"
COLUMN_LABELS = "credential_column_labels"
CLI_CLIENTS = "credential_cli_clients"
FORMAT_WORDS = "credential_format_words"
SECRET_TYPE = "CREDENTIAL_SECRET"
# A cell is read without surrounding spaces, Markdown emphasis and a label colon.
_CELL_DECORATION = " *:"
_CELL_VALUE = re.compile(r"[!-~]{3,80}")

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
    # Webhook URLs whose path is the secret: whoever has the URL can post to the channel.
    (
        "Slack webhook URL",
        re.compile(
            r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_\-]{1,40}/"
            r"[A-Za-z0-9_/\-]{16,200}"
        ),
    ),
    (
        "Discord webhook URL",
        re.compile(
            r"discord(?:app)?\.com/api/webhooks/\d{5,25}/[A-Za-z0-9_\-]{20,200}", re.IGNORECASE
        ),
    ),
    (
        "Teams webhook URL",
        re.compile(
            r"(?:\.webhook\.office\.com/webhookb2|outlook\.office(?:365)?\.com/webhook)/"
            r"[A-Za-z0-9@\-]{20,200}/\S{10,300}",
            re.IGNORECASE,
        ),
    ),
    # Any other hook URL ending in a random token (letters and digits, 20+): …/hook/8f3a9c2e7b…
    (
        "webhook URL with a token",
        re.compile(
            r"https?://[^\s/]{1,100}/(?:[^\s/]{1,60}/){0,6}?[^\s/]{0,20}hooks?[^\s/]{0,20}/"
            r"(?:[^\s/]{1,60}/){0,6}?((?=[A-Za-z_\-]{0,199}\d)(?=[0-9_\-]{0,199}[A-Za-z])"
            r"[A-Za-z0-9_\-]{20,200})(?![A-Za-z0-9_\-])",
            re.IGNORECASE,
        ),
    ),
    # A secret in a URL query: ?key=…, &sig=…, &access_token=… (16+ characters).
    (
        "secret in a URL query",
        re.compile(
            r"[?&](?:api_?key|key|sig|signature|access_token|token|secret|client_secret|auth)"
            r"=([A-Za-z0-9%._~+/\-]{16,300})",
            re.IGNORECASE,
        ),
    ),
    ("LINE/Telegram bot token", re.compile(r"(?<!\d)\d{8,10}:[A-Za-z0-9_\-]{35}(?![A-Za-z0-9])")),
    (
        "password in a connection string",
        re.compile(
            # The scheme is anchored and bounded: unbounded, "a." * n backtracks quadratically.
            # The user may be empty: redis://:Rd!s2024cache@10.3.2.15:6379/0.
            r"(?<![a-z0-9+.\-])[a-z][a-z0-9+.\-]{0,30}://[^\s:/@]{0,200}:([^\s@/]{3,200})@\S+",
            re.IGNORECASE,
        ),
    ),
)
# Lower-cased literals every match of a format holds: a format whose literals are all absent
# from the message is not searched (most messages hold no URL and no key prefix).
_FORMAT_GATES: dict[str, tuple[str, ...]] = {
    "private key": ("-----begin",),
    "OpenAI-style API key": ("sk-",),
    "AWS access key": ("akia", "asia"),
    "GitHub token": ("gh", "github_pat_"),
    "Slack token": ("xox",),
    "Google API key": ("aiza",),
    "JSON Web Token": ("eyj",),
    "Slack webhook URL": ("hooks.slack.com/",),
    "Discord webhook URL": ("/api/webhooks/",),
    "Teams webhook URL": (".webhook.office.com/", "outlook.office"),
    "webhook URL with a token": ("hook",),
    "secret in a URL query": ("key=", "sig=", "signature=", "token=", "secret=", "auth="),
    "LINE/Telegram bot token": (":",),
    "password in a connection string": ("://",),
}
# A label, a link (是, 為, :, =, space) and a value. Longest labels first; the rule adds the
# labels of `credential_value_labels.txt` (passphrase, pw, 口令 …) to these.
_LABEL_CORE = (
    r"wi-?fi\s*密碼|無線(?:網路)?密碼|(?:登入|管理者|管理員|預設|初始|臨時|提款|新)?密碼|帳密"
    r"|通行碼|(?:身分)?驗證碼|認證碼|一次性密碼|動態密碼|金鑰|權杖|私鑰"
    r"|(?<![A-Za-z])(?:OTP|PIN\s*碼?|API[\s_]?KEY|apikey|(?:access|secret|storage)\s?key"
    r"|AccountKey|token|password|passwd|pwd|pass|secret|client_secret)s?"
    r"(?:\s(?:codes?|numbers?))?(?![A-Za-z])"  # OTP code: …, PIN number …
)
# Between label and value: punctuation, an arrow, 是/為, or a verb that sets it (改成,
# 已重設為) — group `firm` — or only a space or English words (is, was changed to): then the
# value must look like a secret, not a word ("password before Friday").
_LINK = (
    r"(?:\s*(?P<firm>(?:已經?|已)?(?:改成|改為|設為|設成|重設為|換成|變更為)|是|為|:|：|=|→|->|=>)"
    r"|\s+(?:(?:has\s+been|have\s+been|was|is|got)\s+)?(?:set|changed|reset|updated)\s+to\s"
    r"|\s+(?:is|was)(?:\s+now)?\s|\s)"
    r"\s*(?P<firm2>是|為|:|：)?\s*"
)
# A note in brackets between label and link: 臨時密碼（登入後要改）：Tmp#4401.
_NOTE = r"(?:\s*\((?P<note>[^()\n]{1,20})\))?"
# The value: a run of printable ASCII; digits may be grouped by single spaces (830 215).
_VALUE = r"(?P<v>\d{3,4}(?: \d{3,4}){1,2}(?![\w])|[A-Z]-\d{4,8}|[!-~]{3,80})"
# The Chinese labels, for the gapped form (an English label before a Chinese gap is rare).
_LABEL_ZH = r"密碼|帳密|通行碼|驗證碼|認證碼|金鑰|權杖|私鑰"
# English words between a secret's name and its value: "for the backup server" (1–7 words).
_GAP_EN = r"\s+(?:for|of|to|on|at|into)(?:\s+[^\s:=]{1,30}){1,7}?"
_PREPOSITION = re.compile(r"\s(?:for|of|to|on|at|into)\s")
_LINK_EN = r"(?:\s+(?:is|was)(?:\s+now)?\s+|\s*[:=]\s*)"
# A short Chinese gap before a colon or 是: 資料庫密碼我放這：…, 密碼一樣是 … (no ASCII, no
# punctuation in it).
_GAP_ZH = r"(?P<gap>[^\x00-\x7f\s,，。、:：;；!！?？()（）]{1,6}?)(?:[:：]|是|為)\s*"
# Values a gapped form must not take: dates, times and e-mail addresses (密碼到期日：2025/12/31).
_NOT_GAPPED_VALUE = re.compile(
    r"\d{2,4}[-/.]\d{1,2}(?:[-/.]\d{1,4})?|\d{1,2}:\d{2}(?::\d{2})?|[^@\s]+@[^@\s]+\.[a-z]{2,}",
    re.IGNORECASE,
)
# A Chinese sentence that hands the label its value a few words on: 密碼我改成 Land2024!!,
# 密碼我幫你重設成A加上你的生日四碼再加驚嘆號就是A0415! (the links are the rule's
# `credential_links.txt`; the gap stays inside one sentence).
_PROSE = r"(?:{labels})(?P<gap>[^\n。!?;；]{{0,40}}?)(?:{links})\s*"
# A link verb holds a policy word (重設 in 重設成): the gap is read without it.
_PROSE_UNIT = re.compile(r"\s*(?:秒|分|天|日|碼|位|次|個|小時|週|周|年|月)")
# 密碼是我分機加兩個井字號，2231## — the label, 是/為, a Chinese description of the value, a
# comma or colon and the value itself, ending its clause.
_DESCRIBED = (
    r"(?:{labels})(?:是|為)(?P<gap>[^\x00-\x7f\n。!?;；]{{2,24}}?)[,:]\s*(?P<v>[!-~]{{3,40}})"
    r"(?=[ \t]*(?:$|\n|。|,(?![!-~])))"
)
# A list under a label, one secret a line: 臨時密碼（登入後要改）：⏎陳 Tmp#4401⏎林 Tmp#4402 (a
# short gap such as 如下 may stand before the colon).
_LIST_HEAD = r"(?P<gap>[^\x00-\x7f\s:。!?]{{0,6}}?){note}\s*$"
# A line ending in a colon: the head of a list is looked for only before one (cheap to find).
_LINE_COLON = re.compile(r":[ \t]*\n")
LIST_HEAD_REACH = 60  # characters before that colon the label and its note may take
# A line of such a list: an optional bullet, an optional holder (陳, user01, 1F 櫃台:), a value.
_LIST_LINE = re.compile(
    r"[ \t]*(?:[-*•]\s*|\d{1,2}[.、)]\s*)?(?:[^\s:]{1,12}(?:[ \t]*:[ \t]*|[ \t]+))?"
    r"(?P<v>[!-~]{3,80})[ \t]*(?=\n|$)"
)
LIST_LINES = 50
# More values of the same kind after a first: backup codes: 4829-1730、8812-6654、0397-2216.
_MORE_VALUE = re.compile(r"[ \t]*[、,;/][ \t]*(?P<v>[!-~]{3,80}?)(?=[、,;/\s]|$)")
MORE_VALUES = 20
# A command-line client given its password: mysql -u root -p'Fire119!', sshpass -p 'S#24' ssh …
# (the value glued to -p, or quoted). It counts after a client of `credential_cli_clients.txt`
# or a user option (-u root, --user=app) on the same line (the clients are trigger words; a bare
# user option needs another one, such as root or pass, to get the message read).
_CLI_PASSWORD = re.compile(
    r"(?<![\w-])-p(?P<v>\s*'[^'\n]{3,80}'|\s*\"[^\"\n]{3,80}\"|[^\s'\"\-/][^\s]{2,79})"
)
_CLI_USER = re.compile(r"(?<![\w-])(?:-u\s*[^\s\-]|--user[= ])")
CLI_LINE = 200
# A default administrator login written as user / password: admin / Printer@88.
_ADMIN_PAIR = re.compile(
    r"(?<![A-Za-z])(?:admin|administrator|root|sa|guest|manager)\s*[/／]\s*(?P<v>[!-~]{4,80})",
    re.IGNORECASE,
)
# 帳號密碼寫在這：moi_user / M0i!user#7 — a user and a password after an account label (the
# rule fills in the labels of `credential_account_labels.txt`).
_PAIR = r"(?:{accounts})[^\n]{{0,30}}?[:：]\s*[!-~]{{2,40}}\s*[/|／]\s*(?P<v>[!-~]{{4,80}})"
# Every secret pattern starts at or after one of these: one cheap search decides whether the
# dozen patterns need to run at all. Literal stems only (a superset is harmless, a lookaround
# per word made the search ~10x slower); the rule adds the lexicon labels and nouns and drops
# any word that holds another (passphrase holds pass).
# Matched case-sensitively against lower-cased text: 13 µs → 5 µs a message against IGNORECASE.
_TRIGGER_WORDS = (
    "密碼", "帳密", "通行碼", "驗證碼", "認證碼", "金鑰", "權杖", "私鑰",
    "otp", "pin", "api", "key", "token", "pass", "pwd", "secret",
    "sk-", "akia", "asia", "github_pat_", "xox", "aiza", "eyj", "://", "hooks.slack", "webhook",
    "admin", "root", "guest", "manager", "ghp_", "gho_", "ghu_", "ghs_", "ghr_",
)  # fmt: skip
# The two triggers that are not literals, searched apart: one non-literal branch in the literal
# alternation costs `re` its first-character scan (6 µs → 1.2 µs a message without it).
_TRIGGER_PATTERNS = re.compile(r"[0-9]:[a-z0-9_\-]{30}|sa\s*[/／]")
# Values that are words, placeholders or masks, not secrets.
_NOT_A_SECRET = re.compile(
    r"[*＊xX•●?？.。]+|<[^>]*>|\(.*\)|（.*）|"
    r"(?:policy|reset|expired?|length|required?|manager|settings?|change|forgot|the|is|of|and|"
    r"for|to|in|on|please|here|below|none|null|n/?a)|"
    # A word and a colon is the next label (OTP codes: expire …), not a value.
    r"[A-Za-z][a-z]*[:=]",
    re.IGNORECASE,
)
_TRAILING = ".,，。;；、)）]」』\"'"  # not ! or ?: passwords end with them
_WIDE = ",;:"  # ASCII forms of ，；：


class CredentialsRule:
    """Reports every secret value: self-describing tokens and labelled passwords/codes."""

    name = "credentials"
    category = CREDENTIALS
    lexicons = (LABELS, BENIGN_LEXICON)
    anchors = (LABELS,)  # secrets are found by regex; hits feed the benign test

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self._config = config
        self._formats = tuple((kind, p, _FORMAT_GATES[kind]) for kind, p in _FORMATS)
        extra = _alternation(lexicons.words(VALUE_LABELS))
        nouns = _alternation(lexicons.words(SECRET_NOUNS))
        accounts = _alternation(lexicons.words(ACCOUNT_LABELS))
        label = f"(?:{_LABEL_CORE}|{extra})"
        self._policy = tuple(with_normalised(lexicons.words(POLICY_WORDS)))
        self._format_words = tuple(with_normalised(lexicons.words(FORMAT_WORDS)))
        self._labelled = re.compile(label + _NOTE + _LINK + _VALUE, re.IGNORECASE)
        self._list_head = re.compile(f"{label}" + _LIST_HEAD.format(note=_NOTE), re.IGNORECASE)
        self._clients = re.compile(_alternation(lexicons.words(CLI_CLIENTS)), re.IGNORECASE)
        self._named = re.compile(f"(?:{nouns}){_GAP_EN}{_LINK_EN}{_VALUE}", re.IGNORECASE)
        zh_extra = _alternation(w for w in lexicons.words(VALUE_LABELS) if not w.isascii())
        self._gapped = re.compile(f"(?:{_LABEL_ZH}|{zh_extra}){_GAP_ZH}{_VALUE}")
        self._pair = re.compile(_PAIR.format(accounts=accounts), re.IGNORECASE)
        links = tuple(with_normalised(lexicons.words(LINKS)))
        self._links = re.compile("|".join(map(re.escape, sorted(links, key=len, reverse=True))))
        self._prose = re.compile(
            _PROSE.format(labels=f"{_LABEL_ZH}|{zh_extra}", links=self._links.pattern) + _VALUE
        )
        self._described = re.compile(_DESCRIBED.format(labels=f"{_LABEL_ZH}|{zh_extra}"))
        self._columns = {w.lower() for w in with_normalised(lexicons.words(COLUMN_LABELS))}
        seps = "".join(map(re.escape, SEPARATORS))
        cells = "|".join(map(re.escape, sorted(self._columns, key=len, reverse=True)))
        # One search decides whether a line could head a secret column at all.
        self._column_header = re.compile(
            rf"(?:^|[{seps}])[ *]*(?:{cells})[ *:]*(?=[{seps}]|$)", re.MULTILINE
        )
        stems = _stems(
            (*_TRIGGER_WORDS, *lexicons.words(VALUE_LABELS), *lexicons.words(SECRET_NOUNS),
             *lexicons.words(ACCOUNT_LABELS), *lexicons.words(CLI_CLIENTS))
        )
        self._trigger = re.compile("|".join(map(re.escape, stems)))

    def evaluate(self, data: RuleInput) -> list[Match]:
        text = data.view.text
        low = text.lower()
        if self._trigger.search(low) is None and _TRIGGER_PATTERNS.search(low) is None:
            return []  # no label, token prefix, key header, URL or admin login: nothing to read
        found: list[tuple[int, int, str]] = []
        for kind, pattern, gates in self._formats:
            for gate in gates:
                if gate in low:
                    break
            else:
                continue
            for m in pattern.finditer(text):
                group = 1 if pattern.groups else 0
                found.append((m.start(group), m.end(group), kind))
        labelled = (
            (self._labelled, "labelled secret"),
            (self._named, "named secret"),
            (self._gapped, "labelled secret"),
            (self._pair, "account and password"),
            (self._prose, "password given in a sentence"),
            (self._described, "password given in a sentence"),
            (_ADMIN_PAIR, "administrator login"),
        )
        for pattern, kind in labelled:
            if pattern is self._named and not _PREPOSITION.search(low):
                continue  # the named form needs "for", "of", "to" …: skip it for Chinese chat
            for m in pattern.finditer(text):
                start, end = m.start("v"), m.end("v")
                value = _before_wide_punctuation(data.view.norm, start, text[start:end])
                end = start + len(value)
                trimmed = value.rstrip(_TRAILING)
                end -= len(value) - len(trimmed)
                if self._accepts(pattern, m, trimmed):
                    found.append((start, end, kind))
                    if pattern is self._labelled or pattern is self._gapped:
                        found += _more_values(text, end, trimmed, kind)
        found += self._table_secrets(text)
        found += self._listed_secrets(text)
        found += self._cli_secrets(text)
        if not found or is_benign(data):
            return []
        out: list[Match] = []
        # Sorted by start, longest first: a finding overlaps an earlier kept one only if it
        # starts before the last kept one ends (one comparison, not one per kept finding).
        for start, end, kind in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
            if out and start < out[-1].end:
                continue
            out.append(
                rule_match(
                    SECRET_TYPE, CREDENTIALS, start, end, 0.95, self.name, kind,
                    value=text[start:end],
                )
            )
        return out

    def _accepts(self, pattern: re.Pattern[str], m: re.Match[str], value: str) -> bool:
        if not _is_secret(value):
            return False
        note = m.group("note") if pattern is self._labelled else None
        if note and any(w in note for w in self._format_words):
            return False  # 密碼（至少 12 碼）: a rule in the note, not a hand-out's remark
        if pattern is self._described and self._policy_talk(m.group("gap")):
            return False
        if pattern is self._described:
            return _mixed(value) and not _NOT_GAPPED_VALUE.fullmatch(value)
        if pattern is self._labelled:
            # Only a space or English words between label and value: prose unless it looks
            # like a secret ("password before Friday", "secret rotates every 90 days").
            return bool(m.group("firm") or m.group("firm2")) or _looks_secret(value)
        if pattern is self._named:
            return _looks_secret(value) and not _NOT_GAPPED_VALUE.fullmatch(value)
        if pattern is self._prose:
            return self._prose_value(m, value)
        if pattern is self._gapped:
            gap = m.group("gap")
            return not any(w in gap for w in self._policy) and not _NOT_GAPPED_VALUE.fullmatch(
                value
            )
        return True

    def _policy_talk(self, words: str | None) -> bool:
        return bool(words) and any(w in words for w in self._policy)

    def _listed_secrets(self, text: str) -> list[tuple[int, int, str]]:
        """A list under a label, one secret a line (臨時密碼：⏎陳 Tmp#4401⏎林 Tmp#4402): the
        secret-looking values of the lines right below, up to the first line that is not one."""
        if "\n" not in text:
            return []
        found: list[tuple[int, int, str]] = []
        reach = 0
        for colon in _LINE_COLON.finditer(text):
            if colon.end() < reach:
                continue
            lo = max(0, colon.start() - LIST_HEAD_REACH)
            head = self._list_head.search(text, text.rfind("\n", lo, colon.start()) + 1 or lo,
                                          colon.start())
            if head is None or self._policy_talk(head.group("gap")):
                continue
            if head.group("note") and any(w in head.group("note") for w in self._format_words):
                continue
            pos = colon.end()
            for _ in range(LIST_LINES):
                line = _LIST_LINE.match(text, pos)
                if line is None:
                    break
                value = line.group("v").rstrip(_TRAILING)
                if _is_secret(value) and _looks_secret(value):
                    found.append((line.start("v"), line.start("v") + len(value), "listed secret"))
                pos = line.end() + 1
                if pos > len(text):
                    break
            reach = pos
        return found

    def _cli_secrets(self, text: str) -> list[tuple[int, int, str]]:
        """mysql -u root -p'Fire119!': a password option of a command line, after a client
        of `credential_cli_clients.txt` or a user option on the same line."""
        if "-p" not in text and "-P" not in text:
            return []
        found: list[tuple[int, int, str]] = []
        for m in _CLI_PASSWORD.finditer(text):
            before = text[max(0, m.start() - CLI_LINE) : m.start()]
            before = before[before.rfind("\n") + 1 :]
            if not (_CLI_USER.search(before) or self._clients.search(before)):
                continue
            raw = m.group("v")
            value = raw.lstrip()
            start = m.start("v") + len(raw) - len(value)
            if value[:1] in "'\"":
                value, start = value[1:-1], start + 1
            if _is_secret(value) and (value.isdigit() or _looks_secret(value)):
                found.append((start, start + len(value), "password on a command line"))
        return found

    def _prose_value(self, m: re.Match[str], value: str) -> bool:
        """A value a sentence gives the label (密碼我改成 Land2024!!): it must look like a
        password — letters with digits or symbols; bare digits only right after the label and
        not a quantity (密碼我改成 8841, not 驗證碼有效時間改成 1800 秒) — and the words between
        label and link must not be policy talk (密碼不要設成…, 密碼長度改成…)."""
        gap = self._links.sub("", m.group("gap"))
        if any(w in gap for w in self._policy) or _NOT_GAPPED_VALUE.fullmatch(value):
            return False
        if value.lower().startswith(("http", "www.")):
            return False
        if value.isdigit():
            return len(gap.strip()) <= 4 and 4 <= len(value) <= 8 and not _PROSE_UNIT.match(
                m.string, m.start("v") + len(value)
            )
        letters = any(c.isalpha() for c in value)
        return letters and any(c.isdigit() or not c.isalnum() for c in value)

    def _table_secrets(self, text: str) -> list[tuple[int, int, str]]:
        """Cells of a pasted table under a header cell naming a secret (系統 | 帳號 | 密碼):
        the header is the nearest earlier line (at most `HEADER_LINES` above) with the same
        separator and number of cells, as in context.column_header_words; one pass over the
        lines, so a long sheet stays linear."""
        if "\n" not in text or self._column_header.search(text.lower()) is None:
            return []
        found: list[tuple[int, int, str]] = []
        headers: dict[tuple[str, int], tuple[int, list[int]]] = {}
        offset = 0
        for number, line in enumerate(text.split("\n")):
            sep = next((s for s in SEPARATORS if s in line), None)
            if sep is not None:
                cells = line.split(sep)
                key = (sep, len(cells))
                columns = [i for i, c in enumerate(cells) if self._column_label(c)]
                if columns:
                    headers[key] = (number, columns)
                elif key in headers and number - headers[key][0] <= HEADER_LINES:
                    found += _column_cells(cells, headers[key][1], offset, len(sep))
            offset += len(line) + 1
        return found

    def _column_label(self, cell: str) -> bool:
        return cell.strip(_CELL_DECORATION).lower() in self._columns


def _column_cells(
    cells: list[str], columns: list[int], offset: int, sep_len: int
) -> list[tuple[int, int, str]]:
    """The secret-looking values of `cells` in the given columns, as spans of the text."""
    out = []
    starts = []
    for cell in cells:
        starts.append(offset)
        offset += len(cell) + sep_len
    for col in columns:
        cell = cells[col]
        value = cell.strip(_CELL_DECORATION)
        if not _CELL_VALUE.fullmatch(value) or _NOT_GAPPED_VALUE.fullmatch(value):
            continue
        if not _is_secret(value) or not any(c.isalnum() for c in value):
            continue
        start = starts[col] + cell.index(value)
        out.append((start, start + len(value), "password column of a table"))
    return out


def _before_wide_punctuation(norm: Normalized, start: int, value: str) -> str:
    """The value up to a comma, semicolon or colon that was full-width in the message: a
    Chinese clause ends there (密碼 Night#0428，04:00 分局集合), though the normalised text holds
    an ASCII mark a password could contain."""
    if not any(c in value for c in _WIDE):
        return value
    for i, c in enumerate(value):
        if c in _WIDE and norm.original[norm.to_original(start + i, start + i + 1)[0]] != c:
            return value[:i]
    return value


def _more_values(text: str, end: int, value: str, kind: str) -> list[tuple[int, int, str]]:
    """Values of the first one's shape that follow it in a list (backup codes: 4829-1730、
    8812-6654、0397-2216): the same letters, digits and symbols in the same places."""
    out: list[tuple[int, int, str]] = []
    shape = _shape(value)
    pos = end
    for _ in range(MORE_VALUES):
        m = _MORE_VALUE.match(text, pos)
        if m is None or _shape(m.group("v")) != shape:
            break
        out.append((m.start("v"), m.end("v"), kind))
        pos = m.end()
    return out


def _shape(value: str) -> str:
    return "".join("9" if c.isdigit() else "a" if c.isalpha() else c for c in value)


def _mixed(value: str) -> bool:
    """Digits or letters together with another kind (2231##, Ab12): not a word, not a number."""
    digits = any(c.isdigit() for c in value)
    letters = any(c.isalpha() for c in value)
    symbols = not value.isalnum()
    return (digits + letters + symbols) >= 2


def _stems(words: Iterable[str]) -> list[str]:
    """Lower-cased words, without those that contain another (a search for "pass" finds
    "passphrase" too), longest first."""
    low = sorted({w.lower() for w in words}, key=len)
    kept: list[str] = []
    for w in low:
        if not any(k in w for k in kept):
            kept.append(w)
    return sorted(kept, key=len, reverse=True)


def _looks_secret(value: str) -> bool:
    """A digit, a symbol or mixed case inside (Sunny2024, R00t-Bkp, xK9mQ): not a prose word
    (changing, before, Friday)."""
    if any(c.isdigit() for c in value) or not value.isalnum():
        return True
    return any(c.isupper() for c in value[1:]) and any(c.islower() for c in value)


def _is_secret(value: str) -> bool:
    """A value with some entropy: not a placeholder or an English word of policy talk."""
    if len(value) < 3 or _NOT_A_SECRET.fullmatch(value):
        return False
    if value.isalpha() and value.islower() and len(value) < 6:
        return False  # "is", "the", "reset": prose, not a password
    return any(c.isdigit() for c in value) or not value.isalpha() or len(value) >= 6
