"""The citizen's links to their online submission: the token in the path is the key (as for tracking)."""
from django.conf import settings
from django.urls import reverse


def status_path(token: str) -> str:
    return reverse("online:status", args=[token])


def status_url(token: str) -> str:
    return settings.SITE_URL + status_path(token)


def form_url(token: str, number: str) -> str:
    """Mẫu 01, 02 or 03 of the submission as a PDF, for the citizen."""
    return settings.SITE_URL + reverse("online:form_pdf", args=[token, number])
