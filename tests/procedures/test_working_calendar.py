"""The precomputed working calendar (`procedures.working_calendar`): the database's working time between two instants
is `calendar.working_time_between` to the microsecond, and where the table cannot answer it says so (NULL)."""
import datetime as dt
import io

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.clock import VN
from procedures import calendar, services, working_calendar
from procedures.models import Agency, CalendarException, WorkingCalendar, WorkingCalendarDay

Kind, Part, Source = CalendarException.Kind, CalendarException.Part, CalendarException.Source

pytestmark = pytest.mark.django_db


def at(day: str, clock: str = "00:00") -> dt.datetime:
    return dt.datetime.strptime(f"{day} {clock}", "%d/%m/%Y %H:%M").replace(tzinfo=VN)


def exception(day: str, kind=Kind.DAY_OFF, part=Part.WHOLE, agency=None, *, save=services.save_calendar_exception):
    return save(CalendarException(
        date=dt.datetime.strptime(day, "%d/%m/%Y").date(), kind=kind, part=part, agency=agency, name="Ngoại lệ thử"))


def saved(row: CalendarException) -> CalendarException:
    """A fixture's plain save: the fixture rebuilds the table once at the end."""
    row.save()
    return row


def measured(agency, pairs) -> list[dt.timedelta | None]:
    """The table's working time for each (start, end), all in one query."""
    row = Agency.objects.filter(pk=agency.pk).values(**{
        f"p{n}": working_calendar.working_time(agency, start, end) for n, (start, end) in enumerate(pairs)
    }).get()
    return [None if row[f"p{n}"] is None else dt.timedelta(microseconds=row[f"p{n}"]) for n in range(len(pairs))]


@pytest.fixture(params=["national", "own"])
def table_agency(request, make_agency, national_holidays):
    """An agency on the national rows (the holidays plus a national half day and a swapped Saturday), and one with its
    own sessions, counted Saturday mornings and own half-day exceptions; the table built over 2025–2027."""
    exception("19/03/2026", part=Part.MORNING, save=saved)
    exception("28/03/2026", kind=Kind.WORKING_DAY, save=saved)
    if request.param == "national":
        agency = make_agency()
    else:
        agency = make_agency(
            morning_start=dt.time(8), morning_end=dt.time(11, 45), afternoon_start=dt.time(13, 30),
            afternoon_end=dt.time(17, 15), saturday_reception=True, saturday_counts=True,
        )
        exception("18/03/2026", part=Part.AFTERNOON, agency=agency, save=saved)
        exception("21/03/2026", kind=Kind.WORKING_DAY, part=Part.AFTERNOON, agency=agency, save=saved)
        exception("24/03/2026", kind=Kind.WORKING_DAY, agency=agency, save=saved)
        exception("30/04/2026", kind=Kind.WORKING_DAY, part=Part.MORNING, agency=agency, save=saved)
    services.rebuild_working_calendar(first=dt.date(2025, 1, 1))
    return agency


EPOCH = at("01/12/2025")
SPAN_MICROS = int((at("01/10/2027") - EPOCH) / dt.timedelta(microseconds=1))
# Any instant of 12/2025–09/2027 to the microsecond, often near the exceptions of March 2026 or Tết 2026, and often
# exactly on a session boundary or at midnight.
instants = st.one_of(
    st.integers(0, SPAN_MICROS).map(lambda us: EPOCH + dt.timedelta(microseconds=us)),
    st.integers(0, 40 * 24 * 60).map(lambda m: at("10/03/2026") + dt.timedelta(minutes=m)),
    st.integers(0, 20 * 24 * 60).map(lambda m: at("05/02/2026") + dt.timedelta(minutes=m)),
    st.builds(lambda day, clock: at("01/03/2026", clock) + dt.timedelta(days=day), st.integers(0, 60),
              st.sampled_from(["00:00", "07:30", "08:00", "11:30", "11:45", "12:00", "13:00", "13:30", "17:00",
                               "17:15", "23:59"])),
)


@settings(max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(instants, instants), min_size=1, max_size=12))
def test_the_table_measures_what_the_calendar_measures(table_agency, pairs):
    assert measured(table_agency, pairs) == [calendar.working_time_between(table_agency, s, e) for s, e in pairs]


def test_a_span_of_years_in_two_lookups(table_agency, django_assert_num_queries):
    start, end = at("02/01/2025", "09:15"), at("31/12/2027", "16:59")
    with django_assert_num_queries(1):
        [working] = measured(table_agency, [(start, end)])
    assert working == calendar.working_time_between(table_agency, start, end)


