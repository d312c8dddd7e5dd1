"""End to end: a poll's changes reach exactly the following chats through the fake Bot API."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.delivery import deliver_telegram_once
from bot.digests import DigestRequests, add_digest_jobs
from bot.settings import Settings
from bot.telegram import webhook
from bot.telegram.notifier import FloodLimiter, TelegramNotifier, build_bot
from bot.telegram.service import BotApplication, build_receiver, run_bot
from bot.web.app import create_app
from bot.worker import run_worker
from state.models import Channel, DeliveryStatus, Frequency, Observation
from state.repository import Repository
from tests.telegram import data
from tests.telegram.conftest import PUBLIC_URL, WorkerApp
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.helpers import documents_at_once, say

A, B, C, D = 1101, 1102, 1103, 1104  # follows 2234 / alles / 2949 / alles but blocks the bot


async def _subscribe_four(fake: FakeBotAPI, repo: Repository) -> None:
    repo.apply_poll(data.first_poll(), notify=False)
    await say(fake, A, "/volg 21501-02-2234")
    await say(fake, B, "/volg alles")
    await say(fake, C, "/volg 21501-02-2949")
    await say(fake, D, "/volg alles")
    documents_at_once(repo, B, D)
    fake.block(D)


def _statuses(repo: Repository, chat_id: int) -> list[DeliveryStatus]:
    subscriber = repo.get_subscriber(Channel.TELEGRAM, str(chat_id))
    assert subscriber is not None
    return [d.status for d in repo.deliveries(subscriber_id=subscriber.id)]


async def test_a_push_after_a_poll_reaches_exactly_the_followers(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    app: WorkerApp,
    notifier: TelegramNotifier,
) -> None:
    await _subscribe_four(fake, repo)
    before = len(fake.sent)
    changes = repo.apply_poll(data.second_poll())
    assert len(changes) == 4  # the letter and its 3 reports (which announce 2 motions new here)

    report = await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]

    pushed = fake.sent[before:]
    to = {chat: [m["html"] for m in pushed if m["chat"]["id"] == chat] for chat in (A, B, C, D)}
    # A follows 2234: only the report on it, with the evidence sentence and the web page
    [only] = to[A]
    assert "<b>Uitvoering gemeld</b>" in only
    assert f'href="{PUBLIC_URL}/motie/21501-02-2234"' in only
    assert "<b>in uitvoering</b>" in only
    assert data.sentence("Hoewel de kans klein is") in only
    assert "4 november 2021" in only
    # B follows everything: the letter, and ONE grouped message for 3 reports (no "Nieuwe motie")
    assert len(to[B]) == 2
    assert not any("Nieuwe motie" in m for m in to[B])
    grouped = [m for m in to[B] if "3 moties" in m]
    assert len(grouped) == 1
    for motion_id, status in (
        ("21501-20-1736", "uitgevoerd"),
        ("21501-20-1714", "niet langer van toepassing"),
        ("21501-02-2234", "in uitvoering"),
    ):
        assert f'<a href="{PUBLIC_URL}/motie/{motion_id}">{motion_id}</a>' in grouped[0]
        assert f"<b>{status}</b>" in grouped[0]
    assert "P.H. Omtzigt, CDA; M.R.H. van Helvert, CDA" in grouped[0]
    # C follows an unrelated motion; D blocked the bot
    assert to[C] == []
    assert to[D] == []
    assert report.sent == 1 + 4
    assert report.deactivated == 1
    assert report.deactivated_chats == [str(D)]
    subscriber_d = repo.get_subscriber(Channel.TELEGRAM, str(D))
    assert subscriber_d is not None
    assert not subscriber_d.active
    failed = [d for d in repo.deliveries(subscriber_id=subscriber_d.id)]
    assert {d.status for d in failed} == {DeliveryStatus.FAILED}
    assert all("blocked" in (d.last_error or "") for d in failed)
    assert set(_statuses(repo, A)) == {DeliveryStatus.SENT}
    assert set(_statuses(repo, B)) == {DeliveryStatus.SENT}
    # nothing left, nothing sent twice
    assert (await deliver_telegram_once(app, notifier)).claimed == 0  # type: ignore[arg-type]
    assert fake.duplicates() == 0
    counts = repo.outbox_counts()
    assert counts["pending"] == counts["claimed"] == 0


async def test_a_blocked_chat_is_reactivated_by_start(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    app: WorkerApp,
    notifier: TelegramNotifier,
) -> None:
    await _subscribe_four(fake, repo)
    repo.apply_poll(data.second_poll())
    await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
    fake.unblock(D)
    await say(fake, D, "/start")
    subscriber = repo.get_subscriber(Channel.TELEGRAM, str(D))
    assert subscriber is not None
    assert subscriber.active
    repo.apply_poll(data.second_poll())  # nothing new: nothing to send
    assert (await deliver_telegram_once(app, notifier)).claimed == 0  # type: ignore[arg-type]
    before = len(fake.sent)
    repo.apply_poll(Observation(motions=(data.motion_2901(),)))
    report = await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
    assert report.sent == 2  # B and D again, who follow everything
    assert {m["chat"]["id"] for m in fake.sent[before:]} == {B, D}


async def test_chat_not_found_deactivates_and_records_the_reason(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    app: WorkerApp,
    notifier: TelegramNotifier,
) -> None:
    repo.apply_poll(data.first_poll(), notify=False)
    await say(fake, A, "/volg 21501-02-2234")
    fake.forget_chat(A)
    repo.apply_poll(data.second_poll())
    report = await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
    assert report.deactivated == 1
    subscriber = repo.get_subscriber(Channel.TELEGRAM, str(A))
    assert subscriber is not None
    assert not subscriber.active
    [row] = repo.deliveries(subscriber_id=subscriber.id)
    assert row.status is DeliveryStatus.FAILED
    assert "Chat not found" in (row.last_error or "")


async def test_a_429_is_waited_out_and_nothing_is_lost(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    app: WorkerApp,
    notifier: TelegramNotifier,
) -> None:
    await _subscribe_four(fake, repo)
    fake.unblock(D)
    before = len(fake.sent)
    fake.fail_next(429, "Too Many Requests: retry after 1", retry_after=1)
    repo.apply_poll(data.second_poll())
    started = asyncio.get_running_loop().time()
    report = await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
    elapsed = asyncio.get_running_loop().time() - started
    assert fake.count_429 == 1
    assert elapsed >= 1.0  # the limiter paused every request for retry_after
    assert report.sent == 1 + 4 + 4
    assert report.failed == report.retried == 0
    assert len(fake.sent) - before == 1 + 2 + 2  # A, B and D; grouped reports
    assert fake.duplicates() == 0
    assert repo.outbox_counts()["sent"] == 9


async def test_the_notifier_itself_waits_when_the_limiter_gives_up(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository, app: WorkerApp, settings: Settings
) -> None:
    repo.apply_poll(data.first_poll(), notify=False)
    await say(fake, A, "/volg 21501-02-2234")
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    bare = build_bot(settings, rate_limiter=FloodLimiter(1000, 6000, max_retries=0))
    fake.fail_next(429, "Too Many Requests: retry after 7", retry_after=7, count=2)
    repo.apply_poll(data.second_poll())
    async with TelegramNotifier(bare, sleep=no_sleep) as sender:
        report = await deliver_telegram_once(app, sender)  # type: ignore[arg-type]
    assert waits == [7.0, 7.0]
    assert report.sent == 1
    assert report.flood_waits == 2


async def test_network_errors_go_back_to_the_outbox_with_a_backoff(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    app: WorkerApp,
    notifier: TelegramNotifier,
) -> None:
    repo.apply_poll(data.first_poll(), notify=False)
    await say(fake, A, "/volg 21501-02-2234")
    fake.fail_next(502, "Bad Gateway", count=1)
    repo.apply_poll(data.second_poll())
    report = await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
    assert report.retried == 1
    subscriber = repo.get_subscriber(Channel.TELEGRAM, str(A))
    assert subscriber is not None
    assert subscriber.active
    [row] = repo.deliveries(subscriber_id=subscriber.id)
    assert row.status is DeliveryStatus.PENDING
    assert row.attempts == 1
    assert row.next_attempt_at is not None
    assert row.next_attempt_at > datetime.now(UTC)
    assert "Bad Gateway" in (row.last_error or "")
    # not due yet: the next pass leaves it alone
    assert (await deliver_telegram_once(app, notifier)).claimed == 0  # type: ignore[arg-type]


async def test_a_refused_message_fails_without_deactivating(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    app: WorkerApp,
    notifier: TelegramNotifier,
) -> None:
    repo.apply_poll(data.first_poll(), notify=False)
    await say(fake, A, "/volg 21501-02-2234")
    fake.fail_next(400, "Bad Request: can't parse entities: Unsupported start tag")
    repo.apply_poll(data.second_poll())
    report = await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
    assert report.failed == 1
    assert report.deactivated == 0
    subscriber = repo.get_subscriber(Channel.TELEGRAM, str(A))
    assert subscriber is not None
    assert subscriber.active
    [row] = repo.deliveries(subscriber_id=subscriber.id)
    assert row.status is DeliveryStatus.FAILED


async def test_daily_subscribers_get_one_digest(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    app: WorkerApp,
    notifier: TelegramNotifier,
) -> None:
    repo.apply_poll(data.first_poll(), notify=False)
    await say(fake, B, "/volg alles")
    await say(fake, B, "/digest dagelijks")
    before = len(fake.sent)
    repo.apply_poll(data.second_poll())
    instant = await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
    assert instant.claimed == 0  # a daily subscriber is not served instantly
    daily = await deliver_telegram_once(app, notifier, frequency=Frequency.DAILY)  # type: ignore[arg-type]
    assert daily.claimed == 3  # the three reports; the new letter waits for the weekly digest
    [digest] = [m["html"] for m in fake.sent[before:]]
    assert digest.startswith("<b>Dagoverzicht</b> · 3 wijzigingen")
    assert "21501-02-2234" in digest
    assert "Hoewel de kans klein is" in digest
    weekly = await deliver_telegram_once(app, notifier, frequency=Frequency.WEEKLY)  # type: ignore[arg-type]
    assert weekly.claimed == 1
    assert fake.sent[-1]["html"].startswith("<b>Weekoverzicht</b>")


@dataclass
class DigestWorkerApp:
    """The worker's App with the Telegram side of the one digest schedule."""

    settings: Settings
    repo: Repository
    telegram_digests: DigestRequests = field(default_factory=DigestRequests)


