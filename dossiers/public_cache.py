"""The public tracking page, rendered once per dossier state and language and then served from the cache.

Citizens scanning their receipts all day hit `/t/<token>/` (and the kiosk's frame of it). Each page is stored
under its token, template and language with the dossier's current *version*: a random value kept under
`tracking:version:<token>`, replaced after every service write of the dossier commits (`dossier_changed`, called
from the one writer of dossier events, `services._event`, and from the citizen's opt-out). A page stored under
an older version is never served again, so an action shows on the page at once.

What may be cached: only the anonymous page of a GET without query string and without pending one-off messages.
A signed-in official's page (header with their name and the logout form) is rendered every time. The one
per-visitor value in the anonymous page is the CSRF token (language switch, opt-out form): the page is rendered
with a placeholder that is swapped for the visitor's own token on every hit, so tokens are never shared.

Time-dependent content ("quá hạn" on the dossier and on its current step) flips at known instants; a page is kept
only until the next of them (`fresh_until`), and never longer than TRACKING_PAGE_CACHE_SECONDS (default 300),
which also bounds how long an edit of the agency's address or a procedure's name, or a version bump lost while the
cache did not answer, can show. 0 turns the cache off.

The cache is an optimisation, never a dependency: a cache that does not answer is logged and the page is
rendered as if there were none; a bump runs after commit and its failure never reaches the write.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

logger = logging.getLogger(__name__)

DEFAULT_SECONDS = 300
# A version outlives the pages stored under it; after it expires a new random one simply misses them.
VERSION_SECONDS = 24 * 3600


def _placeholder() -> str:
    # Stable across processes (they share the cache), unguessable by anyone writing a dossier's notes.
    digest = hmac.new(settings.SECRET_KEY.encode(), b"tracking-page-csrf-placeholder", hashlib.sha256)
    return "csrf" + digest.hexdigest()[:40]


def _seconds() -> int:
    return int(getattr(settings, "TRACKING_PAGE_CACHE_SECONDS", DEFAULT_SECONDS))  # portal/settings.py


def _version_key(token: str) -> str:
    return f"tracking:version:{token}"


def _page_key(token: str, variant: str, language: str) -> str:
    return f"tracking:page:{token}:{variant}:{language}"


def _bump(token: str) -> None:
    try:
        cache.set(_version_key(token), secrets.token_hex(8), timeout=VERSION_SECONDS)
    except Exception:  # the write stands; the stale page expires within TRACKING_PAGE_CACHE_SECONDS
        logger.warning("tracking page cache: version bump skipped, the cache does not answer", exc_info=True)


def dossier_changed(dossier) -> None:
    """Called by every service write of a dossier: its public pages are rendered afresh once the write commits
    (a rolled-back write invalidates nothing, and the cache is never touched inside the transaction)."""
    token = dossier.tracking_token
    if token:
        transaction.on_commit(lambda: _bump(token))


def fresh_until(now: datetime.datetime, instants: Iterable[datetime.datetime | None]) -> datetime.datetime:
    """The page rendered at `now` stays true until the first of `instants` not yet passed (a deadline after which
    a flag reads "overdue"; at the instant itself it does not yet, so that page is not kept), and at most
    TRACKING_PAGE_CACHE_SECONDS."""
    ahead = [instant for instant in instants if instant is not None and instant >= now]
    return min([now + datetime.timedelta(seconds=_seconds()), *ahead])


def _cacheable(request) -> bool:
    if _seconds() <= 0 or request.method not in ("GET", "HEAD") or request.GET:
        return False
    if request.user.is_authenticated:
        return False
    # Pending one-off messages (after the opt-out) belong to this visitor's next page only.
    return len(messages.get_messages(request)) == 0


def _with_visitor_token(request, html: str) -> str:
    placeholder = _placeholder()
    if placeholder not in html:
        return html
    return html.replace(f'value="{placeholder}"', f'value="{get_token(request)}"')


Build = Callable[[dict], tuple[HttpResponse, "datetime.datetime | None"]]


def serve(request, *, token: str, variant: str, build: Build) -> HttpResponse:
    """The page for `token` from the cache, or `build(overrides)` rendered, stored and returned. `build` renders
    with `overrides` merged last into its context and returns the response with the instant it stays true until
    (None: do not keep it, e.g. a "not found" page)."""
    if not _cacheable(request):
        return build({})[0]
    language = translation.get_language() or settings.LANGUAGE_CODE
    version_key, page_key = _version_key(token), _page_key(token, variant, language)
    try:
        found = cache.get_many([version_key, page_key])
        version = found.get(version_key)
        if version is None:
            cache.add(version_key, secrets.token_hex(8), timeout=VERSION_SECONDS)
            version = cache.get(version_key)
    except Exception:
        logger.warning("tracking page cache: unavailable, the page is rendered uncached", exc_info=True)
        return build({})[0]
    entry = found.get(page_key)
    if entry is not None and version is not None and entry[0] == version and time.time() < entry[1]:
        return HttpResponse(_with_visitor_token(request, entry[2]))
    # The version was read before the dossier: a write committing meanwhile leaves this page under the old one.
    response, until = build({"csrf_token": _placeholder()})
    html = response.content.decode()
    if response.status_code == 200 and until is not None and version is not None:
        expires = until.timestamp()
        timeout = int(expires - time.time())
        if timeout > 0:
            try:
                cache.set(page_key, (version, expires, html), timeout=timeout)
            except Exception:
                logger.warning("tracking page cache: could not store a page", exc_info=True)
    response.content = _with_visitor_token(request, html)
    return response
