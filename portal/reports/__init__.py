"""Reports: the public statistics and the leaders' dashboard, read-only, each figure one database query.

- `periods`: the shared period (`procedures.calendar.Period`) and working clock (`procedures.calendar.WorkingClock`),
  months and rates;
- `tables`: the `Table` every page, chart and export is drawn from;
- `public`: the public figures (per month, per field, the headline summary), closed days from the daily roll-ups
  (`portal.models.DailyFigures`, written by `portal.rollups`);
- `leaders`: the leaders' dashboard (load by step and official, overdue lists, bottlenecks, per-official review);
- `register`: the Mẫu 07 register;
- `cache`: the public pages' cache, stale-while-revalidate.

The names below are the package's interface for views, exports, charts and the benchmarks.
"""
from .leaders import (
    OVERDUE_PAGE_SIZE,
    STEP_SAMPLE_SIZE,
    Filters,
    due_soon_rows,
    official_review,
    open_by_official,
    open_by_step,
    overdue_rows,
    overdue_table,
    step_bottlenecks,
    today_figures,
)
from .periods import MONTHS_SHOWN, Period, WorkingClock, month_starts, rate
from .public import (
    TIMELINESS_NAMES,
    Figures,
    PublicReport,
    by_field,
    by_month,
    field_table,
    grouped_counts,
    grouped_querysets,
    month_table,
    public_report,
    summary,
    summary_table,
    timeliness_class,
)
from .register import register_columns, register_dossiers, register_rows
from .tables import Column, Table, format_cell

__all__ = [
    "MONTHS_SHOWN", "OVERDUE_PAGE_SIZE", "STEP_SAMPLE_SIZE", "Column", "Figures", "Filters", "Period", "PublicReport",
    "TIMELINESS_NAMES", "Table", "WorkingClock", "by_field", "by_month", "due_soon_rows", "field_table", "format_cell",
    "grouped_counts", "grouped_querysets", "month_starts", "month_table", "official_review", "open_by_official",
    "open_by_step", "overdue_rows", "overdue_table", "public_report", "rate", "register_columns", "register_dossiers",
    "register_rows", "step_bottlenecks", "summary", "summary_table", "timeliness_class", "today_figures",
]
