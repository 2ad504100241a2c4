"""Every figure of the reports against numbers counted by hand from tests/portal/dashboard_fixtures.py; the daily
roll-ups (portal/rollups.py) against the full live computation."""
import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from dossiers.models import Dossier
from portal import reports, tasks
from portal.models import DailyFigures, RolledUpDay
from procedures import calendar
from tests.portal.dashboard_fixtures import *  # noqa: F403 - the `city` fixtures
from tests.portal.dashboard_fixtures import NOW, vn

D = Decimal


def test_fixture_deadlines_are_the_hand_computed_ones(city):
    due = {n: Dossier.objects.get(pk=city.d[n].pk).due_at for n in (0, 1, 4, 5, 11)}
    assert due[0] == vn(2026, 3, 2, 9, 0)
    assert due[1] == vn(2026, 3, 16, 9, 0)
    assert due[4] == vn(2026, 3, 20, 17, 0)  # the approved extension
    assert due[5] == vn(2026, 3, 18, 9, 0)  # moved by the 16 working hours of the supplement
    assert due[11] == vn(2026, 3, 19, 9, 0)


def test_agency_summary(city):
    period = reports.Period.last_months(NOW)
    assert (period.first, period.last) == (datetime.date(2025, 4, 1), datetime.date(2026, 3, 18))
    figures = reports.summary(city.agency, period, NOW)
    # D0–D8, D10, D11 received (D9 refused at the counter is not), E1–E3 of procedure Q.
    assert figures.received == 11 + 3
    # D0, D1, D4, E1 before; D2, D5 on time; D3 late, and E2 (ready 16:00 on the due day, due 09:00) late.
    assert (figures.processed, figures.before, figures.on_time, figures.late) == (8, 4, 2, 2)
    assert figures.on_time_rate == D("75.0")
    # Open: D6 and E3 (overdue), D7 (paused, past due_at), D8, D11.
    assert (figures.open, figures.overdue, figures.paused, figures.within_time) == (5, 2, 1, 3)
    assert (figures.satisfied, figures.rated, figures.satisfaction_rate) == (2, 3, D("66.7"))


def test_all_agencies_summary_adds_the_other_agency(city):
    figures = reports.summary(None, reports.Period.last_months(NOW), NOW)
    assert (figures.received, figures.processed, figures.before) == (15, 9, 5)
    assert figures.on_time_rate == D("77.8")  # 7 / 9


def test_timeliness_reads_the_day_in_vietnam_time(city):
    """D3 finished 17/03 00:30 in Hà Nội, which is still 16/03 (its due day) in UTC: it is late."""
    d3 = Dossier.objects.get(pk=city.d[3].pk)
    assert d3.processed_at.astimezone(datetime.UTC).date() == datetime.date(2026, 3, 16)
    day = reports.Period(first=datetime.date(2026, 3, 17), last=datetime.date(2026, 3, 17))
    assert reports.summary(city.agency, day, NOW).late == 1
    d2_day = reports.Period(first=datetime.date(2026, 3, 16), last=datetime.date(2026, 3, 16))
    assert (reports.summary(city.agency, d2_day, NOW).on_time, reports.summary(city.agency, d2_day, NOW).late) == (1, 0)


@pytest.mark.parametrize(("finished", "expected"), [
    (vn(2026, 3, 15, 23, 59), -1), (vn(2026, 3, 16, 0, 0), 0), (vn(2026, 3, 16, 9, 0), 0),
    (vn(2026, 3, 16, 9, 1), 1), (vn(2026, 3, 16, 16, 0), 1),
])
def test_report_timeliness_compares_instants_like_the_dossier_page(city, finished, expected):
    """Issue 11: a result ready at 16:00 on the appointment's day, due 09:00, was reported on time."""
    dossier = city.build.receive(vn(2026, 3, 9, 9, 0), name="Người nộp ranh giới")
    city.build.to_appraisal(dossier, vn(2026, 3, 9, 9, 30))
    city.build.process(dossier, finished)
    row = Dossier.objects.filter(pk=dossier.pk).annotate(t=reports.timeliness_class()).get()
    assert row.due_at == vn(2026, 3, 16, 9, 0)
    assert reports.TIMELINESS_NAMES[row.t] == row.timeliness == ("before", "on_time", "late")[expected + 1]
    day = reports.Period(first=finished.date(), last=finished.date())
    figures = reports.summary(city.agency, day, NOW)
    others = {-1: 0, 0: 0, 1: 0}
    for existing in Dossier.objects.filter(agency=city.agency, processed_at__date__range=(day.first, day.last)).exclude(
            pk=dossier.pk).annotate(t=reports.timeliness_class()):
        others[existing.t] += 1
    assert (figures.before, figures.on_time, figures.late) == (
        others[-1] + (expected == -1), others[0] + (expected == 0), others[1] + (expected == 1))


