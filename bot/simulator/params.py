"""Decoding Bot API request parameters the way Telegram does.

python-telegram-bot posts form fields (every value a string, lists/objects as JSON text) or
multipart when it uploads files; other clients post JSON bodies with native types. `Params`
accepts all three and raises `ApiError` with Telegram's wording when a value is missing or bad.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Bot API parameters whose type is an object or an array (sent as JSON text in form posts).
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "entities",
        "caption_entities",
        "link_preview_options",
        "allowed_updates",
        "commands",
        "scope",
        "message_ids",
        "media",
        "permissions",
        "rights",
    }
)


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram's description, optional retry_after."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


def forbidden(text: str) -> ApiError:
    return ApiError(403, f"Forbidden: {text}")


@dataclass
class Upload:
    """One multipart file part."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Params:
    """The request's parameters (`values`) and multipart file parts (`uploads`).

    `stored` is filled by the method with the file each file parameter became (e.g. "photo" →
    the original photo), so the call log shows exactly what the bot uploaded.
    """

    values: dict[str, Any]
    uploads: dict[str, Upload] = field(default_factory=dict)
    stored: dict[str, Any] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def str(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None:
            if required:
                raise bad_request(f"{name} is empty" if name == "text" else f"{name} required")
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def int(self, name: str, default: int | None = None, *, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value in (None, ""):
            if required:
                raise bad_request(f"{name} required" if name != "chat_id" else "chat not found")
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            if name == "chat_id":
                # Telegram also accepts @username for public chats; resolved by the caller.
                raise bad_request("chat not found") from None
            raise bad_request(f"invalid {name} specified") from None

    def float(self, name: str, default: float | None = None) -> float | None:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1")

    def json(self, name: str, default: Any = None) -> Any:
        """A list/object parameter: JSON text in form posts, native in JSON posts."""
        value = self.values.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, (dict, list)):
            return value
        try:
            return json.loads(value)
        except (TypeError, ValueError):
            raise bad_request(f"can't parse {name} JSON object") from None

    def printable(self) -> dict[str, Any]:
        """Parameters with JSON-typed ones decoded, for the call log tests inspect.

        Only parameters the Bot API defines as objects/arrays are decoded, so a message text
        that happens to look like JSON ("[1, 2]") stays the string the bot sent.
        """
        out: dict[str, Any] = {}
        for key, value in self.values.items():
            if key in JSON_PARAMS and isinstance(value, str) and value[:1] in ("{", "["):
                try:
                    out[key] = json.loads(value)
                    continue
                except ValueError:
                    pass
            out[key] = value
        return out
