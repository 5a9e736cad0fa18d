"""Who may do what: ethics staff review everything; a chat's administrators see only their chat.

Roles come from configuration (Telegram user ids), never from Telegram's own admin list alone,
because a group creator is not necessarily entitled to read incident details. Chat
administrators may be listed per chat in config; the bot may also pass the ids Telegram reports
as administrators of a chat (`telegram_admins`) so the settings of their own chat stay reachable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Role(Enum):
    ETHICS = "ethics"
    CHAT_ADMIN = "chat_admin"
    NONE = "none"


REFUSAL = {
    "zh-TW": "抱歉，這個指令僅限政風（倫理）人員使用。如需協助，請洽本機關政風室。",
    "en": "Sorry, this command is limited to ethics staff. Please contact your ethics office.",
}
REFUSAL_ADMIN_OTHER_CHAT = {
    "zh-TW": "抱歉，您只能查看自己管理的群組的設定與統計。",
    "en": "Sorry, you can only see the settings and counts of the chats you administer.",
}


@dataclass(slots=True)
class Roles:
    """`ethics`: user ids of ethics staff. `chat_admins`: chat id → admin user ids."""

    ethics: frozenset[int] = frozenset()
    chat_admins: dict[int, frozenset[int]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> Roles:
        """Reads `[review]`: `ethics_staff = [ids]`, `chat_admins = {"<chat id>" = [ids]}`."""
        data = data or {}
        ethics = frozenset(int(x) for x in data.get("ethics_staff", ()) or ())
        admins_raw = data.get("chat_admins", {}) or {}
        admins = {int(k): frozenset(int(u) for u in v) for k, v in admins_raw.items()}
        return cls(ethics=ethics, chat_admins=admins)

    def is_ethics(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.ethics

    def admin_chats(self, user_id: int | None, telegram_admins: Iterable[int] = ()) -> set[int]:
        """The chats whose settings and counts this user may see as an administrator."""
        if user_id is None:
            return set()
        return {c for c, users in self.chat_admins.items() if user_id in users} | set(
            telegram_admins
        )

    def role_of(self, user_id: int | None) -> Role:
        if self.is_ethics(user_id):
            return Role.ETHICS
        if self.admin_chats(user_id):
            return Role.CHAT_ADMIN
        return Role.NONE
