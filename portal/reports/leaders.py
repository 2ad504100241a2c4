"""The leaders' dashboard: today's load, open dossiers by step and official, the overdue and due-soon lists, the
step bottlenecks and the per-official review.

Working time (days late in the overdue list and the per-official review, step durations of the bottlenecks) is
measured by the database on the precomputed working calendar (`procedures.working_calendar.working_time`: two
lookups per pair of instants, however far apart); rows it cannot answer (a date outside the table, a calendar
changed since it was built) are measured in Python with `WorkingClock`, the exceptions of their window read once.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from common.clock import VN
from dossiers import selectors as dossier_selectors
from dossiers.models import OPEN_STATES, PAUSED_STATES, Dossier, State, StepRecord, due_soon_q, overdue_q
from dossiers.selectors import due_soon_limit
from procedures import calendar, working_calendar
from procedures.models import Agency, Official, ProcedureStep, TimeUnit, step_unit
from satisfaction import selectors as satisfaction_selectors

from .periods import Period, WorkingClock, mean, percentile, rate, tenth
from .tables import Column, Table

OVERDUE_PAGE_SIZE = 50
# Working-time statistics of a step are computed over at most this many of its latest finished records.
STEP_SAMPLE_SIZE = 200


def _dossiers(agency: Agency) -> QuerySet[Dossier]:
    return Dossier.objects.order_by().filter(agency=agency)


def satisfaction_scores(period: Period, agency_id: int) -> dict[int, tuple[Decimal | None, str]]:
    """Each official's mean satisfaction score (0–2) and its class, from satisfaction's scorecard."""
    rows = satisfaction_selectors.scorecard_by_official(agency_id=agency_id, period=period)
    return {row["official_id"]: (row["score"], row["classification"]) for row in rows}


def satisfaction_officials(period: Period, agency_id: int) -> dict[int, tuple[int, int]]:
    rows = satisfaction_selectors.satisfaction_by_official(period=period, agency_id=agency_id)
    return {row["official_id"]: (row["happy"], row["total"]) for row in rows}


@dataclass(frozen=True)
class Filters:
    """The dashboard's filter form, cleaned: period (inclusive local days), department and procedure."""

    period: Period
    department_id: int | None = None
    procedure_id: int | None = None


def today_figures(agency: Agency, now: datetime.datetime) -> dict:
    """Today's intake and the agency's load right now, in one aggregate query."""
    today = timezone.localtime(now, VN).date()
    soon = due_soon_limit(agency, now)
    return _dossiers(agency).filter(Q(state__in=OPEN_STATES) | Q(received_at__gte=calendar.start_of_day(today))).aggregate(
        received_today=Count("id", filter=Q(received_at__gte=calendar.start_of_day(today)) & ~Q(state=State.REFUSED)),
        **_load_counts(now, soon, among=Q(state__in=OPEN_STATES)),
    )


def _load_counts(now: datetime.datetime, soon: datetime.datetime, among: Q | None = None) -> dict:
    """Open, overdue, due soon and paused counts; `among` narrows a query that also reads other rows."""
    return {
        "open": Count("id", filter=among),
        "overdue": Count("id", filter=overdue_q(now)),
        "due_soon": Count("id", filter=due_soon_q(now, soon)),
        "paused": Count("id", filter=Q(state__in=PAUSED_STATES)),
    }


def open_by_step(agency: Agency, now: datetime.datetime) -> Table:
    soon = due_soon_limit(agency, now)
    rows = (
        _dossiers(agency).filter(state__in=OPEN_STATES)
        .values("current_step_id", "procedure__code", "procedure__name", "current_step__order", "current_step__name")
        .annotate(**_load_counts(now, soon))
        .order_by("-overdue", "-open", "procedure__code", "current_step__order")
    )
    columns = [Column("procedure", _("Thủ tục"), "text", 50), Column("step", _("Bước"), "text", 24),
               Column("open", _("Đang xử lý"), "int", 11), Column("overdue", _("Quá hạn"), "int", 10),
               Column("due_soon", _("Sắp đến hạn"), "int", 12), Column("paused", _("Chờ công dân"), "int", 12)]
    return Table("ho-so-theo-buoc", _("Hồ sơ đang xử lý theo bước"), columns, [
        [f"{row['procedure__code']} — {row['procedure__name']}",
         f"{row['current_step__order']}. {row['current_step__name']}" if row["current_step_id"] else "",
         row["open"], row["overdue"], row["due_soon"], row["paused"]]
        for row in rows
    ])


