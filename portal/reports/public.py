"""Report queries for the public statistics and the leaders' dashboard: counts in the database, shaped as tables.

Definitions (docs/ARCHITECTURE.md, Nghị định 118/2025/NĐ-CP; the national portal counts the same way):
- received (tiếp nhận): dossiers received in the period, refusals at the counter (Mẫu 03) excluded;
- processed (đã giải quyết): dossiers whose result became ready (`processed_at`) in the period, split into
  before / on / after time exactly as `dossiers.models.timeliness_of` (docs/ARCHITECTURE.md, "Time"), in SQL:
  after the `due_at` instant is late; on an earlier calendar day (Vietnam time) is before; otherwise on time;
- in progress (đang giải quyết): open now; overdue among them = running (not paused for a supplement or a
  payment) and past `due_at`; everything else open is "within time";
- on-time rate = (before + on) / processed; satisfaction rate comes from `satisfaction.selectors` only.

Working days (lateness, step durations) need the working calendar, which SQL does not know: they are computed in
Python with `WorkingClock`, over bounded row sets only (one page of the overdue list, a sample of step records,
the late step records of the chosen period), with the calendar exceptions read once.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncDate, TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from dossiers import register
from dossiers import selectors as dossier_selectors
from dossiers.models import OPEN_STATES, PAUSED_STATES, Dossier, State, StepRecord
from dossiers.selectors import RUNNING_STATES, due_soon_limit
from procedures import calendar
from procedures.models import Agency, Field, Official, ProcedureStep, TimeUnit, step_unit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONTHS_SHOWN = 12
OVERDUE_PAGE_SIZE = 50
# Working-time statistics of a step are computed over at most this many of its latest finished records.
STEP_SAMPLE_SIZE = 200
HUNDRED = Decimal(100)


# --- periods and small helpers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Inclusive local days [first, last]; `start`/`end` are the aware instants [start, end)."""

    first: datetime.date
    last: datetime.date

    @property
    def start(self) -> datetime.datetime:
        return calendar.start_of_day(self.first)

    @property
    def end(self) -> datetime.datetime:
        return calendar.start_of_day(self.last + datetime.timedelta(days=1))

    def q(self, field_name: str) -> Q:
        return Q(**{f"{field_name}__gte": self.start, f"{field_name}__lt": self.end})

    @classmethod
    def last_months(cls, now: datetime.datetime, months: int = MONTHS_SHOWN) -> Period:
        """The current month and the `months - 1` before it, up to today."""
        today = timezone.localtime(now, VN).date()
        return cls(first=month_starts(today, months)[0], last=today)

    @classmethod
    def month_to_date(cls, now: datetime.datetime) -> Period:
        today = timezone.localtime(now, VN).date()
        return cls(first=today.replace(day=1), last=today)


def month_starts(today: datetime.date, months: int) -> list[datetime.date]:
    year, month = today.year, today.month
    starts = []
    for _i in range(months):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage to one decimal, None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _month_key(value) -> datetime.date:
    """TruncMonth gives an aware datetime on PostgreSQL and SQLite alike; the month is read in Vietnam time."""
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value, VN) if timezone.is_aware(value) else value).date().replace(day=1)
    return value.replace(day=1)


# --- tables: what pages, charts and exports share -------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | rate (percent) | days (working days) | date | datetime
    width: int = 14  # characters, for the Excel export


@dataclass
class Table:
    """One report table: translated headers, typed rows (real numbers and dates), and an optional total row."""

    slug: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    note: str = ""

    def display(self) -> list[list[tuple[str, bool]]]:
        """Rows as (text, is_number) cells for the page; figures are right-aligned."""
        return [self._cells(row) for row in self.rows]

    def display_total(self) -> list[tuple[str, bool]] | None:
        return self._cells(self.total) if self.total is not None else None

    def _cells(self, row: Sequence) -> list[tuple[str, bool]]:
        return [(text, column.kind != "text") for text, column in zip(self.format_row(row), self.columns, strict=True)]

    def format_row(self, row: Sequence) -> list[str]:
        return [format_cell(value, column.kind) for value, column in zip(row, self.columns, strict=True)]


def format_cell(value, kind: str) -> str:
    if value is None or value == "":
        return "—" if kind != "text" else ""
    if kind == "int":
        return formats.number_format(value, force_grouping=True)
    if kind == "rate":
        return f"{formats.number_format(value, 1)} %"
    if kind == "days":
        return formats.number_format(value, 1)
    if kind == "date":
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if kind == "datetime":
        return formats.date_format(timezone.localtime(value, VN), "SHORT_DATETIME_FORMAT")
    return str(value)


