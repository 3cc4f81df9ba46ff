"""Linking at scale: full link time, one new signal, neighbourhood expansion and shortest path.

    .venv/bin/python benchmarks/bench_link.py [--signals 250000] [--queries 200]

A fresh database gets N generated background signals (``vigil.demo.world.generate_signals``: persons, addresses,
phones, plates, IBANs, companies, written the many ways people write them), imported with ``vigil import signals``;
then ``vigil link --full`` is timed (progress bar, committed batches). About four graph nodes per signal: 250,000
signals give about a million entities. Then, in-process as an analyst who may read every signal (all shared with
the expertise centre, as the demo shares with its hub):

- one new signal stored through the register writer, linked by the commit hook: the time until its edges exist;
- ``queries.neighbourhood`` of random entities (the entity page's walk; capped at 60 neighbours);
- ``queries.shortest_path`` between random pairs of entities in one network (both ends, never through hubs).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time

from common import OUT, fresh_database, percentile, vigil, write_signals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--signals", type=int, default=250_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--db", default="vigil_linkbench")
    parser.add_argument("--keep-db", action="store_true", help="reuse the database (skip import and full link)")
    args = parser.parse_args()
    path = OUT / f"signals-{args.signals}.jsonl"
    if not path.exists():
        write_signals(path, args.signals)
    if args.keep_db:
        os.environ["VIGIL_DB_NAME"] = args.db
        from vigil.pgserver import ensure_database_url

        ensure_database_url()
        env = dict(os.environ)
    else:
        env = fresh_database(args.db)
        vigil("migrate", env=env)
        vigil("demo", "--no-serve", "--signals", "0", "--ads", "0", env=env)
        t = time.perf_counter()
        vigil("import", "signals", str(path), env=env)
        print(f"import: {args.signals:,} signals in {time.perf_counter() - t:.0f} s")
        t = time.perf_counter()
        res = vigil("link", "--full", "--quiet", env=env)
        full = time.perf_counter() - t
        print(f"full link: {full:.0f} s — {res.stderr.strip().splitlines()[-1]}")
        print(f"peak memory of the link process: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    sys.path.insert(0, str(OUT.parent.parent / "src"))
    import django

    django.setup()
    from django.db import connection, transaction

    from vigil.demo.load import share_with_hub
    from vigil.linking import queries
    from vigil.linking.models import Edge, Entity, Kind
    from vigil.organisations.models import User
    from vigil.register.models import Signal
    from vigil.register.records import prepare
    from vigil.register.writer import OwnerResolver, write_batch

    share_with_hub()  # every signal passed on to the expertise centre, as the demo does (idempotent)
    user = User.objects.get(username="analist")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT kind) FROM linking_entity")
        nodes, _ = cur.fetchone()
        cur.execute("SELECT count(*) FROM linking_edge")
        edges = cur.fetchone()[0]
        cur.execute("SELECT max(degree) FROM linking_entity")
        biggest = cur.fetchone()[0]
    print(f"graph: {nodes:,} entities (signals included), {edges:,} edges, largest node {biggest:,} edges")

    # one new signal, linked by the commit hook of the writer
    from vigil.demo.world import generate_signals
    from vigil.linking import service

    warm, record = generate_signals(2, seed=99, start_ref=10_000_000 + int(time.time()) % 1_000_000 * 10)
    with transaction.atomic():  # the first one compiles the indicator catalogue (once per process)
        write_batch([prepare(warm)], OwnerResolver("emm"), "bench")
    t = time.perf_counter()
    with transaction.atomic():
        write_batch([prepare(record)], OwnerResolver("emm"), "bench")
    new = Signal.objects.order_by("-id").first()
    stored = time.perf_counter() - t
    assert Edge.objects.filter(source__signal=new).exists(), "the new signal was not linked"
    t = time.perf_counter()
    service.link_signals([new.pk])
    linked = time.perf_counter() - t
    print(f"one new signal stored, assessed and linked (commit hooks): {stored * 1000:.0f} ms; "
          f"linking it alone: {linked * 1000:.0f} ms")

    rng = random.Random(7)
    top = Entity.objects.order_by("-id").values_list("id", flat=True).first()
    sample = []
    while len(sample) < args.queries:
        e = Entity.objects.filter(id__gte=rng.randrange(1, top)).exclude(kind__in=[Kind.SIGNAL]).order_by("id").first()
        if e is not None:
            sample.append(e)
    times = []
    for e in sample:
        t = time.perf_counter()
        queries.neighbourhood(user, e)
        times.append((time.perf_counter() - t) * 1000)
    print(f"neighbourhood (entity page walk): p50 {percentile(times, 50):.1f} ms, p95 {percentile(times, 95):.1f} ms, "
          f"max {max(times):.1f} ms")

    pairs = []
    for e in sample:
        if e.network is None:
            continue
        other = (Entity.objects.filter(network=e.network).exclude(pk=e.pk).exclude(kind=Kind.SIGNAL)
                 .order_by("?").first())
        if other is not None:
            pairs.append((e, other))
    times, found = [], 0
    for a, b in pairs[: args.queries]:
        t = time.perf_counter()
        found += bool(queries.shortest_path(user, a, b))
        times.append((time.perf_counter() - t) * 1000)
    if times:
        print(f"shortest path ({len(times)} pairs in one network, {found} found): p50 {percentile(times, 50):.1f} ms, "
              f"p95 {percentile(times, 95):.1f} ms, max {max(times):.1f} ms")


if __name__ == "__main__":
    main()
