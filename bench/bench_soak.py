"""Benchmark: a 24-hour soak, time-scaled — memory flat, no leaked file descriptors or tasks.

kamerwacht's App (the real sources, shared HTTP client, SQLite repository, metrics) polls the
replay server every simulated 30 minutes for 24 simulated hours (48 cycles) with 10,000
subscribers (7,000 Telegram chats, 3,000 confirmed email addresses; following everything, one
motion, a dossier or a keyword; instant, daily or weekly). Every cycle also:

* delivers the outbox with the real worker pass (``bot.delivery.deliver_telegram_once``:
  claim → plan and render → send → record) through a notifier that accepts every message at
  once (the Bot API's HTTP is benchmarked in bench_telegram.py);
* sends the daily Telegram and email digests at the simulated 08:00 (``send_digests`` with an
  in-memory SMTP stand-in);
* serves the board, a motion page, the Atom feed, /healthz and /metrics from the web app
  in-process, and feeds the heartbeat the store's health with the simulated clock.

The upstream changes during the day: the demo scenario's second snapshot (the letter of
4 November 2021: about 100,000 deliveries) arrives at 02:00, the upstream answers HTTP 500 for
the polls at 05:00, 10:00, 15:00 and 20:00, hangs (client timeouts) at 07:30 and 17:30, and
re-stamps every record (a bulk rewrite, nothing really changed) at 12:00. The replay servers run
in their own processes (``kamerwacht replay``), so every socket and task measured here is the
service's own.

Measured at the start (after setup), after warm-up (9 simulated hours: past the first of every
kind of work — the big fan-out at 02:00 and the digest run at 08:00 each raise the high-water
mark of SQLite's page cache and Python's allocator once) and at the end: RSS
(``/proc/self/status`` VmRSS, after ``gc.collect()``), open file descriptors (``/proc/self/fd``)
and asyncio tasks; RSS is also printed every two simulated hours. Goals: RSS growth from warm-up
to the end under 10%; no more file descriptors or tasks at the end than after warm-up; no
heartbeat alarm (no fault lasts long enough to be one). ``--cycles 96`` soaks two days (the second
day's digest run included).

    .venv/bin/python bench/bench_soak.py                 # 10,000 subscribers, 48 cycles (~2 min)
    .venv/bin/python bench/bench_soak.py --subscribers 1000 --cycles 16   # quick look
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

import httpx  # noqa: E402

from bot.app import App, build_app, build_sources, poll_once  # noqa: E402
from bot.delivery import deliver_telegram_once  # noqa: E402
from bot.email.service import send_digests  # noqa: E402
from bot.heartbeat import Heartbeat  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.telegram.notifier import SendResult, SendStatus  # noqa: E402
from bot.telegram.outgoing import Outgoing  # noqa: E402
from bot.web.app import create_app  # noqa: E402
from scrapers.http import HttpClient, user_agent  # noqa: E402
from state.models import Channel, Frequency, SubscriptionKind  # noqa: E402
from state.repository import Repository  # noqa: E402

SUBSCRIBERS = 10_000
CYCLES = 48  # 24 hours of 30-minute polls
DAY = 48  # cycles in a simulated day
WARM_UP = 18  # cycles (9 simulated hours): past the first fan-out and the first digest run
STEP = timedelta(minutes=30)
GOAL_RSS_GROWTH = 0.10
ARRIVAL = 4  # 02:00: the letter of 4 November 2021 arrives
DIGEST_CYCLE = 16  # 08:00
FAULTS = {10: "http500", 15: "timeout", 20: "http500", 24: "bulk-rewrite", 30: "http500"}
FAULTS |= {35: "timeout", 40: "http500"}
MOTIONS = [
    "21501-02-2234",
    "21501-02-2228",
    "35570-V-31",
    "35570-V-42",
    "21501-20-1736",
    "21501-02-2370",
    "35373-23",
    "21501-02-3067",
]
DOSSIERS = ["21501-02", "35570-V", "21501-20", "35373"]
KEYWORDS = ["nagorno", "armeni", "azerbeidzjan", "gevangenen"]
START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday, 00:00 UTC


# ---------------------------------------------------------------------------------- upstreams


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Upstream:
    """``kamerwacht replay --scenario NAME`` in its own process."""

    scenario: str
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def urls(self) -> dict[str, str]:
        return {
            "tweedekamer_url": self.base + "/OData/v5",
            "tweedekamer_syncfeed_url": self.base + "/SyncFeed/2.0",
            "officielebekendmakingen_url": self.base + "/repository",
            "officielebekendmakingen_rss_url": self.base + "/zoek/rss",
            "rijksoverheid_feed_url": self.base
            + "/rijksoverheid/v1/sources/rijksoverheid/documents",
        }

    def start(self) -> None:
        command = [sys.executable, "-m", "bot.cli", "replay", "--scenario", self.scenario]
        self.proc = subprocess.Popen(
            [*command, "--port", str(self.port)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(300):
            with contextlib.suppress(httpx.TransportError):
                httpx.get(self.base + "/_replay/status", timeout=1)
                return
            time.sleep(0.05)
        raise RuntimeError(f"replay server {self.scenario} did not start")

    def advance(self) -> None:
        httpx.get(self.base + "/_replay/advance", timeout=5)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)


@contextlib.contextmanager
def upstreams(*names: str) -> Iterator[dict[str, Upstream]]:
    servers = {name: Upstream(name) for name in names}
    try:
        for server in servers.values():
            server.start()
        yield servers
    finally:
        for server in servers.values():
            server.stop()


# ---------------------------------------------------------------------------------- stand-ins


class AcceptingNotifier:
    """The notifier's interface; every message is accepted at once (no HTTP)."""

    def __init__(self) -> None:
        self.messages = 0

    async def send_all(
        self,
        messages: Sequence[Outgoing],
        on_result: Callable[[Outgoing, SendResult], Awaitable[None]],
        *,
        stop: asyncio.Event | None = None,
    ) -> None:
        for out in messages:
            self.messages += 1
            await on_result(out, SendResult(SendStatus.SENT, parts_sent=len(out.parts)))


