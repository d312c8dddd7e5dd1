"""Digest cron jobs (bot.digests): local time across the 2026 daylight-saving switches; job
options; one trigger per frequency serving both channels; bad settings refused at start-up."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.digests import add_digest_jobs, digest_triggers
from state.models import Frequency
from tests.web.fixtures import make_settings

AMS = ZoneInfo("Europe/Amsterdam")


def _next(trigger: CronTrigger, now: datetime) -> datetime:
    fire = trigger.get_next_fire_time(None, now)
    assert fire is not None
    return fire


def test_daily_digest_keeps_local_time_across_the_spring_switch() -> None:
    daily = digest_triggers(make_settings())[Frequency.DAILY]
    before = datetime(2026, 3, 28, 9, 0, tzinfo=AMS)  # Saturday, CET (UTC+1)
    fire = _next(daily, before)
    assert (fire.date().isoformat(), fire.hour, fire.minute) == ("2026-03-29", 8, 0)
    assert fire.utcoffset() is not None
    assert fire.utcoffset().total_seconds() == 2 * 3600
    assert fire.astimezone(ZoneInfo("UTC")).hour == 6
    day_before = _next(daily, datetime(2026, 3, 27, 9, 0, tzinfo=AMS))
    assert day_before.astimezone(ZoneInfo("UTC")).hour == 7  # 08:00 CET


def test_daily_digest_keeps_local_time_across_the_autumn_switch() -> None:
    daily = digest_triggers(make_settings())[Frequency.DAILY]
    fire = _next(daily, datetime(2026, 10, 24, 9, 0, tzinfo=AMS))
    assert (fire.date().isoformat(), fire.hour, fire.minute) == ("2026-10-25", 8, 0)
    assert fire.astimezone(ZoneInfo("UTC")).hour == 7  # 08:00 CET = 07:00 UTC
    after = _next(daily, fire + timedelta(seconds=1))
    assert (after.date().isoformat(), after.hour) == ("2026-10-26", 8)


def test_weekly_digest_fires_on_the_configured_day() -> None:
    settings = make_settings().model_copy(update={"digest_weekday": "sun"})
    weekly = digest_triggers(settings)[Frequency.WEEKLY]
    fire = _next(weekly, datetime(2026, 3, 23, 12, 0, tzinfo=AMS))  # a Monday
    assert (fire.date().isoformat(), fire.hour, fire.weekday()) == ("2026-03-29", 8, 6)


async def _nothing(frequency: Frequency) -> None:
    del frequency


def test_add_digest_jobs_adds_two_cron_jobs_with_stable_ids() -> None:
    scheduler = AsyncIOScheduler(timezone="Europe/Amsterdam")
    settings = make_settings()
    add_digest_jobs(scheduler, settings, {"email": _nothing, "telegram": _nothing})
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"digest-daily", "digest-weekly"}
    for job in jobs.values():
        assert job.max_instances == 1
        assert job.coalesce is True
        assert isinstance(job.trigger, CronTrigger)
        assert str(job.trigger.timezone) == "Europe/Amsterdam"
    assert "day_of_week='mon'" in str(jobs["digest-weekly"].trigger)
    assert "hour='8'" in str(jobs["digest-daily"].trigger)
