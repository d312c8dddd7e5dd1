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

The limit is on sends *started* per second (a :class:`Pacer` spaces them ``1.03 / 30`` s apart);
sends are in flight concurrently within it, so fan-out does not depend on the round-trip time.
On PostgreSQL every process of a deployment takes its slots from one row in the database
(:class:`SharedPacer`), so three workers and the bot together stay under the bot's 30 a second.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import logging
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any, Protocol

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

__all__ = [
    "THROTTLED_ENDPOINTS",
    "BudgetUnavailable",
    "FloodLimiter",
    "Pacer",
    "SendResult",
    "SendStatus",
    "SharedPacer",
    "SlidingWindow",
    "TelegramNotifier",
    "build_bot",
    "retry_seconds",
    "shared_limiter",
]

logger = logging.getLogger(__name__)

MESSAGES_PER_SECOND = 30  # Telegram's broadcast limit (constants.FloodLimit.MESSAGES_PER_SECOND)
WINDOW_MARGIN = 0.02  # seconds added to the one-second window for clock and network jitter
PACE_MARGIN = 0.03  # fraction added to the spacing of send starts for clock and network jitter
LATE = 0.01  # seconds a send may start after its slot; later ones take a new slot
LATE_RETRIES = 3
OFFSET_SAMPLES = 64  # round trips kept to estimate the database clock's offset
CALIBRATION_READINGS = 5
GROUP_MESSAGES_PER_MINUTE = 20
LIMITER_RETRIES = 3  # RetryAfter retries inside the limiter (each pauses every request)
MAX_FLOOD_WAIT = 900.0  # seconds a single message may wait out floods before it is requeued

# Endpoints that deliver a message to a chat and so count towards Telegram's flood limits.
# Everything else (getUpdates, getChatMember, answerCallbackQuery, setMyCommands …) passes
# straight through: an admin check must not use up a group's 20 messages a minute.
THROTTLED_ENDPOINTS = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "sendPhoto",
        "sendDocument",
        "copyMessage",
        "forwardMessage",
    }
)

_DEACTIVATING_BAD_REQUESTS = (
    "chat not found",
    "user not found",
    "peer_id_invalid",
    "group chat was deactivated",
    "chat was deleted",
    "have no rights to send a message",
    "not enough rights to send text messages",
)


class SlidingWindow:
    """At most ``max_rate`` requests in any ``period`` seconds, measured the strict way.

    A request holds a slot from the moment it is let through until ``period`` seconds after it
    *completed*. The server saw it somewhere in between, so however the requests are spread, no
    window of ``period`` seconds on the server's clock can contain more than ``max_rate`` of them;
    and, unlike a leaky bucket, time lost to a busy event loop is made up by the next burst.
    Waiters are served in arrival order (one waits for a slot, the rest queue on a lock).
    """

    def __init__(self, max_rate: int, period: float) -> None:
        """Allow ``max_rate`` requests per ``period`` seconds."""
        if max_rate < 1 or period <= 0:
            raise ValueError("max_rate must be ≥ 1 and period > 0")
        self.max_rate = max_rate
        self.period = period
        self._in_flight = 0
        self._releases: list[float] = []  # heap of the times held slots free up
        self._lock = asyncio.Lock()
        self._completed = asyncio.Event()

    async def __aenter__(self) -> None:
        """Wait for a free slot and take it."""
        loop = asyncio.get_running_loop()
        async with self._lock:
            while True:
                now = loop.time()
                while self._releases and self._releases[0] <= now:
                    heapq.heappop(self._releases)
                if self._in_flight + len(self._releases) < self.max_rate:
                    self._in_flight += 1
                    return
                if self._releases:
                    await asyncio.sleep(self._releases[0] - now)
                else:  # every slot is a request still in flight
                    self._completed.clear()
                    await self._completed.wait()

    async def __aexit__(self, *exc: object) -> None:
        """The request completed: its slot frees up ``period`` seconds from now."""
        self._in_flight -= 1
        heapq.heappush(self._releases, asyncio.get_running_loop().time() + self.period)
        self._completed.set()


class BudgetUnavailable(Exception):
    """The shared send budget could not be consulted: nothing was sent."""


