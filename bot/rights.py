"""The bot's own rights in each chat: ask Telegram, store the answer, tell the chat what is
missing, and warn the ethics office when a chat loses the bot's protection (removed, banned,
restricted, or no longer allowed to delete). A mixin of `bot.act.Actor`, whose store, messages
and ethics-notice outbox it uses.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from telegram import Bot
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.messages import display_name
from bot.timeutil import display, now_taipei

if TYPE_CHECKING:
    from bot.config import AppConfig
    from bot.messages import Messages
    from bot.store import Store

log = logging.getLogger("bot.act")


class RightsMixin:
    """Needs `config`, `store`, `msgs`, `add_ethics_notice` and `deliver_notice` (Actor's)."""

    config: AppConfig
    store: Store
    msgs: Messages


    async def check_rights(self, bot: Bot, chat_id: int, announce: bool = True) -> list[str]:
        """Ask Telegram what the bot may do in `chat_id`, store it, and tell the chat plainly
        which permission is missing. Returns the missing rights' message keys."""
        try:
            member = await bot.get_chat_member(chat_id=chat_id, user_id=bot.id)
        except (Forbidden, BadRequest) as exc:
            # "bot was kicked from the group chat" / "chat not found": it is not there any more.
            log.warning("rights check for chat %d refused: %s", chat_id, type(exc).__name__)
            await self._gone_while_away(bot, chat_id)
            return []
        except TelegramError as exc:
            log.warning("rights check for chat %d failed: %s", chat_id, type(exc).__name__)
            return []
        return await self.record_rights(bot, chat_id, member, announce)

    async def _gone_while_away(self, bot: Bot, chat_id: int) -> None:
        row = self.store.get_chat(chat_id)
        if not row or row.get("bot_status") in (None, "left", "kicked"):
            return
        self.store.upsert_chat(chat_id, bot_status="left", can_delete=0)
        await self._rights_alert(bot, chat_id, row.get("title") or "", "left", None)

    async def record_rights(
        self,
        bot: Bot,
        chat_id: int,
        member: Any,
        announce: bool,
        title: str | None = None,
        old_member: Any = None,
        changed_by: Any = None,
    ) -> list[str]:
        status = str(member.status)
        missing: list[str] = []
        if status == ChatMemberStatus.OWNER:
            can_delete = True
        elif status == ChatMemberStatus.ADMINISTRATOR:
            can_delete = bool(getattr(member, "can_delete_messages", False))
            if not can_delete:
                missing.append("rights.can_delete_messages")
        else:
            can_delete = False
            missing = ["rights.not_admin", "rights.can_delete_messages"]
        before = self.store.get_chat(chat_id) or {}
        if old_member is not None:
            old_status = str(old_member.status)
            old_delete = old_status == ChatMemberStatus.OWNER or (
                old_status == ChatMemberStatus.ADMINISTRATOR
                and bool(getattr(old_member, "can_delete_messages", False))
            )
        else:
            old_status = before.get("bot_status")
            old_delete = bool(before.get("can_delete"))
        values: dict[str, Any] = {"bot_status": status, "can_delete": int(can_delete)}
        if title:
            values["title"] = title
        self.store.upsert_chat(chat_id, **values)
        gone = status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
        was_there = old_status not in (None, ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
        change = None
        if gone and was_there:
            change = "kicked" if status == ChatMemberStatus.BANNED else "left"
        elif status == ChatMemberStatus.RESTRICTED and old_status != ChatMemberStatus.RESTRICTED:
            change = "restricted"
        elif old_delete and not can_delete and not gone:
            change = "lost_delete"
        if change is not None:
            await self._rights_alert(
                bot, chat_id, title or before.get("title") or "", change, changed_by
            )
        if missing and announce and not gone:
            text = self.msgs.t(
                "rights.missing_message",
                missing=self.msgs.t("finding.separator").join(self.msgs.t(k) for k in missing),
            )
            try:
                await bot.send_message(chat_id=chat_id, text=text)
            except TelegramError as exc:
                log.warning("could not tell chat %d about rights: %s", chat_id, type(exc).__name__)
        return missing

    async def _rights_alert(
        self, bot: Bot, chat_id: int, title: str, change: str, by: Any
    ) -> None:
        """Tell the ethics office that a chat lost the bot's protection (an outbox notice)."""
        log.warning("chat %d: bot %s", chat_id, change)
        if chat_id == self.config.ethics.chat_id:
            log.error("the bot's status in the ethics chat changed (%s): alerts may fail", change)
            return
        m = self.msgs
        consequence = "gone" if change in ("left", "kicked", "restricted") else "delete"
        who = f"{display_name(by)} ({by.id})" if by is not None else m.t("rights.by_unknown")
        text = m.t(
            "rights.ethics_alert",
            chat=title or str(chat_id),
            chat_id=chat_id,
            change=m.t(f"rights.change_{change}"),
            consequence=m.t(f"rights.consequence_{consequence}"),
            by=who,
            time=display(now_taipei()),
        )
        notice_id = self.add_ethics_notice("rights", text)
        if notice_id is not None:
            await self.deliver_notice(bot, notice_id)

    def rights_summary(self, chat_id: int) -> str:
        row = self.store.get_chat(chat_id) or {}
        if row.get("can_delete"):
            return self.msgs.t("status.rights_ok")
        missing = [self.msgs.t("rights.can_delete_messages")]
        if row.get("bot_status") not in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER):
            missing.insert(0, self.msgs.t("rights.not_admin"))
        return self.msgs.t(
            "status.rights_missing", missing=self.msgs.t("finding.separator").join(missing)
        )
