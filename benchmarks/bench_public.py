"""Sustained anonymous submissions of the public report form at concurrency 20, over HTTP on loopback.

The load comes from wrk (Debian package `wrk`: a C load generator, so the client takes little of the
2 cores), each request a complete submission. Afterwards every acknowledged report (HTTP 200 with a
receipt) must be in the database, and the background worker must have built a signal for each.

    .venv/bin/python benchmarks/bench_public.py [--seconds 20] [--concurrency 20] [--workers 3]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

from bench_latency import Client, free_port
from common import ROOT, VIGIL, fresh_database, summary, vigil

from vigil.demo.accounts import DEMO_PASSWORD

ANSWERS = {
    "what": "Every night young women are brought to the house by van and collected in the morning.",
    "danger": "no", "address": "Postjesweg 87 3", "city": "Amsterdam", "people": "Two women, about 20.",
    "phones": "06-41 27 83 90", "vehicles": "54-TVR-1", "when": "last weekend", "relation": "neighbour",
    "anonymous": "yes", "step": "send", "send": "1",
}
LUA = """
wrk.method = "POST"
wrk.body = "%s"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%.1f %%.1f %%.1f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency.max / 1000))
end
"""


def count(env, model: str, **where) -> int:
    code = f"from {model.rsplit('.', 1)[0]} import {model.rsplit('.', 1)[1]} as M; print(M.objects.filter(**{where!r}).count())"
    return int(vigil("manage", "shell", "--no-imports", "-c", code, env=env).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("install the load generator first: apt-get install wrk")
    env = fresh_database("vigil_bench_public")
    # every request comes from 127.0.0.1 here, so the per-client limit is lifted for the measurement
    env.update(VIGIL_PUBLIC_SUBMITS_PER_HOUR="100000000", VIGIL_PUBLIC_BURST="100000000",
               VIGIL_PUBLIC_NOJS_PER_HOUR="100000000")
    vigil("migrate", env=env)
    vigil("demo", "--no-serve", "--signals", "0", "--ads", "0", env=env)
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
        body = urllib.parse.urlencode({**ANSWERS, "started": started})
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % body)
        staff = Client(base)
        staff.login("analist", DEMO_PASSWORD)
        quiet = [staff.get("/signals/")[0] for _ in range(30)]
        flood = subprocess.Popen(["nice", "-n", "19", "wrk", "-t", "2", "-c", str(args.concurrency), "-d", f"{args.seconds}s", "-s",
                                  script.name, base + "/en/report/"], stdout=subprocess.PIPE, text=True)
        time.sleep(2)
        during = []
        while flood.poll() is None:  # staff keep working while the public floods the form
            during.append(staff.get("/signals/")[0])
            time.sleep(0.2)
        out = flood.stdout.read()
        total, errors, micros, p50, p95, worst = re.search(r"RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)",
                                                           out).groups()
        acknowledged = int(total) - int(errors)
        time.sleep(1)
        stored = count(env, "vigil.public.models.Report")
        t = time.perf_counter()
        while count(env, "vigil.public.models.Report", signal__isnull=True) and time.perf_counter() - t < 600:
            time.sleep(1)
        built = count(env, "vigil.public.models.Report", signal__isnull=False)
        drained = time.perf_counter() - t
        # the same page once more without load, now that the queue holds the reports: the flood's own effect
        after = [staff.get("/signals/")[0] for _ in range(30)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    seconds = int(micros) / 1e6
    print(f"{acknowledged} acknowledged anonymous submissions in {seconds:.1f} s at concurrency {args.concurrency} "
          f"(gunicorn {args.workers} workers): {acknowledged / seconds:.1f} submissions/s; errors {errors}")
    print(f"submission latency: p50={float(p50):.1f} ms p95={float(p95):.1f} ms max={float(worst):.1f} ms")
    print(f"in the database: {stored} reports (lost: {max(acknowledged - stored, 0)}); signals built by the worker: "
          f"{built} ({drained:.0f} s after the load ended)")
    print(f"staff queue page without load: {summary(quiet)}")
    print(f"staff queue page during the flood: {summary(during)}")
    print(f"staff queue page without load afterwards (queue now holds the reports): {summary(after)}")


if __name__ == "__main__":
    main()
