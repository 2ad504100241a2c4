"""The counter's reception page: procedure picker, two-stage check then save, refusal, errors that keep the data."""
import pytest
from django.urls import reverse

from dossiers import services
from dossiers.models import Dossier, DossierDocument, State
from procedures.roles import Role
from tests.factories import OfficialFactory, ProcedureFactory

URL = "/ho-so/tiep-nhan/"


def valid_post(procedure, **overrides) -> dict:
    documents = list(procedure.required_documents.all())
    data = {
        "procedure": procedure.pk,
        "applicant_type": "citizen",
        "applicant_name": "  Nguyễn   Văn An ",
        "applicant_id_number": "001203004567",
        "applicant_phone": "+84 912 345 678",
        "applicant_email": "an@example.vn",
        "applicant_address": "12 Hàng Bạc, Hoàn Kiếm, Hà Nội",
        "sets_count": "1",
        "channel": "counter",
        "refuse_reason": "",
        "docs-TOTAL_FORMS": str(len(documents) + 1),
        "docs-INITIAL_FORMS": str(len(documents)),
        "docs-MIN_NUM_FORMS": "0",
        "docs-MAX_NUM_FORMS": "60",
    }
    for index, document in enumerate(documents):
        data.update({f"docs-{index}-required_document_id": document.pk, f"docs-{index}-name": document.name,
                     f"docs-{index}-originals": "1", f"docs-{index}-certified_copies": "0",
                     f"docs-{index}-photocopies": "0"})
    extra = len(documents)
    data.update({f"docs-{extra}-required_document_id": "", f"docs-{extra}-name": "",
                 f"docs-{extra}-originals": "0", f"docs-{extra}-certified_copies": "0", f"docs-{extra}-photocopies": "0"})
    data.update(overrides)
    return data


def test_url(db):
    assert reverse("dossiers:receive") == URL


def test_only_clerks_receive(client, specialist, leader):
    for official in (specialist, leader):
        client.force_login(official.user)
        assert client.get(URL).status_code == 403


def test_picker_lists_the_agency_active_procedures_and_filters_without_accents(client, clerk, agency, procedure):
    land = ProcedureFactory(agencies=[agency], name="Đăng ký đất đai lần đầu", steps=True, documents=1)
    ProcedureFactory(agencies=[agency], name="Đăng ký khai sinh ngừng áp dụng", is_active=False)
    ProcedureFactory(name="Đăng ký của cơ quan khác")
    client.force_login(clerk.user)
    response = client.get(URL)
    assert response.status_code == 200
    assert set(response.context["procedures"]) == {procedure, land}
    # Enter in the filter box with one match left opens that procedure's form.
    response = client.get(URL, {"q": "dang ky dat"})
    assert response.status_code == 302 and response.url == f"{URL}?procedure={land.pk}"
    response = client.get(URL, {"q": "1.00"})  # both codes: the list to pick from
    assert set(response.context["procedures"]) == {procedure, land}
    body = response.content.decode()
    assert 'id="procedure-filter"' in body and "autofocus" in body
    assert f'value="{land.pk}" data-search="{land.search_text}"' in body


def test_picking_a_procedure_prefills_the_checklist(client, clerk, procedure):
    client.force_login(clerk.user)
    response = client.get(URL, {"procedure": procedure.pk})
    assert response.status_code == 200
    formset = response.context["formset"]
    required = list(procedure.required_documents.all())
    assert [form.required_document for form in formset.forms[:len(required)]] == required
    # Optional documents start at 0, so nothing prints on the receipt that the citizen did not hand in.
    assert [form.initial["originals"] for form in formset.forms[:len(required)]] == [
        doc.originals if doc.mandatory else 0 for doc in required]
    assert any(not doc.mandatory for doc in required) and any(doc.mandatory for doc in required)
    body = response.content.decode()
    assert required[0].name in body and "bắt buộc" in body
    assert 'name="applicant_name"' in body and "autofocus" in body


def test_foreign_procedure_cannot_be_picked(client, clerk):
    foreign = ProcedureFactory(steps=True, documents=1)
    client.force_login(clerk.user)
    response = client.get(URL, {"procedure": foreign.pk})
    assert response.context["procedure"] is None
    response = client.post(URL, valid_post(foreign), follow=True)
    assert "cơ quan không thực hiện" in str(list(response.context["messages"])[-1])
    assert not Dossier.objects.exists()


def test_check_stage_shows_the_appointment_and_saves_nothing(client, clerk, procedure):
    client.force_login(clerk.user)
    response = client.post(URL, valid_post(procedure, stage="check"))
    assert response.status_code == 200
    preview = response.context["preview"]
    expected = services.preview_due_at(actor=clerk.user, procedure_id=procedure.pk)
    assert abs((preview - expected).total_seconds()) < 120
    body = response.content.decode()
    assert 'name="stage" value="confirm"' in body
    assert f'{preview.astimezone(expected.tzinfo):%d/%m/%Y}' in body or preview.strftime("%d/%m/%Y") in body
    # What will be saved stays in the form for the confirmation, normalised.
    assert 'value="Nguyễn Văn An"' in body and 'value="0912345678"' in body
    assert not Dossier.objects.exists()


