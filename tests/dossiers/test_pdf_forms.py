"""The printed forms (Thông tư 03/2025/TT-VPCP Phụ lục I), read back from the real PDFs the staff views serve."""
import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from dossiers import links, pdf, selectors, services
from dossiers.models import DossierEvent, StepRecord, Timeliness
from tests.dossiers.conftest import VN, vn
from tests.dossiers.pdf_support import page_count, page_size_mm, pdf_text, qr_texts

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def local(instant: datetime.datetime) -> datetime.datetime:
    return instant.astimezone(VN)


@pytest.fixture
def client_as(client):
    def _login(official):
        client.force_login(official.user)
        return client
    return _login


def get_form(client, dossier, number):
    url = reverse("forms:receipt", args=[dossier.pk]) if number == "01" else reverse("forms:form", args=[dossier.pk, number])
    return client.get(url)


def printed(dossier):
    return DossierEvent.objects.filter(dossier=dossier, kind=DossierEvent.Kind.FORM_PRINTED)


# --- Mẫu 01 ------------------------------------------------------------------------------------------


def test_receipt_holds_code_applicant_and_appointment(client_as, clerk, receive, agency):
    dossier = receive(name="Nguyễn Thị Ánh Dương")
    response = client_as(clerk).get(reverse("forms:receipt", args=[dossier.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="mau-01-{dossier.code}.pdf"'
    text = pdf_text(response.content)
    due = local(dossier.due_at)
    for expected in (*MOTTO, "Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", agency.name.upper(), dossier.code,
                     "Nguyễn Thị Ánh Dương", dossier.procedure.name, "09:00, ngày 09/03/2026",
                     f"{due:%H:%M}, ngày {due:%d/%m/%Y}", "5 ngày làm việc", clerk.display_name, agency.address):
        assert expected in text, expected
    for document in dossier.documents.all():
        assert document.name in text
    # The appointment is the calendar's: 5 working days after Monday 09:00 is the next Monday 09:00.
    assert (due.hour, due.minute, due.date()) == (9, 0, datetime.date(2026, 3, 16))


def test_receipt_qr_codes_open_tracking_and_rating_pages(client_as, clerk, receive):
    dossier = receive()
    content = client_as(clerk).get(reverse("forms:receipt", args=[dossier.pk])).content

    assert qr_texts(content) == sorted([links.tracking_url(dossier.tracking_token), links.rating_url(dossier.tracking_token)])


@override_settings(SITE_URL="https://motcua.hanoi.gov.vn")
def test_tracking_qr_stays_small_for_a_real_site_url(receive):
    dossier = receive()
    _svg, version = pdf.qr_code(links.tracking_url(dossier.tracking_token), size_mm=27)
    assert version <= pdf.TRACKING_QR_MAX_VERSION


def test_receipt_is_one_a5_page(client_as, clerk, receive):
    content = client_as(clerk).get(reverse("forms:receipt", args=[receive().pk])).content
    assert page_size_mm(content) == (148.0, 210.0)
    assert page_count(content) == 1


def test_each_print_is_an_internal_event_of_the_dossier(client_as, clerk, receive):
    dossier = receive()
    client = client_as(clerk)
    client.get(reverse("forms:receipt", args=[dossier.pk]))
    client.get(reverse("forms:form", args=[dossier.pk, "06"]))

    events = list(printed(dossier).order_by("id"))
    assert [event.internal_note.split(" — ")[0] for event in events] == ["Mẫu số 01", "Mẫu số 06"]
    assert all(not event.is_public and event.actor == clerk for event in events)


# --- Mẫu 02–06 ---------------------------------------------------------------------------------------


def test_form_02_lists_the_latest_supplement_request(client_as, specialist, build_dossier):
    dossier = build_dossier("supplement_requested")
    response = get_form(client_as(specialist), dossier, "02")

    assert response.status_code == 200
    text = pdf_text(response.content)
    for expected in (*MOTTO, "Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", dossier.code,
                     dossier.applicant_name, "Bản sao sổ đỏ", "Hạn nộp bổ sung: 13/03/2026", specialist.display_name):
        assert expected in text, expected
    assert page_size_mm(response.content) == (148.0, 210.0)


def test_form_03_gives_the_refusal_reason(client_as, clerk, build_dossier):
    dossier = build_dossier("refused")
    text = pdf_text(get_form(client_as(clerk), dossier, "03").content)

    for expected in ("Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN HỒ SƠ", dossier.code, dossier.applicant_name,
                     "Thiếu tờ khai", dossier.procedure.name, "09:00, ngày 09/03/2026"):
        assert expected in text, expected


def test_form_04_pending_is_a_draft_then_carries_the_leaders_approval(client_as, clerk, leader, build_dossier):
    dossier = build_dossier("in_progress", extension=True)
    previous = local(dossier.due_at)
    client = client_as(clerk)

    draft = pdf_text(get_form(client, dossier, "04").content)
    for expected in ("Mẫu số 04", "VĂN BẢN XIN LỖI", "DỰ THẢO", "Chờ xác minh", dossier.applicant_name,
                     f"{previous:%H:%M}, ngày {previous:%d/%m/%Y}", "17:00, ngày 20/03/2026"):
        assert expected in draft, expected
    assert leader.display_name not in draft

    extension = dossier.extensions.get()
    services.approve_extension(extension_id=extension.pk, actor=leader.user, now=vn(2026, 3, 9, 11, 0))
    approved = pdf_text(get_form(client, dossier, "04").content)
    assert "DỰ THẢO" not in approved
    assert leader.display_name in approved
    assert "17:00, ngày 20/03/2026" in approved


def test_form_05_gives_reason_and_legal_ground(client_as, clerk, leader, build_dossier):
    dossier = build_dossier("stopped")
    text = pdf_text(get_form(client_as(clerk), dossier, "05").content)

    for expected in ("Mẫu số 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", dossier.code, dossier.applicant_name,
                     "Có tranh chấp", "Điều 18 Nghị định 118/2025/NĐ-CP", "10:00, ngày 09/03/2026",
                     leader.display_name):
        assert expected in text, expected


def test_form_06_has_one_row_per_step_record_with_its_timeliness(client_as, clerk, specialist, leader, build_dossier):
    dossier = build_dossier("returned")
    records = list(StepRecord.objects.filter(dossier=dossier).select_related("step", "sender", "assignee")
                   .order_by("started_at", "id"))
    text = pdf_text(get_form(client_as(clerk), dossier, "06").content)

    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert len(records) == 4
    labels = dict(Timeliness.choices)
    position = 0
    for number, record in enumerate(records, start=1):
        # Rows appear in order: number, step, hand-off instant, giver, receiver, result. The reception row's
        # giver is the applicant handing the dossier in, not the clerk to herself.
        giver = dossier.applicant_name if number == 1 else record.sender.display_name
        receiver = record.assignee.display_name if record.assignee else str(record.step.get_role_display())
        row = [f"{number} {record.step.name}",
               f"{local(record.started_at):%H:%M} {local(record.started_at):%d/%m/%Y}", giver, receiver,
               str(labels[record.timeliness])]
        for part in row:
            found = text.find(part, position)
            assert found >= 0, (number, part)
            position = found
    assert text.count("Đúng hạn") + text.count("Trước hạn") + text.count("Quá hạn") == len(records)


@pytest.mark.parametrize(("state", "number", "message"), [
    ("received", "05", "Mẫu số 05 chỉ in cho hồ sơ đã dừng giải quyết"),
    ("received", "03", "Mẫu số 03 chỉ in cho hồ sơ bị từ chối tiếp nhận"),
    ("in_progress", "02", "chưa có yêu cầu bổ sung"),
    ("in_progress", "04", "chưa có đề nghị gia hạn"),
    ("refused", "01", "in Mẫu số 03"),
    ("refused", "06", "chưa có bước xử lý"),
])
def test_a_form_that_does_not_fit_the_state_is_a_friendly_404(client_as, clerk, build_dossier, state, number, message):
    dossier = build_dossier(state)
    response = get_form(client_as(clerk), dossier, number)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert not printed(dossier).exists()


@pytest.mark.parametrize("number", ["07", "99", "1", "x"])
def test_unknown_form_numbers_are_404(client_as, clerk, receive, number):
    dossier = receive()
    assert client_as(clerk).get(f"/bieu-mau/ho-so/{dossier.pk}/mau-{number}/").status_code == 404


# --- who may print -----------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["01", "02", "06"])
def test_another_agencys_official_gets_404_and_nothing_is_logged(client_as, outsider, build_dossier, number):
    dossier = build_dossier("supplement_requested")
    assert get_form(client_as(outsider), dossier, number).status_code == 404
    assert not printed(dossier).exists()


def test_anonymous_visitor_is_sent_to_login(client, receive):
    dossier = receive()
    response = client.get(reverse("forms:receipt", args=[dossier.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not printed(dossier).exists()


def test_a_login_without_an_official_is_refused(client, receive):
    from tests.factories import UserFactory

    dossier = receive()
    client.force_login(UserFactory())
    assert client.get(reverse("forms:receipt", args=[dossier.pk])).status_code == 403


# --- placard -----------------------------------------------------------------------------------------


def test_placard_is_a6_with_the_officials_rating_qr(client_as, clerk, leader, agency):
    leader.title = "Phó Chủ tịch UBND phường"
    leader.save()
    response = client_as(clerk).get(reverse("forms:placard", args=[leader.pk]))

    assert response.status_code == 200
    assert page_size_mm(response.content) == (105.0, 148.0)
    text = pdf_text(response.content)
    assert leader.display_name in text and "Phó Chủ tịch UBND phường" in text and agency.name.upper() in text
    assert qr_texts(response.content) == [links.official_rating_url(leader.pk)]


def test_placard_of_another_agencys_official_is_404(client_as, clerk, outsider):
    assert client_as(clerk).get(reverse("forms:placard", args=[outsider.pk])).status_code == 404


# --- rendering outside a request ---------------------------------------------------------------------


def test_forms_render_in_vietnam_time_whatever_the_active_zone(clerk, receive):
    dossier = receive(now=vn(2026, 3, 9, 16, 45))
    with timezone.override(datetime.UTC):
        text = pdf_text(pdf.dossier_form_pdf(selectors.dossier_for_staff(clerk, dossier.pk), "01"))
    assert "16:45, ngày 09/03/2026" in text
