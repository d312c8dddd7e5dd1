"""Benchmark: diff + store + outbox for one big poll.

100,000 motions are stored (20% with a final decision and 15 party votes) and 10,000 subscribers
subscribe. Then one observation is applied with ``Repository.apply_poll``: 1,000 stored motions
changed (700 voted on, 100 replaced, 100 retitled, 100 reported on by 20 new letters) plus 1,000
re-observed unchanged motions. Goals: under 2 s wall time on SQLite, peak RSS under 300 MB.

The timed poll runs in a fresh child process so that its peak RSS (``ru_maxrss``) covers the poll,
not the setup. A second child applies the same poll to a copy of the database under
``tracemalloc`` to report Python's own peak allocation.

    .venv/bin/python bench/bench_state.py                     # SQLite in a temp dir
    .venv/bin/python bench/bench_state.py --postgres postgresql+psycopg://u@127.0.0.1:5432/db
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from state.models import (  # noqa: E402
    Channel,
    CitedMotion,
    Decision,
    ExecutionStatus,
    Frequency,
    Letter,
    Motion,
    Observation,
    ParliamentaryStatus,
    PartyVote,
    Submitter,
    SubscriptionKind,
    VoteChoice,
)
from state.repository import Repository  # noqa: E402

MOTIONS = 100_000
SUBSCRIBERS = 10_000
DOSSIERS = 2_000
CHANGED = 1_000
UNCHANGED_SEEN = 1_000
GOAL_SECONDS = 2.0
GOAL_RSS_MB = 300.0
SETUP_NOW = datetime(2026, 1, 1, tzinfo=UTC)
POLL_NOW = datetime(2026, 1, 2, tzinfo=UTC)

WORDS = [f"woord{i:03d}" for i in range(200)]  # keyword vocabulary; titles use 3 of them
PARTIES = [
    ("VVD", 34),
    ("D66", 24),
    ("PVV", 17),
    ("CDA", 15),
    ("SP", 9),
    ("PvdA", 9),
    ("GL", 8),
    ("FvD", 8),
    ("PvdD", 6),
    ("CU", 5),
    ("Volt", 3),
    ("JA21", 3),
    ("SGP", 3),
    ("DENK", 3),
    ("BBB", 3),
]
MEMBERS = [f"A.B. van Lid{i:03d}" for i in range(150)]


def dossier(i: int) -> str:
    """The dossier of motion ``i``: 2,000 dossiers, a fifth with a toevoeging."""
    n = i % DOSSIERS
    return f"3{n:04d}" + ("-V" if n % 5 == 0 else "")


def motion_id(i: int) -> str:
    """The canonical id of motion ``i``."""
    return f"{dossier(i)}-{i // DOSSIERS + 1}"


def decision(mid: str, i: int, adopted: bool, day: date) -> Decision:
    """A final decision with 15 party votes."""
    rng = random.Random(i * 7 + 1)
    votes = tuple(
        PartyVote(
            actor=p,
            party=p,
            choice=VoteChoice.FOR
            if rng.random() < (0.7 if adopted else 0.3)
            else VoteChoice.AGAINST,
            seats=seats,
        )
        for p, seats in PARTIES
    )
    status = ParliamentaryStatus.ADOPTED if adopted else ParliamentaryStatus.REJECTED
    return Decision(
        id=f"besluit-{i}",
        motion_id=mid,
        status=status,
        raw_kind="Aangenomen." if adopted else "Verworpen.",
        date=day,
        votes=votes,
    )


def make_motion(i: int) -> Motion:
    """Motion ``i`` as stored at setup (deterministic)."""
    rng = random.Random(i)
    mid = motion_id(i)
    day = date(2020, 1, 1) + timedelta(days=i % 2000)
    words = rng.sample(WORDS, 3)
    submitters = tuple(
        Submitter(name, party=rng.choice(PARTIES)[0], role="Indiener" if k == 0 else "Medeindiener")
        for k, name in enumerate(rng.sample(MEMBERS, rng.randint(1, 3)))
    )
    decided = i % 5 == 0
    dec = (decision(mid, i, rng.random() < 0.5, day + timedelta(days=7)),) if decided else ()
    return Motion(
        id=mid,
        title=f"Motie van het lid {submitters[0].name} over {' '.join(words)}",
        submitters=submitters,
        date=day,
        parliamentary_status=dec[0].status if dec else ParliamentaryStatus.SUBMITTED,
        decisions=dec,
        zaak_nummer=f"2020Z{i:05d}",
        url=f"https://www.tweedekamer.nl/motie/{mid}",
    )


def build_observation() -> tuple[Observation, dict[str, int]]:
    """1,000 changed stored motions (and 20 letters) plus 1,000 unchanged ones."""
    rng = random.Random(42)
    undecided = [i for i in range(MOTIONS) if i % 5 != 0]
    chosen = rng.sample(undecided, CHANGED)
    voted, replaced_, retitled, reported = (
        chosen[:700],
        chosen[700:800],
        chosen[800:900],
        chosen[900:],
    )
    motions: list[Motion] = []
    for i in voted:
        m = make_motion(i)
        dec = decision(m.id, i, rng.random() < 0.5, date(2026, 1, 1))
        motions.append(replace(m, parliamentary_status=dec.status, decisions=(dec,)))
    for i in replaced_:
        m = make_motion(i)
        motions.append(
            replace(
                m,
                parliamentary_status=ParliamentaryStatus.REPLACED,
                replaced_by=motion_id(i + DOSSIERS * 60),
            )
        )
    for i in retitled:
        m = make_motion(i)
        motions.append(replace(m, title=m.title + " (gewijzigd)"))
    seen = set(chosen)
    unchanged = rng.sample([i for i in range(MOTIONS) if i not in seen], UNCHANGED_SEEN)
    motions.extend(make_motion(i) for i in unchanged)
    letters = []
    statuses = list(ExecutionStatus)
    for n in range(20):
        cited = tuple(
            CitedMotion(
                id=motion_id(i),
                title=make_motion(i).title,
                status=statuses[(n + k) % len(statuses)],
                evidence=f"De motie {motion_id(i)} is hiermee afgedaan.",
            )
            for k, i in enumerate(reported[n * 5 : n * 5 + 5])
        )
        letters.append(
            Letter(
                id=f"2026D{n:05d}",
                title=f"Stand van zaken uitvoering moties {WORDS[n]}",
                date=date(2026, 1, 1),
                kamerstuk=f"21501-02-{3000 + n}",
                document_nummer=f"2026D{n:05d}",
                motions=cited,
            )
        )
    mix = {
        "motions observed": len(motions),
        "changed": CHANGED,
        "voted": len(voted),
        "replaced": len(replaced_),
        "retitled": len(retitled),
        "reported (20 letters)": len(reported),
        "unchanged": len(unchanged),
    }
    return Observation(motions=tuple(motions), letters=tuple(letters)), mix


def setup(url: str) -> dict[str, object]:
    """Create the schema, 100,000 motions and 10,000 subscribers; returns timings and the mix."""
    repo = Repository.from_url(url)
    repo.upgrade()
    if repo.changes(limit=1):
        raise SystemExit(f"{url} is not empty: the benchmark needs a fresh database")
    t0 = time.perf_counter()
    batch = 10_000
    for start in range(0, MOTIONS, batch):
        motions = tuple(make_motion(i) for i in range(start, min(start + batch, MOTIONS)))
        repo.apply_poll(Observation(motions=motions), notify=False, now=SETUP_NOW)
    t_motions = time.perf_counter() - t0

    rng = random.Random(7)
    kinds: Counter[str] = Counter()
    t1 = time.perf_counter()
    for n in range(SUBSCRIBERS):
        email = n % 5 == 4
        sub = repo.get_or_create_subscriber(
            Channel.EMAIL if email else Channel.TELEGRAM,
            f"user{n}@example.org" if email else str(100_000 + n),
        )
        if email and n % 10 == 9:
            repo.update_subscriber(sub.id, frequency=Frequency.DAILY)
        if n % 20 == 0:  # 5% follow everything
            repo.subscribe(sub.id, SubscriptionKind.ALL)
            kinds["all"] += 1
            continue
        for _ in range(rng.randint(1, 5)):
            kind = rng.choice(
                [SubscriptionKind.MOTION, SubscriptionKind.DOSSIER, SubscriptionKind.KEYWORD]
            )
            if kind is SubscriptionKind.MOTION:
                value = motion_id(rng.randrange(MOTIONS))
            elif kind is SubscriptionKind.DOSSIER:
                value = dossier(rng.randrange(DOSSIERS))
            else:
                value = rng.choice(WORDS)
            kinds[kind.value] += repo.subscribe(sub.id, kind, value)
    t_subs = time.perf_counter() - t1
    repo.close()
    return {"motions_s": t_motions, "subscribers_s": t_subs, "subscriptions": dict(kinds)}


def measure(url: str, trace: bool) -> dict[str, object]:
    """Child process: build the observation, then time one apply_poll."""
    observation, mix = build_observation()
    repo = Repository.from_url(url)
    repo.check_schema()
    before = repo.outbox_counts()
    rss_before = _current_rss_mb()
    if trace:
        tracemalloc.start()
    t0, cpu0 = time.perf_counter(), time.process_time()
    changes = repo.apply_poll(observation, now=POLL_NOW)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    after = repo.outbox_counts()
    repo.close()
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "changes": len(changes),
        "kinds": dict(Counter(c.kind.value for c in changes)),
        "deliveries": sum(after.values()) - sum(before.values()),
        "rss_before_mb": rss_before,
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "traced_peak_mb": traced,
        "mix": mix,
    }


def _current_rss_mb() -> float:
    """The process's current resident set (Linux /proc; falls back to the peak)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return pages * resource.getpagesize() / 2**20


