"""The in-process send budget on a busy event loop: late slots are caught up, never bunched.

In ``kamerwacht run`` the web app renders in threads of the same process; while a visitor reloads
the board, the event loop that sends wakes up late (it waits for the GIL). Each late wake-up used
to push the whole schedule back by its lateness, or cost a slot outright, so fan-out fell well
below the limit. Here something blocks the loop for 15 ms in every 25 ms (more than the 10 ms a
send may start late on the shared schedule, less than the 34 ms between sends).
"""

from __future__ import annotations

import asyncio
import itertools
import time

from bot.settings import Settings
from bot.telegram.notifier import FloodLimiter, SendStatus, TelegramNotifier, build_bot
from bot.telegram.outgoing import Outgoing
from bot.telegram.pacing import FLOOD_MAX, FLOOD_STEP, Pacer
from tests.telegram.fake_bot_api import FakeBotAPI

RATE = 30
MARGIN = 0.03


async def _paced_starts(pacer: Pacer, sends: int, *, busy: bool) -> list[float]:
    loop = asyncio.get_running_loop()
    starts: list[float] = []
    done = asyncio.Event()

    async def hog() -> None:
        while not done.is_set():
            time.sleep(0.015)  # noqa: ASYNC251 - blocking the event loop is the point
            await asyncio.sleep(0.010)

    async def send() -> None:
        async with pacer:
            await pacer.start()  # as FloodLimiter does right before the request
            starts.append(loop.time())
            await asyncio.sleep(0.2)  # in flight: does not hold the slot

    hogging = asyncio.create_task(hog()) if busy else None
    await asyncio.gather(*(send() for _ in range(sends)))
    done.set()
    if hogging is not None:
        await hogging
    return starts


def _rate(starts: list[float]) -> float:
    return (len(starts) - 1) / (starts[-1] - starts[0])


async def test_a_busy_event_loop_keeps_the_rate_and_never_exceeds_the_window() -> None:
    pacer = Pacer(RATE, margin=MARGIN)
    starts = await _paced_starts(pacer, 100, busy=True)
    assert len(starts) == 100
    assert pacer.late_slots > 0  # the loop really was late
    nominal = RATE / (1 + MARGIN)
    assert _rate(starts) >= 0.95 * nominal, (_rate(starts), nominal)
    for first, later in zip(starts, starts[RATE:], strict=False):
        # never more than RATE starts in any window (1 + margin / 2 seconds: over one second)
        assert later - first >= pacer.window - 1e-9 > 1.0, later - first


async def test_an_idle_pacer_starts_on_the_schedule_without_a_burst() -> None:
    pacer = Pacer(RATE, margin=MARGIN)
    starts = await _paced_starts(pacer, 20, busy=False)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= pacer.interval * 0.8  # no catching up on slots nobody missed


async def test_sends_held_up_by_a_flood_wait_do_not_start_in_a_burst(
    fake: FakeBotAPI, settings: Settings
) -> None:
    """After a 429, python-telegram-bot holds every send that already has its slot until its
    own wait (retry_after + 0.1 s) is over, then lets them all go at once; counted in the window
    at the moment they really start, they are spread again (before, the burst plus the next
    second's slots made 33 starts in one second: another 429, and again). Checked on the
    requests as they leave, which does not depend on how late a loaded machine delivers them."""
    fake.rate_limit(30, retry_after=1)
    fake.fail_next(429, retry_after=1)  # the first message meets a flood wait
    limiter = FloodLimiter()
    pacer = limiter.pacer
    loop = asyncio.get_running_loop()
    leaving: list[float] = []
    real_start = pacer.start

    async def start() -> None:  # the moment each request (or retry) really starts
        await real_start()
        leaving.append(loop.time())

    pacer.start = start  # type: ignore[method-assign]
    messages = [Outgoing(str(9000 + i), ("bericht",), (i,), "nl") for i in range(90)]
    results: list[SendStatus] = []

    async def record(_: Outgoing, result: object) -> None:
        results.append(result.status)  # type: ignore[attr-defined]

    async with TelegramNotifier(build_bot(settings, rate_limiter=limiter)) as notifier:
        await notifier.send_all(messages, record)
    assert results.count(SendStatus.SENT) == 90
    assert fake.count_429 >= 1  # the flood wait happened
    assert len(leaving) >= 91  # every message, and the one that met the 429 again
    for first, later in zip(leaving, leaving[30:], strict=False):
        assert later - first >= pacer.window - 1e-9, later - first  # never 31 in a window


async def test_a_flood_wait_widens_the_margin_and_quiet_time_gives_it_back() -> None:
    """A 429 means the jitter on the way beat the margin: each widens it by a step (at most
    FLOOD_MAX); a while without one gives a step back."""
    pacer = Pacer(RATE, margin=MARGIN)
    pacer.relax_after = 0.05
    base = pacer.interval
    await pacer.pause(0.0)
    assert pacer.interval == (1 + MARGIN + FLOOD_STEP) / RATE > base
    assert pacer.window == 1 + MARGIN + FLOOD_STEP
    for _ in range(10):
        await pacer.pause(0.0)
    assert pacer.flood_margin == FLOOD_MAX
    await pacer.reserve()  # within relax_after of the last 429: unchanged
    assert pacer.flood_margin == FLOOD_MAX
    await asyncio.sleep(0.06)
    await pacer.reserve()
    assert pacer.flood_margin == FLOOD_MAX - FLOOD_STEP
