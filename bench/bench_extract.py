"""Benchmark: extraction throughput on the recorded letter texts (one core, pure Python).

Runs ``scrapers.letters.extract_document`` on every letter in ``../shared/fixtures/letters`` (or
``$KAMERWACHT_SHARED_FIXTURES/letters``) repeatedly and prints, per file: size, milliseconds per
run, MB/s and motions found. The goal is at least 2 MB/s, i.e. the 30 KB letter in under 15 ms.

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
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < seconds or runs < 5:
        extract_document(text)
        runs += 1
        elapsed = time.perf_counter() - start
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
    header = f"{'file':<52} {'bytes':>7} {'ms/run':>8} {'MB/s':>7} {'motions':>8}"
    print(header)
    print("-" * len(header))
    total_bytes = 0
    total_seconds = 0.0
    for path in letters:
        text = path.read_text(encoding="utf-8")
        size = len(text.encode("utf-8"))
        per_run, motions = bench_one(text, args.seconds)
        total_bytes += size
        total_seconds += per_run
        mbps = size / per_run / 1e6
        print(f"{path.name:<52} {size:>7} {per_run * 1000:>8.2f} {mbps:>7.2f} {motions:>8}")
    overall = total_bytes / total_seconds / 1e6
    print("-" * len(header))
    print(f"{'all letters':<52} {total_bytes:>7} {total_seconds * 1000:>8.2f} {overall:>7.2f}")
    if args.min_mbps is not None and overall < args.min_mbps:
        print(f"throughput {overall:.2f} MB/s is below {args.min_mbps} MB/s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
