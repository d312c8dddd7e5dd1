"""Flood control: the limiter keeps a strict server (N messages in any second) from saying 429."""

from __future__ import annotations

import asyncio

from pydantic import SecretStr

from bot.settings import Settings
from bot.telegram.notifier import (
    FloodLimiter,
    SendStatus,
    TelegramNotifier,
    build_bot,
    shared_limiter,
)
from bot.telegram.outgoing import Outgoing
from tests.telegram.fake_bot_api import FakeBotAPI


async def test_a_burst_through_the_flood_limiter_gets_no_429(
    fake: FakeBotAPI, settings: Settings
) -> None:
    fake.rate_limit(40)  # more than 40 messages in any second → 429
    limiter = FloodLimiter(messages_per_second=40)
    messages = [Outgoing(str(9000 + i), (f"<b>bericht</b> {i}",), (i,), "nl") for i in range(60)]
    results: list[SendStatus] = []

    async def record(_: Outgoing, result: object) -> None:
        results.append(result.status)  # type: ignore[attr-defined]

    loop = asyncio.get_running_loop()
    start = loop.time()
    async with TelegramNotifier(build_bot(settings, rate_limiter=limiter)) as notifier:
        await notifier.send_all(messages, record)
    elapsed = loop.time() - start
    assert results == [SendStatus.SENT] * 60
    assert fake.count_429 == 0
    assert len(fake.sent) == 60
    assert elapsed >= 1.0  # the last 20 had to wait for the window
    assert elapsed < 3.0  # …but not much longer: the limit is used, not wasted


async def test_bot_and_worker_share_one_limiter_per_token(settings: Settings) -> None:
    first = shared_limiter(settings)
    assert shared_limiter(settings) is first
    other = settings.model_copy(update={"telegram_token": SecretStr("999:other-token-value")})
    assert shared_limiter(other) is not first
    notifier = TelegramNotifier.from_settings(settings)
    assert notifier.bot.rate_limiter is first
