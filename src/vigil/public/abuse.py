"""Abuse resistance that identifies nobody.

Rate limits are keyed on HMAC(daily key, client address). The daily key is random,
lives only in this process's memory and is replaced every day, so the keys cannot be
linked to an address afterwards, nor across days, and nothing is ever written down.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time

import altcha
from django.conf import settings
from django.core import signing

MIN_SECONDS_TO_FILL = 3  # a person needs longer than this for the form; a simple bot does not
_SALT = "vigil.public.form-started"


class RateLimiter:
    """Token bucket per anonymous client key: ``burst`` at once, refilled at ``per_hour``."""

    def __init__(self, per_hour: float, burst: int):
        self.rate = per_hour / 3600.0
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._day: dt.date | None = None
        self._key = b""

    def client_key(self, address: str) -> str:
        today = dt.date.today()
        with self._lock:
            if today != self._day:
                self._day, self._key, self._buckets = today, secrets.token_bytes(32), {}
            key = self._key
        return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                return False
            self._buckets[client] = (tokens - 1, now)
            if len(self._buckets) > 100_000:  # bounded memory under a flood of addresses
                self._buckets.clear()
            return True


def started_token() -> str:
    return signing.dumps(int(time.time()), salt=_SALT)


def filled_by_a_person(token: str, max_age: int = 86_400) -> bool:
    try:
        started = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.BadSignature:
        return False
    return time.time() - started >= MIN_SECONDS_TO_FILL


def _pow_secret() -> str:
    return hmac.new(settings.SECRET_KEY.encode(), b"vigil.public.altcha", hashlib.sha256).hexdigest()


class ProofOfWork:
    """ALTCHA challenges (self-hosted proof of work, solved by the visitor's browser in the background).

    A solved challenge is accepted once: verified signatures are remembered until they expire.
    """

    def __init__(self):
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()

    def challenge(self) -> dict:
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=settings.VIGIL_PUBLIC_POW_SECONDS)
        made = altcha.create_challenge("SHA-256", settings.VIGIL_PUBLIC_POW_COST, expires_at=expires,
                                       hmac_secret=_pow_secret())
        return made.to_dict()

    def verify(self, payload: str) -> bool:
        try:
            result = altcha.verify_solution(payload, _pow_secret())
        except Exception:  # a malformed payload from the internet: refused, never an error page
            return False
        if not result.verified:
            return False
        signature = hashlib.sha256(payload.encode()).hexdigest()
        now = time.time()
        with self._lock:
            if signature in self._used:
                return False
            if len(self._used) > 200_000:
                self._used = {k: v for k, v in self._used.items() if v > now}
            self._used[signature] = now + settings.VIGIL_PUBLIC_POW_SECONDS
        return True


POW = ProofOfWork()
