"""Benchmark: the scale-out deployment on PostgreSQL against a Bot API that enforces 30 msg/s.

A throwaway PostgreSQL cluster (loopback), ``kamerwacht db upgrade``, ``--chats`` Telegram chats
following everything, then the deployment as separate processes, as docker-compose runs it:
``kamerwacht run --role poller`` (polling the loopback replay server of recorded real data: one
poll stores its real changes), ``--role bot``, ``--role web`` and three ``--role worker``.
The fake Bot API (its own process) answers 429 to any sendMessage beyond 30 in one second.

Three runs, each on a fresh database:

* ``clean``: no fault. Goal: no 429 at all, at least 0.95 of 30 msg/s sustained (messages over
  the span from the first to the last send), every (chat, change) delivered exactly once, each
  chat's messages in order and one grouped message per letter per chat. The expected messages
  of a chat are planned from its outbox rows (``bot.telegram.outgoing.plan_messages``, in row
  order) and compared with what the fake received, message by message.
* ``rtt``: the same with 100 ms added to every sendMessage answer (Telegram is not on
  loopback). Goal: still at least 0.95 of 30 msg/s.
* ``faults``: one worker SIGKILLed at a third of the run (and started again, as a supervisor
  would), PostgreSQL stopped (``-m immediate``) at two thirds and started 5 s later. Goal:
  nothing lost, order kept, duplicates within what was in flight (the killed worker's last
  half second of sends and its 8 concurrent messages: at most 23).

    .venv/bin/python bench/bench_scaleout.py              # ~4 min on a 2-core machine
    .venv/bin/python bench/bench_scaleout.py --chats 60   # longer runs
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.telegram.outgoing import plan_messages  # noqa: E402
from state.models import Channel, ClaimedDelivery, SubscriptionKind  # noqa: E402
from state.repository import Repository  # noqa: E402
from state.routing import CLASSES, Route  # noqa: E402
from tests.conftest import PgServer, _find_bindir, _free_port  # noqa: E402
from tests.telegram.fake_bot_api import TOKEN  # noqa: E402

LIMIT = 30.0
GOAL_RATIO = 0.95
IN_FLIGHT_BOUND = int(LIMIT * 0.5) + 8  # one flush interval of sends + the concurrent ones
PUBLIC_URL = "https://kamerwacht.example"
ROLES = ("poller", "bot", "web", "worker", "worker", "worker")


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- processes


def start_pg(root: Path) -> PgServer:
    bindir = _find_bindir()
    if bindir is None:
        raise SystemExit("bench_scaleout: PostgreSQL is not installed (initdb not found)")
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(root, "postgres", "postgres")
    data, port, user = root / "data", _free_port(), "kamerwacht"
    subprocess.run(
        [*as_postgres, str(bindir / "initdb"), "-D", str(data), "-U", user, "--auth=trust",
         "-E", "UTF8", "--no-locale"],
        check=True, capture_output=True,
    )  # fmt: skip
    options = (
        f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=100"
    )
    pg_ctl = (*as_postgres, str(bindir / "pg_ctl"), "-D", str(data))
    server = PgServer("127.0.0.1", port, user, bindir, pg_ctl, options, root / "log")
    server.start()
    return server


def read_ready(proc: subprocess.Popen[str], prefix: str) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith(prefix):
        proc.kill()
        raise RuntimeError(f"helper process did not start: {line!r}")
    return line


@dataclass
class Deployment:
    """The processes of one run."""

    env: dict[str, str]
    logdir: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, role: str) -> None:
        log = (self.logdir / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--role", role],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


# --------------------------------------------------------------------------- checks


def expected_messages(repo: Repository, chats: list[int]) -> dict[int, list[str]]:
    """Each chat's messages as planned from its outbox rows, in row order."""
    changes = {c.id: c for c in repo.changes()}
    motion_ids = {c.motion_id for c in changes.values() if c.motion_id}
    letter_ids = {c.letter_id for c in changes.values() if c.letter_id}
    motions = {m: rec for m in motion_ids if (rec := repo.get_motion(m)) is not None}
    letters = {x: rec for x in letter_ids if (rec := repo.get_letter(x)) is not None}
    out: dict[int, list[str]] = {}
    for chat in chats:
        sub = repo.get_subscriber(Channel.TELEGRAM, str(chat))
        assert sub is not None
        items = [
            ClaimedDelivery(delivery=d, subscriber=sub, change=changes[d.change_id])
            for d in repo.deliveries(subscriber_id=sub.id)
        ]
        plan = plan_messages(items, motions=motions, letters=letters, public_url=PUBLIC_URL)
        out[chat] = [part for message in plan for part in message.parts]
    return out


