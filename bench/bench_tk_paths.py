"""Benchmark: the two Tweede Kamer paths side by side — the SyncFeed and OData polling.

For each path a replay server of the ``adopted`` scenario runs in its own process (so this
process's CPU time is kamerwacht's alone) and a fresh SQLite store is brought to the topic's
state by one ordinary poll of both paths. Then, through that path only:

* an idle poll (nothing changed upstream), repeated; the median is shown;
* the same with 10,000 followed motions (the OData look-ups batch; relevance is decided locally);
* the poll after the real vote on 21501-02-3067 arrives upstream (``/_replay/advance``): its
  ``Stemmen - aangenomen`` Besluit and 15 Stemming rows must be recorded (a ``vote_recorded``
  change), which the table checks.

Requests and response bytes are the server's own counts (``/_replay/status``); CPU is
``time.process_time`` of this process around ``poll_once`` (including the store's writes).

    .venv/bin/python bench/bench_tk_paths.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import App, Source, build_app, poll_once  # noqa: E402
from bot.settings import Settings  # noqa: E402
from scrapers.http import HttpClient, user_agent  # noqa: E402
from scrapers.tweedekamer import TweedeKamerSource  # noqa: E402
from scrapers.tweedekamer_sync import TweedeKamerSyncSource  # noqa: E402
from state.models import ChangeKind  # noqa: E402
from state.repository import Repository  # noqa: E402

MOTION = "21501-02-3067"
RIJKSOVERHEID = "/rijksoverheid/v1/sources/rijksoverheid/documents"
GOAL_IDLE_CPU_MS = 100.0


@dataclass
class Measure:
    requests: int
    bytes: int
    cpu_ms: float
    vote_recorded: bool = False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ReplayProcess:
    """``kamerwacht replay --scenario adopted`` in a child process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.own_bytes = 0

    def __enter__(self) -> ReplayProcess:
        port = str(self.port)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "replay", "--scenario", "adopted", "--port", port],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                httpx.get(self.base + "/_replay/status", timeout=1.0)
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("replay server did not start")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)

    def status(self) -> tuple[int, int]:
        """Requests (this one included) and bytes served so far (this answer's not yet)."""
        answer = httpx.get(self.base + "/_replay/status")
        data = answer.json()
        self.own_bytes = len(answer.content)  # counted by the server once written
        return int(data["requests"]), int(data["bytes"])

    def advance(self) -> None:
        httpx.get(self.base + "/_replay/advance")

    def urls(self) -> dict[str, str]:
        return {
            "tweedekamer_url": self.base + "/OData/v5",
            "tweedekamer_syncfeed_url": self.base + "/SyncFeed/2.0",
            "officielebekendmakingen_url": self.base + "/repository",
            "officielebekendmakingen_rss_url": self.base + "/zoek/rss",
            "rijksoverheid_feed_url": self.base + RIJKSOVERHEID,
        }


async def measured(app: App, server: ReplayProcess, source: Source) -> Measure:
    requests, size = server.status()
    size += server.own_bytes
    started = time.process_time()
    report = await poll_once(app, sources=[source])
    cpu = (time.process_time() - started) * 1000
    after_requests, after_size = server.status()
    recorded = any(
        c.kind is ChangeKind.VOTE_RECORDED and c.motion_id == MOTION for c in report.changes
    )
    # the second status request is counted in it; the first one's answer in its bytes
    return Measure(after_requests - requests - 1, after_size - size, cpu, recorded)


def followed(count: int) -> list[str]:
    """``count`` motion ids a large deployment's subscribers follow (Kamerstuk id form)."""
    return [f"{36000 + i // 50}-{i % 50 + 1}" for i in range(count)]


async def run_path(kind: type, runs: int, watch: int = 0) -> tuple[Measure, Measure]:
    with ReplayProcess() as server, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/kw.db").model_copy(
            update={**server.urls(), "watchlist": followed(watch)}
        )
        repo = Repository.from_url(settings.database_url)
        repo.upgrade()
        app = build_app(settings, repo=repo)
        await app.client.aclose()
        app.client = HttpClient(user_agent=user_agent("bench"), min_interval=0.0, retries=1)
        try:
            both = TweedeKamerSource | TweedeKamerSyncSource
            tk = [s for s in app.sources if isinstance(s, both)]
            first = await poll_once(app, sources=tk)  # the topic's state, the SyncFeed heads
            assert all(o.ok for o in first.outcomes), first.outcomes
            await poll_once(app, sources=tk)
            path = next(s for s in app.sources if isinstance(s, kind))
            idle = [await measured(app, server, path) for _ in range(runs)]
            server.advance()
            vote = await measured(app, server, path)
        finally:
            await app.aclose()
    middle = Measure(
        int(statistics.median(m.requests for m in idle)),
        int(statistics.median(m.bytes for m in idle)),
        statistics.median(m.cpu_ms for m in idle),
    )
    return middle, vote


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="idle polls per path (median shown)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    paths = {
        "SyncFeed": (TweedeKamerSyncSource, 0),
        "OData v5": (TweedeKamerSource, 0),
        "SyncFeed, 10,000 followed": (TweedeKamerSyncSource, 10_000),
        "OData v5, 10,000 followed": (TweedeKamerSource, 10_000),
    }
    results = {
        name: asyncio.run(run_path(kind, args.runs, watch)) for name, (kind, watch) in paths.items()
    }
    print("Tweede Kamer paths, side by side (replay 'adopted', SQLite; median of idle polls)")
    print(f"{'path':<26} {'poll':<10} {'requests':>8} {'bytes':>9} {'CPU ms':>8}  vote recorded")
    for name, (idle, vote) in results.items():
        mark = "yes" if vote.vote_recorded else "NO"
        for label, m, seen in (("idle", idle, "—"), ("new vote", vote, mark)):
            print(f"{name:<26} {label:<10} {m.requests:>8} {m.bytes:>9} {m.cpu_ms:>8.1f}  {seen}")
    worst = max(idle.cpu_ms for idle, _ in results.values())
    ok = worst < GOAL_IDLE_CPU_MS and all(v.vote_recorded for _, v in results.values())
    verdict = "met" if ok else "NOT met"
    print(
        f"goal: idle poll < {GOAL_IDLE_CPU_MS:.0f} ms CPU on either path, vote recorded: {verdict}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
