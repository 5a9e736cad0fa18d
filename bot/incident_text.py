"""What the bot says about an incident: the sender's warning, the ethics alert, their links
and buttons. Kept apart from `bot/act.py` (which decides *when* to send) so the wording can be
read, changed and tested on its own; every text comes from bot/locale via `Messages`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import Messages
from bot.timeutil import display, now_taipei


@dataclass(slots=True)
class IncidentView:
    """What an alert or a warning says, read back from the incident row (or, when the database
    is down, from the fields that would have been written)."""

    chat_id: int
    chat_title: str
    message_id: int
    sender_id: int | None
    sender_name: str
    sent_at: str | None
    categories: list[str]
    severity: str
    action_taken: str
    delete_error: str | None
    scan_status: str
    scan_error: str | None
    warn_channel: str | None
    masked: list[str]

    @classmethod
    def from_row(cls, row: dict[str, Any], findings: Iterable[dict[str, Any]]) -> IncidentView:
        cats = row.get("categories") or "[]"
        return cls(
            chat_id=int(row["chat_id"]),
            chat_title=row.get("chat_title") or "",
            message_id=int(row["message_id"]),
            sender_id=row.get("sender_id"),
            sender_name=row.get("sender_name") or "",
            sent_at=row.get("sent_at"),
            categories=json.loads(cats) if isinstance(cats, str) else list(cats),
            severity=row.get("severity") or "none",
            action_taken=row.get("action_taken") or "none",
            delete_error=row.get("delete_error"),
            scan_status=row.get("scan_status") or "scanned",
            scan_error=row.get("scan_error"),
            warn_channel=row.get("warn_channel"),
            masked=[f.get("masked") or "" for f in findings],
        )


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


class IncidentTexts:
    """The warning DM and the ethics alert of an incident, in the configured locale."""

    def __init__(self, msgs: Messages) -> None:
        self.msgs = msgs

    @staticmethod
    def _action_key(action_taken: str) -> str:
        return {"deleted": "deleted", "delete_failed": "delete_failed"}.get(action_taken, "kept")

    def warning_text(self, v: IncidentView) -> str:
        m = self.msgs
        cat = m.first_category(v.categories)
        return (
            m.t("dm.title")
            + "\n\n"
            + m.t(
                "dm.body",
                chat=v.chat_title,
                time=display(v.sent_at or now_taipei()),
                categories=m.categories(v.categories),
                action=m.t(f"action.{self._action_key(v.action_taken)}"),
                findings=m.findings(v.masked),
                why=m.t(f"why.{cat}"),
                instead=m.t(f"instead.{cat}"),
            )
        )

    def _link(self, v: IncidentView) -> str:
        m = self.msgs
        if v.action_taken == "deleted":
            return m.t("alert.no_link")
        link = message_link(v.chat_id, v.message_id)
        if link:
            return link
        # A basic group has no message links: say where the (still visible) message is.
        return m.t("alert.no_link_kept", chat_id=v.chat_id, message_id=v.message_id)

    def alert_text(self, v: IncidentView, incident_id: int | None, stored: bool = True) -> str:
        m = self.msgs
        if incident_id is None:
            title = m.t("alert.title_unrecorded") + "\n" + m.t(
                "alert.unrecorded" if stored else "alert.unrecorded_lost"
            )
        elif not v.categories:  # nothing found, because not (fully) scanned
            title = m.t("alert.unscanned_title", id=incident_id)
        else:
            title = m.t("alert.title", id=incident_id)
        common = {
            "chat": v.chat_title or str(v.chat_id),
            "sender": v.sender_name,
            "time": display(v.sent_at or now_taipei()),
            "link": self._link(v),
        }
        if not v.categories:
            return title + "\n" + m.t(
                "alert.unscanned_body", reason=self.scan_reason(v.scan_error), **common
            )
        action_label = m.t(f"action.{self._action_key(v.action_taken)}")
        if v.delete_error:
            action_label += f"（{self.delete_reason(v.delete_error)}）"
        text = title + "\n" + m.t(
            "alert.body",
            categories=m.categories(v.categories),
            severity=m.t(f"severity.{v.severity}"),
            findings=m.findings(v.masked),
            action=action_label,
            **common,
        )
        if v.scan_status == "partial":
            text += "\n" + m.t("alert.partial", reason=self.scan_reason(v.scan_error))
        return text

    def scan_reason(self, code: str | None) -> str:
        code = code or "error"
        if code.startswith("media:"):
            key = f"scan_reason.media_{code[6:]}"
        elif code.startswith("error"):
            key = "scan_reason.error"
        else:
            key = f"scan_reason.{code}"
        known = self.msgs.keys()
        return self.msgs.t(key if key in known else "scan_reason.error")

    def delete_reason(self, code: str) -> str:
        known = {"too_old": "rights.too_old", "no_rights": "rights.not_admin"}
        return self.msgs.t(known[code]) if code in known else self.msgs.t("rights.unknown")