# --- satisfaction, through satisfaction.selectors only --------------------------------------------------


def _satisfaction_selectors():
    """The satisfaction app's selectors module, or None where it is not installed (figures then show "—")."""
    try:
        from satisfaction import selectors
    except ImportError:  # pragma: no cover - the app is part of the project; kept for a portal without it
        return None
    return selectors


def _satisfaction_period(period: Period):
    selectors = _satisfaction_selectors()
    return selectors.Period(start=period.first, end=period.last) if selectors else None


def satisfaction_months(period: Period, agency_id: int | None) -> dict[datetime.date, tuple[int, int]]:
    selectors = _satisfaction_selectors()
    if selectors is None or not hasattr(selectors, "satisfaction_by_month"):
        return {}
    rows = selectors.satisfaction_by_month(period=_satisfaction_period(period), agency_id=agency_id)
    return {_month_key(row["month"]): (row["happy"], row["total"]) for row in rows}


def satisfaction_scores(period: Period, agency_id: int) -> dict[int, tuple[Decimal | None, str]]:
    """Each official's mean satisfaction score (0–2) and its class, from satisfaction's scorecard."""
    selectors = _satisfaction_selectors()
    if selectors is None or not hasattr(selectors, "scorecard_by_official"):
        return {}
    rows = selectors.scorecard_by_official(agency_id=agency_id, period=_satisfaction_period(period))
    return {row["official_id"]: (row["score"], row["classification"]) for row in rows}


def satisfaction_officials(period: Period, agency_id: int) -> dict[int, tuple[int, int]]:
    selectors = _satisfaction_selectors()
    if selectors is None or not hasattr(selectors, "satisfaction_by_official"):
        return {}
    rows = selectors.satisfaction_by_official(period=_satisfaction_period(period), agency_id=agency_id)
    return {row["official_id"]: (row["happy"], row["total"]) for row in rows}


# --- the counts, as database expressions --------------------------------------------------------------


def _done_day(prefix: str = ""):
    return TruncDate(f"{prefix}processed_at", tzinfo=VN)


def _due_day(prefix: str = ""):
    return TruncDate(f"{prefix}due_at", tzinfo=VN)


timeliness_class = dossier_selectors.timeliness_class


TIMELINESS_NAMES = {-1: "before", 0: "on_time", 1: "late"}


def snapshot_counts(now: datetime.datetime) -> dict:
    """Open now, split into overdue (running, past the appointment) and within time (paused ones included)."""
    return {
        "open": Count("id"),
        "overdue": Count("id", filter=Q(state__in=RUNNING_STATES, due_at__lt=now)),
        "paused": Count("id", filter=Q(state__in=PAUSED_STATES)),
    }


def _dossiers(agency: Agency | None) -> QuerySet[Dossier]:
    dossiers = Dossier.objects.order_by()
    return dossiers.filter(agency=agency) if agency is not None else dossiers


@dataclass
class Figures:
    received: int = 0
    processed: int = 0
    before: int = 0
    on_time: int = 0
    late: int = 0
    open: int = 0
    overdue: int = 0
    paused: int = 0
    rated: int = 0
    satisfied: int = 0

    @property
    def within_time(self) -> int:
        return self.open - self.overdue

    @property
    def on_time_rate(self) -> Decimal | None:
        return rate(self.before + self.on_time, self.processed)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return rate(self.satisfied, self.rated)

    @classmethod
    def from_row(cls, row: dict) -> Figures:
        names = ("received", "processed", "before", "on_time", "late", "open", "overdue", "paused")
        return cls(**{name: row.get(name) or 0 for name in names})


@dataclass
class Grouped:
    """The three grouped counts every public table is summed from (keys: month start, field id)."""

    received: dict[tuple[datetime.date, int], int]
    processed: dict[tuple[datetime.date, int, str], int]
    open: dict[int, dict]
    field_names: dict[int, str]


def grouped_querysets(agency: Agency | None, period: Period, now: datetime.datetime) -> dict[str, QuerySet]:
    """Received in the period (index agency, received_at), processed in the period by month, field and timeliness
    (needs an index on processed_at), open now by field (index agency, state, due_at)."""
    dossiers = _dossiers(agency)
    return {
        "received": dossiers.filter(period.q("received_at")).exclude(state=State.REFUSED)
        .annotate(month=TruncMonth("received_at", tzinfo=VN))
        .values_list("month", "procedure__field_id").annotate(n=Count("id")),
        "processed": dossiers.filter(period.q("processed_at"))
        .annotate(month=TruncMonth("processed_at", tzinfo=VN), timeliness=timeliness_class())
        .values_list("month", "procedure__field_id", "timeliness").annotate(n=Count("id")),
        "open": dossiers.filter(state__in=OPEN_STATES).values("procedure__field_id").annotate(**snapshot_counts(now)),
    }


