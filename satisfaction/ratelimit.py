"""A fixed-window counter per client address in Django's cache (Redis in production, shared by every worker).

The placard QR and the feedback form are open to anyone; the per-device daily rule stops honest repeats, this
stops a script. Settings, read with defaults: SATISFACTION_RATE_LIMIT = (attempts, seconds), default 20 per hour.
"""
from django.conf import settings
from django.core.cache import cache

DEFAULT_RATE = (20, 3600)


def rate() -> tuple[int, int]:
    limit, window = getattr(settings, "SATISFACTION_RATE_LIMIT", DEFAULT_RATE)
    return int(limit), int(window)


def allow(request, scope: str) -> bool:
    """Count one attempt of `scope` from REMOTE_ADDR; False once the window's limit is exceeded."""
    limit, window = rate()
    key = f"satisfaction:ratelimit:{scope}:{request.META.get('REMOTE_ADDR') or 'unknown'}"
    cache.add(key, 0, timeout=window)  # starts the window only if none is running
    try:
        attempts = cache.incr(key)
    except ValueError:  # the window expired between add() and incr()
        cache.set(key, 1, timeout=window)
        attempts = 1
    return attempts <= limit
