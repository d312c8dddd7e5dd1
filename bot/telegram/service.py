"""The running bot: a python-telegram-bot 22 Application built from Settings.

:func:`build_receiver` builds the bot role's Application (Bot API base URL from
``settings.telegram_api_url``, the process's :class:`~bot.telegram.notifier.FloodLimiter`, HTML
parse mode, link previews off); the composition root (``bot.app.build_service``) calls it once.
``run_bot`` is the ``bot`` role of ``kamerwacht run``: it runs that Application, registers the
command menu in Dutch (the default) and English, and receives updates by long polling — or, when
``settings.telegram_webhook_url`` is set, through the web app's webhook route
(:mod:`bot.telegram.webhook`) — until its stop event is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot.errors import BotError
from bot.settings import Settings
from bot.telegram import webhook
from bot.telegram.handlers import Handlers
from bot.telegram.notifier import FloodLimiter, shared_limiter
from state.repository import Repository
from templates.telegram_texts import COMMAND_MENU

__all__ = [
    "ALLOWED_UPDATES",
    "HANDLERS_KEY",
    "BotApplication",
    "BotHost",
    "build_application",
    "build_receiver",
    "register_commands",
    "run_bot",
]

logger = logging.getLogger(__name__)

BotApplication = Application[Any, Any, Any, Any, Any, Any]


class BotHost(Protocol):
    """What the bot role reads of the composition root (``bot.app.App``)."""

    settings: Settings
    repo: Repository
    bot_application: BotApplication | None


ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
HANDLERS_KEY = "kamerwacht.handlers"  # bot_data key of the application's Handlers
POLL_TIMEOUT = 30  # seconds a getUpdates long poll waits on Telegram's side
START_BACKOFF = 10.0  # seconds between start-up attempts while Telegram is unreachable


async def register_commands(application: BotApplication) -> None:
    """setMyCommands: the Dutch menu by default, the English one for English clients."""
    bot = application.bot
    for lang, menu in COMMAND_MENU.items():
        commands = [BotCommand(name, description) for name, description in menu]
        await bot.set_my_commands(commands, language_code=None if lang == "nl" else lang)


async def _post_init(application: BotApplication) -> None:
    try:
        await register_commands(application)
    except TelegramError as exc:  # a missing menu must not keep the bot from answering
        logger.warning("could not register the command menu: %s", exc)


def build_application(
    settings: Settings,
    repo: Repository,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limiter: FloodLimiter | None = None,
) -> BotApplication:
    """The Application with every handler, talking to ``settings.telegram_api_url``."""
    if settings.telegram_token is None:
        raise ValueError("no Telegram token configured (KAMERWACHT_TELEGRAM_TOKEN)")
    builder = (
        Application.builder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(rate_limiter or FloodLimiter())
        .concurrent_updates(8)
        .job_queue(None)
        .post_init(_post_init)
        .request(request or HTTPXRequest(connection_pool_size=32, read_timeout=15.0))
        .get_updates_request(get_updates_request or HTTPXRequest(read_timeout=POLL_TIMEOUT + 10.0))
    )
    application: BotApplication = builder.build()
    handlers = Handlers(repo, settings)
    handlers.register(application)
    application.bot_data[HANDLERS_KEY] = handlers
    return application


def build_receiver(settings: Settings, repo: Repository) -> BotApplication:
    """The bot role's Application, pacing its answers with the process's one rate limiter."""
    return build_application(settings, repo, rate_limiter=shared_limiter(settings, repo))


async def _initialize(application: BotApplication, stop: asyncio.Event) -> bool:
    """initialize() (getMe) until it works or ``stop`` is set; False when stopped first."""
    while not stop.is_set():
        try:
            await application.initialize()
            return True
        except InvalidToken:
            raise  # refused (401/404): final, never retried
        except TelegramError as exc:
            logger.warning("Telegram not reachable yet (%s); retrying", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=START_BACKOFF)
    return False


async def run_bot(app: BotHost, stop: asyncio.Event) -> None:
    """Run the bot until ``stop`` is set: long polling, or the web app's webhook route."""
    settings = app.settings
    application = app.bot_application
    if application is None:
        raise BotError("the bot role has no Application (bot.app.build_service builds it)")
    if not await _initialize(application, stop):
        return
    warm_up: asyncio.Task[object] | None = None
    try:
        await _post_init(application)
        await application.start()
        # the first /status without argument counts every motion: do it before anyone asks
        handlers: Handlers = application.bot_data[HANDLERS_KEY]
        warm_up = asyncio.create_task(handlers.topic_summary())
        if settings.telegram_webhook_url:
            secret = webhook.secret_token(settings, app.repo)
            webhook.register(application, secret)  # before Telegram starts calling
            await application.bot.set_webhook(
                settings.telegram_webhook_url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            logger.info("Telegram bot receiving updates by webhook")
        else:
            assert application.updater is not None
            await application.updater.start_polling(
                timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
            )
            logger.info("Telegram bot receiving updates by long polling")
        await stop.wait()
    finally:
        if warm_up is not None and not warm_up.done():
            warm_up.cancel()
        webhook.unregister(application)
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        logger.info("Telegram bot stopped")
