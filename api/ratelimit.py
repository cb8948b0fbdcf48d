"""Rate limits of the API in the cache: a fixed window per token, or per client address for
requests without one. Set API_RATE_LIMITS in the settings ("requests/period", period s, m, h or
d). With a per-process memory cache each process counts for itself; use a shared cache (Redis) in
production so the limit holds across processes."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """ "60/m" -> 60 requests per 60 seconds; "1000/h", "10/s", "5000/d"."""
        count, _slash, period = text.strip().partition("/")
        if not count.isdigit() or int(count) < 1 or period not in PERIODS:
            raise ValueError(f"Invalid API rate {text!r}: use requests/period, e.g. 60/m")
        return cls(int(count), PERIODS[period])


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def hit(kind: str, identity: str) -> None:
    """Count one request of `identity` against the rate for `kind` ("anonymous" or "token");
    raises RateLimited with the seconds until the window ends when the limit is passed."""
    rate = Rate.parse(settings.API_RATE_LIMITS[kind])
    now = time.time()
    window = int(now // rate.seconds)
    key = f"api:rate:{kind}:{identity}:{window}"
    cache.add(key, 0, rate.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, rate.seconds + 1)
        count = 1
    if count > rate.requests:
        raise RateLimited(max(1, math.ceil((window + 1) * rate.seconds - now)))