class Pacer:
    """Sends *start* at most ``rate`` a second, ``(1 + margin) / rate`` seconds apart.

    A send holds its slot only at its start, so any number may be in flight at once and the
    round-trip time does not lower the rate. A send that wakes up more than :data:`LATE`
    seconds after its slot (a busy event loop) takes a new slot instead, so that it cannot
    bunch up with the sends after it. :meth:`pause` (a 429's ``retry_after``) pushes the next
    slot back. This one keeps its schedule in memory (one process, e.g. on SQLite).
    """

    def __init__(self, rate: float = MESSAGES_PER_SECOND, margin: float = PACE_MARGIN) -> None:
        """Allow ``rate`` send starts a second."""
        if rate <= 0 or margin < 0:
            raise ValueError("rate must be > 0 and margin ≥ 0")
        self.interval = (1.0 + margin) / rate
        self.late_slots = 0  # slots given up because the send woke up too late
        self._next = 0.0

    async def reserve(self) -> float:
        """Take the next slot: its time on the event loop's clock."""
        now = asyncio.get_running_loop().time()
        slot = max(self._next, now)
        self._next = slot + self.interval
        return slot

    async def pause(self, seconds: float) -> None:
        """No send starts in the next ``seconds``."""
        self._next = max(self._next, asyncio.get_running_loop().time() + seconds)

    async def __aenter__(self) -> None:
        """Wait for this send's slot."""
        loop = asyncio.get_running_loop()
        for _ in range(LATE_RETRIES):
            slot = await self.reserve()
            if slot > loop.time():
                await asyncio.sleep(slot - loop.time())
            if loop.time() - slot <= LATE:
                return
            self.late_slots += 1
        # still late after a few slots: the loop is saturated; go on rather than starve

    async def __aexit__(self, *exc: object) -> None:
        """Nothing to free: the slot was used at the start."""


