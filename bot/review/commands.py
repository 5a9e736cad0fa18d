"""Telegram handlers of the review module: commands, decision buttons, appeals.

Thin on purpose: parsing arguments, checking roles, and sending replies. What is read or changed
(and its audit entry) happens in `ReviewService`, so the behaviour is the same from the bot, the
CLI and the tests.

Callback data (shared with bot/act.py): `rv:<confirm|fp|follow>:<incident_id>` on ethics alerts
and appeal messages, `ap:<incident_id>` on the sender's warning DM.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.messages import display_name
from bot.review import audit as A
from bot.review.allowlist import AllowListManager
from bot.review.charts import render_month_chart
from bot.review.export import to_csv, to_xlsx
from bot.review.retention import schedule_daily_purge
from bot.review.roles import Roles
from bot.review.service import Actor, IncidentFilter, ReviewError, ReviewService
from bot.review.texts import TEXTS, t
from bot.review.timeutil import parse_month
from bot.timeutil import display

log = logging.getLogger(__name__)

ACTION_STATUS = {"confirm": "confirmed", "fp": "false_positive", "follow": "follow_up"}
STATUS_ACTION = {v: k for k, v in ACTION_STATUS.items()}
_RV_PATTERN = r"^rv:(confirm|fp|follow):(\d+)$"
_AP_PATTERN = r"^ap:(\d+)$"
BOT_DATA_KEY = "review"


@dataclass(slots=True)
class ReviewContext:
    """Everything the handlers need, kept in `application.bot_data["review"]`."""

    service: ReviewService
    roles: Roles
    allow: AllowListManager | None
    ethics_chat_id: int
    locale: str = "zh-TW"

    def t(self, key: str, **values: Any) -> str:
        return t(self.locale, key, **values)


def review_keyboard(incident_id: int, locale: str = "zh-TW") -> InlineKeyboardMarkup:
    """The three decision buttons: 確認違規 / 誤判 / 需追蹤."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(locale, f"button.{status}"), callback_data=f"rv:{action}:{incident_id}"
                )
                for action, status in ACTION_STATUS.items()
            ]
        ]
    )


def _rc(context: ContextTypes.DEFAULT_TYPE) -> ReviewContext:
    return context.application.bot_data[BOT_DATA_KEY]


def _actor(update: Update) -> Actor:
    user = update.effective_user
    return Actor(user.id, display_name(user)) if user else Actor(0, "")


def _categories(rc: ReviewContext, raw: str | list[str] | None) -> str:
    cats = json.loads(raw) if isinstance(raw, str) else list(raw or [])
    return "、".join(rc.t(f"cat.{c}") if f"cat.{c}" in TEXTS["zh-TW"] else c for c in cats)


def _time(value: str | None) -> str:
    return display(value) if value else "-"


async def _reply(update: Update, text: str, **kw: Any) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(text, **kw)


Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def review_place(rc: ReviewContext, update: Update) -> bool:
    """Where review commands may answer: the configured ethics chat, and a user's private chat
    with the bot. Never an ordinary work group, whoever asks there."""
    chat = update.effective_chat
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        user = update.effective_user
        return user is not None and chat.id == user.id
    return bool(rc.ethics_chat_id) and chat.id == rc.ethics_chat_id


async def refuse(
    update: Update, rc: ReviewContext, command: str, *, where: str, text_key: str
) -> None:
    """Audit a refusal (who, which command, in which chat, why) and answer politely.

    `where` is "chat" (right person, wrong place, or anyone in a work group) or "role". The
    answer in a work group is the same neutral sentence for everyone, so it tells the group
    neither who is ethics staff nor whether an incident exists."""
    actor = _actor(update)
    chat = update.effective_chat
    rc.service.audit.record(
        A.DENIED,
        actor_id=actor.id,
        actor_name=actor.name,
        command=command,
        chat_id=chat.id if chat else None,
        where=where,
    )
    log.info("review: /%s refused for user %d (%s)", command, actor.id, where)
    await _reply(update, rc.t(text_key))


