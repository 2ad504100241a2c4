"""Mẫu 02 at the counter for a dossier that is not received: the service's rules, the reception page's third
button, and the printed slip read back from the real PDF."""
import pytest
from django.urls import reverse

from dossiers import services
from dossiers.errors import DossierActionError, DossierPermissionError
from dossiers.models import CounterGuidance, Dossier
from procedures.history import HISTORY_REASON_LENGTH
from tests.dossiers.conftest import MONDAY_0900
from tests.dossiers.pdf_support import page_count, page_size_mm, pdf_text, qr_texts
from tests.dossiers.test_views_receive import URL, valid_post
from tests.factories import ProcedureFactory, UserFactory

MISSING = "Tờ khai có chữ ký của người đề nghị; bản sao Giấy chứng nhận quyền sử dụng đất"


def give(official, procedure, **overrides):
    data = dict(actor=official.user, procedure_id=procedure.pk, applicant_name="Nguyễn Thị Ánh Dương",
                applicant_phone="0912345678", missing=MISSING, now=MONDAY_0900)
    data.update(overrides)
    return services.give_guidance(**data)


def nothing_written():
    return not CounterGuidance.objects.exists() and not CounterGuidance.history.exists() and not Dossier.objects.exists()


# --- the service -------------------------------------------------------------------------------------------


def test_guidance_records_who_when_and_what_with_its_history(clerk, procedure, agency):
    guidance = give(clerk, procedure, applicant_name="  Nguyễn   Thị Ánh Dương ", applicant_phone="+84 912 345 678",
                    missing=f"  {MISSING}\n")

    stored = CounterGuidance.objects.get()
    assert stored == guidance
    assert (stored.agency, stored.procedure, stored.official, stored.given_at) == (agency, procedure, clerk, MONDAY_0900)
    assert (stored.applicant_name, stored.applicant_phone, stored.missing) == ("Nguyễn Thị Ánh Dương", "0912345678",
                                                                                 MISSING)
    record = stored.history.get()
    assert record.history_user == clerk.user
    assert record.history_change_reason.startswith("give_guidance: Tờ khai")
    assert len(record.history_change_reason) <= HISTORY_REASON_LENGTH
    # Not received: no dossier, no code taken from the day's sequence.
    assert not Dossier.objects.exists()


def test_phone_is_optional_and_a_mistyped_one_is_kept_as_typed(clerk, procedure):
    assert give(clerk, procedure, applicant_phone="").applicant_phone == ""
    assert give(clerk, procedure, applicant_phone="091 234").applicant_phone == "091 234"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"applicant_name": "   "}, "Nhập họ tên người nộp hồ sơ."),
    ({"missing": " \n "}, "Nhập nội dung cần bổ sung."),
    ({"applicant_name": "", "missing": ""}, "Nhập họ tên người nộp hồ sơ. Nhập nội dung cần bổ sung."),
    ({"applicant_name": "A" * 256}, "quá dài"),
    ({"applicant_phone": "0" * 21}, "quá dài"),
])
def test_name_and_missing_are_required_and_nothing_is_written(clerk, procedure, overrides, message):
    with pytest.raises(DossierActionError) as raised:
        give(clerk, procedure, **overrides)
    assert message in str(raised.value.message)
    assert nothing_written()


def test_only_reception_gives_guidance(specialist, leader, procedure):
    for official in (specialist, leader):
        with pytest.raises(DossierPermissionError) as raised:
            give(official, procedure)
        assert "Tiếp nhận" in str(raised.value.message) or "tiếp nhận" in str(raised.value.message)
    assert nothing_written()


def test_only_for_a_procedure_of_the_own_agency(clerk, outsider, procedure, agency):
    foreign = ProcedureFactory(steps=True, documents=1)
    with pytest.raises(DossierActionError, match="không thực hiện thủ tục"):
        give(clerk, foreign)
    with pytest.raises(DossierActionError, match="không thực hiện thủ tục"):
        give(outsider, procedure)
    retired = ProcedureFactory(agencies=[agency], is_active=False)
    with pytest.raises(DossierActionError, match="ngừng áp dụng"):
        give(clerk, retired)
    assert nothing_written()


def test_a_login_without_an_official_cannot_give_guidance(procedure):
    with pytest.raises(DossierPermissionError):
        services.give_guidance(actor=UserFactory(), procedure_id=procedure.pk, applicant_name="An", missing=MISSING)
    assert nothing_written()


# --- the reception page -------------------------------------------------------------------------------------


def guide_post(procedure, **overrides):
    # An incomplete dossier: the mandatory first document is missing; the envelope need not be valid.
    data = valid_post(procedure, stage="guide", guidance_missing=MISSING, applicant_name="Nguyễn Thị Ánh Dương",
                      applicant_id_number="123", applicant_phone="", applicant_address="",
                      applicant_email="khong-phai-email", **{"docs-0-originals": "0"})
    data.update(overrides)
    return data


def test_the_form_offers_the_guidance_slip(client, clerk, procedure):
    client.force_login(clerk.user)
    body = client.get(URL, {"procedure": procedure.pk}).content.decode()
    assert 'name="stage" value="guide"' in body
    assert "In phiếu hướng dẫn bổ sung (Mẫu 02)" in body
    assert 'name="guidance_missing"' in body
    assert '<details class="action" id="guidance">' in body  # closed until the checklist shows something missing


