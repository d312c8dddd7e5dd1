"""Email digests: the run that claims, renders and sends (``bot.digests`` schedules it).

``send_digests`` claims the email outbox rows that are due, groups them per subscriber (each
change once, however many subscriptions matched it), sends one digest per subscriber and marks
the rows: sent; failed with a retry time (temporary SMTP trouble, retried within the run first);
or failed for good (a permanent refusal, counted as a bounce — the third bounce deactivates the
address). Rows still claimed when the run stops (an error, shutdown) go back to the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.email.digest import (
    DigestMail,
    digest_message_id,
    mail_domain,
    render_digest_mail,
)
from bot.email.links import Links
from bot.email.sender import Mailer, PermanentMailError, TemporaryMailError
from bot.errors import STORE_ERRORS
from bot.settings import Settings
from state.models import Change, Channel, ClaimedDelivery, Frequency, Letter, Motion, Subscriber
from state.outbox import retry_at
from state.overdue import Overdue
from templates.render import format_date, render

if TYPE_CHECKING:  # bot.app imports every source; only its type is needed here
    from bot.app import App

__all__ = [
    "MAX_BOUNCES",
    "DigestLookups",
    "DigestReport",
    "format_report",
    "render_digest",
    "send_digests",
]

logger = logging.getLogger(__name__)

MAX_BOUNCES = 3  # permanent refusals after which an address is no longer mailed
CLAIM_BATCH = 1000
RETRY_DELAYS = (2.0, 10.0)  # in-run waits before the 2nd and 3rd try of a temporary failure
PIPELINE = 2  # digests rendered ahead of the one being sent
GIVE_UP_AFTER = 3  # consecutive subscribers failing temporarily: the server is down, stop


@dataclass
class DigestReport:
    """What one digest run did."""

    frequency: Frequency | None
    dry_run: bool
    subscribers: int = 0  # subscribers with something due
    digests: int = 0  # sent (rendered, in a dry run)
    changes: int = 0  # changes in those digests, counted per subscriber
    deliveries: int = 0  # outbox rows claimed
    temporary_failures: int = 0  # digests left for a later run
    bounces: int = 0  # digests refused for good
    deactivated: int = 0  # addresses switched off after MAX_BOUNCES
    released: int = 0  # rows put back unsent (dry run, stop)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Digests per second."""
        return self.digests / self.seconds if self.seconds > 0 else 0.0


def _period(frequency: Frequency | None, now: datetime, settings: Settings, lang: str) -> str:
    local = now.astimezone(ZoneInfo(settings.timezone))
    day = format_date(local.date(), lang)
    weekly = frequency is Frequency.WEEKLY
    return render("email/subject.txt", kind="period", lang=lang, weekly=weekly, day=day)


class DigestLookups:
    """Motions and letters needed by the digests, each loaded from the store once per run."""

    def __init__(self, app: App) -> None:
        self._repo = app.repo
        self.motions: dict[str, Motion] = {}
        self.letters: dict[str, Letter] = {}
        self._missing: set[str] = set()
        self._settings = app.settings
        self.overdue: list[Overdue] = []  # issue 17: the weekly digest's overdue section

    def load(self, claimed: Sequence[ClaimedDelivery]) -> None:
        """Fetch every motion and letter that ``claimed`` refers to (blocking: run in a thread)."""
        if any(c.subscriber.frequency is Frequency.WEEKLY for c in claimed):
            self.overdue = self._repo.overdue(
                today=datetime.now(UTC).date(), months=self._settings.overdue_months
            )
        for item in claimed:
            motion_id, letter_id = item.change.motion_id, item.change.letter_id
            if motion_id and motion_id not in self.motions and motion_id not in self._missing:
                motion = self._repo.get_motion(motion_id)
                if motion is None:
                    self._missing.add(motion_id)
                else:
                    self.motions[motion_id] = motion
            key = f"letter:{letter_id}"
            if letter_id and letter_id not in self.letters and key not in self._missing:
                letter = self._repo.get_letter(letter_id)
                if letter is None:
                    self._missing.add(key)
                else:
                    self.letters[letter_id] = letter


def render_digest(
    settings: Settings,
    links: Links,
    subscriber: Subscriber,
    claimed: Sequence[ClaimedDelivery],
    lookups: DigestLookups,
    *,
    frequency: Frequency | None,
    sender_address: str,
    now: datetime,
) -> DigestMail:
    """One subscriber's digest with its List-Unsubscribe headers and signed links.

    ``List-Unsubscribe`` carries only the HTTPS one-click link (RFC 8058, what Gmail and Yahoo
    require): no ``mailto:`` is offered, since nothing reads mail sent to the From address.
    ``sender_address`` is the envelope sender (kept for the callers; not used in the mail).
    """
    token = links.unsubscribe_token(subscriber.id, now)
    changes = [c.change for c in claimed]
    lang = subscriber.language if subscriber.language in ("nl", "en") else "nl"
    return render_digest_mail(
        to=subscriber.address,
        sender=settings.smtp_from,
        changes=changes,
        motions=lookups.motions,
        letters=lookups.letters,
        public_url=links.public_url,
        manage_url=links.manage(subscriber.id, now),
        unsubscribe_url=links.url(f"/afmelden/{token}"),
        period=_period(frequency or subscriber.frequency, now, settings, lang),
        lang=lang,
        now=now,
        message_id=_message_id(subscriber, changes, links.public_url),
        overdue=lookups.overdue if (frequency or subscriber.frequency) is Frequency.WEEKLY else (),
    )


