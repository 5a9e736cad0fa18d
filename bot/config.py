"""The bot's configuration: `config.toml` read into typed, validated sections.

Why validate so strictly: a typo in a DLP bot's configuration must not silently turn a safeguard
off (an unknown key under `[policy]` is an error, not ignored). Secrets never live in the file:
`[secrets]` only names the environment variables that hold the keys, and the bot token may come
from `DLPBOT_TOKEN`. Sections this module does not own (`[media]`, `[review]`, `[console]`, …)
are passed through untouched in `AppConfig.sections` for the modules that own them.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from detectors.config import DetectorConfig
from detectors.types import Severity

MODES: tuple[str, ...] = ("monitor", "warn", "enforce")
_TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")
# Telegram's rule for a webhook's secret_token: 1-256 characters A-Z a-z 0-9 _ -
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Keys whose value must never be echoed back in an error message.
_SECRET_KEYS = frozenset({"token"})
# Integer keys that are Telegram ids: a quoted number ("-1001234") is accepted for them.
_ID_KEYS = frozenset({"chat_id", "staff"})


class AppConfigError(ValueError):
    """A configuration problem, worded so an administrator can fix it without reading code."""


def _shown(key: str, value: Any) -> str:
    if key in _SECRET_KEYS:
        return "that value"
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:37] + "…"


def _whole(label: str, key: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if key in _ID_KEYS and isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    what = "a numeric Telegram id (e.g. -1001234567890)" if key in _ID_KEYS else "a whole number"
    raise AppConfigError(f"[{label}] {key} must be {what}, not {_shown(key, value)}")


def _typed(label: str, key: str, value: Any, hint: Any) -> Any:
    """`value` checked (and, int → float only, converted) against the field's type."""
    origin = get_origin(hint)
    if hint is str:
        if not isinstance(value, str):
            raise AppConfigError(f"[{label}] {key} must be text (in quotes), not "
                                 f"{_shown(key, value)}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise AppConfigError(f"[{label}] {key} must be true or false, not "
                                 f"{_shown(key, value)}")
        return value
    if hint is int:
        return _whole(label, key, value)
    if hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise AppConfigError(f"[{label}] {key} must be a number, not {_shown(key, value)}")
    if origin is list:
        if not isinstance(value, list):
            raise AppConfigError(f"[{label}] {key} must be a list [ … ], not "
                                 f"{_shown(key, value)}")
        (item,) = get_args(hint) or (Any,)
        if item is int:
            return [_whole(label, key, v) for v in value]
        return list(value)
    if origin is dict:
        if not isinstance(value, Mapping):
            raise AppConfigError(f"[{label}] {key} must be a table {{ … }}, not "
                                 f"{_shown(key, value)}")
        return dict(value)
    return value


def _section(doc: Mapping[str, Any], name: str, cls: type, label: str | None = None) -> Any:
    """Build dataclass `cls` from `doc[name]`, rejecting unknown keys (typos disable safeguards)
    and values of the wrong type (a string where a number belongs fails here, in words, rather
    than deep inside the bot with a traceback)."""
    label = label or name
    data = doc.get(name) or {}
    if not isinstance(data, Mapping):
        raise AppConfigError(f"[{label}] must be a table")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise AppConfigError(f"[{label}] has unknown keys: {', '.join(unknown)}")
    hints = get_type_hints(cls)
    return cls(**{k: _typed(label, k, v, hints[k]) for k, v in data.items()})


@dataclass(slots=True)
class WebhookConfig:
    listen: str = "127.0.0.1"
    port: int = 8443
    url_path: str = "dlpbot"
    webhook_url: str = ""  # public https URL Telegram posts to
    secret_token_env: str = "DLPBOT_WEBHOOK_SECRET"


