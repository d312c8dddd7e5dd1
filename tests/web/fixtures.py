"""Fixtures shared by tests/web and tests/email (each conftest imports them).

A real SQLite repository filled from real facts, a real aiosmtpd server on loopback that
collects what it receives (and can refuse recipients), a Mailer pointed at it, the web app
in-process (httpx ASGITransport) and for real (uvicorn on a free loopback port).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller

from bot.email.sender import Mailer
from bot.metrics import Metrics
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.server import QuietServer, serve
from state.models import Channel, Frequency, Subscriber, SubscriptionKind
from state.repository import Repository
from tests.web.facts import first_poll, second_poll

SECRET = "test-secret-key-for-tokens"
SENDER = "kamerwacht <kamerwacht@example.org>"
FIRST_POLL_AT = datetime(2025, 3, 13, 12, 0, tzinfo=UTC)
SECOND_POLL_AT = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


def free_port() -> int:
    """A free TCP port on loopback (aiosmtpd's Controller cannot use port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class AppStub:
    """The App fields the web server and the digest run use (bot.app.App also has sources)."""

    settings: Settings
    repo: Repository
    metrics: Metrics = field(default_factory=Metrics)
    mailer: Mailer | None = None  # the composition root's one SMTP pool


class Collector:
    """aiosmtpd handler: keeps every message; refuses recipients listed in ``refuse``."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.peers: list[tuple[str, int]] = []
        self.refuse: dict[str, str] = {}  # address → SMTP reply, e.g. "550 5.1.1 no such user"
        self.refuse_once: dict[str, str] = {}
        self.refused: list[str] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        """Accept the recipient unless told to refuse it."""
        reply = self.refuse_once.pop(address, None) or self.refuse.get(address)
        if reply:
            self.refused.append(address)
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the message, parsed back with the modern email policy."""
        self.raw.append(envelope.content)
        self.peers.append(session.peer)
        self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages addressed to ``address``."""
        return [m for m in self.messages if m["To"] == address]


@dataclass
class SmtpServer:
    """A running aiosmtpd server and what it collected."""

    host: str
    port: int
    handler: Collector
    controller: Controller = field(repr=False)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd Controller in its own thread)."""
    handler = Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    server = SmtpServer("127.0.0.1", port, handler, controller)
    try:
        yield server
    finally:
        server.controller.stop()  # a test may have replaced it


def make_settings(*, public_url: str = "http://127.0.0.1:8080", smtp_port: int = 25) -> Settings:
    """Settings for tests: nothing read from the environment or a .env file."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        public_url=public_url,
        secret_key=SECRET,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_starttls=False,
        smtp_from=SENDER,
        digest_time="08:00",
        digest_weekday="mon",
        timezone="Europe/Amsterdam",
    )


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repository]:
    """A real SQLite repository with the first poll (backfill, no outbox) stored."""
    repository = Repository.from_url(f"sqlite:///{tmp_path}/t.db")
    repository.upgrade()
    repository.apply_poll(first_poll(), notify=False, now=FIRST_POLL_AT)
    try:
        yield repository
    finally:
        repository.close()


def add_email_subscriber(
    repo: Repository,
    address: str,
    *follows: tuple[SubscriptionKind, str],
    frequency: Frequency = Frequency.DAILY,
    language: str = "nl",
) -> Subscriber:
    """A confirmed, active email subscriber following ``follows`` (default: everything)."""
    sub = repo.get_or_create_subscriber(Channel.EMAIL, address, language=language, confirmed=True)
    sub = repo.update_subscriber(sub.id, frequency=frequency, active=True)
    for kind, value in follows or ((SubscriptionKind.ALL, ""),):
        repo.subscribe(sub.id, kind, value)
    return sub


def second(repo: Repository) -> None:
    """Store the second poll: the vote on 21501-02-3067 and the letter of 4 November 2021."""
    repo.apply_poll(second_poll(), now=SECOND_POLL_AT)


@pytest.fixture
async def mailer(smtp: SmtpServer) -> AsyncIterator[Mailer]:
    """A Mailer for the loopback SMTP server."""
    m = Mailer(smtp.host, smtp.port, sender=SENDER, start_tls=False, timeout=5)
    try:
        yield m
    finally:
        await m.aclose()


@pytest.fixture
def settings(smtp: SmtpServer) -> Settings:
    """Settings pointing at the loopback SMTP server."""
    return make_settings(public_url="http://kamerwacht.test", smtp_port=smtp.port)


@pytest.fixture
async def client(
    settings: Settings, repo: Repository, mailer: Mailer
) -> AsyncIterator[httpx.AsyncClient]:
    """The web app in-process."""
    app = create_app(settings, repo, mailer=mailer)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as c:
        yield c


@dataclass
class LiveServer:
    """The web app served by uvicorn on loopback."""

    url: str
    settings: Settings
    repo: Repository


@pytest.fixture
async def live(smtp: SmtpServer, repo: Repository, mailer: Mailer) -> AsyncIterator[LiveServer]:
    """The web app for real: uvicorn in the test's event loop on a free port."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    live_settings = make_settings(public_url=url, smtp_port=smtp.port)
    app = create_app(live_settings, repo, mailer=mailer)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = QuietServer(config)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(server, stop))
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield LiveServer(url, live_settings, repo)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