def grouped_count(repo: Repository, chat: int) -> int:
    changes = {c.id: c for c in repo.changes()}
    sub = repo.get_subscriber(Channel.TELEGRAM, str(chat))
    assert sub is not None
    letters = Counter(
        changes[d.change_id].letter_id
        for d in repo.deliveries(subscriber_id=sub.id)
        if changes[d.change_id].kind.value == "execution_reported"
    )
    return sum(1 for n in letters.values() if n > 1)


def check(repo: Repository, chats: list[int], sent: list[list[Any]]) -> dict[str, Any]:
    expected = expected_messages(repo, chats)
    got: dict[int, list[str]] = {chat: [] for chat in chats}
    for chat_id, html in sent:
        got.setdefault(int(chat_id), []).append(html)
    lost = duplicated = out_of_order = 0
    for chat in chats:
        want, have = expected[chat], got[chat]
        counts = Counter(have)
        duplicated += sum(n - 1 for n in counts.values() if n > 1)
        lost += sum(1 for html in set(want) if html not in counts)
        first_seen = list(dict.fromkeys(have))
        if [h for h in first_seen if h in set(want)] != want:
            out_of_order += 1
    messages_per_chat = len(expected[chats[0]])
    groups_per_chat = grouped_count(repo, chats[0])
    grouped_ok = all(
        sum(1 for h in got[c] if "moties" in h and h in expected[c]) >= groups_per_chat
        for c in chats
    )
    return {
        "expected": sum(len(v) for v in expected.values()),
        "messages_per_chat": messages_per_chat,
        "letters_grouped_per_chat": groups_per_chat,
        "lost": lost,
        "duplicated": duplicated,
        "chats_out_of_order": out_of_order,
        "grouped_ok": grouped_ok,
        "outbox": repo.outbox_counts(),
    }


# --------------------------------------------------------------------------- one run


def run(name: str, args: argparse.Namespace, pg: PgServer, work: Path) -> dict[str, Any]:
    db = f"kw_bench_{name}"
    pg.sql(f"DROP DATABASE IF EXISTS {db}")
    pg.sql(f"CREATE DATABASE {db}")
    url = pg.url(db)
    repo = Repository.from_url(url)
    repo.upgrade()
    chats = [600_000_000 + i for i in range(args.chats)]
    for chat in chats:
        sub = repo.get_or_create_subscriber(Channel.TELEGRAM, str(chat))
        repo.subscribe(sub.id, SubscriptionKind.ALL)
        # every change at once, new documents and overdue motions too (by default they wait for
        # the weekly and daily digests, issue 17): the benchmark measures sending, so every row
        # is an instant message
        repo.set_routes(sub.id, dict.fromkeys(CLASSES, Route.INSTANT))

    delay = 0.1 if name == "rtt" else 0.0
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.telegram.fake_bot_api", "--rate-limit", str(LIMIT),
         "--retry-after", "1", "--delay", str(delay)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    fake_port = int(read_ready(fake, "READY ").split()[1])
    replay_port = _free_port()
    replay = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "replay", "--port", str(replay_port)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    read_ready(replay, "kamerwacht replay")
    base = f"http://127.0.0.1:{replay_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMERWACHT_")} | {
        "KAMERWACHT_DATABASE_URL": url,
        "KAMERWACHT_TELEGRAM_TOKEN": TOKEN,
        "KAMERWACHT_TELEGRAM_API_URL": f"http://127.0.0.1:{fake_port}/bot",
        "KAMERWACHT_PUBLIC_URL": PUBLIC_URL,
        "KAMERWACHT_WEB_PORT": str(_free_port()),
        "KAMERWACHT_TWEEDEKAMER_URL": f"{base}/OData/v5",
        "KAMERWACHT_TWEEDEKAMER_SYNCFEED_URL": f"{base}/SyncFeed/2.0",
        "KAMERWACHT_OFFICIELEBEKENDMAKINGEN_URL": f"{base}/repository",
        "KAMERWACHT_OFFICIELEBEKENDMAKINGEN_RSS_URL": f"{base}/zoek/rss",
        "KAMERWACHT_RIJKSOVERHEID_FEED_URL": f"{base}/rijksoverheid/v1/sources/rijksoverheid"
        "/documents",
        "KAMERWACHT_HTTP_MIN_INTERVAL": "0",
        "KAMERWACHT_POLL_INTERVAL": "3600",
        "KAMERWACHT_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        "PTB_TIMEDELTA": "1",
    }
    logdir = work / name
    logdir.mkdir()
    deployment = Deployment(env, logdir)
    counts = Counter(ROLES)
    seen: Counter[str] = Counter()
    for role in ROLES:
        seen[role] += 1
        deployment.start(f"{role}{seen[role]}" if counts[role] > 1 else role, role)
    events: list[str] = []
    started = time.monotonic()
    total = None
    try:
        killed = restarted_pg = False
        while time.monotonic() - started < args.timeout:
            time.sleep(1)
            try:
                outbox = repo.outbox_counts()
            except Exception:  # PostgreSQL is down in the fault run
                continue
            rows = sum(outbox.values())
            if rows and total is None and outbox["pending"] + outbox["claimed"] + outbox["sent"]:
                total = rows
            done = outbox["sent"] + outbox["failed"] + outbox["skipped"]
            if total and done >= total and outbox["pending"] == outbox["claimed"] == 0:
                break
            if name == "faults" and total:
                if not killed and done >= total / 3:
                    victim = deployment.procs["worker1"]
                    victim.send_signal(signal.SIGKILL)
                    victim.wait()
                    events.append(f"worker1 SIGKILLed at {done}/{total} rows")
                    time.sleep(1)
                    deployment.start("worker1", "worker")  # the supervisor restarts it
                    killed = True
                elif killed and not restarted_pg and done >= 2 * total / 3:
                    pg.stop()
                    events.append(f"PostgreSQL stopped at {done}/{total} rows")
                    time.sleep(5)
                    pg.start()
                    restarted_pg = True
                    events.append("PostgreSQL started 5 s later")
        elapsed = time.monotonic() - started
        stats = get_json(f"http://127.0.0.1:{fake_port}/__fake/stats")
        sent = get_json(f"http://127.0.0.1:{fake_port}/__fake/sent")
    finally:
        deployment.stop()
        for helper in (fake, replay):
            helper.terminate()
            helper.wait(timeout=20)
    result = check(repo, chats, sent)
    repo.close()
    span = float(stats["last_send"]) - float(stats["first_send"])
    rate = len(sent) / span if span > 0 else 0.0
    result |= {
        "run": name,
        "chats": len(chats),
        "sent": len(sent),
        "count_429": stats["count_429"],
        "tightest_window_ms": stats.get("tightest_window_ms"),
        "span_s": span,
        "rate": rate,
        "ratio": rate / LIMIT,
        "elapsed_s": elapsed,
        "finished": total is not None and result["outbox"]["pending"] == 0,
        "events": events,
    }
    return result


