"""Benchmark: the outbox fan-out with routing by kind (issue 17, point 4).

10,000 Telegram chats follow everything. One poll stores 40 new motions and 10 letters that
report on 2 stored motions each (70 changes: 40 new motions, 10 new letters, 20 execution
reports), fanned out to every chat: 700,000 outbox rows without routes. Measured three ways on
fresh copies of the same database: no route stored anywhere (the fan-out as before routes
existed; since the default routes new documents weekly, the fan-out now reads each change's
kind), every other chat with "new documents weekly, execution reports off", every chat with
those routes (nothing instant is left: the claim finds the weekly rows and skips them), and
every other chat's follow with routes of its own ("new documents at once, execution reports
off": the fan-out by follow, one row per matching follow, grouped per chat and change).
Then one instant claim of at most 200 rows. No goal of its own:
routing must not make the fan-out markedly slower (bench_state.py keeps the 2 s goal).

    .venv/bin/python bench/bench_routing.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from state.models import (  # noqa: E402
    Channel,
    CitedMotion,
    ExecutionStatus,
    Frequency,
    Letter,
    Motion,
    Observation,
    ParliamentaryStatus,
    Submitter,
    SubscriptionKind,
)
from state.repository import Repository  # noqa: E402
from state.routing import Route, RouteClass  # noqa: E402

CHATS = 10_000
NEW_MOTIONS = 40
LETTERS = 10


def _motion(n: int) -> Motion:
    return Motion(
        id=f"36000-{n}",
        title=f"Motie van het lid Bench over onderwerp {n}",
        submitters=(Submitter("B. Bench", "VVD", "Indiener"),),
        date=date(2026, 1, 3),
        parliamentary_status=ParliamentaryStatus.SUBMITTED,
    )


def _setup(path: Path) -> None:
    repo = Repository.from_url(f"sqlite:///{path}")
    repo.upgrade()
    repo.apply_poll(
        Observation(motions=tuple(_motion(n) for n in range(1, 2 * LETTERS + 1))), notify=False
    )
    for n in range(CHATS):
        sub = repo.get_or_create_subscriber(Channel.TELEGRAM, str(700_000_000 + n))
        repo.subscribe(sub.id, SubscriptionKind.ALL, "")
    repo.close()


def _poll() -> Observation:
    motions = tuple(_motion(n) for n in range(1000, 1000 + NEW_MOTIONS))
    letters = tuple(
        Letter(
            id=f"36000-L-{k}",
            title=f"Kamerbrief over de uitvoering {k}",
            date=date(2026, 1, 5),
            url=f"https://example.org/{k}",
            motions=tuple(
                CitedMotion(
                    id=f"36000-{2 * k + j + 1}",
                    title=f"Motie {2 * k + j + 1}",
                    status=ExecutionStatus.IN_PROGRESS,
                    evidence="De motie wordt uitgevoerd.",
                )
                for j in range(2)
            ),
        )
        for k in range(LETTERS)
    )
    return Observation(motions=motions, letters=letters)


def _run(
    base: Path, work: Path, label: str, routed_every: int, follows_every: int = 0
) -> tuple[str, int, float, float, int]:
    path = work / f"{label}.db"
    shutil.copy(base, path)
    repo = Repository.from_url(f"sqlite:///{path}")
    if routed_every:
        routes = {RouteClass.DOCUMENTS: Route.WEEKLY, RouteClass.EXECUTION: Route.OFF}
        for sub_id in range(1, CHATS + 1, routed_every):
            repo.set_routes(sub_id, routes)
    if follows_every:
        own = {RouteClass.DOCUMENTS: Route.INSTANT, RouteClass.EXECUTION: Route.OFF}
        for sub_id in range(1, CHATS + 1, follows_every):
            [follow] = repo.subscriptions(sub_id)
            assert follow.id is not None
            repo.set_follow_routes(sub_id, follow.id, own)
    start = time.perf_counter()
    repo.apply_poll(_poll(), now=datetime.now(UTC))
    fan_out = time.perf_counter() - start
    rows = repo.outbox_counts()["pending"]
    start = time.perf_counter()
    claimed = repo.claim_deliveries(Channel.TELEGRAM, limit=200, frequency=Frequency.INSTANT)
    claim = time.perf_counter() - start
    repo.close()
    return label, rows, fan_out, claim, len(claimed)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="kamerwacht-routing-"))
    try:
        base = work / "base.db"
        _setup(base)
        results = [
            _run(base, work, "no routes", 0),
            _run(base, work, "every 2nd chat routed", 2),
            _run(base, work, "every chat routed", 1),
            _run(base, work, "every 2nd follow routed", 0, 2),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"fan-out of one poll ({NEW_MOTIONS + 2 * LETTERS + LETTERS} changes) to {CHATS:,} chats")
    print(f"{'case':<24} {'rows':>9} {'fan-out s':>10} {'instant claim s':>16} {'claimed':>8}")
    for label, rows, fan_out, claim, claimed in results:
        print(f"{label:<24} {rows:>9,} {fan_out:>10.2f} {claim:>16.3f} {claimed:>8}")


if __name__ == "__main__":
    main()
