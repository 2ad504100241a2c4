"""The public statistics: counts in the database, shaped as tables (no personal data).

Definitions (docs/ARCHITECTURE.md, Nghị định 118/2025/NĐ-CP; the national portal counts the same way):
- received (tiếp nhận): dossiers received in the period, refusals at the counter (Mẫu 03) excluded;
- processed (đã giải quyết): dossiers whose result became ready (`processed_at`) in the period, split into
  before / on / after time exactly as `dossiers.models.timeliness_of` (docs/ARCHITECTURE.md, "Time"), in SQL:
  after the `due_at` instant is late; on an earlier calendar day (Vietnam time) is before; otherwise on time;
- in progress (đang giải quyết): open now; overdue among them = `Dossier.objects.overdue(now)` (running, not
  paused for a supplement or a payment, and past `due_at`); everything else open is "within time";
- on-time rate = (before + on) / processed; satisfaction rate comes from `satisfaction.selectors` only.

Received, processed and ratings of closed days are read from the daily roll-ups (`portal.models.DailyFigures`,
rebuilt each night by `portal.tasks.roll_up_reports`), counted on the same days as the live queries count them;
today (and any day not rolled up yet) is counted live, and so is "open now". The figures are therefore as fresh as
the page's cache entry (`cache.py`), the roll-ups only saving the database from re-reading history.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from common.clock import VN
from dossiers import selectors as dossier_selectors
from dossiers.models import OPEN_STATES, PAUSED_STATES, Dossier, State, overdue_q
from portal.models import DailyFigures, RolledUpDay
from procedures.models import Agency, Field
from satisfaction import selectors as satisfaction_selectors

from .periods import MONTHS_SHOWN, Period, month_key, month_starts, rate
from .tables import Column, Table, format_cell


def satisfaction_months(period: Period, agency_id: int | None) -> dict[datetime.date, tuple[int, int]]:
    rows = satisfaction_selectors.satisfaction_by_month(period=period, agency_id=agency_id)
    return {month_key(row["month"]): (row["happy"], row["total"]) for row in rows}


# --- the counts, as database expressions --------------------------------------------------------------


timeliness_class = dossier_selectors.timeliness_class


TIMELINESS_NAMES = {-1: "before", 0: "on_time", 1: "late"}


def snapshot_counts(now: datetime.datetime) -> dict:
    """Open now, split into overdue (running, past the appointment) and within time (paused ones included)."""
    return {
        "open": Count("id"),
        "overdue": Count("id", filter=overdue_q(now)),
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


@dataclass
class Grouped:
    """The grouped counts every public table is summed from (keys: month start, field id)."""

    received: dict[tuple[datetime.date, int], int]
    processed: dict[tuple[datetime.date, int, str], int]
    open: dict[int, dict]
    field_names: dict[int, str]
    satisfaction: dict[datetime.date, tuple[int, int]] = field(default_factory=dict)  # month: (satisfied, rated)
    rolled: Period | None = None  # the leading days read from the daily roll-ups, if any


ROLLED_UP = ("received", "before", "on_time", "late", "rated", "satisfied")  # the summed DailyFigures columns


def split_period(period: Period, now: datetime.datetime) -> tuple[Period | None, Period | None]:
    """(rolled, live): the period's leading closed days whose roll-ups are complete (`portal.rollups`), and the
    days after them, counted from the dossiers and ratings themselves (today always; any day not rolled up yet)."""
    yesterday = timezone.localtime(now, VN).date() - datetime.timedelta(days=1)
    last_closed = min(period.last, yesterday) if period.last else yesterday
    if period.first is None or last_closed < period.first:
        return None, period
    days = set(RolledUpDay.objects.filter(day__range=(period.first, last_closed)).values_list("day", flat=True))
    through = period.first
    while through in days:
        through += datetime.timedelta(days=1)
    if through == period.first:
        return None, period
    rolled = Period(first=period.first, last=through - datetime.timedelta(days=1))
    live = Period(first=through, last=period.last) if period.last is None or through <= period.last else None
    return rolled, live


def grouped_querysets(agency: Agency | None, period: Period, now: datetime.datetime,
                      split: tuple[Period | None, Period | None] | None = None) -> dict[str, QuerySet]:
    """Open now by field (index agency, state, due_at); over the period's rolled-up days the daily roll-ups by
    month and field (index agency, day); over its other days received (index agency, received_at) and processed by
    month, field and timeliness (index on processed_at)."""
    rolled, live = split or split_period(period, now)
    dossiers = _dossiers(agency)
    querysets = {
        "open": dossiers.filter(state__in=OPEN_STATES).values("procedure__field_id").annotate(**snapshot_counts(now)),
    }
    if live is not None:
        querysets["received"] = (
            dossiers.filter(live.q("received_at")).exclude(state=State.REFUSED)
            .annotate(month=TruncMonth("received_at", tzinfo=VN))
            .values_list("month", "procedure__field_id").annotate(n=Count("id")))
        querysets["processed"] = (
            dossiers.filter(live.q("processed_at"))
            .annotate(month=TruncMonth("processed_at", tzinfo=VN), timeliness=timeliness_class())
            .values_list("month", "procedure__field_id", "timeliness").annotate(n=Count("id")))
    if rolled is not None:
        daily = DailyFigures.objects.order_by().filter(day__range=(rolled.first, rolled.last))
        querysets["rolled"] = (
            (daily.filter(agency=agency) if agency is not None else daily)
            .annotate(month=TruncMonth("day")).values_list("month", "procedure__field_id")
            .annotate(*(Sum(name) for name in ROLLED_UP)))
    return querysets


def grouped_counts(agency: Agency | None, period: Period, now: datetime.datetime) -> Grouped:
    """Closed days from the daily roll-ups, the rest (today) counted live, open now live: a few grouped queries,
    each reading only its own rows; every public table is summed from them."""
    rolled, live = split_period(period, now)
    querysets = grouped_querysets(agency, period, now, (rolled, live))
    received: dict[tuple[datetime.date, int], int] = defaultdict(int)
    processed: dict[tuple[datetime.date, int, str], int] = defaultdict(int)
    satisfaction: dict[datetime.date, tuple[int, int]] = {}
    for month, field_id, count in querysets.get("received", ()):
        received[month_key(month), field_id] += count
    for month, field_id, timeliness, count in querysets.get("processed", ()):
        processed[month_key(month), field_id, TIMELINESS_NAMES[timeliness]] += count
    for month, field_id, *sums in querysets.get("rolled", ()):
        month, counts = month_key(month), dict(zip(ROLLED_UP, sums, strict=True))
        if counts["received"]:
            received[month, field_id] += counts["received"]
        for name in TIMELINESS_NAMES.values():
            if counts[name]:
                processed[month, field_id, name] += counts[name]
        if counts["rated"]:
            satisfied, rated = satisfaction.get(month, (0, 0))
            satisfaction[month] = (satisfied + counts["satisfied"], rated + counts["rated"])
    if live is not None:
        for month, (satisfied, rated) in satisfaction_months(live, agency.pk if agency else None).items():
            before_satisfied, before_rated = satisfaction.get(month, (0, 0))
            satisfaction[month] = (before_satisfied + satisfied, before_rated + rated)
    open_rows = {row["procedure__field_id"]: row for row in querysets["open"]}
    field_ids = {key[1] for key in received} | {key[1] for key in processed} | set(open_rows)
    # Grouping by the small id rather than the name keeps the sort keys short; names come in one more query.
    names = dict(Field.objects.filter(pk__in=field_ids).values_list("id", "name"))
    return Grouped(received=dict(received), processed=dict(processed), open=open_rows, field_names=names,
                   satisfaction=satisfaction, rolled=rolled)


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
        satisfaction = grouped.satisfaction
    figures.satisfied = sum(satisfied for satisfied, _rated in satisfaction.values())
    figures.rated = sum(rated for _satisfied, rated in satisfaction.values())
    return figures


def by_month(agency: Agency | None, period: Period, now: datetime.datetime | None = None,
             grouped: Grouped | None = None, satisfaction: dict | None = None) -> list[tuple[datetime.date, Figures]]:
    """Received and processed per calendar month (Vietnam time), every month of the period listed."""
    grouped = grouped or grouped_counts(agency, period, now or timezone.now())
    if satisfaction is None:
        satisfaction = grouped.satisfaction
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
    fields: list[tuple[str, Figures]] = field(default_factory=list)


def public_report(agency: Agency | None, now: datetime.datetime | None = None) -> PublicReport:
    """Everything the public statistics page shows, for one agency or all of them (no personal data)."""
    now = now or timezone.now()
    period = Period.last_months(now, MONTHS_SHOWN)
    grouped = grouped_counts(agency, period, now)
    figures = summary(agency, period, now, grouped)
    months = by_month(agency, period, now, grouped)
    fields = by_field(agency, period, now, grouped)
    tables = {table.slug: table for table in (summary_table(figures, period), month_table(months), field_table(fields))}
    return PublicReport(
        agency_name=agency.name if agency else "", agency_code=agency.code if agency else "", period=period,
        figures=figures, tables=tables, months=months, computed_at=now, fields=fields,
    )
