"""Dossier generation for a referral of a 200-entity case: the frozen content, the PDF and the FtM file.

    .venv/bin/python benchmarks/bench_dossier.py [--entities 200] [--runs 5]

A fresh database (``vigil_dossierbench``) gets the demo organisations and users and generated background signals
(``vigil.demo.world.generate_signals``: persons, addresses, phones, plates, companies, narratives), stored through
the register writer, linked and assessed; the analyst opens a case of the first signals that together mention at
least N entities, with those entities. Then the analyst refers the whole case to the Rotterdam police ``--runs``
times (each a new referral: content, PDF, FtM, stored with their hashes, timeline event, audit entry), and each part
is timed again on its own on the same content: content, PDF (WeasyPrint, layout and writing), FtM. The first
referral also pays for importing WeasyPrint, networkx and FtM; it is reported apart ("cold"). Wall-clock times, and
the CPU time of the process (steadier on a busy machine: nearly all of it is WeasyPrint's layout).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from common import OUT, fresh_database, vigil


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", default="vigil_dossierbench")
    args = parser.parse_args()
    env = fresh_database(args.db)
    vigil("migrate", env=env)
    vigil("demo", "--no-serve", "--signals", "0", "--ads", "0", env=env)

    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    sys.path.insert(0, str(OUT.parent.parent / "src"))
    import django

    django.setup()
    from vigil.assessment.service import assess_signals
    from vigil.cases import dossier, referrals
    from vigil.cases.service import open_case
    from vigil.demo.world import generate_signals
    from vigil.linking.models import SOURCES, Edge, Entity
    from vigil.linking.service import link_signals
    from vigil.organisations.models import Organisation, User
    from vigil.register.models import Signal
    from vigil.register.records import prepare
    from vigil.register.writer import OwnerResolver, write_batch

    records = []
    for rec in generate_signals(args.entities, seed=11):
        rec.pop("owner", None)
        records.append(prepare(rec))
    write_batch(records, OwnerResolver("emm"), "bench")
    ids = list(Signal.objects.values_list("pk", flat=True))
    link_signals(ids)
    assess_signals(ids)
    chosen, found = [], set()
    for signal in Signal.objects.order_by("pk"):
        node = Entity.objects.get(signal=signal)
        chosen.append(signal)
        found |= set(Edge.objects.filter(source=node).exclude(b__kind__in=SOURCES).values_list("b_id", flat=True))
        if len(found) >= args.entities:
            break
    analyst = User.objects.get(username="analist")
    rotterdam = Organisation.objects.get(slug="politie-rotterdam")
    case = open_case(analyst, "Benchmark", signals=chosen, entities=found)
    print(f"case {case.reference}: {len(chosen)} signals, {len(found)} entities")

    totals, cpu, made = [], [], None
    for _ in range(args.runs + 1):
        t, c = time.perf_counter(), time.process_time()
        referral = referrals.refer(analyst, case, rotterdam, reason="Benchmark", tlp="amber", pap="green",
                                   signals=chosen, entities=found)
        totals.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        made = referral
    cold, warm = totals[0], totals[1:]
    content = made.content
    print(f"content: {len(content['signals'])} signals, {len(content['nodes'])} nodes, {len(content['links'])} links; "
          f"dossier: {made.dossier.pages} pages, PDF {len(bytes(made.dossier.pdf)) / 1e6:.1f} MB, "
          f"FtM {len(made.dossier.ftm.splitlines())} entities")
    parts: dict[str, list[float]] = {"content": [], "pdf": [], "pdf (CPU)": [], "ftm": []}
    chosen_ids = {"signals": {s.pk for s in chosen}, "entities": set(found), "ads": set()}
    for _ in range(args.runs):
        t = time.perf_counter()
        referrals.content(analyst, case, made, **chosen_ids)
        parts["content"].append(time.perf_counter() - t)
        t, c = time.perf_counter(), time.process_time()
        dossier.pdf(content)
        parts["pdf"].append(time.perf_counter() - t)
        parts["pdf (CPU)"].append(time.process_time() - c)
        t = time.perf_counter()
        dossier.ftm(content)
        parts["ftm"].append(time.perf_counter() - t)

    def line(name: str, values: list[float]) -> str:
        return f"{name}: median {statistics.median(values):.2f} s, max {max(values):.2f} s (n={len(values)})"

    print(f"refer, cold (first in the process): {cold:.2f} s")
    print(line("refer (content + PDF + FtM + storing)", warm))
    print(line("refer, CPU time of this process", cpu[1:]))
    for name, values in parts.items():
        print(line(f"  {name}", values))


if __name__ == "__main__":
    main()
