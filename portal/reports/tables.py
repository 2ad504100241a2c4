"""Report tables: what pages, charts and exports share (translated headers, typed rows, formatted cells)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import formats, timezone

from common.clock import VN


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