def _message_id(subscriber: Subscriber, changes: Sequence[Change], public_url: str) -> str:
    return digest_message_id(f"s{subscriber.id}", (c.id for c in changes), mail_domain(public_url))


async def _claim_all(app: App, frequency: Frequency | None, now: datetime) -> list[ClaimedDelivery]:
    worker = f"digest-{os.getpid()}"
    claimed: list[ClaimedDelivery] = []
    while True:
        batch = await asyncio.to_thread(
            app.repo.claim_deliveries,
            Channel.EMAIL,
            limit=CLAIM_BATCH,
            worker=worker,
            now=now,
            frequency=frequency,
        )
        if not batch:  # a short batch is not the end: rows of inactive subscribers are skipped
            return claimed
        claimed.extend(batch)


async def _send_with_retries(
    mailer: Mailer, sender: str, mail: DigestMail, data: bytes, delays: Sequence[float]
) -> TemporaryMailError | None:
    """Send; on a temporary failure wait and try again. Returns the last temporary error."""
    error: TemporaryMailError | None = None
    for delay in (0.0, *delays):
        if delay:
            await asyncio.sleep(delay)
        try:
            await mailer.send_bytes(sender, [mail.recipient], data)
        except TemporaryMailError as exc:
            error = exc
            continue
        return None
    return error


def _mark_temporary(app: App, rows: Sequence[ClaimedDelivery], error: str, now: datetime) -> None:
    for row in rows:
        app.repo.mark_failed(
            row.delivery.id,
            error,
            retry_at=retry_at(row.delivery.attempts + 1, now),
            now=now,
        )


def _mark_bounce(
    app: App, subscriber: Subscriber, rows: Sequence[ClaimedDelivery], error: str
) -> int:
    for row in rows:
        app.repo.mark_failed(row.delivery.id, f"bounce: {error}", retry_at=None)
    count = app.repo.record_bounce(subscriber.id)
    if count >= MAX_BOUNCES:
        app.repo.update_subscriber(subscriber.id, active=False)
    return count


async def send_digests(
    app: App,
    mailer: Mailer | None,
    *,
    frequency: Frequency | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    retry_delays: Sequence[float] = RETRY_DELAYS,
) -> DigestReport:
    """Send every email subscriber (of ``frequency``, or all) one digest of their due changes.

    ``dry_run`` renders and counts but sends nothing and puts the claimed rows back. Without a
    mailer only a dry run is possible (raises ValueError otherwise).
    """
    if mailer is None and not dry_run:
        raise ValueError("email is off (KAMERWACHT_SMTP_HOST is not set): use a dry run")
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    settings = app.settings
    links = Links.from_settings(settings)
    sender_address = mailer.from_address if mailer else _bare_address(settings.smtp_from)
    report = DigestReport(frequency=frequency, dry_run=dry_run)
    claimed = await _claim_all(app, frequency, now)
    report.deliveries = len(claimed)
    pending: dict[int, ClaimedDelivery] = {c.delivery.id: c for c in claimed}
    per_subscriber: dict[int, list[ClaimedDelivery]] = {}
    for item in claimed:
        per_subscriber.setdefault(item.subscriber.id, []).append(item)
    report.subscribers = len(per_subscriber)
    lookups = DigestLookups(app)
    await asyncio.to_thread(lookups.load, claimed)
    queue: asyncio.Queue[tuple[list[ClaimedDelivery], DigestMail, bytes] | None]
    queue = asyncio.Queue(PIPELINE)

    async def render_ahead() -> None:
        """Render digests ahead of the sender, so rendering overlaps the SMTP server's work."""
        try:
            for rows in per_subscriber.values():
                mail = render_digest(
                    settings,
                    links,
                    rows[0].subscriber,
                    rows,
                    lookups,
                    frequency=frequency,
                    sender_address=sender_address,
                    now=now,
                )
                await queue.put((rows, mail, mail.as_bytes()))
        finally:
            await queue.put(None)

    renderer = asyncio.create_task(render_ahead())
    marker = _SentMarker(app, pending, now)
    down = 0
    try:
        while (ready := await queue.get()) is not None:
            rows, mail, data = ready
            subscriber = rows[0].subscriber
            changes = len({r.change.id for r in rows})
            if dry_run or mailer is None:
                report.digests += 1
                report.changes += changes
                continue
            try:
                error = await _send_with_retries(mailer, sender_address, mail, data, retry_delays)
            except PermanentMailError as exc:
                count = await asyncio.to_thread(_mark_bounce, app, subscriber, rows, str(exc))
                _forget(pending, rows)
                report.bounces += 1
                if count >= MAX_BOUNCES:
                    report.deactivated += 1
                    logger.warning(
                        "subscriber %d deactivated after %d bounces", subscriber.id, count
                    )
                else:
                    logger.info("subscriber %d bounced (%d so far)", subscriber.id, count)
                down = 0
                continue
            if error is not None:
                await asyncio.to_thread(_mark_temporary, app, rows, str(error), now)
                _forget(pending, rows)
                report.temporary_failures += 1
                report.errors.append(str(error))
                logger.warning("digest to subscriber %d deferred: %s", subscriber.id, error)
                down += 1
                if down >= GIVE_UP_AFTER:
                    logger.error("SMTP keeps failing; leaving the other digests for the next run")
                    break
                continue
            down = 0
            marker.add(rows)
            report.digests += 1
            report.changes += changes
        await marker.flush()
    finally:
        if not renderer.done():
            renderer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renderer  # re-raises a rendering error
        await marker.settle()
        if pending:
            report.released = len(pending)
            await asyncio.to_thread(app.repo.release, list(pending))
        report.seconds = time.perf_counter() - started
    logger.info(
        "digests %s: %d sent to %d subscribers, %d deferred, %d bounced%s",
        frequency.value if frequency else "all",
        report.digests,
        report.subscribers,
        report.temporary_failures,
        report.bounces,
        " (dry run)" if dry_run else "",
    )
    return report


