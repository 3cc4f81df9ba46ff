"""Signal submissions through the partner API (POST /api/signals) over HTTP on loopback, one record per request and
in batches, at several concurrencies, against `vigil serve` (gunicorn workers plus the background worker that assesses
and links the new signals, as in production).

The load comes from wrk (Debian package `wrk`: a C load generator, so the client takes little of the 2 cores). Each
request carries realistic generated signals (vigil.demo.world.generate_signals) under references that never repeat,
so every record is new work. wrk counts what the API acknowledged as created; afterwards every acknowledged signal
must be in the database.

    .venv/bin/python benchmarks/bench_api.py [--seconds 20] [--concurrency 8 20] [--batch 1 50 100 500] [--workers 3]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request

from bench_latency import free_port
from common import ROOT, VIGIL, fresh_database, vigil

POOL = 1000  # distinct generated records, sent over and over under new references
LUA = """
local pool = {%(pool)s}
local batch = %(batch)d
local prefix = "%(prefix)s"
local threads = {}
local counter = 0
created, refused = 0, 0

setup = function(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

request = function()
  local items = {}
  for i = 1, batch do
    counter = counter + 1
    local record = pool[(counter %% #pool) + 1]
    items[i] = string.gsub(record, "@@REF@@", prefix .. "-" .. tid .. "-" .. counter, 1)
  end
  local body = batch == 1 and items[1] or ("[" .. table.concat(items, ",") .. "]")
  return wrk.format("POST", "/api/signals", {["Content-Type"] = "application/json",
                                             ["Authorization"] = "Bearer %(token)s"}, body)
end

response = function(status, headers, body)
  if status == 200 then
    created = created + tonumber(string.match(body, '"created": (%%d+)') or "0")
  else
    refused = refused + 1
  end
end

done = function(summary, latency, requests)
  local total, bad = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("created")
    bad = bad + thread:get("refused")
  end
  io.write(string.format("RESULT %%d %%d %%d %%d %%.1f %%.1f %%.1f\\n", summary.requests, total, bad,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency.max / 1000))
end
"""


def pool_lua() -> str:
    """Generated signals as Lua long strings, the reference replaced by a placeholder; no organisation or owner
    (the token decides both)."""
    from vigil.demo.world import generate_signals

    items = []
    for rec in generate_signals(POOL, seed=7):
        rec = {k: v for k, v in rec.items() if k not in ("organisation", "owner")}
        rec["ref"] = "@@REF@@"
        text = json.dumps(rec, ensure_ascii=False)
        assert "]==]" not in text
        items.append(f"[==[{text}]==]")
    return ",\n".join(items)


def count(env, prefix: str) -> int:
    code = (f"from vigil.register.models import Signal; "
            f"print(Signal.objects.filter(ref__startswith={prefix + '-'!r}).count())")
    return int(vigil("manage", "shell", "--no-imports", "-c", code, env=env).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 20])
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 50, 100, 500], help="signals per request")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("install the load generator first: apt-get install wrk")
    env = fresh_database("vigil_bench_api")
    vigil("migrate", env=env)
    vigil("demo", "--no-serve", "--signals", "0", "--ads", "0", env=env)
    # the intake system of EMM, with limits lifted for the measurement (the defaults would answer 429 quickly)
    token = vigil("manage", "api_token", "create", "--user", "intake", "--name", "benchmark", "--scopes",
                  "signals:write", "--requests-per-minute", "1000000000", "--signals-per-minute", "1000000000",
                  env=env).stdout.strip()
    pool = pool_lua()
    port = free_port()
    server = subprocess.Popen([*VIGIL, "serve", "--port", str(port), "--no-migrate", "--workers", str(args.workers)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/api/openapi.json", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        for batch in args.batch:
            for concurrency in args.concurrency:
                prefix = f"BENCH-b{batch}-c{concurrency}"
                with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
                    script.write(LUA % {"pool": pool, "batch": batch, "prefix": prefix, "token": token})
                out = subprocess.run(["wrk", "-t", "2", "-c", str(concurrency), "-d", f"{args.seconds}s", "--timeout", "60s", "-s",
                                      script.name, base + "/api/signals"], capture_output=True, text=True,
                                     timeout=args.seconds + 180).stdout
                requests, created, refused, micros, p50, p95, worst = re.search(
                    r"RESULT (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out).groups()
                seconds = int(micros) / 1e6
                stored = count(env, prefix)
                rows.append((batch, concurrency, int(requests), int(created), int(refused), seconds, float(p50),
                             float(p95), float(worst), stored))
                print(f"batch {batch:>3} concurrency {concurrency:>2}: {int(created) / seconds:7.1f} signals/s "
                      f"({int(requests) / seconds:.1f} requests/s), p50 {float(p50):.0f} ms p95 {float(p95):.0f} ms; "
                      f"acknowledged {created}, in the database {stored}, refused requests {refused}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\nPOST /api/signals, gunicorn {args.workers} workers + background worker, {args.seconds} s per run")
    print("| signals per request | concurrency | signals/s | requests/s | p50 ms | p95 ms | max ms | acknowledged | "
          "in database | refused |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for batch, conc, requests, created, refused, seconds, p50, p95, worst, stored in rows:
        print(f"| {batch} | {conc} | {created / seconds:.1f} | {requests / seconds:.1f} | {p50:.0f} | {p95:.0f} | "
              f"{worst:.0f} | {created} | {stored} | {refused} |")
    lost = [(r[0], r[1]) for r in rows if r[9] < r[3]]
    if lost:
        raise SystemExit(f"acknowledged signals missing from the database in runs {lost}")


if __name__ == "__main__":
    main()
