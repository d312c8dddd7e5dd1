"""The agenda as an iCalendar file (RFC 5545), built with the ``icalendar`` library. Pure.

One VEVENT per agenda item: a timed event when the session's start is fixed, an all-day event
on its date, or a week-long all-day event (TENTATIVE) when only the week is known
(``DatumSoort`` Weeknummer). A moved session keeps its UID, so calendars update the entry; a
cancelled one is served with STATUS:CANCELLED while it is listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from state.agenda import AgendaItem, AgendaStatus, DateKind
from templates.render import render

__all__ = ["agenda_calendar", "event_uid"]

PRODID = "-//kamerwacht//agenda//NL"
DEFAULT_LENGTH = timedelta(hours=1)


def event_uid(item: AgendaItem) -> str:
    """A stable UID: the activity and the Zaak."""
    return f"{item.activity_id}-{item.zaak_id}@kamerwacht"


def _event(item: AgendaItem, public_url: str, lang: str, now: datetime) -> Event | None:
    if item.day is None:
        return None
    url = f"{public_url.rstrip('/')}/motie/{item.motion_id}" if item.motion_id else None
    summary, _, description = render("calendar/event.txt", item=item, url=url, lang=lang).partition(
        "\n"
    )
    event = Event()
    event.add("uid", event_uid(item))
    event.add("dtstamp", now)
    event.add("summary", summary.strip())
    event.add("description", description.strip())
    if item.date_kind is DateKind.WEEK:
        monday = item.day - timedelta(days=item.day.weekday())
        event.add("dtstart", monday)
        event.add("dtend", monday + timedelta(days=7))
        event.add("status", "TENTATIVE")
    elif item.start is not None:
        event.add("dtstart", item.start)
        event.add(
            "dtend", item.end if item.end and item.end > item.start else item.start + DEFAULT_LENGTH
        )
    else:
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
    if item.status is AgendaStatus.CANCELLED:
        event.add("status", "CANCELLED")
    elif item.date_kind is not DateKind.WEEK:
        event.add("status", "CONFIRMED")
    if item.location:
        event.add("location", item.location)
    if url:
        event.add("url", url)
    return event


def agenda_calendar(
    items: Iterable[AgendaItem], *, public_url: str, lang: str = "nl", now: datetime
) -> bytes:
    """The items as one VCALENDAR (bytes, CRLF line endings as RFC 5545 requires)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "kamerwacht")
    for item in items:
        event = _event(item, public_url, lang, now)
        if event is not None:
            calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
