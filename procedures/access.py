"""Access rules of every staff page (counter, forms, feedback handling, dashboards): signed in, an active
official of an agency, and optionally a role. One definition, so every app refuses the same way."""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import Official
from .selectors import active_official


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