def test_confirm_stage_receives_and_lands_on_the_dossier_page(client, clerk, procedure):
    client.force_login(clerk.user)
    response = client.post(URL, valid_post(procedure, stage="confirm", **{"docs-2-name": "Giấy ủy quyền",
                                                                          "docs-2-photocopies": "2"}))
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.pk])
    assert (dossier.applicant_name, dossier.applicant_phone, dossier.state) == ("Nguyễn Văn An", "0912345678",
                                                                                 State.RECEIVED)
    assert dossier.received_by == clerk
    names = set(DossierDocument.objects.filter(dossier=dossier).values_list("name", "photocopies"))
    assert ("Giấy ủy quyền", 2) in names and len(names) == 3
    page = client.get(response["Location"])
    message = str(list(page.context["messages"])[-1])
    assert dossier.code in message and "hẹn trả kết quả" in message
    assert "In giấy tiếp nhận" in page.content.decode()


@pytest.mark.parametrize(("field", "value", "error"), [
    ("applicant_id_number", "12345", "12 chữ số"),
    ("applicant_phone", "12345", "Số điện thoại không hợp lệ"),
    ("applicant_name", "   ", "Nhập họ tên"),
    ("applicant_address", "", "Nhập địa chỉ"),
    ("applicant_email", "khong-phai-email", "thư điện tử"),
    ("sets_count", "0", ""),
    ("docs-0-originals", "-1", ""),
])
def test_errors_show_next_to_the_field_and_keep_everything_typed(client, clerk, procedure, field, value, error):
    client.force_login(clerk.user)
    data = valid_post(procedure, stage="confirm", **{field: value})
    response = client.post(URL, data)
    assert response.status_code == 400
    assert not Dossier.objects.exists()
    body = response.content.decode()
    if field.startswith("docs-"):
        assert response.context["formset"].forms[0].errors
    else:
        assert field in response.context["form"].errors
        assert error in " ".join(response.context["form"].errors[field])
    for name in ("applicant_id_number", "applicant_address", "applicant_email", "applicant_phone"):
        if name != field:
            assert f'value="{data[name]}"' in body, name
    assert 'aria-invalid="true"' in body


def test_business_needs_a_tax_code_not_a_cccd(client, clerk, procedure):
    client.force_login(clerk.user)
    response = client.post(URL, valid_post(procedure, stage="check", applicant_type="business"))
    assert "Mã số thuế" in " ".join(response.context["form"].errors["applicant_id_number"])
    response = client.post(URL, valid_post(procedure, stage="check", applicant_type="business",
                                           applicant_id_number="0101234567-001"))
    assert response.status_code == 200 and response.context["preview"]


def test_missing_mandatory_document_blocks_reception_but_not_refusal(client, clerk, procedure):
    client.force_login(clerk.user)
    data = valid_post(procedure, stage="confirm", **{"docs-0-originals": "0"})
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "Thiếu giấy tờ bắt buộc" in " ".join(response.context["formset"].non_form_errors())
    assert not Dossier.objects.exists()


def test_refusal_needs_a_reason_then_closes_the_dossier(client, clerk, procedure):
    client.force_login(clerk.user)
    data = valid_post(procedure, stage="refuse", **{"docs-0-originals": "0"})
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "Nhập lý do từ chối" in " ".join(response.context["form"].errors["refuse_reason"])
    assert 'id="id_refuse_reason"' in response.content.decode()

    response = client.post(URL, {**data, "refuse_reason": "Thiếu tờ khai có chữ ký"})
    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.pk])
    assert (dossier.state, dossier.closing_reason) == (State.REFUSED, "Thiếu tờ khai có chữ ký")
    page = client.get(response["Location"])
    assert "Mẫu 03" in str(list(page.context["messages"])[-1])


def test_service_refusal_keeps_the_form(client, agency, procedure):
    """A clerk whose procedure has no steps configured: the service refuses, the form keeps the data."""
    clerk = OfficialFactory(agency=agency, roles=[Role.RECEPTION])
    bare = ProcedureFactory(agencies=[agency], documents=1)
    client.force_login(clerk.user)
    response = client.post(URL, valid_post(bare, stage="confirm"))
    assert response.status_code == 400
    assert "chưa được cấu hình các bước" in str(list(response.context["messages"])[-1])
    assert 'value="  Nguyễn   Văn An "' in response.content.decode()  # exactly as typed


def test_receive_page_query_count(client, clerk, procedure, django_assert_max_num_queries):
    client.force_login(clerk.user)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(URL, {"procedure": procedure.pk}).status_code == 200
