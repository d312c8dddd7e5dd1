"""The composition root (issue #11): one ``kamerwacht run`` process builds one SMTP pool and one
outgoing Telegram bot, and hands the same objects to the web app, the digest jobs, the
Telegram worker and the admins' alerts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.base import BaseScheduler
from telegram import Bot

import bot.schedule
import bot.web.server
from bot.app import App
from bot.digests import DigestRun
from bot.email.sender import Mailer
from bot.heartbeat import Notify
from bot.settings import Settings
from state.repository import Repository
from tests.telegram.fake_bot_api import TOKEN
from tests.web.fixtures import free_port

DOWN = "http://127.0.0.1:1"  # nothing listens: every source and Telegram fail at once


async def test_one_run_process_builds_one_smtp_pool_and_one_bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'kw.db'}"
    store = Repository.from_url(url)
    store.upgrade()
    store.close()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        tweedekamer_url=DOWN,
        tweedekamer_syncfeed_url="",
        officielebekendmakingen_url=DOWN,
        officielebekendmakingen_rss_url=DOWN,
        rijksoverheid_feed_url=DOWN,
        http_retries=0,
        telegram_token=TOKEN,  # type: ignore[arg-type]
        telegram_api_url=f"{DOWN}/bot",
        admin_chat_ids=[4242],
        admin_emails=["admin@example.org"],
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        web_port=free_port(),
    )
    mailers: list[Mailer] = []
    bots: list[Bot] = []
    mailer_init, bot_init = Mailer.__init__, Bot.__init__

    def count_mailer(self: Mailer, *args: Any, **kwargs: Any) -> None:
        mailers.append(self)
        mailer_init(self, *args, **kwargs)

    def count_bot(self: Bot, *args: Any, **kwargs: Any) -> None:
        bots.append(self)
        bot_init(self, *args, **kwargs)

    monkeypatch.setattr(Mailer, "__init__", count_mailer)
    monkeypatch.setattr(Bot, "__init__", count_bot)

    handed: dict[str, object] = {}
    create_app, add_jobs, notifiers = (
        bot.web.server.create_app,
        bot.schedule.add_digest_jobs,
        bot.schedule.admin_notifiers,
    )

    def web_app(*args: Any, **kwargs: Any) -> Any:
        handed["web"] = kwargs["mailer"]
        return create_app(*args, **kwargs)

    def digest_jobs(
        scheduler: BaseScheduler, settings: Settings, channels: dict[str, DigestRun]
    ) -> None:
        handed["digests"] = channels
        add_jobs(scheduler, settings, channels)

    def alerts(app: App) -> list[Notify]:
        handed["app"] = app
        return notifiers(app)

    monkeypatch.setattr(bot.web.server, "create_app", web_app)
    monkeypatch.setattr(bot.schedule, "add_digest_jobs", digest_jobs)
    monkeypatch.setattr(bot.schedule, "admin_notifiers", alerts)

    stop = asyncio.Event()
    service = asyncio.create_task(
        bot.schedule.run_service(settings, {"poller", "web", "worker"}, stop=stop)
    )
    for _ in range(200):
        if len(handed) == 3:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(service, timeout=60)

    assert len(mailers) == 1  # before: one pool for the digests, another for the web app
    assert len(bots) == 1  # before: the worker's bot and a second one for the admins' alerts
    app = handed["app"]
    assert isinstance(app, App)
    assert app.mailer is mailers[0]
    assert handed["web"] is mailers[0]
    assert app.notifier is not None
    assert app.notifier.bot is bots[0]
    channels = handed["digests"]
    assert isinstance(channels, dict)
    assert list(channels) == ["email", "telegram"]
    assert channels["telegram"] is app.telegram_digests


async def test_the_bot_roles_application_is_built_by_the_composition_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.telegram.service
    from bot.app import build_service

    built: list[object] = []
    build = bot.telegram.service.build_application

    def count(*args: Any, **kwargs: Any) -> Any:
        built.append(application := build(*args, **kwargs))
        return application

    monkeypatch.setattr(bot.telegram.service, "build_application", count)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{tmp_path / 'kw.db'}",
        telegram_token=TOKEN,  # type: ignore[arg-type]
        telegram_api_url=f"{DOWN}/bot",
    )
    without = build_service(settings, {"poller", "web", "worker"})
    assert without.bot_application is None
    await without.aclose()
    app = build_service(settings, {"bot", "worker"})
    assert app.bot_application is not None
    assert built == [app.bot_application]  # once, and what run_bot runs
    await app.aclose()
    no_token = settings.model_copy(update={"telegram_token": None})
    bare = build_service(no_token, {"bot"})
    assert bare.bot_application is None
    await bare.aclose()