class SharedPacer(Pacer):
    """A :class:`Pacer` whose schedule is one row in the database, shared by every process.

    ``reserve_slot(interval)`` returns ``(slot, now)`` on the database's clock; the offset to
    the event loop's clock is estimated from the fastest recent round trip (as NTP does), so
    that the round trip's jitter does not move the send. ``pause_all(seconds)`` pushes every
    process's next slot back.
    """

    def __init__(
        self,
        reserve_slot: Callable[[float], tuple[float, float]],
        pause_all: Callable[[float], None],
        rate: float = MESSAGES_PER_SECOND,
        margin: float = PACE_MARGIN,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Take slots through ``reserve_slot`` (called in a worker thread); ``clock`` reads the
        database's clock for calibration."""
        super().__init__(rate, margin)
        self._reserve_slot = reserve_slot
        self._pause_all = pause_all
        self._clock = clock
        self._samples: list[tuple[float, float]] = []  # (round trip, offset), recent ones
        self._calibrated = False

    async def _calibrate(self) -> None:
        """A few readings of the database's clock before the first slot (the first round trip
        also opens a connection: its midpoint is no estimate of the offset)."""
        self._calibrated = True
        if self._clock is None:
            return
        loop = asyncio.get_running_loop()
        for _ in range(CALIBRATION_READINGS):
            before = loop.time()
            db_now = await asyncio.to_thread(self._clock)
            after = loop.time()
            self._samples.append((after - before, db_now - (before + after) / 2))

    async def reserve(self) -> float:
        """Take the next slot of the deployment: its time on the event loop's clock."""
        loop = asyncio.get_running_loop()
        try:
            if not self._calibrated:
                await self._calibrate()
        except Exception as exc:
            raise BudgetUnavailable(f"{type(exc).__name__}") from exc
        before = loop.time()
        try:
            slot, db_now = await asyncio.to_thread(self._reserve_slot, self.interval)
        except Exception as exc:
            raise BudgetUnavailable(f"{type(exc).__name__}") from exc
        after = loop.time()
        self._samples.append((after - before, db_now - (before + after) / 2))
        del self._samples[:-OFFSET_SAMPLES]
        _, offset = min(self._samples)
        return slot - offset

    async def pause(self, seconds: float) -> None:
        """Every process of the deployment waits ``seconds``."""
        try:
            await asyncio.to_thread(self._pause_all, seconds)
        except Exception:  # best effort: each process still waits out its own 429
            logger.warning("could not share a flood wait of %.1f s", seconds)


class FloodLimiter(AIORateLimiter):
    """``AIORateLimiter`` that never starts more than Telegram's 30 messages in any one second.

    The stock limiter's overall bucket (aiolimiter's leaky bucket, capacity = rate) lets 30
    messages through at once and then 30 a second: up to 60 in the first second, which a strict
    server answers with 429 — and every 429 stops *all* sending for ``retry_after`` seconds.
    Here the overall limit is a :class:`Pacer` (in memory, or :class:`SharedPacer` for every
    process of a deployment); a 429 pauses the pacer too. The per-group limit (20 a minute), the
    pause-everything-on-429 and its retries are AIORateLimiter's own. Only message-sending
    endpoints are throttled.
    """

    __slots__ = ()

    def __init__(
        self,
        messages_per_second: int = MESSAGES_PER_SECOND,
        group_messages_per_minute: float = GROUP_MESSAGES_PER_MINUTE,
        max_retries: int = LIMITER_RETRIES,
        margin: float = PACE_MARGIN,
        pacer: Pacer | None = None,
    ) -> None:
        super().__init__(
            overall_max_rate=0,  # replaced by the pacer below
            group_max_rate=group_messages_per_minute,
            group_time_period=60,
            max_retries=max_retries,
        )
        self._base_limiter = pacer or Pacer(messages_per_second, margin)  # type: ignore[assignment]

    @property
    def pacer(self) -> Pacer:
        """The overall limit."""
        pacer: Pacer = self._base_limiter  # type: ignore[assignment]
        return pacer

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Throttle message-sending endpoints; run every other request at once."""
        if endpoint not in THROTTLED_ENDPOINTS:
            return await callback(*args, **kwargs)
        pacer = self.pacer

        async def paced(*a: Any, **kw: Any) -> Any:
            try:
                return await callback(*a, **kw)
            except RetryAfter as exc:
                await pacer.pause(retry_seconds(exc))
                raise

        return await super().process_request(paced, args, kwargs, endpoint, data, rate_limit_args)


class SendBudget(Protocol):
    """Where the deployment's send slots are kept (the repository)."""

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        ...

    def reserve_telegram_slot(self, interval: float) -> tuple[float, float]:
        """Take the next slot: ``(slot, now)`` on the budget's clock."""
        ...

    def pause_telegram(self, seconds: float) -> None:
        """Push every process's next slot back."""
        ...

    def database_clock(self) -> float:
        """The clock the slots are on."""
        ...


_SHARED: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, FloodLimiter]] = (
    weakref.WeakKeyDictionary()
)


def shared_limiter(settings: Settings, budget: SendBudget | None = None) -> FloodLimiter:
    """The one FloodLimiter of this bot token in the running event loop.

    ``kamerwacht run`` answers commands (the bot) and pushes changes (the worker) from one
    process: sharing the limiter keeps their sum, not each of them, under Telegram's limits.
    With a ``budget`` on PostgreSQL (the repository) the pacer is the deployment's shared one,
    so every process together stays under them.
    """
    token = settings.telegram_token.get_secret_value() if settings.telegram_token else ""
    key = hashlib.sha256(token.encode()).hexdigest()
    per_loop = _SHARED.setdefault(asyncio.get_running_loop(), {})
    if key not in per_loop:
        pacer: Pacer | None = None
        if budget is not None and budget.dialect == "postgresql":
            pacer = SharedPacer(
                budget.reserve_telegram_slot, budget.pause_telegram, clock=budget.database_clock
            )
        per_loop[key] = FloodLimiter(pacer=pacer)
    return per_loop[key]


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


def retry_seconds(exc: RetryAfter) -> float:
    """Seconds to wait after a 429, without PTB's int-vs-timedelta deprecation warning."""
    value: Any = getattr(exc, "_retry_after", None)
    if value is None:
        value = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


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
        """Send every part of ``out`` in order; see the module docstring for outcomes."""
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