def open_by_official(agency: Agency, now: datetime.datetime) -> Table:
    soon = due_soon_limit(agency, now)
    rows = (
        _dossiers(agency).filter(state__in=OPEN_STATES)
        .values("current_assignee_id", "current_assignee__display_name")
        .annotate(**_load_counts(now, soon))
        .order_by("-overdue", "-open", "current_assignee__display_name")
    )
    columns = [Column("official", _("Cán bộ đang giữ hồ sơ"), "text", 30),
               Column("open", _("Đang xử lý"), "int", 11), Column("overdue", _("Quá hạn"), "int", 10),
               Column("due_soon", _("Sắp đến hạn"), "int", 12), Column("paused", _("Chờ công dân"), "int", 12)]
    return Table("ho-so-theo-can-bo", _("Hồ sơ đang xử lý theo cán bộ"), columns, [
        [row["current_assignee__display_name"] or _("(chưa phân công)"), row["open"], row["overdue"], row["due_soon"],
         row["paused"]]
        for row in rows
    ])


# The columns the overdue and due-soon lists show: the rows come from `dossiers.selectors`, this only narrows them.
_LIST_FIELDS = ("code", "due_at", "received_at", "state", "procedure__code", "procedure__name", "current_step__name",
                "current_step__order", "current_assignee__display_name")


def overdue_rows(agency: Agency, now: datetime.datetime) -> QuerySet[Dossier]:
    """`dossiers.selectors.overdue_dossiers`, the most overdue first (index agency, state, due_at), with the working
    time late (`working_late`, microseconds; None where the calendar table cannot say)."""
    return (dossier_selectors.overdue_dossiers(agency, now).only(*_LIST_FIELDS)
            .annotate(working_late=working_calendar.working_time(agency, "due_at", now)))


def due_soon_rows(agency: Agency, now: datetime.datetime) -> QuerySet[Dossier]:
    """`dossiers.selectors.due_soon_dossiers`, the soonest first."""
    return dossier_selectors.due_soon_dossiers(agency, now).only(*_LIST_FIELDS)


def overdue_table(agency: Agency, dossiers: Sequence[Dossier], now: datetime.datetime, *, slug: str = "qua-han",
                  title: str | None = None, late: bool = True) -> Table:
    """One page (≤ OVERDUE_PAGE_SIZE rows) of the overdue or due-soon list; working days late from `overdue_rows`'
    `working_late`, or measured here for rows without it."""
    unmeasured = [d for d in dossiers if getattr(d, "working_late", None) is None] if late else []
    clock = WorkingClock.spanning(agency, [*(d.due_at for d in unmeasured), now]) if unmeasured else None
    columns = [Column("code", _("Mã hồ sơ"), "text", 28), Column("procedure", _("Thủ tục"), "text", 40),
               Column("step", _("Bước hiện tại"), "text", 22), Column("official", _("Cán bộ chịu trách nhiệm"), "text", 26),
               Column("due_at", _("Hẹn trả"), "datetime", 17)]
    if late:
        columns.append(Column("days_late", _("Số ngày làm việc trễ"), "days", 12))
    rows = []
    for dossier in dossiers:
        row = [dossier.code, dossier.procedure.name,
               f"{dossier.current_step.order}. {dossier.current_step.name}" if dossier.current_step else "",
               dossier.current_assignee.display_name if dossier.current_assignee else _("(chưa phân công)"),
               dossier.due_at]
        if late:
            measured = getattr(dossier, "working_late", None)
            row.append(clock.days_between(dossier.due_at, now) if measured is None
                       else calendar.in_working_days(agency, datetime.timedelta(microseconds=measured)))
        rows.append(row)
    return Table(slug, title or _("Hồ sơ quá hạn"), columns, rows)


def _finished_records(agency: Agency, filters: Filters) -> QuerySet[StepRecord]:
    """Step records of the agency's dossiers finished in the period by handing the dossier on (closing by stop or
    withdrawal is not work on the step). The record's own agency and the steps of the procedures the agency offers
    bound each step's range of the (agency, step, finished_at) index to the period: no dossier is read."""
    steps = ProcedureStep.objects.filter(procedure__agencies=agency)
    if filters.procedure_id:
        steps = steps.filter(procedure_id=filters.procedure_id)
    return StepRecord.objects.order_by().filter(
        filters.period.q("finished_at"), agency=agency, step_id__in=list(steps.values_list("id", flat=True)),
    ).exclude(outcome=StepRecord.Outcome.CLOSED)