def test_by_month(city):
    months = dict(reports.by_month(city.agency, reports.Period.last_months(NOW)))
    assert len(months) == 12 and min(months) == datetime.date(2025, 4, 1)
    february, march = months[datetime.date(2026, 2, 1)], months[datetime.date(2026, 3, 1)]
    assert (february.received, february.processed, february.before) == (1, 1, 1)
    assert (march.received, march.processed, march.before, march.on_time, march.late) == (13, 7, 3, 2, 2)
    assert (march.satisfied, march.rated) == (2, 3)
    assert months[datetime.date(2025, 12, 1)].received == 0


def test_by_field(city):
    fields = dict(reports.by_field(city.agency, reports.Period.last_months(NOW), NOW))
    civil = fields["Hộ tịch"]
    assert (civil.received, civil.processed, civil.before, civil.on_time, civil.late) == (11, 6, 3, 2, 1)
    assert (civil.open, civil.overdue) == (4, 1)
    certification = fields["Chứng thực"]
    assert (certification.received, certification.processed, certification.open, certification.overdue) == (3, 2, 1, 1)


def test_public_report_tables_hold_the_figures(city):
    report = reports.public_report(city.agency, NOW)
    months = report.tables["theo-thang"]
    march = next(row for row in months.rows if row[0] == "03/2026")
    assert march == ["03/2026", 13, 7, 3, 2, 2, D("71.4"), D("66.7")]
    assert months.total == ["Cộng", 14, 8, 4, 2, 2, D("75.0"), D("66.7")]
    fields = report.tables["theo-linh-vuc"]
    assert fields.total[1:] == [14, 8, 4, 2, 2, D("75.0"), 5, 2]


def test_today_and_load(city):
    today = reports.today_figures(city.agency, NOW)
    assert today == {"received_today": 1, "open": 5, "overdue": 2, "due_soon": 1, "paused": 1}
    by_official = {row[0]: row[1:] for row in reports.open_by_official(city.agency, NOW).rows}
    # specialist holds D6 (overdue), D7 (paused) and D11 (due soon); the clerk D8; E3 (overdue) waits at the leader.
    assert by_official["Lê Văn Chuyên Viên"] == [3, 1, 1, 1]
    assert by_official["Trần Thị Tiếp Nhận"] == [1, 0, 0, 0]
    assert by_official["Nguyễn Văn Lãnh Đạo"] == [1, 1, 0, 0]
    by_step = {row[1]: row[2:] for row in reports.open_by_step(city.agency, NOW).rows}
    assert by_step["2. Thẩm định hồ sơ"] == [3, 1, 1, 1]


def test_overdue_list_counts_working_days_late(city):
    overdue = list(reports.overdue_rows(city.agency, NOW))
    assert [d.pk for d in overdue] == [city.e[3].pk, city.d[6].pk]  # D7 is past due too, but paused
    table = reports.overdue_table(city.agency, overdue, NOW)
    assert [row[3] for row in table.rows] == ["Nguyễn Văn Lãnh Đạo", "Lê Văn Chuyên Viên"]
    # E3: Wed 11/03 09:00 → Wed 18/03 10:00 = 6.5 + 4 × 8 + 2.5 = 41 h = 5.125 days;
    # D6: Mon 16/03 09:00 → Wed 18/03 10:00 = 6.5 + 8 + 2.5 = 17 h = 2.125 days.
    assert [row[5] for row in table.rows] == [D("5.1"), D("2.1")]
    assert table.rows[1][5] == calendar.working_days_between(city.agency, vn(2026, 3, 16, 9, 0), NOW)
    assert [d.pk for d in reports.due_soon_rows(city.agency, NOW)] == [city.d[11].pk]


