"""The running service: one APScheduler 3 AsyncIOScheduler plus the long-running parts.

Roles: ``poller`` (poll jobs and the heartbeat), ``bot`` (Telegram commands), ``web`` (the ASGI
app), ``worker`` (outbox delivery to Telegram; the digest jobs of ``bot.digests``, one per
frequency, serving email and Telegram alike). The collaborators come from the composition root
(``bot.app.build_service``): one SMTP pool and one outgoing bot per process. ``kamerwacht run``
runs all of them in one process; with PostgreSQL each can run in its own process. SIGTERM/SIGINT
stop the service gracefully: running jobs finish, claimed deliveries go back to the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram.error import InvalidToken

from bot.app import App, build_service, poll_once
from bot.digests import DigestRun, add_digest_jobs
from bot.errors import STORE_ERRORS, TokenRefused
from bot.heartbeat import Heartbeat, Notify, run_heartbeat
from bot.settings import Settings
from state.models import Frequency, SourceStatus

__all__ = ["ROLES", "admin_notifiers", "build_scheduler", "digest_channels", "run_service"]

logger = logging.getLogger(__name__)

ROLES = ("poller", "bot", "web", "worker")
# The web app renders pages in worker threads of the process; with the bot or the worker in the
# same process, the event loop that sends waits for the GIL each time it wakes. CPython lets a
# busy thread keep the GIL for the switch interval (5 ms by default) before handing it over: 1 ms
# keeps the sends and the bot's answers on time while a visitor reloads the board.
SHARED_SWITCH_INTERVAL = 0.001

# A part of the service that runs until stopped: started with the App and a stop event.
Component = Callable[[App, asyncio.Event], Coroutine[Any, Any, None]]


def digest_channels(app: App) -> dict[str, DigestRun]:
    """The channels the digest jobs serve: email (with an SMTP pool), Telegram (with a token)."""
    channels: dict[str, DigestRun] = {}
    mailer = app.mailer
    if mailer is not None:
        from bot.email.service import send_digests

        async def email(frequency: Frequency) -> None:
            await send_digests(app, mailer, frequency=frequency)

        channels["email"] = email
    if app.settings.telegram_enabled:
        channels["telegram"] = app.telegram_digests
    return channels


def build_scheduler(app: App, roles: set[str]) -> AsyncIOScheduler:
    """The scheduler with the jobs of ``roles`` (not started)."""
    scheduler = AsyncIOScheduler(timezone=app.settings.timezone)
    if "poller" in roles:

        async def poll_job() -> None:
            try:
                await poll_once(app)
            except Exception:  # a scheduled job's outermost edge: the scheduler must keep running
                logger.exception("poll cycle failed")

        scheduler.add_job(
            poll_job,
            "interval",
            seconds=app.settings.poll_interval,
            id="poll",
            next_run_time=datetime.now(UTC) + timedelta(seconds=1),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=app.settings.poll_interval,
            jitter=min(60, app.settings.poll_interval // 10),
        )
    if "worker" in roles:

        async def prune_job() -> None:
            days = timedelta(days=app.settings.outbox_retention_days)
            try:
                await asyncio.to_thread(app.repo.prune_outbox, days)
            except STORE_ERRORS:  # pruning is housekeeping: try again next hour
                logger.exception("outbox pruning failed")

        scheduler.add_job(
            prune_job,
            "interval",
            hours=1,
            id="prune_outbox",
            next_run_time=datetime.now(UTC) + timedelta(minutes=5),
            max_instances=1,
            coalesce=True,
        )
    channels = digest_channels(app) if "worker" in roles else {}
    if channels:
        add_digest_jobs(scheduler, app.settings, channels)
    return scheduler


def _components(roles: set[str], settings: Settings) -> list[tuple[str, Component]]:
    """The long-running parts for ``roles`` that are configured."""
    parts: list[tuple[str, Component]] = []
    if "bot" in roles:
        if settings.telegram_enabled:
            from bot.telegram.service import run_bot

            parts.append(("bot", run_bot))
        else:
            logger.info("no KAMERWACHT_TELEGRAM_TOKEN: the Telegram bot is off")
    if "web" in roles:
        from bot.web.server import run_web

        parts.append(("web", run_web))
    if "worker" in roles:
        from bot.worker import run_worker

        parts.append(("worker", run_worker))
    return parts


def admin_notifiers(app: App) -> list[Notify]:
    """How the heartbeat reaches admins: their Telegram chats (through the one outgoing bot)
    and their email addresses (through the one SMTP pool)."""
    settings, mailer, notifier = app.settings, app.mailer, app.notifier
    notifiers: list[Notify] = []
    if notifier is not None and settings.admin_chat_ids:

        async def tell_chats(text: str) -> None:
            await notifier.start()  # once; the worker may have started it already
            for chat_id in settings.admin_chat_ids:
                await notifier.bot.send_message(chat_id, text)

        notifiers.append(tell_chats)
    if mailer is not None and settings.admin_emails:

        async def tell_mail(text: str) -> None:
            msg = EmailMessage()
            msg["From"] = settings.smtp_from
            msg["To"] = ", ".join(settings.admin_emails)
            msg["Subject"] = f"kamerwacht: {text[:70]}"
            msg["Auto-Submitted"] = "auto-generated"
            msg.set_content(text + "\n")
            await mailer.send(msg)

        notifiers.append(tell_mail)
    return notifiers


async def run_service(
    settings: Settings, roles: set[str], *, stop: asyncio.Event | None = None
) -> None:
    """Run ``roles`` until SIGTERM/SIGINT (or until ``stop`` is set, when given)."""
    app = build_service(settings, roles)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    scheduler = build_scheduler(app, roles)
    scheduler.start()
    tasks: list[asyncio.Task[None]] = [
        asyncio.create_task(component(app, stop), name=name)
        for name, component in _components(roles, settings)
    ]
    if "poller" in roles:
        heartbeat = Heartbeat(
            fail_after=timedelta(seconds=settings.source_alarm_after),
            stuck_after=timedelta(seconds=settings.outbox_alarm_after),
        )

        def read_health() -> tuple[list[SourceStatus], dict[str, int]]:
            return app.repo.source_statuses(), app.repo.outbox_health()

        tasks.append(
            asyncio.create_task(
                run_heartbeat(read_health, admin_notifiers(app), heartbeat, stop),
                name="heartbeat",
            )
        )
    logger.info("kamerwacht running: roles=%s", ",".join(sorted(roles)), extra={"role": "all"})
    refused: BaseException | None = None
    done: set[asyncio.Task[Any]] = set()
    switch_interval = sys.getswitchinterval()
    if "web" in roles and roles & {"bot", "worker"}:
        sys.setswitchinterval(min(switch_interval, SHARED_SWITCH_INTERVAL))
    try:
        waiter = asyncio.create_task(stop.wait())
        watched: list[asyncio.Task[Any]] = [waiter, *tasks]
        done, _ = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not waiter and task.exception() is not None:
                logger.error("component %s stopped: %r", task.get_name(), task.exception())
                if isinstance(task.exception(), TokenRefused | InvalidToken):
                    refused = task.exception()
        stop.set()
    finally:
        logger.info("shutting down")
        scheduler.shutdown(wait=False)
        for task in tasks:
            if task.done() and task in done:  # its outcome was logged above
                continue
            try:
                await asyncio.wait_for(task, timeout=30)
            except (TimeoutError, asyncio.CancelledError):
                pass
            except Exception as exc:  # the service's outermost edge: a component failing on its
                # way out is logged, and the others still stop and close
                logger.error("component %s stopped: %r", task.get_name(), exc)
        await app.aclose()
        sys.setswitchinterval(switch_interval)
    if refused is not None:  # revoked while running: final, the service stops non-zero
        raise TokenRefused("Telegram refused KAMERWACHT_TELEGRAM_TOKEN") from refused
