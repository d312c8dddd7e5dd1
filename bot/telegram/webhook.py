"""Webhook mode: the web app receives Telegram's updates and hands them to the running bot.

When ``KAMERWACHT_TELEGRAM_WEBHOOK_URL`` is set, :func:`bot.telegram.service.run_bot` calls
setWebhook with that URL and a secret token derived from ``settings.secret_key``, and registers
its Application here. The web app mounts :func:`webhook_routes` (``POST /telegram/webhook`` by
default: the path of the webhook URL); each request is checked against the secret token
(``X-Telegram-Bot-Api-Secret-Token``) and its update is put on the Application's update queue.
Bot and web must then run in the same process (``kamerwacht run`` with both roles).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.email.links import SigningKeys
from bot.settings import Settings

__all__ = [
    "SECRET_HEADER",
    "WEBHOOK_PATH",
    "handle_update",
    "register",
    "secret_token",
    "unregister",
    "webhook_path",
    "webhook_routes",
]

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1_000_000

_registered: dict[str, Application[Any, Any, Any, Any, Any, Any]] = {}


def secret_token(settings: Settings, keys: SigningKeys | None = None) -> str:
    """The webhook's secret token: an HMAC of the signing key (64 hex characters).

    The key is ``settings.secret_key``, else the deployment's own from ``keys`` (the repository).
    """
    if settings.secret_key is not None:
        key = settings.secret_key.get_secret_value().encode()
    elif keys is not None:
        key = keys.signing_key().encode()
    else:
        raise ValueError("no signing key: set KAMERWACHT_SECRET_KEY or run `kamerwacht db upgrade`")
    return hmac.new(key, b"kamerwacht telegram webhook", hashlib.sha256).hexdigest()


def webhook_path(settings: Settings) -> str:
    """The path the web app serves the webhook on (the webhook URL's path)."""
    url = settings.telegram_webhook_url
    return (urlsplit(url).path if url else "") or WEBHOOK_PATH


def register(application: Application[Any, Any, Any, Any, Any, Any], secret: str) -> None:
    """Route webhook requests carrying ``secret`` to ``application``."""
    _registered[secret] = application


def unregister(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop routing webhook requests to ``application``."""
    for secret, registered in list(_registered.items()):
        if registered is application:
            del _registered[secret]


async def handle_update(body: bytes, secret: str | None) -> int:
    """Queue one webhook request's update; the HTTP status to answer with."""
    application = None
    for known, registered in _registered.items():
        if secret is not None and hmac.compare_digest(known, secret):
            application = registered
    if application is None:
        return 403 if _registered else 503
    if len(body) > MAX_BODY:
        return 413
    try:
        data = json.loads(body)
        update = Update.de_json(data, application.bot)
    except (ValueError, TypeError, KeyError):
        logger.warning("webhook request with an unreadable update")
        return 400
    await application.update_queue.put(update)
    return 200


async def _endpoint(request: Request) -> Response:
    status = await handle_update(await request.body(), request.headers.get(SECRET_HEADER))
    return Response(status_code=status)


def webhook_routes(settings: Settings) -> list[Route]:
    """The web app's webhook route (mount it when ``telegram_webhook_url`` is set)."""
    return [Route(webhook_path(settings), _endpoint, methods=["POST"])]
