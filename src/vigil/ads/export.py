"""``vigil ads export``: one JSON line per ad with what Vigil derived from its latest capture. An ad alone (a network
of one) has ``network: null``."""

from __future__ import annotations

import json
from collections.abc import Iterator

from vigil.ads.models import Ad

FIELDS = ("id", "site", "site_ad_id", "phones", "emails", "handles", "language", "ages", "city", "indicators",
          "score", "cluster_id", "network_id", "network__size")


def lines(chunk: int = 5000) -> Iterator[str]:
    """Streams in primary-key order with constant memory (keyset pagination, not OFFSET)."""
    last = 0
    while True:
        rows = list(Ad.objects.filter(pk__gt=last).order_by("pk").values_list(*FIELDS)[:chunk])
        if not rows:
            return
        for (pk, site, ident, phones, emails, handles, language, ages, city, indicators, score, cluster,
             network, network_size) in rows:
            yield json.dumps({"site": site, "id": ident, "phones": phones, "emails": emails, "handles": handles,
                              "language": language or None, "ages": ages, "city": city or None,
                              "indicators": indicators, "score": round(score, 2), "cluster": cluster,
                              "network": network if (network_size or 0) > 1 else None}, ensure_ascii=False)
            last = pk
