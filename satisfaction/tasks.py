"""Celery tasks: e-mail the agency's leaders about low ratings and reports about an official.

Queued by the services after commit; eager in development and tests (CELERY_TASK_ALWAYS_EAGER), a worker in
production. Each task reads the row again, so a retry or a late run sends what is true now.
"""
from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from procedures.selectors import leader_emails

from . import selectors


def _send(template: str, context: dict, recipients: list[str]) -> int:
    if not recipients:
        return 0
    # Leaders read Vietnamese whatever language the citizen's request used.
    with translation.override(settings.LANGUAGE_CODE):
        context = {**context, "PORTAL_NAME": settings.PORTAL_NAME}
        subject = " ".join(render_to_string(f"satisfaction/email/{template}_subject.txt", context).split())
        body = render_to_string(f"satisfaction/email/{template}.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task
def notify_low_rating(rating_id: int) -> int:
    rating = selectors.rating_for_notification(rating_id)
    if rating is None:
        return 0
    return _send("low_rating", {
        "rating": rating,
        "officials": list(rating.officials.all()),
        "url": settings.SITE_URL + reverse("satisfaction:attention"),
    }, leader_emails(rating.agency_id))


@shared_task
def notify_official_feedback(feedback_id: int) -> int:
    feedback = selectors.feedback_for_notification(feedback_id)
    if feedback is None:
        return 0
    return _send("official_feedback", {
        "feedback": feedback,
        "officials": list(feedback.officials.all()),
        "url": settings.SITE_URL + reverse("satisfaction:feedback_detail", args=[feedback.pk]),
    }, leader_emails(feedback.agency_id))
