"""The running service: one APScheduler 3 AsyncIOScheduler plus the long-running parts.

Roles: ``poller`` (poll jobs), ``bot`` (Telegram), ``web`` (the ASGI app), ``worker`` (outbox
delivery and digests). ``kamerwacht run`` runs all of them in one process; with PostgreSQL each can
run in its own process. SIGTERM/SIGINT stop the service gracefully: running jobs finish, claimed
deliveries go back to the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App, build_app, poll_once
from bot.settings import Settings

__all__ = ["ROLES", "build_scheduler", "run_service"]

logger = logging.getLogger(__name__)

ROLES = ("poller", "bot", "web", "worker")

# A part of the service that runs until stopped: started with the App and a stop event.
Component = Callable[[App, asyncio.Event], Awaitable[None]]


def build_scheduler(app: App, roles: set[str]) -> AsyncIOScheduler:
    """The scheduler with the jobs of ``roles`` (not started)."""
    scheduler = AsyncIOScheduler(timezone=app.settings.timezone)
    if "poller" in roles:

        async def poll_job() -> None:
            try:
                await poll_once(app)
            except Exception:  # the scheduler must keep running whatever one cycle does
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
    return scheduler


def _components(roles: set[str], settings: Settings) -> list[tuple[str, Component]]:
    """The long-running parts for ``roles`` that are configured."""
    parts: list[tuple[str, Component]] = []
    if "bot" in roles and settings.telegram_enabled:
        from bot.telegram.service import run_bot

        parts.append(("bot", run_bot))
    if "web" in roles:
        from bot.web.server import run_web

        parts.append(("web", run_web))
    if "worker" in roles:
        from bot.delivery import run_worker

        parts.append(("worker", run_worker))
    return parts


async def run_service(settings: Settings, roles: set[str]) -> None:
    """Run ``roles`` until SIGTERM/SIGINT."""
    app = build_app(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    scheduler = build_scheduler(app, roles)
    scheduler.start()
    tasks = [
        asyncio.create_task(component(app, stop), name=name)
        for name, component in _components(roles, settings)
    ]
    logger.info("kamerwacht running: roles=%s", ",".join(sorted(roles)))
    try:
        waiter = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not waiter and task.exception() is not None:
                logger.error("component %s stopped: %r", task.get_name(), task.exception())
        stop.set()
    finally:
        logger.info("shutting down")
        scheduler.shutdown(wait=True)
        for task in tasks:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=30)
        await app.aclose()
