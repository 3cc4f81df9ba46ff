"""Online ads end to end: a synthetic corpus with ground truth, imported into PostgreSQL (extraction, indicators,
template clusters, networks), then exported and scored against the truth.

    .venv/bin/python benchmarks/bench_ads.py [--ads 100000] [--seed 1] [--workers N] [--keep] [--recluster]
                                             [--incremental]

Prints and writes benchmarks/out/ads-<N>.json: ads/s end to end, peak memory (RSS) of the importing process and
of its workers, and quality: phone recall and spurious numbers per ad (truth phones of each line against the
numbers extracted from it), and pairwise precision/recall/F1 of template clusters and networks over ads (latest
capture of each (site, id); a pair is true when the truth puts both ads in one template / network; ads the export
leaves alone form no pairs). The import is the default one into an empty database, a bulk load (``ads/bulk.py``),
whose linking figures are printed too; ``--incremental`` measures the batch-by-batch path instead. With ``--recluster``, the clusters are then made again in one pass (``vigil ads
recluster --stop-list``: the stop list counted over every stored ad) and scored again. Set ``VIGIL_BENCH_DB`` to
use a database of your own (it is dropped and made again).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, ROOT, VIGIL, fresh_database, vigil  # noqa: E402


def pairs_score(groups_pred: dict, groups_true: dict) -> dict:
    """Pairwise precision/recall over items, from item -> group id (None: alone) maps, without listing pairs."""
    def pair_count(sizes):
        return sum(n * (n - 1) // 2 for n in sizes)

    pred, true, both = defaultdict(int), defaultdict(int), defaultdict(int)
    for _item, g in groups_pred.items():
        if g is not None:
            pred[g] += 1
    for item, g in groups_true.items():
        true[g] += 1
        p = groups_pred.get(item)
        if p is not None:
            both[(p, g)] += 1
    tp = pair_count(both.values())
    pp, tt = pair_count(pred.values()), pair_count(true.values())
    precision = tp / pp if pp else 1.0
    recall = tp / tt if tt else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "true_pairs": tt,
            "predicted_pairs": pp}


class CpuSampler(threading.Thread):
    """CPU seconds (user + system, from /proc) used during the import, per kind of process: the storing process, its
    fork server and the workers, this database's PostgreSQL backends and autovacuum workers, and PostgreSQL's shared
    processes (writers, checkpointer: for every database of the server). Sampled every half second, so a process
    that lives less than that is missed; on a machine shared with other work, CPU seconds say more than wall time."""

    def __init__(self, root: int, db: str):
        super().__init__(daemon=True)
        self.root, self.db, self.done = root, db, threading.Event()
        self.first: dict[int, float] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self.tick = os.sysconf("SC_CLK_TCK")

    def sample(self) -> None:
        parent, seen = {}, {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    stat = f.read().rsplit(b")", 1)[1].split()
                with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                    cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            pid = int(entry.name)
            parent[pid] = int(stat[1])
            seen[pid] = (cmdline, (int(stat[11]) + int(stat[12])) / self.tick)
        for pid, (cmdline, used) in seen.items():
            kind = self.kind(pid, cmdline, parent)
            if kind:
                self.first.setdefault(pid, used if pid not in self.last and kind.startswith("postgres shared") else 0.0)
                self.last[pid] = (kind, used)

    def kind(self, pid: int, cmdline: str, parent: dict) -> str:
        if cmdline.startswith("postgres:"):
            if f" {self.db} " in f"{cmdline} ":
                return "postgres autovacuum" if "autovacuum" in cmdline else "postgres backend"
            if any(w in cmdline for w in ("walwriter", "checkpointer", "background writer", "io worker")):
                return "postgres shared (all databases)"
            return ""
        chain, p = [], pid
        while p in parent and p != self.root and len(chain) < 4:
            chain.append(p)
            p = parent[p]
        if p != self.root:
            return ""
        return {0: "storing process", 1: "fork server", 2: "workers"}.get(len(chain), "")

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.sample()

    def stop(self) -> dict:
        self.done.set()
        self.join()
        totals: dict[str, float] = defaultdict(float)
        for pid, (kind, used) in self.last.items():
            totals[kind] += used - self.first.get(pid, 0.0)
        return {k: round(v, 1) for k, v in sorted(totals.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--batch-size", type=int, help="lines stored per transaction (the import's default if unset)")
    parser.add_argument("--keep", action="store_true", help="reuse the corpus file if it exists")
    parser.add_argument("--incremental", action="store_true",
                        help="link batch by batch (the daily path) instead of the default: a bulk load into the empty "
                             "database, linked in one pass at its end")
    parser.add_argument("--recluster", action="store_true",
                        help="afterwards make the clusters again in one pass (stop list counted over all ads), score")
    parser.add_argument("--phone-lines", type=int, default=200_000,
                        help="lines whose phones are scored (extraction does not depend on corpus size)")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    corpus, truth = OUT / f"ads-{args.ads}-{args.seed}.jsonl", OUT / f"ads-{args.ads}-{args.seed}.truth.jsonl"
    if not (args.keep and corpus.exists()):
        subprocess.run([sys.executable, "-m", "vigil.ads.synth", "--ads", str(args.ads), "--seed", str(args.seed),
                        str(corpus), "--truth", str(truth)], check=True, cwd=ROOT)
    env = fresh_database(os.environ.get("VIGIL_BENCH_DB", "vigil_ads"))  # own name: several benchmarks at once
    vigil("migrate", env=env)
    vigil("demo", "--no-serve", "--signals", "0", "--ads", "0", env=env)  # organisations and users only
    command = [*VIGIL, "import", "ads", str(corpus), "--quiet-errors"]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    if args.batch_size is not None:
        command += ["--batch-size", str(args.batch_size)]
    if args.incremental:
        command += ["--incremental"]
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    cpu = CpuSampler(proc.pid, os.environ["VIGIL_DB_NAME"])
    cpu.start()
    stdout, stderr = proc.communicate()
    res = subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)
    seconds = time.perf_counter() - started
    cpu_seconds = cpu.stop()
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if res.returncode not in (0, 1):
        sys.exit(f"import failed:\n{res.stdout}\n{res.stderr[-3000:]}")
    export = OUT / f"ads-{args.ads}-{args.seed}.export.jsonl"
    vigil("ads", "export", str(export), env=env)

    # --- quality
    from vigil.ads.extract import extract

    latest_truth, phone_tp, phone_fn, phone_fp, lines = {}, 0, 0, 0, 0
    with corpus.open() as fa, truth.open() as ft:
        for la, lt in zip(fa, ft, strict=True):
            tr = json.loads(lt)
            if lines < args.phone_lines:
                got, expected = {p.value for p in extract(json.loads(la)).phones}, set(tr["phones"])
                phone_tp += len(got & expected)
                phone_fn += len(expected - got)
                phone_fp += len(got - expected)
                lines += 1
            latest_truth[(tr["site"], tr["id"])] = tr
    def scores() -> dict:
        clusters, networks = {}, {}
        for line in export.open():
            row = json.loads(line)
            clusters[(row["site"], row["id"])] = row["cluster"]
            networks[(row["site"], row["id"])] = row["network"]
        return {"templates": pairs_score(clusters, {k: t["template"] for k, t in latest_truth.items()}),
                "networks": pairs_score(networks, {k: t["network"] for k, t in latest_truth.items()})}

    result = {
        "path": "incremental" if args.incremental else "bulk",
        "ads_lines": args.ads, "ads": len(latest_truth), "seconds": round(seconds, 1),
        "ads_per_second": round(args.ads / seconds), "peak_rss_mb": round(peak_mb), "cpu_seconds": cpu_seconds,
        "import_output": res.stdout.strip()[-300:], "phone_lines_scored": lines,
        "phones": {"recall": round(phone_tp / max(1, phone_tp + phone_fn), 4),
                   "spurious_per_ad": round(phone_fp / max(1, lines), 4)},
        **scores(),
    }
    if not args.incremental:  # what linking the bulk load took, step by step
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            row = conn.execute("SELECT figures FROM ads_bulkload ORDER BY id DESC LIMIT 1").fetchone()
        result["bulk_link"] = row[0] if row else None
    if args.recluster:
        started = time.perf_counter()
        res = vigil("ads", "recluster", "--stop-list", env=env)
        result["recluster"] = {"seconds": round(time.perf_counter() - started, 1), "output": res.stderr.strip()[-600:]}
        vigil("ads", "export", str(export), env=env)
        result["recluster"].update(scores())
    (OUT / f"ads-{args.ads}.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