def test_the_digest_triggers_follow_local_time(settings: Settings) -> None:
    scheduler = AsyncIOScheduler(timezone=settings.timezone)
    add_digest_jobs(scheduler, settings, {"telegram": DigestRequests()})
    daily = scheduler.get_job("digest-daily").trigger
    weekly = scheduler.get_job("digest-weekly").trigger
    # 22:00 UTC on Sunday 2 March 2025 is 23:00 in Amsterdam; next 08:00 local is 07:00 UTC
    now = datetime(2025, 3, 2, 22, 0, tzinfo=UTC)
    monday = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)
    assert daily.get_next_fire_time(None, now) == monday
    assert weekly.get_next_fire_time(None, now) == monday
    assert daily.get_next_fire_time(monday, monday.replace(second=1)) == datetime(
        2025, 3, 4, 7, 0, tzinfo=UTC
    )
    assert weekly.get_next_fire_time(monday, monday.replace(second=1)) == datetime(
        2025, 3, 10, 7, 0, tzinfo=UTC
    )
    # summer time: 08:00 in Amsterdam is 06:00 UTC
    summer = daily.get_next_fire_time(None, datetime(2025, 7, 1, 12, 0, tzinfo=UTC))
    assert summer == datetime(2025, 7, 2, 6, 0, tzinfo=UTC)


