"""Crash tests: SIGKILL a delivery worker and a poll writer at random points.

1. A delivery worker (``crash_worker.py``) is killed several times while draining the outbox and
   restarted; in the end every (subscriber, change) was sent at least once, and the duplicates are
   no more than the batches that were in flight at the kills.
2. A poll writer (``crash_poller.py``) killed during ``apply_poll`` leaves the store exactly as it
   was before the poll, or (if the kill came after the commit) exactly as after it; never a mix.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from state.models import Channel, Observation, SubscriptionKind
from state.repository import Repository

from . import crash_poller
from .factories import NOW, motion

# a kill/fault suite: slow, kept in CI (`./scripts/test` runs every marker)
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BATCH = 20


def start(module: str, *args: str) -> subprocess.Popen[str]:
    """Start ``python -m tests.state.<module> args…`` from the repository root."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", f"tests.state.{module}", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(proc: subprocess.Popen[str], marker: str) -> list[str]:
    """Read the child's stdout until ``marker`` (or EOF); returns the lines read."""
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line.strip())
        if line.strip() == marker:
            break
    return lines


def test_killed_delivery_worker_delivers_everything_once(
    backend: str, db_url: Callable[..., str], tmp_path: Path
) -> None:
    url = db_url(backend)
    repo = Repository.from_url(url)
    for n in range(40):
        sub = repo.get_or_create_subscriber(Channel.TELEGRAM, str(1000 + n))
        repo.subscribe(sub.id, SubscriptionKind.ALL)
        if n % 2:  # a second matching subscription must not mean a second message
            repo.subscribe(sub.id, SubscriptionKind.DOSSIER, "35570-V")
    observation = Observation(motions=tuple(motion(f"35570-V-{i}") for i in range(1, 21)))
    repo.apply_poll(observation, now=NOW)
    expected = {(d.subscriber_id, d.change_id) for d in repo.deliveries()}
    assert len(expected) == 800

    seed = random.randrange(2**32)
    rng = random.Random(seed)
    out = tmp_path / "sent.txt"
    kills = 0
    for _ in range(5):
        proc = start("crash_worker", url, str(out), str(BATCH))
        wait_for(proc, "ready")
        time.sleep(rng.uniform(0.01, 0.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        kills += proc.returncode == -signal.SIGKILL
    proc = start("crash_worker", url, str(out), str(BATCH))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err

    lines = out.read_text(encoding="utf-8").splitlines()
    sent = Counter(tuple(int(x) for x in line.split(",")) for line in lines)
    duplicates = sum(n - 1 for n in sent.values())
    context = f"seed={seed} kills={kills} duplicates={duplicates} lines={len(lines)}"
    print(f"delivery crash test ({backend}): {context}")
    assert set(sent) == expected, context
    assert kills >= 1, context
    assert duplicates <= kills * BATCH, context
    assert repo.outbox_counts()["sent"] == 800, context
    repo.close()


def snapshot(url: str) -> tuple[Any, ...]:
    """Everything a poll writes, as comparable values (the outbox by its counts)."""
    repo = Repository.from_url(url)
    try:
        return (
            repo.board(),
            repo.letters(),
            repo.changes(),
            repo.outbox_counts(),
            repo.get_cursors("tweedekamer"),
        )
    finally:
        repo.close()


def test_killed_poll_leaves_previous_state(tmp_path: Path) -> None:
    pre = tmp_path / "pre.db"
    repo = Repository.from_url(f"sqlite:///{pre}")
    repo.upgrade()
    repo.apply_poll(
        crash_poller.pre_observation(),
        cursors={("tweedekamer", "Zaak"): "before-poll"},
        notify=False,
        now=crash_poller.SETUP_NOW,
    )
    for n in range(50):
        sub = repo.get_or_create_subscriber(Channel.TELEGRAM, str(n))
        repo.subscribe(sub.id, SubscriptionKind.ALL)
    repo.close()  # checkpoints the WAL: pre.db alone holds the state

    post = tmp_path / "post.db"
    shutil.copy(pre, post)
    repo = Repository.from_url(f"sqlite:///{post}")
    repo.apply_poll(
        crash_poller.poll_observation(), cursors=crash_poller.CURSORS, now=crash_poller.POLL_NOW
    )
    repo.close()
    before, after = snapshot(f"sqlite:///{pre}"), snapshot(f"sqlite:///{post}")
    assert before != after
    assert after[3]["pending"] > 50_000  # the poll writes many outbox rows: a long transaction

    seed = random.randrange(2**32)
    rng = random.Random(seed)
    mid_write = 0
    for attempt in range(4):
        db = tmp_path / f"run{attempt}.db"
        shutil.copy(pre, db)
        url = f"sqlite:///{db}"
        proc = start("crash_poller", url)
        assert "writing" in wait_for(proc, "writing"), f"seed={seed}"
        time.sleep(rng.uniform(0.0, 0.25))
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate(timeout=10)
        committed = "committed" in rest
        state = snapshot(url)
        assert state == (after if committed else before), f"seed={seed} attempt={attempt}"
        mid_write += not committed
        if mid_write == 1 and not committed:  # the next poll after a crash completes normally
            repo = Repository.from_url(url)
            repo.apply_poll(
                crash_poller.poll_observation(),
                cursors=crash_poller.CURSORS,
                now=crash_poller.POLL_NOW,
            )
            repo.close()
            assert snapshot(url) == after, f"seed={seed} attempt={attempt}"
    print(f"poll crash test: seed={seed} kills inside the transaction={mid_write}/4")
    assert mid_write >= 1, f"seed={seed}: no kill landed inside the transaction"
