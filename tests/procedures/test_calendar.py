"""The working calendar against real exception rows: dated cases worked out by hand, then properties."""
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.clock import VN
from procedures import calendar
from procedures.models import CalendarException

DAYS, HOURS, SAME_DAY = "days", "hours", "same_day"
Kind, Part, Source = CalendarException.Kind, CalendarException.Part, CalendarException.Source

pytestmark = pytest.mark.django_db


def at(day: str, clock: str = "00:00") -> dt.datetime:
    """at("12/02/2026", "09:00") -> that wall-clock instant in Vietnam."""
    return dt.datetime.strptime(f"{day} {clock}", "%d/%m/%Y %H:%M").replace(tzinfo=VN)


def d(day: str) -> dt.date:
    return dt.datetime.strptime(day, "%d/%m/%Y").date()


def due(agency, received: dt.datetime, amount, unit=DAYS) -> dt.datetime:
    return calendar.due_at(agency, received, Decimal(str(amount)), unit)


def exception(day: str, kind=Kind.DAY_OFF, part=Part.WHOLE, agency=None, name="Ngoại lệ thử") -> CalendarException:
    return CalendarException.objects.create(
        date=d(day), kind=kind, part=part, agency=agency, name=name, source=Source.ADMIN
    )


# --- sessions and instants -----------------------------------------------------------------------------------


def test_default_sessions_and_their_inclusive_ends(agency):
    assert calendar.working_intervals(agency, d("09/03/2026")) == [
        (at("09/03/2026", "07:30"), at("09/03/2026", "11:30")),
        (at("09/03/2026", "13:00"), at("09/03/2026", "17:00")),
    ]
    assert calendar.day_length(agency) == dt.timedelta(hours=8)
    inside = ["07:30", "09:00", "11:30", "13:00", "17:00"]
    outside = ["07:29", "11:31", "12:00", "12:59", "17:01", "20:00"]
    assert all(calendar.is_working_time(agency, at("09/03/2026", t)) for t in inside)
    assert not any(calendar.is_working_time(agency, at("09/03/2026", t)) for t in outside)
    assert not calendar.is_working_time(agency, at("08/03/2026", "09:00"))  # Sunday
    assert calendar.is_working_time(agency, dt.datetime(2026, 3, 9, 2, 0, tzinfo=dt.UTC))  # 09:00 in Hà Nội


def test_agency_sessions_come_from_its_fields(make_agency):
    agency = make_agency(
        morning_start=dt.time(8), morning_end=dt.time(12), afternoon_start=dt.time(13, 30), afternoon_end=dt.time(17, 30)
    )
    assert calendar.day_length(agency) == dt.timedelta(hours=8)
    assert calendar.working_intervals(agency, d("09/03/2026"))[1] == (at("09/03/2026", "13:30"), at("09/03/2026", "17:30"))
    assert due(agency, at("09/03/2026", "09:00"), 1) == at("10/03/2026", "09:00")


def test_naive_datetimes_and_unknown_units_are_refused(agency):
    with pytest.raises(ValueError):
        calendar.is_working_time(agency, dt.datetime(2026, 3, 9, 9))
    with pytest.raises(ValueError):
        calendar.due_at(agency, at("09/03/2026", "09:00"), Decimal(1), "weeks")
    with pytest.raises(ValueError):
        calendar.add_working_time(agency, at("09/03/2026", "09:00"), dt.timedelta(hours=-1))


# --- holidays from the package -------------------------------------------------------------------------------


def test_tet_2026_three_working_days(calendar_agency):
    # Thu 12/02 09:00–17:00 = 6.5 h, Fri 13/02 = 8 h, 14/02–22/02 off, Mon 23/02 = 8 h, Tue 24/02 07:30 + 1.5 h.
    assert [calendar.is_working_day(calendar_agency, d(f"{n}/02/2026")) for n in range(13, 24)] == [
        True, *[False] * 9, True,
    ]
    assert due(calendar_agency, at("12/02/2026", "09:00"), 3) == at("24/02/2026", "09:00")