async def test_the_running_worker_sends_the_digest_the_schedule_fires(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository, settings: Settings
) -> None:
    repo.apply_poll(data.first_poll(), notify=False)
    await say(fake, B, "/volg alles")
    await say(fake, B, "/digest dagelijks")
    before = len(fake.sent)
    repo.apply_poll(data.second_poll())
    app = DigestWorkerApp(settings, repo)
    scheduler = AsyncIOScheduler(timezone=settings.timezone)
    add_digest_jobs(scheduler, settings, {"telegram": app.telegram_digests})
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(app, stop))  # type: ignore[arg-type]
    try:
        await asyncio.sleep(0.5)  # instant passes run: a daily subscriber gets nothing yet
        assert fake.sent[before:] == []
        await scheduler.get_job("digest-daily").func()  # the daily trigger fires
        [digest] = await fake.wait_sent(1, chat_id=B, after=before)
    finally:
        stop.set()
        await asyncio.wait_for(worker, timeout=10)
    # the three reports; the new letter waits for the weekly digest (the default for documents)
    assert digest["html"].startswith("<b>Dagoverzicht</b> · 3 wijzigingen")
    assert repo.outbox_counts()["sent"] == 3
    assert repo.outbox_counts()["pending"] == 1


async def test_the_worker_delivers_until_stopped_and_releases_its_claims(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository, app: WorkerApp
) -> None:
    repo.apply_poll(data.first_poll(), notify=False)
    users = list(range(5000, 5012))
    for user in users:
        subscriber = repo.get_or_create_subscriber(Channel.TELEGRAM, str(user))
        repo.subscribe(subscriber.id, "all")  # type: ignore[arg-type]
    documents_at_once(repo, *users)
    before = len(fake.sent)
    repo.apply_poll(data.second_poll())  # 12 chats x 2 messages at 30 msg/s
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(app, stop))  # type: ignore[arg-type]
    await fake.wait_sent(10, after=before)
    stop.set()
    await asyncio.wait_for(worker, timeout=5)
    partial = len(fake.sent) - before
    assert 10 <= partial < 24
    counts = repo.outbox_counts()
    assert counts["claimed"] == 0  # released on stop
    assert counts["sent"] + counts["pending"] == 48
    # a second worker run finishes the job; at most the in-flight message is repeated
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(app, stop))  # type: ignore[arg-type]
    await fake.wait_for(
        lambda: len({(m["chat"]["id"], m["html"]) for m in fake.sent[before:]}) == 24
    )
    stop.set()
    await asyncio.wait_for(worker, timeout=5)
    assert repo.outbox_counts()["sent"] == 48  # 12 chats x 4 changes (3 in one grouped message)
    assert {m["chat"]["id"] for m in fake.sent[before:]} == set(users)
    assert fake.duplicates() <= 1


