"""Serve the web app with uvicorn inside the service's event loop until asked to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

import uvicorn

from bot.web.app import create_app

if TYPE_CHECKING:  # bot.app imports every source; only its type is needed here
    from bot.app import App

__all__ = ["QuietServer", "run_web", "serve"]

logger = logging.getLogger(__name__)


class QuietServer(uvicorn.Server):
    """A uvicorn Server that leaves signal handling to the service (it sets ``stop``)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Install no signal handlers."""
        yield


async def serve(server: uvicorn.Server, stop: asyncio.Event) -> None:
    """Run ``server`` until ``stop`` is set (or the server ends by itself), then shut it down."""
    task = asyncio.create_task(server.serve(), name="uvicorn")
    waiter = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        waiter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def run_web(app: App, stop: asyncio.Event) -> None:
    """The ``web`` role: the ASGI app on ``web_host:web_port`` until ``stop`` is set.

    It mails through the composition root's one SMTP pool (``app.mailer``, closed by the App).
    """
    settings = app.settings
    mailer = getattr(app, "mailer", None)  # a test's stub App may have none
    asgi = create_app(settings, app.repo, mailer=mailer, metrics=app.metrics)
    config = uvicorn.Config(
        asgi,
        host=settings.web_host,
        port=settings.web_port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        proxy_headers=True,
        server_header=False,
    )
    server = QuietServer(config)
    logger.info(
        "web app on http://%s:%d (public %s)",
        settings.web_host,
        settings.web_port,
        settings.public_url,
    )
    await serve(server, stop)
