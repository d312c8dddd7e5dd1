"""Benchmark: extraction throughput on the recorded letter texts (one core, pure Python).

Runs ``scrapers.letters.extract_document`` on every letter in ``../shared/fixtures/letters`` (or
``$KAMERWACHT_SHARED_FIXTURES/letters``) and on the real texts of every other form in
``tests/scrapers/realtexts`` (Handelingen, vote pages, motion texts, website letters, budget
annexes) repeatedly and prints, per file: size, milliseconds per run (CPU time of this process,
so other load on the machine does not count), MB/s and motions found, and a total per group.
The goal is at least 2 MB/s, i.e. the 30 KB letter in under 15 ms.

    .venv/bin/python bench/bench_extract.py [--seconds 0.5] [--min-mbps 2]

Exits 1 when ``--min-mbps`` is given and the overall throughput is below it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scrapers.letters import extract_document  # noqa: E402

SHARED = Path(os.environ.get("KAMERWACHT_SHARED_FIXTURES", ROOT.parent / "shared" / "fixtures"))


def bench_one(text: str, seconds: float) -> tuple[float, int]:
    """Return (seconds per run, motions found) for repeated extraction of ``text``."""
    motions = len(extract_document(text).motions)  # warm-up (regex caches, imports)
    runs = 0
    start = time.process_time()
    elapsed = 0.0
    while elapsed < seconds or runs < 5:
        extract_document(text)
        runs += 1
        elapsed = time.process_time() - start
    return elapsed / runs, motions


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="time spent per file")
    parser.add_argument("--min-mbps", type=float, default=None, help="fail below this throughput")
    args = parser.parse_args(argv)

    letters = sorted((SHARED / "letters").glob("*.txt"))
    if not letters:
        print(f"no letters found under {SHARED / 'letters'}", file=sys.stderr)
        return 2
    forms = sorted((ROOT / "tests" / "scrapers" / "realtexts").glob("*.txt"))
    worst = min(
        _table("all letters", letters, args.seconds),
        _table("all other forms", forms, args.seconds) if forms else float("inf"),
    )
    if args.min_mbps is not None and worst < args.min_mbps:
        print(f"throughput {worst:.2f} MB/s is below {args.min_mbps} MB/s", file=sys.stderr)
        return 1
    return 0


def _table(label: str, paths: list[Path], seconds: float) -> float:
    """Print one table of files and return the group's throughput in MB/s."""
    header = f"{'file':<52} {'bytes':>7} {'ms/run':>8} {'MB/s':>7} {'motions':>8}"
    print(header)
    print("-" * len(header))
    total_bytes = 0
    total_seconds = 0.0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        size = len(text.encode("utf-8"))
        per_run, motions = bench_one(text, seconds)
        total_bytes += size
        total_seconds += per_run
        mbps = size / per_run / 1e6
        print(f"{path.name:<52} {size:>7} {per_run * 1000:>8.2f} {mbps:>7.2f} {motions:>8}")
    overall = total_bytes / total_seconds / 1e6
    print("-" * len(header))
    print(f"{label:<52} {total_bytes:>7} {total_seconds * 1000:>8.2f} {overall:>7.2f}")
    print()
    return overall


if __name__ == "__main__":
    raise SystemExit(main())
