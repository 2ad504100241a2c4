"""The working calendar: which instants count towards a legal time limit, and when a limit runs out.

Time limits of administrative procedures are counted in working days (half-day granularity), in working
hours, or "in the same working day" (Luật Hộ tịch 2014, NĐ 23/2015/NĐ-CP Điều 7); Luật Cán bộ, công chức:
40 hours a week, Monday to Friday. Every rule here is stated once, with its source, in docs/ARCHITECTURE.md
("Time"). An agency works two sessions a day (default 07:30–11:30 and 13:00–17:00);
Saturday morning counts only where the agency receives dossiers then *and* counts that time. National
holidays (loaded by ``manage.py sync_holidays``) and the admin's exceptions are ``CalendarException``
rows; a row of the agency itself overrides the national row of the same date.

Every function computes in Vietnam time (``common.clock.VN``, the zone of ``settings.TIME_ZONE``), takes aware datetimes and returns
aware datetimes in that zone. Each call reads the exceptions it needs with one query for a window of
dates sized from the work asked for, and widens the window (one more query each time) only if the
estimate fell short.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from common.clock import VN

from .models import Agency, CalendarException, TimeUnit

__all__ = [
    "MAX_DAYS_WITHOUT_WORK",
    "Period",
    "WorkingClock",
    "add_working_time",
    "day_length",
    "due_at",
    "exact_working_days",
    "is_working_day",
    "is_working_time",
    "load_exceptions",
    "processing_start",
    "start_of_day",
    "subtract_working_time",
    "to_working_time",
    "in_working_days",
    "working_days_between",
    "working_intervals",
    "working_time_between",
]

# A calendar with no working session for this long is misconfigured; stop rather than loop forever.
MAX_DAYS_WITHOUT_WORK = 400
# The smallest window of exceptions read at once: a few weeks covers nearly every deadline.
MIN_WINDOW_DAYS = 60

Interval = tuple[dt.datetime, dt.datetime]
Kind = CalendarException.Kind
Part = CalendarException.Part


def _local(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("The working calendar needs aware datetimes.")
    return instant.astimezone(VN)


def start_of_day(day: dt.date) -> dt.datetime:
    """00:00 of a calendar day in Vietnam time: the boundary every "received on/between" filter uses."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=VN)


def month_starts(today: dt.date, months: int) -> list[dt.date]:
    """The first days of the `months` calendar months ending with today's, oldest first.

    >>> month_starts(dt.date(2026, 2, 14), 3)
    [datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)]
    """
    year, month = today.year, today.month
    starts = []
    for _i in range(months):
        starts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


@dataclass(frozen=True)
class Period:
    """Inclusive local days [first, last], either end may be open (None); `start`/`end` are the aware instants
    [start, end) in Vietnam time. Every report filter (statistics, dashboards, satisfaction) reads through `q`, a
    range on the instant column that its index serves.

    >>> Period(first=dt.date(2026, 3, 9), last=dt.date(2026, 3, 9)).end.isoformat()
    '2026-03-10T00:00:00+07:00'
    """

    first: dt.date | None = None
    last: dt.date | None = None

    @property
    def start(self) -> dt.datetime | None:
        return start_of_day(self.first) if self.first else None

    @property
    def end(self) -> dt.datetime | None:
        return start_of_day(self.last + dt.timedelta(days=1)) if self.last else None

    def q(self, field_name: str) -> Q:
        q = Q()
        if self.first:
            q &= Q(**{f"{field_name}__gte": self.start})
        if self.last:
            q &= Q(**{f"{field_name}__lt": self.end})
        return q

    @classmethod
    def last_months(cls, now: dt.datetime, months: int = 12) -> Period:
        """The current month and the `months - 1` before it, up to today."""
        today = timezone.localtime(now, VN).date()
        return cls(first=month_starts(today, months)[0], last=today)

    @classmethod
    def month_to_date(cls, now: dt.datetime) -> Period:
        today = timezone.localtime(now, VN).date()
        return cls(first=today.replace(day=1), last=today)


