from django.conf import settings
from django.urls import NoReverseMatch, reverse


def _url_or_none(name: str) -> str | None:
    """The URL if that part of the portal is installed; pages link to it only then."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def portal(request):
    """Names every page header shows, and links to sections other apps provide when they exist."""
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_AGENCY_NAME": settings.PORTAL_AGENCY_NAME,
        "worklist_url": _url_or_none("dossiers:worklist"),
        "lookup_url": _url_or_none("tracking:lookup"),
    }
