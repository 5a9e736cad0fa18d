"""Receiving updates: which Telegram updates the bot reacts to and how each is dispatched.

Handler groups (PTB runs the first matching handler of each group, groups in order):
- group -100: drop updates already handled before a restart (`processed_updates`);
- group 0: group messages and edits (scan → act), bot membership changes;
- group 1: the `/dlp` command (also scanned in group 0: a command can leak as well);
- group 2: issue 5's review module (`bot.review.commands.register_review_handlers`): the ethics
  commands, the alert buttons `rv:<confirm|fp|follow>:<id>` and the appeal button `ap:<id>` —
  each button has exactly one handler, there; its own group so the group-message scanner of
  group 0 never shadows its commands (the appeal-reason handler sits in group -5);
- group 100: remember the update as processed — only after everything above has finished, so a
  crash before that point means the update is handled again rather than lost.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.act import ALERT_MEDIA_STATUSES, Actor, Detected, StoreUnavailable
from bot.config import MODES, AppConfig
from bot.messages import Messages, display_name
from bot.scan import ScanService
from bot.store import Store
from detectors.types import ScanResult

log = logging.getLogger(__name__)

ALLOWED_UPDATES: list[str] = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]


@dataclass(slots=True)
class Services:
    """Everything the handlers need, kept in `application.bot_data["dlp"]`."""

    config: AppConfig
    store: Store
    scan: ScanService
    msgs: Messages
    actor: Actor
    media: Any = None  # bot.media.MediaScanner when importable


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["dlp"]  # type: ignore[no-any-return]


# -- restart safety -----------------------------------------------------------------------------


async def skip_processed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if services(context).store.is_processed(update.update_id):
        log.info("update %d already handled before; skipped", update.update_id)
        raise ApplicationHandlerStop


async def mark_processed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services(context).store.mark_processed(update.update_id)


# -- messages -------------------------------------------------------------------------------------


def message_kind(update: Update, message: Message) -> str:
    if update.edited_message is not None:
        return "edit"
    if message.forward_origin is not None:
        return "forward"
    if message.contact is not None:
        return "contact"
    if message.photo:
        return "photo"
    if message.document is not None:
        return "document"
    if message.caption:
        return "caption"
    return "message"


def merge(a: ScanResult, b: ScanResult) -> ScanResult:
    """One verdict for a message whose caption and attachment were scanned separately."""
    return ScanResult(
        findings=[*a.findings, *b.findings],
        categories=a.categories | b.categories,
        severity=max(a.severity, b.severity),
        action=max(a.action, b.action),
        reasons=[*a.reasons, *b.reasons],
        error=a.error or b.error,
    )


def _values(text: str, result: ScanResult) -> list[str]:
    n = len(text)
    return [text[f.start : f.end] if 0 <= f.start < f.end <= n else "" for f in result.findings]


# Media outcomes whose content was read (fully or in part); anything else is "not scanned".
_READ_STATUSES = frozenset({"scanned", "partial"})


def contact_text(contact: Any) -> str:
    """A shared contact card as the text a person would read on it (name, number, vCard)."""
    first, last = contact.first_name or "", contact.last_name or ""
    name = display_name(SimpleNamespace(  # 陳美玲, as it would be written, not "美玲 陳"
        first_name=first, last_name=last, full_name=" ".join(p for p in (first, last) if p)
    ))
    parts = [f"聯絡人 {name}" if name else "", f"電話 {contact.phone_number}"]
    if contact.vcard:
        parts.append(contact.vcard)
    return "\n".join(p for p in parts if p)


def message_texts(message: Message) -> list[str]:
    """Every piece of text a message shows: its text or caption, the quoted part of the message
    it replies to (a quote can carry a leak from another chat), and a shared contact card."""
    parts = [message.text or message.caption or ""]
    if message.quote is not None and message.quote.text:
        parts.append(message.quote.text)
    contact = message.contact
    if contact is None and message.external_reply is not None:
        contact = message.external_reply.contact
    if contact is not None:
        parts.append(contact_text(contact))
    return [p for p in parts if p.strip()]


async def _scan_media(
    svc: Services, context: ContextTypes.DEFAULT_TYPE, message: Message
) -> tuple[Any, str]:
    """The media outcome (or None) and its status; never raises for the file's sake."""
    try:
        outcome = await svc.media.scan_message(context.bot, message)
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise  # the bot itself is being stopped: not ours to swallow
        # The job was cancelled under us (its worker pool shut down): the caption's verdict
        # still stands, and the file is recorded as not scanned.
        log.error("media job cancelled for msg %d", message.message_id)
        return None, "cancelled"
    except Exception as exc:
        log.error("media scan failed for msg %d: %s", message.message_id, type(exc).__name__)
        return None, "error"
    if outcome is None:
        return None, ""
    return outcome, str(outcome.status)