def test_guidance_button_records_the_slip_and_opens_its_pdf(client, clerk, procedure):
    client.force_login(clerk.user)
    response = client.post(URL, guide_post(procedure))

    guidance = CounterGuidance.objects.get()
    assert response.status_code == 302
    # Back at the counter, which opens the slip in a new tab (once) and keeps a link to it.
    assert response["Location"] == reverse("dossiers:receive")
    counter = client.get(response["Location"]).content.decode()
    pdf_url = reverse("forms:guidance", args=[guidance.pk])
    assert f'href="{pdf_url}" target="_blank" rel="noopener" data-open-now' in counter
    assert pdf_url not in client.get(response["Location"]).content.decode()
    assert (guidance.applicant_name, guidance.applicant_phone, guidance.missing, guidance.official) == (
        "Nguyễn Thị Ánh Dương", "", MISSING, clerk)
    assert guidance.history.get().history_user == clerk.user
    assert not Dossier.objects.exists()
    pdf = client.get(pdf_url)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "Nguyễn Thị Ánh Dương" in pdf_text(pdf.content)


def test_unticked_mandatory_documents_prefill_the_slip(client, clerk, procedure):
    client.force_login(clerk.user)
    mandatory = procedure.required_documents.get(mandatory=True)
    response = client.post(URL, valid_post(procedure, stage="check", **{"docs-0-originals": "0"}))

    assert response.status_code == 400
    body = response.content.decode()
    assert '<details class="action" id="guidance" open>' in body
    assert f"- {mandatory.name}</textarea>" in body
    # What the clerk wrote is never replaced by the suggestion.
    response = client.post(URL, valid_post(procedure, stage="check", guidance_missing="Ảnh 4x6",
                                           **{"docs-0-originals": "0"}))
    assert ">\nẢnh 4x6</textarea>" in response.content.decode()


@pytest.mark.parametrize(("field", "error"), [
    ("applicant_name", "Nhập họ tên người nộp hồ sơ."),
    ("guidance_missing", "Nhập nội dung cần bổ sung."),
])
def test_missing_name_or_text_keeps_what_was_typed(client, clerk, procedure, field, error):
    client.force_login(clerk.user)
    data = guide_post(procedure, applicant_address="12 Hàng Bạc", applicant_phone="0912 345 678", **{field: "  "})
    response = client.post(URL, data)

    assert response.status_code == 400
    assert not CounterGuidance.objects.exists()
    form = response.context["form"]
    assert list(form.errors) == [field]  # the reception rules (CCCD, e-mail, address) are not applied
    assert form.errors[field] == [error]
    body = response.content.decode()
    assert '<details class="action" id="guidance" open>' in body
    assert 'value="12 Hàng Bạc"' in body and 'value="0912 345 678"' in body and 'value="123"' in body
    if field == "applicant_name":
        assert f">\n{MISSING}</textarea>" in body
    else:
        assert 'value="Nguyễn Thị Ánh Dương"' in body


def test_a_specialist_cannot_give_guidance(client, specialist, procedure):
    client.force_login(specialist.user)
    assert client.post(URL, guide_post(procedure)).status_code == 403
    assert nothing_written()


def test_a_foreign_procedure_gives_no_guidance(client, clerk):
    foreign = ProcedureFactory(steps=True, documents=1)
    client.force_login(clerk.user)
    response = client.post(URL, guide_post(foreign), follow=True)
    assert "cơ quan không thực hiện" in str(list(response.context["messages"])[-1])
    assert nothing_written()


# --- the printed slip ---------------------------------------------------------------------------------------


def test_guidance_pdf_is_form_02_without_code_or_qr(client, clerk, procedure, agency):
    guidance = give(clerk, procedure)
    client.force_login(clerk.user)
    response = client.get(reverse("forms:guidance", args=[guidance.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="mau-02-huong-dan-{guidance.pk}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    for expected in ("Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", agency.name.upper(),
                     "Ngày 09 tháng 3 năm 2026", "Nguyễn Thị Ánh Dương", "Số điện thoại: 0912345678",
                     procedure.name, MISSING, "chưa được tiếp nhận", clerk.display_name):
        assert expected in text, expected
    for absent in ("Mã hồ sơ", "Hạn nộp bổ sung", "mã số"):
        assert absent not in text, absent
    assert page_size_mm(response.content) == (148.0, 210.0)
    assert page_count(response.content) == 1
    assert qr_texts(response.content) == []


def test_guidance_pdf_is_for_the_own_agencys_staff_only(client, clerk, specialist, outsider, procedure):
    guidance = give(clerk, procedure)
    url = reverse("forms:guidance", args=[guidance.pk])
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(outsider.user)
    assert client.get(url).status_code == 404
    client.force_login(specialist.user)  # the counter's roles reprint it; a specialist never handles it
    assert client.get(url).status_code == 404
    client.force_login(clerk.user)
    assert client.get(url).status_code == 200
    client.force_login(clerk.user)
    assert client.get(reverse("forms:guidance", args=[guidance.pk + 1])).status_code == 404
