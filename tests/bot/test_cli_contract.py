"""The command line's contract: --help everywhere, bad arguments → one line and exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main

COMMANDS = [
    "backfill",
    "digest",
    "run",
    "demo",
    "poll",
    "extract",
    "status",
    "motions",
    "changes",
    "sources",
    "db",
    "replay",
    "overdue",
    "agenda",
    "commitments",
]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_top_level_help_lists_every_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_describing_it(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert f"kamerwacht {command}" in out
    # a real description, not just the usage line
    assert len(out.splitlines()) > 4


@pytest.mark.parametrize(
    "argv",
    [
        ["no-such-command"],
        ["status"],
        ["status", "21501-02-2228", "--bogus"],
        ["extract"],
        ["db", "downgrade"],
        ["run", "--role", "janitor"],
        ["replay", "--port", "eighty"],
        ["backfill"],
        ["backfill", "--since", "yesterday"],
        ["digest", "--frequency", "hourly"],
        ["changes", "--since", "last week"],
        ["overdue", "--today", "tomorrow"],
        ["overdue", "--months", "0"],
        [],
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(argv: list[str]) -> None:
    result = run_cli(*argv)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "error" in lines[0]
    assert "Traceback" not in result.stderr


def test_invalid_setting_is_one_line_exit_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    env = dict(
        os.environ,
        KAMERWACHT_WEB_PORT="not-a-port",
        KAMERWACHT_DATABASE_URL=f"sqlite:///{tmp_path}/x.db",
    )
    result = run_cli("motions", env=env)
    assert result.returncode == 2
    assert "KAMERWACHT_WEB_PORT" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_parser_knows_the_roles() -> None:
    args = build_parser().parse_args(["run", "--role", "worker"])
    assert args.role == "worker"


def test_read_commands_are_marked_and_give_the_collector_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read commands run without the cyclic collector (a short-lived process); main() turns it
    back on, also after an error, so a caller in the same process keeps it; the service does
    not run without it."""
    import gc

    from bot.cli import READ_COMMANDS

    parser = build_parser()
    for command in READ_COMMANDS:
        extra = ["x"] if command == "status" else []
        assert parser.parse_args([command, *extra]).read is True
    assert not getattr(parser.parse_args(["run"]), "read", False)
    assert not getattr(parser.parse_args(["poll", "--once"]), "read", False)
    assert not getattr(parser.parse_args(["extract", "x.pdf"]), "read", False)

    monkeypatch.setenv("KAMERWACHT_DATABASE_URL", f"sqlite:///{tmp_path}/none/kw.db")
    assert gc.isenabled()
    assert main(["status", "21501-02-2228"]) == 1  # an empty database: one line, exit 1
    assert gc.isenabled()
    assert "kamerwacht: error:" in capsys.readouterr().err