def verdict(r: dict[str, Any]) -> bool:
    exact = r["lost"] == 0 and r["chats_out_of_order"] == 0 and r["grouped_ok"] and r["finished"]
    if r["run"] == "faults":
        return exact and r["duplicated"] <= IN_FLIGHT_BOUND
    return exact and r["duplicated"] == 0 and r["count_429"] == 0 and r["ratio"] >= GOAL_RATIO


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=30, help="chats following everything")
    parser.add_argument("--runs", default="clean,rtt,faults", help="comma-separated runs")
    parser.add_argument("--timeout", type=float, default=240, help="seconds per run at most")
    args, _ = parser.parse_known_args(argv)
    root = Path(tempfile.mkdtemp(prefix="kw-bench-scaleout-"))
    root.chmod(0o755)  # the postgres user runs the cluster below it
    pgdir = root / "pg"
    pgdir.mkdir()
    pg = start_pg(pgdir)
    results = []
    try:
        for name in args.runs.split(","):
            progress(f"scale-out: run {name!r} with {args.chats} chats ...")
            results.append(run(name, args, pg, root))
    finally:
        pg.stop()
        if os.environ.get("BENCH_KEEP"):
            progress(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(
        "\nScale-out on PostgreSQL: poller, bot, web and 3 workers (separate processes);"
        f" fake Bot API answering 429 beyond {LIMIT:g} sendMessage/s"
    )
    print(
        f"{'run':<7} {'msgs':>5} {'429s':>5} {'msg/s':>6} {'ratio':>6} {'lost':>5} {'dup':>4} "
        f"{'order!':>6} {'grouped':>7}  goal"
    )
    ok = True
    for r in results:
        passed = verdict(r)
        ok &= passed
        print(
            f"{r['run']:<7} {r['sent']:>5} {r['count_429']:>5} {r['rate']:>6.2f} "
            f"{r['ratio']:>6.3f} {r['lost']:>5} {r['duplicated']:>4} "
            f"{r['chats_out_of_order']:>6} {'yes' if r['grouped_ok'] else 'NO':>7}  "
            f"{'PASS' if passed else 'FAIL'}"
        )
        print(f"        tightest 31 accepted sends: {r['tightest_window_ms']} ms (< 1000: a 429)")
        for event in r["events"]:
            print(f"        {event}")
    print(
        f"({results[0]['chats'] if results else 0} chats x "
        f"{results[0]['messages_per_chat'] if results else 0} messages, "
        f"{results[0]['letters_grouped_per_chat'] if results else 0} grouped per chat; goals: "
        f"clean/rtt no 429, ratio >= {GOAL_RATIO}, exactly once, in order, grouped; rtt adds "
        f"100 ms to every answer; faults: nothing lost, in order, duplicates <= {IN_FLIGHT_BOUND})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
