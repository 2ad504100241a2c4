"""Cache of the public statistics, invalidated by "generation" numbers rather than by deleting keys.

A page's key carries the current generation of its scope (all agencies, or one agency) and the language. When
a dossier or a rating is saved or deleted, `bump` moves the generation of its agency and of the whole portal
on, so the next request computes fresh figures and the old entries simply expire. The receivers that call
`bump` (portal/apps.py) hold no business rule: they only invalidate this cache. Entries also expire after
CACHE_SECONDS because "overdue now" changes with the clock even when no row does.
"""
from __future__ import annotations

import time

from django.core.cache import cache

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
    for scope in (ALL, agency_id) if agency_id is not None else (ALL,):
        try:
            cache.incr(_generation_key(scope))
        except ValueError:  # not cached yet (or evicted): any new value invalidates
            cache.set(_generation_key(scope), _fresh(), timeout=None)


def public_key(agency_id: int | None, language: str) -> str:
    scope = agency_id if agency_id is not None else ALL
    return f"dashboards:public:{scope}:{generation(scope)}:{language}"


def invalidate_on_save(sender, instance, **kwargs) -> None:
    bump(getattr(instance, "agency_id", None))
