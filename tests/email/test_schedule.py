"""Digest cron jobs (bot.digests): local time across the 2026 daylight-saving switches; job
options; one trigger per frequency serving both channels; bad settings refused at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from pydantic import SecretStr

from bot.digests import DigestRequests, add_digest_jobs, digest_triggers, run_digests
from bot.email.sender import Mailer
from bot.schedule import digest_channels
from bot.settings import Settings
from state.models import Frequency
from tests.telegram.fake_bot_api import TOKEN
from tests.web.fixtures import AppStub, SmtpServer, add_email_subscriber, make_settings, second

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


@dataclass
class DigestApp(AppStub):
    """The App fields the digest jobs use: its one SMTP pool and the Telegram digest requests."""

    telegram_digests: DigestRequests = field(default_factory=DigestRequests)


async def test_one_trigger_per_frequency_fires_both_channels_at_the_configured_time(
    repo, settings: Settings, smtp: SmtpServer, mailer: Mailer
) -> None:
    add_email_subscriber(repo, "alles@example.org")
    second(repo)
    settings = settings.model_copy(
        update={"telegram_token": SecretStr(TOKEN), "digest_time": time(7, 30)}
    )
    app = DigestApp(settings, repo, mailer=mailer)
    scheduler = AsyncIOScheduler(timezone=settings.timezone)
    add_digest_jobs(scheduler, settings, digest_channels(app))  # type: ignore[arg-type]

    assert len(scheduler.get_jobs()) == 2  # one per frequency, not one per channel
    daily = scheduler.get_job("digest-daily")
    assert daily is not None
    fire = _next(daily.trigger, datetime(2026, 3, 28, 9, 0, tzinfo=AMS))
    assert fire == datetime(2026, 3, 29, 7, 30, tzinfo=AMS)
    await daily.func()  # the trigger fires: both channels' digests run
    assert len(smtp.handler.to("alles@example.org")) == 1
    assert app.telegram_digests.take() == [Frequency.DAILY]
    assert app.telegram_digests.take() == []  # taken once


async def test_a_failing_channel_skips_no_other(caplog: pytest.LogCaptureFixture) -> None:
    ran: list[tuple[str, Frequency]] = []

    async def broken(frequency: Frequency) -> None:
        raise RuntimeError("smtp gone")

    async def telegram(frequency: Frequency) -> None:
        ran.append(("telegram", frequency))

    await run_digests(Frequency.WEEKLY, {"email": broken, "telegram": telegram})
    assert ran == [("telegram", Frequency.WEEKLY)]
    assert "digest run (email, weekly) failed" in caplog.text


def test_the_digest_channels_follow_the_configuration(repo, settings: Settings) -> None:
    assert list(digest_channels(DigestApp(settings, repo))) == []  # type: ignore[arg-type]
    mailer = Mailer("127.0.0.1", 25, sender=settings.smtp_from, start_tls=False)
    both = settings.model_copy(update={"telegram_token": SecretStr(TOKEN)})
    app = DigestApp(both, repo, mailer=mailer)
    assert list(digest_channels(app)) == ["email", "telegram"]  # type: ignore[arg-type]
