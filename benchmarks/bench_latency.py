"""p95 latency of the queue page and of identifier search with N signals (default 100,000) in the register.

Serves Vigil with ``vigil serve`` (gunicorn) and requests pages over HTTP as the demo analyst,
one request at a time, so the figures are server latency, not queueing.

    .venv/bin/python benchmarks/bench_latency.py [--signals 100000] [--requests 300] [--reuse]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import random
import re
import socket
import statistics
import subprocess
import time
import urllib.parse
import urllib.request

from common import OUT, ROOT, VIGIL, existing_database, fresh_database, summary, vigil, write_signals

from vigil.demo.accounts import DEMO_PASSWORD


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[float, str]:
        t = time.perf_counter()
        with self.opener.open(self.base + path, timeout=30) as r:
            body = r.read().decode()
        return (time.perf_counter() - t) * 1000, body

    def login(self, username: str, password: str) -> None:
        _, page = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"username": username, "password": password,
                                       "csrfmiddlewaretoken": token}).encode()
        req = urllib.request.Request(self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"})
        with self.opener.open(req, timeout=30) as r:
            if "/login/" in r.geturl():
                raise SystemExit("login failed")


def phone_variants(e164: str) -> list[str]:
    """The same Dutch mobile number typed the ways people type it."""
    national = "0" + e164[3:]
    return [national, f"{national[:2]}-{national[2:]}", f"{national[:2]} {national[2:4]} {national[4:6]} "
            f"{national[6:8]} {national[8:]}", f"+31 {e164[3]} {e164[4:8]} {e164[8:]}", "00" + e164[1:]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--reuse", action="store_true", help="keep the vigil_bench database of an earlier run")
    args = parser.parse_args()
    if args.reuse:
        env = existing_database()
    else:
        env = fresh_database()
        path = OUT / f"signals-{args.signals}.jsonl"
        if not path.exists():
            write_signals(path, args.signals)
        vigil("migrate", env=env)
        vigil("demo", "--no-serve", "--signals", "0", "--ads", "0", env=env)
        vigil("import", "signals", str(path), "--quiet-errors", env=env, check=False)
    vigil("manage", "shell", "--no-imports", "-c", "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')",
          env=env)
    count = vigil("manage", "shell", "--no-imports", "-c", "from vigil.register.models import Signal as S; print(S.objects.count())",
                  env=env).stdout.strip()
    phones = vigil("manage", "shell", "--no-imports", "-c",
                   "from vigil.register.models import Identifier as I; "
                   "print('\\n'.join(I.objects.filter(kind='phone', valid=True, value__startswith='+316', "
                   "signal__owner__slug='emm').values_list('value', flat=True)[:200]))", env=env).stdout.split()
    names = vigil("manage", "shell", "--no-imports", "-c",
                  "from vigil.register.models import Person as P; "
                  "print('\\n'.join(P.objects.exclude(name='').filter(signal__owner__slug='emm')"
                  ".values_list('name', flat=True)[:200]))", env=env).stdout.splitlines()
    port = free_port()
    server = subprocess.Popen([*VIGIL, "serve", "--port", str(port), "--no-migrate"], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        client = Client(base)
        client.login("analist", DEMO_PASSWORD)
        rng = random.Random(7)
        queue_urls = ["/signals/", "/signals/?channel=inspection", "/signals/?form=labour&sort=urgency",
                      "/signals/?status=new&urgent=1", "/signals/?date_from=2026-01-01&date_to=2026-03-31",
                      "/signals/?channel=phone_tip&page=5", "/signals/?sort=received_at"]
        for url in queue_urls:  # warm-up
            client.get(url)
        queue = [client.get(rng.choice(queue_urls))[0] for _ in range(args.requests)]
        searches = [rng.choice(phone_variants(rng.choice(phones))) for _ in range(args.requests)]
        ident = [client.get("/signals/search/?" + urllib.parse.urlencode({"q": q}))[0] for q in searches]
        found = sum("/signals/" in client.get("/signals/search/?" + urllib.parse.urlencode({"q": q}))[1]
                    for q in searches[:50])
        name_q = [client.get("/signals/search/?" + urllib.parse.urlencode({"q": rng.choice(names)}))[0]
                  for _ in range(min(args.requests, 100))]
        slowest = sorted((statistics.median([client.get(u)[0] for _ in range(15)]), u) for u in queue_urls)[-1]
        partner = Client(base)  # an organisation that sees few signals: the visibility filter must stay cheap
        partner.login("partner", DEMO_PASSWORD)
        partner_queue = [partner.get(rng.choice(queue_urls))[0] for _ in range(args.requests // 3)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"signals in the register: {count}; analyst's organisation sees its own share")
    print(f"queue page (7 filter/sort variants): {summary(queue)}")
    print(f"identifier search (phones typed in 5 formats): {summary(ident)}; {found}/50 searches found a signal")
    print(f"name search (trigram): {summary(name_q)}")
    print(f"slowest queue variant: {slowest[1]} median {slowest[0]:.1f} ms")
    print(f"queue page as partner (few visible signals): {summary(partner_queue)}")


if __name__ == "__main__":
    main()
