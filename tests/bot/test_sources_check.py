"""`kamerwacht sources --check`: every upstream probed now, one row per source, honest exit code."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMERWACHT_")}
    env["PYTHONPATH"] = str(ROOT)
    env["KAMERWACHT_DATABASE_URL"] = f"sqlite:///{tmp_path}/check.db"
    env["KAMERWACHT_HTTP_MIN_INTERVAL"] = "0"
    env["KAMERWACHT_HTTP_RETRIES"] = "0"
    return env


def _replay(scenario: str, tmp_path: Path, *extra: str) -> Iterator[dict[str, str]]:
    port = _free_port()
    env = _clean_env(tmp_path)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "replay",
            "--scenario",
            scenario,
            "--port",
            str(port),
            *list(extra),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        urls: dict[str, str] = {}
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.startswith("KAMERWACHT_") and "=" in line:
                key, value = line.strip().split("=", 1)
                urls[key] = value
            if line.startswith("# Ctrl-C") or not line:
                break
        assert "KAMERWACHT_TWEEDEKAMER_SYNCFEED_URL" in urls, urls
        env.update(urls)
        yield env
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def healthy(tmp_path: Path) -> Iterator[dict[str, str]]:
    yield from _replay("default", tmp_path)


@pytest.fixture
def html_200(tmp_path: Path) -> Iterator[dict[str, str]]:
    yield from _replay("html-200", tmp_path)


def check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "sources", "--check", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_every_source_passes_against_the_replay(healthy: dict[str, str]) -> None:
    done = check(healthy)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {line.split()[0]: line for line in done.stdout.splitlines()}
    assert set(rows) == {
        "tweedekamer",
        "tweedekamer-syncfeed",
        "officielebekendmakingen",
        "rijksoverheid",
        "tweedekamer-toezeggingen",  # issue 17: the Toezegging schema (a warning, not required)
    }
    assert " OK " in rows["tweedekamer-toezeggingen"]
    assert "OK" in rows["tweedekamer"]
    assert "dialect v5" in rows["tweedekamer"]
    assert "Zaak 2" in rows["tweedekamer-syncfeed"]  # a head skiptoken per category
    assert "OK" in rows["rijksoverheid"]
    # the index the poll asks Handelingen by is tried too, so the first live check tells
    sru = re.search(
        r"; (\d+) Handelingen items by w.behandeldDossier on 21501-02",
        rows["officielebekendmakingen"],
    )
    assert sru is not None, rows["officielebekendmakingen"]
    assert done.stderr == ""
    as_json = json.loads(check(healthy, "--json").stdout)
    assert {r["source"]: r["ok"] for r in as_json}["tweedekamer"] is True


def test_html_answers_fail_the_check_one_row_per_source(html_200: dict[str, str]) -> None:
    done = check(html_200)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    failing = [line for line in lines if " FAIL " in line]
    assert {line.split()[0] for line in failing} >= {
        "tweedekamer",
        "tweedekamer-syncfeed",
        "officielebekendmakingen",
    }
    assert len(lines) == 5  # one per source, and the Toezegging schema row
    assert "Traceback" not in done.stdout + done.stderr


def test_nothing_listening_fails_the_check(tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    dead = f"http://127.0.0.1:{_free_port()}"
    env.update(
        {
            "KAMERWACHT_TWEEDEKAMER_URL": dead + "/OData/v5",
            "KAMERWACHT_TWEEDEKAMER_SYNCFEED_URL": dead + "/SyncFeed/2.0",
            "KAMERWACHT_OFFICIELEBEKENDMAKINGEN_URL": dead + "/repository",
            "KAMERWACHT_OFFICIELEBEKENDMAKINGEN_RSS_URL": dead + "/zoek/rss",
            "KAMERWACHT_RIJKSOVERHEID_FEED_URL": dead + "/rijksoverheid",
        }
    )
    done = check(env)
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) == 5
    assert all(" FAIL " in line or " WARN " in line for line in done.stdout.splitlines())
    assert "Traceback" not in done.stderr


def test_replay_prints_the_dialect_asked_for(tmp_path: Path) -> None:
    urls = next(_replay("default", tmp_path, "--tk-dialect", "v2"))
    assert urls["KAMERWACHT_TWEEDEKAMER_URL"].endswith("/OData/v4/2.0")