async def test_the_worker_idles_without_a_token(
    repo: Repository, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(_env_file=None, telegram_token=None)  # type: ignore[call-arg]
    stop = asyncio.Event()
    caplog.set_level(logging.INFO, logger="bot.worker")
    worker = asyncio.create_task(run_worker(WorkerApp(settings, repo), stop))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    assert not worker.done()
    stop.set()
    await asyncio.wait_for(worker, timeout=1)
    assert [r.getMessage() for r in caplog.records] == [
        "no Telegram token configured: Telegram delivery is off"
    ]


async def test_run_bot_long_polls_until_stopped(
    fake: FakeBotAPI, repo: Repository, settings: Settings
) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_bot(WorkerApp(settings, repo, build_receiver(settings, repo)), stop)
    )
    [reply] = await say(fake, A, "/start")
    assert "Welkom" in reply["html"]
    assert fake.calls_of("deleteWebhook")
    assert fake.commands[None]
    stop.set()
    await fake.release_polls()
    await asyncio.wait_for(task, timeout=5)
    assert task.exception() is None


async def test_run_bot_in_webhook_mode_takes_updates_from_the_web_app(
    fake: FakeBotAPI, repo: Repository, settings: Settings
) -> None:
    settings = settings.model_copy(
        update={"telegram_webhook_url": "https://kw.example/telegram/webhook"}
    )
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_bot(WorkerApp(settings, repo, build_receiver(settings, repo)), stop)
    )
    await fake.wait_calls("setWebhook")
    assert fake.webhook is not None
    assert fake.webhook["url"] == "https://kw.example/telegram/webhook"
    secret = webhook.secret_token(settings, repo)
    assert fake.webhook["secret_token"] == secret
    assert not fake.calls_of("getUpdates")

    update = fake.push_text(A, "/start")  # built like Telegram's, but delivered by webhook
    web = create_app(settings, repo)  # the real web app mounts the webhook route
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=web), base_url="https://kw.example"
    ) as client:
        wrong = await client.post(
            "/telegram/webhook", json=update, headers={webhook.SECRET_HEADER: "x"}
        )
        assert wrong.status_code == 403
        before = len(fake.sent)
        ok = await client.post(
            "/telegram/webhook", json=update, headers={webhook.SECRET_HEADER: secret}
        )
        assert ok.status_code == 200
        [reply] = await fake.wait_sent(1, chat_id=A, after=before)
    assert "Welkom" in reply["html"]
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert await webhook.handle_update(b"{}", secret) == 503  # unregistered on stop


async def test_a_keyword_subscription_receives_matching_changes_only(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    app: WorkerApp,
    notifier: TelegramNotifier,
) -> None:
    await say(fake, A, "/volg krijgsgevangenen")  # in the title of 21501-02-2949 only
    documents_at_once(repo, A)
    before = len(fake.sent)
    repo.apply_poll(data.first_poll())
    report = await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
    assert report.sent == 1
    [pushed] = fake.sent[before:]
    assert "21501-02-2949" in pushed["html"]
    assert "Nieuwe motie" in pushed["html"]


async def test_a_group_that_became_a_supergroup_is_followed_to_its_new_id(
    bot: BotApplication,
    fake: FakeBotAPI,
    repo: Repository,
    app: WorkerApp,
    notifier: TelegramNotifier,
) -> None:
    repo.apply_poll(data.first_poll(), notify=False)
    await say(fake, A, "/volg 21501-02-2234")
    new_id = -1001234567890
    fake.fail_next(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        chat_id=A,
        migrate_to_chat_id=new_id,
    )
    repo.apply_poll(data.second_poll())
    before = len(fake.sent)
    report = await deliver_telegram_once(app, notifier)  # type: ignore[arg-type]
    assert report.sent == 1
    assert [m["chat"]["id"] for m in fake.sent[before:]] == [new_id]
    # the subscriber now lives at the new id, with its subscriptions
    assert repo.get_subscriber(Channel.TELEGRAM, str(A)) is None
    moved = repo.get_subscriber(Channel.TELEGRAM, str(new_id))
    assert moved is not None
    assert moved.active
    assert [s.value for s in repo.subscriptions(moved.id)] == ["21501-02-2234"]
