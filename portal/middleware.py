"""Request hygiene for every page, before any view or session lookup runs (issue 12, items 5 and 11).

- A body larger than its path's limit is refused with 413 before it is read (`REQUEST_BODY_LIMITS`): the
  public forms need a few kilobytes, yet accepted 20 MB.
- A NUL character anywhere in the path, the query, a posted field or a cookie is a 400: PostgreSQL refuses NUL
  in text, so it could only ever end as a 500 further in.
- Posted text loses its invisible and bidirectional control characters (`procedures.inputs.strip_invisible`),
  so a name or a note reads the same on screen, in the register and in a PDF as it was stored. Passwords are
  left exactly as typed.
- A page answered to a signed-in user is never stored by a browser or a proxy (`Cache-Control: private,
  no-store`) unless the view chose its own caching: staff pages and exports carry personal data.
"""
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from procedures.inputs import strip_invisible

KIB = 1024
MIB = 1024 * KIB
DEFAULT_BODY_LIMITS = ()
DEFAULT_BODY_LIMIT = 64 * KIB
NUL = "\x00"


def body_limit(path: str) -> int:
    """The largest body accepted for `path`: the first matching prefix of REQUEST_BODY_LIMITS, else the default."""
    for prefix, limit in getattr(settings, "REQUEST_BODY_LIMITS", DEFAULT_BODY_LIMITS):
        if path.startswith(prefix):
            return int(limit)
    return int(getattr(settings, "REQUEST_BODY_LIMIT_DEFAULT", DEFAULT_BODY_LIMIT))


def _content_length(request) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        raise BadRequest("Content-Length is not a number.") from None


def _has_nul(pairs) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in pairs)


def _clean_post(request) -> None:
    post = request.POST
    if _has_nul(post.lists()):
        raise BadRequest("NUL character in a posted field.")
    if not any(strip_invisible(value) != value for _key, values in post.lists() for value in values):
        return
    cleaned = post.copy()
    for key, values in post.lists():
        if "password" not in key:
            cleaned.setlist(key, [strip_invisible(value) for value in values])
    cleaned._mutable = False
    request.POST = cleaned


class RequestHygieneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _content_length(request) > body_limit(request.path_info):
            return HttpResponse(_("Nội dung gửi lên quá lớn."), status=413, content_type="text/plain; charset=utf-8")
        if NUL in request.path or _has_nul(request.GET.lists()) or _has_nul(
            (name, [value]) for name, value in request.COOKIES.items()
        ):
            raise BadRequest("NUL character in the request.")
        if request.method == "POST":
            _clean_post(request)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