class MemoryMailer:
    """The Mailer's interface; keeps only a count."""

    from_address = "kamerwacht@example.org"

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, msg: EmailMessage) -> None:
        self.sent += 1

    async def send_bytes(self, sender: str, recipients: Sequence[str], data: bytes) -> None:
        self.sent += 1

    async def aclose(self) -> None:
        return None


# ---------------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Sample:
    rss_mb: float
    fds: int
    tasks: int


def sample() -> Sample:
    gc.collect()
    rss_kb = 0
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
    return Sample(rss_kb / 1024, len(os.listdir("/proc/self/fd")), len(asyncio.all_tasks()))


def add_subscribers(repo: Repository, n: int, rng: random.Random) -> None:
    """``n`` subscribers: 70% Telegram chats, 30% confirmed email addresses."""
    for i in range(n):
        email = i % 10 >= 7
        channel = Channel.EMAIL if email else Channel.TELEGRAM
        address = f"lezer{i}@example.org" if email else str(100_000 + i)
        sub = repo.get_or_create_subscriber(channel, address, confirmed=True)
        frequency = (
            rng.choice([Frequency.DAILY, Frequency.WEEKLY])
            if email
            else rng.choice([Frequency.INSTANT] * 8 + [Frequency.DAILY, Frequency.WEEKLY])
        )
        if frequency is not Frequency.INSTANT:
            repo.update_subscriber(sub.id, frequency=frequency)
        kind = rng.choices(
            [
                SubscriptionKind.ALL,
                SubscriptionKind.MOTION,
                SubscriptionKind.DOSSIER,
                SubscriptionKind.KEYWORD,
            ],
            weights=[20, 40, 30, 10],
        )[0]
        value = {
            SubscriptionKind.ALL: "",
            SubscriptionKind.MOTION: rng.choice(MOTIONS),
            SubscriptionKind.DOSSIER: rng.choice(DOSSIERS),
            SubscriptionKind.KEYWORD: rng.choice(KEYWORDS),
        }[kind]
        repo.subscribe(sub.id, kind, value)


@dataclass
class Totals:
    polls: int = 0
    failed_polls: int = 0
    changes: int = 0
    telegram_rows: int = 0
    telegram_messages: int = 0
    digests: int = 0
    web_requests: int = 0
    alerts: int = 0
    alert_texts: list[str] = field(default_factory=list)
    rss_by_hour: list[tuple[int, float]] = field(default_factory=list)
    seconds: float = 0.0


async def deliver(app: App, notifier: AcceptingNotifier, frequency: Frequency) -> int:
    rows = 0
    while True:
        report = await deliver_telegram_once(app, notifier, frequency=frequency)  # type: ignore[arg-type]
        if not report.claimed:
            return rows
        rows += report.sent


