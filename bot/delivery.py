"""The Telegram delivery worker: outbox rows → planned messages → Bot API → outcomes recorded.

One pass (:func:`deliver_telegram_once`) claims a batch of due Telegram deliveries, plans the
messages (:func:`bot.telegram.outgoing.plan_messages`), sends them through a
:class:`~bot.telegram.notifier.TelegramNotifier` and records every outcome on its delivery row:
sent rows are marked in small batches while the pass runs (so a crash re-sends at most the last
half second of messages), a blocked chat is deactivated and its rows failed with the reason,
transient errors go back to the outbox with a back-off. Rows still claimed when the worker is
stopped are released.

:func:`bot.worker.run_worker` repeats passes until stopped; ``bot.digests`` schedules the daily
and weekly digest passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.errors import STORE_ERRORS, TokenRefused
from bot.telegram.attachments import attach_calendars
from bot.telegram.notifier import SendResult, SendStatus, TelegramNotifier
from bot.telegram.outgoing import Outgoing, plan_digest, plan_messages
from state.models import Channel, ClaimedDelivery, Frequency, Letter, Motion
from state.outbox import retry_at
from state.repository import Repository

if TYPE_CHECKING:  # bot.app imports every source; the bot needs only App's shape
    from bot.app import App

__all__ = [
    "DEFAULT_BATCH",
    "Backlog",
    "DeliveryReport",
    "TokenRefused",  # now in bot.errors; named here for the callers that import it from here
    "deliver_telegram_once",
    "ended_workers",
    "load_records",
    "worker_name",
]

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 200  # rows per pass, in whole chats: ~7 s of sending at 30 msg/s
FLUSH_SECONDS = 0.5  # how often sent rows are recorded during a pass
RECORD_TRIES = 3  # attempts to record a pass's outcomes before they wait for the next pass


def worker_name(host: str | None = None, pid: int | None = None) -> str:
    """This process's name on the claims it takes: ``telegram@<host>:<pid>``.

    A restarted worker on the same host recognises the claims of its dead predecessors by the
    host and a process id that no longer runs, and releases them at once.
    """
    host = host or socket.gethostname()
    pid = os.getpid() if pid is None else pid
    return f"telegram@{host[:40]}:{pid}"


WORKER_ID = worker_name()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def ended_workers(owners: Sequence[str], me: str = WORKER_ID) -> list[str]:
    """The claim owners among ``owners`` that are this host's Telegram workers and have ended."""
    prefix, _, _ = me.rpartition(":")
    ended: list[str] = []
    for owner in owners:
        head, _, pid = owner.rpartition(":")
        if head != prefix or not pid.isdigit():
            continue
        if owner == me or not _pid_alive(int(pid)):
            ended.append(owner)
    return ended


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
    unrecorded: int = 0  # outcomes left to record in the next pass (the database failed)
    deactivated_chats: list[str] = field(default_factory=list)