def run_child(url: str, trace: bool) -> dict[str, object]:
    """Run :func:`measure` in a fresh interpreter and return its JSON result."""
    cmd = [sys.executable, __file__, "--measure", url] + (["--trace"] if trace else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    """Parse arguments, set up, measure, print the table; exit 1 when a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres", metavar="URL", help="run on this empty PostgreSQL database (informational)"
    )
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite temp dir")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.trace)))
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="kamerwacht-bench-"))
    try:
        if args.postgres:
            url, backend = args.postgres, "postgresql"
        else:
            url, backend = f"sqlite:///{tmp / 'bench.db'}", "sqlite"
        t0 = time.perf_counter()
        info = setup(url)
        setup_s = time.perf_counter() - t0
        traced: dict[str, object] | None = None
        if backend == "sqlite":
            copy = tmp / "trace.db"
            shutil.copy(tmp / "bench.db", copy)  # setup closed the engine: WAL checkpointed
            traced = run_child(f"sqlite:///{copy}", trace=True)
        timed = run_child(url, trace=False)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    seconds = float(timed["seconds"])  # type: ignore[arg-type]
    rss = float(timed["rss_peak_mb"])  # type: ignore[arg-type]
    print(f"\nkamerwacht state benchmark on {backend}")
    print(f"observation: {timed['mix']}")
    print(f"changes by kind: {timed['kinds']}")
    subs = info["subscriptions"]
    print(
        f"subscribers: {SUBSCRIBERS} (80% telegram, 20% email); 5% ALL, the rest 1-5 of "
        f"motion/dossier/keyword (keywords from {len(WORDS)} words, dossiers from {DOSSIERS}); "
        f"subscriptions by kind: {subs}"
    )
    goals = backend == "sqlite"  # the goals are set for the embedded default

    def verdict(ok: bool) -> str:
        return ("PASS" if ok else "FAIL") if goals else "(info)"

    rows = [
        ("setup: 100,000 motions", f"{info['motions_s']:.1f} s", "", ""),
        ("setup: 10,000 subscribers", f"{info['subscribers_s']:.1f} s", "", ""),
        ("setup total", f"{setup_s:.1f} s", "", ""),
        (
            "apply_poll wall time",
            f"{seconds:.3f} s",
            f"< {GOAL_SECONDS:.0f} s",
            verdict(seconds < GOAL_SECONDS),
        ),
        ("changes", str(timed["changes"]), "", ""),
        ("outbox rows written", f"{timed['deliveries']:,}", "", ""),
        ("RSS just before apply_poll", f"{timed['rss_before_mb']:.0f} MB", "", ""),
        (
            "peak RSS (poll process)",
            f"{rss:.0f} MB",
            f"< {GOAL_RSS_MB:.0f} MB",
            verdict(rss < GOAL_RSS_MB),
        ),
    ]
    if traced is not None:
        rows.append(
            ("tracemalloc peak in apply_poll", f"{traced['traced_peak_mb']:.0f} MB", "", "")
        )
        rows.append(("apply_poll under tracemalloc", f"{traced['seconds']:.3f} s", "", ""))
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{width}}  {'value':>12}  {'goal':>9}  pass")
    for name, value, goal, ok in rows:
        print(f"{name:<{width}}  {value:>12}  {goal:>9}  {ok}")
    return 0 if not goals or (seconds < GOAL_SECONDS and rss < GOAL_RSS_MB) else 1


if __name__ == "__main__":
    sys.exit(main())