def _check_unit(unit: str) -> None:
    if unit not in TimeUnit.values:
        raise ValueError(f"Unknown time unit {unit!r}; expected one of {TimeUnit.values}.")


def load_exceptions(agency: Agency, first: dt.date, last: dt.date) -> dict[dt.date, CalendarException]:
    """The exception in force for each date of [first, last] for this agency, in one query.

    The agency's own row wins over the national row of the same date.
    """
    scope = Q(agency__isnull=True)
    if agency.pk is not None:
        scope |= Q(agency_id=agency.pk)
    rows = CalendarException.objects.filter(scope, date__gte=first, date__lte=last).only(
        "date", "kind", "part", "agency_id"
    )
    return effective_exceptions(rows)


def effective_exceptions(rows) -> dict[dt.date, CalendarException]:
    """{date: exception} of national and one agency's rows: the agency's own row wins over the national one."""
    effective: dict[dt.date, CalendarException] = {}
    for row in rows:
        if row.agency_id is not None or row.date not in effective:
            effective[row.date] = row
    return effective


def _session_times(agency: Agency, day: dt.date, exception: CalendarException | None) -> list[tuple[dt.time, dt.time]]:
    """The counted sessions of one day as local wall-clock pairs."""
    morning = (agency.morning_start, agency.morning_end)
    afternoon = (agency.afternoon_start, agency.afternoon_end)
    if exception is not None and exception.kind == Kind.WORKING_DAY:
        # A working-day row describes the whole day: swapped Saturdays are worked like a weekday.
        return {Part.MORNING: [morning], Part.AFTERNOON: [afternoon]}.get(exception.part, [morning, afternoon])
    weekday = day.weekday()
    if weekday < 5:
        sessions = [morning, afternoon]
    elif weekday == 5 and agency.saturday_reception and agency.saturday_counts:
        sessions = [morning]
    else:
        sessions = []
    if exception is not None and exception.kind == Kind.DAY_OFF:
        if exception.part == Part.MORNING:
            sessions = [s for s in sessions if s != morning]
        elif exception.part == Part.AFTERNOON:
            sessions = [s for s in sessions if s != afternoon]
        else:
            sessions = []
    return sessions


def _to_intervals(day: dt.date, times: list[tuple[dt.time, dt.time]]) -> list[Interval]:
    tz = VN
    return [(dt.datetime.combine(day, start, tzinfo=tz), dt.datetime.combine(day, end, tzinfo=tz)) for start, end in times]


