"""Heartbeat: an alarm once when a source fails too long or the outbox stalls, once on recovery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.heartbeat import Heartbeat
from state.models import SourceStatus

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def hb() -> Heartbeat:
    return Heartbeat(fail_after=timedelta(hours=6), stuck_after=timedelta(minutes=30))


def failing(since_success: datetime | None, at: datetime) -> SourceStatus:
    return SourceStatus(
        "tweedekamer", last_success=since_success, last_error="HTTP 500", last_error_at=at
    )


def test_source_alarm_once_after_the_threshold_then_recovery_once() -> None:
    h = hb()
    ok = SourceStatus("tweedekamer", last_success=T0)
    assert h.observe([ok], {}, now=T0) == []
    # failing, but not yet for 6 hours: quiet
    assert h.observe([failing(T0, T0 + timedelta(hours=1))], {}, now=T0 + timedelta(hours=1)) == []
    alerts = h.observe(
        [failing(T0, T0 + timedelta(hours=6))], {}, now=T0 + timedelta(hours=6, minutes=1)
    )
    assert [(a.key, a.raised) for a in alerts] == [("source:tweedekamer", True)]
    assert "HTTP 500" in alerts[0].text
    # still failing: told once only
    assert h.observe([failing(T0, T0 + timedelta(hours=7))], {}, now=T0 + timedelta(hours=7)) == []
    recovered = SourceStatus(
        "tweedekamer", last_success=T0 + timedelta(hours=8), last_error_at=T0 + timedelta(hours=7)
    )
    alerts = h.observe([recovered], {}, now=T0 + timedelta(hours=8))
    assert [(a.key, a.raised) for a in alerts] == [("source:tweedekamer", False)]
    assert h.observe([recovered], {}, now=T0 + timedelta(hours=9)) == []


def test_a_source_that_never_succeeded_counts_from_first_seen_failing() -> None:
    h = hb()
    assert h.observe([failing(None, T0)], {}, now=T0) == []
    alerts = h.observe([failing(None, T0 + timedelta(hours=6))], {}, now=T0 + timedelta(hours=6))
    assert [a.raised for a in alerts] == [True]


def test_outbox_stuck_when_pending_and_nothing_sent() -> None:
    h = hb()
    assert h.observe([], {"pending": 5, "sent": 10}, now=T0) == []
    assert h.observe([], {"pending": 5, "sent": 10}, now=T0 + timedelta(minutes=29)) == []
    alerts = h.observe([], {"pending": 5, "sent": 10}, now=T0 + timedelta(minutes=31))
    assert [(a.key, a.raised) for a in alerts] == [("outbox", True)]
    # progress clears it
    alerts = h.observe([], {"pending": 4, "sent": 11}, now=T0 + timedelta(minutes=32))
    assert [(a.key, a.raised) for a in alerts] == [("outbox", False)]


def test_idle_outbox_is_not_stuck() -> None:
    h = hb()
    for minutes in (0, 60, 120):
        assert h.observe([], {"pending": 0, "sent": 10}, now=T0 + timedelta(minutes=minutes)) == []


def test_outbox_progress_from_the_cheap_gauges_time_of_the_last_send() -> None:
    # Repository.outbox_health counts no sent rows; the time of the latest send shows progress
    h = hb()
    health = {"pending": 5, "claimed": 0, "failed": 0, "skipped": 0, "due": 5, "last_sent": 100}
    assert h.observe([], health, now=T0) == []
    alerts = h.observe([], health, now=T0 + timedelta(minutes=31))
    assert [(a.key, a.raised) for a in alerts] == [("outbox", True)]
    alerts = h.observe([], health | {"last_sent": 160}, now=T0 + timedelta(minutes=32))
    assert [(a.key, a.raised) for a in alerts] == [("outbox", False)]
    h.observe([], health | {"last_sent": 160}, now=T0 + timedelta(minutes=33))
    failed_only = health | {"last_sent": 160, "failed": 1}  # a failure is progress too
    assert h.observe([], failed_only, now=T0 + timedelta(minutes=70)) == []
