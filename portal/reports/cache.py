"""Cache of the public statistics: the last computed figures are served, and refreshed in the background.

Stale-while-revalidate: an entry holds the page's payload and when it was computed. Younger than FRESH_SECONDS it is
served as it is; older, it is still served while one background task (`portal.tasks.refresh_public_statistics`)
computes the next, at most once a minute per page (a cache lock taken with `add`). A dossier or rating saved does
not invalidate anything: with a save every few seconds the page would be recomputed on nearly every request (issue
20); the figures shown are at most about a minute old, and the page says when they were computed. Only a published
audit chain head moves its scope's "generation" on (portal/apps.py), so the new head shows at once.

The cache and the broker are optimisations, never dependencies: a cache that does not answer means the page is
computed for the request; a broker that does not take the task means the stale figures are served, up to
STALE_SECONDS, after which the request computes them itself. A generation evicted or lost restarts from the
clock, so no old entry can match it again.
"""
from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

FRESH_SECONDS = 60  # served as computed; older figures are refreshed in the background, once a minute at most
STALE_SECONDS = 600  # never served older: past it the request computes (the workers or the broker are down)
KEEP_SECONDS = 86400  # how long an entry may wait in the cache for its next request
ALL = "all"


def _generation_key(scope) -> str:
    return f"dashboards:generation:{scope}"


def _fresh() -> int:
    # After an eviction a generation restarts from the clock, never from 1, so an old entry cannot match again.
    return time.time_ns() // 1000


def generation(scope=ALL) -> int:
    key = _generation_key(scope)
    value = cache.get(key)
    if value is None:
        cache.add(key, _fresh(), timeout=None)
        value = cache.get(key, 0)
    return value


def bump(agency_id: int | None) -> None:
    """Move the generations on; a cache that does not answer is logged, never raised to the write."""
    try:
        for scope in (ALL, agency_id) if agency_id is not None else (ALL,):
            try:
                cache.incr(_generation_key(scope))
            except ValueError:  # not cached yet (or evicted): any new value invalidates
                cache.set(_generation_key(scope), _fresh(), timeout=None)
    except Exception:  # the cache is down: the write stands, the cached figures expire within STALE_SECONDS
        logger.warning("stats cache: generation bump skipped, the cache does not answer", exc_info=True)


def public_key(agency_id: int | None, language: str) -> str:
    scope = agency_id if agency_id is not None else ALL
    return f"dashboards:public:v2:{scope}:{generation(scope)}:{language}"


def store(cache_key: str, value, computed_at: datetime.datetime) -> None:
    try:
        cache.set(cache_key, (computed_at, value), KEEP_SECONDS)
    except Exception:
        logger.warning("stats cache: could not store a page", exc_info=True)


def _refresh_later(cache_key: str, refresh: Callable[[], None], now: datetime.datetime) -> None:
    """Start one background refresh of this entry per FRESH_SECONDS window of the clock; a failure only leaves the
    figures stale. The lock is named after the window, so it holds by our clock, not the cache server's expiry."""
    window = int(now.timestamp()) // FRESH_SECONDS
    try:
        if cache.add(f"{cache_key}:refreshing:{window}", 1, 2 * FRESH_SECONDS):
            refresh()
    except Exception:
        logger.warning("stats cache: background refresh not started, stale figures served", exc_info=True)


def serve(key: Callable[[], str], compute: Callable[[], object], refresh: Callable[[], None]):
    """The figures under key(): fresh, or stale while refresh() recomputes them in the background; computed here
    when there are none, they are too old, or the cache does not answer."""
    try:
        cache_key = key()
        entry = cache.get(cache_key)
    except Exception:
        logger.warning("stats cache: unavailable, the page is computed uncached", exc_info=True)
        return compute()
    now = timezone.now()
    if entry is not None:
        computed_at, value = entry
        age = (now - computed_at).total_seconds()
        if age < FRESH_SECONDS:
            return value
        if age < STALE_SECONDS:
            _refresh_later(cache_key, refresh, now)
            return value
    value = compute()
    store(cache_key, value, now)
    return value


def invalidate_on_save(sender, instance, **kwargs) -> None:
    agency_id = getattr(instance, "agency_id", None)
    # After commit: a rolled-back write invalidates nothing, and the cache is never touched inside the transaction.
    transaction.on_commit(lambda: bump(agency_id))
