"""Shared helpers for the benchmarks: a fresh database of their own, the vigil command, percentiles.

The benchmarks use the embedded PostgreSQL server (DATABASE_URL must be unset) and a
database of their own, ``vigil_bench``, which they drop and create again.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
VIGIL = [sys.executable, "-m", "vigil.cli"]


def fresh_database(db: str = "vigil_bench") -> dict:
    """Drop and create ``db`` on the embedded server; return the environment for vigil subprocesses."""
    if os.environ.get("DATABASE_URL"):
        sys.exit("benchmarks use the embedded server and drop their database: unset DATABASE_URL")
    import psycopg

    os.environ["VIGIL_DB_NAME"] = db
    from vigil.pgserver import ensure_database_url

    url = ensure_database_url()
    admin = url.replace(f"/{db}?", "/postgres?")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {db}")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS unaccent")
    return dict(os.environ, DATABASE_URL=url, VIGIL_LOG_LEVEL="WARNING", VIGIL_LOG_FORMAT="console")


def existing_database(db: str = "vigil_bench") -> dict:
    os.environ["VIGIL_DB_NAME"] = db
    from vigil.pgserver import ensure_database_url

    url = ensure_database_url()
    return dict(os.environ, DATABASE_URL=url, VIGIL_LOG_LEVEL="WARNING", VIGIL_LOG_FORMAT="console")


def vigil(*args: str, env: dict, check: bool = True, **kw) -> subprocess.CompletedProcess:
    res = subprocess.run([*VIGIL, *args], env=env, text=True, capture_output=True, cwd=ROOT, **kw)
    if check and res.returncode:
        sys.exit(f"vigil {' '.join(args)} failed:\n{res.stdout}\n{res.stderr}")
    return res


def write_signals(path: Path, n: int, seed: int = 1) -> None:
    from vigil.demo.world import generate_signals

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        for rec in generate_signals(n, seed=seed):
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def summary(values: list[float]) -> str:
    return (f"n={len(values)} p50={statistics.median(values):.1f} ms p95={percentile(values, 95):.1f} ms "
            f"max={max(values):.1f} ms")
