"""Benchmark: 10,000 email digests rendered and sent to a local SMTP server. Goal: 200/s.

The SMTP server is aiosmtpd in a child process on loopback (so it does not share this
process's interpreter lock), counting and discarding what it receives. Each digest carries the
real changes of one poll (the vote on 21501-02-3067 and the cabinet's letter of 4 November 2021
with its execution reports: 7 changes, text + HTML, signed links, List-Unsubscribe headers).

Two measurements:

1. render + send: ``render_digest``, ``DigestMail.as_bytes`` and ``Mailer.send_bytes`` for
   10,000 subscribers, one after the other, over one reused SMTP connection.
2. end to end: ``send_digests`` on a real SQLite repository with 10,000 confirmed daily
   subscribers: claim 70,000 outbox rows, group per subscriber, render, send, mark sent.

    .venv/bin/python bench/bench_email.py [--digests 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.email.links import Links  # noqa: E402
from bot.email.sender import Mailer  # noqa: E402
from bot.email.service import DigestLookups, render_digest, send_digests  # noqa: E402
from bot.settings import Settings  # noqa: E402
from state.models import (  # noqa: E402
    Channel,
    ClaimedDelivery,
    Delivery,
    DeliveryStatus,
    Frequency,
    Subscriber,
    SubscriptionKind,
)
from state.repository import Repository  # noqa: E402
from tests.web.facts import first_poll, second_poll  # noqa: E402

GOAL = 200.0  # digests per second
SENDER = "kamerwacht <kamerwacht@example.org>"

SINK = r"""
import sys
from aiosmtpd.controller import Controller

class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"

controller = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
print(Count.n, flush=True)
"""


class Sink:
    """The counting SMTP server in a child process."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SINK, str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP sink did not start")

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (Linux /proc)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> int:
        """Stop the server; the number of messages it received."""
        out, _ = self.proc.communicate("", timeout=30)
        return int(out.strip().splitlines()[-1])


def _settings(port: int) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        public_url="https://kamerwacht.example.org",
        secret_key="bench-secret-key-for-tokens",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from=SENDER,
    )


class _App:
    def __init__(self, settings: Settings, repo: Repository) -> None:
        self.settings = settings
        self.repo = repo


async def render_and_send(settings: Settings, repo: Repository, n: int) -> tuple[float, int]:
    """``n`` digests of the poll's changes, each to its own subscriber, over one connection."""
    changes = repo.changes(datetime(2025, 3, 14, tzinfo=UTC))
    links = Links.from_settings(settings)
    lookups = DigestLookups(_App(settings, repo))  # type: ignore[arg-type]
    mailer = Mailer(settings.smtp_host or "", settings.smtp_port, sender=SENDER, start_tls=False)
    now = datetime.now(UTC)
    started = time.perf_counter()
    for i in range(n):
        sub = Subscriber(i + 1, Channel.EMAIL, f"lezer{i}@example.org", frequency=Frequency.DAILY)
        claimed = [
            ClaimedDelivery(Delivery(i * 10 + k, sub.id, c.id or 0, DeliveryStatus.CLAIMED), sub, c)
            for k, c in enumerate(changes)
        ]
        if i == 0:
            lookups.load(claimed)
        mail = render_digest(
            settings,
            links,
            sub,
            claimed,
            lookups,
            frequency=Frequency.DAILY,
            sender_address="kamerwacht@example.org",
            now=now,
        )
        await mailer.send_bytes("kamerwacht@example.org", [mail.recipient], mail.as_bytes())
    seconds = time.perf_counter() - started
    await mailer.aclose()
    return seconds, mailer.connections


def setup_subscribers(repo: Repository, n: int) -> float:
    """``n`` confirmed daily email subscribers following everything; returns seconds taken."""
    started = time.perf_counter()
    for i in range(n):
        sub = repo.get_or_create_subscriber(Channel.EMAIL, f"abonnee{i}@example.org")
        repo.update_subscriber(sub.id, frequency=Frequency.DAILY)
        repo.subscribe(sub.id, SubscriptionKind.ALL)
    return time.perf_counter() - started


def main() -> int:
    """Run both measurements and print the table; exit 1 when a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--digests", type=int, default=10_000)
    args = parser.parse_args()
    n = args.digests

    sink = Sink()
    settings = _settings(sink.port)
    with tempfile.TemporaryDirectory(prefix="kw-bench-email-") as tmp:
        repo = Repository.from_url(f"sqlite:///{tmp}/bench.db")
        repo.upgrade()
        repo.apply_poll(first_poll(), notify=False, now=datetime(2025, 3, 13, 12, tzinfo=UTC))
        setup_s = setup_subscribers(repo, n)
        repo.apply_poll(second_poll(), now=datetime(2025, 3, 14, 12, tzinfo=UTC))
        rows = repo.outbox_counts()["pending"]

        cpu, server_cpu = time.process_time(), sink.cpu_seconds()
        a_seconds, a_connections = asyncio.run(render_and_send(settings, repo, n))
        a_cpu = (time.process_time() - cpu, sink.cpu_seconds() - server_cpu)

        async def end_to_end() -> tuple[float, int, int]:
            mailer = Mailer.from_settings(settings)
            started = time.perf_counter()
            report = await send_digests(
                _App(settings, repo),  # type: ignore[arg-type]
                mailer,
                frequency=Frequency.DAILY,
            )
            seconds = time.perf_counter() - started
            await mailer.aclose()
            return seconds, report.digests, mailer.connections

        cpu, server_cpu = time.process_time(), sink.cpu_seconds()
        b_seconds, b_digests, b_connections = asyncio.run(end_to_end())
        b_cpu = (time.process_time() - cpu, sink.cpu_seconds() - server_cpu)
        left = repo.outbox_counts()
        repo.close()
    received = sink.stop()

    table = [
        ("render + send", n, a_seconds, a_cpu),
        ("send_digests end to end (SQLite)", b_digests, b_seconds, b_cpu),
    ]
    print(f"setup: {n:,} subscribers in {setup_s:.1f} s; {rows:,} outbox rows from one poll")
    print()
    print(
        f"{'measurement':<34} {'digests':>8} {'seconds':>8} {'digests/s':>10} {'goal':>6}  pass"
        f"  {'CPU ms/digest: sender':>22} {'SMTP server':>11}"
    )
    print(f"{'-' * 34} {'-' * 8} {'-' * 8} {'-' * 10} {'-' * 6}  ----  {'-' * 22} {'-' * 11}")
    ok = True
    for name, digests, seconds, (cpu_ours, cpu_server) in table:
        rate = digests / seconds if seconds else 0.0
        passed = rate >= GOAL and digests == n
        ok = ok and passed
        print(
            f"{name:<34} {digests:>8,} {seconds:>8.2f} {rate:>10.0f} {GOAL:>6.0f}  "
            f"{'yes ' if passed else 'NO  '}  {cpu_ours / n * 1000:>22.2f} "
            f"{cpu_server / n * 1000:>11.2f}"
        )
    print()
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"SMTP connections: {a_connections} and {b_connections}; messages received by the "
        f"server: {received:,} of {2 * n:,}; outbox afterwards: sent {left['sent']:,}, "
        f"pending {left['pending']:,}, claimed {left['claimed']:,}"
    )
    ok = ok and received == 2 * n and left["pending"] == 0 and left["claimed"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
