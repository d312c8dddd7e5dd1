"""The running side: ``kamerwacht run`` as a real process, stopped by SIGTERM or killed by SIGKILL.

* ``kamerwacht run`` (all roles; SQLite; the replay server's URLs; no token) starts, polls,
  serves ``/healthz`` and ``/metrics``, logs one JSON object per line (``source`` on a source's
  failure; never the bot token or the SMTP password), and exits 0 within seconds of SIGTERM;
* ``--role web`` serves without polling, ``--role poller`` polls without serving;
* a worker stopped with SIGTERM in the middle of a delivery run puts its claimed rows back in the
  outbox, and a restart sends each remaining message once;
* SIGKILL in the middle of a poll leaves the store as it was or as it would be after that poll;
  the restarted poller then brings it to exactly the clean run's state, each change once in the
  outbox;
* SIGKILL in the middle of delivery, then a restart: every chat gets every message, and only
  messages whose rows were in flight at the kill arrive twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import signal
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from bot.delivery import FLUSH_SECONDS
from bot.telegram.notifier import MESSAGES_PER_SECOND
from replay.server import ReplayServer
from state import schema
from state.models import Channel, DeliveryStatus, SubscriptionKind
from state.repository import Repository
from tests.ops.conftest import Env, Follower, Outcome
from tests.telegram.fake_bot_api import TOKEN, FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
SMTP_PASSWORD = "smtp-Pa55word-never-logged"
SCRIPT = Path(sys.executable).with_name("kamerwacht")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "bot.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Service:
    """``kamerwacht run …`` in a child process; its JSON log lines are collected as they come."""

    def __init__(self, env: dict[str, str], *args: str, cwd: Path) -> None:
        self.env = env
        self.args = args
        self.cwd = cwd
        self.proc: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []
        self.logs: list[dict[str, Any]] = []
        self._changed = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> Service:
        self.proc = await asyncio.create_subprocess_exec(
            *COMMAND,
            "run",
            *self.args,
            env=self.env,
            cwd=self.cwd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.proc is not None
        assert self.proc.stderr is not None
        async for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if not line:
                continue
            self.lines.append(line)
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if isinstance(entry, dict):
                    self.logs.append(entry)
            async with self._changed:
                self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()

    async def wait_log(
        self, predicate: Callable[[dict[str, Any]], bool], within: float = 20
    ) -> None:
        """Wait until a log entry satisfies ``predicate`` (fails if the process ends first)."""

        def seen() -> bool:
            done = self.proc is not None and self.proc.returncode is not None
            return any(predicate(e) for e in self.logs) or (done and self._reader_done())

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(seen), within)
        assert any(predicate(e) for e in self.logs), "\n".join(self.lines[-20:])

    def _reader_done(self) -> bool:
        return self._reader is not None and self._reader.done()

    def count(self, message: str) -> int:
        return sum(1 for e in self.logs if message in str(e.get("msg", "")))

    async def terminate(self, within: float = 8) -> tuple[int, float]:
        """SIGTERM; returns (exit code, seconds it took)."""
        assert self.proc is not None
        loop = asyncio.get_running_loop()
        started = loop.time()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.proc.wait(), within)
        finally:
            if self.proc.returncode is None:
                self.proc.kill()
                await self.proc.wait()
        await self._finish()
        return code, loop.time() - started

    async def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a pulled plug would."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        await self._finish()

    async def _finish(self) -> None:
        if self._reader is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._reader, 5)

    async def close(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        await self._finish()


def service_env(database_url: str, urls: dict[str, str], **extra: str) -> dict[str, str]:
    """The child's environment: only what is given, JSON logs, no .env (cwd is a temp dir)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMERWACHT_")}
    env["PYTHONPATH"] = str(ROOT)
    env["PTB_TIMEDELTA"] = "1"
    env |= {
        "KAMERWACHT_DATABASE_URL": database_url,
        "KAMERWACHT_LOG_FORMAT": "json",
        "KAMERWACHT_POLL_INTERVAL": "10",
        "KAMERWACHT_HTTP_MIN_INTERVAL": "0",
        "KAMERWACHT_HTTP_RETRIES": "0",
        "KAMERWACHT_HTTP_TIMEOUT": "3",
        "KAMERWACHT_SECRET_KEY": "service-test-secret-key",
        "KAMERWACHT_WEB_HOST": "127.0.0.1",
        "KAMERWACHT_WEB_PORT": str(free_port()),
    }
    env |= {f"KAMERWACHT_{k.upper()}": v for k, v in urls.items()}
    env |= {f"KAMERWACHT_{k.upper()}": v for k, v in extra.items()}
    return env