def test_tet_2027_from_the_package(calendar_agency):
    assert not any(calendar.is_working_day(calendar_agency, d(f"{n:02d}/02/2027")) for n in range(4, 11))
    # Wed 03/02 = 6.5 h, 04/02–10/02 off, Thu 11/02 = 8 h, Fri 12/02 07:30 + 1.5 h.
    assert due(calendar_agency, at("03/02/2027", "09:00"), 2) == at("12/02/2027", "09:00")


def test_reunification_and_labour_day_2026(calendar_agency):
    # Wed 29/04 14:00–17:00 = 3 h; Thu 30/04, Fri 01/05 off; Mon 04/05 07:30–11:30 + 13:00–14:00.
    assert due(calendar_agency, at("29/04/2026", "14:00"), 1) == at("04/05/2026", "14:00")
    assert not calendar.is_working_day(calendar_agency, d("27/04/2026"))  # Hùng Kings' day, observed


def test_national_day_2026_with_substituted_days(calendar_agency):
    assert not calendar.is_working_day(calendar_agency, d("31/08/2026"))
    assert not calendar.is_working_day(calendar_agency, d("01/09/2026"))
    assert not calendar.is_working_day(calendar_agency, d("02/09/2026"))
    # Fri 28/08 10:00 = 5.5 h; 29/08–02/09 off; Thu 03/09 = 8 h; Fri 04/09 07:30 + 2.5 h.
    assert due(calendar_agency, at("28/08/2026", "10:00"), 2) == at("04/09/2026", "10:00")


def test_saturday_worked_in_exchange_counts(calendar_agency):
    assert calendar.is_working_day(calendar_agency, d("22/08/2026"))
    assert calendar.is_working_time(calendar_agency, at("22/08/2026", "15:00"))
    # Received after the cutoff on Friday: the clock starts on the worked Saturday and runs out at its 17:00.
    assert calendar.processing_start(calendar_agency, at("21/08/2026", "16:00"), DAYS) == at("22/08/2026", "07:30")
    assert due(calendar_agency, at("21/08/2026", "16:00"), 1) == at("22/08/2026", "17:00")


def test_civil_service_swap_2026_entered_by_the_admin(calendar_agency):
    # Without the swap: Thu 08/01 6.5 h, Fri 09/01 8 h, Mon 12/01 8 h, Tue 13/01 07:30 + 1.5 h.
    assert due(calendar_agency, at("08/01/2026", "09:00"), 3) == at("13/01/2026", "09:00")
    exception("02/01/2026", name="Nghỉ bù Tết Dương lịch")
    exception("10/01/2026", kind=Kind.WORKING_DAY, name="Làm bù cho ngày 02/01/2026")
    # The worked Saturday is a full day: Thu 6.5 h, Fri 8 h, Sat 10/01 8 h, Mon 12/01 07:30 + 1.5 h.
    assert due(calendar_agency, at("08/01/2026", "09:00"), 3) == at("12/01/2026", "09:00")
    # Received Wed 31/12/2025 after the cutoff: 01/01 holiday, 02/01 swapped off, weekend: Mon 05/01 all day.
    assert due(calendar_agency, at("31/12/2025", "16:00"), 1) == at("05/01/2026", "17:00")


# --- limits and reception times ------------------------------------------------------------------------------


def test_half_day_limits(agency):
    assert calendar.to_working_time(agency, Decimal("0.5"), DAYS) == dt.timedelta(hours=4)
    assert calendar.to_working_time(agency, Decimal("2.5"), DAYS) == dt.timedelta(hours=20)
    assert calendar.to_working_time(agency, Decimal("0.3"), DAYS) == dt.timedelta(hours=4)  # rounded up, never shorter
    assert calendar.to_working_time(agency, Decimal("1.5"), HOURS) == dt.timedelta(minutes=90)
    # 09:00–11:30 = 2.5 h, then 13:00 + 1.5 h.
    assert due(agency, at("09/03/2026", "09:00"), "0.5") == at("09/03/2026", "14:30")
    # Tue 14:00–17:00 = 3 h, Wed = 8 h, Thu 07:30 + 1 h.
    assert due(agency, at("10/03/2026", "14:00"), "1.5") == at("12/03/2026", "08:30")


