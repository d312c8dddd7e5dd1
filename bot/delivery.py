"""The Telegram delivery worker: outbox rows → planned messages → Bot API → outcomes recorded.

One pass (:func:`deliver_telegram_once`) claims a batch of due Telegram deliveries, plans the
messages (:func:`bot.telegram.outgoing.plan_messages`), sends them through a
:class:`~bot.telegram.notifier.TelegramNotifier` and records every outcome on its delivery row:
sent rows are marked in small batches while the pass runs (so a crash re-sends at most the last
half second of messages), a blocked chat is deactivated and its rows failed with the reason,
transient errors go back to the outbox with a back-off. Rows still claimed when the worker is
stopped are released.

:func:`run_worker` repeats passes until stopped, and sends the daily and weekly Telegram digests
at ``settings.digest_time`` (weekly on ``settings.digest_weekday``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from bot.settings import Settings
from bot.telegram.notifier import SendResult, SendStatus, TelegramNotifier
from bot.telegram.outgoing import Outgoing, plan_digest, plan_messages
from state.models import Channel, ClaimedDelivery, Frequency, Letter, Motion
from state.outbox import retry_at
from state.repository import Repository

if TYPE_CHECKING:  # bot.app imports every source; the bot needs only App's shape
    from bot.app import App

__all__ = [
    "DEFAULT_BATCH",
    "DeliveryReport",
    "DigestClock",
    "deliver_telegram_once",
    "load_records",
    "run_worker",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_BATCH = 200  # rows per pass: ~7 s of sending at 30 msg/s
IDLE_SECONDS = 2.0  # pause between passes when the outbox is empty
FLUSH_SECONDS = 0.5  # how often sent rows are recorded during a pass
ERROR_BACKOFF = 10.0  # pause after a pass failed (database unavailable, …)
STALE_CLAIM = timedelta(minutes=15)  # claims older than this belong to a dead worker
STOP_GRACE = 5.0  # seconds a stopping pass may take to record the messages in flight
WORKER_ID = f"telegram-{os.getpid()}"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class DeliveryReport:
    """What one pass did (counts of delivery rows unless said otherwise)."""

    claimed: int = 0
    messages: int = 0  # planned messages (a grouped message carries several rows)
    sent: int = 0
    failed: int = 0
    retried: int = 0
    deactivated: int = 0  # chats deactivated
    flood_waits: int = 0
    deactivated_chats: list[str] = field(default_factory=list)


def load_records(
    repo: Repository, items: Sequence[ClaimedDelivery]
) -> tuple[dict[str, Motion], dict[str, Letter]]:
    """The motions and letters the claimed changes name (runs in a worker thread)."""
    motions: dict[str, Motion] = {}
    letters: dict[str, Letter] = {}
    for motion_id in {i.change.motion_id for i in items if i.change.motion_id}:
        motion = repo.get_motion(motion_id)
        if motion is not None:
            motions[motion_id] = motion
    for letter_id in {i.change.letter_id for i in items if i.change.letter_id}:
        letter = repo.get_letter(letter_id)
        if letter is not None:
            letters[letter_id] = letter
    return motions, letters


class _Recorder:
    """Records send outcomes on the delivery rows; sent rows are flushed in small batches."""

    def __init__(self, repo: Repository, items: Sequence[ClaimedDelivery]) -> None:
        self.repo = repo
        self.report = DeliveryReport(claimed=len(items))
        self.attempts = {i.delivery.id: i.delivery.attempts for i in items}
        self.subscriber_of = {i.subscriber.address: i.subscriber.id for i in items}
        self.open: set[int] = set(self.attempts)  # claimed rows without a recorded outcome
        self._sent: list[int] = []
        self._deactivated: set[str] = set()

    async def flush(self) -> None:
        """Mark the rows sent so far as sent."""
        if self._sent:
            batch, self._sent = self._sent, []
            await asyncio.to_thread(self.repo.mark_sent, batch)

    async def flush_periodically(self) -> None:
        """Flush every :data:`FLUSH_SECONDS` until cancelled."""
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            await self.flush()

    async def record(self, out: Outgoing, result: SendResult) -> None:
        """Record one message's outcome on each of its rows."""
        self.report.flood_waits += result.flood_waits
        if result.migrated_to and out.chat_id in self.subscriber_of:
            await self._move(out.chat_id, result.migrated_to)
        ids = out.delivery_ids
        self.open.difference_update(ids)
        if result.status is SendStatus.SENT:
            self._sent.extend(ids)
            self.report.sent += len(ids)
            return
        error = result.error or result.status.value
        if result.status is SendStatus.DEACTIVATE:
            await self._deactivate(out.chat_id, error)
            for delivery_id in ids:
                await asyncio.to_thread(
                    self.repo.mark_failed, delivery_id, f"chat deactivated: {error}"
                )
            self.report.failed += len(ids)
        elif result.status is SendStatus.FAILED:
            for delivery_id in ids:
                await asyncio.to_thread(self.repo.mark_failed, delivery_id, error)
            self.report.failed += len(ids)
        else:
            now = datetime.now(UTC)
            for delivery_id in ids:
                when = retry_at(self.attempts.get(delivery_id, 0) + 1, now)
                await asyncio.to_thread(self.repo.mark_failed, delivery_id, error, retry_at=when)
            self.report.retried += len(ids)

    async def _move(self, chat_id: str, new_chat_id: str) -> None:
        """A group became a supergroup: later messages go to its new chat id directly."""
        subscriber_id = self.subscriber_of[chat_id]
        try:
            await asyncio.to_thread(self.repo.update_subscriber, subscriber_id, address=new_chat_id)
        except Exception:  # e.g. the new id already has its own subscriber row
            logger.warning("could not move chat to %s", new_chat_id, extra={"chat_id": chat_id})
            return
        self.subscriber_of[new_chat_id] = subscriber_id
        logger.info("chat moved to %s", new_chat_id, extra={"chat_id": chat_id})

    async def _deactivate(self, chat_id: str, error: str) -> None:
        if chat_id in self._deactivated:
            return
        self._deactivated.add(chat_id)
        subscriber_id = self.subscriber_of[chat_id]
        await asyncio.to_thread(self.repo.update_subscriber, subscriber_id, active=False)
        self.report.deactivated += 1
        self.report.deactivated_chats.append(chat_id)
        logger.info("chat deactivated: %s", error, extra={"chat_id": chat_id})

    async def release_open(self) -> None:
        """Put rows without an outcome back to pending (the pass was stopped)."""
        if self.open:
            open_ids, self.open = sorted(self.open), set()
            await asyncio.to_thread(self.repo.release, open_ids)


