"""Delivery under faults and scale-out: no duplicates without a fault, bounded re-sends after one.

* the end of a pass never loses a flush in progress (rows stayed ``claimed`` and were re-sent);
* when the outcome of a send cannot be recorded the pass stops sending, and the outcomes are
  recorded once the database is back (no whole-batch re-send);
* claims belong to a worker: mark_sent, renewal and release act on its own rows only, and a
  restarted worker releases a dead predecessor's claims at once;
* claims are per chat: order and per-letter grouping do not depend on batch boundaries;
* the send limit is on sends started per second, shared by every process on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import bot.delivery as delivery
from bot.delivery import Backlog, deliver_telegram_once, ended_workers, worker_name
from bot.settings import Settings
from bot.telegram.notifier import FloodLimiter, Pacer, SharedPacer, TelegramNotifier, build_bot
from bot.telegram.service import BotApplication
from bot.worker import run_worker
from state.errors import DatabaseUnavailable
from state.models import Channel, DeliveryStatus, Observation, SubscriptionKind
from state.repository import Repository
from tests.conftest import PgServer
from tests.state.factories import NOW, motion
from tests.telegram import data
from tests.telegram.conftest import WorkerApp
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.helpers import documents_at_once

# a kill/fault suite: slow, kept in CI (`./scripts/test` runs every marker)
pytestmark = pytest.mark.slow


class FlakyRepo:
    """A repository whose chosen methods fail like a database that went away."""

    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        self.down: set[str] = set()
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._repo, name)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            if name in self.down:
                raise DatabaseUnavailable("database unavailable: server closed the connection")
            return target(*args, **kwargs)

        return call


def _chats(repo: Repository, n: int, first: int = 7000) -> list[int]:
    chats = [first + i for i in range(n)]
    for chat in chats:
        sub = repo.get_or_create_subscriber(Channel.TELEGRAM, str(chat))
        repo.subscribe(sub.id, SubscriptionKind.ALL)
    documents_at_once(repo, *chats)
    return chats


def _notifier(settings: Settings, rate: int) -> TelegramNotifier:
    limiter = FloodLimiter(messages_per_second=rate, group_messages_per_minute=6000)
    return TelegramNotifier(build_bot(settings, rate_limiter=limiter))


# ----------------------------------------------------------------- flush at the end of a pass


async def test_a_flush_in_progress_at_the_end_of_a_pass_is_not_lost(
    fake: FakeBotAPI,
    repo: Repository,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The flusher had taken a batch whose mark_sent had not started when the pass ended."""
    _chats(repo, 8)
    repo.apply_poll(Observation(motions=(motion(),)), now=NOW)
    real = asyncio.to_thread

    async def busy_executor(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if getattr(func, "__name__", "") == "mark_sent":
            await asyncio.sleep(0.6)  # every worker thread busy: the call has not started
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(delivery.asyncio, "to_thread", busy_executor)
    async with _notifier(settings, 10) as notifier:  # 8 messages over ~0.8 s
        report = await deliver_telegram_once(WorkerApp(settings, repo), notifier)  # type: ignore[arg-type]
    assert report.sent == 8
    counts = repo.outbox_counts()
    assert (counts["sent"], counts["claimed"], counts["pending"]) == (8, 0, 0)


# ----------------------------------------------------------------- mark_sent fails


async def test_when_sent_rows_cannot_be_recorded_sending_stops_and_nothing_is_sent_twice(
    fake: FakeBotAPI, repo: Repository, settings: Settings
) -> None:
    chats = _chats(repo, 60)
    repo.apply_poll(Observation(motions=(motion(),)), now=NOW)
    flaky = FlakyRepo(repo)
    flaky.down.add("mark_sent")  # the database goes away once sending has begun
    app = WorkerApp(settings, flaky)  # type: ignore[arg-type]
    backlog = Backlog()
    async with _notifier(settings, 40) as notifier:  # 60 messages would take 1.5 s
        report = await deliver_telegram_once(app, notifier, backlog=backlog)  # type: ignore[arg-type]
        during = len(fake.sent)
        assert during < 40  # stopped after the first failed flush (0.5 s) and what was in flight
        assert report.unrecorded == len(backlog) > 0
        counts = repo.outbox_counts()
        assert counts["claimed"] == during  # sent but unrecorded rows stay this worker's
        assert counts["pending"] == 60 - during  # the others went back at once
        flaky.down.clear()  # the database is back: the next passes record, then go on
        while (await deliver_telegram_once(app, notifier, backlog=backlog)).claimed:  # type: ignore[arg-type]
            pass
    assert len(backlog) == 0
    assert repo.outbox_counts()["sent"] == 60
    assert sorted(m["chat"]["id"] for m in fake.sent) == chats  # each exactly once
    assert fake.duplicates() == 0


async def test_a_failed_outcome_that_cannot_be_recorded_also_stops_the_pass(
    fake: FakeBotAPI, repo: Repository, settings: Settings
) -> None:
    chats = _chats(repo, 30)
    repo.apply_poll(Observation(motions=(motion(),)), now=NOW)
    for chat in chats[:3]:
        fake.block(chat)
    flaky = FlakyRepo(repo)
    flaky.down.update({"mark_failed", "update_subscriber", "mark_sent"})
    backlog = Backlog()
    async with _notifier(settings, 40) as notifier:
        await deliver_telegram_once(WorkerApp(settings, flaky), notifier, backlog=backlog)  # type: ignore[arg-type]
    assert len(fake.sent) < 27  # not the whole batch
    assert backlog.failed or backlog.sent


# ----------------------------------------------------------------- claims belong to a worker


def test_mark_sent_touch_and_release_act_on_the_workers_own_claims(repo: Repository) -> None:
    _chats(repo, 2)
    repo.apply_poll(Observation(motions=(motion(),)), now=NOW)
    mine = repo.claim_deliveries(Channel.TELEGRAM, limit=1, worker="a", now=NOW)
    theirs = repo.claim_deliveries(Channel.TELEGRAM, limit=1, worker="b", now=NOW)
    ids_a, ids_b = [c.delivery.id for c in mine], [c.delivery.id for c in theirs]
    assert repo.mark_sent(ids_a + ids_b, worker="a") == 1
    assert repo.touch_claims(ids_b, "a") == 0
    # a stale claim requeued and taken by another worker is no longer the first one's
    later = NOW + timedelta(hours=1)
    assert repo.requeue_stale_claims(timedelta(minutes=30), now=later) == 1
    again = repo.claim_deliveries(Channel.TELEGRAM, worker="c", now=later)
    assert [c.delivery.id for c in again] == ids_b
    assert repo.mark_sent(ids_b, worker="b") == 0
    assert repo.release_claims_of(["b"]) == 0
    assert repo.claim_owners() == ["c"]
    assert repo.release_claims_of(["c"]) == 1
    assert [d.status for d in repo.deliveries()] == [DeliveryStatus.SENT, DeliveryStatus.PENDING]


def test_a_live_worker_renews_its_claims_so_a_long_wait_is_never_stale(repo: Repository) -> None:
    _chats(repo, 1)
    repo.apply_poll(Observation(motions=(motion(),)), now=NOW)
    (claimed,) = repo.claim_deliveries(Channel.TELEGRAM, worker="a", now=NOW)
    renewed = NOW + timedelta(minutes=50)
    assert repo.touch_claims([claimed.delivery.id], "a", now=renewed) == 1
    assert repo.requeue_stale_claims(timedelta(minutes=30), now=renewed + timedelta(minutes=5)) == 0
    assert (
        repo.requeue_stale_claims(timedelta(minutes=30), now=renewed + timedelta(minutes=31)) == 1
    )


def test_the_stale_claim_timeout_is_a_setting_longer_than_a_flood_wait() -> None:
    from bot.telegram.notifier import MAX_FLOOD_WAIT

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.stale_claim_seconds > MAX_FLOOD_WAIT
    assert Settings(_env_file=None, stale_claim_seconds=120).stale_claim_seconds == 120  # type: ignore[call-arg]


def _dead_pid() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(proc.stdout)


def test_ended_workers_are_this_hosts_dead_workers() -> None:
    me = worker_name(host="h1", pid=1)
    dead = worker_name(host="h1", pid=_dead_pid())
    alive_other = worker_name(host="h1", pid=1)  # pid 1 always runs
    elsewhere = worker_name(host="h2", pid=_dead_pid())
    found = ended_workers([dead, elsewhere, "w", "email-3"], me)
    assert found == [dead]
    assert ended_workers([alive_other], worker_name(host="h1", pid=2)) == []
    assert ended_workers([me], me) == [
        me
    ]  # a restarted process with the same id (pid 1 in a container)


async def test_a_restarted_worker_releases_its_dead_predecessors_claims_at_once(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository, settings: Settings
) -> None:
    chats = _chats(repo, 5)
    repo.apply_poll(Observation(motions=(motion(),)), now=NOW)
    predecessor = worker_name(pid=_dead_pid())  # killed with its claims
    assert len(repo.claim_deliveries(Channel.TELEGRAM, worker=predecessor)) == 5
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(WorkerApp(settings, repo), stop))  # type: ignore[arg-type]
    await fake.wait_for(lambda: len(fake.sent) >= 5, within=10)  # not after the stale timeout
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert sorted(m["chat"]["id"] for m in fake.sent) == chats