def test_half_day_off_removes_one_session(agency):
    exception("11/03/2026", part=Part.MORNING, agency=agency)
    assert calendar.working_intervals(agency, d("11/03/2026")) == [(at("11/03/2026", "13:00"), at("11/03/2026", "17:00"))]
    assert calendar.is_working_day(agency, d("11/03/2026"))
    # Tue 10/03 14:00–17:00 = 3 h, Wed afternoon 13:00 + 1 h.
    assert due(agency, at("10/03/2026", "14:00"), "0.5") == at("11/03/2026", "14:00")


def test_same_day_procedures_and_the_cutoff(agency):
    # 10:00–11:30 = 1.5 h, 13:00 + 2.5 h.
    assert due(agency, at("09/03/2026", "10:00"), 4, HOURS) == at("09/03/2026", "15:30")
    # Just before the cutoff the clock starts at once: 14:59–17:00 = 2 h 01, then 07:30 + 1 h 59.
    assert due(agency, at("09/03/2026", "14:59"), 4, HOURS) == at("10/03/2026", "09:29")
    # At the cutoff itself the dossier is still received for today.
    assert calendar.processing_start(agency, at("09/03/2026", "15:00"), HOURS) == at("09/03/2026", "15:00")
    # After it, the clock starts with the next working day and the result is due that day.
    assert calendar.processing_start(agency, at("09/03/2026", "15:01"), HOURS) == at("10/03/2026", "07:30")
    assert due(agency, at("09/03/2026", "15:01"), 4, HOURS) == at("10/03/2026", "11:30")
    assert due(agency, at("13/03/2026", "16:00"), 2, HOURS) == at("16/03/2026", "09:30")  # Friday -> Monday


def test_same_day_unit_is_due_at_the_end_of_the_working_day(agency):
    """Issue 11: a birth registration received at 13:30 was due the next morning (modelled as 4 hours)."""
    assert due(agency, at("09/03/2026", "13:30"), 1, SAME_DAY) == at("09/03/2026", "17:00")
    assert due(agency, at("09/03/2026", "07:45"), 1, SAME_DAY) == at("09/03/2026", "17:00")
    # At the cutoff itself still today; a minute later the end of the next working day.
    assert due(agency, at("09/03/2026", "15:00"), 1, SAME_DAY) == at("09/03/2026", "17:00")
    assert due(agency, at("09/03/2026", "15:01"), 1, SAME_DAY) == at("10/03/2026", "17:00")
    # Friday after the cutoff -> Monday; before opening or at lunch -> that same day.
    assert due(agency, at("13/03/2026", "16:30"), 1, SAME_DAY) == at("16/03/2026", "17:00")
    assert due(agency, at("09/03/2026", "06:00"), 1, SAME_DAY) == at("09/03/2026", "17:00")
    assert due(agency, at("09/03/2026", "12:00"), 1, SAME_DAY) == at("09/03/2026", "17:00")


def test_same_day_unit_ends_with_the_last_session_of_a_half_day(agency):
    exception("10/03/2026", part=Part.AFTERNOON)
    assert due(agency, at("10/03/2026", "09:00"), 1, SAME_DAY) == at("10/03/2026", "11:30")


def test_same_day_cutoff_follows_the_agency_setting(make_agency):
    late = make_agency(same_day_cutoff=dt.time(16, 0))
    assert due(late, at("09/03/2026", "15:30"), 1, SAME_DAY) == at("09/03/2026", "17:00")
    assert due(late, at("09/03/2026", "16:01"), 1, SAME_DAY) == at("10/03/2026", "17:00")


def test_cutoff_for_day_limits_is_an_agency_setting(make_agency):
    only_same_day = make_agency(cutoff_for_all_limits=False)
    # The day limit runs from 15:30 itself: 1.5 h today, then 6.5 h on Tuesday -> 15:30.
    assert due(only_same_day, at("09/03/2026", "15:30"), 1) == at("10/03/2026", "15:30")
    assert due(only_same_day, at("09/03/2026", "15:30"), 1, SAME_DAY) == at("10/03/2026", "17:00")


