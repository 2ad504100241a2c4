"""The working calendar as a table (issue 20): counted working time per calendar scope and day, so that the database
measures working time between two instants with two lookups instead of Python walking every day between them.

For each scope and date a `WorkingCalendarDay` holds the working time counted before the day starts (cumulative
from the scope's first day) and the day's counted sessions. The working time before an instant is that sum plus
the instant's local time of day clamped to each session; between two instants it is the difference. The rules
stay in `procedures.calendar` (`_session_times`), which builds the rows: the table is a cache of it, and reads
through `working_time` answer NULL (and the caller falls back to `calendar.WorkingClock`) wherever it cannot
answer exactly:
- a date outside [first, last] of the scope (instants before the earliest data, or after next year);
- a scope built with other sessions than the agency's (an agency edited outside the admin);
- a scope older than the latest change of the exceptions it depends on (their history rows: an exception saved
  outside `procedures.services`, e.g. a fixture or a shell, makes the scope stale until it is rebuilt).

Scopes: the national calendar (agency NULL) serves every agency on the default sessions that neither counts
Saturday mornings nor has exceptions of its own, which is most wards of a city, so N such agencies cost one set of
rows; an agency with its own sessions or exceptions gets its own rows (it is the agency's row that wins over the
national one of the same date, so its rows cannot be shared).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.apps import apps as django_apps
from django.db import models
from django.db.models import Exists, F, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate, TruncTime
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from common.clock import VN

from .calendar import _session_times, day_length, effective_exceptions
from .models import Agency, CalendarException, WorkingCalendar, WorkingCalendarDay

__all__ = ["SESSION_FIELDS", "default_range", "rebuild", "scope_rows", "sessions_of", "working_tenths", "working_time"]

SESSION_FIELDS = ("morning_start", "morning_end", "afternoon_start", "afternoon_end")
MICROSECOND = dt.timedelta(microseconds=1)


def sessions_of(agency) -> dict:
    """What a scope's rows depend on besides the exceptions: the sessions and whether Saturday morning counts."""
    return {**{name: getattr(agency, name) for name in SESSION_FIELDS},
            "saturday_counts": bool(agency.saturday_reception and agency.saturday_counts)}


def default_range(today: dt.date, earliest: dt.date | None) -> tuple[dt.date, dt.date]:
    """1 January of the earliest data's year (today's when there is none) to 31 December of next year."""
    first_year = min(today.year, earliest.year) if earliest else today.year
    return dt.date(first_year, 1, 1), dt.date(today.year + 1, 12, 31)


def _micros(time: dt.time) -> int:
    return ((time.hour * 60 + time.minute) * 60 + time.second) * 1_000_000 + time.microsecond


def scope_rows(agency, exceptions: dict, first: dt.date, last: dt.date) -> Iterator[dict]:
    """The days of one scope as field values: `agency` gives the sessions (an unsaved default `Agency()` for the
    national scope), `exceptions` the effective exception of each date (the agency's own over the national)."""
    morning = (agency.morning_start, agency.morning_end)
    before = 0
    day = first
    while day <= last:
        values = {"date": day, "working_before": before, "morning_start": 0, "morning_end": 0,
                  "afternoon_start": 0, "afternoon_end": 0}
        for start, end in _session_times(agency, day, exceptions.get(day)):
            half = "morning" if (start, end) == morning else "afternoon"
            values[f"{half}_start"], values[f"{half}_end"] = _micros(start), _micros(end)
            before += _micros(end) - _micros(start)
        yield values
        day += dt.timedelta(days=1)


class _LocalMicrosOfDay(models.Func):
    """An instant's time of day in Vietnam time, in microseconds since midnight (exact on both backends)."""

    output_field = models.BigIntegerField()

    def __init__(self, instant):
        super().__init__(TruncTime(instant, tzinfo=VN))

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(ROUND(EXTRACT(EPOCH FROM {sql}) * 1000000) AS bigint)", params

    def as_sqlite(self, compiler, connection, **extra):
        # Django's SQLite time is the text 'HH:MM:SS' or 'HH:MM:SS.ffffff'.
        sql, params = compiler.compile(self.source_expressions[0])
        text = (
            f"((CAST(substr({sql}, 1, 2) AS INTEGER) * 60 + CAST(substr({sql}, 4, 2) AS INTEGER)) * 60"
            f" + CAST(substr({sql}, 7, 2) AS INTEGER)) * 1000000 + CAST(substr({sql} || '.000000', 10, 6) AS INTEGER)"
        )
        return text, [*params, *params, *params, *params]


def _last_exception_change(scope: Q) -> Coalesce:
    history = CalendarException.history.model
    latest = history.objects.filter(scope).order_by("-history_id").values("history_id")[:1]
    return Coalesce(Subquery(latest), 0, output_field=models.BigIntegerField())


def _valid_scope(agency: Agency) -> Subquery:
    """The id of the scope that answers for `agency`, or NULL when none is current (one uncorrelated subquery,
    evaluated once per statement)."""
    mine, national = Q(agency_id=agency.pk), Q(agency__isnull=True)
    own = mine & Q(exceptions_seen__gte=_last_exception_change(national | mine))
    shared = (national & Q(exceptions_seen__gte=_last_exception_change(national))
              & ~Exists(WorkingCalendar.objects.filter(mine)) & ~Exists(CalendarException.objects.filter(mine)))
    scopes = WorkingCalendar.objects.filter(own | shared, **sessions_of(agency)).order_by().values("id")[:1]
    return Subquery(scopes, output_field=models.BigIntegerField())