class _Calendar:
    """One agency's sessions over a lazily widened window of dates; one query per window."""

    def __init__(self, agency: Agency, first: dt.date, last: dt.date):
        self.agency = agency
        self.first = first
        self.last = max(last, first)
        self.exceptions = load_exceptions(agency, self.first, self.last)

    def _cover(self, day: dt.date) -> None:
        if self.first <= day <= self.last:
            return
        span = max(MIN_WINDOW_DAYS, (self.last - self.first).days + 1)
        if day > self.last:
            first, last = self.last + dt.timedelta(days=1), max(day, self.last + dt.timedelta(days=span))
        else:
            first, last = min(day, self.first - dt.timedelta(days=span)), self.first - dt.timedelta(days=1)
        self.exceptions.update(load_exceptions(self.agency, first, last))
        self.first, self.last = min(self.first, first), max(self.last, last)

    def exception(self, day: dt.date) -> CalendarException | None:
        self._cover(day)
        return self.exceptions.get(day)

    def intervals(self, day: dt.date) -> list[Interval]:
        return _to_intervals(day, _session_times(self.agency, day, self.exception(day)))

    def is_working(self, local: dt.datetime) -> bool:
        return any(start <= local <= end for start, end in self.intervals(local.date()))

    def sessions_from(self, day: dt.date) -> Iterator[Interval]:
        """Every counted session from the start of `day` on, in order."""
        idle = 0
        while True:
            sessions = self.intervals(day)
            if sessions:
                idle = 0
                yield from sessions
            else:
                idle += 1
                if idle > MAX_DAYS_WITHOUT_WORK:
                    raise ValueError(
                        f"No working session for {MAX_DAYS_WITHOUT_WORK} days after {day - dt.timedelta(days=idle)}: "
                        "check the agency's working calendar."
                    )
            day += dt.timedelta(days=1)

    def sessions_back_from(self, day: dt.date) -> Iterator[Interval]:
        """Every counted session up to the end of `day`, latest first."""
        idle = 0
        while True:
            sessions = self.intervals(day)
            if sessions:
                idle = 0
                yield from reversed(sessions)
            else:
                idle += 1
                if idle > MAX_DAYS_WITHOUT_WORK:
                    raise ValueError(
                        f"No working session for {MAX_DAYS_WITHOUT_WORK} days before {day + dt.timedelta(days=idle)}: "
                        "check the agency's working calendar."
                    )
            day -= dt.timedelta(days=1)

    def subtract(self, local: dt.datetime, working: dt.timedelta) -> dt.datetime:
        if working < dt.timedelta(0):
            raise ValueError("Working time to subtract must not be negative.")
        remaining = working
        for start, end in self.sessions_back_from(local.date()):
            if start >= local:
                continue
            end = min(end, local)
            available = end - start
            # `<=` so that time running out exactly at a session start gives that start (07:30).
            if remaining <= available:
                return end - remaining
            remaining -= available
        raise AssertionError("unreachable: sessions_back_from never ends")  # pragma: no cover

    def next_session_start(self, local: dt.datetime) -> dt.datetime:
        """Start of the first session beginning strictly after `local`."""
        return next(start for start, _end in self.sessions_from(local.date()) if start > local)

    def first_session_after_day(self, day: dt.date) -> dt.datetime:
        return next(self.sessions_from(day + dt.timedelta(days=1)))[0]

    def add(self, local: dt.datetime, working: dt.timedelta) -> dt.datetime:
        if working < dt.timedelta(0):
            raise ValueError("Working time to add must not be negative.")
        if not working:
            return local if self.is_working(local) else self.next_session_start(local)
        remaining = working
        for start, end in self.sessions_from(local.date()):
            if end <= local:
                continue
            start = max(start, local)
            available = end - start
            # `<=` so that time running out exactly at a session end gives that end (17:00), not the next start.
            if remaining <= available:
                return start + remaining
            remaining -= available
        raise AssertionError("unreachable: sessions_from never ends")  # pragma: no cover

    def processing_start(self, local: dt.datetime, unit: str) -> dt.datetime:
        candidate = local if self.is_working(local) else self.next_session_start(local)
        # Received after the cutoff: the clock starts with the next working day (NĐ 23/2015/NĐ-CP Điều 7 for
        # same-day procedures; for the others an agency setting, see docs/ARCHITECTURE.md "Time").
        applies = unit == TimeUnit.SAME_DAY or self.agency.cutoff_for_all_limits
        if applies and candidate.time() > self.agency.same_day_cutoff:
            candidate = self.first_session_after_day(candidate.date())
        return candidate

    def end_of_working_day(self, local: dt.datetime) -> dt.datetime:
        """The end of the last counted session of `local`'s day (`local` must be working time)."""
        return self.intervals(local.date())[-1][1]


def _window_for(agency: Agency, start: dt.date, working: dt.timedelta) -> tuple[dt.date, dt.date]:
    """A date window likely to hold `working` of counted time from `start`: weekends plus a holiday margin."""
    length = day_length(agency)
    if length <= dt.timedelta(0):
        raise ValueError("The agency's working sessions are empty or out of order.")
    days_of_work = working / length
    span = int(days_of_work * 7 / 5 * 1.1) + 30
    return start, start + dt.timedelta(days=max(MIN_WINDOW_DAYS, span))