@contextlib.asynccontextmanager
async def running(env: dict[str, str], *args: str, cwd: Path) -> AsyncIterator[Service]:
    service = await Service(env, *args, cwd=cwd).start()
    try:
        yield service
    finally:
        await service.close()


def migrated(path: Path) -> str:
    url = f"sqlite:///{path}"
    repo = Repository.from_url(url)
    repo.upgrade()
    repo.close()
    return url


async def get(url: str, within: float = 15) -> httpx.Response:
    """GET ``url``, retrying while the server is still starting."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    async with httpx.AsyncClient(timeout=5) as client:
        while True:
            try:
                return await client.get(url)
            except httpx.TransportError:
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(0.05)


def is_poll_stored(entry: dict[str, Any]) -> bool:
    return entry.get("logger") == "bot.poll" and str(entry.get("msg", "")).startswith("poll stored")


# ------------------------------------------------------------------ run, healthz, metrics, logs


async def test_run_polls_serves_logs_and_stops_on_sigterm(tmp_path: Path) -> None:
    dead = free_port()  # nothing listens here: the rijksoverheid source fails every poll
    async with ReplayServer("demo") as replay:
        urls = replay.urls | {"rijksoverheid_feed_url": f"http://127.0.0.1:{dead}/api/rss"}
        env = service_env(
            migrated(tmp_path / "run.db"),
            urls,
            smtp_host="127.0.0.1",
            smtp_port=str(free_port()),  # closed: email is configured but down
            smtp_user="kamerwacht",
            smtp_password=SMTP_PASSWORD,
            smtp_starttls="false",
            log_level="DEBUG",
        )
        base = f"http://127.0.0.1:{env['KAMERWACHT_WEB_PORT']}"
        async with running(env, cwd=tmp_path) as service:
            await service.wait_log(is_poll_stored)
            health = await get(f"{base}/healthz")
            assert health.status_code == 200
            sources = {s["source"]: s for s in health.json()["sources"]}
            assert sources["tweedekamer"]["last_success"]
            assert sources["rijksoverheid"]["consecutive_failures"] >= 1
            metrics = (await get(f"{base}/metrics")).text
            assert re.search(
                r'kamerwacht_polls_total\{outcome="ok",source="tweedekamer"\} \d', metrics
            )
            assert re.search(
                r'kamerwacht_source_errors_total\{source="rijksoverheid"\} \d', metrics
            )
            assert "kamerwacht_outbox_depth" in metrics
            board = await get(f"{base}/api/motions")
            assert len(board.json()) >= 30
            # a confirmation mail through the (down) SMTP server: the password is in play
            form = {"email": "nieuw@example.org", "follow": "all", "frequency": "daily"}
            async with httpx.AsyncClient(timeout=10) as client:
                answer = await client.post(f"{base}/abonneren", data=form)
            assert answer.status_code == 503
            await service.wait_log(lambda e: "confirmation mail not sent" in str(e.get("msg")))
            code, seconds = await service.terminate()
    assert code == 0, "\n".join(service.lines[-20:])
    assert seconds < 5
    assert service.count("shutting down") == 1
    failures = [e for e in service.logs if "source rijksoverheid failed" in str(e.get("msg"))]
    assert failures
    assert all(e.get("source") == "rijksoverheid" for e in failures)
    assert all(e["level"] == "warning" for e in failures)
    not_json = [line for line in service.lines if not line.startswith("{")]
    assert not not_json, not_json[:5]  # one JSON object per line, nothing else
    output = "\n".join(service.lines)
    assert SMTP_PASSWORD not in output
    assert "service-test-secret-key" not in output
    assert "Traceback" not in output


async def test_run_with_the_bot_on_stops_quickly_and_never_logs_the_token(tmp_path: Path) -> None:
    """All roles with a token: the bot long-polls the fake Bot API; SIGTERM still ends it fast."""
    async with ReplayServer("demo") as replay, FakeBotAPI() as fake:
        env = service_env(
            migrated(tmp_path / "bot.db"),
            replay.urls,
            telegram_token=TOKEN,
            telegram_api_url=fake.base_url,
            log_level="DEBUG",
        )
        async with running(env, cwd=tmp_path) as service:
            await service.wait_log(is_poll_stored)
            await fake.wait_calls("getUpdates", 1, within=10)
            fake.push_text(7001, "/status 21501-02-2234")
            await fake.wait_sent(1, chat_id=7001, within=10)
            code, seconds = await service.terminate()
    assert code == 0, "\n".join(service.lines[-20:])
    assert seconds < 5
    output = "\n".join(service.lines)
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output
    assert "Telegram bot stopped" in output


@pytest.mark.parametrize("role", ["web", "poller"])
async def test_a_role_runs_alone(tmp_path: Path, role: str) -> None:
    async with ReplayServer("demo") as replay:
        env = service_env(migrated(tmp_path / f"{role}.db"), replay.urls)
        base = f"http://127.0.0.1:{env['KAMERWACHT_WEB_PORT']}"
        async with running(env, "--role", role, cwd=tmp_path) as service:
            if role == "web":
                health = await get(f"{base}/healthz")
                assert health.status_code == 200
                assert health.json()["sources"] == []
                await service.wait_log(lambda e: "kamerwacht running" in str(e.get("msg")))
                await asyncio.sleep(2.0)  # a poller polls one second after the start
                assert replay.request_count == 0
            else:
                await service.wait_log(is_poll_stored)
                assert replay.request_count > 0
                with pytest.raises(httpx.ConnectError):
                    await get(f"{base}/healthz", within=0)
            code, seconds = await service.terminate()
    assert code == 0, "\n".join(service.lines[-20:])
    assert seconds < 5
    running_line = next(e for e in service.logs if "kamerwacht running" in str(e.get("msg")))
    assert f"roles={role}" in running_line["msg"]


# ------------------------------------------------------------------ delivery: SIGTERM and SIGKILL

FOLLOWED = [
    "21501-20-1736",
    "21501-20-1714",
    "21501-02-2370",
    "21501-02-2342",
    "21501-02-2281",
    "21501-20-1630",
    "35570-V-31",
    "35570-V-42",
    "21501-02-2234",
    "35570-V-33",
    "35570-V-35",
    "35570-V-32",
]


def chat_followers(chats: int) -> tuple[Follower, ...]:
    """Chats that each follow one motion of the letter of 4 November 2021 (one row, one
    message: a kill cannot regroup what a chat receives)."""
    return tuple(
        Follower(
            Channel.TELEGRAM,
            str(20_000 + i),
            ((SubscriptionKind.MOTION, FOLLOWED[i % len(FOLLOWED)]),),
        )
        for i in range(chats)
    )


async def outbox_ready(path: Path, chats: int) -> tuple[str, int]:
    """A store with both demo snapshots polled and one pending push per chat and change."""
    url = f"sqlite:///{path}"
    async with Env(url, followers=chat_followers(chats)) as env:
        await env.poll(deliver=False)
        env.server.advance()
        await env.poll(deliver=False)
        rows = env.repo.outbox_counts()["pending"]
    return url, rows


def worker_env(url: str, fake: FakeBotAPI) -> dict[str, str]:
    return service_env(
        url, {}, telegram_token=TOKEN, telegram_api_url=fake.base_url, log_level="DEBUG"
    )


def per_chat(fake: FakeBotAPI) -> dict[int, Counter[str]]:
    got: dict[int, Counter[str]] = {}
    for message in fake.sent:
        got.setdefault(int(message["chat"]["id"]), Counter())[message["html"]] += 1
    return got


def rows_per_chat(repo: Repository) -> dict[int, int]:
    """How many outbox rows (one message each) every chat has."""
    chats: dict[int, int] = {}
    for delivery in repo.deliveries():
        subscriber = repo.get_subscriber_by_id(delivery.subscriber_id)
        assert subscriber is not None
        chats[int(subscriber.address)] = chats.get(int(subscriber.address), 0) + 1
    return chats


def pretend_stale(url: str) -> None:
    """Age every claim past STALE_CLAIM: what a dead worker's claims are 15 minutes later."""
    repo = Repository.from_url(url)
    with repo._engine.begin() as conn:
        conn.execute(
            update(schema.deliveries)
            .where(schema.deliveries.c.status == DeliveryStatus.CLAIMED.value)
            .values(claimed_at=datetime.now(UTC) - timedelta(minutes=20))
        )
    repo.close()


