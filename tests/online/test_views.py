"""The online channel over HTTP: the citizen files through the form with real uploads, confirms the code and
follows the submission by its token; the clerk works from the agency's inbox; everyone else gets a 404."""
import datetime

import pytest
from django.urls import reverse

from dossiers import services as dossier_services
from dossiers.models import PersonalDataAccess
from online import services
from online.models import OnlineSubmission, SubmissionState

from .conftest import bomb_pdf, first_document, image_bytes, last_code, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def form_data(procedure, agency, **overrides):
    documents = list(procedure.required_documents.order_by("order"))
    data = {
        "agency": agency.pk, "applicant_type": "citizen", "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "001203004567", "applicant_phone": "0912345678", "applicant_email": "an@example.vn",
        "applicant_address": "12 Hàng Bạc", "contact_channel": "email", "result_delivery": "counter",
        f"doc_{documents[0].pk}": [upload("trang1.jpg", image_bytes("JPEG")), upload("trang2.png", image_bytes("PNG"))],
    }
    data.update(overrides)
    return data


def test_the_procedure_page_offers_online_filing_only_when_enabled(client, procedure):
    page = client.get(reverse("procedures:detail", args=[procedure.code])).content.decode()
    assert reverse("online:start", args=[procedure.code]) in page and "Nộp hồ sơ trực tuyến" in page
    procedure.online_enabled = False
    procedure.save()
    from django.core.cache import cache
    cache.clear()
    assert "Nộp hồ sơ trực tuyến" not in client.get(reverse("procedures:detail", args=[procedure.code])).content.decode()
    assert client.get(reverse("online:start", args=[procedure.code])).status_code == 404


def test_a_citizen_files_confirms_and_follows(client, procedure, agency):
    response = client.post(reverse("online:start", args=[procedure.code]), form_data(procedure, agency))
    submission = OnlineSubmission.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("online:status",
                                                                           args=[submission.tracking_token])
    assert submission.files.count() == 2  # two pages of one document
    page = client.get(response["Location"])
    assert page["Cache-Control"].startswith("max-age=0") and "noindex" in page["X-Robots-Tag"]
    assert "Nguyễn Văn An" not in page.content.decode()  # masked name only
    client.post(reverse("online:confirm", args=[submission.tracking_token]), {"code": last_code("an@example.vn")})
    page = client.get(reverse("online:status", args=[submission.tracking_token])).content.decode()
    assert "Mới đăng ký" in page and "Chưa có" in page
    shown = client.get(reverse("online:file", args=[submission.tracking_token, submission.files.first().pk]))
    assert shown["Content-Type"] == "image/jpeg" and shown["Content-Disposition"].startswith("inline")
    assert shown["Content-Security-Policy"].startswith("sandbox")


