"""Rate limits per token: fixed one-minute windows counted in PostgreSQL.

``vigil serve`` runs several gunicorn worker processes (docs/decisions/0003-gunicorn.md), so counters in each
process's memory would let a token through once per worker; counting in the shared database holds for any number
of workers and servers. One upsert per request on an unlogged table costs well under a millisecond. A fixed window
lets a client spend up to twice its limit around a minute's boundary; that is accepted for its simplicity (and
documented in docs/api.md)."""

from __future__ import annotations

import math
import time

from django.db import connection

from vigil.api.errors import RateLimited

UPSERT = ("INSERT INTO api_ratecount (token_id, bucket, minute, used) VALUES (%s, %s, %s, %s) "
          "ON CONFLICT (token_id, bucket, minute) DO UPDATE SET used = api_ratecount.used + EXCLUDED.used "
          "RETURNING used")


def charge(token, bucket: str, limit: int, amount: int = 1, *, what: str = "") -> None:
    """Count ``amount`` against the token's ``bucket`` in this minute; RateLimited (429) once over ``limit``.
    Refused requests count too, so a client that keeps hammering stays refused until the minute is over."""
    now = time.time()
    minute = int(now // 60)
    with connection.cursor() as cur:
        cur.execute(UPSERT, [token.pk, bucket, minute, amount])
        used = cur.fetchone()[0]
        if used == amount:  # the first request of a new minute clears the token's earlier ones
            cur.execute("DELETE FROM api_ratecount WHERE token_id = %s AND bucket = %s AND minute < %s",
                        [token.pk, bucket, minute])
    if used > limit:
        raise RateLimited(what or bucket, limit, max(1, math.ceil((minute + 1) * 60 - now)))