async def on_group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Scan a new or edited group message (text, caption, quote, contact, forward, media) and
    act on it. Nothing passes silently: what could not be (fully) read is recorded, and a
    failure of the bot itself (scanner crash or timeout, media job failure) alerts ethics."""
    svc = services(context)
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id or message.migrate_from_chat_id:
        carry_over_migration(svc, message)
        return
    kind = message_kind(update, message)
    text = "\n".join(message_texts(message))
    result = await svc.scan.scan(text) if text.strip() else ScanResult()
    text_error = result.error
    values = _values(text, result)
    content = text or None
    evidence: bytes | None = None
    original: tuple[bytes, str] | None = None
    media_status: str | None = None
    if svc.media is not None and (message.photo or message.document is not None):
        outcome, status = await _scan_media(svc, context, message)
        media_status = status or None
        if outcome is not None:
            evidence = outcome.evidence_png
            if outcome.original is not None:  # set by the media scanner for incidents only
                original = (outcome.original, outcome.mime)
            if outcome.result is not None:
                media_text = outcome.text or ""
                values += _values(media_text, outcome.result)
                result = merge(result, outcome.result)
                if media_text:
                    content = f"{text}\n---\n{media_text}" if text else media_text
    if text_error:
        log.warning("msg %d in chat %d: scan error %s", message.message_id, message.chat.id,
                    text_error)
    media_unread = media_status is not None and media_status not in _READ_STATUSES
    errors = [e for e in (text_error, f"media:{media_status}" if media_status and
                          media_status != "scanned" else None) if e]
    if not errors:
        scan_status = "scanned"
    else:
        read_any = bool(text.strip() and not text_error) or media_status in _READ_STATUSES
        scan_status = "partial" if read_any else "unscanned"
    if not result.is_incident and scan_status == "scanned":
        return
    await svc.actor.respond(
        context.application,
        Detected(
            message=message,
            kind=kind,
            result=result,
            values=values,
            content=content,
            evidence_png=evidence,
            original=original[0] if original else None,
            original_mime=original[1] if original else None,
            media_status=media_status,
            update_id=update.update_id,
            scan_status=scan_status,
            scan_error=errors[0] if errors else None,
            # A failure of the bot, not of the file: ethics staff must look at it themselves.
            alert_unscanned=bool(text_error) or (media_unread and media_status in
                                                 ALERT_MEDIA_STATUSES),
        ),
    )


def carry_over_migration(svc: Services, message: Message) -> None:
    """A basic group became a supergroup (new chat id): its per-chat mode moves with it.
    Telegram sends `migrate_to_chat_id` in the old chat and `migrate_from_chat_id` in the new
    one; either is enough, both are harmless."""
    if message.migrate_to_chat_id:
        old_id, new_id = message.chat.id, int(message.migrate_to_chat_id)
    else:
        old_id, new_id = int(message.migrate_from_chat_id or 0), message.chat.id
    old = svc.store.get_chat(old_id) or {}
    new = svc.store.get_chat(new_id) or {}
    mode = old.get("mode") or svc.config.policy.chats.get(str(old_id))
    if mode and not new.get("mode"):
        svc.store.upsert_chat(new_id, mode=mode, title=message.chat.title or old.get("title"))
        log.info("chat %d migrated to %d: mode %s carried over", old_id, new_id, mode)
    if str(old_id) in svc.config.policy.chats and str(new_id) not in svc.config.policy.chats:
        log.warning("chat %d is now %d: update [policy.chats] in the configuration", old_id,
                    new_id)


# -- membership and commands -----------------------------------------------------------------------


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was added, promoted, restricted or removed: re-check, announce missing rights in
    the chat, and tell the ethics office when the chat lost the bot's protection."""
    svc = services(context)
    change = update.my_chat_member
    if change is None or change.chat.type not in ("group", "supergroup"):
        return
    await svc.actor.record_rights(
        context.bot,
        change.chat.id,
        change.new_chat_member,
        announce=True,
        title=change.chat.title,
        old_member=change.old_chat_member,
        changed_by=change.from_user,
    )


def configured_chat_admins(config: AppConfig, chat_id: int) -> set[int]:
    """`[review] chat_admins = {"<chat id>" = [user ids]}`: administrators by configuration."""
    review = config.sections.get("review") or {}
    admins = review.get("chat_admins") or {} if isinstance(review, dict) else {}
    out: set[int] = set()
    if isinstance(admins, dict):
        for key, users in admins.items():
            if str(key).strip() == str(chat_id):
                out |= {int(u) for u in users or () if str(u).lstrip("-").isdigit()}
    return out