@pytest.mark.parametrize("bad,message", [
    (lambda: upload("anh.jpg", b"MZ" + b"\0" * 100), "không phải PDF, JPEG hoặc PNG"),
    (lambda: upload("don.pdf", bomb_pdf(8 * 1024 * 1024)), "nén bất thường"),
    (lambda: upload("trong.pdf", b""), "rỗng"),
])
def test_a_bad_file_gets_a_clear_error_and_nothing_is_filed(client, procedure, agency, settings, media, bad, message):
    settings.ONLINE_PDF_MAX_DECODED_BYTES = 1024 * 1024
    first = first_document(procedure)
    response = client.post(reverse("online:start", args=[procedure.code]),
                           form_data(procedure, agency, **{f"doc_{first.pk}": [upload("ok.pdf", pdf_bytes()), bad()]}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not OnlineSubmission.objects.exists() and not media.exists()


def test_over_the_limits_over_http(client, procedure, agency, settings):
    settings.ONLINE_FILE_MAX_BYTES = 2000
    first = first_document(procedure)
    big = upload("lon.pdf", pdf_bytes(b"z" * 4000, compress=False))
    response = client.post(reverse("online:start", args=[procedure.code]),
                           form_data(procedure, agency, **{f"doc_{first.pk}": [big]}))
    assert response.status_code == 400 and "lớn hơn" in response.content.decode()
    settings.ONLINE_FILE_MAX_BYTES = 10_000
    settings.ONLINE_TOTAL_MAX_BYTES = 2500
    two = [upload(f"{n}.pdf", pdf_bytes(b"z" * 1500, compress=False)) for n in range(2)]
    response = client.post(reverse("online:start", args=[procedure.code]),
                           form_data(procedure, agency, **{f"doc_{first.pk}": two}))
    assert response.status_code == 400 and "Tổng dung lượng" in response.content.decode()
    assert not OnlineSubmission.objects.exists()


def test_a_submission_without_a_confirmed_contact_is_never_shown_to_clerks(client, start, clerk):
    submission = start()
    client.force_login(clerk.user)
    assert "Nguyễn Văn An" not in client.get(reverse("online:inbox")).content.decode()
    assert client.get(reverse("online:detail", args=[submission.pk])).status_code == 404
    row = submission.files.get()
    assert client.get(reverse("online:staff_file", args=[submission.pk, row.pk])).status_code == 404
    assert client.post(reverse("online:act", args=[submission.pk, "receive"])).status_code == 404


def test_the_clerk_inbox_detail_file_and_reception(client, submitted, clerk, django_assert_max_num_queries):
    client.force_login(clerk.user)
    with django_assert_max_num_queries(12):
        inbox = client.get(reverse("online:inbox"))
    assert "Nguyễn Văn An" in inbox.content.decode() and "giờ làm việc" in inbox.content.decode()
    detail = client.get(reverse("online:detail", args=[submitted.pk]))
    assert "001203004567" in detail.content.decode()
    row = submitted.files.get()
    shown = client.get(reverse("online:staff_file", args=[submitted.pk, row.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
    assert shown["Content-Disposition"].startswith("inline") and shown["X-Content-Type-Options"] == "nosniff"
    assert b"".join(shown.streaming_content) == pdf_bytes()
    logged = set(PersonalDataAccess.objects.filter(user=clerk.user).values_list("kind", flat=True))
    assert logged == {"list", "page"}
    response = client.post(reverse("online:act", args=[submitted.pk, "receive"]))
    submission = OnlineSubmission.objects.get(pk=submitted.pk)
    assert response.status_code == 302 and response["Location"] == reverse("dossiers:detail",
                                                                           args=[submission.dossier_id])
    receipt = client.get(reverse("online:form_pdf", args=[submission.tracking_token, "01"]))
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")


def test_another_agencys_clerk_gets_404_everywhere(client, submitted, outsider):
    client.force_login(outsider.user)
    row = submitted.files.get()
    for url in (reverse("online:detail", args=[submitted.pk]),
                reverse("online:staff_file", args=[submitted.pk, row.pk])):
        assert client.get(url).status_code == 404
    for action in ("receive", "return", "refuse"):
        assert client.post(reverse("online:act", args=[submitted.pk, action]),
                           {"missing": "x", "reason": "x"}).status_code == 404
    assert OnlineSubmission.objects.get(pk=submitted.pk).state == SubmissionState.SUBMITTED


def test_a_specialist_sees_an_online_dossier_only_when_it_is_his(client, submitted, clerk, specialist):
    client.force_login(specialist.user)
    assert client.get(reverse("online:detail", args=[submitted.pk])).status_code == 404
    services.receive_submission(submission_id=submitted.pk, actor=clerk.user)
    dossier = OnlineSubmission.objects.get(pk=submitted.pk).dossier
    dossier_services.forward(dossier_id=dossier.pk, actor=clerk.user, assignee_id=specialist.pk)
    assert client.get(reverse("online:detail", args=[submitted.pk])).status_code == 200


def test_files_and_forms_by_token_are_the_submissions_own(client, submitted, start):
    other = start(email="b@example.vn", phone="0987654321")
    mine = submitted.files.get()
    assert client.get(reverse("online:file", args=[other.tracking_token, mine.pk])).status_code == 404
    assert client.get(reverse("online:status", args=["A" * 22])).status_code == 404
    assert client.get(reverse("online:form_pdf", args=[submitted.tracking_token, "01"])).status_code == 404


def test_return_and_refusal_forms_reach_the_citizen(client, submitted, clerk):
    client.force_login(clerk.user)
    response = client.post(reverse("online:act", args=[submitted.pk, "return"]), {"missing": ""})
    assert response.status_code == 400
    client.post(reverse("online:act", args=[submitted.pk, "return"]), {"missing": "Ảnh CCCD mặt sau"})
    client.logout()
    slip = client.get(reverse("online:form_pdf", args=[submitted.tracking_token, "02"]))
    assert slip.status_code == 200 and slip.content.startswith(b"%PDF")
    page = client.get(reverse("online:status", args=[submitted.tracking_token])).content.decode()
    assert "Ảnh CCCD mặt sau" in page and "Nộp thêm tệp" in page


def test_payment_details_and_result_download(client, submitted, clerk, specialist, leader, procedure):
    procedure.fee = 50000
    procedure.save()
    at = datetime.datetime(2026, 3, 9, 9, 30, tzinfo=datetime.UTC)
    services.receive_submission(submission_id=submitted.pk, actor=clerk.user, now=at)
    dossier = OnlineSubmission.objects.get(pk=submitted.pk).dossier
    page = client.get(reverse("online:status", args=[submitted.tracking_token])).content.decode()
    assert "STK 0123 Vietcombank" in page and dossier.code in page
    steps = list(procedure.steps.order_by("order"))
    dossier_services.forward(dossier_id=dossier.pk, actor=clerk.user, assignee_id=specialist.pk,
                             expected_step_id=steps[0].pk)
    dossier_services.forward(dossier_id=dossier.pk, actor=specialist.user)
    dossier_services.forward(dossier_id=dossier.pk, actor=leader.user)
    dossier_services.mark_processed(dossier_id=dossier.pk, actor=clerk.user)
    document = dossier_services.register_result_document(dossier_id=dossier.pk, actor=clerk.user, number="12/GCN",
                                                         issued_on=datetime.date(2026, 3, 9), signer="Nguyễn Văn B")
    result = client.get(reverse("online:result", args=[submitted.tracking_token, document.pk]))
    assert result.status_code == 200 and b"".join(result.streaming_content).startswith(b"%PDF")


def test_the_admin_lists_only_what_the_rule_allows(client, submitted, agency, outsider):
    from procedures.roles import Role
    from tests.factories import OfficialFactory, StaffUserFactory

    mine = OfficialFactory(agency=agency, roles=[Role.AGENCY_ADMIN], user=StaffUserFactory())
    theirs = OfficialFactory(agency=outsider.agency, roles=[Role.AGENCY_ADMIN], user=StaffUserFactory())
    url = reverse("admin:online_onlinesubmission_changelist")
    client.force_login(mine.user)
    listing = client.get(url)
    assert listing.status_code == 200 and list(listing.context["cl"].result_list) == [submitted]
    assert "Nguyễn Văn An" not in client.get(reverse("admin:online_onlinesubmission_change",
                                                     args=[submitted.pk])).content.decode()
    client.force_login(theirs.user)
    assert list(client.get(url).context["cl"].result_list) == []
    assert client.get(reverse("admin:online_onlinesubmission_change", args=[submitted.pk])).status_code == 302
