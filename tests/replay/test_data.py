"""replay/data is exactly what the derivation script builds from the shared fixtures."""

from __future__ import annotations

import json

from replay.derive.build import build
from replay.scenarios import DATA, REPLAY_NOW, snapshot


def test_replay_data_is_up_to_date() -> None:
    files = build()
    on_disk = {p.name for p in DATA.iterdir() if p.is_file()} - {"README.md", "__init__.py"}
    assert on_disk == set(files)
    stale = [name for name, content in files.items() if (DATA / name).read_bytes() != content]
    assert not stale, f"run python -m replay.derive ({stale})"


def test_derived_files_are_marked_and_carry_evidence() -> None:
    for path in DATA.glob("*DERIVED*.json"):
        data = json.loads(path.read_text("utf-8"))
        assert "DERIVED" in data["_about"] or "Evidence" in data["_about"]


def test_replay_now_is_after_every_recorded_timestamp() -> None:
    graph = snapshot("default", 0).graph
    stamps = [
        r["ApiGewijzigdOp"]
        for records in graph.sets.values()
        for r in records.values()
        if r.get("ApiGewijzigdOp")
    ]
    assert max(stamps) <= REPLAY_NOW
