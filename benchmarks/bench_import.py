"""Import throughput: N generated signals (default 100,000) into an empty database, then the same file again.

    .venv/bin/python benchmarks/bench_import.py [--signals 100000]
"""

from __future__ import annotations

import argparse
import platform
import re
import time

from common import OUT, fresh_database, vigil, write_signals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--db", default="vigil_bench")
    args = parser.parse_args()
    path = OUT / f"signals-{args.signals}.jsonl"
    if not path.exists():
        t = time.perf_counter()
        write_signals(path, args.signals)
        print(f"generated {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")
    env = fresh_database(args.db)
    vigil("migrate", env=env)
    vigil("demo", "--no-serve", "--signals", "0", "--ads", "0", env=env)  # organisations and users only
    results = {}
    for label in ("first import", "same file again"):
        t = time.perf_counter()
        out = vigil("import", "signals", str(path), "--restart", env=env, check=False)
        seconds = time.perf_counter() - t
        summary = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr[-500:]
        results[label] = (seconds, summary)
        print(f"{label}: {args.signals / seconds:,.0f} signals/s wall-clock ({seconds:.1f} s) — {summary}")
    print(f"\nmachine: {platform.processor() or platform.machine()}, python {platform.python_version()}")
    rate = re.search(r"\(([\d,]+) lines/s\)", results["first import"][1])
    if rate:
        print(f"importer's own rate (excluding process start): {rate.group(1)} signals/s")


if __name__ == "__main__":
    main()
