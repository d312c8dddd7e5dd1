"""The Telegram delivery worker: passes of :func:`bot.delivery.deliver_telegram_once` until stopped.

:func:`run_worker` starts the composition root's notifier (retrying while Telegram is
unreachable, stopping for good when the token is refused), releases the claims of this host's
ended workers, requeues stale claims elsewhere, sends the digests the one digest schedule asked
for (:class:`bot.digests.DigestRequests`) and otherwise the instant messages, pass after pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from telegram.error import InvalidToken, TelegramError

from bot.delivery import WORKER_ID, Backlog, deliver_telegram_once, ended_workers
from bot.digests import DigestRequests
from bot.errors import STORE_ERRORS, TokenRefused
from bot.telegram.notifier import TelegramNotifier
from state.models import Frequency

if TYPE_CHECKING:  # bot.app imports every source; the worker needs only App's shape
    from bot.app import App

__all__ = ["run_worker", "start_notifier"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

IDLE_SECONDS = 2.0  # pause between passes when the outbox is empty
ERROR_BACKOFF = 10.0  # pause after a pass failed (database unavailable, …)
STOP_GRACE = 5.0  # seconds a stopping pass may take to record the messages in flight
# What a failed pass raises when the store or Telegram fails: logged, retried after a pause.
PASS_ERRORS: tuple[type[Exception], ...] = (*STORE_ERRORS, TelegramError)


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
    app: App,
    notifier: TelegramNotifier,
    frequency: Frequency,
    stop: asyncio.Event,
    backlog: Backlog,
) -> None:
    while not stop.is_set():
        report = await deliver_telegram_once(
            app, notifier, limit=1000, frequency=frequency, stop=stop, backlog=backlog
        )
        if not report.claimed:
            return


async def start_notifier(notifier: TelegramNotifier, stop: asyncio.Event) -> bool:
    """Start ``notifier`` (getMe), retrying while Telegram is unreachable.

    Returns False when stopped first; raises :class:`TokenRefused` when the token is refused.
    """
    while not stop.is_set():
        try:
            await notifier.start()
            return True
        except InvalidToken as exc:
            raise TokenRefused("Telegram refused KAMERWACHT_TELEGRAM_TOKEN") from exc
        except (TelegramError, OSError) as exc:  # Telegram unreachable at start-up: keep trying
            logger.warning("Telegram not reachable yet (%s); retrying", type(exc).__name__)
            await _wait(stop, ERROR_BACKOFF)
    return False


async def run_worker(app: App, stop: asyncio.Event, *, worker: str = WORKER_ID) -> None:
    """Deliver Telegram messages from the outbox until ``stop`` is set.

    Without a token configured it logs once and idles until stopped. At start the claims of
    this host's ended workers (a killed predecessor) are released at once; claims older than
    ``settings.stale_claim_seconds`` (a dead worker elsewhere) are requeued. A live worker
    renews its claims while it sends, so no legitimate wait makes them stale. The notifier and
    the digest requests come from the composition root (:func:`bot.app.build_service`); an App
    without them (a test's, a one-off tool's) gets its own.
    """
    if not app.settings.telegram_enabled:
        logger.info("no Telegram token configured: Telegram delivery is off")
        await stop.wait()
        return
    notifier: TelegramNotifier | None = getattr(app, "notifier", None)
    if notifier is None:
        notifier = TelegramNotifier.from_settings(app.settings, budget=app.repo)
    digests: DigestRequests = getattr(app, "telegram_digests", None) or DigestRequests()
    stale = timedelta(seconds=app.settings.stale_claim_seconds)
    backlog = Backlog()
    try:
        if not await start_notifier(notifier, stop):
            return
        last_requeue = datetime.min.replace(tzinfo=UTC)
        released = False
        while not stop.is_set():
            now = datetime.now(UTC)
            try:
                if not released:
                    owners = await asyncio.to_thread(app.repo.claim_owners)
                    ended = ended_workers(owners, worker)
                    await asyncio.to_thread(app.repo.release_claims_of, ended)
                    released = True
                if now - last_requeue > stale / 3:
                    last_requeue = now
                    await asyncio.to_thread(app.repo.requeue_stale_claims, stale)
                for frequency in digests.take():
                    await _until_stopped(
                        _drain_digest(app, notifier, frequency, stop, backlog), stop
                    )
                report = await _until_stopped(
                    deliver_telegram_once(app, notifier, stop=stop, worker=worker, backlog=backlog),
                    stop,
                )
            except PASS_ERRORS as exc:  # the store or Telegram failed
                logger.error("telegram delivery pass failed: %s", _one_line(exc))
                await _wait(stop, ERROR_BACKOFF)
                continue
            except Exception as exc:  # the worker task's outermost edge: a bug in one pass
                # (a message that cannot be planned, …) must not end delivery for everyone
                logger.exception("telegram delivery pass failed: %s", _one_line(exc))
                await _wait(stop, ERROR_BACKOFF)
                continue
            if report is not None and not report.claimed:
                await _wait(stop, IDLE_SECONDS)
    finally:
        if backlog:
            with contextlib.suppress(*STORE_ERRORS):
                await asyncio.to_thread(backlog.record, app.repo, worker)
        pacer = getattr(getattr(notifier.bot, "rate_limiter", None), "pacer", None)
        late = getattr(pacer, "late_slots", 0)
        await notifier.close()
        logger.info("telegram delivery stopped (%d send slots given up: started late)", late)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]
