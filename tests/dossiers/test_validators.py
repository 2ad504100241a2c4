"""Applicant data: the validators, and the services refusing bad data without writing a single row."""
import pytest
from django.core.exceptions import ValidationError

from dossiers import services
from dossiers.errors import DossierActionError, DossierPermissionError
from dossiers.models import (
    ApplicantType,
    Dossier,
    DossierCodeCounter,
    DossierDocument,
    DossierEvent,
    StepRecord,
)
from dossiers.validators import normalize_phone, validate_id_number, validate_phone
from tests.factories import ProcedureFactory

from .conftest import MONDAY_0900, applicant, documents_for

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.mark.parametrize(("raw", "expected"), [
    ("0912345678", "0912345678"),
    ("0912 345 678", "0912345678"),
    ("091.234.5678", "0912345678"),
    ("+84 912 345 678", "0912345678"),
    ("84912345678", "0912345678"),
    ("024 3825 1234", "02438251234"),
    ("(024) 3825-1234", "02438251234"),
])
def test_valid_phones_are_normalised(raw, expected):
    assert normalize_phone(raw) == expected
    assert validate_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "0123456789", "091234567", "09123456789", "0912a45678",
                                 "0412345678", "+1 912 345 678"])
def test_invalid_phones_are_refused(raw):
    with pytest.raises(ValidationError) as caught:
        validate_phone(raw)
    assert caught.value.code == "phone"


@pytest.mark.parametrize(("kind", "raw", "expected"), [
    (ApplicantType.CITIZEN, "001203004567", "001203004567"),
    (ApplicantType.CITIZEN, "001 203 004 567", "001203004567"),
    (ApplicantType.BUSINESS, "0101234567", "0101234567"),
    (ApplicantType.BUSINESS, "0101234567-001", "0101234567-001"),
    (ApplicantType.ORGANISATION, "", ""),
    (ApplicantType.ORGANISATION, "0101234567", "0101234567"),
])
def test_valid_identifiers(kind, raw, expected):
    assert validate_id_number(kind, raw) == expected


@pytest.mark.parametrize(("kind", "raw", "code"), [
    (ApplicantType.CITIZEN, "00120300456", "cccd"),
    (ApplicantType.CITIZEN, "0012030045678", "cccd"),
    (ApplicantType.CITIZEN, "00120300456a", "cccd"),
    (ApplicantType.CITIZEN, "", "cccd"),
    (ApplicantType.BUSINESS, "001203004567", "tax_code"),
    (ApplicantType.BUSINESS, "0101234567-01", "tax_code"),
    (ApplicantType.ORGANISATION, "12-34", "org_id"),
])
def test_invalid_identifiers(kind, raw, code):
    with pytest.raises(ValidationError) as caught:
        validate_id_number(kind, raw)
    assert caught.value.code == code


def written_rows() -> dict:
    return {
        "dossiers": Dossier.objects.count(),
        "counters": list(DossierCodeCounter.objects.values_list("agency_id", "day", "last_value")),
        "events": DossierEvent.objects.count(),
        "documents": DossierDocument.objects.count(),
        "step_records": StepRecord.objects.count(),
        "history": Dossier.history.count(),
    }


BAD_APPLICANTS = [
    pytest.param(dict(id_number="00120300456"), "12 chữ số", id="cccd-11-digits"),
    pytest.param(dict(id_number="0012030045678"), "12 chữ số", id="cccd-13-digits"),
    pytest.param(dict(id_number="00120300456X"), "12 chữ số", id="cccd-letter"),
    pytest.param(dict(phone="12345"), "Số điện thoại không hợp lệ", id="short-phone"),
    pytest.param(dict(phone="0123456789"), "Số điện thoại không hợp lệ", id="old-prefix-phone"),
    pytest.param(dict(name="   "), "họ tên", id="missing-name"),
    pytest.param(dict(name=""), "họ tên", id="empty-name"),
    pytest.param(dict(address=" "), "địa chỉ", id="missing-address"),
    pytest.param(dict(type=ApplicantType.BUSINESS), "Mã số thuế", id="business-with-cccd"),
    pytest.param(dict(type="alien"), "Loại người nộp", id="unknown-type"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_APPLICANTS)
def test_receive_with_invalid_applicant_writes_nothing(receive, overrides, message):
    receive(now=MONDAY_0900)  # the day's counter exists and stands at 1
    before = written_rows()
    with pytest.raises(DossierActionError, match=message) as caught:
        receive(now=MONDAY_0900, **overrides)
    assert type(caught.value) is DossierActionError
    assert written_rows() == before
    # No gap either: the next valid reception takes the next number.
    assert receive(now=MONDAY_0900).code.endswith("-260309-0002")


@pytest.mark.parametrize(("overrides", "message"), BAD_APPLICANTS[:6])
def test_refuse_at_counter_with_invalid_applicant_writes_nothing(clerk, procedure, overrides, message):
    before = written_rows()
    with pytest.raises(DossierActionError, match=message):
        services.refuse_at_counter(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(**overrides),
                                   reason="Thiếu giấy tờ", now=MONDAY_0900)
    assert written_rows() == before


def test_every_error_of_the_applicant_is_reported_at_once(receive):
    with pytest.raises(DossierActionError) as caught:
        receive(now=MONDAY_0900, name=" ", phone="1", id_number="2")
    message = caught.value.message
    assert "họ tên" in message and "Số điện thoại" in message and "12 chữ số" in message
    assert written_rows()["dossiers"] == 0


def test_applicant_data_is_normalised_on_reception(receive):
    dossier = receive(now=MONDAY_0900, name="  Nguyễn   Văn  An ", phone="+84 912.345.678", id_number="001 203 004 567")
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.applicant_name, fresh.applicant_phone, fresh.applicant_id_number) == (
        "Nguyễn Văn An", "0912345678", "001203004567")
    assert fresh.applicant_name_search == "nguyen van an"


def test_other_invalid_receptions_write_nothing(clerk, specialist, procedure, agency):
    before = written_rows()
    elsewhere = ProcedureFactory(steps=True, documents=1)  # not performed by this agency
    no_steps = ProcedureFactory(agencies=[agency], documents=1)
    inactive = ProcedureFactory(agencies=[agency], steps=True, documents=1, is_active=False)
    cases = [
        (dict(documents=[]), "ít nhất một giấy tờ"),
        (dict(documents=[services.ReceivedDocument(name="Tờ khai", originals=0)]), "ít nhất một giấy tờ"),
        (dict(procedure_id=elsewhere.pk, documents=documents_for(elsewhere)), "không thực hiện thủ tục"),
        (dict(procedure_id=no_steps.pk, documents=documents_for(no_steps)), "chưa được cấu hình"),
        (dict(procedure_id=inactive.pk, documents=documents_for(inactive)), "ngừng áp dụng"),
        (dict(channel="fax"), "Kênh nộp"),
        (dict(sets_count=0), "Số bộ hồ sơ"),
    ]
    for overrides, message in cases:
        arguments = dict(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(),
                         documents=documents_for(procedure), now=MONDAY_0900)
        arguments.update(overrides)
        with pytest.raises(DossierActionError, match=message):
            services.receive(**arguments)
    with pytest.raises(DossierPermissionError):
        services.receive(actor=specialist.user, procedure_id=procedure.pk, applicant=applicant(),
                         documents=documents_for(procedure), now=MONDAY_0900)
    assert written_rows() == before
