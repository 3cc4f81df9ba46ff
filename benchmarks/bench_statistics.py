"""The statistics dashboard's figures at 100,000 signals: time per figure and for all of them, suppression included.

    .venv/bin/python benchmarks/bench_statistics.py [--reuse]

A fresh database (``vigil_statsbench``) gets the demo organisations and users and the benchmarks' 100,000
generated signals (``benchmarks/out/signals-100000.jsonl``, written by ``bench_import.py``), then every figure is
computed three times per setting (the whole range, the last 12 months, one organisation's scope); medians in ms.
``--reuse`` keeps the database of an earlier run.
"""

from __future__ import annotations

import argparse

from common import OUT, existing_database, fresh_database, vigil

CODE = r'''
import statistics, time
from django.db.models import Max, Min
from vigil.organisations.models import Organisation
from vigil.register.models import Signal
from vigil.statistics.figures import Figures, Period, Scope
from vigil.statistics.tables import suppress

r = Signal.objects.aggregate(a=Min("received_at"), b=Max("received_at"))
print("signals", Signal.objects.count())
first, last = r["a"].date().replace(day=1), r["b"].date().replace(day=1)
for label, period, scope in [("whole range", Period(first, last), Scope()),
                             ("last 12 months", Period.last_months(today=last), Scope()),
                             ("whole range, one organisation", Period(first, last),
                              Scope(Organisation.objects.get(slug="emm")))]:
    times = {}
    for _ in range(3):
        f = Figures(period, scope)
        for key in ["signals_by_month", "signals_by_channel", "signals_by_form", "signals_by_likely_form",
                    "signals_by_region", "referrals_by_receiver", "cases_by_status", "protection_permits"]:
            t = time.perf_counter()
            suppress(getattr(f, key)())
            times.setdefault(key, []).append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        [suppress(x) for x in Figures(period, scope).tables()]
        times.setdefault("all figures", []).append((time.perf_counter() - t) * 1000)
    print(label, {k: round(statistics.median(v)) for k, v in times.items()})
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    corpus = OUT / "signals-100000.jsonl"
    if not corpus.exists():
        raise SystemExit(f"{corpus} is missing: run benchmarks/bench_import.py --signals 100000 first")
    env = existing_database("vigil_statsbench") if args.reuse else fresh_database("vigil_statsbench")
    if not args.reuse:
        vigil("migrate", env=env)
        vigil("demo", "--no-serve", "--signals", "0", "--ads", "0", env=env)
        vigil("import", "signals", str(corpus), "--quiet-errors", env=env, check=False)
        vigil("manage", "shell", "--no-imports", "-c",
              "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')", env=env)
    print(vigil("manage", "shell", "--no-imports", "-c", CODE, env=env).stdout)


if __name__ == "__main__":
    main()