def test_cutoff_applies_to_day_limits(agency):
    assert due(agency, at("09/03/2026", "14:00"), 1) == at("10/03/2026", "14:00")
    # After 15:00 the day does not count: the limit starts Tue 07:30 and ends at Tue 17:00, not Wed 07:30.
    assert due(agency, at("09/03/2026", "15:30"), 1) == at("10/03/2026", "17:00")


def test_received_on_sunday_at_lunch_and_after_hours(agency):
    assert calendar.processing_start(agency, at("08/03/2026", "10:00"), DAYS) == at("09/03/2026", "07:30")
    assert due(agency, at("08/03/2026", "10:00"), 1) == at("09/03/2026", "17:00")
    # Lunch: the clock starts at 13:00 and a day runs out at Tue 11:30 (a session end, not 13:00).
    assert calendar.processing_start(agency, at("09/03/2026", "12:00"), DAYS) == at("09/03/2026", "13:00")
    assert due(agency, at("09/03/2026", "12:00"), 1) == at("10/03/2026", "11:30")
    assert due(agency, at("09/03/2026", "17:30"), "0.5") == at("10/03/2026", "11:30")
    assert due(agency, at("09/03/2026", "06:00"), "0.5") == at("09/03/2026", "11:30")


def test_saturday_reception_without_counting(make_agency):
    plain = make_agency()
    receiving = make_agency(saturday_reception=True)
    saturday = at("14/03/2026", "09:00")
    assert not calendar.is_working_time(receiving, saturday)
    assert not calendar.is_working_time(plain, saturday)
    assert not calendar.is_working_day(receiving, d("14/03/2026"))
    assert calendar.processing_start(receiving, saturday, DAYS) == at("16/03/2026", "07:30")
    assert due(receiving, saturday, 1) == at("16/03/2026", "17:00")
    # Counting without receiving means nothing: the counter is closed.
    assert not calendar.is_working_time(make_agency(saturday_counts=True), saturday)


def test_saturday_reception_that_counts(make_agency, national_holidays):
    agency = make_agency(saturday_reception=True, saturday_counts=True)
    saturday = at("14/03/2026", "09:00")
    assert calendar.is_working_time(agency, saturday)
    assert calendar.working_intervals(agency, d("14/03/2026")) == [(at("14/03/2026", "07:30"), at("14/03/2026", "11:30"))]
    # Sat 09:00–11:30 = 2.5 h, Mon 07:30–11:30 = 4 h, 13:00 + 1.5 h.
    assert due(agency, saturday, 1) == at("16/03/2026", "14:30")
    # A Saturday that is a holiday (first day of Tết 2027) does not count.
    assert not calendar.is_working_time(agency, at("06/02/2027", "09:00"))
    assert not calendar.is_working_day(agency, d("06/02/2027"))


def test_agency_exception_overrides_the_national_one(make_agency, national_holidays):
    open_on_holiday, other = make_agency(), make_agency()
    exception("30/04/2026", kind=Kind.WORKING_DAY, agency=open_on_holiday, name="Trực tiếp nhận")
    assert calendar.is_working_day(open_on_holiday, d("30/04/2026"))
    assert not calendar.is_working_day(other, d("30/04/2026"))
    # Wed 29/04 14:00 = 3 h, Thu 30/04 07:30 + 5 h (the agency works), Fri 01/05 still the national holiday.
    assert due(open_on_holiday, at("29/04/2026", "14:00"), 1) == at("30/04/2026", "14:00")
    exception("11/03/2026", agency=other, name="Di dời trụ sở")
    assert not calendar.is_working_day(other, d("11/03/2026"))
    assert calendar.is_working_day(open_on_holiday, d("11/03/2026"))


def test_agency_exception_wins_whichever_row_came_first(make_agency):
    closed, other = make_agency(), make_agency()
    exception("10/01/2026", agency=closed, name="Không làm bù")
    exception("10/01/2026", kind=Kind.WORKING_DAY, name="Làm bù cho ngày 02/01/2026")
    assert not calendar.is_working_day(closed, d("10/01/2026"))
    assert calendar.is_working_day(other, d("10/01/2026"))
    assert calendar.processing_start(closed, at("09/01/2026", "16:00"), DAYS) == at("12/01/2026", "07:30")
    assert calendar.processing_start(other, at("09/01/2026", "16:00"), DAYS) == at("10/01/2026", "07:30")