@dataclass(slots=True)
class TelegramConfig:
    token: str = ""
    token_env: str = "DLPBOT_TOKEN"
    base_url: str = ""  # e.g. "http://127.0.0.1:8081/bot" for the simulator
    base_file_url: str = ""
    mode: str = "polling"  # polling | webhook
    poll_timeout: int = 10
    # Seconds a Bot API request may take before it counts as timed out (getUpdates excepted).
    # A timed-out send may still have been delivered, so it is never repeated blindly.
    request_timeout: float = 10.0
    connect_timeout: float = 5.0
    # Telegram's real limits: ~30 requests/s overall, 20 messages/min per group.
    overall_max_rate: float = 30.0
    group_max_rate: float = 20.0
    group_time_period: float = 60.0
    retry_after_retries: int = 3  # RetryAfter (429) retries, honouring retry_after
    network_retries: int = 4  # 5xx / timeouts, with exponential backoff
    backoff_seconds: float = 0.25
    # The outbox: alerts, warnings and notices still owed are re-sent this often (and at start).
    resend_interval: float = 30.0
    max_delivery_attempts: int = 10  # definite failures before a delivery is given up
    webhook: WebhookConfig = field(default_factory=WebhookConfig)

    def resolved_token(self, env: Mapping[str, str]) -> str:
        """The environment wins over the file so a deployment never has to write the token down."""
        return (env.get(self.token_env) or self.token or "").strip()


@dataclass(slots=True)
class PolicyConfig:
    default_mode: str = "warn"
    chats: dict[str, str] = field(default_factory=dict)  # chat id (as text) → mode
    notice_delete_after_seconds: float = 60.0
    alert_min_severity: str = "high"
    locale: str = "zh-TW"
    # A scan running longer than this is abandoned: the message is recorded as not scanned
    # and ethics staff are alerted (it is never passed silently).
    scan_timeout_seconds: float = 30.0

    def mode_for(self, chat_id: int) -> str:
        return self.chats.get(str(chat_id), self.default_mode)

    @property
    def alert_threshold(self) -> Severity:
        return Severity.parse(self.alert_min_severity)


@dataclass(slots=True)
class EthicsConfig:
    chat_id: int = 0
    staff: list[int] = field(default_factory=list)


@dataclass(slots=True)
class StoreConfig:
    path: str = "dlpbot.db"
    # Incidents the database refuses (disk full…) go here until it works again; "" means
    # "<path>.pending.jsonl". Put it on another disk to survive a full one.
    fallback_path: str = ""
    retention_days: int = 180
    purge_hour: int = 3  # daily purge at 03:00 Asia/Taipei

    @property
    def resolved_fallback_path(self) -> str:
        return self.fallback_path or f"{self.path}.pending.jsonl"


@dataclass(slots=True)
class SecretsConfig:
    content_key_env: str = "DLPBOT_CONTENT_KEY"
    hmac_key_env: str = "DLPBOT_HMAC_KEY"


@dataclass(slots=True)
class Keys:
    """Key material read from the environment. `content` None means: do not store content."""

    content: bytes | None
    hmac: bytes


def parse_key(text: str, name: str) -> bytes:
    """Accept 32 bytes as 64 hex digits or (url-safe) base64; anything else is refused."""
    raw = text.strip()
    if re.fullmatch(r"[0-9a-fA-F]{64}", raw):
        return bytes.fromhex(raw)
    try:
        padded = raw + "=" * (-len(raw) % 4)
        key = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AppConfigError(f"{name}: not hex or base64") from exc
    if len(key) != 32:
        raise AppConfigError(f"{name}: must decode to 32 bytes, got {len(key)}")
    return key