def _step_late() -> Q:
    """A step finished after its deadline instant (the rule of `timeliness_of`)."""
    return Q(finished_at__gt=F("due_at"))


def step_bottlenecks(agency: Agency, filters: Filters) -> Table:
    """Per procedure step: finished records and the late share (all records, in the database), and the mean and
    90th percentile of the working time taken, over the latest STEP_SAMPLE_SIZE records of each step (Python, with
    the working calendar). Working time runs from the step's start to its finish and includes any pause for a
    supplement, which also pushed the step's deadline: read it next to the late share."""
    records = _finished_records(agency, filters)
    counts = {
        row["step_id"]: row
        for row in records.values("step_id").annotate(finished=Count("id"), late=Count("id", filter=_step_late()))
    }
    sample = list(
        records.annotate(rank=Window(RowNumber(), partition_by=[F("step_id")], order_by=[F("finished_at").desc(), F("id").desc()]))
        .annotate(working=working_calendar.working_time(agency, "started_at", "finished_at"))
        .filter(rank__lte=STEP_SAMPLE_SIZE).values_list("step_id", "started_at", "finished_at", "working")
    )
    steps = {
        step.pk: step
        for step in ProcedureStep.objects.filter(pk__in=counts).select_related("procedure")
        .only("order", "name", "duration", "procedure__code", "procedure__name", "procedure__time_unit")
    }
    # Records the calendar table cannot measure (dates outside it, a calendar changed since it was built): Python.
    unmeasured = [instant for _step, start, end, working in sample if working is None for instant in (start, end)]
    clock = WorkingClock.spanning(agency, unmeasured) if unmeasured else None
    taken: dict[int, list[Decimal]] = defaultdict(list)
    for step_id, started_at, finished_at, working in sample:
        elapsed = clock.between(started_at, finished_at) if working is None else datetime.timedelta(microseconds=working)
        hours = step_unit(steps[step_id].procedure.time_unit) == TimeUnit.WORKING_HOURS
        taken[step_id].append(WorkingClock.exact_hours(elapsed) if hours else calendar.exact_working_days(agency, elapsed))
    columns = [Column("procedure", _("Thủ tục"), "text", 40), Column("step", _("Bước"), "text", 24),
               Column("allowed", _("Thời gian quy định"), "days", 12), Column("unit", _("Đơn vị"), "text", 16),
               Column("finished", _("Số lượt hoàn thành"), "int", 12), Column("late", _("Số lượt trễ hạn"), "int", 12),
               Column("late_rate", _("Tỉ lệ trễ hạn (%)"), "rate", 12),
               Column("mean", _("Thời gian làm việc trung bình"), "days", 14),
               Column("p90", _("Phân vị 90 thời gian làm việc"), "days", 14),
               Column("sample", _("Số lượt trong mẫu"), "int", 10)]
    rows = []
    for step_id, row in counts.items():
        step = steps[step_id]
        values = sorted(taken[step_id])
        rows.append([f"{step.procedure.code} — {step.procedure.name}", f"{step.order}. {step.name}", step.duration,
                     str(TimeUnit(step_unit(step.procedure.time_unit)).label), row["finished"], row["late"],
                     rate(row["late"], row["finished"]), mean(values), percentile(values, Decimal("0.9")), len(values)])
    rows.sort(key=lambda r: (-(r[6] or 0), -r[4], r[0], r[1]))
    note = _("Thời gian làm việc tính theo lịch làm việc của cơ quan (ngày hoặc giờ làm việc, như thời gian quy định), "
             "trên tối đa %(n)s lượt hoàn thành gần nhất của mỗi bước, kể cả thời gian tạm dừng chờ bổ sung; "
             "số lượt và tỉ lệ trễ hạn tính trên toàn bộ các lượt trong kỳ.") % {"n": STEP_SAMPLE_SIZE}
    return Table("diem-nghen", _("Điểm nghẽn theo bước xử lý"), columns, rows, note=note)


