"""The public statistics the API serves, from the one report module the public page uses.

The import below is the API's only link to the report queries (`portal/reports/public.py`)."""
import datetime

from django.utils import timezone

from portal.reports import public as public_stats  # the one import of the report module

MAX_DAYS = 731  # two years: each figure is a grouped query over the period


def report(agency, first: datetime.date | None, last: datetime.date | None, now: datetime.datetime | None = None):
    """(period, figures, months, fields) for one agency (or all), for the page's period or the one asked for."""
    now = now or timezone.now()
    if first is None and last is None:
        result = public_stats.public_report(agency, now)
        fields = public_stats.by_field(agency, result.period, now)
        return result.period, result.figures, result.months, fields
    default = public_stats.Period.last_months(now)
    period = public_stats.Period(first=first or default.first, last=last or default.last)
    grouped = public_stats.grouped_counts(agency, period, now)
    satisfaction = public_stats.satisfaction_months(period, agency.pk if agency else None)
    figures = public_stats.summary(agency, period, now, grouped, satisfaction)
    months = public_stats.by_month(agency, period, now, grouped, satisfaction)
    return period, figures, months, public_stats.by_field(agency, period, now, grouped)
