"""HTTP caching for public pages, shared by the public views of every app."""
from functools import wraps

from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers


def token_page(response):
    """A page whose URL carries a secret token (tracking, rating, verification): kept out of search engines, and
    its URL never travels to another site in a Referer header."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def changing_page(response):
    """A token page that follows a dossier's state: a browser may keep it but must ask again each time."""
    patch_cache_control(response, private=True, no_cache=True)
    return token_page(response)


def never_cached_page(response):
    """A token page that must not be kept at all (a form's answer, a redirect carrying the token)."""
    add_never_cache_headers(response)
    return token_page(response)


def public_page(max_age: int = 300):
    """Let browsers and proxies keep an anonymous public page for `max_age` seconds.

    The header carries the login state and a CSRF token (logout and language forms), so the page
    varies on the cookie; a signed-in user's copy is private, and a page that showed one-off
    messages is not kept at all.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.has_header("Cache-Control"):
                return response
            storage = getattr(request, "_messages", None)
            if storage is not None and storage.used:
                patch_cache_control(response, private=True, no_store=True)
            elif request.user.is_authenticated:
                patch_cache_control(response, private=True, max_age=max_age)
            else:
                patch_cache_control(response, public=True, max_age=max_age)
            patch_vary_headers(response, ("Cookie", "Accept-Language"))
            return response

        return wrapper

    return decorator
