"""Fixtures for the Telegram tests: a real SQLite repository, the fake Bot API, the real bot."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# PTB 22 warns unless RetryAfter.retry_after is opted into timedelta (PLATFORM_NOTES §1.4).
os.environ["PTB_TIMEDELTA"] = "1"

from bot.settings import Settings
from bot.telegram.notifier import FloodLimiter, TelegramNotifier, build_bot
from bot.telegram.service import BotApplication, build_application, register_commands
from state.repository import Repository
from tests.telegram.fake_bot_api import TOKEN, FakeBotAPI

ADMIN_ID = 4242
PUBLIC_URL = "https://kamerwacht.example"


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repository]:
    """A migrated SQLite repository in the test's temporary directory."""
    repository = Repository.from_url(f"sqlite:///{tmp_path}/t.db")
    repository.upgrade()
    yield repository
    repository.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    """The fake Bot API server on 127.0.0.1."""
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
def settings(fake: FakeBotAPI, tmp_path: Path) -> Settings:
    """Settings pointing the bot at the fake server."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{tmp_path}/t.db",
        telegram_token=TOKEN,  # type: ignore[arg-type]
        telegram_api_url=fake.base_url,
        admin_chat_ids=[ADMIN_ID],
        public_url=PUBLIC_URL,
    )


@pytest.fixture
async def bot(
    settings: Settings, repo: Repository, fake: FakeBotAPI
) -> AsyncIterator[BotApplication]:
    """The real Application, long polling the fake server (PLATFORM_NOTES §1.4 lifecycle)."""
    limiter = FloodLimiter(messages_per_second=1000, group_messages_per_minute=6000)
    application = build_application(settings, repo, rate_limiter=limiter)
    async with application:
        await register_commands(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=10)
        yield application
        await fake.release_polls()
        await application.updater.stop()
        await application.stop()


@dataclass
class WorkerApp:
    """The part of ``bot.app.App`` the bot and the delivery worker use."""

    settings: Settings
    repo: Repository
    bot_application: BotApplication | None = None


@pytest.fixture
def app(settings: Settings, repo: Repository) -> WorkerApp:
    """The composition root as the worker sees it."""
    return WorkerApp(settings=settings, repo=repo)


@pytest.fixture
async def notifier(settings: Settings) -> AsyncIterator[TelegramNotifier]:
    """A notifier talking to the fake server; flood waits are fast in tests."""
    limiter = FloodLimiter(messages_per_second=1000, group_messages_per_minute=6000)
    async with TelegramNotifier(build_bot(settings, rate_limiter=limiter)) as sender:
        yield sender
