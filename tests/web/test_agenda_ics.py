"""The agenda as iCalendar (issue 17): timed, week-only and cancelled sessions, parsed back."""

from __future__ import annotations

from datetime import UTC, date, datetime

from icalendar import Calendar

from bot.agenda_ics import agenda_calendar, event_uid
from state.agenda import AgendaItem, AgendaStatus, DateKind
from templates.render import format_when

NOW = datetime(2025, 10, 1, 12, tzinfo=UTC)
VOTE = AgendaItem(
    activity_id="ad15b461",
    zaak_id="d9658e92",
    activity_nummer="2025A06526",
    kind="Stemmingen",
    subject="Einde vergadering: STEMMINGEN",
    status=AgendaStatus.PLANNED,
    day=date(2025, 10, 2),
    start=datetime(2025, 10, 2, 20, 30, tzinfo=UTC),
    zaak_nummer="2025Z08365",
    title="Motie van het lid Rikkers-Oosterkamp over pgb <op maat>",
    appraisal="Ontraden",
    motion_id="2025Z08365",
)


def _events(data: bytes) -> list[object]:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def test_timed_week_and_cancelled_events() -> None:
    week = AgendaItem(
        activity_id="89d5b8af",
        zaak_id="z2",
        activity_nummer="2025A06530",
        kind="Stemmingen",
        subject="Stemmingen",
        status=AgendaStatus.PLANNED,
        day=date(2025, 11, 26),
        date_kind=DateKind.WEEK,
        motion_id="21501-02-3067",
    )
    cancelled = AgendaItem(
        activity_id="e2a8841a",
        zaak_id="z3",
        activity_nummer="2019A00117",
        kind="Plenair debat (debat)",
        subject="Debat",
        status=AgendaStatus.CANCELLED,
        day=date(2019, 1, 17),
        motion_id="35570-V-31",
    )
    undated = AgendaItem(
        activity_id="x",
        zaak_id="y",
        activity_nummer="2025A00001",
        kind="Plenair debat (debat)",
        subject="Nog geen datum",
        status=AgendaStatus.PLANNED,
        day=None,
        date_kind=DateKind.UNKNOWN,
    )
    data = agenda_calendar(
        [VOTE, week, cancelled, undated], public_url="https://kw.example/", now=NOW
    )
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    timed, weekly, gone = _events(data)  # the undated one has no event
    assert str(timed["uid"]) == event_uid(VOTE)
    assert timed.decoded("dtstart") == VOTE.start
    assert (timed.decoded("dtend") - timed.decoded("dtstart")).total_seconds() == 3600
    assert str(timed["summary"]).startswith("Stemming: 2025Z08365")
    assert "Ontraden" in str(timed["description"])
    assert str(timed["url"]) == "https://kw.example/motie/2025Z08365"
    assert str(timed["status"]) == "CONFIRMED"
    assert weekly.decoded("dtstart") == date(2025, 11, 24)  # the Monday of that week
    assert weekly.decoded("dtend") == date(2025, 12, 1)
    assert str(weekly["status"]) == "TENTATIVE"
    assert str(gone["status"]) == "CANCELLED"
    assert str(gone["summary"]).startswith("Debat: 35570-V-31")
    english = _events(agenda_calendar([VOTE], public_url="https://kw.example", lang="en", now=NOW))
    assert str(english[0]["summary"]).startswith("Vote: 2025Z08365")


def test_agenda_moments_in_words() -> None:
    assert format_when("2025-10-02T20:30:00+00:00") == "2 oktober 2025, 22:30"
    assert format_when("2025-12-02T20:30:00+00:00", "en") == "2 December 2025, 21:30"
    assert format_when("2025-W48") == "week 48 van 2025"
    assert format_when("2025-10-16") == "16 oktober 2025"
    assert format_when(None) == ""
    assert format_when("soon") == "soon"
