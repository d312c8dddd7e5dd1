"""The per-deployment Telegram send budget: sends started per second, with a lane for answers.

Telegram allows a bot about 30 messages a second in all. A :class:`Pacer` spaces send *starts*
``1.03 / 30`` s apart (sends are then in flight concurrently, so fan-out does not depend on the
round-trip time); on PostgreSQL every process takes its slots from one row in the database
(:class:`SharedPacer`). :class:`FloodLimiter` puts the pacer into python-telegram-bot's
``AIORateLimiter`` (per-group limit, pause-everything-on-429 and its retries unchanged).

Two lanes share the one budget: a send waits in :attr:`Lane.ANSWER` (the default: the bot's
replies to commands and buttons) or, inside :func:`fan_out_lane`, in :attr:`Lane.FAN_OUT` (the
delivery worker's pushes). Each free slot goes to the longest-waiting answer before any queued
fan-out send, so a person's answer never queues behind a thousand pushes; the total still never
exceeds the limit.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import logging
import weakref
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from enum import IntEnum
from typing import Any, Protocol

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from bot.errors import BotError
from bot.settings import Settings
from state.errors import StateError

__all__ = [
    "THROTTLED_ENDPOINTS",
    "BudgetUnavailable",
    "FloodLimiter",
    "Lane",
    "Pacer",
    "SendBudget",
    "SharedPacer",
    "fan_out_lane",
    "retry_seconds",
    "shared_limiter",
]

logger = logging.getLogger(__name__)

MESSAGES_PER_SECOND = 30  # Telegram's broadcast limit (constants.FloodLimit.MESSAGES_PER_SECOND)
WINDOW_MARGIN = 0.02  # seconds added to the one-second window for clock and network jitter
PACE_MARGIN = 0.03  # fraction added to the spacing of send starts for clock and network jitter
LATE = 0.01  # seconds a send may start after its slot; later ones take a new slot
LATE_RETRIES = 3
FLOOD_STEP = 0.02  # margin added to this process's schedule after each 429 …
FLOOD_MAX = 0.10  # … up to this much, and given back a step at a time …
FLOOD_RELAX = 60.0  # … after this many seconds without a 429
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


class Lane(IntEnum):
    """Which queue a send waits in for its slot; a lower value is served first."""

    ANSWER = 0  # a reply to a person (commands, buttons): the next free slot
    FAN_OUT = 1  # pushes and digests: the slots answers leave


_LANE: ContextVar[Lane] = ContextVar("kamerwacht_telegram_lane", default=Lane.ANSWER)


@contextmanager
def fan_out_lane() -> Iterator[None]:
    """Sends started inside wait in :attr:`Lane.FAN_OUT` (in this task only)."""
    token = _LANE.set(Lane.FAN_OUT)
    try:
        yield
    finally:
        _LANE.reset(token)


def retry_seconds(exc: RetryAfter) -> float:
    """Seconds to wait after a 429, without PTB's int-vs-timedelta deprecation warning."""
    value: Any = getattr(exc, "_retry_after", None)
    if value is None:
        value = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


class BudgetUnavailable(BotError):
    """The shared send budget could not be consulted: nothing was sent."""


