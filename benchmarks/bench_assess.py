"""Throughput of the assessment engine on one core: texts per second.

Ad-length texts: the online ads of the generated demo world (several languages), and the ads of the evaluation set
(eight languages, written by hand; each once). Narratives: the other demo signals' texts. One process, one thread,
the catalogue compiled once before timing. The matcher keeps the hits of the sentences it read (``Matcher.find``);
they are dropped before each run, so a run reads its sentences afresh, except those repeated within it. The patterns alone (what the ads import runs), then
with the learned reader on a smaller sample (``--reader-texts``; OMP_NUM_THREADS=1 keeps its C engine on one core).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_assess.py [--texts 20000] [--reader-texts 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=20000)
    parser.add_argument("--reader-texts", type=int, default=300)
    args = parser.parse_args()
    import django

    django.setup()
    from vigil.assessment import assess, catalogue
    from vigil.demo.world import generate_signals

    t = time.perf_counter()
    cat = catalogue.current()
    compile_s = time.perf_counter() - t
    ads, narratives = [], []
    for record in generate_signals(args.texts * 12, seed=7):
        (ads if record.get("channel") == "online_ad" else narratives).append(record["narrative"])
        if len(ads) >= args.texts and len(narratives) >= args.texts:
            break
    ads, narratives = ads[: args.texts], narratives[: args.texts]
    import json

    written = [json.loads(line)["text"] for path in sorted((Path(__file__).parent / "assess_eval").glob("*.jsonl"))
               for line in path.read_text(encoding="utf-8").splitlines()
               if line.strip() and json.loads(line)["kind"] == "ad"]
    print(f"catalogue {cat.version}: {len(cat.indicators)} indicators, {len(cat.matcher.patterns)} patterns, "
          f"compiled in {compile_s * 1000:.0f} ms")
    for name, texts in (("demo ads", ads), ("evaluation-set ads", written), ("narratives", narratives)):
        for reader, sample, repeats in ((False, texts, 5), (True, texts[: args.reader_texts], 1)):
            if reader and cat.reader is None:
                continue
            for text in sample[:200 if not reader else 5]:
                assess(text, reader=reader)
            runs = []
            for _ in range(repeats):
                cat.matcher.forget()
                cpu, wall = time.process_time(), time.perf_counter()
                found = sum(len(assess(text, reader=reader)["indicators"]) for text in sample)
                runs.append((len(sample) / (time.process_time() - cpu), len(sample) / (time.perf_counter() - wall)))
            mean_len = statistics.mean(len(t) for t in sample)
            best = max(runs)
            print(f"{name}, {'patterns and reader' if reader else 'patterns'}: {len(sample)} texts, mean "
                  f"{mean_len:.0f} characters, {found} indicators found; {best[0]:,.0f} texts/s per core (CPU time), "
                  f"{best[1]:,.0f} texts/s wall; runs: " + ", ".join(f"{r[0]:,.0f}" for r in runs))


if __name__ == "__main__":
    main()
