"""Access rules of every staff page (counter, forms, feedback handling, dashboards): signed in, an active
official of an agency, and optionally a role. One definition, so every app refuses the same way."""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import Official
from .selectors import active_official


def not_an_official_message() -> str:
    return _("Tài khoản này không phải cán bộ đang công tác tại một cơ quan.")


def official_of(actor, error: type[Exception] = PermissionDenied) -> Official:
    """The active official acting in a service (`actor.official`, as `load_official` set it for the request);
    anyone else raises `error` (each app's own permission error) with the one message."""
    official = getattr(actor, "official", None) if actor is not None and actor.is_authenticated else None
    if official is None or not official.is_active:
        raise error(not_an_official_message())
    return official


def load_official(user) -> Official | None:
    """The official behind a login, read once for the whole request and cached on the user."""
    official = active_official(user)
    if official is not None:
        official.roles  # noqa: B018  read the prefetched groups now: the assignment below swaps official.user
        # Services read `actor.official`: hand them this instance so roles are not read again.
        user.official = official
    return official


def staff_required(view):
    """Anonymous visitors go to the login page; a login without an active official gets 403.
    The view finds the official as `request.official`."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        official = load_official(request.user)
        if official is None:
            raise PermissionDenied(not_an_official_message())
        request.official = official
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: str):
    """Like `staff_required`, and the official must hold one of `roles` (403 otherwise)."""

    def decorator(view):
        @staff_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.official.has_role(*roles):
                raise PermissionDenied(_("Trang này dành cho cán bộ có vai trò phù hợp."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def admin_agency_id(request) -> int | None:
    """The agency a Django-admin user is confined to: None for a superuser (everything), otherwise the agency of
    their active official, or 0 (no agency: nothing) for a staff login that is not an official. Read once per
    request. Every admin page of agency data (procedures, dossiers, satisfaction) scopes itself by this."""
    if request.user.is_superuser:
        return None
    if not hasattr(request, "_admin_agency_id"):
        official = load_official(request.user)
        request._admin_agency_id = official.agency_id if official is not None else 0
    return request._admin_agency_id