@dataclass
class Backlog:
    """Outcomes a worker could not record yet (the database failed); retried before each pass.

    Its rows stay claimed by this worker meanwhile, so no other worker sends them again.
    """

    sent: list[int] = field(default_factory=list)
    failed: list[tuple[int, str, datetime | None]] = field(default_factory=list)
    release: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sent) + len(self.failed) + len(self.release)

    def record(self, repo: Repository, worker: str) -> None:
        """Record everything (runs in a worker thread); what fails stays for the next try.

        Unsent rows are released first (always safe), then failures, then sent rows; each part
        is tried even when another failed, and the first error is raised at the end.
        """
        errors: list[Exception] = []  # the store's errors, raised after every part was tried
        if self.release:
            batch = list(self.release)
            try:
                repo.release(batch)
                del self.release[: len(batch)]
            except STORE_ERRORS as exc:
                errors.append(exc)
        try:
            while self.failed:
                delivery_id, error, when = self.failed[0]
                repo.mark_failed(delivery_id, error, retry_at=when)
                self.failed.pop(0)
        except STORE_ERRORS as exc:
            errors.append(exc)
        if self.sent:
            batch = list(self.sent)
            try:
                done = repo.mark_sent(batch, worker=worker)
                del self.sent[: len(batch)]
                if done < len(batch):
                    logger.warning(
                        "%d sent rows were no longer claimed by this worker", len(batch) - done
                    )
            except STORE_ERRORS as exc:
                errors.append(exc)
        if errors:
            raise errors[0]


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
    """Records send outcomes on the delivery rows; sent rows are flushed in small batches.

    When an outcome cannot be recorded (the database failed) ``halt`` is set: the pass starts
    no new message, and the outcomes wait in the worker's :class:`Backlog`, their rows still
    claimed, so re-sends after a fault stay bounded by the messages that were in flight.
    """

    def __init__(
        self,
        repo: Repository,
        items: Sequence[ClaimedDelivery],
        worker: str,
        backlog: Backlog,
        renew_every: float,
    ) -> None:
        self.repo = repo
        self.worker = worker
        self.backlog = backlog
        self.renew_every = renew_every
        self.report = DeliveryReport(claimed=len(items))
        self.attempts = {i.delivery.id: i.delivery.attempts for i in items}
        self.subscriber_of = {i.subscriber.address: i.subscriber.id for i in items}
        self.open: set[int] = set(self.attempts)  # claimed rows without a recorded outcome
        self.halt = asyncio.Event()  # stop sending: an outcome could not be recorded
        self.done = asyncio.Event()  # the pass has sent what it will send
        self.broken = False  # the database failed during this pass
        self._sent: list[int] = []
        self._deactivated: set[str] = set()
        self._lock = asyncio.Lock()

    def _broken(self, what: str, exc: BaseException) -> None:
        if not self.broken:
            logger.error(
                "recording %s failed (%s); this pass sends no more", what, type(exc).__name__
            )
        self.broken = True
        self.halt.set()

    async def flush(self) -> None:
        """Mark the rows sent so far as sent (a failed batch stays queued for the next try)."""
        async with self._lock:  # never two flushes at once; a flush is never cut short
            if not self._sent or self.broken:
                return
            batch = list(self._sent)
            try:
                done = await asyncio.to_thread(self.repo.mark_sent, batch, worker=self.worker)
            except STORE_ERRORS as exc:
                self._broken("sent messages", exc)
                return
            del self._sent[: len(batch)]
            if done < len(batch):
                logger.warning(
                    "%d sent rows were no longer claimed by this worker", len(batch) - done
                )

    async def flush_periodically(self) -> None:
        """Flush every :data:`FLUSH_SECONDS` and renew the open claims, until ``done``."""
        loop = asyncio.get_running_loop()
        renewed = loop.time()
        while not self.done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.done.wait(), timeout=FLUSH_SECONDS)
            await self.flush()
            if loop.time() - renewed >= self.renew_every and self.open and not self.broken:
                renewed = loop.time()
                try:
                    await asyncio.to_thread(self.repo.touch_claims, sorted(self.open), self.worker)
                except STORE_ERRORS as exc:
                    self._broken("claims", exc)

    async def record(self, out: Outgoing, result: SendResult) -> None:
        """Record one message's outcome on each of its rows."""
        self.report.flood_waits += result.flood_waits
        ids = out.delivery_ids
        if result.status is SendStatus.NOT_SENT:  # nothing went out: the rows stay open
            self.halt.set()
            return
        self.open.difference_update(ids)
        if result.status is SendStatus.SENT:
            self._sent.extend(ids)
            self.report.sent += len(ids)
        else:
            error = result.error or result.status.value
            now = datetime.now(UTC)
            outcomes: list[tuple[int, str, datetime | None]]
            if result.status is SendStatus.DEACTIVATE:
                outcomes = [(i, f"chat deactivated: {error}", None) for i in ids]
                self.report.failed += len(ids)
            elif result.status is SendStatus.FAILED:
                outcomes = [(i, error, None) for i in ids]
                self.report.failed += len(ids)
            else:
                outcomes = [(i, error, retry_at(self.attempts.get(i, 0) + 1, now)) for i in ids]
                self.report.retried += len(ids)
            await self._fail(outcomes)
        try:
            if result.migrated_to and out.chat_id in self.subscriber_of:
                await self._move(out.chat_id, result.migrated_to)
            if result.status is SendStatus.DEACTIVATE:
                await self._deactivate(out.chat_id, result.error or result.status.value)
        except STORE_ERRORS as exc:  # the next message to this chat tries again
            self._broken("a chat's state", exc)

    async def _fail(self, outcomes: list[tuple[int, str, datetime | None]]) -> None:
        pending = list(outcomes)
        if not self.broken:
            try:
                while pending:
                    delivery_id, error, when = pending[0]
                    await asyncio.to_thread(
                        self.repo.mark_failed, delivery_id, error, retry_at=when
                    )
                    pending.pop(0)
            except STORE_ERRORS as exc:
                self._broken("failed messages", exc)
        self.backlog.failed.extend(pending)

    async def _move(self, chat_id: str, new_chat_id: str) -> None:
        """A group became a supergroup: later messages go to its new chat id directly."""
        subscriber_id = self.subscriber_of[chat_id]
        try:
            await asyncio.to_thread(self.repo.update_subscriber, subscriber_id, address=new_chat_id)
        except STORE_ERRORS:  # e.g. the new id already has its own subscriber row
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

    async def finish(self) -> None:
        """Record the last sent rows and release the open ones; what fails joins the backlog."""
        self.done.set()
        await self.flush()
        self.backlog.sent.extend(self._sent)
        self._sent = []
        self.backlog.release.extend(sorted(self.open))
        self.open = set()
        for attempt in range(RECORD_TRIES):
            try:
                await asyncio.to_thread(self.backlog.record, self.repo, self.worker)
                break
            except STORE_ERRORS as exc:
                if attempt == RECORD_TRIES - 1:
                    logger.error(
                        "could not record %d outcomes (%s); retried before the next pass",
                        len(self.backlog),
                        type(exc).__name__,
                    )
                else:
                    await asyncio.sleep(0.5 * (attempt + 1))
        self.report.unrecorded = len(self.backlog)


