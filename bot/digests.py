"""The one digest schedule: one APScheduler cron trigger per frequency serves every channel.

``add_digest_jobs`` adds the ``digest-daily`` and ``digest-weekly`` jobs, at
``settings.digest_time`` local time (weekly on ``settings.digest_weekday``; both typed and
checked when Settings is read). Each job runs every channel's digest run for its frequency: the
email run (``bot.email.service.send_digests``) directly, the Telegram one through
:class:`DigestRequests`, which the Telegram worker takes between its passes (so digests and
instant messages never share the bot's send budget at once).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.settings import Settings
from state.models import Frequency

__all__ = ["DigestRequests", "DigestRun", "add_digest_jobs", "digest_triggers", "run_digests"]

logger = logging.getLogger(__name__)

MISFIRE_GRACE = timedelta(hours=2)  # a digest missed by less (busy, restarted) is still sent

# One channel's digest run for a frequency (email: send the digests; Telegram: request them).
DigestRun = Callable[[Frequency], Awaitable[object]]


def digest_triggers(settings: Settings) -> dict[Frequency, CronTrigger]:
    """The daily and weekly cron triggers, in local time (daylight saving handled by zoneinfo)."""
    at = settings.digest_time
    tz = ZoneInfo(settings.timezone)
    return {
        Frequency.DAILY: CronTrigger(hour=at.hour, minute=at.minute, timezone=tz),
        Frequency.WEEKLY: CronTrigger(
            day_of_week=settings.digest_weekday, hour=at.hour, minute=at.minute, timezone=tz
        ),
    }


async def run_digests(frequency: Frequency, channels: Mapping[str, DigestRun]) -> None:
    """Run every channel's digest for ``frequency``; one channel failing skips no other."""
    for name, run in channels.items():
        try:
            await run(frequency)
        except Exception:  # a scheduled job's outermost edge: the scheduler must keep running
            logger.exception("digest run (%s, %s) failed", name, frequency.value)


def add_digest_jobs(
    scheduler: BaseScheduler, settings: Settings, channels: Mapping[str, DigestRun]
) -> None:
    """Add the ``digest-daily`` and ``digest-weekly`` cron jobs, each serving ``channels``."""
    for frequency, trigger in digest_triggers(settings).items():

        async def job(frequency: Frequency = frequency) -> None:
            await run_digests(frequency, channels)

        scheduler.add_job(
            job,
            trigger,
            id=f"digest-{frequency.value}",
            name=f"{frequency.value} digest ({', '.join(channels)})",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
            replace_existing=True,
        )


class DigestRequests:
    """The Telegram digests the schedule asked for, taken by the Telegram worker between passes."""

    def __init__(self) -> None:
        self._due: list[Frequency] = []

    async def __call__(self, frequency: Frequency) -> None:
        """Ask for the ``frequency`` digests (a :data:`DigestRun`)."""
        if frequency not in self._due:
            self._due.append(frequency)

    def take(self) -> list[Frequency]:
        """The digests asked for since the last call, in the order asked."""
        due, self._due = self._due, []
        return due