def official_review(agency: Agency, filters: Filters) -> Table:
    """For the periodic emulation review: per official of the agency, step records handled in the period, the
    on-time share (calendar-day rule), the mean lateness in working days of the late ones, and satisfaction."""
    period = filters.period
    officials = Official.objects.filter(agency=agency).order_by("display_name", "id")
    if filters.department_id:
        officials = officials.filter(department_id=filters.department_id)
    rows = list(officials.values("id", "display_name", "department__name"))
    # Counted from the step records' side, so the period and the (assignee, finished_at) index bound the scan. The
    # lateness of the late records is summed in tenths of a working day (each rounded as `working_days_between`),
    # so the mean is the same as over the list of rounded values.
    records = _finished_records(agency, filters).filter(assignee_id__in=[row["id"] for row in rows]).annotate(
        working_late=working_calendar.working_time(agency, "due_at", "finished_at"))
    measured = Q(working_late__isnull=False)
    counts = {
        row["assignee_id"]: row
        for row in records.values("assignee_id").annotate(
            handled=Count("id"), late=Count("id", filter=_step_late()),
            late_tenths=Sum(working_calendar.working_tenths(agency, F("working_late")), filter=_step_late() & measured),
            unmeasured=Count("id", filter=_step_late() & ~measured),
        )
    }
    tenths = {assignee_id: row["late_tenths"] or 0 for assignee_id, row in counts.items()}
    if any(row["unmeasured"] for row in counts.values()):
        # Dates the calendar table does not cover (or a calendar changed since it was built): measured in Python.
        late_records = list(records.filter(_step_late(), ~measured).values_list("assignee_id", "due_at", "finished_at"))
        clock = WorkingClock.spanning(agency, [instant for _a, due, done in late_records for instant in (due, done)])
        for assignee_id, due_at, finished_at in late_records:
            tenths[assignee_id] += int(clock.days_between(due_at, finished_at) * 10)
    for row in rows:
        row.update(handled=counts.get(row["id"], {}).get("handled", 0), late=counts.get(row["id"], {}).get("late", 0))
    satisfaction = satisfaction_officials(period, agency.pk)
    scores = satisfaction_scores(period, agency.pk)
    columns = [Column("official", _("Cán bộ"), "text", 28), Column("department", _("Phòng, ban"), "text", 24),
               Column("handled", _("Số lượt xử lý"), "int", 11), Column("on_time", _("Đúng hạn"), "int", 10),
               Column("late", _("Trễ hạn"), "int", 10), Column("on_time_rate", _("Tỉ lệ đúng hạn (%)"), "rate", 12),
               Column("mean_late", _("Trễ trung bình (ngày làm việc)"), "days", 14),
               Column("rated", _("Số lượt đánh giá"), "int", 11),
               Column("satisfaction", _("Tỉ lệ hài lòng (%)"), "rate", 12),
               Column("score", _("Điểm đánh giá (0–2)"), "days", 11),
               Column("classification", _("Xếp loại"), "text", 11)]
    table_rows = []
    for row in rows:
        mean_late = tenth(Decimal(tenths[row["id"]]) / 10 / row["late"]) if row["late"] else None
        satisfied, rated = satisfaction.get(row["id"], (0, 0))
        table_rows.append([row["display_name"], row["department__name"] or "", row["handled"],
                           row["handled"] - row["late"], row["late"], rate(row["handled"] - row["late"], row["handled"]),
                           mean_late, rated, rate(satisfied, rated), *scores.get(row["id"], (None, ""))])
    note = _("Lượt xử lý: các bước được giao và đã hoàn thành trong kỳ (không tính bước kết thúc do dừng hoặc rút hồ sơ). "
             "Đúng hạn: hoàn thành không muộn hơn ngày hạn của bước. Trễ trung bình: số ngày làm việc từ hạn bước đến "
             "lúc hoàn thành, trung bình trên các lượt trễ hạn. Điểm đánh giá và xếp loại: bảng điểm nội bộ của hệ "
             "thống (trung bình ba chỉ số thời gian, số lần đi lại, thái độ), không phải cách chấm của văn bản pháp "
             "luật; mức xếp loại do quản trị hệ thống cấu hình.")
    return Table("danh-gia-can-bo", _("Kết quả xử lý theo cán bộ"), columns, table_rows, note=note)
