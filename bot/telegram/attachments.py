"""Files sent next to a push (issue 17): the calendar entry of an "on the vote list" message.

A push about a motion (or a followed dossier's letter) placed on (or moved on) a session's
agenda carries that session as an iCalendar file (RFC 5545, built by
:func:`bot.agenda_ics.agenda_calendar`, the same event and UID as ``/agenda.ics``), sent with
``sendDocument`` right after the message; a motion's message keeps its link to
``/motie/<id>/agenda.ics``. Only single-change messages get one (grouped execution reports
and digests never concern the agenda).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from bot.agenda_ics import agenda_calendar
from bot.telegram.outgoing import Outgoing
from state.agenda import AgendaItem
from state.models import ChangeKind, ClaimedDelivery
from state.repository import Repository

__all__ = ["CALENDAR_KINDS", "attach_calendars", "calendar_filename"]

CALENDAR_KINDS = frozenset(
    {ChangeKind.VOTE_SCHEDULED, ChangeKind.DEBATE_SCHEDULED, ChangeKind.AGENDA_MOVED}
)


def calendar_filename(motion_id: str) -> str:
    """The attached file's name: the motion's id, safe for every file system."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in motion_id)
    return f"kamerwacht-{safe}.ics"


def attach_calendars(
    repo: Repository,
    items: Sequence[ClaimedDelivery],
    plan: Sequence[Outgoing],
    public_url: str,
    now: datetime | None = None,
) -> list[Outgoing]:
    """``plan`` with the calendar file on each agenda push (runs in a worker thread).

    The session is looked up by the change's motion and activity number; a session no longer on
    the agenda (held or cancelled meanwhile) gets no file.
    """
    now = now or datetime.now(UTC)
    by_delivery = {i.delivery.id: i.change for i in items}
    agenda: dict[str, list[AgendaItem]] = {}
    files: dict[tuple[str, str, str], bytes] = {}
    out: list[Outgoing] = []
    for message in plan:
        single = len(message.delivery_ids) == 1
        change = by_delivery.get(message.delivery_ids[0]) if single else None
        ident = change.facts.ident if change is not None and change.facts else None
        if change is None or change.kind not in CALENDAR_KINDS or not (change.motion_id or ident):
            out.append(message)
            continue
        # a motion's item by the motion; any other (a letter of a followed dossier on a
        # debate's agenda) by its Zaak number among the listed items
        motion_id, activity = change.motion_id or ident or "", change.letter_id or ""
        key = (motion_id, activity, message.lang)
        if key not in files:
            if motion_id not in agenda:
                agenda[motion_id] = (
                    repo.agenda(motion_id=motion_id)
                    if change.motion_id
                    else [i for i in repo.agenda() if i.zaak_nummer == ident]
                )
            sessions = [a for a in agenda[motion_id] if a.activity_nummer == activity]
            if sessions:
                files[key] = agenda_calendar(
                    sessions, public_url=public_url, lang=message.lang, now=now
                )
        data = files.get(key)
        out.append(
            replace(message, document=(calendar_filename(motion_id), data)) if data else message
        )
    return out
