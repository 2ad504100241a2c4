"""Issue 12, item 10: a large catalogue file is imported by a Celery task with its progress, never in the web request
(a 20,000-row file killed the worker). Through the admin's own import page, as an agency administrator."""
import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procedures import services
from procedures.models import CatalogueImportJob, Procedure
from procedures.roles import Role
from tests.factories import AgencyFactory, FieldFactory, OfficialFactory, ProcedureFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

HEADER = ["code", "name", "field", "level", "time_limit", "time_unit", "fee", "fee_note", "is_active", "agencies",
          "steps", "documents"]
IMPORT_URL = reverse("admin:procedures_procedure_import")


@pytest.fixture
def ward(db):
    FieldFactory(code="LV-NHAP")
    return AgencyFactory(code="000.00.26.H29", name="UBND phường Thử Nghiệm")


@pytest.fixture
def justice(db):
    return AgencyFactory(code="000.00.12.H29", name="Sở Tư pháp Thử Nghiệm")


@pytest.fixture
def ward_admin(client, ward):
    official = OfficialFactory(agency=ward, roles=[Role.AGENCY_ADMIN], user=StaffUserFactory(username="quantri"))
    client.force_login(official.user)
    return client


def catalogue_csv(rows: int, agency_code: str, *, foreign: dict[int, str] = (), header=HEADER) -> bytes:
    """`rows` procedures of one agency, two steps and a document each; `foreign` maps a row number (1-based) to
    another agency's code written in that row."""
    foreign = dict(foreign)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for number in range(1, rows + 1):
        writer.writerow([
            f"9.{number:06d}", f"Thủ tục nhập số {number}", "LV-NHAP", "commune", "3", "days", "0", "", "1",
            foreign.get(number, agency_code), "1|Tiếp nhận|reception|1\n2|Giải quyết|specialist|2",
            "1|Tờ khai|1|0|required",
        ][:len(header)])
    return out.getvalue().encode()


def upload(client, data: bytes, name="danh-muc.csv", file_format="0"):
    return client.post(IMPORT_URL, {
        "resource": "0", "format": file_format, "import_file": SimpleUploadedFile(name, data, content_type="text/csv"),
    })


def test_a_large_file_becomes_a_job_that_imports_in_the_task(ward_admin, ward, justice,
                                                               django_capture_on_commit_callbacks, settings):
    settings.CATALOGUE_IMPORT_SYNC_MAX_ROWS = 100
    settings.CATALOGUE_IMPORT_CHUNK_ROWS = 70
    shared = ProcedureFactory(code="9.000005", agencies=[ward, justice], name="Thủ tục dùng chung")
    data = catalogue_csv(250, ward.code, foreign={7: justice.code, 140: f"{ward.code}, {justice.code}"})

    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(ward_admin, data)
    job = CatalogueImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:procedures_catalogueimportjob_change", args=[job.pk])
    # The request stored the file and queued the task: nothing is imported yet.
    assert (job.state, job.total_rows, job.agency, job.created_by.username) == ("queued", 250, ward, "quantri")
    assert Procedure.objects.count() == 1 and len(callbacks) == 1
    waiting = ward_admin.get(response.url).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in waiting and "0/250" in waiting

    callbacks[0]()  # the commit hands the job to Celery (eager here: the task runs now)
    job.refresh_from_db()
    assert job.state == "done" and job.finished_at and job.data == b""
    assert (job.processed_rows, job.new_count, job.updated_count, job.invalid_count) == (250, 247, 0, 3)
    # Another agency's code in the agencies column, and a procedure shared with another agency, are refused.
    rejected = {error["row"]: " ".join(error["messages"]) for error in job.errors}
    assert sorted(rejected) == [5, 7, 140]
    assert "Cột cơ quan chỉ được ghi mã cơ quan của bạn (000.00.26.H29)." in rejected[7]
    assert "Thủ tục này không phải của riêng cơ quan bạn" in rejected[5]
    assert Procedure.objects.filter(agencies=ward).count() == 248
    assert not Procedure.objects.filter(code__in=["9.000007", "9.000140"]).exists()
    shared.refresh_from_db()
    assert shared.name == "Thủ tục dùng chung"
    imported = Procedure.objects.get(code="9.000250")
    assert [step.name for step in imported.steps.order_by("order")] == ["Tiếp nhận", "Giải quyết"]
    assert list(imported.agencies.all()) == [ward]
    assert imported.history.first().history_user.username == "quantri"

    page = ward_admin.get(reverse("admin:procedures_catalogueimportjob_change", args=[job.pk])).content.decode()
    assert "http-equiv" not in page and "250/250" in page
    assert "Dòng 7: Cột cơ quan chỉ được ghi mã cơ quan của bạn" in page
    listing = ward_admin.get(reverse("admin:procedures_catalogueimportjob_changelist")).content.decode()
    assert "danh-muc.csv" in listing


