"""The national portal's outbox: enqueue in the caller's transaction, deliver each dossier's messages in order,
retry with back-off, replay what failed.

- **Write**: `enqueue` is called from the dossier services' one event writer (through `dossiers.national`) while
  the dossier row is locked, so a dossier's sequence numbers are allocated without a race; the idempotency key
  (`dossier:<id>:sync:<seq>`) is unique. A rolled-back change leaves no message.
- **Deliver**: `deliver_dossier` takes the dossier's lowest unacknowledged message (the head) with a row lock
  that does not wait: a second worker finds the head locked and leaves (its task retries later), so two workers
  never send one dossier's messages side by side, and message n+1 is read only once n is committed as sent. A
  failed head blocks the dossier's later messages until the admin replays it: nothing is skipped.
- The portal acknowledges with any 2xx, or 409 for a key it already has (a retry after a lost answer); 408, 429,
  5xx, timeouts and connection errors are retried with exponential back-off up to NATIONAL_SYNC_MAX_ATTEMPTS;
  any other refusal fails at once. Every request carries the key in `Idempotency-Key`.
- No URL configured: nothing is sent and nothing fails; messages wait, pending, for the configuration.
"""
import datetime
import logging
import time
from collections.abc import Iterable

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone

from notifications.backends import DeliveryError, post_json
from notifications.services import backoff

from .models import SyncAttempt, SyncMessage

logger = logging.getLogger(__name__)
State = SyncMessage.State
UNACKNOWLEDGED = (State.PENDING, State.FAILED)
DUPLICATE_STATUS = 409
MAX_PER_RUN = 50  # messages one task sends for one dossier before handing over


def configured() -> bool:
    return bool(settings.NATIONAL_SYNC_URL)


def last_message(dossier_id: int) -> SyncMessage | None:
    return SyncMessage.objects.filter(dossier_id=dossier_id).order_by("-seq").first()


def enqueue(*, agency_id: int, dossier_id: int, dossier_code: str, event_id: int, national_status: int,
            payload: dict, now: datetime.datetime | None = None) -> SyncMessage:
    """Write the dossier's next message in the caller's transaction (which holds the dossier's row lock) and hand
    it to Celery after the commit."""
    now = now or timezone.now()
    seq = (SyncMessage.objects.filter(dossier_id=dossier_id).aggregate(top=Max("seq"))["top"] or 0) + 1
    key = f"dossier:{dossier_id}:sync:{seq}"
    message = SyncMessage.objects.create(
        agency_id=agency_id, dossier_id=dossier_id, dossier_code=dossier_code, seq=seq, event_id=event_id,
        national_status=national_status, payload={**payload, "SoThuTuDongBo": seq, "MaDongBo": key},
        idempotency_key=key, created_at=now, next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: schedule([dossier_id]))
    return message


def schedule(dossier_ids: Iterable[int]) -> None:
    """Hand dossiers to Celery. A broker that cannot take them loses nothing: the sweep finds their messages."""
    if not configured():
        return
    from .tasks import deliver_dossier

    for dossier_id in dossier_ids:
        try:
            deliver_dossier.delay(dossier_id)
        except Exception:  # the broker is down: the periodic sweep will deliver
            logger.warning("national sync: dossier %s not queued; the sweep will deliver it", dossier_id, exc_info=True)


def _send(message: SyncMessage) -> str:
    headers = {"Idempotency-Key": message.idempotency_key}
    if settings.NATIONAL_SYNC_TOKEN:
        headers["Authorization"] = f"Bearer {settings.NATIONAL_SYNC_TOKEN}"
    answer = post_json(settings.NATIONAL_SYNC_URL, message.payload, headers, timeout=settings.NATIONAL_SYNC_TIMEOUT)
    return str(answer.get("receipt") or answer.get("id") or "")[:255]


class Busy(Exception):
    """Another worker holds the dossier's head message."""


def _head(dossier_id: int) -> SyncMessage | None:
    """The dossier's lowest unacknowledged message, locked without waiting (`Busy` when another worker has it)."""
    try:
        return (SyncMessage.objects.select_for_update(nowait=True)
                .filter(dossier_id=dossier_id, state__in=UNACKNOWLEDGED).order_by("seq").first())
    except DatabaseError as error:  # PostgreSQL: lock not available
        raise Busy from error


