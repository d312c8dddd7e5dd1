"""The operations harness: a faultable replay server, a polled App, subscribers, a fake sender.

An :class:`Env` is one kamerwacht deployment in miniature: a SQLite (or PostgreSQL) store with a
fixed set of subscribers, the real :class:`~bot.app.App` polling a :class:`FaultyReplay` server on
loopback with a fast client, and a :class:`FakeSender` that drains the outbox the way a delivery
worker does (claim → "send" → mark sent) and remembers what every subscriber received.

:func:`outcome` reduces a run to what the fault tests compare with a clean run: the motion board
(``motions --json`` without ``updated``), every execution report, and per subscriber the
delivered change keys ``(kind, motion, letter)`` with how often each arrived.

Every test here is bounded: an autouse alarm fails a test that runs longer than
:data:`TEST_TIMEOUT` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

# PTB 22 warns unless RetryAfter.retry_after is opted into timedelta (PLATFORM_NOTES §1.4).
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bot.app import App, build_app, poll_once
from bot.present import motion_json
from bot.settings import Settings
from replay.server import ReplayServer, Response
from scrapers.http import HttpClient, user_agent
from state.models import (
    Change,
    Channel,
    Frequency,
    SubscriptionKind,
)
from state.repository import Repository
from state.routing import Route, RouteClass

__all__ = [
    "FOLLOWERS",
    "TEST_TIMEOUT",
    "ChangeKey",
    "Env",
    "FakeSender",
    "FaultyReplay",
    "Follower",
    "Outcome",
    "add_followers",
    "change_key",
    "fast_client",
    "make_settings",
    "outcome",
]

logger = logging.getLogger(__name__)

TEST_TIMEOUT = 60  # seconds any one test in tests/ops may take
ChangeKey = tuple[str, str | None, str | None]  # (kind, motion id, letter id)


@pytest.fixture(autouse=True)
def _bounded(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that runs longer than TEST_TIMEOUT seconds (SIGALRM in the main thread)."""
    limit = TEST_TIMEOUT
    marker = request.node.get_closest_marker("ops_timeout")
    if marker is not None and marker.args:
        limit = int(marker.args[0])

    def expired(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"{request.node.nodeid} took longer than {limit} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(limit)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# ------------------------------------------------------------------------------------ upstream


class FaultyReplay(ReplayServer):
    """The replay server with a fault that can be switched on and off between polls.

    ``fault`` is one of the replay server's faults (``http500``, ``http429``, ``timeout``,
    ``truncated-json``, ``html-200``, ``huge-body``) or ``wrong-shape`` (valid JSON of the
    wrong structure, for every path). ``fault_paths`` limits it to requests whose path starts
    with one of the prefixes (one source); ``fault_after`` lets that many matching requests
    through first (a failure in the middle of a poll).
    """

    def __init__(self, scenario: str = "demo", **kwargs: Any) -> None:
        super().__init__(scenario, **kwargs)
        self.fault: str | None = None
        self.fault_paths: tuple[str, ...] = ()
        self.fault_after = 0
        self.faulted = 0  # requests answered with the fault
        self._passed = 0

    def set_fault(self, fault: str | None, *, paths: tuple[str, ...] = (), after: int = 0) -> None:
        """Switch the fault on (or off with None)."""
        self.fault, self.fault_paths, self.fault_after, self._passed = fault, paths, after, 0

    async def _respond(self, method: str, target: str, headers: dict[str, str]) -> Response:
        path = unquote(urlsplit(target).path)
        applies = (
            self.fault is not None
            and not path.startswith("/_replay/")
            and (not self.fault_paths or path.startswith(self.fault_paths))
        )
        if applies and self._passed >= self.fault_after:
            self.faulted += 1
            if self.fault == "wrong-shape":  # valid JSON, not what any source expects
                return Response(body=b'{"value": {"Id": "not a list"}}')
            assert self.fault is not None
            return await self._fault(self.fault, path, "", headers)
        if applies:
            self._passed += 1
        return await super()._respond(method, target, headers)


def fast_client() -> HttpClient:
    """The shared client as configured for tests: no pacing, one quick retry, short timeouts."""
    return HttpClient(
        user_agent=user_agent("https://example.org/kamerwacht-ops-tests"),
        timeout=0.3,
        retries=1,
        backoff=0.01,
        max_backoff=0.05,
        max_retry_after=0.05,
        min_interval=0.0,
        max_bytes=5_000_000,
    )


def make_settings(database_url: str, urls: dict[str, str], **extra: Any) -> Settings:
    """Settings for one Env: nothing read from the environment or a .env file."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        http_min_interval=0.0,
        public_url="http://kamerwacht.test",
    )
    return settings.model_copy(update={**urls, **extra})


# ------------------------------------------------------------------------------------ subscribers


@dataclass(frozen=True)
class Follower:
    """A subscriber of the harness: channel, address, what it follows, how often."""

    channel: Channel
    address: str
    follows: tuple[tuple[SubscriptionKind, str], ...]
    frequency: Frequency = Frequency.INSTANT


FOLLOWERS = (
    Follower(Channel.TELEGRAM, "1001", ((SubscriptionKind.ALL, ""),)),
    Follower(Channel.TELEGRAM, "1002", ((SubscriptionKind.MOTION, "21501-02-2234"),)),
    Follower(Channel.TELEGRAM, "1003", ((SubscriptionKind.DOSSIER, "35570-V"),)),
    Follower(Channel.TELEGRAM, "1004", ((SubscriptionKind.KEYWORD, "nagorno"),)),
    Follower(  # overlapping subscriptions: still one delivery per change
        Channel.TELEGRAM,
        "1005",
        ((SubscriptionKind.ALL, ""), (SubscriptionKind.DOSSIER, "21501-02")),
    ),
    Follower(Channel.EMAIL, "alles@example.org", ((SubscriptionKind.ALL, ""),), Frequency.DAILY),
    Follower(
        Channel.EMAIL,
        "motie@example.org",
        ((SubscriptionKind.MOTION, "35570-V-31"), (SubscriptionKind.DOSSIER, "35373")),
        Frequency.DAILY,
    ),
)


def add_followers(repo: Repository, followers: tuple[Follower, ...] = FOLLOWERS) -> None:
    """Create the subscribers (confirmed, active) and their subscriptions.

    Each takes every kind of change at its own frequency (issue 17's defaults send new
    documents weekly and overdue motions daily at most; the runs here send the instant messages
    and the daily digests and compare what arrived).
    """
    for f in followers:
        sub = repo.get_or_create_subscriber(f.channel, f.address, confirmed=True)
        repo.update_subscriber(sub.id, frequency=f.frequency, active=True)
        repo.set_routes(sub.id, dict.fromkeys(RouteClass, Route(f.frequency.value)))
        for kind, value in f.follows:
            repo.subscribe(sub.id, kind, value)


def change_key(change: Change) -> ChangeKey:
    """What identifies a change across two runs: its kind, motion and letter."""
    return (change.kind.value, change.motion_id, change.letter_id)


class FakeSender:
    """Drains the outbox like a delivery worker; remembers what each address received."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.delivered: dict[str, Counter[ChangeKey]] = {}

    async def deliver(self, channels: tuple[Channel, ...] = tuple(Channel)) -> int:
        """Send everything due on ``channels``; returns the number of outbox rows sent."""
        sent = 0
        for channel in channels:
            while True:
                items = await asyncio.to_thread(
                    self.repo.claim_deliveries, channel, limit=500, worker="ops"
                )
                if not items:
                    break
                for item in items:
                    got = self.delivered.setdefault(item.subscriber.address, Counter())
                    got[change_key(item.change)] += 1
                await asyncio.to_thread(self.repo.mark_sent, [i.delivery.id for i in items])
                sent += len(items)
        return sent


# ------------------------------------------------------------------------------------ outcomes


@dataclass(frozen=True)
class Outcome:
    """What a run leaves behind that a fault must not change."""

    board: list[dict[str, Any]]
    reports: list[tuple[Any, ...]]
    delivered: dict[str, Counter[ChangeKey]]
    letter_urls: dict[str, str | None] = field(default_factory=dict)

    def assert_same_as(self, clean: Outcome, *, in_flight: int = 0) -> None:
        """Same board and reports; every subscriber got each change exactly once.

        ``in_flight`` deliveries (those that were being sent when the process died) may have
        arrived twice; nothing may be missing.
        """
        assert self.board == clean.board
        assert self.reports == clean.reports
        assert set(self.delivered) == set(clean.delivered)
        duplicates = 0
        for address, expected in clean.delivered.items():
            got = self.delivered[address]
            assert set(got) == set(expected), address
            assert all(n == 1 for n in expected.values()), address  # the clean run itself
            duplicates += sum(n - 1 for n in got.values())
        assert duplicates <= in_flight, f"{duplicates} duplicate deliveries > {in_flight}"


def outcome(repo: Repository, delivered: dict[str, Counter[ChangeKey]]) -> Outcome:
    """The Outcome of the store behind ``repo`` and what a sender delivered."""
    entries = repo.board()
    board = [{k: v for k, v in motion_json(e).items() if k != "updated"} for e in entries]
    reports = [
        (r.motion_id, r.letter_id, r.status, r.evidence, r.date, r.letter_title)
        for e in entries
        for r in repo.execution_reports(e.motion.id)
    ]
    letter_urls = {letter.id: letter.url for letter in repo.letters()}
    return Outcome(board, reports, {a: Counter(c) for a, c in delivered.items()}, letter_urls)


# ------------------------------------------------------------------------------------ the Env


class Env:
    """One miniature deployment: store, subscribers, App on a FaultyReplay, a FakeSender."""

    def __init__(
        self,
        database_url: str,
        *,
        scenario: str = "demo",
        followers: tuple[Follower, ...] = FOLLOWERS,
        server: ReplayServer | None = None,
    ) -> None:
        self.database_url = database_url
        self.server: ReplayServer = server or FaultyReplay(scenario)
        self.followers = followers
        self.repo: Repository
        self.app: App
        self.sender: FakeSender

    @property
    def replay(self) -> FaultyReplay:
        """The server as a FaultyReplay (the default)."""
        assert isinstance(self.server, FaultyReplay)
        return self.server

    async def __aenter__(self) -> Env:
        await self.server.start()
        self.repo = Repository.from_url(self.database_url)
        await asyncio.to_thread(self.repo.upgrade)
        await asyncio.to_thread(add_followers, self.repo, self.followers)
        settings = make_settings(self.database_url, self.server.urls)
        self.app = build_app(settings, repo=self.repo)
        await self.app.client.aclose()
        self.app.client = fast_client()
        self.sender = FakeSender(self.repo)
        return self

    async def __aexit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            await self.app.aclose()
        await self.server.stop()

    async def poll(self, *, deliver: bool = True) -> Any:
        """One poll cycle, then (by default) drain the outbox."""
        report = await asyncio.wait_for(poll_once(self.app), 30)
        if deliver:
            await self.sender.deliver()
        return report

    def outcome(self) -> Outcome:
        """The run's Outcome so far."""
        return outcome(self.repo, self.sender.delivered)


async def clean_run(database_url: str) -> Outcome:
    """The reference: the demo scenario's two snapshots polled without any fault.

    poll (step 0) → deliver → advance → poll (step 1: the letter of 4 November 2021) → deliver
    → poll again (nothing new) → deliver.
    """
    async with Env(database_url) as env:
        await env.poll()
        env.server.advance()
        await env.poll()
        await env.poll()
        return env.outcome()


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """The clean run's Outcome (computed once per session)."""
    path = tmp_path_factory.mktemp("clean") / "clean.db"
    result = asyncio.run(clean_run(f"sqlite:///{path}"))
    assert sum(sum(c.values()) for c in result.delivered.values()) > 50  # a meaningful run
    return result


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    """A fresh Env on SQLite on the demo scenario."""
    async with Env(f"sqlite:///{tmp_path / 'ops.db'}") as e:
        yield e
