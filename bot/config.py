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
from typing import Any

from detectors.config import DetectorConfig
from detectors.types import Severity

MODES: tuple[str, ...] = ("monitor", "warn", "enforce")
_TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")


class AppConfigError(ValueError):
    """A configuration problem, worded so an administrator can fix it without reading code."""


def _section(doc: Mapping[str, Any], name: str, cls: type) -> Any:
    """Build dataclass `cls` from `doc[name]`, rejecting unknown keys (typos disable safeguards)."""
    data = doc.get(name) or {}
    if not isinstance(data, Mapping):
        raise AppConfigError(f"[{name}] must be a table")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise AppConfigError(f"[{name}] has unknown keys: {', '.join(unknown)}")
    return cls(**data)


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
    # Telegram's real limits: ~30 requests/s overall, 20 messages/min per group.
    overall_max_rate: float = 30.0
    group_max_rate: float = 20.0
    group_time_period: float = 60.0
    retry_after_retries: int = 3  # RetryAfter (429) retries, honouring retry_after
    network_retries: int = 4  # 5xx / timeouts, with exponential backoff
    backoff_seconds: float = 0.25
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
    retention_days: int = 180
    purge_hour: int = 3  # daily purge at 03:00 Asia/Taipei


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
        tg = dict(doc.get("telegram") or {})
        webhook = _section(tg, "webhook", WebhookConfig)
        tg.pop("webhook", None)
        telegram = _section({"telegram": tg}, "telegram", TelegramConfig)
        telegram.webhook = webhook
        policy = _section(doc, "policy", PolicyConfig)
        policy.chats = {str(k): str(v) for k, v in (policy.chats or {}).items()}
        ethics = _section(doc, "ethics", EthicsConfig)
        ethics.chat_id = int(ethics.chat_id or 0)
        ethics.staff = [int(x) for x in ethics.staff]
        owned = {"telegram", "policy", "ethics", "store", "secrets", "media", "detectors"}
        cfg = cls(
            telegram=telegram,
            policy=policy,
            ethics=ethics,
            store=_section(doc, "store", StoreConfig),
            secrets=_section(doc, "secrets", SecretsConfig),
            media=dict(doc.get("media") or {}),
            detectors=DetectorConfig.from_mapping(doc.get("detectors")),
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
        if self.policy.locale not in ("zh-TW", "en"):
            raise AppConfigError('[policy] locale must be "zh-TW" or "en"')
        if self.store.retention_days < 1:
            raise AppConfigError("[store] retention_days must be at least 1")

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
        if self.telegram.mode == "webhook" and not self.telegram.webhook.webhook_url:
            raise AppConfigError("[telegram.webhook] webhook_url is required in webhook mode")
        return token, self.read_keys(env)

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
