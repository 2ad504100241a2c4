"""Celery tasks of the public statistics: the nightly daily roll-ups and the background refresh of the page."""
from celery import shared_task
from django.utils import translation

from . import rollups, statistics


@shared_task
def roll_up_reports() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): yesterday, the day before, and any day of the kept window not rolled up."""
    return rollups.roll_up_due()


@shared_task(ignore_result=True)
def refresh_public_statistics(agency_id: int | None, language: str) -> None:
    with translation.override(language):
        statistics.refresh(agency_id, language)
