"""The link phase of a bulk load of ads (``ads/bulk.py``: clusters, networks, keys, bands, sightings, refresh,
indexes) measured alone, again and again, on one loaded corpus, without loading it each time.

    # once: a database with the corpus stored (phase 1) but not linked
    .venv/bin/python benchmarks/bench_ads_link.py load --ads 100000 [--seed 1] [--db vigil_ads8_l100k]
    # each try: a copy of it (CREATE DATABASE ... TEMPLATE), linked and scored against the truth
    .venv/bin/python benchmarks/bench_ads_link.py link --ads 100000 [--seed 1] [--db vigil_ads8_l100k] [--keep]

``load`` runs the default import of bench_ads (a bulk load into an empty database) with the link left out, as an
import interrupted between its two phases leaves it. ``link`` copies that database (``<db>_try``, dropped first and,
without ``--keep``, afterwards), runs ``bulk.link`` in this process and prints its step times, the CPU seconds of
this process and of its PostgreSQL backend (its parallel workers included), the peak memory (RSS) of this process
during the link, and pairwise precision/recall/F1 of template clusters and networks over the latest capture of each
ad (``bench_ads.pairs_score``). Figures go to benchmarks/out/ads-link-<N>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ads import CpuSampler, pairs_score  # noqa: E402
from common import OUT, ROOT, existing_database, fresh_database, vigil  # noqa: E402


def _admin(url: str, db: str) -> str:
    return url.replace(f"/{db}?", "/postgres?")


def load(args) -> None:
    """A fresh database with the corpus loaded by a bulk import whose link is left out."""
    corpus = OUT / f"ads-{args.ads}-{args.seed}.jsonl"
    if not corpus.exists():
        sys.exit(f"{corpus} missing: make it with benchmarks/bench_ads.py --ads {args.ads} --seed {args.seed}")
    env = fresh_database(args.db)
    vigil("migrate", env=env)
    vigil("demo", "--no-serve", "--signals", "0", "--ads", "0", env=env)
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "_import", str(corpus)], env=env, cwd=ROOT, check=True)
    print(f"loaded {corpus.name} into {args.db} in {time.perf_counter() - started:.0f} s (not linked)")


def _import(path: str) -> None:
    """In a child process: the import with ``bulk.link`` left out (the load stays pending, its file finished)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    import django

    django.setup()
    from vigil.ads import bulk
    from vigil.ads.importer import import_ads

    bulk.link = lambda load=None: {}
    report = import_ads(Path(path), mode="bulk")
    print(f"{report.lines} lines, {report.result.created} new, {report.result.updated} updated")


def _latest_truth(path: Path) -> dict:
    """(site, id) -> (template, network) of each ad's latest capture in the truth file."""
    latest = {}
    with path.open() as f:
        for line in f:
            t = json.loads(line)
            latest[(t["site"], t["id"])] = (t["template"], t["network"])
    return latest


def _cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat", "rb") as f:
        stat = f.read().rsplit(b")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


class _Sampler(CpuSampler):
    """bench_ads' sampler, with the parallel workers of the one backend (index builds) counted as that backend."""

    backend = 0

    def kind(self, pid: int, cmdline: str, parent: dict) -> str:
        if self.backend and f"parallel worker for PID {self.backend}" in cmdline:
            return "postgres parallel workers"
        return super().kind(pid, cmdline, parent)


def link(args) -> None:
    import psycopg

    source, db = args.db, f"{args.db}_try"
    env = existing_database(source)
    with psycopg.connect(_admin(env["DATABASE_URL"], source), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {db} TEMPLATE {source}")
    os.environ["VIGIL_DB_NAME"] = db
    os.environ["DATABASE_URL"] = env["DATABASE_URL"].replace(f"/{source}?", f"/{db}?")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    import django

    django.setup()
    from django.db import connection

    from vigil.ads import bulk, export

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    sampler = _Sampler(os.getpid(), db)
    sampler.backend = backend
    sampler.start()
    Path("/proc/self/clear_refs").write_text("5")  # the peak RSS from here on (VmHWM)
    own, theirs, started = time.process_time(), _cpu(backend), time.perf_counter()
    figures = bulk.link()
    seconds = time.perf_counter() - started
    own, theirs = time.process_time() - own, _cpu(backend) - theirs
    sampled = sampler.stop()
    status = Path("/proc/self/status").read_text()
    peak = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024
    clusters, networks = {}, {}
    for line in export.lines():
        row = json.loads(line)
        clusters[(row["site"], row["id"])] = row["cluster"]
        networks[(row["site"], row["id"])] = row["network"]
    connection.close()
    truth = _latest_truth(OUT / f"ads-{args.ads}-{args.seed}.truth.jsonl")
    result = {
        "ads_lines": args.ads, "seconds": round(seconds, 1), "load_average": os.getloadavg(),
        "cpu_seconds": {"python": round(own, 1), "backend": round(theirs, 1),
                        "parallel_workers_sampled": sampled.get("postgres parallel workers", 0.0),
                        "total": round(own + theirs + sampled.get("postgres parallel workers", 0.0), 1)},
        "peak_rss_mb": round(peak),
        "max_rss_mb_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "templates": pairs_score(clusters, {k: t[0] for k, t in truth.items()}),
        "networks": pairs_score(networks, {k: t[1] for k, t in truth.items()}),
        "link": figures,
    }
    if not args.keep:
        with psycopg.connect(_admin(env["DATABASE_URL"], source), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    (OUT / f"ads-link-{args.ads}.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


def main() -> None:
    if sys.argv[1:2] == ["_import"]:
        return _import(sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("load", "link"))
    parser.add_argument("--ads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="the loaded database (default vigil_ads_link_<N>; VIGIL_BENCH_DB as a prefix)")
    parser.add_argument("--keep", action="store_true", help="keep the linked copy (<db>_try)")
    args = parser.parse_args()
    args.db = args.db or f"{os.environ.get('VIGIL_BENCH_DB', 'vigil_ads_link')}_{args.ads}"
    (load if args.what == "load" else link)(args)


if __name__ == "__main__":
    main()
