"""The answer lane: a person's answer takes the next free send slot before queued fan-out sends.

One send budget serves the bot and the delivery worker (#15): with a thousand pushes queued, the
bot's answers used to wait behind them. Sends inside ``fan_out_lane`` (every send of the
notifier) now leave each free slot to a waiting answer; the total rate is unchanged.
"""

from __future__ import annotations

import asyncio

from bot.settings import Settings
from bot.telegram.notifier import FloodLimiter, SendStatus, TelegramNotifier, build_bot
from bot.telegram.outgoing import Outgoing
from bot.telegram.pacing import Lane, Pacer, fan_out_lane
from bot.telegram.service import build_application, register_commands
from state.repository import Repository
from tests.telegram.fake_bot_api import FakeBotAPI

USER = 5151
RATE = 20  # messages a second, for the limiter and the strict fake server alike
FAN_OUT = 60


async def test_the_pacer_gives_the_next_slot_to_an_answer_before_queued_fan_out() -> None:
    pacer = Pacer(rate=100, margin=0.0)
    order: list[str] = []
    under_way = asyncio.Event()

    async def send(name: str, lane: Lane) -> None:
        if lane is Lane.FAN_OUT:
            with fan_out_lane():
                async with pacer:
                    order.append(name)
        else:
            async with pacer:
                order.append(name)
        if len(order) >= 2:
            under_way.set()

    pushes = [asyncio.create_task(send(f"push{i}", Lane.FAN_OUT)) for i in range(12)]
    await under_way.wait()  # the fan-out is under way, ten pushes wait for their slot
    await asyncio.gather(send("answer", Lane.ANSWER), *pushes)
    assert order.index("answer") <= 3  # the next free slot (or the one after), not the 13th
    assert sorted(order) == sorted(["answer", *(f"push{i}" for i in range(12))])
    assert [n for n in order if n != "answer"] == [f"push{i}" for i in range(12)]  # in order


async def test_a_command_is_answered_before_the_queued_fan_out(
    fake: FakeBotAPI, settings: Settings, repo: Repository
) -> None:
    fake.rate_limit(RATE)  # a 429 for more than RATE messages in any second
    limiter = FloodLimiter(messages_per_second=RATE)  # one budget for the bot and the worker
    application = build_application(settings, repo, rate_limiter=limiter)
    messages = [Outgoing(str(9000 + i), (f"push {i}",), (i,), "nl") for i in range(FAN_OUT)]
    results: list[SendStatus] = []

    async def record(_: Outgoing, result: object) -> None:
        results.append(result.status)  # type: ignore[attr-defined]

    def pushed() -> int:
        return sum(1 for m in fake.sent if m["chat"]["id"] != USER)

    async with application:
        await register_commands(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=10)
        notifier = TelegramNotifier(build_bot(settings, rate_limiter=limiter), concurrency=FAN_OUT)
        async with notifier:
            fan_out = asyncio.create_task(notifier.send_all(messages, record))
            await fake.wait_for(lambda: pushed() >= 5, within=10)  # every other push is queued
            asked_at = pushed()
            before = len(fake.sent)
            fake.push_text(USER, "/help")
            [answer] = await fake.wait_sent(1, chat_id=USER, after=before, within=10)
            answered_at = pushed()
            await fan_out
        await fake.release_polls()
        await application.updater.stop()
        await application.stop()
    assert "/status" in answer["text"]
    # the answer went out within a few slots of the question, ahead of the queued pushes…
    assert answered_at - asked_at <= 4, (asked_at, answered_at)
    assert FAN_OUT - answered_at >= 30  # …which were still waiting (FIFO would put it last)
    # …and the budget was kept: every push sent, none refused for flooding
    assert results == [SendStatus.SENT] * FAN_OUT
    assert fake.count_429 == 0
