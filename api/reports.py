"""The public statistics the API serves, from the one report module the public page uses.

The imports below are the API's only links to the report queries (`portal/reports/public.py`) and to the page's
cached figures (`portal/statistics.py`); closed days come from the daily roll-ups either way."""
import datetime

from django.utils import timezone

from portal import statistics
from portal.reports import public as public_stats  # the one import of the report module

MAX_DAYS = 731  # two years: closed days read from the daily roll-ups (portal.rollups.KEEP_DAYS covers them)


def report(agency, first: datetime.date | None, last: datetime.date | None, now: datetime.datetime | None = None):
    """(period, figures, months, fields) for one agency (or all), for the page's period or the one asked for."""
    now = now or timezone.now()
    if first is None and last is None:
        # The page's own figures, from its cache (refreshed in the background, portal.statistics).
        result = statistics.payload(agency)["report"]
        return result.period, result.figures, result.months, result.fields
    default = public_stats.Period.last_months(now)
    period = public_stats.Period(first=first or default.first, last=last or default.last)
    grouped = public_stats.grouped_counts(agency, period, now)
    figures = public_stats.summary(agency, period, now, grouped)
    months = public_stats.by_month(agency, period, now, grouped)
    return period, figures, months, public_stats.by_field(agency, period, now, grouped)