def grouped_counts(agency: Agency | None, period: Period, now: datetime.datetime) -> Grouped:
    """Three grouped queries, each reading only its own rows; every public table is summed from them."""
    querysets = grouped_querysets(agency, period, now)
    received = {(_month_key(month), field_id): count for month, field_id, count in querysets["received"]}
    processed = {(_month_key(month), field_id, TIMELINESS_NAMES[timeliness]): count
                 for month, field_id, timeliness, count in querysets["processed"]}
    open_rows = {row["procedure__field_id"]: row for row in querysets["open"]}
    field_ids = {key[1] for key in received} | {key[1] for key in processed} | set(open_rows)
    # Grouping by the small id rather than the name keeps the sort keys short; names come in one more query.
    names = dict(Field.objects.filter(pk__in=field_ids).values_list("id", "name"))
    return Grouped(received=received, processed=processed, open=open_rows, field_names=names)


def _figures_where(grouped: Grouped, month: datetime.date | None = None, field_id: int | None = None) -> Figures:
    figures = Figures()
    for (row_month, row_field), count in grouped.received.items():
        if month in (None, row_month) and field_id in (None, row_field):
            figures.received += count
    for (row_month, row_field, name), count in grouped.processed.items():
        if month in (None, row_month) and field_id in (None, row_field):
            setattr(figures, name, getattr(figures, name) + count)
            figures.processed += count
    if month is None:
        for row_field, row in grouped.open.items():
            if field_id in (None, row_field):
                figures.open += row["open"]
                figures.overdue += row["overdue"]
                figures.paused += row["paused"]
    return figures


def summary(agency: Agency | None, period: Period, now: datetime.datetime, grouped: Grouped | None = None,
            satisfaction: dict | None = None) -> Figures:
    """The headline figures: sums of the grouped counts, plus the satisfaction selector's."""
    grouped = grouped or grouped_counts(agency, period, now)
    figures = _figures_where(grouped)
    if satisfaction is None:
        satisfaction = satisfaction_months(period, agency.pk if agency else None)
    figures.satisfied = sum(satisfied for satisfied, _rated in satisfaction.values())
    figures.rated = sum(rated for _satisfied, rated in satisfaction.values())
    return figures


def by_month(agency: Agency | None, period: Period, now: datetime.datetime | None = None,
             grouped: Grouped | None = None, satisfaction: dict | None = None) -> list[tuple[datetime.date, Figures]]:
    """Received and processed per calendar month (Vietnam time), every month of the period listed."""
    grouped = grouped or grouped_counts(agency, period, now or timezone.now())
    if satisfaction is None:
        satisfaction = satisfaction_months(period, agency.pk if agency else None)
    start = period.first.replace(day=1)
    months = {first for first in month_starts(period.last, 240) if first >= start}
    months |= {key[0] for key in grouped.received} | {key[0] for key in grouped.processed} | set(satisfaction)
    rows = []
    for month in sorted(months):
        figures = _figures_where(grouped, month=month)
        figures.satisfied, figures.rated = satisfaction.get(month, (0, 0))
        rows.append((month, figures))
    return rows


def by_field(agency: Agency | None, period: Period, now: datetime.datetime,
             grouped: Grouped | None = None) -> list[tuple[str, Figures]]:
    """The same counts per lĩnh vực of the procedures."""
    grouped = grouped or grouped_counts(agency, period, now)
    rows = [(name, _figures_where(grouped, field_id=field_id)) for field_id, name in grouped.field_names.items()]
    return sorted(rows, key=lambda row: row[0])


# --- the public statistics page -------------------------------------------------------------------------


def _figure_columns() -> list[Column]:
    return [
        Column("received", _("Tiếp nhận"), "int", 11),
        Column("processed", _("Đã giải quyết"), "int", 13),
        Column("before", _("Trước hạn"), "int", 11),
        Column("on_time", _("Đúng hạn"), "int", 11),
        Column("late", _("Quá hạn"), "int", 11),
        Column("on_time_rate", _("Tỉ lệ đúng hạn (%)"), "rate", 14),
    ]