def deliver_next(dossier_id: int, *, now: datetime.datetime | None = None) -> tuple[str, int | None]:
    """One try at the dossier's head message. Answers (outcome, seconds to wait for a retry or None): "sent",
    "retry", "failed", "blocked" (a failed head waits for a replay), "waiting" (its retry is not due),
    "idle" (nothing to send), "busy" or "unconfigured"."""
    if not configured():
        return "unconfigured", None
    now = now or timezone.now()
    try:
        with transaction.atomic():
            message = _head(dossier_id)
            if message is None:
                return "idle", None
            if message.state == State.FAILED:
                return "blocked", None
            if message.next_attempt_at > now:
                return "waiting", max(1, int((message.next_attempt_at - now).total_seconds()) + 1)
            return _try(message, now)
    except Busy:
        return "busy", None


def _try(message: SyncMessage, now: datetime.datetime) -> tuple[str, int | None]:
    started = time.monotonic()
    receipt, error, transient = "", "", False
    try:
        receipt = _send(message)
    except DeliveryError as failure:
        if failure.status == DUPLICATE_STATUS:
            receipt = "duplicate"  # the portal already has this key: our earlier try reached it
        else:
            error, transient = failure.message, failure.transient
    except Exception as failure:  # a bug in the adapter is shown to the admin like a portal error
        error, transient = f"{type(failure).__name__}: {failure}", True
    message.attempts += 1
    SyncAttempt.objects.create(message=message, at=now, succeeded=not error, error=error[:2000],
                               duration_ms=int((time.monotonic() - started) * 1000))
    retry_in = None
    if not error:
        message.state, message.sent_at, message.receipt, message.last_error = State.SENT, now, receipt, ""
        outcome = "sent"
    elif transient and message.attempts < settings.NATIONAL_SYNC_MAX_ATTEMPTS:
        retry_in = backoff(message.attempts, settings.NATIONAL_SYNC_RETRY_BASE_SECONDS)
        message.next_attempt_at = now + datetime.timedelta(seconds=retry_in)
        message.last_error = error[:2000]
        outcome = "retry"
    else:
        message.state, message.last_error = State.FAILED, error[:2000]
        outcome = "failed"
    message.save()
    if error:
        logger.warning("national sync %s try %s: %s", message.idempotency_key, message.attempts, error)
    return outcome, retry_in


def deliver_dossier(dossier_id: int, *, now: datetime.datetime | None = None) -> tuple[str, int | None]:
    """Send the dossier's messages in order, each after the previous one is acknowledged, until one must wait."""
    outcome, retry_in = "idle", None
    for _count in range(MAX_PER_RUN):
        outcome, retry_in = deliver_next(dossier_id, now=now)
        if outcome != "sent":
            break
    else:
        retry_in = 1  # more may be waiting: hand over to a fresh task rather than hold a worker
    return outcome, retry_in


def sweep(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Crash recovery (Celery beat, every minute): dossiers with a pending message due and older than
    NATIONAL_SYNC_SWEEP_AFTER_SECONDS are handed to the workers again (their task was lost or their retry is due)."""
    if not configured():
        return 0
    now = now or timezone.now()
    dossier_ids = list(
        SyncMessage.objects.filter(
            state=State.PENDING, next_attempt_at__lte=now,
            created_at__lte=now - datetime.timedelta(seconds=settings.NATIONAL_SYNC_SWEEP_AFTER_SECONDS),
        ).order_by().values_list("dossier_id", flat=True).distinct()[:limit]
    )
    schedule(dossier_ids)
    return len(dossier_ids)


@transaction.atomic
def replay(*, message_ids: Iterable[int], now: datetime.datetime | None = None) -> int:
    """The agency admin's "send again": failed messages go back to pending with a fresh set of tries; their
    dossiers' queues move on from there, in order. Messages already sent are left alone (no double sending)."""
    now = now or timezone.now()
    rows = list(SyncMessage.objects.select_for_update().filter(pk__in=list(message_ids), state=State.FAILED))
    for message in rows:
        message.state, message.attempts, message.next_attempt_at = State.PENDING, 0, now
        message.save(update_fields=["state", "attempts", "next_attempt_at"])
    if rows:
        dossier_ids = sorted({message.dossier_id for message in rows})
        transaction.on_commit(lambda: schedule(dossier_ids))
    return len(rows)