class _SentMarker:
    """Marks sent deliveries in the background, one database write at a time.

    Rows sent while a write runs are marked together by the next write, so the number of sent
    but unmarked rows (re-sent after a crash) is what one write takes to commit, and the
    sending never waits for the database.
    """

    def __init__(self, app: App, pending: dict[int, ClaimedDelivery], now: datetime) -> None:
        self._app = app
        self._pending = pending
        self._now = now
        self._waiting: list[ClaimedDelivery] = []
        self._task: asyncio.Task[None] | None = None

    def add(self, rows: Sequence[ClaimedDelivery]) -> None:
        """Queue ``rows`` as sent; start a write unless one is running."""
        self._waiting.extend(rows)
        if self._task is None or self._task.done():
            self._start()

    def _start(self) -> None:
        if self._task is not None and self._task.done():
            self._task.result()  # a failed write stops the run; its rows stay claimed
        rows, self._waiting = self._waiting, []
        self._task = asyncio.create_task(self._write(rows))

    async def _write(self, rows: list[ClaimedDelivery]) -> None:
        await asyncio.to_thread(
            self._app.repo.mark_sent, [r.delivery.id for r in rows], now=self._now
        )
        _forget(self._pending, rows)

    async def flush(self) -> None:
        """Wait until every queued row is marked."""
        while self._waiting or (self._task is not None and not self._task.done()):
            if self._task is not None and not self._task.done():
                await self._task
            elif self._waiting:
                self._start()
        if self._task is not None:
            self._task.result()

    async def settle(self) -> None:
        """Let a running write finish (on any exit), without raising."""
        if self._task is not None and not self._task.done():
            with contextlib.suppress(*STORE_ERRORS):  # the run reports the write's failure
                await self._task


def _forget(pending: dict[int, ClaimedDelivery], rows: Sequence[ClaimedDelivery]) -> None:
    for row in rows:
        pending.pop(row.delivery.id, None)


def _bare_address(sender: str) -> str:
    return parseaddr(sender)[1] or sender


def format_report(report: DigestReport) -> str:
    """A few lines for ``kamerwacht digest --send-now`` to print."""
    which = report.frequency.value if report.frequency else "all"
    verb = "rendered (dry run, nothing sent)" if report.dry_run else "sent"
    lines = [
        f"digests ({which}): {report.digests} {verb} to {report.subscribers} subscriber(s), "
        f"{report.changes} change(s) from {report.deliveries} outbox row(s) "
        f"in {report.seconds:.2f} s",
    ]
    if report.temporary_failures:
        lines.append(f"  deferred (temporary SMTP failure): {report.temporary_failures}")
    if report.bounces:
        lines.append(f"  bounced: {report.bounces} (addresses switched off: {report.deactivated})")
    if report.released:
        lines.append(f"  put back in the outbox unsent: {report.released}")
    for error in dict.fromkeys(report.errors):
        lines.append(f"  error: {error}")
    return "\n".join(lines)
