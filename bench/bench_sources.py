"""Benchmark: kamerwacht's TweedeKamerSource vs tkapi ingesting the topic's motions.

Both run against the same loopback replay server (``replay.server``, scenario ``default``), in
one process, side by side: every Motie on the topic with its decisions (Besluit), votes per party
(Stemming), submitters (ZaakActor), dossier (→ canonical id) and replacement (VervangenDoor).
tkapi 0.9.10 is what a Python user would reach for; it loads every navigation lazily, one request
each. kamerwacht asks for the same data in one expanded query (and also reads the topic's letters
and their texts in the same poll, which tkapi is not asked to do).

The server runs in its own thread, so the CPU figures (``time.thread_time``) are the client's
alone. Both clients run without a politeness delay here (tkapi has none); kamerwacht's default
``min_interval`` of 0.2 s is shown on a separate line.

    .venv/bin/python bench/bench_sources.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from replay.server import ReplayServer
from scrapers.http import HttpClient, user_agent
from scrapers.topics import get_topic
from scrapers.tweedekamer import TweedeKamerSource

T = TypeVar("T")
GOAL_REQUESTS = 10.0
GOAL_TIME = 3.0
GOAL_IDLE_CPU_MS = 100.0


class ServerThread:
    """A replay server on its own event loop in a daemon thread."""

    def __init__(self, scenario: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.server = ReplayServer(scenario)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def __enter__(self) -> ReplayServer:
        self.thread.start()
        self.run(self.server.start())
        return self.server

    def __exit__(self, *exc: object) -> None:
        self.run(self.server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def tkapi_ingest(root: str) -> list[tuple[str, int, int, int]]:
    """The topic's motions with decisions, votes, submitters, dossier and replacement, via tkapi."""
    from tkapi import TKApi
    from tkapi.zaak import Zaak, ZaakMotie

    api = TKApi(api_root=root)
    query = Zaak.create_filter()
    terms = get_topic().terms
    query.add_filter_str("(" + " or ".join(f"contains(Onderwerp,'{t}')" for t in terms) + ")")
    out = []
    for zaak in api.get_items(ZaakMotie, filter=query):
        dossier = zaak.dossier
        ident = (
            "-".join(str(p) for p in (dossier.nummer, dossier.toevoeging, zaak.volgnummer) if p)
            if dossier
            else zaak.nummer
        )
        votes = sum(len(b.stemmingen) for b in zaak.besluiten)
        actors = len(zaak.actors)
        _ = zaak.vervangen_door
        out.append((ident, len(zaak.besluiten), votes, actors))
    return out


async def ours_ingest(root: str, min_interval: float, letters: bool) -> tuple[Any, float]:
    """One first poll of TweedeKamerSource; returns the result and the client's CPU seconds."""
    source = TweedeKamerSource(root, get_topic(), letters=letters)
    async with HttpClient(user_agent=user_agent("bench"), min_interval=min_interval) as http:
        cpu = time.thread_time()
        result = await source.poll(http, {}, frozenset())
        return result, time.thread_time() - cpu


async def idle_polls(root: str, runs: int) -> list[float]:
    """CPU seconds of polls that find nothing new (after a first poll and one catch-up poll)."""
    source = TweedeKamerSource(root, get_topic())
    cpu: list[float] = []
    async with HttpClient(user_agent=user_agent("bench"), min_interval=0.0) as http:
        first = await source.poll(http, {}, frozenset())
        cursors = (await source.poll(http, first.cursors, frozenset())).cursors
        for _ in range(runs):
            started = time.thread_time()
            result = await source.poll(http, cursors, frozenset())
            cpu.append(time.thread_time() - started)
            assert not result.motions, "an idle poll found motions"
            assert not result.letters, "an idle poll found letters"
    return cpu


def measure(server: ReplayServer, fn: Callable[[], T], runs: int) -> tuple[T, int, float]:
    """Run ``fn`` ``runs`` times; its result, requests per run and median wall seconds."""
    walls: list[float] = []
    result: T | None = None
    requests = 0
    for _ in range(runs):
        before = server.request_count
        started = time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - started)
        requests = server.request_count - before
    assert result is not None
    return result, requests, statistics.median(walls)


def main() -> int:
    """Run the benchmark and print the table; exit 1 when a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("tkapi").setLevel(logging.ERROR)

    with ServerThread("default") as server:
        root = server.urls["tweedekamer_url"]
        tk, tk_requests, tk_wall = measure(server, lambda: tkapi_ingest(root + "/"), args.runs)
        (ours, ours_cpu), ours_requests, ours_wall = measure(
            server, lambda: asyncio.run(ours_ingest(root, 0.0, False)), args.runs
        )
        (full, full_cpu), full_requests, full_wall = measure(
            server, lambda: asyncio.run(ours_ingest(root, 0.0, True)), args.runs
        )
        _, _, polite_wall = measure(server, lambda: asyncio.run(ours_ingest(root, 0.2, True)), 1)
        idle = asyncio.run(idle_polls(root, max(args.runs, 10)))

    tk_ids = {row[0] for row in tk}
    ours_ids = {m.id if m.id != m.zaak_nummer else m.zaak_nummer for m in ours.motions}
    assert tk_ids == ours_ids, tk_ids ^ ours_ids
    tk_votes = sum(row[2] for row in tk)
    ours_votes = sum(len(d.votes) for m in ours.motions for d in m.decisions)
    assert tk_votes == ours_votes, (tk_votes, ours_votes)
    assert len(full.letters) == 4

    req_ratio = tk_requests / ours_requests
    time_ratio = tk_wall / ours_wall
    idle_ms = statistics.median(idle) * 1000
    ok = [req_ratio >= GOAL_REQUESTS, time_ratio >= GOAL_TIME, idle_ms < GOAL_IDLE_CPU_MS]

    print(f"Ingest the topic's motions ({len(ours.motions)} motions, {ours_votes} vote rows) "
          f"from the replay server; median of {args.runs} runs")  # fmt: skip
    print()
    print(f"{'client':<44} {'requests':>8} {'wall s':>8} {'CPU s':>7}")
    print(f"{'tkapi 0.9.10 (lazy navigation)':<44} {tk_requests:>8} {tk_wall:>8.3f} {'-':>7}")
    print(
        f"{'kamerwacht TweedeKamerSource (motions)':<44} {ours_requests:>8} "
        f"{ours_wall:>8.3f} {ours_cpu:>7.3f}"
    )
    print(
        f"{'  whole first poll (+ 4 letters, their text)':<44} {full_requests:>8} "
        f"{full_wall:>8.3f} {full_cpu:>7.3f}"
    )
    print(f"{'  same, polite (min_interval 0.2 s)':<44} {full_requests:>8} {polite_wall:>8.3f}")
    print()
    print(f"{'measure':<44} {'value':>10} {'goal':>10} {'pass':>6}")
    rows = [
        ("fewer requests than tkapi", f"{req_ratio:.1f}x", f">= {GOAL_REQUESTS:.0f}x", ok[0]),
        ("less wall time than tkapi", f"{time_ratio:.1f}x", f">= {GOAL_TIME:.0f}x", ok[1]),
        ("CPU of a poll with nothing new", f"{idle_ms:.1f} ms", f"< {GOAL_IDLE_CPU_MS:.0f} ms",
         ok[2]),
    ]  # fmt: skip
    for name, value, goal, passed in rows:
        print(f"{name:<44} {value:>10} {goal:>10} {'PASS' if passed else 'FAIL':>6}")
    return 0 if all(ok) else 1


if __name__ == "__main__":
    raise SystemExit(main())
