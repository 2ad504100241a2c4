"""Catalogue export → import reproduces the catalogue exactly (CSV and XLSX); a broken file writes nothing."""
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.formats import base_formats

from portal.management.commands.seed_demo import Command as SeedDemo
from procedures import demo_data
from procedures.models import Procedure, ProcedureStep, TimeUnit
from procedures.resources import ProcedureResource
from procedures.roles import Role
from tests.factories import AgencyFactory, FieldFactory, ProcedureFactory, RequiredDocumentFactory

pytestmark = pytest.mark.django_db

COLUMNS = [
    "code", "name", "field", "level", "time_limit", "time_unit", "fee", "fee_note", "legal_basis",
    "result_document", "is_active", "agencies", "steps", "documents",
]


def snapshot() -> list[tuple]:
    """Everything the catalogue says about each procedure, in a comparable form."""
    return [
        (
            p.code, p.name, p.field.code, p.level, p.time_limit, p.time_unit, p.fee, p.fee_note, p.legal_basis,
            p.result_document, p.is_active, sorted(a.code for a in p.agencies.all()),
            [(s.order, s.name, s.role, s.duration) for s in p.steps.order_by("order")],
            [(d.order, d.name, d.originals, d.copies, d.mandatory) for d in p.required_documents.order_by("order", "id")],
        )
        for p in Procedure.objects.order_by("code")
    ]


@pytest.fixture
def catalogue():
    """The demo catalogue plus a procedure with awkward text: pipes, semicolons, an inactive same-day one."""
    seed = SeedDemo(stdout=io.StringIO())
    seed.seed_agencies()
    seed.seed_catalogue()
    odd = ProcedureFactory(
        code="9.999001", name="Thủ tục có dấu | và ; trong tên", time_limit=Decimal("1.5"),
        time_unit=TimeUnit.WORKING_HOURS, fee=Decimal(1250000), fee_note="Phí: 1.250.000 đồng; miễn cho hộ nghèo",
        is_active=False, legal_basis="Dòng một\nDòng hai",
        steps=[("Tiếp nhận | kiểm tra", Role.RECEPTION, "0.5"), ("Xử lý; trình ký", Role.SPECIALIST, "1")],
    )
    RequiredDocumentFactory(procedure=odd, order=1, name="Đơn | tờ khai; bản chính", originals=2, copies=3,
                            mandatory=False)
    ProcedureFactory(code="9.999002", name="Thủ tục chưa có bước, chưa có cơ quan")
    expected = snapshot()
    assert len(expected) == len(demo_data.PROCEDURES) + 2 and ProcedureStep.objects.count() >= 4 * len(demo_data.PROCEDURES)
    return expected


def reimport(dataset) -> None:
    Procedure.objects.all().delete()
    assert not Procedure.objects.exists()
    result = ProcedureResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), [
        (row.number, row.error_dict) for row in result.invalid_rows
    ]
    assert result.totals["new"] == len(demo_data.PROCEDURES) + 2


def test_csv_round_trip_reproduces_the_catalogue(catalogue):
    csv_text = base_formats.CSV().export_data(ProcedureResource().export())
    header = csv_text.splitlines()[0].split(",")
    assert header == COLUMNS
    # The readable columns read as documented.
    assert "1|Tiếp nhận, kiểm tra hồ sơ|reception|0.5" in csv_text
    assert "1|Tờ khai đăng ký khai sinh theo mẫu|1|0|required" in csv_text
    reimport(base_formats.CSV().create_dataset(csv_text))
    assert snapshot() == catalogue


def test_xlsx_round_trip_reproduces_the_catalogue(catalogue):
    data = base_formats.XLSX().export_data(ProcedureResource().export())
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    by_code = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]}
    birth = by_code["1.001193"]
    assert birth["name"] == "Đăng ký khai sinh"
    assert birth["agencies"] == "000.00.26.H29"
    assert birth["steps"].splitlines()[1] == "2|Kiểm tra, ghi Sổ đăng ký khai sinh|specialist|2"
    assert by_code["2.000635"]["agencies"] == "000.00.12.H29, 000.00.26.H29"
    reimport(base_formats.XLSX().create_dataset(data))
    assert snapshot() == catalogue


