"""Throttles of the API, rates from settings (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]): per token for staff
calls, per client address (the trusted-proxy rule of `dossiers.ratelimit.client_ip`) for anonymous ones.

Counted by the project's rate limiter (`dossiers.ratelimit.count`), not DRF's cache history: a fixed window in the
cache, in the database while the cache does not answer, so a Redis outage neither fails nor unthrottles the API."""
import time

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from dossiers import ratelimit


class _CountedThrottle(BaseThrottle):
    scope = ""

    def __init__(self):
        self.limit, self.window = SimpleRateThrottle.parse_rate(self, api_settings.DEFAULT_THROTTLE_RATES[self.scope])
        self.verdict = None

    def key(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view):
        key = self.key(request)
        if key is None:
            return True
        self.verdict = ratelimit.count(f"api:{self.scope}:{key}", (self.limit, self.window))
        return self.verdict.allowed

    def wait(self):
        return self.window - time.time() % self.window


class AnonymousThrottle(_CountedThrottle):
    scope = "anonymous"

    def key(self, request):
        if request.auth is not None:
            return None
        return ratelimit.client_address(request)


class TokenThrottle(_CountedThrottle):
    scope = "token"

    def key(self, request):
        # The key's digest, not the row id: ids are reused after a rollback, a counter must never pass to another.
        return None if request.auth is None else request.auth.key_hash[:32]