async def deliver_telegram_once(
    app: App,
    notifier: TelegramNotifier,
    *,
    limit: int = DEFAULT_BATCH,
    frequency: Frequency = Frequency.INSTANT,
    worker: str = WORKER_ID,
    stop: asyncio.Event | None = None,
) -> DeliveryReport:
    """One pass: claim up to ``limit`` due Telegram deliveries, send them, record outcomes.

    ``frequency`` selects the subscribers served: instant ones get one message per change (or a
    grouped one per letter), daily and weekly ones one digest message per chat. When ``stop``
    is set the pass starts no new message, records those in flight and releases the rest.
    """
    repo = app.repo
    items = await asyncio.to_thread(
        repo.claim_deliveries, Channel.TELEGRAM, limit=limit, worker=worker, frequency=frequency
    )
    if not items:
        return DeliveryReport()
    recorder = _Recorder(repo, items)
    try:
        motions, letters = await asyncio.to_thread(load_records, repo, items)
        public_url = app.settings.public_url
        if frequency is Frequency.INSTANT:
            plan = plan_messages(items, motions=motions, letters=letters, public_url=public_url)
        else:
            plan = plan_digest(items, motions=motions, frequency=frequency, public_url=public_url)
        recorder.report.messages = len(plan)
        flusher = asyncio.create_task(recorder.flush_periodically())
        try:
            await notifier.send_all(plan, recorder.record, stop=stop)
        finally:
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
    finally:
        # shielded: a stop must not cut short the bookkeeping that prevents re-sends
        await asyncio.shield(_finish(recorder))
    report = recorder.report
    logger.info(
        "telegram pass: %d rows, %d messages, %d sent, %d failed, %d retried, %d chats deactivated",
        report.claimed,
        report.messages,
        report.sent,
        report.failed,
        report.retried,
        report.deactivated,
    )
    return report


