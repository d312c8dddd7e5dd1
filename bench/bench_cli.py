"""Benchmark: the read commands as fresh processes (``kamerwacht status ID`` and friends), before
and after, side by side in one run.

*After* is this checkout; *before* is the tree of ``--before`` (a git ref, default the last
commit before the CLI was split, issue #11), exported with ``git archive`` into a temporary
directory. Both run with this venv's interpreter as the console script does
(``from bot.cli import main``), with the tree first on ``sys.path`` and a neutral working
directory (no ``.env``). Each tree gets its own SQLite store filled by its own ``kamerwacht demo``
(recorded real data on a loopback replay server), so a schema change between the two does not
matter. Every command runs once to warm the byte-code caches, then ``--runs`` times, before and
after alternating; the table gives the best and the median wall time and the median CPU time
(user + system of the child). The machine is shared: the best of N is the figure to compare.
Goal (issue #15): ``kamerwacht status ID`` under 0.5 s.

    .venv/bin/python bench/bench_cli.py [--runs 7] [--before REF] [--fail]

Exits 1 when ``--fail`` is given and the goal is not met.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "5e6542c"  # main before the CLI split of issue #11
MOTION = "21501-02-2228"
GOAL_S = 0.5
COMMANDS: list[tuple[str, list[str]]] = [
    (f"status {MOTION}", ["status", MOTION]),
    (f"status {MOTION} --json", ["status", MOTION, "--json"]),
    ("motions --json", ["motions", "--json"]),
    ("changes --json", ["changes", "--json"]),
    ("--help", ["--help"]),
]
_RUNNER = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); from bot.cli import main; sys.exit(main())"
)
_PROBE = "import sys; sys.path.insert(0, sys.argv.pop(1)); import bot.cli; print(bot.cli.__file__)"


def _env(db: Path) -> dict[str, str]:
    # an installed kamerwacht has its byte code cached: a shell that turned the cache off
    # (PYTHONDONTWRITEBYTECODE) would time compiling every module on every start instead
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KAMERWACHT_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env["KAMERWACHT_DATABASE_URL"] = f"sqlite:///{db}"
    return env


def _run(tree: Path, args: list[str], db: Path, cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one ``kamerwacht ARGS`` run from ``tree``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", _RUNNER, str(tree), *args],
        env=_env(db),
        cwd=cwd,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def _prepare(tree: Path, db: Path, cwd: Path) -> None:
    """Fill ``db`` with the demo's store, using ``tree``'s own code; check the import path."""
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tree)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    if not probe.stdout.strip().startswith(str(tree)):
        raise SystemExit(f"{tree}: bot.cli was imported from {probe.stdout.strip()}")
    subprocess.run(
        [sys.executable, "-c", _RUNNER, str(tree), "demo", "--out", str(cwd / "eml")],
        env=_env(db),
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _export(ref: str, into: Path) -> Path | None:
    """``git archive`` of ``ref`` unpacked under ``into``; None when the ref is unknown."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref], capture_output=True
    )
    if archive.returncode != 0:
        return None
    tree = into / "before"
    tree.mkdir()
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command and tree")
    parser.add_argument("--before", default=BEFORE, help=f"git ref of 'before' (default {BEFORE})")
    parser.add_argument("--fail", action="store_true", help="exit 1 when the goal is not met")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kamerwacht-bench-cli-") as tmp:
        base = Path(tmp)
        trees: dict[str, Path] = {}
        before = _export(args.before, base)
        if before is None:
            print(f"(no 'before' column: git ref {args.before!r} not found)")
        else:
            trees["before"] = before
        trees["after"] = ROOT
        dbs: dict[str, Path] = {}
        for name, tree in trees.items():
            cwd = base / f"cwd-{name}"
            cwd.mkdir()
            dbs[name] = base / f"{name}.db"
            _prepare(tree, dbs[name], cwd)
        results: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for label, command in COMMANDS:
            for name, tree in trees.items():  # warm-up: byte-code caches, page cache
                _run(tree, command, dbs[name], base / f"cwd-{name}")
            for _ in range(args.runs):
                for name, tree in trees.items():
                    results.setdefault((label, name), []).append(
                        _run(tree, command, dbs[name], base / f"cwd-{name}")
                    )

    load = os.getloadavg()[0]
    print(f"kamerwacht read commands as fresh processes, {args.runs} runs each, best / median wall")
    print(f"and median CPU; before = {args.before}, after = this checkout; load average {load:.1f}")
    print()
    header = f"{'command':<32}"
    for name in trees:
        header += f" {name + ' best':>12} {'median':>7} {'cpu':>6}"
    print(header)
    print("-" * len(header))
    for label, _ in COMMANDS:
        line = f"{label:<32}"
        for name in trees:
            walls = [w for w, _ in results[label, name]]
            cpus = [c for _, c in results[label, name]]
            line += (
                f" {min(walls):>10.3f} s {statistics.median(walls):>5.3f} s"
                f" {statistics.median(cpus):>4.2f} s"
            )
        print(line)
    best = min(w for w, _ in results[COMMANDS[0][0], "after"])
    met = best < GOAL_S
    print()
    print(
        f"goal: `kamerwacht status ID` under {GOAL_S} s (best of {args.runs}): "
        f"{best:.3f} s, {'met' if met else 'NOT met'}"
    )
    return 1 if args.fail and not met else 0


if __name__ == "__main__":
    sys.exit(main())