@dataclass(slots=True)
class AppConfig:
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    ethics: EthicsConfig = field(default_factory=EthicsConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    secrets: SecretsConfig = field(default_factory=SecretsConfig)
    media: dict[str, Any] = field(default_factory=dict)
    detectors: DetectorConfig = field(default_factory=DetectorConfig)
    sections: dict[str, Any] = field(default_factory=dict)  # everything else, for other modules
    source: Path | None = None

    # -- loading ------------------------------------------------------------------------------

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any], source: Path | None = None) -> AppConfig:
        if not isinstance(doc.get("telegram") or {}, Mapping):
            raise AppConfigError("[telegram] must be a table")
        tg = dict(doc.get("telegram") or {})
        webhook = _section(tg, "webhook", WebhookConfig, "telegram.webhook")
        tg.pop("webhook", None)
        telegram = _section({"telegram": tg}, "telegram", TelegramConfig)
        telegram.webhook = webhook
        policy = _section(doc, "policy", PolicyConfig)
        policy.chats = {str(k): str(v) for k, v in (policy.chats or {}).items()}
        ethics = _section(doc, "ethics", EthicsConfig)
        owned = {"telegram", "policy", "ethics", "store", "secrets", "media", "detectors"}
        cfg = cls(
            telegram=telegram,
            policy=policy,
            ethics=ethics,
            store=_section(doc, "store", StoreConfig),
            secrets=_section(doc, "secrets", SecretsConfig),
            media=dict(doc.get("media") or {}),
            detectors=_detectors(doc.get("detectors")),
            sections={k: v for k, v in doc.items() if k not in owned},
            source=source,
        )
        cfg.validate()
        return cfg

    @classmethod
    def load(cls, path: str | Path) -> AppConfig:
        p = Path(path)
        try:
            with p.open("rb") as fh:
                doc = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise AppConfigError(f"config file not found: {p}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise AppConfigError(f"{p}: invalid TOML: {exc}") from exc
        return cls.from_mapping(doc, source=p)

    # -- validation ---------------------------------------------------------------------------

    def validate(self) -> None:
        """Checks that need no secrets; `validate_for_run` adds those a live bot needs."""
        if self.telegram.mode not in ("polling", "webhook"):
            raise AppConfigError('[telegram] mode must be "polling" or "webhook"')
        if self.policy.default_mode not in MODES:
            raise AppConfigError(f"[policy] default_mode must be one of {', '.join(MODES)}")
        for chat, mode in self.policy.chats.items():
            if not re.fullmatch(r"-?\d+", chat):
                raise AppConfigError(f"[policy.chats] key {chat!r} is not a numeric chat id")
            if mode not in MODES:
                raise AppConfigError(
                    f"[policy.chats] {chat}: mode must be one of {', '.join(MODES)}"
                )
        try:
            Severity.parse(self.policy.alert_min_severity)
        except ValueError as exc:
            raise AppConfigError(f"[policy] alert_min_severity: {exc}") from exc
        if self.policy.notice_delete_after_seconds < 0:
            raise AppConfigError("[policy] notice_delete_after_seconds must be >= 0")
        if self.policy.scan_timeout_seconds <= 0:
            raise AppConfigError("[policy] scan_timeout_seconds must be greater than 0")
        if self.policy.locale not in ("zh-TW", "en"):
            raise AppConfigError('[policy] locale must be "zh-TW" or "en"')
        if self.store.retention_days < 1:
            raise AppConfigError("[store] retention_days must be at least 1")
        if not 0 <= self.store.purge_hour <= 23:
            raise AppConfigError("[store] purge_hour must be an hour from 0 to 23")
        if not self.store.path.strip():
            raise AppConfigError("[store] path must name the database file")
        tg = self.telegram
        for key in ("poll_timeout", "network_retries", "retry_after_retries"):
            if getattr(tg, key) < 0:
                raise AppConfigError(f"[telegram] {key} must be >= 0")
        for key in ("request_timeout", "connect_timeout", "resend_interval", "overall_max_rate",
                    "group_max_rate", "group_time_period"):
            if getattr(tg, key) <= 0:
                raise AppConfigError(f"[telegram] {key} must be greater than 0")
        if tg.max_delivery_attempts < 1:
            raise AppConfigError("[telegram] max_delivery_attempts must be at least 1")
        if not 1 <= tg.webhook.port <= 65535:
            raise AppConfigError("[telegram.webhook] port must be from 1 to 65535")

    def validate_for_run(self, env: Mapping[str, str] | None = None) -> tuple[str, Keys]:
        """Everything `dlpbot run` refuses to start without; returns the token and the keys."""
        env = os.environ if env is None else env
        token = self.telegram.resolved_token(env)
        if not token:
            raise AppConfigError(
                f"no bot token: set {self.telegram.token_env} or [telegram] token"
            )
        if not _TOKEN_RE.match(token):
            raise AppConfigError("the bot token is malformed (expected <digits>:<secret>)")
        if not self.ethics.chat_id:
            raise AppConfigError("[ethics] chat_id is missing: alerts would have nowhere to go")
        if self.telegram.mode == "webhook":
            wh = self.telegram.webhook
            if not wh.webhook_url:
                raise AppConfigError("[telegram.webhook] webhook_url is required in webhook mode")
            secret = env.get(wh.secret_token_env, "")
            if not secret:
                raise AppConfigError(
                    f"webhook mode needs a secret token: set {wh.secret_token_env} (1-256 "
                    "characters A-Z a-z 0-9 _ -), otherwise anyone who finds the URL can post "
                    "fake updates to the bot"
                )
            if not _WEBHOOK_SECRET_RE.match(secret):
                raise AppConfigError(
                    f"{wh.secret_token_env}: a webhook secret may only use A-Z a-z 0-9 _ - "
                    "(1-256 characters)"
                )
        keys = self.read_keys(env)
        check_writable(Path(self.store.path), "[store] path")
        check_writable(Path(self.store.resolved_fallback_path), "[store] fallback_path")
        return token, keys

    def webhook_secret(self, env: Mapping[str, str] | None = None) -> str:
        env = os.environ if env is None else env
        return env.get(self.telegram.webhook.secret_token_env, "")

    def read_keys(self, env: Mapping[str, str] | None = None) -> Keys:
        """The HMAC key is mandatory (see bot/store/crypto.py for why it is never derived and
        stored); the content key is optional: without it message content is simply not kept."""
        env = os.environ if env is None else env
        hmac_text = env.get(self.secrets.hmac_key_env, "")
        if not hmac_text:
            raise AppConfigError(
                f"no HMAC key: set {self.secrets.hmac_key_env} (32 bytes, hex or base64)"
            )
        hmac_key = parse_key(hmac_text, self.secrets.hmac_key_env)
        content_text = env.get(self.secrets.content_key_env, "")
        content = parse_key(content_text, self.secrets.content_key_env) if content_text else None
        if content is not None and content == hmac_key:
            raise AppConfigError("the content key and the HMAC key must differ")
        return Keys(content=content, hmac=hmac_key)


def _detectors(data: Any) -> DetectorConfig:
    if data is not None and not isinstance(data, Mapping):
        raise AppConfigError("[detectors] must be a table")
    try:
        return DetectorConfig.from_mapping(data)
    except (TypeError, ValueError) as exc:
        text = str(exc)
        if not text.startswith(("[detectors", "detectors.")):
            text = f"[detectors] {text}"
        raise AppConfigError(text) from exc


def check_writable(path: Path, what: str) -> None:
    """The bot must be able to create and write `path` (and SQLite its -wal/-shm files beside
    it); say so plainly rather than fail later with a traceback."""
    parent = path.parent if str(path.parent) else Path(".")
    probe = parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise AppConfigError(f"{what} {path}: {probe} is a file, not a folder")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AppConfigError(
            f"{what} {path}: cannot create the folder {parent} ({exc.strerror})"
        ) from None
    if path.exists() and path.is_dir():
        raise AppConfigError(f"{what} {path} is a folder; name a file inside it")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise AppConfigError(f"{what} {path}: not writable by this user")
