"""A fixed-window attempt counter per client address, kept in Django's cache (Redis in production).

Public lookup by dossier code asks for 4 digits of the applicant's phone or ID number; without a limit those
10,000 combinations could be tried in minutes. Every process shares the cache, so the limit holds across
gunicorn workers and machines.

Settings (read with defaults, so none is required):
- PUBLIC_LOOKUP_RATE_LIMIT = (attempts, seconds), default (10, 600): 10 attempts per 10 minutes.
- RATELIMIT_TRUSTED_PROXIES = number of reverse proxies in front of the app, default 0. With 0 the client is
  REMOTE_ADDR; with N the N-th address from the right of X-Forwarded-For (the one our own proxy saw), because
  anything further left is whatever the client chose to send.

When the cache does not answer (Redis down), the limit fails safe rather than open or shut: the same fixed
window is counted in the database (`RateLimitCounter`, one upserted row per client, scope and window), so a
lookup is neither refused to everyone nor left unlimited during the outage. Windows end on multiples of their
length in both counters; expired fallback rows are deleted as the same client comes back.
"""
import logging
import time
from dataclasses import dataclass
from ipaddress import ip_address

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from .models import RateLimitCounter, TrustedKiosk

logger = logging.getLogger(__name__)

DEFAULT_RATE = (10, 600)


def client_address(request) -> str:
    return client_ip(request) or "unknown"


def client_ip(request) -> str | None:
    """The client's IP address by the trusted-proxy rule above, or None when the request carries none (a
    request built in code). Also django-axes' address (AXES_CLIENT_IP_CALLABLE), which stores it in an IP
    column, hence None rather than a placeholder."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = int(getattr(settings, "RATELIMIT_TRUSTED_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return _valid_ip(forwarded[-proxies]) or remote


def _valid_ip(text: str) -> str | None:
    try:
        return str(ip_address(text))
    except ValueError:
        return None


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


def _count_in_cache(key: str, window: int) -> int:
    # add() starts the window only if none is running; incr() is atomic on Redis and locmem alike.
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # the window expired between add() and incr()
        cache.set(key, 1, timeout=window)
        return 1


def _count_in_database(key: str, window: int) -> int:
    """One atomic upsert (PostgreSQL and SQLite alike): the attempts of `key` in the current fixed window."""
    now = int(time.time())
    start = now - now % window
    table = connection.ops.quote_name(RateLimitCounter._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE key = %s AND window_end <= %s", [key, now])
        cursor.execute(
            f"INSERT INTO {table} (key, window_start, window_end, count) VALUES (%s, %s, %s, 1) "
            f"ON CONFLICT (key, window_start) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [key, start, start + window],
        )
        return cursor.fetchone()[0]


def _read_count(key: str, window: int) -> int:
    """The attempts of `key` so far in its window, without counting one; the database's when the cache is down."""
    try:
        return int(cache.get(key) or 0)
    except Exception:
        logger.warning("rate limit: the cache does not answer, reading %s from the database", key, exc_info=True)
        now = int(time.time())
        row = RateLimitCounter.objects.filter(key=key, window_start=now - now % window).only("count").first()
        return row.count if row else 0


def _failure_rate(request, rate: tuple[int, int] | None) -> tuple[int, int]:
    limit, window = rate or lookup_rate()
    if TrustedKiosk.objects.filter(address=client_address(request), is_active=True).exists():
        limit *= TRUSTED_FACTOR
    return limit, window


def exceeded(request, scope: str, rate: tuple[int, int] | None = None) -> Verdict:
    """Whether this client has used up its failed attempts of `scope` (counts nothing): a lookup limited by failures
    asks this first, then `fail()`s only a wrong answer, so a citizen who types it right is never refused."""
    limit, window = _failure_rate(request, rate)
    attempts = _read_count(_key(request, scope), window)
    return Verdict(allowed=attempts < limit, attempts=attempts, limit=limit, window=window)


def fail(request, scope: str, rate: tuple[int, int] | None = None) -> Verdict:
    """Count one failed attempt of `scope` from this client."""
    return hit(request, scope, _failure_rate(request, rate))


def hit(request, scope: str, rate: tuple[int, int] | None = None) -> Verdict:
    """Count one attempt of `scope` from this client and say whether it is still within the limit."""
    limit, window = rate or lookup_rate()
    return count(_key(request, scope), (limit, window))


def count(key: str, rate: tuple[int, int]) -> Verdict:
    """Count one attempt under any key (the API counts per token, not per address) in the cache, or in the
    database while the cache does not answer."""
    limit, window = rate
    try:
        attempts = _count_in_cache(key, window)
    except Exception:  # the cache does not answer: count in the database instead (see the module's docstring)
        logger.warning("rate limit: the cache does not answer, counting %s in the database", key, exc_info=True)
        attempts = _count_in_database(key, window)
    return Verdict(allowed=attempts <= limit, attempts=attempts, limit=limit, window=window)
