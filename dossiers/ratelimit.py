"""A fixed-window attempt counter per client address, kept in Django's cache (Redis in production).

Public lookup by dossier code asks for 4 digits of the applicant's phone or ID number; without a limit those
10,000 combinations could be tried in minutes. Every process shares the cache, so the limit holds across
gunicorn workers and machines.

Settings (read with defaults, so none is required):
- PUBLIC_LOOKUP_RATE_LIMIT = (attempts, seconds), default (10, 600): 10 attempts per 10 minutes.
- RATELIMIT_TRUSTED_PROXIES = number of reverse proxies in front of the app, default 0. With 0 the client is
  REMOTE_ADDR; with N the N-th address from the right of X-Forwarded-For (the one our own proxy saw), because
  anything further left is whatever the client chose to send.
"""
from dataclasses import dataclass
from ipaddress import ip_address

from django.conf import settings
from django.core.cache import cache

DEFAULT_RATE = (10, 600)


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = int(getattr(settings, "RATELIMIT_TRUSTED_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return remote


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    attempts: int
    limit: int
    window: int


def lookup_rate() -> tuple[int, int]:
    limit, window = getattr(settings, "PUBLIC_LOOKUP_RATE_LIMIT", DEFAULT_RATE)
    return int(limit), int(window)


# A registered kiosk (`TrustedKiosk`) serves a queue of citizens from one address: it gets this many times the limit.
TRUSTED_FACTOR = 20


def _key(request, scope: str) -> str:
    return f"ratelimit:{scope}:{client_address(request)}"


def _failure_rate(request, rate: tuple[int, int] | None) -> tuple[int, int]:
    from .models import TrustedKiosk

    limit, window = rate or lookup_rate()
    if TrustedKiosk.objects.filter(address=client_address(request), is_active=True).exists():
        limit *= TRUSTED_FACTOR
    return limit, window


def exceeded(request, scope: str, rate: tuple[int, int] | None = None) -> Verdict:
    """Whether this client has used up its failed attempts of `scope` (counts nothing): a lookup limited by failures
    asks this first, then `fail()`s only a wrong answer, so a citizen who types it right is never refused."""
    limit, window = _failure_rate(request, rate)
    attempts = int(cache.get(_key(request, scope)) or 0)
    return Verdict(allowed=attempts < limit, attempts=attempts, limit=limit, window=window)


def fail(request, scope: str, rate: tuple[int, int] | None = None) -> Verdict:
    """Count one failed attempt of `scope` from this client."""
    return hit(request, scope, _failure_rate(request, rate))


def hit(request, scope: str, rate: tuple[int, int] | None = None) -> Verdict:
    """Count one attempt of `scope` from this client and say whether it is still within the limit."""
    limit, window = rate or lookup_rate()
    key = _key(request, scope)
    # add() starts the window only if none is running; incr() is atomic on Redis and locmem alike.
    cache.add(key, 0, timeout=window)
    try:
        attempts = cache.incr(key)
    except ValueError:  # the window expired between add() and incr()
        cache.set(key, 1, timeout=window)
        attempts = 1
    return Verdict(allowed=attempts <= limit, attempts=attempts, limit=limit, window=window)
