"""Online ads end to end: a synthetic corpus with ground truth, imported into PostgreSQL (extraction, indicators,
template clusters, networks), then exported and scored against the truth.

    .venv/bin/python benchmarks/bench_ads.py [--ads 100000] [--seed 1] [--workers N] [--keep]

Prints and writes benchmarks/out/ads-<N>.json: ads/s end to end, peak memory (RSS) of the importing process and
of its workers, and quality: phone recall and spurious numbers per ad (truth phones of each line against the
numbers extracted from it), and pairwise precision/recall/F1 of template clusters and networks over ads (latest
capture of each (site, id); a pair is true when the truth puts both ads in one template / network; ads the export
leaves alone form no pairs).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--keep", action="store_true", help="reuse the corpus file if it exists")
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
    started = time.perf_counter()
    res = subprocess.run(command, env=env, cwd=ROOT, text=True, capture_output=True)
    seconds = time.perf_counter() - started
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
    clusters, networks = {}, {}
    for line in export.open():
        row = json.loads(line)
        clusters[(row["site"], row["id"])] = row["cluster"]
        networks[(row["site"], row["id"])] = row["network"]
    result = {
        "ads_lines": args.ads, "ads": len(latest_truth), "seconds": round(seconds, 1),
        "ads_per_second": round(args.ads / seconds), "peak_rss_mb": round(peak_mb),
        "import_output": res.stdout.strip()[-300:], "phone_lines_scored": lines,
        "phones": {"recall": round(phone_tp / max(1, phone_tp + phone_fn), 4),
                   "spurious_per_ad": round(phone_fp / max(1, lines), 4)},
        "templates": pairs_score(clusters, {k: t["template"] for k, t in latest_truth.items()}),
        "networks": pairs_score(networks, {k: t["network"] for k, t in latest_truth.items()}),
    }
    (OUT / f"ads-{args.ads}.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
