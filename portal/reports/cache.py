"""Cache of the public statistics, invalidated by "generation" numbers rather than by deleting keys.

A page's key carries the current generation of its scope (all agencies, or one agency) and the language. When
a dossier or a rating is saved or deleted, `bump` moves the generation of its agency and of the whole portal
on, so the next request computes fresh figures and the old entries simply expire. The receivers that call
`bump` (portal/apps.py) hold no business rule: they only invalidate this cache. Entries also expire after
CACHE_SECONDS because "overdue now" changes with the clock even when no row does.

The cache is an optimisation, never a dependency of a write: the bump runs after the write has committed
(`transaction.on_commit`), and a cache that does not answer is logged and skipped. A bump lost in an outage
leaves at most CACHE_SECONDS of stale figures; a generation evicted or lost restarts from the clock, so no old
entry can match it again. Reads that cannot reach the cache compute the page uncached (`cache_or_compute`).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

CACHE_SECONDS = 300
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
    except Exception:  # the cache is down: the write stands, the cached figures expire within CACHE_SECONDS
        logger.warning("stats cache: generation bump skipped, the cache does not answer", exc_info=True)


def public_key(agency_id: int | None, language: str) -> str:
    scope = agency_id if agency_id is not None else ALL
    return f"dashboards:public:{scope}:{generation(scope)}:{language}"


def cache_or_compute(key: Callable[[], str], compute: Callable[[], object]):
    """The cached value under key(), or compute() stored there; compute() alone when the cache does not answer."""
    try:
        cache_key = key()
        value = cache.get(cache_key)
    except Exception:
        logger.warning("stats cache: unavailable, the page is computed uncached", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(cache_key, value, CACHE_SECONDS)
        except Exception:
            logger.warning("stats cache: could not store a page", exc_info=True)
    return value


def invalidate_on_save(sender, instance, **kwargs) -> None:
    agency_id = getattr(instance, "agency_id", None)
    # After commit: a rolled-back write invalidates nothing, and the cache is never touched inside the transaction.
    transaction.on_commit(lambda: bump(agency_id))
