"""Celery tasks of the dossier lifecycle.

`send_overdue_digests` runs each working morning (Celery beat, `CELERY_BEAT_SCHEDULE` in settings): every
agency's leaders get the list of dossiers that are overdue or due within 2 working days, with who holds each,
so nothing waits silently past its appointment. It only reads; it changes no dossier.
"""
from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from procedures.models import Agency
from procedures.selectors import leader_emails

from . import notify, selectors, services

DIGEST_ROWS = 50  # a longer list is not read; the e-mail links to the worklist for the rest


@shared_task
def send_overdue_digests() -> int:
    """One e-mail per agency that has overdue or soon-due dossiers and leaders with an address."""
    now = timezone.now()
    sent = 0
    for agency in Agency.objects.order_by("code"):
        overdue = selectors.overdue_dossiers(agency, now)
        due_soon = selectors.due_soon_dossiers(agency, now)
        overdue_count, due_soon_count = overdue.count(), due_soon.count()
        recipients = leader_emails(agency.pk)
        if not (overdue_count or due_soon_count) or not recipients:
            continue
        context = {
            "PORTAL_NAME": settings.PORTAL_NAME,
            "agency": agency,
            "now": now,
            "overdue": list(overdue[:DIGEST_ROWS]),
            "overdue_count": overdue_count,
            "due_soon": list(due_soon[:DIGEST_ROWS]),
            "due_soon_count": due_soon_count,
            "url": settings.SITE_URL + reverse("dossiers:worklist"),
        }
        # Leaders read Vietnamese; the digest is an internal notice.
        with translation.override(settings.LANGUAGE_CODE):
            subject = " ".join(render_to_string("dossiers/email/overdue_digest_subject.txt", context).split())
            body = render_to_string("dossiers/email/overdue_digest.txt", context)
        sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return sent


@shared_task
def send_step_reminders() -> int:
    """Each working morning: officials hear of their steps due on the next working day or overdue (once a day)."""
    return notify.send_step_reminders()


@shared_task
def publish_audit_chain_heads() -> int:
    """Once a day: publish every agency's audit chain head on the public statistics page (dossiers.audit)."""
    return len(services.publish_chain_heads())


@shared_task
def verify_audit_chains() -> int:
    """Nightly `verify_audit`: the leader dashboard shows the result; returns how many chains are broken."""
    return sum(not report.ok for report in services.verify_audit_chains())