class Pacer:
    """Sends *start* at most ``rate`` a second, ``(1 + margin) / rate`` seconds apart.

    A send holds its slot only at its start, so any number may be in flight at once and the
    round-trip time does not lower the rate. Slots are handed out one at a time, as they come
    up, to the first waiting send (answers before fan-out, see :class:`Lane`). A slot that comes
    up more than :data:`LATE` seconds late (a busy event loop) must not bunch up with the next
    one: see :attr:`keeps_late_slots`. :meth:`pause` (a 429's ``retry_after``) pushes the next
    slot back. This one keeps its schedule in memory (one process, e.g. on SQLite).
    """

    # A slot that comes up late (or a send that resumes late) is used, and the schedule stays
    # where it was: the next slot is on time, so a busy event loop loses neither slots nor its
    # lateness. What keeps late starts from bunching up is the window below: at most ``rate``
    # starts in any ``1 + margin`` seconds (wider after a 429), counted at the moment each send
    # really starts. The schedule is this process's own, so no other process's sends can bunch
    # up with it.
    keeps_late_slots = True

    def __init__(self, rate: float = MESSAGES_PER_SECOND, margin: float = PACE_MARGIN) -> None:
        """Allow ``rate`` send starts a second."""
        if rate <= 0 or margin < 0:
            raise ValueError("rate must be > 0 and margin ≥ 0")
        self.rate = rate
        self.margin = margin
        self.flood_margin = 0.0  # added after a 429 (see :meth:`pause`), given back slowly
        self.relax_after = FLOOD_RELAX
        self._last_flood = float("-inf")
        self.interval = (1.0 + margin) / rate
        # No more than ``rate`` real starts in any window this long (the grid's own span).
        self.window = 1.0 + margin
        self.late_slots = 0  # slots that came up too late
        self._starts: deque[float] = deque(maxlen=max(1, int(rate)))  # the latest real starts
        self._next = 0.0
        self._waiting: list[tuple[Lane, int, asyncio.Future[float]]] = []  # a heap
        self._order = 0
        self._dispatcher: asyncio.Task[None] | None = None

    async def reserve(self) -> float:
        """Take the next slot: its time on the event loop's clock.

        The slot after one the dispatcher reached late stays on the schedule (lateness up to an
        interval is absorbed, not added), but never comes before the window lets a send start.
        Slots missed altogether are not made up in a burst: bursts leave no room for jitter.
        """
        now = asyncio.get_running_loop().time()
        if self.flood_margin and now - self._last_flood > self.relax_after:
            self._set_flood_margin(self.flood_margin - FLOOD_STEP, now)  # no 429 for a while
        slot = max(self._next, now, self._window_opens())
        self._next = slot + self.interval
        return slot

    def _set_flood_margin(self, extra: float, now: float) -> None:
        self.flood_margin = min(FLOOD_MAX, max(0.0, round(extra, 6)))
        self._last_flood = now
        self.interval = (1.0 + self.margin + self.flood_margin) / self.rate
        self.window = 1.0 + self.margin + self.flood_margin

    def _window_opens(self) -> float:
        """When a new send may start without ``rate`` starts in one window (−inf: now)."""
        if len(self._starts) < (self._starts.maxlen or 1):
            return float("-inf")
        return self._starts[0] + self.window

    async def pause(self, seconds: float) -> None:
        """No send starts in the next ``seconds`` (a 429's ``retry_after``).

        A 429 means the server counted more sends in a second than the schedule started: the
        delivery jitter on the way was larger than the margin. Each one widens the margin by
        :data:`FLOOD_STEP` (at most :data:`FLOOD_MAX`); every :data:`FLOOD_RELAX` seconds without
        one gives a step back. A second flood wait costs far more than the few percent.
        """
        now = asyncio.get_running_loop().time()
        self._set_flood_margin(self.flood_margin + FLOOD_STEP, now)
        self._next = max(self._next, now + seconds)

    async def __aenter__(self) -> None:
        """Wait for this send's slot, in the current task's :class:`Lane`.

        A send that resumes more than :data:`LATE` seconds after its slot (a busy event loop)
        starts all the same if the window has room (this process's own schedule, see
        :attr:`keeps_late_slots`), or else waits for another slot, first in its lane, so that it
        cannot bunch up with the next.
        """
        loop = asyncio.get_running_loop()
        if self._dispatcher is not None and self._dispatcher.get_loop() is not loop:
            self._waiting = [w for w in self._waiting if w[2].get_loop() is loop]
            heapq.heapify(self._waiting)  # an old event loop's waiters are gone with it
            self._dispatcher = None
        lane = _LANE.get()
        self._order += 1
        order = self._order
        for attempt in range(LATE_RETRIES + 1):
            granted: asyncio.Future[float] = loop.create_future()
            heapq.heappush(self._waiting, (lane, order, granted))
            if self._dispatcher is None or self._dispatcher.done():
                self._dispatcher = loop.create_task(self._dispatch())
            try:
                slot = await granted
            except asyncio.CancelledError:
                granted.cancel()  # the dispatcher skips it (a slot already given goes unused)
                raise
            late = loop.time() - slot > LATE
            if late and (attempt < LATE_RETRIES or self.keeps_late_slots):
                self.late_slots += 1
            if not late or self.keeps_late_slots:  # late: :meth:`start` keeps the window
                return
        # still late after a few slots: the loop is saturated; go on rather than starve

    async def start(self) -> None:
        """The send goes on the wire now: wait until the window has room, and note it.

        Called right before the request is made, after everything that may hold a send between
        its slot and its start (a late event loop, python-telegram-bot's pause after a 429, the
        per-group limit), so that sends held up together cannot start in a burst.
        """
        if not self.keeps_late_slots:  # the shared schedule: late slots were given up instead
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        while (opens := self._window_opens()) > now:  # earlier sends started late: wait
            await asyncio.sleep(opens - now)
            now = loop.time()
        self._starts.append(now)  # no await since the check: no other send starts in between

    def _next_waiting(self) -> asyncio.Future[float] | None:
        """The first send still waiting: answers first, then by arrival."""
        while self._waiting:
            _, _, granted = heapq.heappop(self._waiting)
            if not granted.done():
                return granted
        return None

    async def _dispatch(self) -> None:
        """Hand out slots one at a time while sends wait, each to the first waiting send.

        A slot is chosen for a send only when it comes up, so an answer that arrives while
        fan-out sends wait takes the next one. A slot that comes up more than :data:`LATE`
        seconds late is given up for a new one (the shared schedule), or used with the schedule
        left where it was (this process's own; its window keeps sends from bunching up, see
        :attr:`keeps_late_slots`).
        """
        loop = asyncio.get_running_loop()
        try:
            while any(not granted.done() for _, _, granted in self._waiting):
                try:
                    for _ in range(LATE_RETRIES):
                        slot = await self.reserve()
                        if slot > loop.time():
                            await asyncio.sleep(slot - loop.time())
                        if loop.time() - slot <= LATE:
                            break
                        self.late_slots += 1
                        if self.keeps_late_slots:  # use it; the window keeps starts apart
                            slot = loop.time()
                            break
                    else:  # still late after a few slots: the loop is saturated; go on
                        slot = loop.time()
                except BudgetUnavailable as exc:
                    while (waiting := self._next_waiting()) is not None:
                        waiting.set_exception(exc)  # nothing was sent: each caller is told
                    return
                waiting = self._next_waiting()
                if waiting is not None:
                    waiting.set_result(slot)
        finally:
            if asyncio.current_task() is self._dispatcher:
                self._dispatcher = None
            for _, _, granted in self._waiting:  # cancelled with sends still waiting
                if not granted.done():
                    granted.cancel()

    async def __aexit__(self, *exc: object) -> None:
        """Nothing to free: the slot was used at the start."""


class SharedPacer(Pacer):
    """A :class:`Pacer` whose schedule is one row in the database, shared by every process.

    ``reserve_slot(interval)`` returns ``(slot, now)`` on the database's clock; the offset to
    the event loop's clock is estimated from the fastest recent round trip (as NTP does), so
    that the round trip's jitter does not move the send. ``pause_all(seconds)`` pushes every
    process's next slot back.
    """

    keeps_late_slots = False  # other processes hold the slots after it: take a new one

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
        except StateError as exc:
            raise BudgetUnavailable(f"{type(exc).__name__}") from exc
        before = loop.time()
        try:
            slot, db_now = await asyncio.to_thread(self._reserve_slot, self.interval)
        except StateError as exc:
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
        except StateError:  # best effort: each process still waits out its own 429
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
            await pacer.start()
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
