"""What a dossier's events tell its citizen and its officials, written to the `notifications` outbox inside the
service's transaction (one call, from `services._event`, for every event; and the daily step reminders).

The citizen hears of every public event of their dossier on the channels chosen at reception, in the language
chosen then: received, supplement requested, payment due, extension (with the apology), result ready,
returned (with the rating link), refused or stopped (with the reason). Messages carry the dossier code, dates
and links, never the ID number, address or phone number. Officials hear of a dossier handed to them and of
their step due on the next working day or overdue (once a day each).
"""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import services as outbox
from notifications.models import Audience, NotificationChannel
from procedures import calendar

from . import links, selectors
from .models import Dossier, DossierEvent, Extension, StepRecord

Event = DossierEvent.Kind
CITIZEN_TEMPLATES = {
    Event.RECEIVED: "received",
    Event.SUPPLEMENT_REQUESTED: "supplement_requested",
    Event.PAYMENT_REQUESTED: "payment_requested",
    Event.EXTENSION_APPROVED: "extension_approved",
    Event.PROCESSED: "processed",
    Event.RETURNED: "returned",
    Event.REFUSED: "refused",
    Event.REJECTED: "rejected",
    Event.STOPPED: "stopped",
}
# Events after which the dossier's current step may have a new holder.
HAND_OFFS = (Event.RECEIVED, Event.ASSIGNED, Event.FORWARDED, Event.SENT_BACK)
REMINDER_DAYS_AHEAD = 14  # the next working day is found within two weeks, holidays included


def clean_channels(channels, *, email: str) -> tuple[str, ...]:
    """The channels a citizen chose; without a choice, e-mail when they gave an address."""
    if channels is None:
        return (NotificationChannel.EMAIL,) if email else ()
    chosen = tuple(dict.fromkeys(channels))
    if any(channel not in NotificationChannel.values for channel in chosen):
        raise ValidationError(_("Kênh nhận thông báo không hợp lệ."))
    if NotificationChannel.EMAIL in chosen and not email:
        raise ValidationError(_("Nhập thư điện tử để nhận thông báo qua thư điện tử."))
    return chosen


def clean_language(language: str) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _address(dossier: Dossier, channel: str) -> str:
    return dossier.applicant_email if channel == NotificationChannel.EMAIL else dossier.applicant_phone


def _citizen_context(dossier: Dossier, event: DossierEvent) -> dict:
    agency = dossier.agency
    context = {
        "name": dossier.applicant_name, "code": dossier.code, "procedure": dossier.procedure.name,
        "agency_name": agency.name, "agency_address": agency.address, "due_at": dossier.due_at,
        "tracking_url": links.tracking_url(dossier.tracking_token),
        "rating_url": links.rating_url(dossier.tracking_token), "note": event.public_note,
    }
    if event.kind == Event.SUPPLEMENT_REQUESTED:
        request = dossier.supplement_requests.order_by("-requested_at", "-pk").first()
        context["reply_by"] = request.reply_by if request else None
    elif event.kind == Event.PAYMENT_REQUESTED:
        payment = dossier.payment_requests.order_by("-requested_at", "-pk").first()
        context["amount"] = payment.amount if payment else 0
    elif event.kind == Event.EXTENSION_APPROVED:
        extension = dossier.extensions.filter(status=Extension.Status.APPROVED).order_by("-approved_at").first()
        context["note"] = extension.reason if extension else event.public_note
    elif event.kind in (Event.REFUSED, Event.STOPPED):
        context["note"] = dossier.closing_reason or event.public_note
    return context


def _zalo_params(context: dict, event: DossierEvent) -> dict:
    """The values a registered ZNS template is filled with (README: code, date, link)."""
    date = context.get("reply_by") or timezone.localtime(context["due_at"]).date()
    link = context["rating_url"] if event.kind == Event.RETURNED else context["tracking_url"]
    return {"code": context["code"], "date": date.strftime("%d/%m/%Y"), "link": link}


def _tell_applicant(dossier: Dossier, event: DossierEvent, template: str) -> None:
    channels = dossier.notification_channels
    if not channels:
        return
    context = _citizen_context(dossier, event)
    outbox.enqueue(
        agency_id=dossier.agency_id, audience=Audience.CITIZEN, template=template, language=dossier.notify_language,
        context=context, recipients=[(channel, _address(dossier, channel)) for channel in channels],
        key=f"dossier:{dossier.pk}:event:{event.pk}", dossier_id=dossier.pk, params=_zalo_params(context, event),
        now=event.at,
    )


def _official_context(dossier: Dossier, record: StepRecord) -> dict:
    return {
        "official_name": record.assignee.display_name, "code": dossier.code, "procedure": dossier.procedure.name,
        "step": record.step.name, "step_due_at": record.due_at,
        "dossier_url": settings.SITE_URL + reverse("dossiers:detail", args=[dossier.pk]),
    }


def _tell_official(dossier: Dossier, record: StepRecord, template: str, key: str, *,
                   now: datetime.datetime, expires_at: datetime.datetime | None = None) -> None:
    official = record.assignee
    # Officials read Vietnamese, as the leaders' digest does; by e-mail, the address of their login.
    outbox.enqueue(
        agency_id=dossier.agency_id, audience=Audience.OFFICIAL, template=template, language=settings.LANGUAGE_CODE,
        context=_official_context(dossier, record), recipients=[(NotificationChannel.EMAIL, official.user.email)],
        key=key, dossier_id=dossier.pk, now=now, expires_at=expires_at,
    )


def on_event(event: DossierEvent) -> None:
    """Called by the services for every event they write, in their transaction."""
    dossier = event.dossier
    template = CITIZEN_TEMPLATES.get(event.kind)
    if template and event.is_public:
        _tell_applicant(dossier, event, template)
    if event.kind in HAND_OFFS and dossier.current_assignee_id and dossier.current_assignee_id != event.actor_id:
        record = selectors.open_step_record(dossier)
        if record is not None and record.assignee_id == dossier.current_assignee_id:
            _tell_official(dossier, record, "step_assigned",
                           f"dossier:{dossier.pk}:event:{event.pk}:assignee:{record.assignee_id}", now=event.at)


def drop_pending_for_applicant(dossier: Dossier) -> int:
    return outbox.drop_pending(dossier_id=dossier.pk, audience=Audience.CITIZEN, reason="opted out")


def _next_working_day(agency, day: datetime.date) -> datetime.date:
    for offset in range(1, REMINDER_DAYS_AHEAD + 1):
        candidate = day + datetime.timedelta(days=offset)
        if calendar.is_working_day(agency, candidate):
            return candidate
    return day + datetime.timedelta(days=1)


def send_step_reminders(*, now: datetime.datetime | None = None) -> int:
    """Each working morning (Celery beat): every held step due on the next working day, or overdue, gets one
    message to its holder that day. The key carries the day, so running twice sends nothing new; the message
    expires at the end of the day: a reminder about today is useless tomorrow."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    end_of_day = calendar.start_of_day(today + datetime.timedelta(days=1))
    written = 0
    next_days = {}
    for record in selectors.held_open_steps():
        dossier = record.dossier
        if dossier.agency_id not in next_days:
            next_days[dossier.agency_id] = _next_working_day(dossier.agency, today)
        if record.due_at < now:
            template = "step_overdue"
        elif timezone.localtime(record.due_at).date() == next_days[dossier.agency_id]:
            template = "step_due_tomorrow"
        else:
            continue
        with transaction.atomic():
            _tell_official(dossier, record, template, f"step:{record.pk}:{template}:{today.isoformat()}",
                           now=now, expires_at=end_of_day)
        written += 1
    return written
