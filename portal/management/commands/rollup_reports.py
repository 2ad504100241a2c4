"""Rebuild the public statistics' daily roll-ups (portal/rollups.py).

    manage.py rollup_reports --since 2025-01-01 [--until 2025-12-31]   the days of a range (up to yesterday)
    manage.py rollup_reports                                            the nightly run: days not rolled up yet

Idempotent: a day is deleted and rewritten in one transaction. Run it with --since after writing dossiers or
ratings of past days outside the services (a bulk seed, a legacy import, a restore).
"""
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal import rollups


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"not a date (yyyy-mm-dd): {value}") from error


class Command(BaseCommand):
    help = "Rebuild the public statistics' daily roll-ups for a range of days, or the days not rolled up yet."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=_date, help="first day (yyyy-mm-dd)")
        parser.add_argument("--until", type=_date, help="last day (default: yesterday)")

    def handle(self, *args, since=None, until=None, **options):
        if since is None:
            if until is not None:
                raise CommandError("--until needs --since")
            days = rollups.roll_up_due()
        else:
            days = rollups.roll_up(since, until or timezone.localdate())
        self.stdout.write(f"{days} day(s) rolled up")
