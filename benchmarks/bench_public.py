"""Sustained anonymous submissions of the public report form at concurrency 20, over HTTP on loopback.

Every acknowledged report (a receipt code in the answer) must be in the database afterwards.

    .venv/bin/python benchmarks/bench_public.py [--submissions 2000] [--concurrency 20] [--threads 16]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import re
import subprocess
import time
import urllib.parse
import urllib.request

from bench_latency import free_port
from common import ROOT, VIGIL, fresh_database, summary, vigil

ANSWERS = {
    "what": "Every night young women are brought to the house by van and collected in the morning.",
    "danger": "no", "address": "Postjesweg 87 3", "city": "Amsterdam", "people": "Two women, about 20.",
    "phones": "06-41 27 83 90", "vehicles": "54-TVR-1", "when": "last weekend", "relation": "neighbour",
    "anonymous": "yes", "step": "send", "send": "1",
}


def submit(base: str, started: str) -> tuple[float, bool]:
    data = urllib.parse.urlencode({**ANSWERS, "started": started}).encode()
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(base + "/en/report/", data=data), timeout=60) as r:
            ok = r.status == 200 and re.search(rb'id="receipt-code"[^>]*>[0-9A-Z-]{19}<', r.read()) is not None
    except OSError:
        ok = False
    return (time.perf_counter() - t) * 1000, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    args = parser.parse_args()
    env = fresh_database("vigil_bench_public")
    # every request comes from 127.0.0.1 here, so the per-client limit is lifted for the measurement
    env.update(VIGIL_PUBLIC_SUBMITS_PER_HOUR="100000000", VIGIL_PUBLIC_BURST="100000000")
    vigil("migrate", env=env)
    vigil("demo", "--no-serve", "--signals", "0", env=env)
    port = free_port()
    server = subprocess.Popen([*VIGIL, "serve", "--port", str(port), "--no-migrate", "--workers", str(args.workers)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                page = urllib.request.urlopen(base + "/en/report/", timeout=1).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        started = re.search(r'name="started" value="([^"]+)"', page).group(1)
        time.sleep(3.1)  # the form must have been open for a few seconds
        submit(base, started)  # warm-up
        t = time.perf_counter()
        with cf.ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(lambda _: submit(base, started), range(args.submissions)))
        elapsed = time.perf_counter() - t
    finally:
        server.terminate()
        server.wait(timeout=30)
    acknowledged = sum(ok for _, ok in results)
    stored = int(vigil("manage", "shell", "--no-imports", "-c",
                       "from vigil.public.models import Report; print(Report.objects.count())", env=env).stdout)
    print(f"{args.submissions} anonymous submissions at concurrency {args.concurrency} "
          f"(gunicorn, {args.workers} workers × 8 threads): {acknowledged / elapsed:.1f} submissions/s over {elapsed:.1f} s")
    print(f"latency: {summary([ms for ms, _ in results])}")
    print(f"acknowledged {acknowledged}, failed {args.submissions - acknowledged}, in the database {stored - 1} "
          f"(plus 1 warm-up): lost {acknowledged - (stored - 1)}")


if __name__ == "__main__":
    main()