def _figure_cells(figures: Figures) -> list:
    return [figures.received, figures.processed, figures.before, figures.on_time, figures.late, figures.on_time_rate]


def _sum(figures: Iterable[Figures]) -> Figures:
    total = Figures()
    for item in figures:
        for name in ("received", "processed", "before", "on_time", "late", "open", "overdue", "paused", "rated",
                     "satisfied"):
            setattr(total, name, getattr(total, name) + getattr(item, name))
    return total


def month_table(months: list[tuple[datetime.date, Figures]]) -> Table:
    columns = [Column("month", _("Tháng"), "text", 10), *_figure_columns(),
               Column("satisfaction_rate", _("Tỉ lệ hài lòng (%)"), "rate", 14)]
    rows = [[f"{month:%m/%Y}", *_figure_cells(figures), figures.satisfaction_rate] for month, figures in months]
    total = _sum(figures for _month, figures in months)
    return Table("theo-thang", _("Kết quả giải quyết theo tháng"), columns, rows,
                 total=[_("Cộng"), *_figure_cells(total), total.satisfaction_rate])


def field_table(fields: list[tuple[str, Figures]]) -> Table:
    columns = [Column("field", _("Lĩnh vực"), "text", 40), *_figure_columns(),
               Column("open", _("Đang giải quyết"), "int", 14), Column("overdue", _("Đang quá hạn"), "int", 13)]
    rows = [[name, *_figure_cells(figures), figures.open, figures.overdue] for name, figures in fields]
    total = _sum(figures for _name, figures in fields)
    return Table("theo-linh-vuc", _("Kết quả giải quyết theo lĩnh vực"), columns, rows,
                 total=[_("Cộng"), *_figure_cells(total), total.open, total.overdue])


def summary_table(figures: Figures, period: Period) -> Table:
    columns = [Column("label", _("Chỉ tiêu"), "text", 44), Column("value", _("Số liệu"), "text", 14)]
    rows = [
        [_("Hồ sơ tiếp nhận"), format_cell(figures.received, "int")],
        [_("Đã giải quyết"), format_cell(figures.processed, "int")],
        [_("Giải quyết trước hạn"), format_cell(figures.before, "int")],
        [_("Giải quyết đúng hạn"), format_cell(figures.on_time, "int")],
        [_("Giải quyết quá hạn"), format_cell(figures.late, "int")],
        [_("Tỉ lệ giải quyết đúng hạn"), format_cell(figures.on_time_rate, "rate")],
        [_("Đang giải quyết (hiện tại)"), format_cell(figures.open, "int")],
        [_("Đang giải quyết trong hạn (kể cả tạm dừng chờ công dân)"), format_cell(figures.within_time, "int")],
        [_("Đang giải quyết quá hạn"), format_cell(figures.overdue, "int")],
        [_("Tỉ lệ hài lòng"), format_cell(figures.satisfaction_rate, "rate")],
    ]
    note = _("Từ %(first)s đến %(last)s; số đang giải quyết tính tại thời điểm xem.") % {
        "first": format_cell(period.first, "date"), "last": format_cell(period.last, "date")}
    return Table("tong-hop", _("Tổng hợp"), columns, rows, note=note)


@dataclass
class PublicReport:
    agency_name: str
    agency_code: str
    period: Period
    figures: Figures
    tables: dict[str, Table]
    months: list[tuple[datetime.date, Figures]]
    computed_at: datetime.datetime


def public_report(agency: Agency | None, now: datetime.datetime | None = None) -> PublicReport:
    """Everything the public statistics page shows, for one agency or all of them (no personal data)."""
    now = now or timezone.now()
    period = Period.last_months(now)
    grouped = grouped_counts(agency, period, now)
    satisfaction = satisfaction_months(period, agency.pk if agency else None)
    figures = summary(agency, period, now, grouped, satisfaction)
    months = by_month(agency, period, now, grouped, satisfaction)
    fields = by_field(agency, period, now, grouped)
    tables = {table.slug: table for table in (summary_table(figures, period), month_table(months), field_table(fields))}
    return PublicReport(
        agency_name=agency.name if agency else "", agency_code=agency.code if agency else "", period=period,
        figures=figures, tables=tables, months=months, computed_at=now,
    )


# --- working time, for many rows of one agency at once --------------------------------------------------


