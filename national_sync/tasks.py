"""Celery tasks of the national portal's outbox: deliver one dossier's messages in order, and the sweep.

Retries follow the head message's own back-off; in eager mode (development, most tests) no retry is queued from
inside the request: the sweep picks the dossier up when its try is due.
"""
from celery import shared_task

from . import services

BUSY_RETRY_SECONDS = 5


@shared_task(bind=True, acks_late=True, ignore_result=True)
def deliver_dossier(self, dossier_id: int) -> str:
    outcome, retry_in = services.deliver_dossier(dossier_id)
    if outcome == "busy":
        retry_in = BUSY_RETRY_SECONDS  # the other worker may stop before a message committed meanwhile
    if retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=retry_in, max_retries=None)
    return outcome


@shared_task(ignore_result=True)
def sweep() -> int:
    return services.sweep()