def _calendar_for(agency: Agency, local: dt.datetime, working: dt.timedelta = dt.timedelta(0)) -> _Calendar:
    return _Calendar(agency, *_window_for(agency, local.date(), working))


def is_working_day(agency: Agency, day: dt.date) -> bool:
    """True if the day has at least one counted session (a half-day counts)."""
    return bool(_session_times(agency, day, load_exceptions(agency, day, day).get(day)))


def working_intervals(
    agency: Agency, day: dt.date, *, exceptions: Mapping[dt.date, CalendarException] | None = None
) -> list[Interval]:
    """The day's counted sessions as aware (start, end) pairs in Vietnam time, in order.

    Pass `exceptions` from `load_exceptions` when asking about many days, to avoid a query per day.
    """
    if exceptions is None:
        exceptions = load_exceptions(agency, day, day)
    return _to_intervals(day, _session_times(agency, day, exceptions.get(day)))


def is_working_time(agency: Agency, instant: dt.datetime) -> bool:
    """True inside a counted session; a session's end instant (11:30, 17:00) is still inside."""
    local = _local(instant)
    return any(start <= local <= end for start, end in working_intervals(agency, local.date()))


def day_length(agency: Agency) -> dt.timedelta:
    """One working day: the morning plus the afternoon session (8 hours by default)."""
    anchor = dt.date(2000, 1, 3)

    def length(start: dt.time, end: dt.time) -> dt.timedelta:
        return dt.datetime.combine(anchor, end) - dt.datetime.combine(anchor, start)

    return length(agency.morning_start, agency.morning_end) + length(agency.afternoon_start, agency.afternoon_end)


def to_working_time(agency: Agency, amount: Decimal, unit: str) -> dt.timedelta:
    """A legal time limit as counted working time.

    Days count in halves of `day_length` (a limit like 0.3 days is rounded up to half a day, never
    shortened); hours count as clock hours of working time, to the second. A same-day procedure's amounts
    are its steps' working hours (its own limit is the day itself, see `due_at`).
    """
    _check_unit(unit)
    amount = Decimal(str(amount))
    if amount < 0:
        raise ValueError("A time limit cannot be negative.")
    if unit == TimeUnit.WORKING_DAYS:
        halves = int((amount * 2).to_integral_value(rounding=ROUND_CEILING))
        return day_length(agency) / 2 * halves
    seconds = int((amount * 3600).to_integral_value(rounding=ROUND_CEILING))
    return dt.timedelta(seconds=seconds)


def add_working_time(agency: Agency, start: dt.datetime, working: dt.timedelta) -> dt.datetime:
    """The earliest instant at which `working` of counted time has elapsed since `start`.

    Time running out exactly at a session end gives that end (e.g. 17:00). Zero working time gives
    `start` itself when it is working time, otherwise the start of the next session.
    """
    local = _local(start)
    return _calendar_for(agency, local, working).add(local, working)


def subtract_working_time(agency: Agency, end: dt.datetime, working: dt.timedelta) -> dt.datetime:
    """The latest instant from which `working` of counted time still elapses by `end` (the inverse of
    `add_working_time`); e.g. one working day before Monday 09:00 is Friday 09:00."""
    local = _local(end)
    first, last = _window_for(agency, local.date(), working)
    calendar = _Calendar(agency, local.date() - (last - first), local.date())
    return calendar.subtract(local, working)


def processing_start(agency: Agency, received_at: dt.datetime, unit: str) -> dt.datetime:
    """Where the legal clock starts for a dossier received at `received_at`.

    `received_at` itself when it is counted working time no later than the agency's cutoff; otherwise the
    start of the next counted session, and a start after the cutoff moves to the first session of the next
    working day. The cutoff always applies to same-day procedures, and to day- and hour-based limits when
    the agency's `cutoff_for_all_limits` is on.
    """
    _check_unit(unit)
    local = _local(received_at)
    return _calendar_for(agency, local).processing_start(local, unit)


