"""Benchmark: what issue 17 adds to every poll — the overdue check, the agenda, the commitments.

1. The overdue check (``Repository.apply_overdue``, run with the first poll of each day) on a
   store of 100,000 motions of which 20,000 are adopted and half of those reported on: the first
   run records the overdue changes, a later day's run finds nothing new. Goal: under 5 s on
   SQLite (the topic itself has a few dozen adopted motions).
2. Requests per poll of the recorded topic (replay ``default``): the sources alone, and with the
   agenda and commitment sources. Goal: at most 2 more requests on an idle poll.

    .venv/bin/python bench/bench_ahead.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.app import build_app, poll_once  # noqa: E402
from bot.settings import Settings  # noqa: E402
from replay.server import ReplayServer  # noqa: E402
from state.models import (  # noqa: E402
    CitedMotion,
    Decision,
    ExecutionStatus,
    Letter,
    Motion,
    Observation,
    ParliamentaryStatus,
)
from state.repository import Repository  # noqa: E402

MOTIONS = 100_000
ADOPTED_EVERY = 5  # 20,000 adopted
REPORTED_EVERY = 2  # half of them reported on
BATCH = 10_000
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _motion(i: int) -> Motion:
    day = date(2018, 1, 1) + timedelta(days=i % 2500)
    adopted = i % ADOPTED_EVERY == 0
    status = ParliamentaryStatus.ADOPTED if adopted else ParliamentaryStatus.REJECTED
    text = "verzoekt de regering de Kamer voor de zomer te informeren" if i % 7 == 0 else None
    return Motion(
        id=f"{30000 + i // 1000}-{i % 1000 + 1}",
        title=f"Motie {i} over Nagorno-Karabach",
        date=day,
        parliamentary_status=status,
        text=text,
        decisions=(
            Decision(f"b{i}", f"{30000 + i // 1000}-{i % 1000 + 1}", status, "x", date=day),
        ),
    )


def _fill(repo: Repository) -> None:
    motions = [_motion(i) for i in range(MOTIONS)]
    for start in range(0, MOTIONS, BATCH):
        repo.apply_poll(Observation(motions=tuple(motions[start : start + BATCH])), notify=False)
    cited = [
        CitedMotion(m.id, status=ExecutionStatus.EXECUTED)
        for i, m in enumerate(motions)
        if i % ADOPTED_EVERY == 0 and (i // ADOPTED_EVERY) % REPORTED_EVERY == 0
    ]
    for start in range(0, len(cited), BATCH):
        letter = Letter(
            f"L{start}", "Uitvoering", date(2025, 1, 1), motions=tuple(cited[start : start + BATCH])
        )
        repo.apply_poll(Observation(letters=(letter,)), notify=False)


async def _requests(extra: bool) -> tuple[int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        async with ReplayServer("default") as server:
            url = f"sqlite:///{tmp}/r.db"
            repo = Repository.from_url(url)
            repo.upgrade()
            settings = Settings(
                _env_file=None, **server.urls, database_url=url, http_min_interval=0.0
            )  # type: ignore[call-arg]
            app = build_app(settings, repo=repo)
            if not extra:
                app.agenda = None
                app.commitments = None
            counts = []
            for _ in range(2):
                before = app.client.requests_made
                await poll_once(app, notify=False)
                counts.append(app.client.requests_made - before)
            await app.aclose()
            return counts[0], counts[1]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Repository.from_url(f"sqlite:///{tmp}/b.db")
        repo.upgrade()
        started = time.perf_counter()
        _fill(repo)
        setup = time.perf_counter() - started
        today = date(2026, 3, 1)
        started = time.perf_counter()
        first = repo.apply_overdue(today=today, notify=False, now=NOW)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        again = repo.apply_overdue(today=today, notify=False, now=NOW)
        again_s = time.perf_counter() - started
        repo.close()
    plain = asyncio.run(_requests(False))
    ahead = asyncio.run(_requests(True))
    ok_overdue = again_s < 5.0 and first_s < 5.0 and not again
    ok_requests = ahead[1] - plain[1] <= 2
    met = {True: "met", False: "NOT met"}
    rows = [
        ("overdue check, first run (records the changes)", f"{first_s:.2f} s", "—"),
        ("  overdue changes recorded", f"{len(first):,}", "—"),
        (
            "overdue check, a later day (nothing new)",
            f"{again_s:.2f} s",
            f"< 5 s: {met[ok_overdue]}",
        ),
        ("requests, first poll: sources / with issue 17", f"{plain[0]} / {ahead[0]}", "—"),
        ("requests, idle poll: sources / with issue 17", f"{plain[1]} / {ahead[1]}", ""),
    ]
    rows[-1] = (*rows[-1][:2], f"at most +2: {met[ok_requests]}")
    print(f"store: {MOTIONS:,} motions, {MOTIONS // ADOPTED_EVERY:,} adopted (setup {setup:.1f} s)")
    print(f"{'measure':<50} {'value':>12}  goal")
    for name, value, goal in rows:
        print(f"{name:<50} {value:>12}  {goal}")
    return 0 if ok_overdue and ok_requests else 1


if __name__ == "__main__":
    sys.exit(main())
