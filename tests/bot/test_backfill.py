"""`kamerwacht backfill`: the topic's history loaded quietly from the (replayed) sources."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from replay.server import ReplayServer
from state.repository import Repository

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def replay_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """`kamerwacht replay` running as its own process; the KAMERWACHT_* URLs it prints."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMERWACHT_")}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "replay", "--scenario", "default", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        urls: dict[str, str] = {}
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        expected = len(ReplayServer().urls)  # one KAMERWACHT_*_URL line per Settings field
        while len(urls) < expected and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.startswith("KAMERWACHT_") and "=" in line:
                key, value = line.strip().split("=", 1)
                urls[key] = value
        assert len(urls) == expected, f"replay printed {urls}"
        urllib.request.urlopen(urls["KAMERWACHT_TWEEDEKAMER_URL"] + "/$metadata", timeout=10)
        env.update(urls)
        env["KAMERWACHT_DATABASE_URL"] = f"sqlite:///{tmp_path}/backfill.db"
        env["KAMERWACHT_HTTP_MIN_INTERVAL"] = "0"
        yield env
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_backfill_loads_history_without_notifications(replay_env: dict[str, str]) -> None:
    assert _cli("db", "upgrade", env=replay_env).returncode == 0
    # a subscriber who follows everything must not be flooded by history
    repo = Repository.from_url(replay_env["KAMERWACHT_DATABASE_URL"])
    from state.models import Channel, SubscriptionKind

    chat = repo.get_or_create_subscriber(Channel.TELEGRAM, "4242")
    repo.subscribe(chat.id, SubscriptionKind.ALL)

    result = _cli("backfill", "--since", "2020-09-01", env=replay_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no notifications queued" in result.stdout
    assert "tweedekamer:" in result.stdout  # the per-source progress lines

    board = {e.motion.id: e for e in repo.board()}
    assert "21501-02-2234" in board  # 2020: kept
    assert board["21501-02-2234"].execution is not None  # the 4 November 2021 report
    assert "32735-140" not in board  # 2015: before --since
    assert repo.changes()  # the history is recorded …
    assert repo.outbox_counts()["pending"] == 0  # … but nobody is told
    sources = json.loads(_cli("sources", "--json", env=replay_env).stdout)
    assert {s["source"] for s in sources if s["last_success"]} >= {"tweedekamer"}
    repo.close()
