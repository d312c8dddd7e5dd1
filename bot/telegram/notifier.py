"""Sending planned messages through the Bot API: rate limited, flood-safe, blocked-chat aware.

:class:`TelegramNotifier` wraps a ``telegram.Bot`` (an ``ExtBot`` with :class:`FloodLimiter`, an
``AIORateLimiter`` that never sends more than 30 messages in any one second) and turns every Bot
API answer into a :class:`SendResult`:

* sent → ``SENT``;
* ``RetryAfter`` (429) → the limiter pauses every request and retries; if it gives up, the
  notifier itself waits ``retry_after`` and tries again, so a flood wait loses nothing;
* ``Forbidden`` (blocked, kicked, user deactivated) or "chat not found" → ``DEACTIVATE``: the
  caller deactivates the subscriber and does not retry;
* other ``BadRequest`` (a message Telegram refuses) → ``FAILED``, permanent;
* network errors and timeouts → ``RETRY``: the caller puts the row back with a back-off;
* the send budget could not be consulted (the database is down) → ``NOT_SENT``: nothing went
  out, the caller stops its pass and puts the row back as it was.

The send budget (sends *started* per second, one per deployment, answers to people before
queued pushes) is :mod:`bot.telegram.pacing`; every send of the notifier waits in its fan-out
lane.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import BaseRequest, HTTPXRequest

from bot.settings import Settings
from bot.telegram.outgoing import Outgoing
from bot.telegram.pacing import (
    MESSAGES_PER_SECOND,
    THROTTLED_ENDPOINTS,
    BudgetUnavailable,
    FloodLimiter,
    Pacer,
    SendBudget,
    SharedPacer,
    fan_out_lane,
    retry_seconds,
    shared_limiter,
)

__all__ = [  # the send budget's names are re-exported from bot.telegram.pacing
    "MESSAGES_PER_SECOND",
    "THROTTLED_ENDPOINTS",
    "BudgetUnavailable",
    "FloodLimiter",
    "Pacer",
    "SendResult",
    "SendStatus",
    "SharedPacer",
    "TelegramNotifier",
    "build_bot",
    "retry_seconds",
    "shared_limiter",
]

logger = logging.getLogger(__name__)

MAX_FLOOD_WAIT = 900.0  # seconds a single message may wait out floods before it is requeued

_DEACTIVATING_BAD_REQUESTS = (
    "chat not found",
    "user not found",
    "peer_id_invalid",
    "group chat was deactivated",
    "chat was deleted",
    "have no rights to send a message",
    "not enough rights to send text messages",
)


def build_bot(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    rate_limiter: AIORateLimiter | None = None,
) -> ExtBot[Any]:
    """An ``ExtBot`` for ``settings`` (token, Bot API base URL) with a :class:`FloodLimiter`."""
    if settings.telegram_token is None:
        raise ValueError("no Telegram token configured (KAMERWACHT_TELEGRAM_TOKEN)")
    return ExtBot(
        settings.telegram_token.get_secret_value(),
        base_url=settings.telegram_api_url,
        request=request or HTTPXRequest(connection_pool_size=64, read_timeout=15.0),
        rate_limiter=rate_limiter or FloodLimiter(),
    )


class SendStatus(StrEnum):
    """The outcome of sending one planned message."""

    SENT = "sent"
    DEACTIVATE = "deactivate"  # blocked / kicked / chat gone: deactivate, never retry
    FAILED = "failed"  # Telegram refused this message: permanent
    RETRY = "retry"  # transient: put back with a back-off
    NOT_SENT = "not_sent"  # the send budget was unreachable: nothing sent, stop the pass


@dataclass(frozen=True, slots=True)
class SendResult:
    """What happened to one :class:`Outgoing`."""

    status: SendStatus
    error: str | None = None
    parts_sent: int = 0
    flood_waits: int = 0
    migrated_to: str | None = None  # a group that became a supergroup has a new chat id

    @property
    def ok(self) -> bool:
        """True when every part was delivered."""
        return self.status is SendStatus.SENT


def _deactivating(exc: BadRequest) -> bool:
    message = exc.message.lower()
    return any(text in message for text in _DEACTIVATING_BAD_REQUESTS)


class TelegramNotifier:
    """Sends :class:`Outgoing` messages; the caller records each :class:`SendResult`."""

    def __init__(
        self,
        bot: Bot,
        *,
        max_flood_wait: float = MAX_FLOOD_WAIT,
        concurrency: int = 8,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Wrap ``bot``; ``concurrency`` chats are served at once (each chat in order)."""
        self.bot = bot
        self.max_flood_wait = max_flood_wait
        self.concurrency = concurrency
        self._sleep = sleep
        self._started = False

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        request: BaseRequest | None = None,
        budget: SendBudget | None = None,
        **kwargs: Any,
    ) -> TelegramNotifier:
        """A notifier whose bot shares this process's :func:`shared_limiter` (call in a loop)."""
        limiter = shared_limiter(settings, budget)
        bot = build_bot(settings, request=request, rate_limiter=limiter)
        return cls(bot, **kwargs)

    async def start(self) -> None:
        """Initialise the bot's HTTP client (calls getMe)."""
        if not self._started:
            await self.bot.initialize()
            self._started = True

    async def close(self) -> None:
        """Close the bot's HTTP client."""
        if self._started:
            await self.bot.shutdown()
            self._started = False

    async def __aenter__(self) -> TelegramNotifier:
        """Start; ``async with TelegramNotifier(...) as notifier``."""
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close."""
        await self.close()

    def _redact(self, text: str) -> str:
        """``text`` without the bot token (error texts end up in the database and logs)."""
        token = self.bot.token
        return text.replace(token, "***") if token else text

    async def send(self, out: Outgoing) -> SendResult:
        """Send every part of ``out`` in order; see the module docstring for outcomes.

        Its sends wait in the budget's fan-out lane: a person's answer goes first.
        """
        with fan_out_lane():
            return await self._send(out)

    async def _send(self, out: Outgoing) -> SendResult:
        chat_id: int | str = int(out.chat_id) if out.chat_id.lstrip("-").isdigit() else out.chat_id
        sent = 0
        waits = 0
        waited = 0.0
        migrated: str | None = None
        while sent < len(out.parts):
            try:
                await self.bot.send_message(
                    chat_id,
                    out.parts[sent],
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            except RetryAfter as exc:
                delay = retry_seconds(exc)
                waits += 1
                waited += delay
                if waited > self.max_flood_wait:
                    return SendResult(SendStatus.RETRY, str(exc), sent, waits, migrated)
                logger.info(
                    "flood wait %.1f s before the next message", delay, extra={"chat_id": chat_id}
                )
                await self._sleep(delay)
                continue
            except ChatMigrated as exc:
                chat_id = exc.new_chat_id
                migrated = str(exc.new_chat_id)
                logger.warning(
                    "chat %s moved to %s", out.chat_id, migrated, extra={"chat_id": out.chat_id}
                )
                continue
            except Forbidden as exc:
                return SendResult(SendStatus.DEACTIVATE, exc.message, sent, waits, migrated)
            except BadRequest as exc:
                if _deactivating(exc):
                    return SendResult(SendStatus.DEACTIVATE, exc.message, sent, waits, migrated)
                logger.error(
                    "Telegram refused a message: %s", exc.message, extra={"chat_id": out.chat_id}
                )
                return SendResult(SendStatus.FAILED, exc.message, sent, waits, migrated)
            except InvalidToken as exc:
                logger.error("Telegram rejected the bot token")
                return SendResult(SendStatus.RETRY, f"invalid token: {exc.message}", sent, waits)
            except BudgetUnavailable as exc:
                status = SendStatus.RETRY if sent else SendStatus.NOT_SENT
                return SendResult(status, f"send budget unavailable: {exc}", sent, waits, migrated)
            except (NetworkError, TelegramError) as exc:  # TimedOut is a NetworkError
                error = self._redact(f"{type(exc).__name__}: {exc.message}")
                return SendResult(SendStatus.RETRY, error, sent, waits, migrated)
            sent += 1
        if out.document is not None:  # issue 17: the agenda push's calendar file
            await self._send_document(chat_id, out.document)
        return SendResult(SendStatus.SENT, None, sent, waits, migrated)

    async def _send_document(self, chat_id: int | str, document: tuple[str, bytes]) -> None:
        """Send a file after a delivered message, silently; a failure is logged, not retried
        later (the message, with its link to the same file, is already delivered)."""
        name, data = document
        for _ in range(2):
            try:
                await self.bot.send_document(
                    chat_id, document=data, filename=name, disable_notification=True
                )
                return
            except RetryAfter as exc:
                delay = retry_seconds(exc)
                if delay > self.max_flood_wait:
                    break
                await self._sleep(delay)
            except (TelegramError, BudgetUnavailable) as exc:
                error = self._redact(str(exc))
                logger.warning(
                    "attachment %s not sent: %s", name, error, extra={"chat_id": chat_id}
                )
                return
        logger.warning("attachment %s not sent: flood wait", name, extra={"chat_id": chat_id})

    async def send_all(
        self,
        messages: Sequence[Outgoing],
        on_result: Callable[[Outgoing, SendResult], Awaitable[None]],
        *,
        stop: asyncio.Event | None = None,
    ) -> None:
        """Send ``messages``: chats concurrently, each chat's messages in order.

        ``on_result`` is awaited after every message. After a ``DEACTIVATE`` the chat's later
        messages are not sent; they are reported with the same result. After a ``RETRY`` or
        ``NOT_SENT`` the chat's later messages are neither sent nor reported (they keep their
        place behind the one that failed). Once ``stop`` is set no
        new message is started (messages in flight finish and are reported); the caller finds
        the unsent ones unreported.
        """
        by_chat: dict[str, list[Outgoing]] = {}
        for out in messages:
            by_chat.setdefault(out.chat_id, []).append(out)
        queue: asyncio.Queue[list[Outgoing]] = asyncio.Queue()
        for chat_messages in by_chat.values():
            queue.put_nowait(chat_messages)

        async def serve() -> None:
            while True:
                try:
                    chat_messages = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                stopped: SendResult | None = None
                for out in chat_messages:
                    if stop is not None and stop.is_set():
                        return
                    result = stopped or await self.send(out)
                    if result.status is SendStatus.DEACTIVATE:
                        stopped = result
                    await on_result(out, result)
                    if result.status in (SendStatus.RETRY, SendStatus.NOT_SENT):
                        break  # the chat's later messages wait, so that its order holds

        async with asyncio.TaskGroup() as group:  # one failure cancels the rest
            for _ in range(min(self.concurrency, len(by_chat))):
                group.create_task(serve())