def _outer(instant):
    if isinstance(instant, str):
        # Typed, because TruncDate and TruncTime ask their argument for its field.
        return models.ExpressionWrapper(OuterRef(instant), output_field=models.DateTimeField())
    if isinstance(instant, dt.datetime):
        return Value(instant, output_field=models.DateTimeField())
    raise TypeError(f"An instant is a field name or an aware datetime, not {instant!r}.")


def _working_before(scope: Subquery, instant) -> Subquery:
    """Counted working time from the scope's first day up to `instant`: the day's row plus the clamped sessions."""
    instant = _outer(instant)
    time = _LocalMicrosOfDay(instant)
    big = models.BigIntegerField()

    def within(session: str):
        return Greatest(Least(time, F(f"{session}_end"), output_field=big) - F(f"{session}_start"), Value(0), output_field=big)

    day = WorkingCalendarDay.objects.filter(calendar_id=scope, date=TruncDate(instant, tzinfo=VN)).order_by()
    return Subquery(day.annotate(before=F("working_before") + within("morning") + within("afternoon"))
                    .values("before")[:1], output_field=big)


def working_time(agency: Agency, start, end) -> models.Expression:
    """Counted working time in [start, end] in microseconds, as an expression for a queryset of `agency`'s rows:
    `calendar.working_time_between` in two lookups of the table; 0 when end is not after start; NULL where the
    table does not cover a date or is stale (the caller then measures those rows with `calendar.WorkingClock`).

    `start` and `end` are field names of the annotated queryset or aware datetimes (e.g. now).
    """
    scope = _valid_scope(agency)
    start_field = F(start) if isinstance(start, str) else Value(start, output_field=models.DateTimeField())
    end_field = F(end) if isinstance(end, str) else Value(end, output_field=models.DateTimeField())
    return models.Case(
        models.When(LessThanOrEqual(end_field, start_field), then=Value(0)),
        default=_working_before(scope, end) - _working_before(scope, start),
        output_field=models.BigIntegerField(),
    )


def working_tenths(agency: Agency, working: models.Expression) -> models.Expression:
    """Working time (microseconds) in tenths of the agency's working day, rounded half up: `calendar.in_working_days`
    × 10 in integers, so a database sum of them is exact."""
    day = day_length(agency) // MICROSECOND
    return models.ExpressionWrapper((working * 20 + day) / (2 * day), output_field=models.BigIntegerField())


def rebuild(apps=django_apps, *, agency_ids=None, first: dt.date | None = None, last: dt.date | None = None) -> dict:
    """Rebuild the national scope and every agency scope (`agency_ids` None), or only those agencies' scopes (after
    a change of their own exceptions or sessions), over the union of [first, last], the present scopes' range and
    `default_range`, with one bulk insert of the days. Callers hold a transaction (`services`, the migration).

    Takes the models from `apps` so that the migration that creates the table can fill it for existing holidays.
    """
    agency_model = apps.get_model("procedures", "Agency")
    exception_model = apps.get_model("procedures", "CalendarException")
    history_model = apps.get_model("procedures", "HistoricalCalendarException")
    calendar_model = apps.get_model("procedures", "WorkingCalendar")
    day_model = apps.get_model("procedures", "WorkingCalendarDay")
    now = timezone.now()
    present = calendar_model.objects.aggregate(first=Min("first"), last=Max("last"))
    default_first, default_last = default_range(
        timezone.localdate(now, VN), exception_model.objects.aggregate(first=Min("date"))["first"])
    first = min(filter(None, [first, present["first"], default_first]))
    last = max(filter(None, [last, present["last"], default_last]))
    seen = history_model.objects.aggregate(last=Max("history_id"))["last"] or 0

    national_default = sessions_of(agency_model())
    own_exceptions = set(exception_model.objects.filter(agency__isnull=False).values_list("agency_id", flat=True))
    agencies = agency_model.objects.order_by("pk")
    if agency_ids is not None:
        agencies = agencies.filter(pk__in=list(agency_ids))
    own = [agency for agency in agencies
           if agency.pk in own_exceptions or sessions_of(agency) != national_default]
    stale = calendar_model.objects.all() if agency_ids is None else calendar_model.objects.filter(agency_id__in=list(agency_ids))
    day_model.objects.filter(calendar__in=stale).delete()
    stale.delete()

    scopes = [(None, agency_model())] if agency_ids is None else []
    scopes += [(agency.pk, agency) for agency in own]
    exceptions = list(exception_model.objects.filter(
        Q(agency__isnull=True) | Q(agency_id__in=[agency.pk for agency in own]), date__gte=first, date__lte=last,
    ).only("date", "kind", "part", "agency_id").order_by("date"))
    calendars = calendar_model.objects.bulk_create([
        calendar_model(agency_id=agency_id, first=first, last=last, exceptions_seen=seen, built_at=now,
                       **sessions_of(agency))
        for agency_id, agency in scopes
    ])
    days = []
    for calendar, (agency_id, agency) in zip(calendars, scopes, strict=True):
        effective = effective_exceptions(row for row in exceptions if row.agency_id in (None, agency_id))
        days.extend(day_model(calendar_id=calendar.pk, **values) for values in scope_rows(agency, effective, first, last))
    day_model.objects.bulk_create(days, batch_size=5000)
    return {"scopes": len(calendars), "days": len(days), "first": first, "last": last}
