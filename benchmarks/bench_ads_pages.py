"""Latency of the online-ads pages on the database `bench_ads.py` left behind (vigil_ads), in-process with Django's
test client as the demo analyst: 15 requests per page after one warm-up, median and 95th percentile.

    .venv/bin/python benchmarks/bench_ads.py --ads 100000      # first
    .venv/bin/python benchmarks/bench_ads_pages.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    from common import existing_database, percentile

    os.environ.update(existing_database("vigil_ads"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigil.settings")
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.test import Client

    from vigil.ads.models import Ad, AdNetwork, TemplateCluster
    from vigil.organisations.models import User

    logging.disable(logging.CRITICAL)
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(User.objects.filter(role="analyst").first())
    top = Ad.objects.filter(phones__0__startswith="+316").order_by("-score").first()  # a Dutch mobile
    network = AdNetwork.objects.filter(size__gt=1).order_by("-size").first()
    cluster = TemplateCluster.objects.order_by("-size").first()
    phone = top.phones[0]
    print(f"{Ad.objects.count():,} ads; largest network {network.size} ads, largest template cluster {cluster.size}")
    pages = {
        "search, no terms": "/ads/",
        "search, words": "/ads/?q=nieuw+in+de+stad",
        "search, phone as written": f"/ads/?phone=06-{phone[4:6]}+{phone[6:8]}+{phone[8:]}",  # 06-12 34 5678
        "search, city": "/ads/?city=Rotterdam",
        "ad page": f"/ads/{top.pk}/",
        "largest template cluster": f"/ads/clusters/{cluster.pk}/",
        "largest network": f"/ads/networks/{network.pk}/",
        "network list": "/ads/networks/",
        "phone page": f"/ads/phones/{phone}/",
        "alerts": "/ads/alerts/",
    }
    print(f"{'page':<28} {'status':>6} {'median ms':>10} {'p95 ms':>8}")
    for name, url in pages.items():
        client.get(url, follow=True)
        times = []
        for _ in range(15):
            started = time.perf_counter()
            response = client.get(url, follow=True)
            times.append((time.perf_counter() - started) * 1000)
        found = "" if "search" not in name else f"  ({response.content.decode().count('<tr') - 1} rows)"
        print(f"{name:<28} {response.status_code:>6} {statistics.median(times):>10.0f} {percentile(times, 95):>8.0f}"
              f"{found}")


if __name__ == "__main__":
    main()
