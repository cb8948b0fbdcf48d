"""Who is asking: the client's address behind trusted proxies, and a per-client rate limit for
public forms (newsletter subscription, programme registration, candidate applications)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front the address the outermost of them
    saw: counted from the right of X-Forwarded-For (each proxy appends what it saw), so a client
    cannot choose its own address by sending the header. A header with fewer entries than there
    are proxies did not come through all of them: then REMOTE_ADDR."""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if len(addresses) >= proxies:
            return addresses[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def over_limit(request: HttpRequest, scope: str, *, per_hour: int) -> bool:
    """Count one request of this client in `scope`; True once more than `per_hour` came within the
    hour. Atomic on a shared cache (add, then incr), so simultaneous requests are all counted."""
    key = f"limit:{scope}:{client_address(request)}"
    if cache.add(key, 1, 3600):
        return per_hour < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, 3600)
        count = 1
    return count > per_hour