def test_days_late_come_from_the_calendar_table_and_match_python(city):
    from procedures import services as procedure_services
    from procedures.models import CalendarException

    procedure_services.rebuild_working_calendar(first=datetime.date(2026, 1, 1))
    overdue = list(reports.overdue_rows(city.agency, NOW))
    assert [d.working_late for d in overdue] == [
        calendar.working_time_between(city.agency, d.due_at, NOW) // datetime.timedelta(microseconds=1) for d in overdue]
    period = reports.Filters(period=reports.Period(first=datetime.date(2026, 3, 1), last=datetime.date(2026, 3, 18)))

    def figures(overdue):
        return (reports.overdue_table(city.agency, overdue, NOW).rows, _review(city),
                reports.step_bottlenecks(city.agency, period).rows)

    from_table = figures(overdue)
    # A holiday saved behind the services' back, on a day no figure spans: the table is stale, Python measures.
    CalendarException.objects.create(date=datetime.date(2027, 6, 1), kind="off", name="Nghỉ thử")
    overdue = list(reports.overdue_rows(city.agency, NOW))
    assert [d.working_late for d in overdue] == [None, None]
    assert figures(overdue) == from_table


def test_working_clock_matches_the_calendar(city):
    from procedures.models import CalendarException

    CalendarException.objects.create(date=datetime.date(2026, 3, 17), kind="off", name="Nghỉ bù")
    CalendarException.objects.create(date=datetime.date(2026, 3, 21), kind="work", name="Làm bù")
    clock = reports.WorkingClock(city.agency, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    pairs = [(vn(2026, 3, 16, 9, 0), vn(2026, 3, 23, 14, 0)), (vn(2026, 3, 20, 16, 0), vn(2026, 3, 21, 8, 0)),
             (vn(2026, 3, 18, 12, 0), vn(2026, 3, 18, 12, 30)), (vn(2026, 3, 19, 9, 0), vn(2026, 3, 18, 9, 0))]
    for start, end in pairs:
        assert clock.days_between(start, end) == calendar.working_days_between(city.agency, start, end)
    assert clock.days_between(*pairs[0]) == D("5.4")  # Mon 6.5 h, Tue off, Wed–Fri 24 h, Sat 8 h, Mon 5 h = 43.5 h


def _review(city, **filters):
    period = reports.Period(first=datetime.date(2026, 3, 9), last=datetime.date(2026, 3, 18))
    table = reports.official_review(city.agency, reports.Filters(period=period, **filters))
    return {row[0]: row[1:] for row in table.rows}


def test_official_review(city):
    rows = _review(city, procedure_id=city.quick.pk)
    # department, handled, on time, late, on-time %, mean working days late, rated, satisfied %, then the
    # satisfaction scorecard's mean score and class
    assert rows["Lê Văn Chuyên Viên"][:8] == ["Phòng Tư pháp", 2, 1, 1, D("50.0"), D("1.0"), 3, D("66.7")]
    assert rows["Phạm Thu Chuyên Viên"] == ["", 1, 0, 1, D("0.0"), D("2.1"), 0, None, None, ""]
    assert rows["Nguyễn Văn Lãnh Đạo"][:8] == ["", 2, 2, 0, D("100.0"), None, 3, D("66.7")]
    assert rows["Trần Thị Tiếp Nhận"][1:4] == [0, 0, 0]
    from satisfaction import selectors as satisfaction_selectors

    scorecard = {row["official_id"]: row for row in satisfaction_selectors.scorecard_by_official(
        agency_id=city.agency.pk, period=reports.Period(datetime.date(2026, 3, 9), datetime.date(2026, 3, 18)))}
    specialist = scorecard[city.specialist.pk]
    assert rows["Lê Văn Chuyên Viên"][8:] == [specialist["score"], specialist["classification"]]
    assert specialist["classification"] in ("Tốt", "Đạt", "Chưa đạt")


def test_official_review_filters_by_department(city):
    rows = _review(city, procedure_id=city.quick.pk, department_id=city.department.pk)
    assert list(rows) == ["Lê Văn Chuyên Viên"]


def test_step_bottlenecks(city):
    period = reports.Period(first=datetime.date(2026, 3, 9), last=datetime.date(2026, 3, 13))
    table = reports.step_bottlenecks(city.agency, reports.Filters(period=period, procedure_id=city.quick.pk))
    rows = {row[1]: row[2:] for row in table.rows}
    # allowed, unit, finished, late, late %, mean, p90, sample. Appraisal took 4.5 h, 16 h, 25 h (of 8 h a day).
    assert rows["1. Thẩm định"] == [D("1"), "ngày làm việc", 3, 2, D("66.7"), D("1.9"), D("2.9"), 3]
    # Approval: 4.5 h and 5.5 h → 0.5625 and 0.6875 days; E3's approval is not finished.
    assert rows["2. Phê duyệt"] == [D("1"), "ngày làm việc", 2, 0, D("0.0"), D("0.6"), D("0.7"), 2]


def test_register_rows(city):
    period = reports.Period(first=datetime.date(2026, 3, 9), last=datetime.date(2026, 3, 9))
    rows = list(reports.register_rows(city.agency, period, reports.register_dossiers(city.agency, period)))
    assert len(rows) == 8 + 3  # D1–D7, D10 and E1–E3
    first = dict(zip((column.key for column in reports.register_columns()), rows[0], strict=True))
    assert first["code"] == city.d[1].code and first["applicant"] == "Người nộp số 1"
    assert first["contact"].endswith("0912345001") and first["agency"] == city.agency.name
    # Numbered by place in the year's register book: what the agency received earlier in 2026 comes first.
    assert [row[0] for row in rows] == list(range(first["number"], first["number"] + len(rows)))


def test_register_export_lists_the_same_dossiers_as_the_printed_register(city):
    """Mẫu 07 on screen, in Excel and on paper is one register: a dossier refused at the counter is in none."""
    from dossiers import selectors

    period = reports.Period(first=datetime.date(2026, 3, 9), last=datetime.date(2026, 3, 10))
    exported = [row[1] for row in reports.register_rows(city.agency, period, reports.register_dossiers(city.agency, period))]
    printed = [d.code for d in selectors.register_dossiers(agency_id=city.agency.pk, start=period.start, end=period.end)]

    assert exported == printed
    assert city.d[9].code not in exported


@pytest.mark.postgres
def test_postgres_uses_the_same_day_boundaries(city):
    """The SQL day truncation runs in the database's own time-zone code on PostgreSQL; same answers."""
    figures = reports.summary(city.agency, reports.Period.last_months(NOW), NOW)
    assert (figures.before, figures.on_time, figures.late) == (4, 2, 2)


# --- the daily roll-ups: closed days rolled up plus today counted live give exactly the full live computation -----


def full_computation(agency, now):
    """The report read from the dossiers and ratings alone (no day counts as rolled up), in a rolled-back savepoint."""
    with transaction.atomic():
        RolledUpDay.objects.all().delete()
        report = reports.public_report(agency, now)
        transaction.set_rollback(True)
    return report


def assert_same(report, expected):
    assert report.figures == expected.figures
    assert report.months == expected.months
    assert report.fields == expected.fields
    assert {slug: (table.rows, table.total) for slug, table in report.tables.items()} == {
        slug: (table.rows, table.total) for slug, table in expected.tables.items()}


def test_rolled_up_days_and_today_equal_the_full_computation(city, time_machine):
    time_machine.move_to(NOW, tick=False)  # Wednesday 18/03/2026 10:00: D4 and D5 (received 09/03) finished today
    tasks.roll_up_reports()
    period = reports.Period.last_months(NOW)
    assert reports.grouped_counts(city.agency, period, NOW).rolled == reports.Period(
        first=datetime.date(2025, 4, 1), last=datetime.date(2026, 3, 17))
    ninth = DailyFigures.objects.get(agency=city.agency, procedure=city.procedure, day=datetime.date(2026, 3, 9))
    assert ninth.received == 8  # D1–D7 and D10; D4 and D5 count as processed on 18/03, live
    for agency in (city.agency, None):
        assert_same(reports.public_report(agency, NOW), full_computation(agency, NOW))

    # A dossier received on 09/03 (rolled up) and finished today: its day of reception keeps its figures.
    before = reports.public_report(city.agency, NOW).figures
    city.build.process(Dossier.objects.get(pk=city.d[6].pk), vn(2026, 3, 18, 10, 0))
    after = reports.public_report(city.agency, NOW)
    assert (after.figures.received, after.figures.processed, after.figures.late) == (
        before.received, before.processed + 1, before.late + 1)
    assert after.figures.open == before.open - 1
    assert_same(after, full_computation(city.agency, NOW))

    # The next night rolls 18/03 up; the figures stay the same.
    tomorrow = vn(2026, 3, 19, 10, 0)
    time_machine.move_to(tomorrow, tick=False)
    tasks.roll_up_reports()
    assert RolledUpDay.objects.filter(day=datetime.date(2026, 3, 18)).exists()
    eighteenth = DailyFigures.objects.get(agency=city.agency, procedure=city.procedure, day=datetime.date(2026, 3, 18))
    assert (eighteenth.received, eighteenth.before, eighteenth.on_time, eighteenth.late) == (1, 1, 1, 1)
    for agency in (city.agency, None):
        assert_same(reports.public_report(agency, tomorrow), full_computation(agency, tomorrow))


def test_a_day_not_rolled_up_is_counted_live(city, time_machine):
    """A hole (a night the task missed) ends the rolled-up part: the days from it on are counted from the rows."""
    time_machine.move_to(NOW, tick=False)
    tasks.roll_up_reports()
    RolledUpDay.objects.filter(day=datetime.date(2026, 3, 13)).delete()
    grouped = reports.grouped_counts(city.agency, reports.Period.last_months(NOW), NOW)
    assert grouped.rolled.last == datetime.date(2026, 3, 12)
    assert_same(reports.public_report(city.agency, NOW), full_computation(city.agency, NOW))


def test_the_command_rebuilds_a_range_idempotently(city, time_machine):
    time_machine.move_to(NOW, tick=False)
    call_command("rollup_reports", "--since", "2026-02-01", stdout=open("/dev/null", "w"))  # noqa: SIM115
    rows = sorted(DailyFigures.objects.values_list("day", "agency_id", "procedure_id", "received", "before",
                                                  "on_time", "late", "rated", "satisfied"))
    # A stray row of a rolled-up day (an import written behind the roll-ups' back) is replaced on the next run.
    DailyFigures.objects.filter(day=datetime.date(2026, 3, 9)).update(received=99)
    call_command("rollup_reports", "--since", "2026-02-01", "--until", "2026-03-31", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sorted(DailyFigures.objects.values_list("day", "agency_id", "procedure_id", "received", "before",
                                                   "on_time", "late", "rated", "satisfied")) == rows
    # Today is never rolled up: it is still open.
    assert RolledUpDay.objects.order_by("-day").first().day == datetime.date(2026, 3, 17)
    assert RolledUpDay.objects.count() == 45  # 01/02–17/03
    with pytest.raises(CommandError):
        call_command("rollup_reports", "--until", "2026-03-01")


def test_the_api_period_reads_the_roll_ups(client, city, time_machine):
    time_machine.move_to(NOW, tick=False)
    query = {"first_day": "2026-03-01", "last_day": "2026-03-18"}
    expected = client.get(reverse("api:agency_statistics", args=[city.agency.code]), query).json()
    tasks.roll_up_reports()
    assert client.get(reverse("api:agency_statistics", args=[city.agency.code]), query).json() == expected
    assert expected["figures"]["processed"] == 7


def test_the_nightly_task_is_scheduled():
    assert settings.CELERY_BEAT_SCHEDULE["roll-up-reports"]["task"] == tasks.roll_up_reports.name


def test_the_page_reads_the_roll_ups_in_a_fixed_number_of_queries(client, city, django_assert_num_queries):
    tasks.roll_up_reports()  # at the page's clock (15/06/2026): every closed day of its 12 months
    url = reverse("dashboards:agency", kwargs={"code": city.agency.code})
    # agency, rolled-up days, roll-ups, received / processed / ratings today, open now, field names, chain heads
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.context["report"].figures == full_computation(city.agency, response.context["report"].computed_at).figures
    with django_assert_num_queries(1):  # the agency; the figures from the cache
        client.get(url)
