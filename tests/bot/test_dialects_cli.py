"""`kamerwacht poll --once` gives the same board against OData v4/2.0 and the v5 dialect."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.bot.test_sources_check import _replay


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_same_board_through_v2_and_v5(tmp_path: Path) -> None:
    server = _replay("default", tmp_path)
    env = next(server)  # the replay process lives until the generator is closed
    base = env["KAMERWACHT_TWEEDEKAMER_URL"].removesuffix("/OData/v5")
    boards = {}
    try:
        for dialect, path in (("v2", "/OData/v4/2.0"), ("v5", "/OData/v5")):
            mine = dict(env)
            mine["KAMERWACHT_TWEEDEKAMER_URL"] = base + path
            mine["KAMERWACHT_DATABASE_URL"] = f"sqlite:///{tmp_path}/{dialect}.db"
            run(mine, "db", "upgrade")
            run(mine, "poll", "--once")
            board = json.loads(run(mine, "motions", "--json"))
            boards[dialect] = [{k: v for k, v in m.items() if k != "updated"} for m in board]
    finally:
        server.close()
    assert len(boards["v5"]) >= 32
    assert boards["v2"] == boards["v5"]  # all but the time each was stored