def test_the_upload_request_does_not_grow_with_the_file(ward_admin, ward, django_capture_on_commit_callbacks,
                                                        settings):
    """The 20,000-row file that killed the worker: within the admin's body limit, and its upload costs the request
    no more queries than a 600-row one (it only counts and stores the rows; the task reads them)."""
    settings.CATALOGUE_IMPORT_SYNC_MAX_ROWS = 500
    counts = []
    for rows in (600, 20_000):
        data = catalogue_csv(rows, ward.code)
        assert len(data) < dict(settings.REQUEST_BODY_LIMITS)["/admin/"]
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as callbacks:
            assert upload(ward_admin, data).status_code == 302
        counts.append(len(queries))
        assert len(callbacks) == 1  # the task, queued for after the commit
    assert counts[0] == counts[1]
    assert not Procedure.objects.exists()
    assert list(CatalogueImportJob.objects.order_by("pk").values_list("total_rows", "state")) == [
        (600, "queued"), (20_000, "queued"),
    ]


def test_a_large_xlsx_becomes_a_job_too(ward_admin, ward, django_capture_on_commit_callbacks, settings):
    settings.CATALOGUE_IMPORT_SYNC_MAX_ROWS = 100
    from import_export.formats import base_formats

    workbook = base_formats.XLSX().export_data(base_formats.CSV().create_dataset(catalogue_csv(101, ward.code).decode()))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(ward_admin, workbook, name="danh-muc.xlsx", file_format="1")
    job = CatalogueImportJob.objects.get()
    assert response.status_code == 302
    assert (job.file_format, job.state, job.total_rows, job.new_count, job.invalid_count) == ("xlsx", "done", 101, 101, 0)
    assert Procedure.objects.count() == 101


def test_a_small_file_keeps_the_preview(ward_admin, ward, settings):
    settings.CATALOGUE_IMPORT_SYNC_MAX_ROWS = 100
    response = upload(ward_admin, catalogue_csv(100, ward.code))
    assert response.status_code == 200 and "confirm_form" in response.context
    assert not CatalogueImportJob.objects.exists() and not Procedure.objects.exists()


def test_a_file_without_the_key_columns_fails_the_job_with_a_message(ward_admin, ward,
                                                                     django_capture_on_commit_callbacks, settings):
    settings.CATALOGUE_IMPORT_SYNC_MAX_ROWS = 10
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(ward_admin, catalogue_csv(50, ward.code, header=["ma", "ten", "linh_vuc"]))
    job = CatalogueImportJob.objects.get()
    assert response.status_code == 302 and job.state == "failed"
    assert job.errors == [{"row": 0, "messages": [
        "Tệp thiếu cột: code, agencies. Hãy dùng tệp xuất từ danh mục làm mẫu."
    ]}]
    assert not Procedure.objects.exists()
    page = ward_admin.get(response.url).content.decode()
    assert "Thất bại" in page and "Tệp thiếu cột: code, agencies." in page


def test_an_unreadable_file_fails_the_job_with_a_message(ward, django_capture_on_commit_callbacks):
    user = OfficialFactory(agency=ward, roles=[Role.AGENCY_ADMIN]).user
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_catalogue_import(actor=user, agency_id=ward.pk, file_name="hong.xlsx",
                                              file_format="xlsx", data=b"PK\x03\x04 not a workbook", total_rows=900)
    job.refresh_from_db()
    assert job.state == "failed" and job.finished_at
    assert job.errors[0]["messages"] == [
        "Không đọc được tệp “hong.xlsx” dưới dạng XLSX. Hãy kiểm tra tệp và định dạng đã chọn."
    ]


def test_jobs_are_scoped_to_the_admins_agency(client, ward, justice, django_capture_on_commit_callbacks):
    ward_user = OfficialFactory(agency=ward, roles=[Role.AGENCY_ADMIN]).user
    with django_capture_on_commit_callbacks():
        job = services.start_catalogue_import(actor=ward_user, agency_id=ward.pk, file_name="phuong.csv",
                                              file_format="csv", data=catalogue_csv(1, ward.code), total_rows=1)
    other = OfficialFactory(agency=justice, roles=[Role.AGENCY_ADMIN], user=StaffUserFactory()).user
    client.force_login(other)
    assert "phuong.csv" not in client.get(reverse("admin:procedures_catalogueimportjob_changelist")).content.decode()
    page = client.get(reverse("admin:procedures_catalogueimportjob_change", args=[job.pk]))
    assert page.status_code == 302  # the admin sends a row out of scope back to its index
    # Nobody without an agency (and not a superuser) starts an unscoped job.
    with pytest.raises(services.PermissionDenied):
        services.start_catalogue_import(actor=StaffUserFactory(), agency_id=0, file_name="x.csv", file_format="csv",
                                        data=b"", total_rows=0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_large_csv_imports_after_the_commit_on_postgresql(ward_admin, ward, justice, settings):
    """End to end with real commits, as in development: eager Celery runs the task once the job is committed, and
    every chunk commits on its own. 1,000 rows keep the suite short (a row costs ~15–60 ms: 20,000 take minutes in
    the worker, which is why they are not imported in the request)."""
    settings.CATALOGUE_IMPORT_SYNC_MAX_ROWS = 500
    settings.CATALOGUE_IMPORT_CHUNK_ROWS = 300
    response = upload(ward_admin, catalogue_csv(1_000, ward.code, foreign={999: justice.code}))
    assert response.status_code == 302
    job = CatalogueImportJob.objects.get()
    assert (job.state, job.total_rows, job.processed_rows) == ("done", 1_000, 1_000)
    assert (job.new_count, job.invalid_count) == (999, 1) and job.errors[0]["row"] == 999
    assert Procedure.objects.count() == 999
