"""Organisation resolution (vigil.linking.organisations.resolve) on synthetic organisations, without labels.

The records come from `vigil.linking.orgsynth.generate` (Dutch-looking businesses written differently per
signal, most without KvK number, with common names in many cities and similar names of different businesses);
its ground truth is used only to score. Precision, recall and F1 are pairwise over the clusters produced: every
pair of records in one produced cluster is a predicted link, every pair of one true business a true link.

    .venv/bin/python benchmarks/bench_orgs.py --records 10000 [--seed 1] [--engine duckdb|spark]
        [--threshold 0.95] [--json out.json] [--errors 20]
"""

from __future__ import annotations

import argparse
import json
import platform
import shlex
import sys
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vigil.linking.organisations import resolve  # noqa: E402
from vigil.linking.orgsynth import generate  # noqa: E402


def pairs_of(groups: dict) -> set[tuple[str, str]]:
    members = defaultdict(list)
    for rid, g in groups.items():
        members[g].append(rid)
    return {p for m in members.values() for p in combinations(sorted(m), 2)}


def score(clusters: dict[str, str], truth: dict[str, int]) -> dict:
    pred, true = pairs_of(clusters), pairs_of(truth)
    tp = len(pred & true)
    precision = tp / len(pred) if pred else 1.0
    recall = tp / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"true_links": len(true), "tp": tp, "fp": len(pred) - tp, "fn": len(true) - tp,
            "precision": precision, "recall": recall, "f1": f1}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--errors", type=int, default=0, help="print this many wrong links and missed links")
    args = ap.parse_args()

    t = time.perf_counter()
    records, truth = generate(args.records, seed=args.seed)
    generated = time.perf_counter() - t
    t = time.perf_counter()
    res = resolve(records, engine=args.engine, threshold=args.threshold)
    seconds = time.perf_counter() - t
    out = {"records": len(records), "businesses": len(set(truth.values())), "seed": args.seed, "engine": args.engine,
           **score(res.clusters, truth), "seconds": round(seconds, 2), "generate_seconds": round(generated, 2),
           "stages": {k: round(v, 2) for k, v in res.timings.items()}, "threshold": res.threshold,
           "lambda": res.model.probability_two_random_records_match, "trained": res.model.trained,
           "skipped_keys": len(res.skipped_keys), "problems": len(res.problems)}
    print(json.dumps(out))
    if args.errors:
        by_id = {r["id"]: r for r in records}
        linked = {(p.id_l, p.id_r): p for p in res.pairs}
        print("\nwrong links (in one cluster, different businesses):")
        wrong = sorted(p for p in pairs_of(res.clusters) if truth[p[0]] != truth[p[1]])
        for a, b in wrong[: args.errors]:
            p = linked.get((a, b))
            print(" ", by_id[a], "\n ", by_id[b], "\n   ", p and round(p.match_probability, 3),
                  p and [(e.comparison, e.level, round(e.match_weight, 1)) for e in p.explanation])
        print("\nmissed links (one business, different clusters):")
        missed = sorted(p for p in pairs_of(truth) if res.clusters[p[0]] != res.clusters[p[1]])
        for a, b in missed[: args.errors]:
            p = linked.get((a, b))
            print(" ", by_id[a], "\n ", by_id[b], "\n   ", p and round(p.match_probability, 3),
                  p and [(e.comparison, e.level, round(e.match_weight, 1)) for e in p.explanation])
    print(f"\nCommand: `{shlex.join(['.venv/bin/python', 'benchmarks/bench_orgs.py', *sys.argv[1:]])}`  "
          f"(Python {platform.python_version()}, {platform.machine()})\n")
    print("| records | businesses | true links | precision | recall | F1 | wall s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {out['records']:,} | {out['businesses']:,} | {out['true_links']:,} | {out['precision']:.4f} | "
          f"{out['recall']:.4f} | {out['f1']:.4f} | {out['seconds']:.1f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
