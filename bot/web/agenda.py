"""Issue 17's pages: ``/agenda`` (HTML), ``/agenda.ics``, ``/motie/{id}/agenda.ics``, and the
commitments: ``/toezeggingen`` and ``/toezeggingen/feed.atom``."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from bot.agenda_ics import agenda_calendar
from bot.web.pages import FEED_LIMIT, TAG, _feed
from bot.web.site import page, request_lang, site
from state.agenda import AgendaItem
from state.commitments import Commitment
from state.models import Change, ChangeKind, is_motion_key

__all__ = [
    "ICS",
    "agenda_ics",
    "agenda_page",
    "commitments_feed",
    "commitments_page",
    "motion_agenda_ics",
]

ICS = "text/calendar; charset=utf-8"


async def agenda_page(request: Request) -> Response:
    """``/agenda``: the tracked motions on planned sessions, soonest first."""
    s = site(request)
    items: list[AgendaItem] = await s.db(s.repo.agenda)
    return page(request, "agenda.html", items=items)


def _calendar(request: Request, items: list[AgendaItem], name: str) -> Response:
    s = site(request)
    body = agenda_calendar(
        items, public_url=s.links.public_url, lang=request_lang(request), now=datetime.now(UTC)
    )
    return Response(
        body,
        media_type=ICS,
        headers={"Content-Disposition": f'inline; filename="{name}.ics"'},
    )


async def agenda_ics(request: Request) -> Response:
    """``/agenda.ics``: the agenda as an iCalendar feed."""
    s = site(request)
    items: list[AgendaItem] = await s.db(s.repo.agenda)
    return _calendar(request, items, "kamerwacht-agenda")


async def motion_agenda_ics(request: Request) -> Response:
    """``/motie/{id}/agenda.ics``: one motion's sessions (an empty calendar when none)."""
    s = site(request)
    motion_id = request.path_params["motion_id"]
    if not is_motion_key(motion_id):
        return Response("unknown motion id\n", status_code=404, media_type="text/plain")
    items: list[AgendaItem] = await s.db(s.repo.agenda, motion_id=motion_id)
    return _calendar(request, items, f"kamerwacht-{motion_id}")


async def commitments_page(request: Request) -> Response:
    """``/toezeggingen``: the topic's commitments, newest first, with status and letter."""
    s = site(request)
    items: list[Commitment] = await s.db(s.repo.commitments)
    return page(request, "commitments.html", items=items)


async def commitments_feed(request: Request) -> Response:
    """``/toezeggingen/feed.atom``: the commitment changes, newest first."""
    s = site(request)
    changes: list[Change] = await s.db(s.repo.changes, None, limit=FEED_LIMIT)
    kinds = (ChangeKind.COMMITMENT_NEW, ChangeKind.COMMITMENT_STATUS)
    return await asyncio.to_thread(
        _feed,
        request,
        [c for c in changes if c.kind in kinds],
        title="kamerwacht — toezeggingen",
        self_path="/toezeggingen/feed.atom",
        alt_path="/toezeggingen",
        feed_id=f"{TAG}toezeggingen",
    )