# ----------------------------------------------------------------- claims per chat


async def test_grouping_and_order_do_not_depend_on_the_batch_size(
    fake: FakeBotAPI, repo: Repository, settings: Settings, bot: BotApplication
) -> None:
    repo.apply_poll(data.first_poll(), notify=False)
    chats = _chats(repo, 4)
    changes = repo.apply_poll(data.second_poll())  # the letter and 3 reports of it
    assert len(changes) == 4
    app = WorkerApp(settings, repo)
    async with _notifier(settings, 1000) as notifier:
        while (await deliver_telegram_once(app, notifier, limit=1)).claimed:  # type: ignore[arg-type]
            pass
    for chat in chats:
        got = fake.messages_to(chat)
        assert len(got) == 2  # the letter, then one grouped message for its 3 reports
        grouped = [m["html"] for m in got if "3 moties" in m["html"]]
        assert len(grouped) == 1
        assert all(m in grouped[0] for m in ("21501-20-1736", "21501-20-1714", "21501-02-2234"))
        ids = [m["message_id"] for m in got]
        assert ids == sorted(ids)
    assert repo.outbox_counts()["sent"] == 16


def test_a_chat_being_sent_is_not_claimed_by_another_worker(repo: Repository) -> None:
    (_chat,) = _chats(repo, 1)
    repo.apply_poll(Observation(motions=(motion("35570-V-1"),)), now=NOW)
    first = repo.claim_deliveries(Channel.TELEGRAM, worker="a", now=NOW)
    repo.apply_poll(Observation(motions=(motion("35570-V-2"),)), now=NOW)  # arrives meanwhile
    assert repo.claim_deliveries(Channel.TELEGRAM, worker="b", now=NOW) == []
    repo.mark_sent([c.delivery.id for c in first], worker="a")
    later = repo.claim_deliveries(Channel.TELEGRAM, worker="b", now=NOW)
    assert [c.change.motion_id for c in later] == ["35570-V-2"]