class WorkingClock:
    """`calendar.working_time_between` for many pairs of instants of one agency: the exceptions of the whole
    window are read once (one query) instead of once per pair."""

    def __init__(self, agency: Agency, first: datetime.date, last: datetime.date):
        self.agency = agency
        self.first, self.last = first, max(first, last)
        self.exceptions = calendar.load_exceptions(agency, self.first, self.last)
        self.day = calendar.day_length(agency)

    @classmethod
    def spanning(cls, agency: Agency, instants: Iterable[datetime.datetime]) -> WorkingClock:
        days = [timezone.localtime(instant, VN).date() for instant in instants if instant is not None]
        today = timezone.localdate(timezone=VN)
        return cls(agency, min(days, default=today), max(days, default=today))

    def between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
        for instant in (start, end):
            if not self.first <= timezone.localtime(instant, VN).date() <= self.last:
                raise ValueError(f"{instant} is outside the loaded calendar window {self.first}..{self.last}")
        return calendar.working_time_between(self.agency, start, end, exceptions=self.exceptions)

    def exact_days(self, elapsed: datetime.timedelta) -> Decimal:
        return Decimal(elapsed // datetime.timedelta(microseconds=1)) / Decimal(self.day // datetime.timedelta(microseconds=1))

    def days(self, elapsed: datetime.timedelta) -> Decimal:
        return calendar.in_working_days(self.agency, elapsed)

    def days_between(self, start: datetime.datetime, end: datetime.datetime) -> Decimal:
        """Same result as `calendar.working_days_between(agency, start, end)`, without a query per pair."""
        return self.days(self.between(start, end))

    @staticmethod
    def exact_hours(elapsed: datetime.timedelta) -> Decimal:
        return Decimal(elapsed // datetime.timedelta(seconds=1)) / Decimal(3600)


# --- the leaders' dashboard ---------------------------------------------------------------------------------


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
    running = Q(state__in=RUNNING_STATES)
    return _dossiers(agency).filter(Q(state__in=OPEN_STATES) | Q(received_at__gte=calendar.start_of_day(today))).aggregate(
        received_today=Count("id", filter=Q(received_at__gte=calendar.start_of_day(today)) & ~Q(state=State.REFUSED)),
        open=Count("id", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("id", filter=running & Q(due_at__lt=now)),
        due_soon=Count("id", filter=running & Q(due_at__gte=now, due_at__lte=soon)),
        paused=Count("id", filter=Q(state__in=PAUSED_STATES)),
    )


def _load_counts(now: datetime.datetime, soon: datetime.datetime) -> dict:
    running = Q(state__in=RUNNING_STATES)
    return {
        "open": Count("id"),
        "overdue": Count("id", filter=running & Q(due_at__lt=now)),
        "due_soon": Count("id", filter=running & Q(due_at__gte=now, due_at__lte=soon)),
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


def overdue_dossiers(agency: Agency, now: datetime.datetime) -> QuerySet[Dossier]:
    """Running and past the appointment, the most overdue first (index agency, state, due_at)."""
    return (
        _dossiers(agency).filter(state__in=RUNNING_STATES, due_at__lt=now)
        .select_related("procedure", "current_step", "current_assignee")
        .only("code", "due_at", "received_at", "state", "procedure__code", "procedure__name", "current_step__name",
              "current_step__order", "current_assignee__display_name")
        .order_by("due_at", "id")
    )


def due_soon_dossiers(agency: Agency, now: datetime.datetime) -> QuerySet[Dossier]:
    return (
        _dossiers(agency).filter(state__in=RUNNING_STATES, due_at__gte=now, due_at__lte=due_soon_limit(agency, now))
        .select_related("procedure", "current_step", "current_assignee")
        .only("code", "due_at", "received_at", "state", "procedure__code", "procedure__name", "current_step__name",
              "current_step__order", "current_assignee__display_name")
        .order_by("due_at", "id")
    )


def overdue_table(agency: Agency, dossiers: Sequence[Dossier], now: datetime.datetime, *, slug: str = "qua-han",
                  title: str | None = None, late: bool = True) -> Table:
    """One page (≤ OVERDUE_PAGE_SIZE rows) of the overdue or due-soon list; working days late computed here."""
    clock = WorkingClock.spanning(agency, [*(d.due_at for d in dossiers), now]) if late and dossiers else None
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
        if clock is not None:
            row.append(clock.days_between(dossier.due_at, now))
        rows.append(row)
    return Table(slug, title or _("Hồ sơ quá hạn"), columns, rows)


def _finished_records(agency: Agency, filters: Filters) -> QuerySet[StepRecord]:
    """Step records of the agency's dossiers finished in the period by handing the dossier on (closing by stop or
    withdrawal is not work on the step). StepRecord has no agency column: the steps of the procedures the agency
    offers narrow the rows through the (step, finished_at) index, and the dossier's agency decides."""
    steps = ProcedureStep.objects.filter(procedure__agencies=agency)
    if filters.procedure_id:
        steps = steps.filter(procedure_id=filters.procedure_id)
    return StepRecord.objects.order_by().filter(
        filters.period.q("finished_at"), step_id__in=list(steps.values_list("id", flat=True)), dossier__agency=agency,
    ).exclude(outcome=StepRecord.Outcome.CLOSED)


def _step_late() -> Q:
    """A step finished after its deadline instant (the rule of `timeliness_of`)."""
    return Q(finished_at__gt=F("due_at"))


def _percentile(values: Sequence[Decimal], fraction: Decimal) -> Decimal | None:
    """Linear-interpolated percentile (as PostgreSQL's percentile_cont) of already sorted values."""
    if not values:
        return None
    position = (len(values) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(values) - 1)
    return _tenth(values[lower] + (values[upper] - values[lower]) * (position - lower))


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


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
        .filter(rank__lte=STEP_SAMPLE_SIZE).values_list("step_id", "started_at", "finished_at")
    )
    steps = {
        step.pk: step
        for step in ProcedureStep.objects.filter(pk__in=counts).select_related("procedure")
        .only("order", "name", "duration", "procedure__code", "procedure__name", "procedure__time_unit")
    }
    clock = WorkingClock.spanning(agency, [instant for _step, start, end in sample for instant in (start, end)])
    taken: dict[int, list[Decimal]] = defaultdict(list)
    for step_id, started_at, finished_at in sample:
        elapsed = clock.between(started_at, finished_at)
        hours = step_unit(steps[step_id].procedure.time_unit) == TimeUnit.WORKING_HOURS
        taken[step_id].append(clock.exact_hours(elapsed) if hours else clock.exact_days(elapsed))
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
        mean = _tenth(sum(values, Decimal(0)) / len(values)) if values else None
        rows.append([f"{step.procedure.code} — {step.procedure.name}", f"{step.order}. {step.name}", step.duration,
                     str(TimeUnit(step_unit(step.procedure.time_unit)).label), row["finished"], row["late"],
                     rate(row["late"], row["finished"]), mean, _percentile(values, Decimal("0.9")), len(values)])
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
    # Counted from the step records' side, so the period and the (assignee, finished_at) index bound the scan.
    counts = {
        row["assignee_id"]: row
        for row in _finished_records(agency, filters).filter(assignee_id__in=[row["id"] for row in rows])
        .values("assignee_id").annotate(handled=Count("id"), late=Count("id", filter=_step_late()))
    }
    for row in rows:
        row.update(handled=counts.get(row["id"], {}).get("handled", 0), late=counts.get(row["id"], {}).get("late", 0))
    late_records = list(
        _finished_records(agency, filters).filter(_step_late(), assignee_id__in=[row["id"] for row in rows])
        .values_list("assignee_id", "due_at", "finished_at")
    )
    clock = WorkingClock.spanning(agency, [instant for _a, due, done in late_records for instant in (due, done)])
    lateness: dict[int, list[Decimal]] = defaultdict(list)
    for assignee_id, due_at, finished_at in late_records:
        lateness[assignee_id].append(clock.days_between(due_at, finished_at))
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
        days = lateness.get(row["id"], [])
        mean_late = (sum(days, Decimal(0)) / len(days)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if days else None
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


# --- Mẫu 07: Sổ theo dõi hồ sơ ---------------------------------------------------------------------------


def register_dossiers(agency: Agency, period: Period) -> QuerySet[Dossier]:
    """The Mẫu 07 register's rows for the period: the same dossiers as the printed register."""
    return dossier_selectors.register_dossiers(agency_id=agency.pk, start=period.start, end=period.end)


def register_columns() -> list[Column]:
    """The printed register's columns (dossiers.register.COLUMNS): one definition for paper, screen and export."""
    return [Column(column.key, str(column.label), column.kind, column.width) for column in register.COLUMNS]


def register_rows(agency: Agency, period: Period, dossiers: Iterable[Dossier]) -> Iterable[list]:
    """The register's lines, numbered by their place in the agency's register book (Quyển số = year)."""
    entries = dossier_selectors.register_entries(agency_id=agency.pk, start=period.start, end=period.end)
    return register.rows(dossiers, entries)
