from django.conf import settings
from django.utils.functional import SimpleLazyObject

from procedures.roles import MANAGER_ROLES


def _leads_an_agency(user) -> bool:
    """Leaders and agency admins see the dashboard link; the official (and its roles) is cached on the user,
    so a view that already asked costs nothing more."""
    if not user.is_authenticated:
        return False
    official = getattr(user, "official", None)
    return bool(user.is_superuser or (official is not None and official.has_role(*MANAGER_ROLES)))


def portal(request):
    """Names every page header shows. Its links are `{% url %}` tags in the templates: a renamed route fails loudly."""
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_AGENCY_NAME": settings.PORTAL_AGENCY_NAME,
        "leads_an_agency": SimpleLazyObject(lambda: _leads_an_agency(request.user)),
    }
