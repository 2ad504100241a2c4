"""The outbox's writes: enqueue a message in the caller's transaction, deliver it once, resend, drop.

`enqueue` is called by the service that changes a dossier (or a feedback report), inside its transaction: a
rolled-back change leaves no row and sends nothing; a committed one always has its row, which a Celery task
delivers right after the commit, or the periodic sweep later if that task was lost (worker killed, broker
down). `deliver` locks the row, checks it is still pending, calls the channel's backend once and records the
attempt, so a task that runs twice never sends twice.
"""
import datetime
import logging
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from common.text import strip_diacritics

from .backends import DeliveryError, backend_for
from .models import Audience, DeliveryAttempt, Notification, NotificationChannel

logger = logging.getLogger(__name__)
State = Notification.State
MAX_BACKOFF_SECONDS = 6 * 3600

# GSM 03.38 basic alphabet (and its extension table, two units each): text within it fits 160 characters
# per SMS; anything else (Vietnamese diacritics included) is sent as UCS-2, 70 characters per SMS.
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€")


def sms_segments(text: str) -> tuple[str, int]:
    """The encoding an SMS of `text` needs and how many segments it costs."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text):
        units = len(text) + sum(ch in GSM7_EXTENDED for ch in text)
        return "GSM-7", 1 if units <= 160 else math.ceil(units / 153)
    units = len(text.encode("utf-16-le")) // 2
    return "UCS-2", 1 if units <= 70 else math.ceil(units / 67)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def render(template: str, language: str, channel: str, context: dict) -> Message:
    """`templates/notifications/<language>/<template>.txt` holds every part of one message, chosen by `part`:
    the e-mail's subject and body, and the short text for SMS and Zalo. An SMS is sent without diacritics:
    Vietnamese with its marks is UCS-2 (70 characters a segment), unaccented it is GSM-7 (160)."""
    path = f"notifications/{language}/{template}.txt"

    def part(name: str) -> str:
        with translation.override(language):
            return render_to_string(path, {**context, "part": name, "PORTAL_NAME": settings.PORTAL_NAME})

    if channel == NotificationChannel.EMAIL:
        return Message(subject=" ".join(part("subject").split()), body=part("body").strip() + "\n")
    short = " ".join(part("short").split())
    return Message(subject="", body=strip_diacritics(short) if channel == NotificationChannel.SMS else short)


def enqueue(*, agency_id: int, audience: str, template: str, language: str, context: dict,
            recipients: Iterable[tuple[str, str]], key: str, dossier_id: int | None = None,
            params: dict | None = None, expires_at: datetime.datetime | None = None,
            now: datetime.datetime | None = None) -> list[Notification]:
    """Write one pending notification per (channel, address) in the caller's transaction and deliver them after
    it commits. `key` names the fact being told (e.g. "dossier:12:event:345"); a second enqueue of the same key
    and channel is ignored, so reminders sent "once a day" are keyed by the day."""
    now = now or timezone.now()
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    expires_at = expires_at or now + datetime.timedelta(hours=settings.NOTIFY_LIFETIME_HOURS)
    created = []
    for channel, address in recipients:
        if not address:
            continue
        message = render(template, language, channel, context)
        idempotency_key = f"{key}:{channel}"
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    agency_id=agency_id, dossier_id=dossier_id, audience=audience, channel=channel,
                    recipient=address, template=template, language=language, subject=message.subject[:255],
                    body=message.body, params=params or {}, idempotency_key=idempotency_key, created_at=now,
                    next_attempt_at=now, expires_at=expires_at,
                )
        except IntegrityError:
            continue  # told already
        created.append(notification)
    if created:
        pks = [n.pk for n in created]
        transaction.on_commit(lambda: schedule(pks))
    return created


def schedule(pks: Iterable[int]) -> None:
    """Hand committed rows to Celery. A broker that cannot take them loses nothing: the sweep finds the rows."""
    from .tasks import deliver_notification

    for pk in pks:
        try:
            deliver_notification.delay(pk)
        except Exception:  # the broker is down: the periodic sweep will deliver the row
            logger.warning("notification %s not queued; the sweep will deliver it", pk, exc_info=True)


def backoff(attempts: int, base: int | None = None) -> int:
    """Seconds before try number `attempts + 1`: base, 2×base, 4×base… capped at six hours (also the national
    portal outbox's, with its own base)."""
    base = settings.NOTIFY_RETRY_BASE_SECONDS if base is None else base
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def _take_slot(channel: str) -> int:
    """Count one send against the provider's rate (`NOTIFY_RATE_LIMITS`), shared by every worker through the
    cache. Answers 0 when allowed, else the seconds to wait. A cache outage must not stop delivery: allowed."""
    limit, window = settings.NOTIFY_RATE_LIMITS.get(channel, (0, 0))
    if not limit:
        return 0
    slot = int(time.time() // window)
    key = f"notify-rate:{channel}:{slot}"
    try:
        cache.add(key, 0, timeout=window + 1)
        used = cache.incr(key)
    except Exception:
        logger.warning("rate counter unavailable for %s; sending unthrottled", channel, exc_info=True)
        return 0
    return 0 if used <= limit else max(1, int((slot + 1) * window - time.time()) + 1)


@dataclass(frozen=True)
class Outcome:
    state: str
    retry_in: int | None = None  # seconds, when the row stays pending for a later try


def deliver(notification_id: int, *, now: datetime.datetime | None = None) -> Outcome:
    """One delivery try. The row lock is held while the provider is called: a second task for the same row skips
    it (PostgreSQL's SKIP LOCKED) or, after the commit, finds it sent. A provider that took the message while
    this process then died is asked again with the same idempotency key, which it can dedupe on."""
    now = now or timezone.now()
    with transaction.atomic():
        notification = (Notification.objects.select_for_update(skip_locked=True)
                        .filter(pk=notification_id).first())
        if notification is None:
            return Outcome(state="busy")
        if notification.state != State.PENDING:
            return Outcome(state=notification.state)
        if notification.expires_at and notification.expires_at <= now:
            notification.state = State.DROPPED
            notification.last_error = "expired before it could be sent"
            notification.save(update_fields=["state", "last_error"])
            return Outcome(state=State.DROPPED)
        if notification.next_attempt_at > now:
            return Outcome(state=State.PENDING, retry_in=math.ceil((notification.next_attempt_at - now).total_seconds()))
        wait = _take_slot(notification.channel)
        if wait:
            notification.next_attempt_at = now + datetime.timedelta(seconds=wait)
            notification.save(update_fields=["next_attempt_at"])
            return Outcome(state=State.PENDING, retry_in=wait)
        started = time.monotonic()
        message_id, error, transient = "", "", False
        try:
            message_id = backend_for(notification.channel).send(notification)
        except DeliveryError as failure:
            error, transient = failure.message, failure.transient
        except Exception as failure:  # a bug in an adapter is shown to the admin like a provider error
            error, transient = f"{type(failure).__name__}: {failure}", True
        notification.attempts += 1
        DeliveryAttempt.objects.create(notification=notification, at=now, succeeded=not error, error=error[:2000],
                                       provider_message_id=message_id[:255],
                                       duration_ms=int((time.monotonic() - started) * 1000))
        retry_in = None
        if not error:
            notification.state = State.SENT
            notification.sent_at = now
            notification.provider_message_id = message_id[:255]
        elif transient and notification.attempts < settings.NOTIFY_MAX_ATTEMPTS:
            retry_in = backoff(notification.attempts)
            notification.next_attempt_at = now + datetime.timedelta(seconds=retry_in)
            notification.last_error = error[:2000]
        else:
            notification.state = State.FAILED
            notification.last_error = error[:2000]
        notification.save()
    if error:
        logger.warning("notification %s %s try %s: %s", notification.pk, notification.channel,
                       notification.attempts, error)
    return Outcome(state=notification.state, retry_in=retry_in)


def sweep(*, now: datetime.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Crash recovery and housekeeping (Celery beat, every minute): pending rows past their useful life are
    dropped, not sent late; pending rows older than `NOTIFY_SWEEP_AFTER_SECONDS` whose try is due are handed to
    the workers again (their task was lost, or their retry is due). Young rows are left to their own task."""
    now = now or timezone.now()
    dropped = Notification.objects.filter(state=State.PENDING, expires_at__lte=now).update(
        state=State.DROPPED, last_error="expired before it could be sent")
    due = list(
        Notification.objects.filter(
            state=State.PENDING, next_attempt_at__lte=now,
            created_at__lte=now - datetime.timedelta(seconds=settings.NOTIFY_SWEEP_AFTER_SECONDS),
        ).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )
    schedule(due)
    return {"dropped": dropped, "queued": len(due)}


@transaction.atomic
def resend(*, notification_ids: Iterable[int], now: datetime.datetime | None = None) -> int:
    """The agency admin's "resend": failed or dropped messages go back to pending with a fresh set of tries
    and a fresh useful life. Rows already sent or pending are left alone (no double sending)."""
    now = now or timezone.now()
    rows = list(Notification.objects.select_for_update().filter(pk__in=list(notification_ids),
                                                                 state__in=[State.FAILED, State.DROPPED]))
    for notification in rows:
        notification.state = State.PENDING
        notification.attempts = 0
        notification.next_attempt_at = now
        if notification.expires_at and notification.expires_at <= now:
            notification.expires_at = now + datetime.timedelta(hours=settings.NOTIFY_LIFETIME_HOURS)
        notification.save(update_fields=["state", "attempts", "next_attempt_at", "expires_at"])
    if rows:
        pks = [n.pk for n in rows]
        transaction.on_commit(lambda: schedule(pks))
    return len(rows)


def drop_pending(*, dossier_id: int, audience: str = Audience.CITIZEN, reason: str) -> int:
    """Messages still waiting for a dossier's citizen are not sent after they opted out."""
    return Notification.objects.filter(dossier_id=dossier_id, audience=audience, state=State.PENDING).update(
        state=State.DROPPED, last_error=reason)