async def deliver_telegram_once(
    app: App,
    notifier: TelegramNotifier,
    *,
    limit: int = DEFAULT_BATCH,
    frequency: Frequency = Frequency.INSTANT,
    worker: str = WORKER_ID,
    stop: asyncio.Event | None = None,
    backlog: Backlog | None = None,
) -> DeliveryReport:
    """One pass: claim the due Telegram deliveries of whole chats (about ``limit`` rows), send
    them and record the outcomes.

    ``frequency`` selects the subscribers served: instant ones get one message per change (or a
    grouped one per letter), daily and weekly ones one digest message per chat. When ``stop``
    is set the pass starts no new message, records those in flight and releases the rest.
    ``backlog`` carries outcomes an earlier pass could not record; they are recorded first
    (and the pass claims nothing while that fails).
    """
    repo = app.repo
    backlog = backlog if backlog is not None else Backlog()
    if backlog:
        await asyncio.to_thread(backlog.record, repo, worker)
    items = await asyncio.to_thread(
        repo.claim_deliveries, Channel.TELEGRAM, limit=limit, worker=worker, frequency=frequency
    )
    if not items:
        return DeliveryReport()
    renew = max(1.0, min(60.0, app.settings.stale_claim_seconds / 4))
    recorder = _Recorder(repo, items, worker, backlog, renew)
    halt = recorder.halt
    watcher: asyncio.Task[None] | None = None
    if stop is not None:

        async def pass_on_stop() -> None:
            await stop.wait()
            halt.set()

        watcher = asyncio.create_task(pass_on_stop())
    try:
        motions, letters = await asyncio.to_thread(load_records, repo, items)
        public_url = app.settings.public_url
        if frequency is Frequency.INSTANT:
            plan = plan_messages(items, motions=motions, letters=letters, public_url=public_url)
            plan = await asyncio.to_thread(attach_calendars, repo, items, plan, public_url)  # #17
        else:
            plan = plan_digest(items, motions=motions, frequency=frequency, public_url=public_url)
        recorder.report.messages = len(plan)
        flusher = asyncio.create_task(recorder.flush_periodically())
        try:
            await notifier.send_all(plan, recorder.record, stop=halt)
        finally:
            recorder.done.set()
            await asyncio.shield(flusher)  # a flush in progress is never cut short
    finally:
        if watcher is not None:
            watcher.cancel()
        # shielded: a stop must not cut short the bookkeeping that prevents re-sends
        await asyncio.shield(recorder.finish())
    report = recorder.report
    metrics = getattr(app, "metrics", None)
    if metrics is not None:  # this process's counters; /metrics also reads the outbox itself
        for outcome, count in (
            ("sent", report.sent),
            ("failed", report.failed),
            ("retried", report.retried),
        ):
            if count:
                metrics.inc(
                    "kamerwacht_deliveries_total", count, channel="telegram", outcome=outcome
                )
        if report.flood_waits:
            metrics.inc("kamerwacht_telegram_429_total", report.flood_waits)
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
