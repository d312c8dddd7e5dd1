"""A non-editable install carries its run-time files: templates, migrations, the replay package
and its data (the demo serves it)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (wheel,) = out.glob("kamerwacht-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def test_wheel_has_the_packages_and_console_script(wheel_names: set[str]) -> None:
    for module in (
        "bot/cli.py",
        "replay/server.py",
        "scrapers/base.py",
        "state/models.py",
        "templates/render.py",
    ):
        assert module in wheel_names
    entry = next(n for n in wheel_names if n.endswith("entry_points.txt"))
    assert entry


def test_wheel_has_every_template(wheel_names: set[str]) -> None:
    templates = [p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*.html")]
    templates += [p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*.txt")]
    assert templates
    assert set(templates) <= wheel_names


def test_wheel_has_migrations_and_replay_data(wheel_names: set[str]) -> None:
    assert any(
        n.startswith("state/migrations/versions/") and n.endswith(".py") for n in wheel_names
    )
    replay = [
        p
        for p in (ROOT / "replay" / "data").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert replay
    assert {p.relative_to(ROOT).as_posix() for p in replay} <= wheel_names
