"""Access rules of the staff pages: signed in, an active official of an agency, and optionally a role."""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from procedures.models import Official


def _load_official(user) -> Official | None:
    """The official behind a login, with agency and groups read once for the whole request."""
    official = (
        Official.objects.select_related("agency", "user").prefetch_related("user__groups")
        .filter(user=user, is_active=True).first()
    )
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
        official = _load_official(request.user)
        if official is None:
            raise PermissionDenied(_("Tài khoản này không phải cán bộ đang công tác tại một cơ quan."))
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