def ethics_only(command: str) -> Callable[[Handler], Handler]:
    """Only in the ethics chat or a private chat, and only for ethics staff; everyone else gets
    a polite zh-TW refusal, and every refusal is written to the audit log."""

    def wrap(func: Handler) -> Handler:
        async def inner(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            rc = _rc(context)
            if not review_place(rc, update):
                await refuse(update, rc, command, where="chat", text_key="refused_here")
                return
            if not rc.roles.is_ethics(_actor(update).id):
                await refuse(update, rc, command, where="role", text_key="refused")
                return
            try:
                await func(update, context)
            except ReviewError as err:
                await _reply(update, rc.t(err.key, **err.params))

        inner.__name__ = func.__name__
        inner.__doc__ = func.__doc__
        return inner

    return wrap


# -- commands -------------------------------------------------------------------------------------


@ethics_only("incidents")
async def cmd_incidents(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/incidents [chat=] [cat=] [status=] [from=] [to=] [sender=] [page=]"""
    rc = _rc(context)
    args = list(context.args or [])
    flt, page = IncidentFilter.parse_args(args)
    result = rc.service.list_incidents(flt, page, _actor(update))
    if not result.rows:
        await _reply(update, rc.t("list_empty"))
        return
    lines = [rc.t("list_header", page=result.page, pages=result.pages, total=result.total)]
    for r in result.rows:
        lines.append(
            rc.t(
                "list_row",
                id=r["id"],
                time=_time(r.get("sent_at")),
                chat=r.get("chat_title") or r.get("chat_id"),
                categories=_categories(rc, r.get("categories")),
                status=rc.t(f"status.{r.get('status', 'open')}"),
            )
        )
    if result.page < result.pages:
        rest = [a for a in args if not a.lower().startswith("page=")]
        lines.append(rc.t("list_next", args=" ".join([*rest, f"page={result.page + 1}"])))
    await _reply(update, "\n".join(lines))


def detail_text(rc: ReviewContext, incident_id: int, actor: Actor | None) -> str:
    d = rc.service.detail(incident_id, actor)
    inc = d.incident
    findings = "\n".join(
        f"{n}. {f['type']} {f['masked']}" for n, f in enumerate(d.findings, start=1)
    )
    text = rc.t(
        "detail",
        id=inc["id"],
        chat=inc.get("chat_title") or inc.get("chat_id"),
        sender=inc.get("sender_name") or inc.get("sender_id"),
        time=_time(inc.get("sent_at")),
        categories=_categories(rc, inc.get("categories")),
        severity=inc.get("severity"),
        action=inc.get("action_taken"),
        status=rc.t(f"status.{inc.get('status', 'open')}"),
        findings=findings or "-",
    )
    if d.reviews:
        reviews = "\n".join(
            f"・{_time(r['at'])} {r.get('reviewer_name') or r.get('reviewer_id')}: {r['action']}"
            for r in d.reviews
        )
        text += "\n" + rc.t("detail_reviews", reviews=reviews)
    appeal = rc.service.appeal_state(incident_id)
    if appeal != "none":
        text += "\n" + rc.t("detail_appeal", state=rc.t(f"appeal.{appeal}"))
    if rc.service.has_evidence(incident_id):
        text += "\n" + rc.t("detail_evidence")
    return text


def _incident_id(args: list[str], usage: str) -> int:
    if not args or not args[0].lstrip("#").isdigit():
        raise ReviewError(usage)
    return int(args[0].lstrip("#"))


@ethics_only("incident")
async def cmd_incident(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/incident N — masked details plus the decision buttons where it was asked (the ethics
    chat or private); the redacted evidence image and the decrypted appeal text go to the
    reviewer's private chat only, with protect_content, each audited before it is released."""
    rc = _rc(context)
    actor = _actor(update)
    incident_id = _incident_id(list(context.args or []), "usage_incident")
    text = detail_text(rc, incident_id, actor)
    await _reply(update, text, reply_markup=review_keyboard(incident_id, rc.locale))
    try:
        evidence = rc.service.evidence(incident_id, actor)
        if evidence is not None:
            await context.bot.send_photo(
                actor.id,
                photo=evidence,
                caption=rc.t("evidence_caption", id=incident_id),
                protect_content=True,
            )
        appeal = rc.service.appeal_text(incident_id, actor)
        if appeal is not None:
            await context.bot.send_message(
                actor.id,
                rc.t("appeal_text", id=incident_id, text=appeal.strip()),
                protect_content=True,
            )
    except TelegramError as exc:
        log.warning("review: private evidence/appeal of %d failed: %s", incident_id,
                    type(exc).__name__)
        await _reply(update, rc.t("dm_failed", id=incident_id))


@ethics_only("reveal")
async def cmd_reveal(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reveal N <reason> — private chat only; the original goes to this reviewer alone."""
    rc = _rc(context)
    if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
        await _reply(update, rc.t("private_only"))
        return
    args = list(context.args or [])
    incident_id = _incident_id(args, "usage_reveal")
    reason = " ".join(args[1:])
    text = rc.service.reveal(incident_id, _actor(update), reason)
    # protect_content: Telegram clients then refuse to forward or save the revealed original.
    await _reply(
        update,
        rc.t("reveal_header", id=incident_id, reason=reason.strip(), text=text),
        protect_content=True,
    )
    original = rc.service.revealed_original(incident_id)
    if original is not None and update.effective_chat is not None:
        data, mime = original
        ext = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(mime, "bin")
        await context.bot.send_document(
            update.effective_chat.id,
            InputFile(data, filename=f"incident-{incident_id}-original.{ext}"),
            caption=rc.t("reveal_file", id=incident_id),
            protect_content=True,
        )


async def _admin_chats_here(update: Update, context: ContextTypes.DEFAULT_TYPE) -> set[int]:
    """Chats whose counts this (non-ethics) user may see: configured ones, plus the current
    group when Telegram says the user administers it."""
    rc = _rc(context)
    user = update.effective_user
    chat = update.effective_chat
    telegram_admin: list[int] = []
    if user and chat and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        try:
            member = await context.bot.get_chat_member(chat.id, user.id)
            if member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER):
                telegram_admin.append(chat.id)
        except TelegramError as exc:
            log.warning("review: admin check failed: %s", type(exc).__name__)
    chats = rc.roles.admin_chats(user.id if user else None, telegram_admin)
    if chat and chat.type != ChatType.PRIVATE:
        chats &= {chat.id}  # in a group, an administrator sees that group only
    return chats


async def cmd_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats [YYYY-MM] — chart per unit and category plus trend.

    Ethics staff see every chat, in the ethics chat or in private. A chat administrator (by
    config, or by Telegram inside that group) sees only their own chats: in the group itself
    that group alone, in private the chats configured for them. Anywhere else — including ethics
    staff inside a work group they do not administer — the request is refused and audited."""
    rc = _rc(context)
    actor = _actor(update)
    in_place = review_place(rc, update)
    chat_ids: set[int] | None = None
    if not (in_place and rc.roles.is_ethics(actor.id)):
        chat_ids = await _admin_chats_here(update, context)
        if not chat_ids:
            if in_place:
                await refuse(update, rc, "stats", where="role", text_key="refused")
            else:
                await refuse(update, rc, "stats", where="chat", text_key="refused_here")
            return
    args = list(context.args or [])
    try:
        month = parse_month(args[0] if args else None)
    except ValueError:
        await _reply(update, rc.t("bad_month"))
        return
    rows = rc.service.month_rows(month, chat_ids)
    rc.service.audit.record(
        A.STATS,
        actor_id=actor.id,
        actor_name=actor.name,
        month=month,
        chats=sorted(chat_ids) if chat_ids is not None else "all",
    )
    counts: dict[str, int] = {}
    for r in rows:
        for c in json.loads(r.get("categories") or "[]"):
            counts[c] = counts.get(c, 0) + 1
    lines = "\n".join(
        rc.t("stats_line", label=rc.t(f"cat.{c}"), count=n)
        for c, n in sorted(counts.items(), key=lambda kv: -kv[1])
    )
    png = render_month_chart(rows, month, rc.locale)
    caption = rc.t("stats_caption", month=month, total=len(rows), lines=lines)
    if update.effective_chat is not None:
        await context.bot.send_photo(update.effective_chat.id, photo=png, caption=caption[:1024])


@ethics_only("export")
async def cmd_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export [YYYY-MM] — XLSX and CSV of the month, masked values only."""
    rc = _rc(context)
    args = list(context.args or [])
    try:
        month = parse_month(args[0] if args else None)
    except ValueError:
        await _reply(update, rc.t("bad_month"))
        return
    rows = rc.service.month_rows(month)
    actor = _actor(update)
    rc.service.audit.record(
        A.EXPORT, actor_id=actor.id, actor_name=actor.name, month=month, rows=len(rows)
    )
    chat_id = update.effective_chat.id if update.effective_chat else actor.id
    caption = rc.t("export_caption", month=month, total=len(rows))
    await context.bot.send_document(
        chat_id, document=to_xlsx(rows, month), filename=f"dlpbot-{month}.xlsx", caption=caption
    )
    await context.bot.send_document(chat_id, document=to_csv(rows), filename=f"dlpbot-{month}.csv")


@ethics_only("audit")
async def cmd_audit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/audit [page] [action] — the newest audit entries."""
    rc = _rc(context)
    args = list(context.args or [])
    page = int(args[0]) if args and args[0].isdigit() else 1
    action = next((a for a in args if not a.isdigit()), None)
    per_page = 15
    entries = rc.service.audit.entries(limit=per_page, offset=(page - 1) * per_page, action=action)
    actor = _actor(update)
    rc.service.audit.record(A.AUDIT_VIEW, actor_id=actor.id, actor_name=actor.name, page=page)
    lines = [rc.t("audit_header", page=page, total=rc.service.audit.count(action))]
    for e in entries:
        detail = " ".join(f"{k}={v}" for k, v in e.detail.items())
        lines.append(
            rc.t(
                "audit_row",
                at=_time(e.at),
                actor=e.actor_name or e.actor_id or "-",
                action=e.action,
                target=e.target or "",
                detail=detail,
            )
        )
    await _reply(update, "\n".join(lines))


@ethics_only("allow")
async def cmd_allow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/allow N number|address <finding no.>  or  /allow N keyword <word> [lexicon]"""
    rc = _rc(context)
    args = list(context.args or [])
    if len(args) < 3 or rc.allow is None:
        raise ReviewError("bad_allow_kind")
    incident_id = _incident_id(args, "bad_allow_kind")
    kind = args[1]
    actor = _actor(update)
    allow = rc.allow
    if kind.lower() in ("keyword", "kw", "keyword_exception"):
        lexicon = args[3] if len(args) > 3 else None
        entry = allow.add(incident_id, kind, actor, word=args[2], lexicon=lexicon, apply=False)
    else:
        if not args[2].isdigit():
            raise ReviewError("allow_needs_finding")
        entry = allow.add(incident_id, kind, actor, finding_no=int(args[2]), apply=False)
    # The database is used on this (event-loop) thread only; the slow part — building a scanner
    # with the new entry (lexicons load in about a second) — runs in a worker thread.
    entries = allow.entries()
    scanner = await asyncio.get_running_loop().run_in_executor(None, allow.build, entries)
    allow.set_scanner(scanner)
    await _reply(update, rc.t("allow_added", kind=rc.t(f"kind.{entry.kind}")))


# -- decision buttons ----------------------------------------------------------------------------


async def on_review_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """確認違規 / 誤判 / 需追蹤: record the decision and update the alert in place."""
    rc = _rc(context)
    query = update.callback_query
    if query is None or query.data is None:
        return
    actor = _actor(update)
    # A decision button only counts on the ethics chat's alerts and in private (e.g. under
    # /incident N): a copy of the alert in a work group must not change or reveal anything.
    in_place = review_place(rc, update)
    if not (in_place and rc.roles.is_ethics(actor.id)):
        chat = update.effective_chat
        rc.service.audit.record(
            A.DENIED,
            actor_id=actor.id,
            actor_name=actor.name,
            command="button",
            chat_id=chat.id if chat else None,
            where="role" if in_place else "chat",
        )
        await query.answer(rc.t("refused_button"), show_alert=True)
        return
    m = re.match(_RV_PATTERN, query.data)
    if m is None:
        await query.answer()
        return
    status = ACTION_STATUS[m.group(1)]
    incident_id = int(m.group(2))
    try:
        before = rc.service.detail(incident_id).incident.get("status")
        detail = rc.service.set_status(incident_id, status, actor)
    except ReviewError as err:
        await query.answer(rc.t(err.key, **err.params), show_alert=True)
        return
    label = rc.t(f"status.{status}")
    await query.answer(rc.t("decision_recorded", status=label))
    if query.message is not None and getattr(query.message, "text", None):
        base = _without_status_line(rc, query.message.text)
        new_text = base + rc.t(
            "status_line", status=label, reviewer=actor.name, time=_time(detail.reviews[-1]["at"])
        )
        try:
            await query.edit_message_text(
                new_text, reply_markup=review_keyboard(incident_id, rc.locale)
            )
        except TelegramError as exc:
            log.warning("review: could not edit alert %d: %s", incident_id, type(exc).__name__)
    if before != status and rc.service.has_appeal(incident_id):
        await _send_outcome(context, rc, detail.incident, status)


def _without_status_line(rc: ReviewContext, text: str) -> str:
    """The alert without the status line a previous decision appended (only the LAST one, and
    only its exact prefix, so a chat title such as 「審查科」 elsewhere in the alert is kept)."""
    template = TEXTS.get(rc.locale, TEXTS["zh-TW"])["status_line"]
    prefix = template.split("{status}")[0]  # "\n\n審查："
    head, sep, _ = text.rpartition(prefix)
    return head if sep else text


async def _send_outcome(
    context: ContextTypes.DEFAULT_TYPE, rc: ReviewContext, incident: dict[str, Any], status: str
) -> None:
    sender = incident.get("sender_id")
    if not sender:
        return
    text = rc.t("appeal_outcome", id=incident["id"], outcome=rc.t(f"outcome_{status}"))
    try:
        await context.bot.send_message(sender, text)
    except TelegramError as exc:
        log.warning("review: appeal outcome DM failed: %s", type(exc).__name__)


# -- appeals --------------------------------------------------------------------------------------


async def on_appeal_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The sender's 「我認為這是誤判」 button: ask for a one-message reason."""
    rc = _rc(context)
    query = update.callback_query
    if query is None or query.data is None:
        return
    m = re.match(_AP_PATTERN, query.data)
    if m is None:
        await query.answer()
        return
    incident_id = int(m.group(1))
    actor = _actor(update)
    try:
        incident = rc.service.detail(incident_id).incident
    except ReviewError as err:
        await query.answer(rc.t(err.key, **err.params), show_alert=True)
        return
    if incident.get("sender_id") != actor.id:
        await query.answer(rc.t("not_your_incident", id=incident_id), show_alert=True)
        return
    if rc.service.has_appeal(incident_id):
        await query.answer(rc.t("appeal_again"), show_alert=True)
        return
    # Recorded at once (ethics staff see the request even if no reason follows) and kept in the
    # database, so a restart between the press and the reason loses nothing.
    if not rc.service.store.request_appeal(incident_id, actor.id, actor.name or ""):
        await query.answer(rc.t("not_your_incident", id=incident_id), show_alert=True)
        return
    await query.answer()
    await context.bot.send_message(actor.id, rc.t("appeal_prompt", id=incident_id))


async def _submit_appeal(
    update: Update, context: ContextTypes.DEFAULT_TYPE, incident_id: int, text: str
) -> None:
    rc = _rc(context)
    actor = _actor(update)
    if rc.service.has_appeal(incident_id):
        await _reply(update, rc.t("appeal_again"))
        return
    try:
        detail = rc.service.record_appeal(incident_id, actor.id, text)
    except ReviewError as err:
        await _reply(update, rc.t(err.key, **err.params))
        return
    await _reply(update, rc.t("appeal_recorded"))
    if rc.ethics_chat_id:
        inc = detail.incident
        try:
            await context.bot.send_message(
                rc.ethics_chat_id,
                rc.t(
                    "appeal_to_ethics",
                    id=incident_id,
                    sender=inc.get("sender_name") or inc.get("sender_id"),
                    chat=inc.get("chat_title") or inc.get("chat_id"),
                    categories=_categories(rc, inc.get("categories")),
                    text=text.strip(),
                ),
                reply_markup=review_keyboard(incident_id, rc.locale),
            )
        except TelegramError as exc:
            log.error("review: appeal %d not delivered: %s", incident_id, type(exc).__name__)


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The reason message after the appeal button (only when an appeal is pending)."""
    rc = _rc(context)
    message = update.effective_message
    user = update.effective_user
    if user is None or message is None or not message.text:
        return
    pending = rc.service.store.take_pending_appeal(user.id)
    if pending is None:
        return
    await _submit_appeal(update, context, pending, message.text)


async def cmd_appeal(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/appeal N <reason> — the same as the button, in one step."""
    rc = _rc(context)
    args = list(context.args or [])
    if len(args) < 2 or not args[0].lstrip("#").isdigit():
        await _reply(update, rc.t("usage_appeal"))
        return
    await _submit_appeal(update, context, int(args[0].lstrip("#")), " ".join(args[1:]))


# -- wiring ---------------------------------------------------------------------------------------


def _scanner_access(ctx: Any) -> tuple[Callable[[], Any], Callable[[Any], None]]:
    """Where the running bot keeps its scanner: `ctx.scan_service.scanner` or `ctx.scanner`."""
    holder = getattr(ctx, "scan_service", None) or getattr(ctx, "scan", None)
    if holder is None or not hasattr(holder, "scanner"):
        holder = ctx

    def get() -> Any:
        return getattr(holder, "scanner", None)

    def set_(scanner: Any) -> None:
        holder.scanner = scanner
        # Text found in images and documents is scanned by the media scanner, which keeps its
        # own scanner — in worker processes, built once per worker. `set_scanner` is the media
        # module's way to make later files use the new one; without it only a thread executor
        # (which reads `media.scanner` per file) sees the new allow-list.
        media = getattr(ctx, "media", None)
        if media is None:
            return
        replace = getattr(media, "set_scanner", None)
        if callable(replace):
            replace(scanner)
            return
        if hasattr(media, "scanner"):
            media.scanner = scanner
        settings = getattr(media, "settings", None)
        started = getattr(media, "_pool", None) is not None  # a pool started later is fine
        if started and getattr(settings, "executor", "thread") != "thread":
            log.warning(
                "review: allow-list applied to text; media worker processes keep their old"
                " scanner until the bot restarts (MediaScanner.set_scanner missing)"
            )

    return get, set_


def build_review_context(ctx: Any) -> ReviewContext:
    """From the bot's context (`config: AppConfig`, `store: Store`, scanner holder)."""
    config = ctx.config
    review_cfg = dict(config.sections.get("review") or {})
    roles = Roles.from_mapping(
        {
            "ethics_staff": [*config.ethics.staff, *review_cfg.get("ethics_staff", [])],
            "chat_admins": review_cfg.get("chat_admins", {}),
        }
    )
    service = ReviewService(ctx.store, page_size=int(review_cfg.get("page_size", 10)))
    get, set_ = _scanner_access(ctx)
    allow = AllowListManager(service, config.detectors, get, set_)
    return ReviewContext(
        service=service,
        roles=roles,
        allow=allow,
        ethics_chat_id=int(config.ethics.chat_id or 0),
        locale=config.policy.locale,
    )


def register_review_handlers(app: Application, ctx: Any, *, group: int = 0) -> ReviewContext:
    """Called by the bot core's `build_application`. Registers commands and buttons, loads the
    stored allow-list into the running scanner, and schedules the daily retention purge."""
    rc = build_review_context(ctx)
    app.bot_data[BOT_DATA_KEY] = rc
    commands: dict[str, Handler] = {
        "incidents": cmd_incidents,
        "incident": cmd_incident,
        "reveal": cmd_reveal,
        "stats": cmd_stats,
        "export": cmd_export,
        "audit": cmd_audit,
        "allow": cmd_allow,
        "appeal": cmd_appeal,
    }
    for name, func in commands.items():
        app.add_handler(CommandHandler(name, func), group=group)
    app.add_handler(CallbackQueryHandler(on_review_button, pattern=_RV_PATTERN), group=group)
    app.add_handler(CallbackQueryHandler(on_appeal_button, pattern=_AP_PATTERN), group=group)
    # Its own group so it never stops the core's private-chat handlers from running.
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, on_private_text),
        group=-5,
    )
    if rc.allow is not None and rc.allow.get_scanner() is not None:
        from bot.review.allowlist import load_entries

        if load_entries(rc.service.conn):
            rc.allow.reload()
    if app.job_queue is not None:
        store_cfg = ctx.config.store
        schedule_daily_purge(
            app.job_queue, ctx.store, store_cfg.retention_days, store_cfg.purge_hour
        )
    return rc