def test_add_working_time_edges(agency):
    monday = at("09/03/2026", "07:30")
    assert calendar.add_working_time(agency, monday, dt.timedelta(hours=4)) == at("09/03/2026", "11:30")
    assert calendar.add_working_time(agency, monday, dt.timedelta(hours=8)) == at("09/03/2026", "17:00")
    assert calendar.add_working_time(agency, at("09/03/2026", "10:00"), dt.timedelta(0)) == at("09/03/2026", "10:00")
    assert calendar.add_working_time(agency, at("09/03/2026", "12:00"), dt.timedelta(0)) == at("09/03/2026", "13:00")
    assert calendar.add_working_time(agency, at("09/03/2026", "17:00"), dt.timedelta(minutes=1)) == at("10/03/2026", "07:31")


def test_working_time_and_days_between(agency):
    due_time, finished = at("09/03/2026", "17:00"), at("11/03/2026", "09:00")
    assert calendar.working_time_between(agency, due_time, finished) == dt.timedelta(hours=9, minutes=30)
    assert calendar.working_days_between(agency, due_time, finished) == Decimal("1.2")  # 9.5 h / 8 h
    assert calendar.working_time_between(agency, finished, due_time) == dt.timedelta(0)
    assert calendar.working_days_between(agency, finished, finished) == Decimal("0.0")
    # Friday afternoon plus Monday morning, over a weekend.
    assert calendar.working_days_between(agency, at("06/03/2026", "12:00"), at("09/03/2026", "12:00")) == Decimal("1.0")
    assert calendar.working_days_between(agency, at("09/03/2026", "12:00"), at("09/03/2026", "20:00")) == Decimal("0.5")


def test_one_query_per_call_even_for_hundreds_of_days(calendar_agency, django_assert_num_queries):
    with django_assert_num_queries(1):
        short = due(calendar_agency, at("12/02/2026", "09:00"), 3)
    with django_assert_num_queries(1):
        long = due(calendar_agency, at("05/01/2026", "07:30"), 400)
    assert short == at("24/02/2026", "09:00")
    with django_assert_num_queries(1):
        counted = calendar.working_time_between(calendar_agency, at("05/01/2026", "07:30"), long)
    assert counted == dt.timedelta(hours=8 * 400)
    # 2026 has 250 weekdays less 12 on weekdays off; 2027's holidays start on 01/01.
    assert long.date() > d("01/01/2027")
    assert calendar.is_working_time(calendar_agency, long)


def test_window_is_widened_when_the_estimate_falls_short(agency, django_assert_num_queries):
    # Closed for 100 days from Mon 09/03/2026: the first 60-day window holds no session, one more query finds it.
    day = d("09/03/2026")
    CalendarException.objects.bulk_create(
        CalendarException(date=day + dt.timedelta(days=n), kind=Kind.DAY_OFF, name="Sửa chữa trụ sở", agency=agency)
        for n in range(100)
    )
    with django_assert_num_queries(2):
        start = calendar.processing_start(agency, at("09/03/2026", "09:00"), DAYS)
    assert start == at("17/06/2026", "07:30")  # 09/03 + 100 days = Wed 17/06


def test_a_calendar_without_working_days_raises_instead_of_looping(agency):
    day = d("09/03/2026")
    CalendarException.objects.bulk_create(
        CalendarException(date=day + dt.timedelta(days=n), kind=Kind.DAY_OFF, name="Đóng cửa", agency=agency)
        for n in range(calendar.MAX_DAYS_WITHOUT_WORK + 5)
    )
    with pytest.raises(ValueError):
        due(agency, at("09/03/2026", "09:00"), 1)


# --- properties ----------------------------------------------------------------------------------------------