def due_at(agency: Agency, received_at: dt.datetime, amount: Decimal, unit: str) -> dt.datetime:
    """The appointment for returning the result: the limit counted from `processing_start` (one query).

    A same-day procedure is due at the end of the last session of the day its clock starts: the day of
    reception, or the next working day when received after the cutoff (NĐ 23/2015/NĐ-CP Điều 7).
    """
    _check_unit(unit)
    local = _local(received_at)
    if unit == TimeUnit.SAME_DAY:
        calendar = _calendar_for(agency, local)
        return calendar.end_of_working_day(calendar.processing_start(local, unit))
    working = to_working_time(agency, amount, unit)
    calendar = _calendar_for(agency, local, working)
    return calendar.add(calendar.processing_start(local, unit), working)


def working_time_between(
    agency: Agency, start: dt.datetime, end: dt.datetime, *, exceptions: Mapping[dt.date, CalendarException] | None = None
) -> dt.timedelta:
    """Counted working time in [start, end]; zero when end is not after start.

    Reports measuring many pairs pass `exceptions` from one `load_exceptions` call covering them all.
    """
    start, end = _local(start), _local(end)
    if end <= start:
        return dt.timedelta(0)
    if exceptions is None:
        exceptions = load_exceptions(agency, start.date(), end.date())
    total = dt.timedelta(0)
    day = start.date()
    while day <= end.date():
        for session_start, session_end in working_intervals(agency, day, exceptions=exceptions):
            overlap = min(session_end, end) - max(session_start, start)
            if overlap > dt.timedelta(0):
                total += overlap
        day += dt.timedelta(days=1)
    return total


def exact_working_days(agency: Agency, elapsed: dt.timedelta) -> Decimal:
    """Working time in working days, unrounded (statistics round once, at the end)."""
    return Decimal(elapsed // dt.timedelta(microseconds=1)) / Decimal(day_length(agency) // dt.timedelta(microseconds=1))


def in_working_days(agency: Agency, elapsed: dt.timedelta) -> Decimal:
    """Working time expressed in working days, to a tenth of a day."""
    return exact_working_days(agency, elapsed).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def working_days_between(
    agency: Agency, start: dt.datetime, end: dt.datetime, *, exceptions: Mapping[dt.date, CalendarException] | None = None
) -> Decimal:
    """Working days in [start, end], to a tenth of a day (for "days late" in reports)."""
    return in_working_days(agency, working_time_between(agency, start, end, exceptions=exceptions))


class WorkingClock:
    """`working_time_between` for many pairs of instants of one agency: the exceptions of the whole window are
    read once (one query) instead of once per pair. Reports use it over bounded row sets."""

    def __init__(self, agency: Agency, first: dt.date, last: dt.date):
        self.agency = agency
        self.first, self.last = first, max(first, last)
        self.exceptions = load_exceptions(agency, self.first, self.last)

    @classmethod
    def spanning(cls, agency: Agency, instants) -> WorkingClock:
        days = [timezone.localtime(instant, VN).date() for instant in instants if instant is not None]
        today = timezone.localdate(timezone=VN)
        return cls(agency, min(days, default=today), max(days, default=today))

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        for instant in (start, end):
            if not self.first <= timezone.localtime(instant, VN).date() <= self.last:
                raise ValueError(f"{instant} is outside the loaded calendar window {self.first}..{self.last}")
        return working_time_between(self.agency, start, end, exceptions=self.exceptions)

    def days(self, elapsed: dt.timedelta) -> Decimal:
        return in_working_days(self.agency, elapsed)

    def days_between(self, start: dt.datetime, end: dt.datetime) -> Decimal:
        """Same result as `working_days_between(agency, start, end)`, without a query per pair."""
        return self.days(self.between(start, end))

    @staticmethod
    def exact_hours(elapsed: dt.timedelta) -> Decimal:
        """
        >>> WorkingClock.exact_hours(dt.timedelta(hours=1, minutes=30))
        Decimal('1.5')
        """
        return Decimal(elapsed // dt.timedelta(seconds=1)) / Decimal(3600)