def test_a_row_waiting_for_its_retry_holds_back_the_chats_later_rows(repo: Repository) -> None:
    _chats(repo, 1)
    repo.apply_poll(Observation(motions=(motion("35570-V-1"), motion("35570-V-2"))), now=NOW)
    first, second = repo.claim_deliveries(Channel.TELEGRAM, worker="a", now=NOW)
    retry = NOW + timedelta(minutes=1)
    repo.mark_failed(first.delivery.id, "timeout", retry_at=retry, now=NOW)
    repo.release([second.delivery.id])
    assert repo.claim_deliveries(Channel.TELEGRAM, worker="b", now=NOW) == []
    again = repo.claim_deliveries(Channel.TELEGRAM, worker="b", now=retry)
    assert [c.delivery.id for c in again] == [first.delivery.id, second.delivery.id]


def test_concurrent_workers_claim_whole_chats_in_order(backend_repo: Repository) -> None:
    repo = backend_repo
    chats = _chats(repo, 12)
    for batch in range(3):
        motions = tuple(motion(f"35570-V-{batch * 10 + i}") for i in range(1, 6))
        repo.apply_poll(Observation(motions=motions), now=NOW)
    owners: dict[int, set[str]] = {}
    order: dict[int, list[int]] = {}
    import threading

    def work(name: str) -> None:
        while batch := repo.claim_deliveries(Channel.TELEGRAM, limit=2, worker=name, now=NOW):
            for c in batch:
                owners.setdefault(c.subscriber.id, set()).add(name)
                order.setdefault(c.subscriber.id, []).append(c.delivery.id)
            repo.mark_sent([c.delivery.id for c in batch], worker=name)

    threads = [threading.Thread(target=work, args=(f"w{k}",)) for k in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(order) == len(chats)
    for ids in order.values():
        assert len(ids) == 15
        assert ids == sorted(ids)
    assert all(len(o) == 1 for o in owners.values())  # each chat's rows in one claim


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend_repo(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "sqlite":
        repo = Repository.from_url(f"sqlite:///{tmp_path}/b.db")
        repo.upgrade()
    else:
        server: PgServer = request.getfixturevalue("pg_server")
        name = f"kw_faults_{abs(hash(str(tmp_path))) % 10**8}"
        server.sql(f"CREATE DATABASE {name}")
        repo = Repository.from_url(server.url(name))
        repo.upgrade()
    yield repo
    repo.close()


# ----------------------------------------------------------------- the send budget


async def test_the_pacer_limits_starts_not_requests_in_flight() -> None:
    pacer = Pacer(20, margin=0.0)
    loop = asyncio.get_running_loop()
    starts: list[float] = []

    async def send() -> None:
        async with pacer:
            starts.append(loop.time())
            await asyncio.sleep(0.5)  # a slow round trip does not hold the slot

    begin = loop.time()
    await asyncio.gather(*(send() for _ in range(20)))
    assert loop.time() - begin < 0.95 + 0.5 + 0.3  # 20 starts 50 ms apart, then one round trip
    for t in starts:  # spaced 50 ms apart (a late wake-up takes a later slot, never an earlier)
        assert sum(1 for u in starts if t <= u < t + 0.5) <= 11


@pytest.mark.postgres
async def test_processes_share_one_telegram_budget_on_postgresql(
    fake: FakeBotAPI, settings: Settings, backend_repo_pg: tuple[Repository, Repository]
) -> None:
    """Two senders (two engines, as two processes) together stay under the bot's limit."""
    fake.rate_limit(30)
    first, second = backend_repo_pg
    notifiers = [
        TelegramNotifier(
            build_bot(
                settings,
                rate_limiter=FloodLimiter(
                    pacer=SharedPacer(repo.reserve_telegram_slot, repo.pause_telegram)
                ),
            )
        )
        for repo in (first, second)
    ]
    from bot.telegram.outgoing import Outgoing

    async def sink(*_: object) -> None:
        return None

    for n in notifiers:
        await n.start()
    try:
        await asyncio.gather(
            *(
                n.send_all(
                    [
                        Outgoing(str(8000 + k * 100 + i), (f"bericht {i}",), (i,), "nl")
                        for i in range(45)
                    ],
                    sink,
                )
                for k, n in enumerate(notifiers)
            )
        )
    finally:
        for n in notifiers:
            await n.close()
    assert len(fake.sent) == 90
    assert fake.count_429 == 0


@pytest.fixture
def backend_repo_pg(pg_server: PgServer, tmp_path: Path) -> Any:
    name = f"kw_budget_{abs(hash(str(tmp_path))) % 10**8}"
    pg_server.sql(f"CREATE DATABASE {name} TEMPLATE kw_template")
    repos = (Repository.from_url(pg_server.url(name)), Repository.from_url(pg_server.url(name)))
    yield repos
    for repo in repos:
        repo.close()
