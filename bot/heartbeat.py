"""Heartbeat: tell admins once when a source has been failing too long or the outbox is stuck,
and once more when it recovers.

Users' most common complaint about monitors is notifications that silently stopped. The checks are
pure (``Heartbeat.observe``) over what the store reports; sending the alerts is the caller's job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from state.models import SourceStatus

__all__ = ["Alert", "Heartbeat", "run_heartbeat"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Alert:
    """One message for admins: an alarm raised or cleared."""

    key: str  # "source:<name>" or "outbox"
    raised: bool
    text: str


@dataclass
class Heartbeat:
    """Remembers what is alarming, so each alarm and each recovery is told once."""

    fail_after: timedelta
    stuck_after: timedelta
    active: dict[str, str] = field(default_factory=dict)
    _failing_since: dict[str, datetime] = field(default_factory=dict)
    _sent_count: int | None = None
    _progress_at: datetime | None = None

    def _source_alarms(self, statuses: Sequence[SourceStatus], now: datetime) -> dict[str, str]:
        alarms: dict[str, str] = {}
        for s in statuses:
            failing = s.last_error_at is not None and (
                s.last_success is None or s.last_error_at > s.last_success
            )
            if not failing:
                self._failing_since.pop(s.name, None)
                continue
            since = self._failing_since.setdefault(s.name, s.last_success or now)
            if now - since >= self.fail_after:
                hours = (now - since).total_seconds() / 3600
                alarms[f"source:{s.name}"] = (
                    f"Bron {s.name} faalt al {hours:.1f} uur: {s.last_error or 'onbekende fout'}"
                )
        return alarms

    def _outbox_alarm(self, counts: Mapping[str, int], now: datetime) -> dict[str, str]:
        # progress: the time of the latest send (``Repository.outbox_health``, which counts no
        # sent rows) or the number of rows sent, plus the failed ones
        sent = counts.get("last_sent", counts.get("sent", 0)) + counts.get("failed", 0)
        # "due" (when the caller knows it): rows waiting for a daily or weekly digest are not stuck
        pending = counts.get("due", counts.get("pending", 0)) + counts.get("claimed", 0)
        if self._sent_count is None or sent != self._sent_count or pending == 0:
            self._sent_count = sent
            self._progress_at = now
            return {}
        assert self._progress_at is not None
        if now - self._progress_at >= self.stuck_after:
            minutes = (now - self._progress_at).total_seconds() / 60
            return {
                "outbox": f"Uitgaande berichten staan vast: {pending} wachtend, "
                f"al {minutes:.0f} minuten niets verzonden"
            }
        return {}

    def observe(
        self,
        statuses: Sequence[SourceStatus],
        outbox_counts: Mapping[str, int],
        *,
        now: datetime,
    ) -> list[Alert]:
        """Compare the current health with the last observation; return what to tell admins."""
        current = self._source_alarms(statuses, now) | self._outbox_alarm(outbox_counts, now)
        alerts = [Alert(key, True, text) for key, text in current.items() if key not in self.active]
        for key in self.active:
            if key not in current:
                what = "Bron " + key.split(":", 1)[1] if key.startswith("source:") else "Outbox"
                alerts.append(Alert(key, False, f"{what} werkt weer."))
        self.active = current
        return alerts


Notify = Callable[[str], Awaitable[None]]


async def run_heartbeat(
    read: Callable[[], tuple[Sequence[SourceStatus], Mapping[str, int]]],
    notifiers: Sequence[Notify],
    heartbeat: Heartbeat,
    stop: asyncio.Event,
    *,
    interval: float = 60.0,
) -> None:
    """Every ``interval`` seconds read the health and send each new alert through every notifier."""
    while not stop.is_set():
        try:
            statuses, counts = await asyncio.to_thread(read)
            for alert in heartbeat.observe(statuses, counts, now=datetime.now(UTC)):
                logger.warning("heartbeat: %s", alert.text)
                for notify in notifiers:
                    try:
                        await notify(("⚠️ " if alert.raised else "✅ ") + alert.text)
                    except Exception:  # the edge of one alert channel (SMTP, Telegram, a
                        # bug in either): one broken channel must not silence the others
                        logger.exception("heartbeat notifier failed")
        except Exception:  # the heartbeat task's outermost edge: it must outlive any one check
            logger.exception("heartbeat check failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
