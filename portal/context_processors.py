from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from procedures.roles import Role


def _url_or_none(name: str) -> str | None:
    """The URL if that part of the portal is installed; pages link to it only then."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _leads_an_agency(user) -> bool:
    """Leaders and agency admins see the dashboard link; the official (and its roles) is cached on the user,
    so a view that already asked costs nothing more."""
    if not user.is_authenticated:
        return False
    official = getattr(user, "official", None)
    return bool(user.is_superuser or (official is not None and official.has_role(Role.LEADER, Role.AGENCY_ADMIN)))


def portal(request):
    """Names every page header shows, and links to sections other apps provide when they exist."""
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_AGENCY_NAME": settings.PORTAL_AGENCY_NAME,
        "worklist_url": _url_or_none("dossiers:worklist"),
        "online_inbox_url": _url_or_none("online:inbox"),
        "lookup_url": _url_or_none("tracking:lookup"),
        "statistics_url": _url_or_none("dashboards:public"),
        "feedback_url": _url_or_none("satisfaction:feedback_create"),
        "feedback_admin_url": _url_or_none("satisfaction:feedback_list"),
        "leader_url": _url_or_none("dashboards:leader"),
        "leads_an_agency": SimpleLazyObject(lambda: _leads_an_agency(request.user)),
    }
