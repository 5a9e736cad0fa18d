"""Act on a verdict: per-chat policy → record, delete, warn the sender, alert the ethics office.

Order matters and is deliberate:
1. record the incident first (one short transaction) — whatever fails later, nothing is lost;
   the same transaction claims the message's one warning and marks the alert as owed;
2. delete next, because every millisecond a leak stays visible it can be read or forwarded;
3. warn and alert last, as background tasks, so a slow DM never delays the next deletion.
   What they still owe is in the database (the outbox: `alert_state`, `warned_via`), so a
   send that fails, or a crash before it, is retried on start-up and periodically.

When the database refuses the write (disk full, read-only file system) the bot still deletes
and alerts, from memory, and appends the record — masked and encrypted as the store would keep
it — to the fallback file, which is imported once the database works again.

Policy modes: `monitor` records only; `warn` records and warns; `enforce` also deletes when the
detector's recommended action is `delete`. At most one warning is sent per message, however
often it is edited: a send whose fate is unknown (a timeout after the request went out, a crash
mid-request) is never repeated.

Callback data formats (other modules rely on them):
- `ap:<incident_id>` — the sender's "我認為這是誤判" (appeal) button in the warning DM;
- `rv:<confirm|fp|follow>:<incident_id>` — the ethics alert's buttons.
Both are handled only by issue 5's review module (bot/review/commands.py).
"""

from __future__ import annotations

import html
import logging
import sqlite3
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut
from telegram.ext import Application, ContextTypes

from bot.config import AppConfig
from bot.incident_text import IncidentTexts, IncidentView, alert_keyboard, message_link
from bot.messages import Messages, display_name
from bot.rights import RightsMixin
from bot.store import FindingRecord, Store
from bot.timeutil import display, iso, now_taipei
from detectors.types import Action, ScanResult, Severity

log = logging.getLogger(__name__)

DELETE_WINDOW = timedelta(hours=48)  # Telegram refuses deleteMessage after this
_ANONYMOUS_ADMIN_BOT = 1087968824  # "GroupAnonymousBot": the sender of anonymous admins' messages
_CHANNEL_BOT = 136817688  # "Channel_Bot": the sender of messages posted as a channel

# Media outcomes that are a failure of the bot (not a property of the file): alert on them.
ALERT_MEDIA_STATUSES = frozenset({"error", "timeout", "cancelled"})


# -- whether a failed request may still have reached Telegram -------------------------------------


def delivery_unknown(exc: BaseException) -> bool:
    """True when a request failed in a way that leaves it unknown whether Telegram executed
    it: a read/write timeout or a connection dropped after the request went out. False for a
    definite answer (4xx, 5xx, 429) and for failures before anything was sent (connect errors,
    an exhausted connection pool)."""
    if not isinstance(exc, NetworkError) or isinstance(exc, BadRequest):
        return False
    cause = exc.__cause__
    if isinstance(exc, TimedOut):
        return not isinstance(cause, (httpx.ConnectTimeout, httpx.PoolTimeout))
    if cause is None:
        return False  # PTB raised it from an HTTP status: Telegram answered that it failed
    return not isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


class StoreUnavailable(RuntimeError):
    """The database refused a write; the update was acted on from memory (see module doc)."""


class _Unknown(Exception):
    """A send whose delivery is unknown: never repeated."""


class _Failed(Exception):
    """A send that definitely did not happen: retried later."""


# -- what a handler hands over, and what a sender reads back ---------------------------------------


@dataclass(slots=True)
class Detected:
    """One scanned message (or edit/caption/media) with everything needed to act on it."""

    message: Message
    kind: str  # message | edit | caption | photo | document | forward | contact
    result: ScanResult
    values: list[str]  # raw value per finding, used only for the HMAC, never stored
    content: str | None  # original text, stored only encrypted
    evidence_png: bytes | None = None
    original: bytes | None = None  # the file as sent: stored only encrypted (content key)
    original_mime: str | None = None
    media_status: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    update_id: int | None = None
    scan_status: str = "scanned"  # scanned | partial | unscanned
    scan_error: str | None = None  # timeout | error:<Type> | media:<status>
    alert_unscanned: bool = False  # a failure of the bot: ethics staff must look themselves


def _is_person(msg: Message) -> bool:
    user = msg.from_user
    return (
        user is not None
        and not user.is_bot
        and user.id not in (_ANONYMOUS_ADMIN_BOT, _CHANNEL_BOT)
        and msg.sender_chat is None
    )