async def soak(subscribers: int, cycles: int, warm_up: int) -> tuple[list[Sample], Totals]:
    totals = Totals()
    rng = random.Random(20261122)
    with (
        tempfile.TemporaryDirectory(prefix="kamerwacht-soak-") as tmp,
        upstreams("demo", "http500", "timeout", "bulk-rewrite") as servers,
    ):
        url = f"sqlite:///{tmp}/soak.db"
        repo = Repository.from_url(url)
        repo.upgrade()
        add_subscribers(repo, subscribers, rng)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            public_url="https://kamerwacht.example",
            secret_key="soak-secret",  # type: ignore[arg-type]
            http_min_interval=0.0,
        ).model_copy(update=servers["demo"].urls())
        app = build_app(settings, repo=repo)
        await app.client.aclose()
        app.client = HttpClient(
            user_agent=user_agent("https://example.org/kamerwacht-soak"),
            timeout=0.5,
            retries=1,
            backoff=0.01,
            min_interval=0.0,
        )
        sources = {
            name: build_sources(settings.model_copy(update=server.urls()), repo)
            for name, server in servers.items()
        }
        notifier = AcceptingNotifier()
        mailer = MemoryMailer()
        web = create_app(settings, repo, mailer=mailer, metrics=app.metrics)  # type: ignore[arg-type]
        transport = httpx.ASGITransport(app=web)
        heartbeat = Heartbeat(fail_after=timedelta(hours=6), stuck_after=timedelta(minutes=30))
        samples = [sample()]
        started = time.perf_counter()
        async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as http:
            for cycle in range(cycles):
                now = START + cycle * STEP
                slot = cycle % DAY  # the time of day
                if cycle == ARRIVAL:
                    servers["demo"].advance()
                fault = FAULTS.get(slot)
                if fault == "bulk-rewrite" and cycle < DAY:
                    servers[fault].advance()  # step 1: every record re-stamped
                chosen = sources[fault] if fault else sources["demo"]
                report = await poll_once(app, notify=cycle > 0, sources=chosen)
                totals.polls += 1
                totals.failed_polls += not all(o.ok for o in report.outcomes)
                totals.changes += len(report.changes)
                totals.telegram_rows += await deliver(app, notifier, Frequency.INSTANT)
                if slot == DIGEST_CYCLE:
                    totals.telegram_rows += await deliver(app, notifier, Frequency.DAILY)
                    totals.telegram_rows += await deliver(app, notifier, Frequency.WEEKLY)
                    for frequency in (Frequency.DAILY, Frequency.WEEKLY):
                        result = await send_digests(
                            app,
                            mailer,  # type: ignore[arg-type]
                            frequency=frequency,
                            now=now,
                        )
                        totals.digests += result.digests
                for path in ("/", "/motie/21501-02-2234", "/feed.atom", "/healthz", "/metrics"):
                    response = await http.get(path)
                    assert response.status_code == 200, (path, response.status_code)
                    totals.web_requests += 1
                counts = repo.outbox_counts() | {"due": repo.due_count()}  # as the service reads
                alerts = heartbeat.observe(repo.source_statuses(), counts, now=now)
                totals.alerts += len(alerts)
                totals.alert_texts.extend(f"{now:%H:%M} {a.text}" for a in alerts)
                if cycle + 1 == warm_up:
                    samples.append(sample())
                if slot % 4 == 3:  # every two simulated hours
                    totals.rss_by_hour.append(((cycle + 1) // 2, sample().rss_mb))
        samples.append(sample())
        totals.seconds = time.perf_counter() - started
        totals.telegram_messages = notifier.messages
        await app.aclose()
    return samples, totals


def main() -> int:
    """Run the soak and print the table; exit 1 when a goal is missed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=SUBSCRIBERS)
    parser.add_argument("--cycles", type=int, default=CYCLES, help="30-minute polls (48 a day)")
    parser.add_argument("--warm-up", type=int, default=WARM_UP)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    samples, totals = asyncio.run(soak(args.subscribers, args.cycles, args.warm_up))
    start, warm, end = samples
    growth = (end.rss_mb - warm.rss_mb) / warm.rss_mb
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows: list[tuple[str, str, str, str, str, bool]] = [
        (
            "RSS (MB)",
            f"{start.rss_mb:.1f}",
            f"{warm.rss_mb:.1f}",
            f"{end.rss_mb:.1f}",
            f"growth < {GOAL_RSS_GROWTH:.0%}",
            growth < GOAL_RSS_GROWTH,
        ),
        ("open file descriptors", str(start.fds), str(warm.fds), str(end.fds), "no growth",
         end.fds <= warm.fds),
        ("asyncio tasks", str(start.tasks), str(warm.tasks), str(end.tasks), "no growth",
         end.tasks <= warm.tasks),
        ("heartbeat false alarms", "-", "-", str(totals.alerts), "none", totals.alerts == 0),
    ]  # fmt: skip
    hours = args.cycles * STEP.total_seconds() / 3600
    print(
        f"Soak: {hours:.0f} simulated hours ({args.cycles} polls, one per 30 min), "
        f"{args.subscribers:,} subscribers, in {totals.seconds:.1f} s"
    )
    print(
        f"  polls {totals.polls} ({totals.failed_polls} with a failing source), changes "
        f"{totals.changes}, Telegram rows sent {totals.telegram_rows:,} in "
        f"{totals.telegram_messages:,} messages, email digests {totals.digests:,}, web "
        f"requests {totals.web_requests}, heartbeat alerts {totals.alerts}"
    )
    print(f"  RSS growth after warm-up {growth:+.1%}; peak RSS {peak_mb:.0f} MB")
    for text in totals.alert_texts:
        print(f"  alert: {text}")
    curve = ", ".join(f"{h:02d}h {mb:.0f}" for h, mb in totals.rss_by_hour)
    print(f"  RSS (MB) by simulated hour: {curve}")
    print()
    header = ("measure", "start", "warm-up", "end", "goal", "pass")
    print(
        f"{header[0]:<24} {header[1]:>8} {header[2]:>8} {header[3]:>8}  {header[4]:<14} {header[5]}"
    )
    print(f"{'-' * 24} {'-' * 8} {'-' * 8} {'-' * 8}  {'-' * 14} ----")
    for name, a, b, c, goal, passed in rows:
        print(f"{name:<24} {a:>8} {b:>8} {c:>8}  {goal:<14} {'PASS' if passed else 'FAIL'}")
    return 0 if all(r[-1] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