def configured_ethics_staff(config: AppConfig) -> set[int]:
    review = config.sections.get("review") or {}
    extra = review.get("ethics_staff") or [] if isinstance(review, dict) else []
    return set(config.ethics.staff) | {int(u) for u in extra if str(u).lstrip("-").isdigit()}


async def can_change_mode(
    svc: Services, context: ContextTypes.DEFAULT_TYPE, msg: Message
) -> tuple[bool, str]:
    """Whether the sender may switch this chat's mode, and as what (for the audit log)."""
    user = msg.from_user
    if msg.sender_chat is not None and msg.sender_chat.id == msg.chat.id:
        return True, "anonymous_admin"  # an anonymous administrator speaking as the group
    if user is None:
        return False, "no_user"
    if user.id in configured_ethics_staff(svc.config):
        return True, "ethics"
    if user.id in configured_chat_admins(svc.config, msg.chat.id):
        return True, "configured_admin"
    try:
        member = await context.bot.get_chat_member(chat_id=msg.chat.id, user_id=user.id)
    except TelegramError:
        return False, "admin_check_failed"
    if member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER):
        return True, "telegram_admin"
    return False, "not_admin"


def audit(svc: Services, action: str, msg: Message, **detail: Any) -> None:
    """Append to the review layer's audit log (ids and settings only, never message text)."""
    try:
        from bot.review.audit import AuditLog
    except ModuleNotFoundError:
        return
    user = msg.from_user
    try:
        AuditLog(svc.store.db.conn).record(
            action,
            actor_id=user.id if user else None,
            actor_name=svc.actor._sender_name(msg),
            target=f"chat:{msg.chat.id}",
            **detail,
        )
    except sqlite3.Error as exc:
        log.error("audit entry not written: %s", type(exc).__name__)


async def on_dlp_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/dlp status` and `/dlp mode <monitor|warn|enforce>` (changes and refusals audited)."""
    svc = services(context)
    msg = update.effective_message
    if msg is None:
        return
    args = [a.lower() for a in (context.args or [])]
    m = svc.msgs
    if args[:1] == ["status"] or not args:
        await svc.actor.check_rights(context.bot, msg.chat.id, announce=False)
        mode = svc.actor.mode_for(msg.chat.id)
        await msg.reply_text(
            m.t(
                "status.text",
                mode=m.t(f"mode.{mode}"),
                rights=svc.actor.rights_summary(msg.chat.id),
            )
        )
        return
    if args[0] == "mode" and len(args) == 2 and args[1] in MODES:
        allowed, role = await can_change_mode(svc, context, msg)
        if not allowed:
            audit(svc, "denied", msg, command="dlp mode", mode=args[1], reason=role)
            log.info("chat %d: /dlp mode refused (%s)", msg.chat.id, role)
            await msg.reply_text(m.t("mode.denied"))
            return
        before = svc.actor.mode_for(msg.chat.id)
        svc.store.upsert_chat(msg.chat.id, mode=args[1], title=msg.chat.title)
        audit(svc, "mode", msg, command="dlp mode", before=before, after=args[1], role=role)
        log.info("chat %d mode set to %s", msg.chat.id, args[1])
        await msg.reply_text(m.t("mode.changed", mode=m.t(f"mode.{args[1]}")))
        return
    await msg.reply_text(m.t("mode.usage"))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure by type only (an exception's text may quote message content), and stop
    the update there: it is not marked processed, so if Telegram delivers it again it is
    handled again (a record the database refused is in the fallback file meanwhile)."""
    uid = update.update_id if isinstance(update, Update) else None
    error = context.error
    if isinstance(error, StoreUnavailable):
        log.error("update %s: acted on, but not stored (fallback file); not marked processed",
                  uid)
    else:
        log.error("handler error on update %s: %s", uid, type(error).__name__)
    if isinstance(update, Update):
        raise ApplicationHandlerStop


def register(app: Application) -> None:
    groups = filters.ChatType.GROUPS
    app.add_handler(TypeHandler(Update, skip_processed), group=-100)
    app.add_handler(
        MessageHandler(
            groups & (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE),
            on_group_message,
        ),
        group=0,
    )
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER), group=0)
    app.add_handler(
        CommandHandler("dlp", on_dlp_command, filters=groups & filters.UpdateType.MESSAGE), group=1
    )
    app.add_handler(TypeHandler(Update, mark_processed), group=100)
    app.add_error_handler(on_error)
