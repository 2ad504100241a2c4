"""Celery tasks of the catalogue: a large import file, read and written in the worker, never in the web request."""
from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def run_catalogue_import(job_id: int) -> str:
    return services.run_catalogue_import(job_id)
