"""Import and export of the procedure catalogue (django-import-export), one procedure per row.

Columns carry stable keys rather than display labels, so a file exported from one portal imports into
another: the field by its code, agencies as comma-separated agency codes, and the steps and required
documents each in one readable cell, one item per line (on import "; " before the next item's number
also separates items, as in "1|Tiếp nhận|reception|0.5; 2|Thẩm định|specialist|2"):

    steps:      1|Tiếp nhận hồ sơ|reception|0.5
                2|Thẩm định hồ sơ|specialist|2
    documents:  1|Tờ khai đăng ký khai sinh|1|0|required

The `time_unit` column is `days`, `hours` or `same_day` (settled within the working day: limit 1, step
durations in working hours; docs/ARCHITECTURE.md "Time"). A step line is order|name|role|duration (a role
key of `procedures.roles.Role`, a duration in the procedure's unit, hours for `same_day`); a document line is order|name|originals|copies|required-or-optional. Names may hold
"|" because the fixed columns are read from both ends. A row whose steps do not add up to the time
limit, or that names an unknown field or agency, is rejected with a message and nothing is written.
An empty optional text cell (a spreadsheet stores it as no value at all) imports as an empty text, and
a row the database refuses is reported as a message on that row, never as the database's own error.

An agency administrator (resource built with `agency_id`) imports only rows of procedures their agency alone
performs, with exactly their own agency in the agencies column; a superuser (`agency_id=None`) imports anything.
"""
import csv
import io
import logging
import re
from decimal import Decimal, InvalidOperation

import openpyxl
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from common.text import neutralise

from . import selectors, services
from .models import Agency, Field, Procedure
from .services import CatalogueError, DocumentSpec, StepSpec

logger = logging.getLogger(__name__)

LINE_SPLIT = re.compile(r"\r?\n")
# A ";" only ends an item when the next one starts with its number, so names may contain ";".
ITEM_SPLIT = re.compile(r";\s*(?=\d+\s*\|)")
REQUIRED, OPTIONAL = "required", "optional"
TRUE_WORDS = {REQUIRED, "1", "x", "true", "yes", "có", "bắt buộc"}
FALSE_WORDS = {OPTIONAL, "0", "", "false", "no", "không"}


def plain_decimal(value: Decimal) -> str:
    """0.5 -> "0.5", 10.0 -> "10": no exponent, no trailing zeros, a dot whatever the language."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def parse_decimal(text) -> Decimal:
    try:
        return Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation as error:
        raise ValueError(_("“%(value)s” không phải là số.") % {"value": text}) from error


def parse_int(text) -> int:
    number = parse_decimal(text)
    if number != number.to_integral_value() or number < 0:
        raise ValueError(_("“%(value)s” không phải là số nguyên không âm.") % {"value": text})
    return int(number)


def split_items(value) -> list[str]:
    """Items of a cell: one per line, or separated by ";" before the next item's number ("…; 2|…")."""
    items = []
    for line in LINE_SPLIT.split(str(value or "")):
        items.extend(part.strip() for part in ITEM_SPLIT.split(line) if part.strip())
    return items


# The admin's import formats by the name a background job stores.
IMPORT_FORMATS = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX}
# Without these a row cannot be matched or scoped: a background job refuses such a file at once.
REQUIRED_COLUMNS = ("code", "agencies")
CSV_ENCODING = "utf-8-sig"  # django-import-export's default: a BOM from Excel is dropped


def read_dataset(data: bytes, file_format: str):
    """The file as a tablib Dataset, as the admin reads it (CSV as UTF-8 text, XLSX as bytes)."""
    input_format = IMPORT_FORMATS[file_format]()
    return input_format.create_dataset(data if input_format.is_binary() else data.decode(CSV_ENCODING))


def count_data_rows(data: bytes, file_format: str) -> int | None:
    """Data rows of a file without building the dataset (cheap enough for the upload request), or None when the
    file cannot be read as that format: the admin's own import then explains why."""
    try:
        if file_format == "csv":
            return max(0, sum(1 for _row in csv.reader(io.StringIO(data.decode(CSV_ENCODING)))) - 1)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.active
            # The sheet's recorded dimension; a file written without one is counted row by row.
            rows = sheet.max_row if sheet.max_row is not None else sum(1 for _row in sheet.iter_rows(values_only=True))
        finally:
            workbook.close()
        return max(0, rows - 1)
    except Exception:  # noqa: BLE001  any unreadable file is the admin form's to report
        return None


