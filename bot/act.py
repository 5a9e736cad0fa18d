"""Act on a verdict: per-chat policy → record, delete, warn the sender, alert the ethics office.

Order matters and is deliberate:
1. record the incident first (one short transaction) — whatever fails later, nothing is lost;
2. delete next, because every millisecond a leak stays visible it can be read or forwarded;
3. warn and alert last, as background tasks, so a slow DM never delays the next deletion.

Policy modes: `monitor` records only; `warn` records and warns; `enforce` also deletes when the
detector's recommended action is `delete`. At most one warning is sent per message, however
often it is edited.

Callback data formats (other modules rely on them):
- `ap:<incident_id>` — the sender's "我認為這是誤判" (appeal) button in the warning DM;
- `rv:<confirm|fp|follow>:<incident_id>` — the ethics alert's buttons.
Both are handled only by issue 5's review module (bot/review/commands.py).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.config import AppConfig
from bot.messages import Messages, display_name
from bot.store import FindingRecord, Store
from bot.timeutil import display, iso, now_taipei
from detectors.types import Action, ScanResult, Severity

log = logging.getLogger(__name__)

DELETE_WINDOW = timedelta(hours=48)  # Telegram refuses deleteMessage after this
_ANONYMOUS_ADMIN_BOT = 1087968824  # "GroupAnonymousBot": the sender of anonymous admins' messages


@dataclass(slots=True)
class Detected:
    """One scanned message (or edit/caption/media) with everything needed to act on it."""

    message: Message
    kind: str  # message | edit | caption | photo | document | forward
    result: ScanResult
    values: list[str]  # raw value per finding, used only for the HMAC, never stored
    content: str | None  # original text, stored only encrypted
    evidence_png: bytes | None = None
    media_status: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def message_link(chat_id: int, message_id: int) -> str | None:
    """t.me/c/<id>/<msg> works for supergroups and channels (ids of the form -100…)."""
    text = str(chat_id)
    if text.startswith("-100"):
        return f"https://t.me/c/{text[4:]}/{message_id}"
    return None


def alert_keyboard(incident_id: int, msgs: Messages) -> InlineKeyboardMarkup:
    """The ethics alert's buttons. Issue 5's review module owns them (確認違規 / 誤判 / 需追蹤 and
    their single handler); without it, a plain 確認違規 / 誤判 pair with the same callback_data."""
    try:
        from bot.review.commands import review_keyboard
    except ModuleNotFoundError:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        msgs.t("alert.confirm_button"), callback_data=f"rv:confirm:{incident_id}"
                    ),
                    InlineKeyboardButton(
                        msgs.t("alert.false_positive_button"),
                        callback_data=f"rv:fp:{incident_id}",
                    ),
                ]
            ]
        )
    return review_keyboard(incident_id, msgs.locale)


class Actor:
    def __init__(self, config: AppConfig, store: Store, msgs: Messages) -> None:
        self.config = config
        self.store = store
        self.msgs = msgs

    # -- policy --------------------------------------------------------------------------------

    def mode_for(self, chat_id: int) -> str:
        """`/dlp mode` (stored in `chats`) wins over `[policy.chats]`, which wins over default."""
        row = self.store.get_chat(chat_id)
        if row and row.get("mode"):
            return str(row["mode"])
        return self.config.policy.mode_for(chat_id)

    def should_alert(self, result: ScanResult) -> bool:
        return result.severity >= self.config.policy.alert_threshold

    # -- the whole response ---------------------------------------------------------------

    async def respond(self, app: Application, det: Detected) -> int:
        """Record, then delete/warn/alert per policy. Returns the incident id."""
        msg = det.message
        chat = msg.chat
        mode = self.mode_for(chat.id)
        earlier = self.store.incidents_for_message(chat.id, msg.message_id)
        sender = msg.from_user
        sent = msg.edit_date if det.kind == "edit" and msg.edit_date else msg.date
        findings = [
            FindingRecord(f, v) for f, v in zip(det.result.findings, det.values, strict=False)
        ]
        incident_id = self.store.add_incident(
            {
                "chat_id": chat.id,
                "chat_title": chat.title or chat.full_name or "",
                "message_id": msg.message_id,
                "media_group_id": msg.media_group_id,
                "sender_id": sender.id if sender else None,
                "sender_name": self._sender_name(msg),
                "sent_at": iso(sent) if sent else None,
                "kind": det.kind,
                "categories": sorted(det.result.categories),
                "severity": det.result.severity.label,
                "severity_level": int(det.result.severity),
                "recommended_action": det.result.action.label,
                "policy_mode": mode,
                "evidence_png": det.evidence_png,
                "media_status": det.media_status,
            },
            findings,
            content=det.content,
        )
        log.info(
            "incident %d chat=%d msg=%d kind=%s cats=%s severity=%s mode=%s",
            incident_id,
            chat.id,
            msg.message_id,
            det.kind,
            ",".join(sorted(det.result.categories)),
            det.result.severity.label,
            mode,
        )
        action_taken = "none"
        delete_error: str | None = None
        if mode == "enforce" and det.result.action >= Action.DELETE:
            action_taken, delete_error = await self.delete(app.bot, msg)
            self.store.update_incident(
                incident_id, action_taken=action_taken, delete_error=delete_error
            )
        already_warned = any(r["warned_via"] != "none" for r in earlier)
        if mode in ("warn", "enforce") and not already_warned:
            await _background(app, self.warn(app, incident_id, det, action_taken), "dlp-warn")
        if self.should_alert(det.result) or action_taken == "delete_failed":
            await _background(
                app, self.alert(app.bot, incident_id, det, action_taken, delete_error), "dlp-alert"
            )
        return incident_id

    async def record_unscanned(self, message: Message, kind: str, media_status: str) -> int:
        """Record a file the bot could not read: no finding, no warning, visible in review."""
        chat = message.chat
        sender = message.from_user
        sent = message.edit_date if kind == "edit" and message.edit_date else message.date
        incident_id = self.store.add_incident(
            {
                "chat_id": chat.id,
                "chat_title": chat.title or chat.full_name or "",
                "message_id": message.message_id,
                "media_group_id": message.media_group_id,
                "sender_id": sender.id if sender else None,
                "sender_name": self._sender_name(message),
                "sent_at": iso(sent) if sent else None,
                "kind": kind,
                "categories": [],
                "severity": "none",
                "severity_level": 0,
                "recommended_action": "none",
                "policy_mode": self.mode_for(chat.id),
                "evidence_png": None,
                "media_status": media_status,
            },
            [],
            content=None,
        )
        log.info(
            "media not scanned: incident %d chat=%d msg=%d status=%s",
            incident_id, chat.id, message.message_id, media_status,
        )
        return incident_id

    @staticmethod
    def _sender_name(msg: Message) -> str:
        if msg.sender_chat is not None:
            return msg.sender_chat.title or "anonymous"
        return display_name(msg.from_user) if msg.from_user else ""

    # -- delete --------------------------------------------------------------------------------

    async def delete(self, bot: Bot, msg: Message) -> tuple[str, str | None]:
        """Returns (action_taken, error). Network errors are retried by the rate limiter; what
        reaches here is a definite refusal (no rights, too old, already gone)."""
        if msg.date and now_taipei() - msg.date > DELETE_WINDOW:
            return "delete_failed", "too_old"
        try:
            await bot.delete_message(chat_id=msg.chat.id, message_id=msg.message_id)
            return "deleted", None
        except BadRequest as exc:
            text = exc.message.lower()
            if "not found" in text:
                # A retried request whose first attempt did succeed: the leak is gone.
                return "deleted", None
            if "can't be deleted" in text or "cant be deleted" in text:
                return "delete_failed", "no_rights"
            return "delete_failed", exc.message[:200]
        except Forbidden as exc:
            return "delete_failed", exc.message[:200]
        except TelegramError as exc:
            return "delete_failed", type(exc).__name__

    # -- warn ----------------------------------------------------------------------------------

    def _action_key(self, action_taken: str) -> str:
        return {"deleted": "deleted", "delete_failed": "delete_failed"}.get(action_taken, "kept")

    def warning_text(self, det: Detected, action_taken: str) -> str:
        m = self.msgs
        cat = m.first_category(det.result.categories)
        when = det.message.edit_date if det.kind == "edit" else det.message.date
        return (
            m.t("dm.title")
            + "\n\n"
            + m.t(
                "dm.body",
                chat=det.message.chat.title or "",
                time=display(when or now_taipei()),
                categories=m.categories(det.result.categories),
                action=m.t(f"action.{self._action_key(action_taken)}"),
                findings=m.findings(f.masked for f in det.result.findings),
                why=m.t(f"why.{cat}"),
                instead=m.t(f"instead.{cat}"),
            )
        )

    async def warn(self, app: Application, incident_id: int, det: Detected, action: str) -> None:
        """DM the sender; if they never started the bot (403), post a short self-deleting
        notice in the group that mentions them and repeats none of the content."""
        msg = det.message
        user = msg.from_user
        can_dm = (
            user is not None
            and not user.is_bot
            and user.id != _ANONYMOUS_ADMIN_BOT
            and msg.sender_chat is None
        )
        if can_dm and user is not None:
            try:
                await app.bot.send_message(
                    chat_id=user.id,
                    text=self.warning_text(det, action),
                    reply_markup=InlineKeyboardMarkup(
                        [
                            [
                                InlineKeyboardButton(
                                    self.msgs.t("dm.appeal_button"),
                                    callback_data=f"ap:{incident_id}",
                                )
                            ]
                        ]
                    ),
                )
                self.store.update_incident(incident_id, warned_via="dm")
                return
            except Forbidden:
                log.info("incident %d: DM refused (403), falling back to group notice", incident_id)
            except TelegramError as exc:
                log.warning("incident %d: DM failed: %s", incident_id, type(exc).__name__)
        await self.group_notice(app, incident_id, det, action)

    async def group_notice(
        self, app: Application, incident_id: int, det: Detected, action: str
    ) -> None:
        msg = det.message
        if msg.from_user and msg.sender_chat is None:
            mention = (
                f'<a href="tg://user?id={msg.from_user.id}">'
                f"{html.escape(display_name(msg.from_user))}</a>"
            )
        else:
            mention = html.escape(self._sender_name(msg))
        text = self.msgs.t(
            "notice.group",
            mention=mention,
            categories=html.escape(self.msgs.categories(det.result.categories)),
            action=html.escape(self.msgs.t(f"action.{self._action_key(action)}")),
        )
        try:
            sent = await app.bot.send_message(
                chat_id=msg.chat.id, text=text, parse_mode=ParseMode.HTML
            )
        except TelegramError as exc:
            log.warning("incident %d: group notice failed: %s", incident_id, type(exc).__name__)
            return
        self.store.update_incident(incident_id, warned_via="group_notice")
        delay = self.config.policy.notice_delete_after_seconds
        if app.job_queue is not None:
            app.job_queue.run_once(
                _delete_notice,
                when=delay,
                data=(sent.chat.id, sent.message_id),
                name=f"notice-{incident_id}",
            )

    # -- alert ---------------------------------------------------------------------------------

    def alert_text(
        self, incident_id: int, det: Detected, action_taken: str, delete_error: str | None
    ) -> str:
        m = self.msgs
        msg = det.message
        link = None if action_taken == "deleted" else message_link(msg.chat.id, msg.message_id)
        action_label = m.t(f"action.{self._action_key(action_taken)}")
        if delete_error:
            action_label += f"（{self.delete_reason(delete_error)}）"
        return (
            m.t("alert.title", id=incident_id)
            + "\n"
            + m.t(
                "alert.body",
                chat=msg.chat.title or str(msg.chat.id),
                sender=self._sender_name(msg),
                time=display(msg.date or now_taipei()),
                categories=m.categories(det.result.categories),
                severity=m.t(f"severity.{det.result.severity.label}"),
                findings=m.findings(f.masked for f in det.result.findings),
                action=action_label,
                link=link or m.t("alert.no_link"),
            )
        )

    def delete_reason(self, code: str) -> str:
        known = {"too_old": "rights.too_old", "no_rights": "rights.not_admin"}
        return self.msgs.t(known[code]) if code in known else self.msgs.t("rights.unknown")

    async def alert(
        self,
        bot: Bot,
        incident_id: int,
        det: Detected,
        action_taken: str,
        delete_error: str | None,
    ) -> None:
        chat_id = self.config.ethics.chat_id
        if not chat_id:
            return
        try:
            sent = await bot.send_message(
                chat_id=chat_id,
                text=self.alert_text(incident_id, det, action_taken, delete_error),
                reply_markup=alert_keyboard(incident_id, self.msgs),
                disable_web_page_preview=True,
            )
        except TelegramError as exc:
            log.error("incident %d: ethics alert failed: %s", incident_id, type(exc).__name__)
            return
        self.store.update_incident(
            incident_id, alert_chat_id=sent.chat.id, alert_message_id=sent.message_id
        )

    # -- rights --------------------------------------------------------------------------------

    async def check_rights(self, bot: Bot, chat_id: int, announce: bool = True) -> list[str]:
        """Ask Telegram what the bot may do in `chat_id`, store it, and tell the chat plainly
        which permission is missing. Returns the missing rights' message keys."""
        try:
            member = await bot.get_chat_member(chat_id=chat_id, user_id=bot.id)
        except TelegramError as exc:
            log.warning("rights check for chat %d failed: %s", chat_id, type(exc).__name__)
            return []
        return await self.record_rights(bot, chat_id, member, announce)

    async def record_rights(
        self, bot: Bot, chat_id: int, member: Any, announce: bool, title: str | None = None
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
        values: dict[str, Any] = {"bot_status": status, "can_delete": int(can_delete)}
        if title:
            values["title"] = title
        self.store.upsert_chat(chat_id, **values)
        gone = status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
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


async def _background(app: Application, coro: Coroutine[Any, Any, None], name: str) -> None:
    """Run `coro` as a background task while the bot runs; during a graceful stop (PTB still
    handles the updates it already fetched, but no longer awaits new tasks) run it inline, so
    the last messages' warnings and alerts are not dropped on shutdown."""
    if app.running:
        app.create_task(coro, name=name)
    else:
        await coro


async def _delete_notice(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback: the in-group notice removes itself after the configured delay."""
    job = context.job
    if job is None or not job.data:
        return
    chat_id, message_id = job.data  # type: ignore[misc]
    try:
        await context.bot.delete_message(chat_id=chat_id, message_id=message_id)
    except TelegramError as exc:
        log.warning("could not delete notice in chat %d: %s", chat_id, type(exc).__name__)


def review_time() -> str:
    return display(datetime.now(tz=now_taipei().tzinfo))


# Severity is re-exported for handlers that compare thresholds without importing detectors.
__all__ = ["Actor", "Detected", "Severity", "alert_keyboard", "message_link", "review_time"]
