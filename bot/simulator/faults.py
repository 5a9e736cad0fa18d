"""Injected failures and Telegram-like rate limits.

A DLP bot must survive a flaky Telegram: 5xx answers, slow answers and 429 "Too Many Requests"
with `retry_after`. Tests arm these on demand (`fail_next`, `delay`, `retry_after`); real rate
limits (about 1 message/s per chat, 20/min per group, 30/s overall) can be switched on with
`RateLimits` but are off by default so ordinary tests are not throttled.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

# Methods that post a message and so count against Telegram's sending limits.
SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "sendAudio",
        "sendVideo",
        "sendVoice",
        "sendAnimation",
        "sendSticker",
        "copyMessage",
        "forwardMessage",
    }
)

_STATUS_TEXT = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class InjectedError:
    """What an armed fault answers instead of running the method."""

    status: int
    description: str
    retry_after: int | None = None


@dataclass
class _Armed:
    error: InjectedError | None
    delay: float
    remaining: int | None  # None = until cleared


@dataclass
class FaultPlan:
    """Per-method failures and delays, consumed in the order they were armed."""

    _armed: dict[str, list[_Armed]] = field(default_factory=lambda: defaultdict(list))

    def fail_next(
        self, method: str, times: int = 1, status: int = 502, description: str | None = None
    ) -> None:
        """Answer the next `times` calls of `method` with HTTP `status` (5xx by default)."""
        text = description or f"{_STATUS_TEXT.get(status, 'Error')}"
        self._armed[method].append(_Armed(InjectedError(status, text), 0.0, times))

    def retry_after(self, method: str, seconds: int, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 and `parameters.retry_after`."""
        text = f"Too Many Requests: retry after {seconds}"
        self._armed[method].append(_Armed(InjectedError(429, text, seconds), 0.0, times))

    def delay(self, method: str, seconds: float, times: int | None = None) -> None:
        """Make `method` answer `seconds` late (every call until cleared, or the next `times`)."""
        self._armed[method].append(_Armed(None, seconds, times))

    def clear(self, method: str | None = None) -> None:
        if method is None:
            self._armed.clear()
        else:
            self._armed.pop(method, None)

    def take(self, method: str) -> tuple[float, InjectedError | None]:
        """Consume what applies to this call: total delay and at most one error."""
        delay = 0.0
        error: InjectedError | None = None
        queue = self._armed.get(method, [])
        for armed in list(queue):
            if armed.error is not None and error is not None:
                continue
            delay += armed.delay
            if armed.error is not None:
                error = armed.error
            if armed.remaining is not None:
                armed.remaining -= 1
                if armed.remaining <= 0:
                    queue.remove(armed)
        return delay, error


@dataclass
class RateLimits:
    """Sliding-window limits on sending methods. Any limit set to None is not enforced."""

    per_chat_per_second: float | None = None
    per_chat_burst: int = 3
    per_group_per_minute: int | None = None
    global_per_second: int | None = None
    _chat_tokens: dict[int, tuple[float, float]] = field(default_factory=dict)
    _group_window: dict[int, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _global_window: deque[float] = field(default_factory=deque)

    @property
    def enabled(self) -> bool:
        return any(
            v is not None
            for v in (self.per_chat_per_second, self.per_group_per_minute, self.global_per_second)
        )

    @classmethod
    def telegram(cls) -> RateLimits:
        """Telegram's documented limits: ~1 msg/s per chat, 20/min per group, 30/s overall."""
        return cls(per_chat_per_second=1.0, per_group_per_minute=20, global_per_second=30)

    def check(self, chat_id: int | None, *, now: float | None = None) -> int | None:
        """Count one send; return retry_after seconds if it exceeds a limit (then not counted)."""
        now = time.monotonic() if now is None else now
        wait = 0.0
        if self.global_per_second is not None:
            window = self._global_window
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= self.global_per_second:
                wait = max(wait, 1.0 - (now - window[0]))
        if chat_id is not None and self.per_chat_per_second is not None:
            tokens, last = self._chat_tokens.get(chat_id, (float(self.per_chat_burst), now))
            tokens = min(self.per_chat_burst, tokens + (now - last) * self.per_chat_per_second)
            if tokens < 1.0:
                wait = max(wait, (1.0 - tokens) / self.per_chat_per_second)
            self._chat_tokens[chat_id] = (tokens, now)
        if chat_id is not None and chat_id < 0 and self.per_group_per_minute is not None:
            window = self._group_window[chat_id]
            while window and now - window[0] >= 60.0:
                window.popleft()
            if len(window) >= self.per_group_per_minute:
                wait = max(wait, 60.0 - (now - window[0]))
        if wait > 0:
            return max(1, math.ceil(wait))
        if self.global_per_second is not None:
            self._global_window.append(now)
        if chat_id is not None and self.per_chat_per_second is not None:
            tokens, _ = self._chat_tokens[chat_id]
            self._chat_tokens[chat_id] = (tokens - 1.0, now)
        if chat_id is not None and chat_id < 0 and self.per_group_per_minute is not None:
            self._group_window[chat_id].append(now)
        return None