def test_import_accepts_semicolon_separated_cells_and_updates_by_code(catalogue):
    field = FieldFactory(code="LV-MOI")
    agency = AgencyFactory(code="000.00.99.H29")
    csv_text = (
        ",".join(COLUMNS) + "\n"
        '1.001193,Đăng ký khai sinh (sửa),LV-MOI,commune,"1,5",days,0,,,Giấy khai sinh,1,000.00.99.H29,'
        '"1|Tiếp nhận|reception|0,5; 2|Thẩm định|specialist|1","1|Tờ khai|1|0|x; 2|Giấy chứng sinh|1|0|optional"\n'
    )
    step_ids = list(Procedure.objects.get(code="1.001193").steps.order_by("order").values_list("pk", flat=True))
    result = ProcedureResource().import_data(base_formats.CSV().create_dataset(csv_text), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    procedure = Procedure.objects.get(code="1.001193")
    assert (procedure.name, procedure.field, procedure.time_limit) == ("Đăng ký khai sinh (sửa)", field, Decimal("1.5"))
    assert list(procedure.agencies.all()) == [agency]
    steps = list(procedure.steps.order_by("order"))
    # Steps 1 and 2 keep their rows (dossiers may point at them); 3 and 4 are gone.
    assert [s.pk for s in steps] == step_ids[:2]
    assert [(s.name, s.duration) for s in steps] == [("Tiếp nhận", Decimal("0.5")), ("Thẩm định", Decimal(1))]
    assert [(d.name, d.mandatory) for d in procedure.required_documents.order_by("order")] == [
        ("Tờ khai", True), ("Giấy chứng sinh", False),
    ]
    # The audit trail says the import removed steps 3 and 4.
    removed = ProcedureStep.history.filter(history_type="-", history_change_reason="import", procedure_id=procedure.pk)
    assert sorted(removed.values_list("order", flat=True)) == [3, 4]


GOOD_CSV = (
    ",".join(COLUMNS) + "\n"
    '8.000001,Thủ tục hợp lệ,HO-TICH,commune,3,days,0,,,,1,000.00.26.H29,'
    '"1|Tiếp nhận|reception|0.5\n2|Thẩm định|specialist|2\n3|Trả|reception|0.5",\n'
)
BROKEN_CSV = (
    GOOD_CSV +
    '8.000002,Thủ tục sai tổng thời gian,HO-TICH,commune,5,days,0,,,,1,,'
    '"1|Tiếp nhận|reception|0.5\n2|Thẩm định|specialist|2",\n'
    '8.000003,Thủ tục sai lĩnh vực,KHONG-CO,commune,1,days,0,,,,1,000.00.00.X99,"1|Xử lý|specialist|1",\n'
    '8.000004,Thủ tục sai vai trò,HO-TICH,commune,1,days,0,,,,1,,"1|Xử lý|thu-ky|1",\n'
)


def test_broken_rows_are_reported_and_nothing_is_written(catalogue):
    result = ProcedureResource().import_data(base_formats.CSV().create_dataset(BROKEN_CSV), dry_run=False)
    assert result.has_validation_errors()
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(errors) == {2, 3, 4}
    assert errors[2]["steps"] == [
        "Tổng thời gian các bước (2,5) phải bằng thời hạn giải quyết (5 ngày làm việc)."
    ]
    assert errors[3]["field"] == ["Không có lĩnh vực mã “KHONG-CO”."]
    assert errors[3]["agencies"] == ["Không có cơ quan mã: 000.00.00.X99."]
    assert errors[4]["steps"] == ["Vai trò “thu-ky” không hợp lệ."]
    # The valid first row was rolled back with the rest.
    assert snapshot() == catalogue
    assert not Procedure.objects.filter(code__startswith="8.").exists()


def test_malformed_cells_are_explained(catalogue):
    csv_text = ",".join(COLUMNS) + "\n" + '8.000009,X,HO-TICH,commune,1,days,0,,,,1,,"1|Xử lý|1","1|Tờ khai|1|0|maybe"\n'
    result = ProcedureResource().import_data(base_formats.CSV().create_dataset(csv_text), dry_run=False)
    errors = result.invalid_rows[0].error_dict
    assert errors["steps"] == ["Bước “1|Xử lý|1” phải có dạng thứ tự|tên|vai trò|thời gian."]
    assert errors["required_documents"] == ["“maybe” phải là required hoặc optional."]
    assert snapshot() == catalogue


def test_admin_import_of_a_broken_file_shows_errors_and_writes_nothing(admin_client, catalogue):
    upload = SimpleUploadedFile("danh-muc.csv", BROKEN_CSV.encode("utf-8"), content_type="text/csv")
    response = admin_client.post(
        reverse("admin:procedures_procedure_import"), {"resource": "0", "format": "0", "import_file": upload}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Không có lĩnh vực mã “KHONG-CO”." in page
    assert "phải bằng thời hạn giải quyết (5 ngày làm việc)" in page
    assert 'name="import_file_name"' not in page  # no confirm button for a file with errors
    assert snapshot() == catalogue


def test_admin_import_then_confirm_creates_the_procedure(admin_client, catalogue):
    upload = SimpleUploadedFile("mot.csv", GOOD_CSV.encode("utf-8"), content_type="text/csv")
    preview = admin_client.post(
        reverse("admin:procedures_procedure_import"), {"resource": "0", "format": "0", "import_file": upload}
    )
    assert not Procedure.objects.filter(code="8.000001").exists()  # the preview is a dry run
    confirm = preview.context["confirm_form"].initial
    response = admin_client.post(reverse("admin:procedures_procedure_process_import"), confirm)
    assert response.status_code == 302
    created = Procedure.objects.get(code="8.000001")
    assert [s.name for s in created.steps.order_by("order")] == ["Tiếp nhận", "Thẩm định", "Trả"]
    assert created.history.first().history_user.username == "admin"


def test_admin_export_page_offers_csv_and_xlsx(admin_client, catalogue):
    page = admin_client.get(reverse("admin:procedures_procedure_export"))
    assert page.status_code == 200
    labels = [label for value, label in page.context["form"].fields["format"].choices if value != ""]
    assert labels == ["csv", "xlsx"]


def test_same_day_unit_imports_and_round_trips(catalogue):
    """The import format's `same_day` unit: limit 1, steps in working hours sharing the one day."""
    assert Procedure.objects.get(code="1.001193").time_unit == TimeUnit.SAME_DAY
    good = (
        '8.000010,Thủ tục trong ngày,HO-TICH,commune,1,same_day,0,,,,1,000.00.26.H29,'
        '"1|Tiếp nhận|reception|0.5; 2|Xử lý|specialist|3; 3|Trả|reception|0.5",\n'
    )
    csv_text = (
        ",".join(COLUMNS) + "\n" + good +
        '8.000011,Thời hạn sai,HO-TICH,commune,2,same_day,0,,,,1,,"1|Xử lý|specialist|1",\n'
        '8.000012,Bước quá một ngày,HO-TICH,commune,1,same_day,0,,,,1,,"1|Xử lý|specialist|9",\n'
    )
    result = ProcedureResource().import_data(base_formats.CSV().create_dataset(csv_text), dry_run=False)
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert errors[2]["time_limit"] == ["Thủ tục giải quyết trong ngày có thời hạn là 1."]
    assert errors[3]["steps"] == [
        "Tổng thời gian các bước (9 giờ) của thủ tục giải quyết trong ngày không được quá 8 giờ làm việc."
    ]
    assert not Procedure.objects.filter(code="8.000010").exists()  # rolled back with the broken rows
    result = ProcedureResource().import_data(base_formats.CSV().create_dataset(",".join(COLUMNS) + "\n" + good),
                                             dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    procedure = Procedure.objects.get(code="8.000010")
    assert (procedure.time_limit, procedure.time_unit) == (Decimal(1), TimeUnit.SAME_DAY)
    assert [s.duration for s in procedure.steps.order_by("order")] == [Decimal("0.5"), Decimal(3), Decimal("0.5")]
    assert ",1,same_day," in base_formats.CSV().export_data(ProcedureResource().export())