def reached(replay: ReplayServer, target: int) -> bool:
    """Whether the replay server has received ``target`` requests."""
    return replay.request_count >= target


async def until(predicate: Callable[[], bool], within: float) -> None:
    """Wait until ``predicate()`` holds, checking every 10 ms (fails after ``within`` s)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():  # the state lives in another process
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def drain_with_worker(service: Service, repo: Repository, within: float = 40) -> None:
    """Wait until the worker has sent every due row."""

    def drained() -> bool:
        counts = repo.outbox_counts()
        return counts["pending"] == 0 and counts["claimed"] == 0

    await until(drained, within)


async def test_sigterm_mid_delivery_releases_claims_then_restart_sends_the_rest(
    tmp_path: Path,
) -> None:
    url, total = await outbox_ready(tmp_path / "term.db", chats=60)
    repo = Repository.from_url(url)
    async with FakeBotAPI() as fake:
        env = worker_env(url, fake)
        async with running(env, "--role", "worker", cwd=tmp_path) as service:
            await fake.wait_for(lambda: len(fake.sent) >= 20, within=20)
            assert repo.outbox_counts()["claimed"] > 0  # a pass is under way
            code, seconds = await service.terminate()
        assert code == 0, "\n".join(service.lines[-20:])
        assert seconds < 8  # the stop grace (5 s) bounds a flood wait
        counts = repo.outbox_counts()
        assert counts["claimed"] == 0  # every claimed row went back (or was recorded)
        assert counts["sent"] == len(fake.sent)  # recorded exactly what Telegram accepted
        assert 0 < counts["sent"] < total
        async with running(env, "--role", "worker", cwd=tmp_path) as again:
            await drain_with_worker(again, repo)
            code, _ = await again.terminate()
        assert code == 0
    repo.close()
    assert len(fake.sent) == total
    assert fake.duplicates() == 0
    logged = "\n".join(service.lines + again.lines)
    assert TOKEN not in logged  # the bot token never reaches a log line, even at DEBUG
    assert TOKEN.split(":")[1] not in logged


async def test_sigkill_mid_delivery_resends_at_most_the_messages_in_flight(
    tmp_path: Path,
) -> None:
    url, total = await outbox_ready(tmp_path / "kill.db", chats=60)
    repo = Repository.from_url(url)
    expected = rows_per_chat(repo)
    async with FakeBotAPI() as fake:
        env = worker_env(url, fake)
        at = random.randint(20, 90)  # messages accepted before the kill
        async with running(env, "--role", "worker", cwd=tmp_path) as service:
            await fake.wait_for(lambda: len(fake.sent) >= at, within=20)
            await service.kill()
        in_flight = repo.outbox_counts()["claimed"]
        assert in_flight > 0
        assert repo.outbox_counts()["sent"] < total
        pretend_stale(url)
        async with running(env, "--role", "worker", cwd=tmp_path) as again:
            await drain_with_worker(again, repo)
            code, _ = await again.terminate()
        assert code == 0
    assert repo.outbox_counts()["sent"] == total
    repo.close()
    received = per_chat(fake)
    assert {chat: len(texts) for chat, texts in received.items()} == expected  # all, distinct
    duplicates = sum(n - 1 for texts in received.values() for n in texts.values())
    print(
        f"SIGKILL mid-delivery after {at} messages: {total} rows, {in_flight} in flight, "
        f"{duplicates} re-sent"
    )
    assert duplicates <= in_flight, (duplicates, in_flight)
    # sent rows are recorded every FLUSH_SECONDS: at most that long of sending is repeated
    assert duplicates <= MESSAGES_PER_SECOND * (FLUSH_SECONDS + 1), duplicates


# ------------------------------------------------------------------ SIGKILL mid-poll


def state_of(url: str) -> tuple[Any, ...]:
    repo = Repository.from_url(url)
    try:
        board = [(e.motion, e.execution) for e in repo.board()]
        changes = [(c.kind, c.motion_id, c.letter_id) for c in repo.changes()]
        cursors = {s: repo.get_cursors(s) for s in ("tweedekamer", "officielebekendmakingen")}
        return board, changes, repo.outbox_counts()["pending"], cursors
    finally:
        repo.close()


@pytest.mark.slow
async def test_sigkill_mid_poll_then_restart_equals_a_clean_run(
    tmp_path: Path, clean: Outcome
) -> None:
    url = f"sqlite:///{tmp_path / 'poll.db'}"
    replay = ReplayServer("demo")
    async with Env(url, server=replay) as env:
        await env.poll()  # step 0, delivered
        before = state_of(url)
        env.server.advance()  # step 1 is what the service polls
        replay.delay = 0.15  # every answer takes a while: the kill lands inside the poll
        environment = service_env(url, replay.urls)
        rng = random.Random()
        kills = []
        for _ in range(2):
            start = replay.request_count
            async with running(environment, "--role", "poller", cwd=tmp_path) as service:
                target = start + rng.randint(1, 9)
                await until(partial(reached, replay, target), within=20)
                await service.kill()
            kills.append(replay.request_count - start)
            assert state_of(url) == before, kills  # nothing of the interrupted poll stored
        replay.delay = 0.0
        async with running(environment, "--role", "poller", cwd=tmp_path) as service:
            await service.wait_log(is_poll_stored)
            code, _ = await service.terminate()
        assert code == 0
        await env.poll()  # the next poll finds nothing new
        result = env.outcome()
    print(f"SIGKILL mid-poll: killed after {kills} requests of the poll")
    result.assert_same_as(clean)