EPOCH = at("01/12/2025")
SPAN_MINUTES = int((at("01/10/2027") - EPOCH).total_seconds() // 60)
# Any minute of 12/2025–09/2027, often near the exceptions of mid-March 2026 or around Tết 2026.
instants = st.one_of(
    st.integers(0, SPAN_MINUTES).map(lambda m: EPOCH + dt.timedelta(minutes=m)),
    st.integers(0, 20 * 24 * 60).map(lambda m: at("10/03/2026") + dt.timedelta(minutes=m)),
    st.integers(0, 20 * 24 * 60).map(lambda m: at("05/02/2026") + dt.timedelta(minutes=m)),
)
durations = st.integers(0, 30 * 8 * 60).map(lambda m: dt.timedelta(minutes=m))


@pytest.fixture(params=["default", "saturdays"])
def property_agency(request, make_agency, national_holidays):
    """The default agency, and one with other sessions, counted Saturday mornings and half-day exceptions."""
    if request.param == "default":
        return make_agency()
    agency = make_agency(
        morning_start=dt.time(8), morning_end=dt.time(11, 45), afternoon_start=dt.time(13, 30),
        afternoon_end=dt.time(17, 15), saturday_reception=True, saturday_counts=True, same_day_cutoff=dt.time(16),
    )
    exception("18/03/2026", part=Part.AFTERNOON, agency=agency)
    exception("21/03/2026", kind=Kind.WORKING_DAY, part=Part.AFTERNOON, agency=agency)
    exception("22/03/2026", kind=Kind.WORKING_DAY, agency=agency)
    return agency


modest = settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@modest
@given(start=instants, working=durations)
def test_adding_then_measuring_gives_the_duration_back(property_agency, start, working):
    end = calendar.add_working_time(property_agency, start, working)
    assert end >= start
    assert calendar.working_time_between(property_agency, start, end) == working
    if working:
        # The earliest such instant: a minute earlier, the duration has not yet elapsed.
        assert calendar.working_time_between(property_agency, start, end - dt.timedelta(minutes=1)) < working
        assert calendar.is_working_time(property_agency, end)


@modest
@given(start=instants, first=durations, second=durations)
def test_monotonic_in_duration(property_agency, start, first, second):
    shorter, longer = sorted([first, second])
    assert calendar.add_working_time(property_agency, start, shorter) <= calendar.add_working_time(
        property_agency, start, longer
    )


@modest
@given(first=instants, second=instants, working=durations)
def test_monotonic_in_start(property_agency, first, second, working):
    earlier, later = sorted([first, second])
    assert calendar.add_working_time(property_agency, earlier, working) <= calendar.add_working_time(
        property_agency, later, working
    )


@modest
@given(received=instants, halves=st.integers(1, 60), unit=st.sampled_from([DAYS, HOURS]))
def test_due_at_is_a_working_instant_after_reception(property_agency, received, halves, unit):
    amount = Decimal(halves) / 2
    start = calendar.processing_start(property_agency, received, unit)
    result = calendar.due_at(property_agency, received, amount, unit)
    assert received <= start <= result
    assert calendar.is_working_time(property_agency, start)
    assert calendar.is_working_time(property_agency, result)
    assert calendar.working_time_between(property_agency, start, result) == calendar.to_working_time(
        property_agency, amount, unit
    )


def test_subtract_working_time_is_the_inverse_of_adding_it(calendar_agency):
    """Used for the extension deadline: one working day before an appointment."""
    day = dt.timedelta(hours=8)
    assert calendar.subtract_working_time(calendar_agency, at("16/03/2026", "09:00"), day) == at("13/03/2026", "09:00")
    assert calendar.subtract_working_time(calendar_agency, at("16/03/2026", "07:30"), day) == at("13/03/2026", "07:30")
    assert calendar.subtract_working_time(calendar_agency, at("16/03/2026", "13:00"), day) == at("13/03/2026", "13:00")
    # Across Tết 2026 (14/02–22/02): one working day before Monday 23/02 09:00 is Friday 13/02 09:00.
    assert calendar.subtract_working_time(calendar_agency, at("23/02/2026", "09:00"), day) == at("13/02/2026", "09:00")
    # (A session start is also the previous session's end in working time: add gives 17:00 there, so not 07:30.)
    for end in (at("10/03/2026", "10:15"), at("23/02/2026", "16:00"), at("05/01/2026", "08:00")):
        start = calendar.subtract_working_time(calendar_agency, end, day * 3)
        assert calendar.add_working_time(calendar_agency, start, day * 3) == end
