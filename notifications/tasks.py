"""Celery tasks of the outbox: deliver one notification after its transaction commits, and the sweep.

Retries are scheduled from the row's own back-off (`next_attempt_at`); in eager mode (development, most tests)
no retry is queued from inside the request: the sweep picks the row up when its try is due.
"""
from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, ignore_result=True)
def deliver_notification(self, notification_id: int) -> str:
    outcome = services.deliver(notification_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in, max_retries=None)
    return outcome.state


@shared_task(ignore_result=True)
def sweep() -> dict:
    return services.sweep()