class PlainDecimalWidget(widgets.Widget):
    """Numbers written the same in every language, so files travel between portals."""

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        return parse_decimal(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else plain_decimal(value)


class CodeForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by code, with a readable error when the code is unknown."""

    def __init__(self, model, message, **kwargs):
        super().__init__(model, field="code", **kwargs)
        self.message = message

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(str(value).strip() if value is not None else value, row=row, **kwargs)
        except self.model.DoesNotExist as error:
            raise ValueError(self.message % {"code": value}) from error


class AgencyCodesWidget(widgets.ManyToManyWidget):
    """Agencies as "code1, code2"; an unknown code is an error rather than silently dropped."""

    def __init__(self):
        super().__init__(Agency, separator=",", field="code")

    def clean(self, value, row=None, **kwargs):
        codes = [code.strip() for code in str(value or "").split(",") if code.strip()]
        agencies = Agency.objects.filter(code__in=codes)
        missing = sorted(set(codes) - {agency.code for agency in agencies})
        if missing:
            raise ValueError(_("Không có cơ quan mã: %(codes)s.") % {"codes": ", ".join(missing)})
        return agencies

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else ", ".join(sorted(agency.code for agency in value.all()))


class StepsWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> list[StepSpec]:
        steps = []
        for line in split_items(value):
            parts = line.split("|")
            if len(parts) < 4:
                raise ValueError(_("Bước “%(line)s” phải có dạng thứ tự|tên|vai trò|thời gian.") % {"line": line})
            steps.append(StepSpec(
                order=parse_int(parts[0]), name="|".join(parts[1:-2]).strip(), role=parts[-2].strip(),
                duration=parse_decimal(parts[-1]),
            ))
        return steps

    def render(self, value, obj=None, **kwargs):
        return "\n".join(
            f"{step.order}|{step.name}|{step.role}|{plain_decimal(step.duration)}" for step in value or ()
        )


class DocumentsWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> list[DocumentSpec]:
        documents = []
        for line in split_items(value):
            parts = line.split("|")
            if len(parts) < 5:
                raise ValueError(
                    _("Giấy tờ “%(line)s” phải có dạng thứ tự|tên|số bản chính|số bản sao|required hoặc optional.")
                    % {"line": line}
                )
            flag = parts[-1].strip().lower()
            if flag not in TRUE_WORDS | FALSE_WORDS:
                raise ValueError(_("“%(value)s” phải là required hoặc optional.") % {"value": parts[-1]})
            documents.append(DocumentSpec(
                order=parse_int(parts[0]), name="|".join(parts[1:-3]).strip(), originals=parse_int(parts[-3]),
                copies=parse_int(parts[-2]), mandatory=flag in TRUE_WORDS,
            ))
        return documents

    def render(self, value, obj=None, **kwargs):
        return "\n".join(
            f"{doc.order}|{doc.name}|{doc.originals}|{doc.copies}|{REQUIRED if doc.mandatory else OPTIONAL}"
            for doc in value or ()
        )


class NestedRowsField(fields.Field):
    """A column holding a procedure's child rows: kept aside on import, written after the procedure is saved."""

    def get_value(self, instance):
        return list(getattr(instance, self.attribute).all()) if instance.pk else []

    def save(self, instance, row, is_m2m=False, **kwargs):
        instance.__dict__.setdefault("_nested_rows", {})[self.attribute] = self.clean(row, **kwargs)


class ProcedureResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name="code")
    field = fields.Field(
        attribute="field", column_name="field",
        widget=CodeForeignKeyWidget(Field, _("Không có lĩnh vực mã “%(code)s”.")),
    )
    time_limit = fields.Field(attribute="time_limit", column_name="time_limit", widget=PlainDecimalWidget())
    fee = fields.Field(attribute="fee", column_name="fee", widget=PlainDecimalWidget())
    agencies = fields.Field(attribute="agencies", column_name="agencies", widget=AgencyCodesWidget())
    steps = NestedRowsField(attribute="steps", column_name="steps", widget=StepsWidget())
    documents = NestedRowsField(attribute="required_documents", column_name="documents", widget=DocumentsWidget())
    # Optional text: an empty cell is "" (the columns are NOT NULL), whatever the file format made of it.
    fee_note = fields.Field(attribute="fee_note", column_name="fee_note", widget=widgets.CharWidget(allow_blank=True))
    legal_basis = fields.Field(attribute="legal_basis", column_name="legal_basis",
                               widget=widgets.CharWidget(allow_blank=True))
    result_document = fields.Field(attribute="result_document", column_name="result_document",
                                   widget=widgets.CharWidget(allow_blank=True))

    class Meta:
        model = Procedure
        import_id_fields = ["code"]
        fields = [
            "code", "name", "field", "level", "time_limit", "time_unit", "fee", "fee_note", "legal_basis",
            "result_document", "is_active", "agencies", "steps", "documents",
        ]
        export_order = fields
        use_transactions = True
        skip_unchanged = False
        clean_model_instances = True

    def __init__(self, *, agency_id: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.agency_id = agency_id

    def get_queryset(self):
        return (
            Procedure.objects.select_related("field")
            .prefetch_related("agencies", "steps", "required_documents")
            .order_by("code")
        )

    def import_data(self, dataset, *args, **kwargs):
        # One bad row must leave the catalogue untouched, validation errors included.
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(dataset, *args, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        errors.update(self.scope_errors(instance, row))
        # Many-to-many and nested columns are checked here so a bad row fails before anything is saved.
        if "agencies" in row:
            try:
                self.fields["agencies"].clean(row)
            except ValueError as error:
                errors["agencies"] = [str(error)]
        steps = instance.__dict__.get("_nested_rows", {}).get("steps")
        if steps is not None and "time_limit" not in errors and instance.time_limit is not None:
            try:
                services.check_steps(instance, steps)
            except CatalogueError as error:
                errors["steps"] = [str(error.message)]
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        # A savepoint per row, so a refused row neither aborts the import's transaction nor shows raw SQL.
        try:
            with transaction.atomic():
                super().save_instance(instance, is_create, row, **kwargs)
        except DatabaseError as error:
            logger.info("catalogue import: row %s refused by the database", row.get("code"), exc_info=True)
            raise ValidationError(
                _("Không lưu được thủ tục “%(code)s”: có ô quá dài hoặc ô bắt buộc để trống.")
                % {"code": row.get("code") or ""}
            ) from error

    def export_field(self, field, instance, **kwargs):
        # A procedure's name or legal basis starting with "=" must reach the spreadsheet as text, not a formula.
        value = super().export_field(field, instance, **kwargs)
        return neutralise(value) if isinstance(value, str) else value

    def scope_errors(self, instance, row) -> dict:
        """Why an agency administrator may not import this row (empty for a superuser or an allowed row)."""
        agency_id = self.agency_id
        if agency_id is None:
            return {}
        errors = {}
        if instance.pk and not selectors.procedures_owned_by(agency_id).filter(pk=instance.pk).exists():
            errors["code"] = [str(_("Thủ tục này không phải của riêng cơ quan bạn; chỉ quản trị hệ thống được sửa."))]
        if not hasattr(self, "_own_code"):  # read once per resource: a background import checks thousands of rows
            self._own_code = Agency.objects.filter(pk=agency_id).values_list("code", flat=True).first()
        own = self._own_code
        codes = {code.strip() for code in str(row.get("agencies") or "").split(",") if code.strip()}
        if codes != {own}:
            errors["agencies"] = [str(_("Cột cơ quan chỉ được ghi mã cơ quan của bạn (%(code)s).") % {"code": own})]
        return errors

    def after_save_instance(self, instance, row, **kwargs):
        nested = instance.__dict__.pop("_nested_rows", {})
        try:
            if "steps" in nested:
                services.set_steps(instance, nested["steps"], reason="import")
            if "required_documents" in nested:
                services.set_required_documents(instance, nested["required_documents"], reason="import")
        except CatalogueError as error:
            raise ValidationError({"steps": [str(error.message)]}) from error
