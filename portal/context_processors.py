from django.conf import settings


def portal(request):
    """Names every page header shows."""
    return {"PORTAL_NAME": settings.PORTAL_NAME, "PORTAL_AGENCY_NAME": settings.PORTAL_AGENCY_NAME}