class Actor(RightsMixin):
    def __init__(self, config: AppConfig, store: Store, msgs: Messages) -> None:
        self.config = config
        self.store = store
        self.msgs = msgs
        self.texts = IncidentTexts(msgs)
        # Messages warned while the database refused writes (at most one warning, even then).
        self._degraded_warned: set[tuple[int, int]] = set()

    @property
    def max_attempts(self) -> int:
        return self.config.telegram.max_delivery_attempts

    # -- policy --------------------------------------------------------------------------------

    def mode_for(self, chat_id: int) -> str:
        """`/dlp mode` (stored in `chats`) wins over `[policy.chats]`, which wins over default."""
        try:
            row = self.store.get_chat(chat_id)
        except sqlite3.Error:
            row = None
        if row and row.get("mode"):
            return str(row["mode"])
        return self.config.policy.mode_for(chat_id)

    def should_alert(self, result: ScanResult) -> bool:
        return result.severity >= self.config.policy.alert_threshold

    # -- the whole response ---------------------------------------------------------------

    def _fields(self, det: Detected, mode: str, alert: bool) -> dict[str, Any]:
        msg = det.message
        chat = msg.chat
        sender = msg.from_user
        sent = msg.edit_date if det.kind == "edit" and msg.edit_date else msg.date
        return {
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
            "update_id": det.update_id,
            "scan_status": det.scan_status,
            "scan_error": det.scan_error,
            "alert_state": "held" if alert else "none",
            "warn_channel": "dm" if _is_person(msg) else "group_notice",
        }

    async def respond(self, app: Application, det: Detected) -> int:
        """Record, then delete/warn/alert per policy. Returns the incident id.

        Also records what was not (fully) scanned: `det.result` without findings and
        `det.scan_status` partial/unscanned — nobody is warned; `det.alert_unscanned` alerts.
        Raises StoreUnavailable (after acting from memory) when the database refused the write.
        """
        msg = det.message
        chat = msg.chat
        try:
            existing = self.store.incident_for_update(det.update_id)
        except sqlite3.Error:
            existing = None
        if existing is not None:
            # Telegram redelivered an update handled before a crash: finish it, never redo it.
            log.info("update %s already recorded as incident %d: resumed", det.update_id,
                     existing["id"])
            return await self._resume(app, existing)
        mode = self.mode_for(chat.id)
        is_incident = det.result.is_incident
        delete = is_incident and mode == "enforce" and det.result.action >= Action.DELETE
        warn = is_incident and mode in ("warn", "enforce")
        alert = (is_incident and self.should_alert(det.result)) or det.alert_unscanned
        fields = self._fields(det, mode, alert)
        findings = [
            FindingRecord(f, v) for f, v in zip(det.result.findings, det.values, strict=False)
        ]
        try:
            incident_id = self.store.add_incident(
                fields, findings, content=det.content, claim_warning=warn,
                original=det.original if is_incident else None, original_mime=det.original_mime,
            )
        except sqlite3.Error as exc:
            await self._respond_degraded(app, det, fields, findings, exc, delete, warn, alert)
            raise StoreUnavailable("incident kept in the fallback file") from None
        # The incident row is durable now: Telegram may be told the update was received
        # (a crash before the deletion below is resumed from the row at start-up).
        release = getattr(app.update_queue, "release", None)
        if release is not None:
            release(det.update_id)
        log.info(
            "incident %d chat=%d msg=%d kind=%s cats=%s severity=%s mode=%s scan=%s",
            incident_id,
            chat.id,
            msg.message_id,
            det.kind,
            ",".join(sorted(det.result.categories)),
            det.result.severity.label,
            mode,
            det.scan_status,
        )
        action_taken = "none"
        if delete:
            action_taken, delete_error = await self.delete(
                app.bot, chat.id, msg.message_id, msg.date
            )
            self.store.update_incident(
                incident_id, action_taken=action_taken, delete_error=delete_error
            )
        self.store.release_held(incident_id, alert=action_taken == "delete_failed")
        await self.kick(app, incident_id)
        return incident_id

    async def resume_held(self, app: Application, row: dict[str, Any]) -> None:
        """A row its handler never finished (a crash, a database error mid-way): finish it."""
        log.warning("incident %d was left unfinished: resumed", row["id"])
        try:
            await self._resume(app, row)
        except sqlite3.Error as exc:
            log.error("incident %d: not resumed: %s", row["id"], type(exc).__name__)

    async def _resume(self, app: Application, row: dict[str, Any]) -> int:
        incident_id = int(row["id"])
        action_taken = row.get("action_taken") or "none"
        wants_delete = row.get("policy_mode") == "enforce" and row.get("recommended_action") in (
            Action.DELETE.label,
        )
        if wants_delete and action_taken == "none":
            sent = datetime.fromisoformat(row["sent_at"]) if row.get("sent_at") else None
            action_taken, delete_error = await self.delete(
                app.bot, int(row["chat_id"]), int(row["message_id"]), sent
            )
            self.store.update_incident(
                incident_id, action_taken=action_taken, delete_error=delete_error
            )
        self.store.release_held(incident_id, alert=action_taken == "delete_failed")
        await self.kick(app, incident_id)
        return incident_id

    async def kick(self, app: Application, incident_id: int) -> None:
        """Send what the incident owes, in the background."""
        await _background(app, self.deliver_warning(app, incident_id), "dlp-warn")
        await _background(app, self.deliver_alert(app.bot, incident_id), "dlp-alert")

    @staticmethod
    def _sender_name(msg: Message) -> str:
        if msg.sender_chat is not None:
            return msg.sender_chat.title or "anonymous"
        return display_name(msg.from_user) if msg.from_user else ""

    # -- the database said no --------------------------------------------------------------------

    async def _respond_degraded(
        self,
        app: Application,
        det: Detected,
        fields: dict[str, Any],
        findings: list[FindingRecord],
        exc: sqlite3.Error,
        delete: bool,
        warn: bool,
        alert: bool,
    ) -> None:
        msg = det.message
        key = uuid.uuid4().hex
        log.error(
            "incident for chat=%d msg=%d not stored (%s): acting from memory, record %s in %s",
            msg.chat.id, msg.message_id, type(exc).__name__, key, self.store.fallback.path,
        )
        fields = {**fields, "warned_via": "none", "alert_state": "none"}
        kept = self.store.fallback.write_incident(
            key, fields, findings, det.content, det.evidence_png
        )
        action_taken, delete_error = "none", None
        if delete:
            action_taken, delete_error = await self.delete(
                app.bot, msg.chat.id, msg.message_id, msg.date
            )
        view = IncidentView(
            chat_id=msg.chat.id,
            chat_title=fields["chat_title"],
            message_id=msg.message_id,
            sender_id=fields["sender_id"],
            sender_name=fields["sender_name"],
            sent_at=fields["sent_at"],
            categories=list(fields["categories"]),
            severity=fields["severity"],
            action_taken=action_taken,
            delete_error=delete_error,
            scan_status=det.scan_status,
            scan_error=det.scan_error,
            warn_channel=fields["warn_channel"],
            masked=[rec.finding.masked for rec in findings],
        )
        updates: dict[str, Any] = {"action_taken": action_taken, "delete_error": delete_error}
        if warn and not self._already_warned(msg.chat.id, msg.message_id):
            self._degraded_warned.add((msg.chat.id, msg.message_id))
            try:
                updates["warned_via"] = await self._send_warning(app, view, None)
            except _Unknown:
                updates["warned_via"] = "unconfirmed"
            except _Failed:
                updates["warned_via"] = "pending"  # the outbox sends it once imported
        if alert or action_taken == "delete_failed":
            try:
                sent = await self._send_alert(app.bot, view, None, stored=kept)
                updates.update(
                    alert_state="sent", alert_chat_id=sent.chat.id,
                    alert_message_id=sent.message_id,
                )
            except _Unknown:
                updates["alert_state"] = "unconfirmed"
            except _Failed:
                updates["alert_state"] = "pending"
        if kept:
            self.store.fallback.write_update(key, **updates)

    def _already_warned(self, chat_id: int, message_id: int) -> bool:
        if (chat_id, message_id) in self._degraded_warned:
            return True
        try:
            earlier = self.store.incidents_for_message(chat_id, message_id)
        except sqlite3.Error:
            return False
        return any(r["warned_via"] != "none" for r in earlier)

    # -- delete --------------------------------------------------------------------------------

    async def delete(
        self, bot: Bot, chat_id: int, message_id: int, date: datetime | None
    ) -> tuple[str, str | None]:
        """Returns (action_taken, error). Network errors are retried by the rate limiter; what
        reaches here is a definite refusal (no rights, too old, already gone)."""
        if date and now_taipei() - date > DELETE_WINDOW:
            return "delete_failed", "too_old"
        try:
            await bot.delete_message(chat_id=chat_id, message_id=message_id)
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

    async def deliver_warning(self, app: Application, incident_id: int) -> None:
        """Send the incident's warning if it is owed and this caller wins the claim."""
        try:
            row = self.store.get_incident(incident_id)
            if row is None or row["warned_via"] != "pending":
                return
            view = IncidentView.from_row(row, self.store.findings(incident_id))
            # Read first, then claim, with no await between: the claim is the last step.
            if not self.store.claim(incident_id, "warned_via", "pending"):
                return
        except sqlite3.Error as exc:
            log.error("incident %d: warning not read: %s", incident_id, type(exc).__name__)
            return
        try:
            via = await self._send_warning(app, view, incident_id)
        except _Unknown:
            log.warning("incident %d: warning delivery unknown (timeout); not repeated",
                        incident_id)
            via = "unconfirmed"
        except _Failed:
            state = self._failed(incident_id, "warned_via")
            log.warning("incident %d: warning not delivered; %s", incident_id,
                        "retried later" if state == "pending" else "given up")
            return
        self._update(incident_id, warned_via=via)

    async def _send_warning(
        self, app: Application, v: IncidentView, incident_id: int | None
    ) -> str:
        """DM the sender; if they never started the bot (403), post a short self-deleting
        notice in the group that mentions them and repeats none of the content. Returns how
        the sender was warned; raises _Unknown / _Failed."""
        if v.warn_channel == "dm" and v.sender_id is not None:
            markup = None
            if incident_id is not None:
                markup = InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(
                                self.msgs.t("dm.appeal_button"), callback_data=f"ap:{incident_id}"
                            )
                        ]
                    ]
                )
            try:
                await app.bot.send_message(
                    chat_id=v.sender_id, text=self.texts.warning_text(v), reply_markup=markup
                )
                return "dm"
            except (Forbidden, BadRequest):
                log.info("incident %s: DM refused, falling back to group notice", incident_id)
            except TelegramError as exc:
                raise self._classify(exc, incident_id, "DM") from None
        return await self._group_notice(app, v, incident_id)

    async def _group_notice(
        self, app: Application, v: IncidentView, incident_id: int | None
    ) -> str:
        if v.warn_channel == "dm" and v.sender_id is not None:
            mention = f'<a href="tg://user?id={v.sender_id}">{html.escape(v.sender_name)}</a>'
        else:
            mention = html.escape(v.sender_name)
        text = self.msgs.t(
            "notice.group",
            mention=mention,
            categories=html.escape(self.msgs.categories(v.categories)),
            action=html.escape(self.msgs.t(f"action.{self.texts._action_key(v.action_taken)}")),
        )
        try:
            sent = await app.bot.send_message(
                chat_id=v.chat_id, text=text, parse_mode=ParseMode.HTML
            )
        except TelegramError as exc:
            raise self._classify(exc, incident_id, "group notice") from None
        delay = self.config.policy.notice_delete_after_seconds
        if app.job_queue is not None:
            app.job_queue.run_once(
                _delete_notice,
                when=delay,
                data=(sent.chat.id, sent.message_id),
                name=f"notice-{incident_id}",
            )
        return "group_notice"

    @staticmethod
    def _classify(exc: TelegramError, incident_id: int | None, what: str) -> Exception:
        if delivery_unknown(exc):
            return _Unknown()
        log.warning("incident %s: %s failed: %s", incident_id, what, type(exc).__name__)
        return _Failed()

    # -- alert ---------------------------------------------------------------------------------

    async def deliver_alert(self, bot: Bot, incident_id: int) -> None:
        """Send the incident's ethics alert if it is owed and this caller wins the claim."""
        if not self.config.ethics.chat_id:
            return
        try:
            row = self.store.get_incident(incident_id)
            if row is None or row["alert_state"] != "pending":
                return
            view = IncidentView.from_row(row, self.store.findings(incident_id))
            # Read first, then claim, with no await between: the claim is the last step.
            if not self.store.claim(incident_id, "alert_state", "pending"):
                return
        except sqlite3.Error as exc:
            log.error("incident %d: alert not read: %s", incident_id, type(exc).__name__)
            return
        try:
            sent = await self._send_alert(bot, view, incident_id)
        except _Unknown:
            log.warning("incident %d: ethics alert delivery unknown (timeout); not repeated",
                        incident_id)
            self._update(incident_id, alert_state="unconfirmed")
            return
        except _Failed:
            state = self._failed(incident_id, "alert_state")
            log.error("incident %d: ethics alert not delivered; %s", incident_id,
                      "retried later" if state == "pending" else "given up")
            return
        self._update(
            incident_id,
            alert_state="sent",
            alert_chat_id=sent.chat.id,
            alert_message_id=sent.message_id,
        )

    async def _send_alert(
        self, bot: Bot, v: IncidentView, incident_id: int | None, stored: bool = True
    ) -> Message:
        try:
            return await bot.send_message(
                chat_id=self.config.ethics.chat_id,
                text=self.texts.alert_text(v, incident_id, stored),
                reply_markup=alert_keyboard(incident_id, self.msgs) if incident_id else None,
                disable_web_page_preview=True,
            )
        except TelegramError as exc:
            raise self._classify(exc, incident_id, "ethics alert") from None

    async def relabel_alert(self, bot: Bot, incident_id: int) -> None:
        """An alert sent while the database was down had no number and no buttons; once its
        record is imported, the same message gets both."""
        row = self.store.get_incident(incident_id)
        if not row or not row.get("alert_message_id"):
            return
        view = IncidentView.from_row(row, self.store.findings(incident_id))
        try:
            await bot.edit_message_text(
                chat_id=row["alert_chat_id"],
                message_id=row["alert_message_id"],
                text=self.texts.alert_text(view, incident_id),
                reply_markup=alert_keyboard(incident_id, self.msgs),
                disable_web_page_preview=True,
            )
        except TelegramError as exc:
            log.warning("incident %d: alert not relabelled: %s", incident_id, type(exc).__name__)

    def _failed(self, incident_id: int, column: str) -> str:
        """A definite failure: retried next round, or given up after max attempts."""
        try:
            return self.store.delivery_failed(incident_id, column, self.max_attempts)
        except sqlite3.Error as exc:
            log.error("incident %d: delivery state not stored: %s", incident_id,
                      type(exc).__name__)
            return "unknown"

    def _update(self, incident_id: int, **values: Any) -> None:
        try:
            self.store.update_incident(incident_id, **values)
        except sqlite3.Error as exc:
            log.error("incident %d: delivery state not stored: %s", incident_id,
                      type(exc).__name__)

    # -- the outbox ------------------------------------------------------------------------------

    async def flush(self, app: Application) -> None:
        """Import the fallback file, then send every alert, warning and notice still owed.
        Run at start-up and periodically (JobQueue)."""
        store = self.store
        try:
            if store.fallback.exists():
                for incident_id in store.import_fallback():
                    await self.relabel_alert(app.bot, incident_id)
            stale = max(self.config.telegram.resend_interval * 2, 30.0)
            held = store.held(iso(now_taipei() - timedelta(seconds=stale)))
        except sqlite3.Error as exc:
            log.error("outbox: database unavailable: %s", type(exc).__name__)
            return
        for row in held:
            await self.resume_held(app, row)
        try:
            owed = store.owed()
            notices = store.due_notices()
        except sqlite3.Error as exc:
            log.error("outbox: database unavailable: %s", type(exc).__name__)
            return
        for row in owed:
            if row["warned_via"] == "pending":
                await self.deliver_warning(app, int(row["id"]))
            if row["alert_state"] == "pending":
                await self.deliver_alert(app.bot, int(row["id"]))
        for notice in notices:
            await self.deliver_notice(app.bot, int(notice["id"]))

    def add_ethics_notice(self, kind: str, text: str) -> int | None:
        chat_id = self.config.ethics.chat_id
        if not chat_id:
            return None
        try:
            return self.store.add_notice(chat_id, kind, text)
        except sqlite3.Error as exc:
            log.error("ethics notice not stored: %s", type(exc).__name__)
            return None

    async def deliver_notice(self, bot: Bot, notice_id: int) -> None:
        try:
            if not self.store.claim_notice(notice_id):
                return
            row = next(n for n in self.store.notices() if n["id"] == notice_id)
        except (sqlite3.Error, StopIteration):
            return
        try:
            sent = await bot.send_message(chat_id=row["chat_id"], text=row["text"])
        except TelegramError as exc:
            state = "unconfirmed" if delivery_unknown(exc) else "pending"
            log.warning("notice %d (%s) failed: %s", notice_id, row["kind"], type(exc).__name__)
            self._finish_notice(notice_id, state)
            return
        self._finish_notice(notice_id, "sent", sent.message_id)

    def _finish_notice(self, notice_id: int, state: str, message_id: int | None = None) -> None:
        try:
            self.store.finish_notice(notice_id, state, message_id, self.max_attempts)
        except sqlite3.Error as exc:
            log.error("notice %d: state not stored: %s", notice_id, type(exc).__name__)

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
__all__ = [
    "Actor",
    "Detected",
    "IncidentView",
    "Severity",
    "StoreUnavailable",
    "alert_keyboard",
    "delivery_unknown",
    "message_link",
    "review_time",
]
