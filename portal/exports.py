"""Excel (openpyxl) and CSV downloads of report tables and of the Mẫu 07 register.

Excel: Vietnamese headers in bold, frozen under the header, column widths, real numbers, and real date cells
(Excel has no time zones: instants are written as Vietnam wall-clock time) formatted dd/mm/yyyy or
dd/mm/yyyy hh:mm. CSV: UTF-8 with a byte-order mark so Excel reads Vietnamese correctly, dates as dd/mm/yyyy
text, numbers with a decimal point. Rows are streamed from an iterator, so a long register is never held twice.

Text typed by the public (an applicant's name, an address) must never become a formula in the spreadsheet
(OWASP "CSV Injection"): a text cell starting with =, +, -, @, a tab or a carriage return is written with a
leading apostrophe, in the XLSX as in the CSV, and XLSX text cells are always strings, never formulas.
"""
from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from common.clock import VN
from common.text import neutralise

from .reports import Column, Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
NUMBER_FORMATS = {"int": "#,##0", "rate": "0.0", "days": "0.0", "date": DATE_FORMAT, "datetime": DATETIME_FORMAT}




def excel_value(value, kind: str):
    """A cell value Excel understands: naive Vietnam wall-clock datetimes, floats for decimals, inert text."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return neutralise(value)
    if kind == "datetime":
        return timezone.localtime(value, VN).replace(tzinfo=None, microsecond=0)
    if kind == "date" and isinstance(value, datetime.datetime):
        return timezone.localtime(value, VN).date()
    if isinstance(value, Decimal):
        return float(value)
    return value


def csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "datetime":
        return timezone.localtime(value, VN).strftime("%d/%m/%Y %H:%M")
    if kind == "date":
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet1"


def write_sheet(workbook: Workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence],
                *, heading: Sequence[str] = (), total: Sequence | None = None) -> None:
    """One worksheet: optional heading lines, the bold header (frozen), typed rows, a bold total row."""
    sheet = workbook.create_sheet(_sheet_title(title))
    header_row = len(heading) + (1 if heading else 0) + 1
    sheet.freeze_panes = f"A{header_row + 1}"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    for line in heading:
        cell = WriteOnlyCell(sheet, value=neutralise(str(line)))
        cell.font = bold
        sheet.append([cell])
    if heading:
        sheet.append([])
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    sheet.append(header)

    def cells(row: Sequence, font: Font | None = None) -> list:
        out = []
        for value, column in zip(row, columns, strict=True):
            cell = WriteOnlyCell(sheet, value=excel_value(value, column.kind))
            if cell.data_type == "f":  # belt and braces: openpyxl reads any text starting with "=" as a formula
                cell.data_type = "s"
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
            if font is not None:
                cell.font = font
            out.append(cell)
        return out

    for row in rows:
        sheet.append(cells(row))
    if total is not None:
        sheet.append(cells(total, bold))


def xlsx_response(filename: str, sheets: Sequence[tuple[str, Sequence[Column], Iterable[Sequence], dict]]) -> HttpResponse:
    """`sheets`: (title, columns, rows, {"heading": [...], "total": [...]}) per worksheet."""
    workbook = Workbook(write_only=True)
    for title, columns, rows, extra in sheets:
        write_sheet(workbook, title, columns, rows, **extra)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def table_xlsx(table: Table, filename: str, heading: Sequence[str] = ()) -> HttpResponse:
    extra = {"heading": [table.title, *heading, *([table.note] if table.note else [])], "total": table.total}
    return xlsx_response(filename, [(table.title, table.columns, table.rows, extra)])


class _Echo:
    """A file-like object whose write returns the line, for csv.writer into a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, columns: Sequence[Column], rows: Iterable[Sequence],
                 total: Sequence | None = None) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([column.label for column in columns])
        for row in rows:
            yield writer.writerow([csv_value(value, column.kind) for value, column in zip(row, columns, strict=True)])
        if total is not None:
            yield writer.writerow([csv_value(value, column.kind) for value, column in zip(total, columns, strict=True)])

    response = StreamingHttpResponse((line.encode("utf-8") for line in lines()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def table_csv(table: Table, filename: str) -> StreamingHttpResponse:
    return csv_response(filename, table.columns, table.rows, table.total)
