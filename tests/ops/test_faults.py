"""Fault injection over loopback: after every fault the store and the deliveries equal a clean run.

The reference (``clean`` fixture) polls the demo scenario's two snapshots without any fault and
delivers after each poll. Each test here polls the *same* snapshots with faults in between or in
the middle — upstream errors, hangs, broken payloads, a source dead for hours, a locked or stopped
database, SMTP down, a Telegram 429 storm — then recovers, and proves:

* the motion board (``motions --json`` without ``updated``) and every execution report equal the
  clean run's;
* every subscriber received each change exactly once (nothing lost, nothing twice);
* while the fault lasted nothing partial was stored and no cursor moved past unstored data.

The SIGKILL tests (mid-poll, mid-delivery, of the real ``kamerwacht run`` process) are in
test_service.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr
from sqlalchemy import event

from bot.app import PollReport
from bot.delivery import deliver_telegram_once
from bot.email.sender import Mailer
from bot.email.service import send_digests
from bot.heartbeat import Heartbeat
from bot.telegram.notifier import (
    FloodLimiter,
    SendResult,
    SendStatus,
    TelegramNotifier,
    build_bot,
)
from bot.telegram.outgoing import Outgoing
from replay.server import ODATA_V5, ReplayServer
from state.errors import DatabaseUnavailable
from state.models import ChangeKind, Channel, DeliveryStatus, Frequency
from state.repository import Repository
from templates.render import change_summary
from tests.conftest import PgServer
from tests.ops.conftest import (
    ChangeKey,
    Env,
    Outcome,
    change_key,
)
from tests.telegram.fake_bot_api import TOKEN, FakeBotAPI
from tests.web.fixtures import Collector, free_port

# a kill/fault suite: slow, kept in CI (`./scripts/test` runs every marker)
pytestmark = pytest.mark.slow

BUILTIN_FAULTS = ["http500", "http429", "timeout", "truncated-json", "html-200", "huge-body"]
SOURCES = {"tweedekamer", "officielebekendmakingen", "rijksoverheid"}


def all_failed(report: PollReport) -> bool:
    """The poll learned nothing: the primary source failed, no change came out of it.

    A source may still be fine when the fault lets it say "not modified" (a 304 is a real
    answer, and its body is empty however it is cut).
    """
    failed = {o.name for o in report.outcomes if not o.ok}
    return (
        "tweedekamer" in failed
        and not report.changes
        and all(o.error for o in report.outcomes if not o.ok)
        and all((o.motions, o.letters) == (0, 0) for o in report.outcomes)
    )


# ------------------------------------------------------------------ the built-in fault scenarios


@pytest.fixture(scope="session")
def clean_default(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """One clean poll of the ``default`` scenario (what a fault scenario's step 1 serves)."""
    path = tmp_path_factory.mktemp("clean-default") / "c.db"

    async def run() -> Outcome:
        async with Env(f"sqlite:///{path}", server=ReplayServer("default")) as env:
            await env.poll()
            await env.poll()
            return env.outcome()

    return asyncio.run(run())


@pytest.mark.parametrize("scenario", BUILTIN_FAULTS)
async def test_builtin_fault_scenario_stores_nothing_then_recovers(
    tmp_path: Path, scenario: str, clean_default: Outcome
) -> None:
    """Step 0 of each fault scenario fails every source; step 1 (the real data) then lands."""
    async with Env(f"sqlite:///{tmp_path / 'f.db'}", server=ReplayServer(scenario)) as env:
        failed = await env.poll()
        assert all_failed(failed), failed
        assert not any(o.ok for o in failed.outcomes)
        assert env.repo.board() == []
        assert env.repo.outbox_counts()["pending"] == 0
        for source in SOURCES:
            assert not {k for k in env.repo.get_cursors(source) if k != "watchlist"}, source
        statuses = {s.name: s for s in env.repo.source_statuses()}
        assert all(statuses[s].consecutive_failures == 1 for s in SOURCES)
        assert all(statuses[s].last_success is None for s in SOURCES)
        errors = env.app.metrics.value("kamerwacht_source_errors_total", source="tweedekamer")
        assert errors == 1
        env.server.advance()
        recovered = await env.poll()
        assert all(o.ok for o in recovered.outcomes), recovered
        await env.poll()
        env.outcome().assert_same_as(clean_default)
        statuses = {s.name: s for s in env.repo.source_statuses()}
        assert all(statuses[s].consecutive_failures == 0 for s in SOURCES)


# ------------------------------------------------------------------ faults between two snapshots

MID_FAULTS = [*BUILTIN_FAULTS, "wrong-shape", "down"]


@contextlib.asynccontextmanager
async def fault(env: Env, kind: str, **options: Any) -> AsyncIterator[None]:
    """Switch a fault on for the block: a replay fault, or ``down`` (the upstream is gone)."""
    if kind == "down":
        port = env.server.port
        await env.server.stop()
        try:
            yield
        finally:
            env.server.port = port
            await env.server.start()
        return
    env.replay.set_fault(kind, **options)
    try:
        yield
    finally:
        env.replay.set_fault(None)


@pytest.mark.parametrize("kind", MID_FAULTS)
async def test_fault_between_and_at_the_new_snapshot_then_recovery(
    env: Env, clean: Outcome, kind: str
) -> None:
    await env.poll()
    before = env.outcome()
    cursors = {s: env.repo.get_cursors(s) for s in SOURCES}
    async with fault(env, kind):
        assert all_failed(await env.poll())
        env.server.advance()  # the letter of 4 November 2021 arrives while the fault lasts
        assert all_failed(await env.poll())
    assert env.outcome() == before  # nothing stored, nothing sent while it lasted
    assert {s: env.repo.get_cursors(s) for s in SOURCES} == cursors  # no cursor moved
    await env.poll()
    await env.poll()
    env.outcome().assert_same_as(clean)


@pytest.mark.parametrize("after", [1, 3, 6, 9])
async def test_failure_in_the_middle_of_a_poll_stores_nothing_partial(
    env: Env, clean: Outcome, after: int
) -> None:
    """The fault starts after ``after`` good answers of the poll (some sources, some pages)."""
    await env.poll()
    env.server.advance()
    async with fault(env, "http500", after=after):
        report = await env.poll()
    assert not all(o.ok for o in report.outcomes)
    for o in report.outcomes:  # a failed source contributes nothing, and keeps its cursors
        if not o.ok:
            assert (o.motions, o.letters) == (0, 0)
    await env.poll()
    await env.poll()
    env.outcome().assert_same_as(clean)


async def test_tweedekamer_dead_for_hours_alarms_once_others_carry_on(
    env: Env, clean: Outcome
) -> None:
    """The primary source is down for 7 simulated hours of 30-minute polls spanning the arrival
    of the letter: the other sources deliver it meanwhile, admins hear once that the source is
    failing and once that it works again, and the catch-up duplicates nothing."""
    heartbeat = Heartbeat(fail_after=timedelta(hours=6), stuck_after=timedelta(minutes=30))
    start = datetime.now(UTC)
    alerts: list[str] = []

    def observe(step: int) -> None:
        now = start + timedelta(minutes=30 * step)
        for alert in heartbeat.observe(
            env.repo.source_statuses(), env.repo.outbox_counts(), now=now
        ):
            alerts.append(("raised " if alert.raised else "cleared ") + alert.key)

    await env.poll()
    observe(0)
    async with fault(env, "http500", paths=(ODATA_V5,)):
        for step in range(1, 15):
            if step == 2:
                env.server.advance()
            report = await env.poll()
            failed = {o.name for o in report.outcomes if not o.ok}
            assert failed == {"tweedekamer"}, report
            observe(step)
        during = env.outcome()
    status = {s.name: s for s in env.repo.source_statuses()}["tweedekamer"]
    assert status.consecutive_failures == 14
    assert "HTTP 500" in (status.last_error or "")
    # the SyncFeed and officielebekendmakingen delivered the letter's execution reports while
    # OData was down
    reported = {k for k in during.delivered["1001"] if k[0] == ChangeKind.EXECUTION_REPORTED}
    assert len(reported) == len(
        {k for k in clean.delivered["1001"] if k[0] == ChangeKind.EXECUTION_REPORTED}
    )
    await env.poll()
    observe(15)
    await env.poll()
    observe(16)
    # the agenda and the commitments (issue 17) come from the same OData service: they alarm
    # and clear with it, once each
    odata = ("tweedekamer", "tweedekamer-agenda", "tweedekamer-toezeggingen")
    assert sorted(alerts[:3]) == [f"raised source:{name}" for name in odata]
    assert sorted(alerts[3:]) == [f"cleared source:{name}" for name in odata]
    result = env.outcome()
    result.assert_same_as(clean)
    # documented merge rule (state/diff.py): the first source to report a letter keeps its link;
    # with OData down the SyncFeed (primary first among the others) reported it
    assert result.letter_urls["21501-02-2423"] == (
        "https://www.tweedekamer.nl/kamerstukken/brieven_regering/detail?id=2021D41766"
        "&did=2021D41766"
    )


async def test_digest_rows_waiting_for_their_time_are_not_a_stuck_outbox(env: Env) -> None:
    """Email and daily rows wait for 08:00 by design; only instant rows nobody sends alarm.

    (Found by bench_soak.py: the heartbeat told admins every evening that the outbox was stuck
    whenever a change waited for the next morning's digest.)
    """
    heartbeat = Heartbeat(fail_after=timedelta(hours=6), stuck_after=timedelta(minutes=30))
    start = datetime.now(UTC)

    def observe(minutes: int) -> list[str]:
        counts = env.repo.outbox_counts() | {"due": env.repo.due_count()}  # as run_service reads
        alerts = heartbeat.observe(
            env.repo.source_statuses(), counts, now=start + timedelta(minutes=minutes)
        )
        return [("raised " if a.raised else "cleared ") + a.key for a in alerts]

    await env.poll(deliver=False)
    await env.sender.deliver((Channel.TELEGRAM,))  # the instant pushes go out; digests wait
    assert env.repo.outbox_counts()["pending"] > 0
    assert env.repo.due_count() == 0
    day = 24 * 60
    assert [a for m in [*range(0, day, 30), day] for a in observe(m)] == []  # a day of waiting
    env.server.advance()
    await env.poll(deliver=False)  # new instant pushes, and the Telegram worker is down
    assert env.repo.due_count() > 0
    assert observe(day + 5) == []
    assert observe(day + 35) == ["raised outbox"]
    await env.sender.deliver((Channel.TELEGRAM,))
    assert observe(day + 40) == ["cleared outbox"]


# ------------------------------------------------------------------ the database


def shorten_busy_timeout(repo: Repository, milliseconds: int) -> None:
    """Make SQLite give up on a lock after ``milliseconds`` (the default waits five seconds)."""

    @event.listens_for(repo._engine, "connect")
    def _busy(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA busy_timeout={milliseconds}")

    repo._engine.dispose()  # pooled connections pick the pragma up when reopened


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another process-like connection holds SQLite's write lock for the block."""
    holder = sqlite3.connect(path, isolation_level=None, timeout=5)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


async def test_sqlite_locked_poll_is_refused_whole_then_lands(
    tmp_path: Path, clean: Outcome
) -> None:
    path = tmp_path / "locked.db"
    async with Env(f"sqlite:///{path}") as env:
        shorten_busy_timeout(env.repo, 200)
        await env.poll()
        env.server.advance()
        with locked(path):
            report = await env.poll(deliver=False)
            assert not report.stored
            assert "locked" in (report.error or "")
            with pytest.raises(DatabaseUnavailable, match="locked"):
                await env.sender.deliver()  # a worker pass fails too; its loop retries later
        assert env.repo.outbox_counts()["claimed"] == 0  # the refused claim took nothing
        await env.poll()
        await env.poll()
        env.outcome().assert_same_as(clean)


async def test_sqlite_lock_shorter_than_busy_timeout_just_waits(
    tmp_path: Path, clean: Outcome
) -> None:
    path = tmp_path / "briefly.db"
    async with Env(f"sqlite:///{path}") as env:
        await env.poll()
        env.server.advance()
        holder = sqlite3.connect(path, isolation_level=None, timeout=5)
        holder.execute("BEGIN IMMEDIATE")
        loop = asyncio.get_running_loop()
        loop.call_later(0.5, holder.execute, "ROLLBACK")
        report = await env.poll()
        holder.close()
        assert report.stored
        await env.poll()
        env.outcome().assert_same_as(clean)


@pytest.mark.postgres
async def test_postgresql_stopped_and_restarted(
    pg_server: PgServer, tmp_path: Path, clean: Outcome
) -> None:
    """The database goes away mid-run (``pg_ctl stop -m immediate``) and comes back."""
    name = f"kw_ops_{abs(hash(tmp_path)) % 10**8}"
    pg_server.sql(f"CREATE DATABASE {name} TEMPLATE kw_template")
    async with Env(pg_server.url(name)) as env:
        await env.poll()
        env.server.advance()
        pg_server.stop()
        try:
            report = await env.poll(deliver=False)
            assert not report.stored
            assert "store unreachable" in (report.error or "")
            with pytest.raises(DatabaseUnavailable):
                await env.sender.deliver()
        finally:
            pg_server.start()
        await env.poll()
        await env.poll()
        env.outcome().assert_same_as(clean)


# ------------------------------------------------------------------ SMTP down


class Smtp:
    """An aiosmtpd server on a fixed loopback port that can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = Collector()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def email_keys(repo: Repository, smtp: Smtp) -> dict[str, Counter[ChangeKey]]:
    """Per address, the change keys whose summaries appear in the received digests (counted)."""
    changes = repo.changes()
    got: dict[str, Counter[ChangeKey]] = {}
    for msg in smtp.handler.messages:
        body = msg.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content()
        counts = got.setdefault(str(msg["To"]), Counter())
        for change in changes:
            n = text.count(change_summary(change))
            if n:
                counts[change_key(change)] += n
    return got


async def test_smtp_down_defers_digests_and_loses_nothing(env: Env, clean: Outcome) -> None:
    smtp = Smtp()
    smtp.start()
    mailer = Mailer("127.0.0.1", smtp.port, sender="kamerwacht <kw@example.org>", start_tls=False)
    now = datetime.now(UTC)
    try:

        async def digests(at: datetime) -> Any:
            return await send_digests(
                env.app, mailer, frequency=Frequency.DAILY, now=at, retry_delays=(0.01,)
            )

        await env.poll(deliver=False)
        await env.sender.deliver((Channel.TELEGRAM,))
        first = await digests(now)
        assert (first.digests, first.temporary_failures) == (2, 0)
        env.server.advance()
        await env.poll(deliver=False)
        await env.sender.deliver((Channel.TELEGRAM,))
        smtp.stop()
        down = await digests(now + timedelta(days=1))
        assert down.digests == 0
        assert down.temporary_failures == 2
        assert env.repo.outbox_counts()["claimed"] == 0
        failed = env.repo.deliveries(status=DeliveryStatus.FAILED)
        assert failed == []  # deferred, not given up
        smtp.start()
        early = await digests(now + timedelta(days=1, seconds=1))  # before the retry time
        assert early.deliveries == 0
        back = await digests(now + timedelta(days=2))
        assert (back.digests, back.temporary_failures) == (2, 0)
        await env.poll(deliver=False)
        await env.sender.deliver((Channel.TELEGRAM,))
        again = await digests(now + timedelta(days=3))
        assert again.digests == 0
        mailed = email_keys(env.repo, smtp)
    finally:
        await mailer.aclose()
        smtp.stop()
    result = env.outcome()
    for address in ("alles@example.org", "motie@example.org"):
        result.delivered[address] = mailed.get(address, Counter())
    result.assert_same_as(clean)


# ------------------------------------------------------------------ Telegram 429 storm


class RecordingNotifier(TelegramNotifier):
    """The real notifier; remembers every message the Bot API accepted, with its outbox rows."""

    def __init__(self, bot: Any) -> None:
        super().__init__(bot)
        self.accepted: list[tuple[str, tuple[int, ...], int]] = []  # chat, rows, parts

    async def send(self, out: Outgoing) -> SendResult:
        result = await super().send(out)
        if result.status is SendStatus.SENT:
            self.accepted.append((out.chat_id, out.delivery_ids, len(out.parts)))
        return result


async def drain_telegram(env: Env, notifier: TelegramNotifier) -> None:
    """Worker passes until nothing is due (as ``run_worker`` does)."""
    for _ in range(50):
        report = await asyncio.wait_for(deliver_telegram_once(env.app, notifier), 60)
        if not report.claimed:
            return
    raise AssertionError("the outbox did not drain")


async def test_telegram_429_storm_delays_but_loses_and_doubles_nothing(
    env: Env, clean: Outcome
) -> None:
    async with FakeBotAPI() as fake:
        env.app.settings = env.app.settings.model_copy(
            update={"telegram_token": SecretStr(TOKEN), "telegram_api_url": fake.base_url}
        )
        limiter = FloodLimiter(messages_per_second=1000, group_messages_per_minute=6000)
        notifier = RecordingNotifier(build_bot(env.app.settings, rate_limiter=limiter))
        async with notifier:
            await env.poll(deliver=False)
            await drain_telegram(env, notifier)
            env.server.advance()
            await env.poll(deliver=False)
            fake.fail_next(429, count=16, retry_after=1)  # a storm of flood-control answers
            await drain_telegram(env, notifier)
            await env.poll(deliver=False)
            await drain_telegram(env, notifier)
        await env.sender.deliver((Channel.EMAIL,))
        assert fake.rejected[429] >= 16
        received = Counter(str(m["chat"]["id"]) for m in fake.sent)
        parts = Counter[str]()
        for chat, _, n in notifier.accepted:
            parts[chat] += n
        assert received == parts  # the server got each accepted message once, no re-sends
        assert fake.duplicates() == 0
    rows = {d.id: d.change_id for d in env.repo.deliveries()}
    changes = {c.id: change_key(c) for c in env.repo.changes()}
    for chat, ids, _ in notifier.accepted:
        got = env.sender.delivered.setdefault(chat, Counter())
        for delivery_id in ids:
            got[changes[rows[delivery_id]]] += 1
    assert env.repo.outbox_counts()["pending"] == 0
    env.outcome().assert_same_as(clean)