def test_in_tenths_of_a_working_day_as_working_days_between(table_agency):
    # 24 minutes is 0.05 of an 8-hour day: rounded half up to 0.1, as `in_working_days` does.
    pairs = [(at("16/03/2026", "09:00"), at("18/03/2026", "10:00")), (at("16/03/2026", "09:00"), at("16/03/2026", "09:24")),
             (at("16/03/2026", "09:00"), at("16/03/2026", "09:23") + dt.timedelta(seconds=59))]
    row = Agency.objects.filter(pk=table_agency.pk).values(**{
        f"p{n}": working_calendar.working_tenths(table_agency, working_calendar.working_time(table_agency, s, e))
        for n, (s, e) in enumerate(pairs)
    }).get()
    assert [row[f"p{n}"] for n in range(len(pairs))] == [
        int(calendar.working_days_between(table_agency, s, e) * 10) for s, e in pairs]


def test_dates_outside_the_table_give_null_not_a_number(table_agency):
    inside, before, after = at("16/03/2026", "09:00"), at("20/12/2024", "09:00"), at("04/01/2028", "09:00")
    assert measured(table_agency, [(before, inside), (inside, after), (after, inside)]) == [None, None, dt.timedelta(0)]


def test_an_exception_saved_outside_the_services_makes_the_table_stale_until_rebuilt(table_agency):
    pair = (at("16/03/2026", "09:00"), at("27/03/2026", "10:00"))
    assert measured(table_agency, [pair]) == [calendar.working_time_between(table_agency, *pair)]
    CalendarException.objects.create(date=dt.date(2026, 3, 20), kind=Kind.DAY_OFF, name="Nghỉ đột xuất")
    assert measured(table_agency, [pair]) == [None]
    services.rebuild_working_calendar()
    assert measured(table_agency, [pair]) == [calendar.working_time_between(table_agency, *pair)]


def test_admin_changes_through_the_services_keep_the_table_current(table_agency):
    pair = (at("16/03/2026", "09:00"), at("27/03/2026", "10:00"))
    own = exception("25/03/2026", agency=table_agency)
    assert measured(table_agency, [pair]) == [calendar.working_time_between(table_agency, *pair)]
    own.part = Part.MORNING
    services.save_calendar_exception(own)
    assert measured(table_agency, [pair]) == [calendar.working_time_between(table_agency, *pair)]
    services.delete_calendar_exceptions(CalendarException.objects.filter(date=dt.date(2026, 3, 19)))
    assert measured(table_agency, [pair]) == [calendar.working_time_between(table_agency, *pair)]


def test_an_agency_sharing_the_national_rows_gets_its_own_with_its_first_exception(make_agency):
    services.rebuild_working_calendar()
    ward, other = make_agency(), make_agency()
    assert not WorkingCalendar.objects.filter(agency__in=[ward, other]).exists()
    pair = (at("16/03/2026", "09:00"), at("20/03/2026", "10:00"))
    exception("18/03/2026", agency=ward)
    assert WorkingCalendar.objects.filter(agency=ward).exists()
    assert measured(ward, [pair]) == [calendar.working_time_between(ward, *pair)] == [dt.timedelta(hours=25)]
    assert measured(other, [pair]) == [dt.timedelta(hours=33)]


def test_sessions_changed_without_a_rebuild_are_not_read_from_the_table(make_agency):
    services.rebuild_working_calendar()
    agency = make_agency()
    pair = (at("16/03/2026", "09:00"), at("16/03/2026", "16:00"))
    assert measured(agency, [pair]) == [dt.timedelta(hours=5, minutes=30)]
    Agency.objects.filter(pk=agency.pk).update(afternoon_end=dt.time(16, 30))
    agency.refresh_from_db()
    assert measured(agency, [pair]) == [None]
    services.agency_sessions_saved(agency, changed_fields=["afternoon_end"])
    assert measured(agency, [pair]) == [dt.timedelta(hours=5, minutes=30)]
    pair = (at("16/03/2026", "09:00"), at("17/03/2026", "09:00"))
    assert measured(agency, [pair]) == [calendar.working_time_between(agency, *pair)] == [dt.timedelta(hours=7, minutes=30)]


def test_sync_holidays_and_the_command_rebuild_every_scope(db):
    out = io.StringIO()
    call_command("sync_holidays", "2026", "2028", stdout=out)
    assert "Lịch làm việc tính sẵn: 1 phạm vi" in out.getvalue()
    national = WorkingCalendar.objects.get(agency__isnull=True)
    assert national.last == dt.date(2028, 12, 31)
    assert national.exceptions_seen == CalendarException.history.model.objects.latest("history_id").history_id
    call_command("rebuild_working_calendar", "--first-year", "2024", stdout=io.StringIO())
    national = WorkingCalendar.objects.get(agency__isnull=True)
    assert (national.first, national.last) == (dt.date(2024, 1, 1), dt.date(2028, 12, 31))
    assert national.days.count() == (dt.date(2029, 1, 1) - dt.date(2024, 1, 1)).days
    tet = national.days.get(date=dt.date(2026, 2, 17))
    assert (tet.morning_start, tet.afternoon_end) == (0, 0)
    assert WorkingCalendarDay.objects.count() == national.days.count()