async def _finish(recorder: _Recorder) -> None:
    await recorder.flush()
    await recorder.release_open()


class DigestClock:
    """When the daily and weekly Telegram digests are due (local time of ``settings``)."""

    def __init__(self, settings: Settings, now: datetime | None = None) -> None:
        """Schedule the first digests after ``now``."""
        self.zone = ZoneInfo(settings.timezone)
        hour, _, minute = settings.digest_time.partition(":")
        self.at = time(int(hour), int(minute or 0))
        day = settings.digest_weekday.strip().lower()[:3]
        self.weekday = _WEEKDAYS.index(day) if day in _WEEKDAYS else 0
        now = now or datetime.now(UTC)
        self.next_daily = self._next(now, weekly=False)
        self.next_weekly = self._next(now, weekly=True)

    def _next(self, after: datetime, *, weekly: bool) -> datetime:
        local = after.astimezone(self.zone)
        candidate = datetime.combine(local.date(), self.at, tzinfo=self.zone)
        while candidate <= local or (weekly and candidate.weekday() != self.weekday):
            candidate = datetime.combine(
                candidate.date() + timedelta(days=1), self.at, tzinfo=self.zone
            )
        return candidate.astimezone(UTC)

    def due(self, now: datetime) -> list[Frequency]:
        """The digests due at ``now`` (each reported once, then rescheduled)."""
        found: list[Frequency] = []
        if now >= self.next_daily:
            found.append(Frequency.DAILY)
            self.next_daily = self._next(now, weekly=False)
        if now >= self.next_weekly:
            found.append(Frequency.WEEKLY)
            self.next_weekly = self._next(now, weekly=True)
        return found


async def _until_stopped(
    coro: Coroutine[Any, Any, T], stop: asyncio.Event, grace: float = STOP_GRACE
) -> T | None:
    """Run ``coro``; once ``stop`` is set, give it ``grace`` seconds, then cancel it.

    A pass given ``stop`` winds down by itself (messages in flight are recorded); the grace
    period bounds a flood wait. Returns None when the coroutine was cancelled.
    """
    task = asyncio.create_task(coro)
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([task, stopper], return_when=asyncio.FIRST_COMPLETED)
        if not task.done():
            await asyncio.wait([task], timeout=grace)
    finally:
        stopper.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return None


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def _drain_digest(
    app: App, notifier: TelegramNotifier, frequency: Frequency, stop: asyncio.Event
) -> None:
    while not stop.is_set():
        report = await deliver_telegram_once(
            app, notifier, limit=1000, frequency=frequency, stop=stop
        )
        if not report.claimed:
            return


async def run_worker(app: App, stop: asyncio.Event) -> None:
    """Deliver Telegram messages from the outbox until ``stop`` is set.

    Without a token configured it logs once and idles until stopped.
    """
    if not app.settings.telegram_enabled:
        logger.info("no Telegram token configured: Telegram delivery is off")
        await stop.wait()
        return
    notifier = TelegramNotifier.from_settings(app.settings)
    while not stop.is_set():
        try:
            await notifier.start()
            break
        except Exception as exc:  # Telegram unreachable at start-up: keep trying
            logger.warning("Telegram not reachable yet (%s); retrying", type(exc).__name__)
            await _wait(stop, ERROR_BACKOFF)
    clock = DigestClock(app.settings)
    last_requeue = datetime.min.replace(tzinfo=UTC)
    try:
        while not stop.is_set():
            now = datetime.now(UTC)
            try:
                if now - last_requeue > STALE_CLAIM / 3:
                    last_requeue = now
                    await asyncio.to_thread(app.repo.requeue_stale_claims, STALE_CLAIM)
                for frequency in clock.due(now):
                    await _until_stopped(_drain_digest(app, notifier, frequency, stop), stop)
                report = await _until_stopped(deliver_telegram_once(app, notifier, stop=stop), stop)
            except Exception:  # one failed pass must not end delivery
                logger.exception("telegram delivery pass failed")
                await _wait(stop, ERROR_BACKOFF)
                continue
            if report is not None and not report.claimed:
                await _wait(stop, IDLE_SECONDS)
    finally:
        await notifier.close()
        logger.info("telegram delivery stopped")
