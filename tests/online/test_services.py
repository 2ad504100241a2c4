"""The online submission's lifecycle through its services: filing, the contact's code, reception into a dossier,
return for completion, refusal, supplement, delivery; nothing is visible to clerks before the code."""
import datetime

import pytest

from dossiers import services as dossier_services
from dossiers.errors import DossierActionError
from dossiers.models import Channel, CounterGuidance, Dossier, State
from notifications.models import Notification
from online import selectors, services
from online.errors import SubmissionError
from online.files import check_upload
from online.models import ContactConfirmation, OnlineSubmission, SubmissionState, SubmittedFile

from .conftest import MONDAY_0900, first_document, last_code, pdf_bytes, upload, vn

pytestmark = pytest.mark.django_db


def test_a_new_submission_waits_for_its_code_and_no_clerk_sees_it(start, clerk, leader):
    submission = start()
    assert submission.state == SubmissionState.AWAITING_CONFIRMATION
    assert submission.national_status is None
    code_message = Notification.objects.get(template="online_code")
    assert code_message.recipient == "an@example.vn" and code_message.dossier_id is None
    stored_hash = ContactConfirmation.objects.get(submission=submission).code_hash
    assert last_code("an@example.vn") not in stored_hash  # only a keyed hash is kept
    for official in (clerk, leader):
        assert selectors.inbox(official) == []
        assert not selectors.visible_submissions(official).exists()


def test_the_right_code_puts_it_in_the_inbox_with_status_1_and_no_code(submitted, clerk, outsider):
    assert submitted.state == SubmissionState.SUBMITTED and submitted.national_status == 1
    assert submitted.dossier is None
    assert Notification.objects.filter(template="online_submitted", recipient="an@example.vn").exists()
    rows = selectors.inbox(clerk, now=vn(2026, 3, 9, 14, 5))
    assert [row.pk for row in rows] == [submitted.pk]
    # 09:05 → 11:30 and 13:00 → 14:05: 3 h 30 min of working time (lunch not counted).
    assert rows[0].waited == datetime.timedelta(hours=3, minutes=30)
    assert selectors.inbox(outsider) == []


def test_a_wrong_code_counts_and_the_tries_run_out(start, settings):
    settings.ONLINE_CODE_MAX_ATTEMPTS = 2
    submission = start()
    for _ in range(2):
        with pytest.raises(SubmissionError, match="không đúng"):
            services.confirm_contact(token=submission.tracking_token, code="000000", now=MONDAY_0900)
    assert ContactConfirmation.objects.get(submission=submission).attempts == 2
    with pytest.raises(SubmissionError, match="quá số lần"):
        services.confirm_contact(token=submission.tracking_token, code=last_code("an@example.vn"), now=MONDAY_0900)
    assert OnlineSubmission.objects.get(pk=submission.pk).state == SubmissionState.AWAITING_CONFIRMATION


def test_an_expired_code_is_refused(start, settings):
    submission = start()
    late = MONDAY_0900 + datetime.timedelta(minutes=settings.ONLINE_CODE_TTL_MINUTES, seconds=1)
    with pytest.raises(SubmissionError, match="hết hạn"):
        services.confirm_contact(token=submission.tracking_token, code=last_code("an@example.vn"), now=late)


def test_codes_per_address_per_hour_are_limited(start, settings):
    settings.ONLINE_CODES_PER_ADDRESS_PER_HOUR = 2
    submission = start()
    services.resend_code(token=submission.tracking_token, now=MONDAY_0900 + datetime.timedelta(minutes=1))
    with pytest.raises(SubmissionError, match="quá nhiều mã"):
        services.resend_code(token=submission.tracking_token, now=MONDAY_0900 + datetime.timedelta(minutes=2))
    # An hour later the address may have a code again; the newest code is the one that counts.
    services.resend_code(token=submission.tracking_token, now=MONDAY_0900 + datetime.timedelta(minutes=61))
    assert ContactConfirmation.objects.filter(submission=submission).count() == 3


def test_open_submissions_per_contact_are_limited(start, settings, media):
    settings.ONLINE_MAX_PENDING_PER_CONTACT = 2
    start()
    start()
    with pytest.raises(SubmissionError, match="đang chờ xử lý"):
        start()
    assert OnlineSubmission.objects.count() == 2
    assert len(list(media.rglob("*.pdf"))) == 2  # the refused third left no file behind
    # Abandoned unconfirmed ones stop counting after a day.
    start(now=MONDAY_0900 + datetime.timedelta(days=2))


def test_mandatory_documents_must_each_have_a_file(start, procedure):
    with pytest.raises(SubmissionError, match="Còn thiếu"):
        start(uploads=[])


def test_receive_creates_an_online_dossier_counted_from_now(submitted, clerk):
    at = vn(2026, 3, 10, 8, 0)
    submission = services.receive_submission(submission_id=submitted.pk, actor=clerk.user, now=at)
    dossier = submission.dossier
    assert submission.state == SubmissionState.RECEIVED
    assert dossier.channel == Channel.ONLINE and dossier.received_at == at and dossier.state == State.RECEIVED
    assert dossier.due_at == vn(2026, 3, 17, 8, 0)  # 5 working days from the reception, not from the filing
    assert dossier.notify_channels == "email" and dossier.applicant_email == "an@example.vn"
    assert [d.name for d in dossier.documents.all()] == [first_document(submission.procedure).name]
    sent = Notification.objects.get(template="online_received")
    assert dossier.code in sent.body and f"/nop-truc-tuyen/theo-doi/{submission.tracking_token}/mau-01.pdf" in sent.body
    assert selectors.inbox(clerk, now=at) == []


def test_another_agency_cannot_act(submitted, outsider):
    with pytest.raises(SubmissionError):
        services.receive_submission(submission_id=submitted.pk, actor=outsider.user)
    assert OnlineSubmission.objects.get(pk=submitted.pk).state == SubmissionState.SUBMITTED


def test_a_specialist_cannot_receive(submitted, specialist):
    with pytest.raises(DossierActionError, match="vai trò"):
        services.receive_submission(submission_id=submitted.pk, actor=specialist.user)
    assert not Dossier.objects.exists()


def test_return_for_completion_then_the_citizen_completes_it(submitted, clerk, procedure):
    submission = services.return_for_completion(submission_id=submitted.pk, actor=clerk.user,
                                                missing="Ảnh chụp rõ hơn", now=vn(2026, 3, 9, 10, 0))
    assert submission.state == SubmissionState.RETURNED and submission.national_status == 1
    guidance = CounterGuidance.objects.get()
    assert guidance.missing == "Ảnh chụp rõ hơn" and submission.guidance == guidance
    assert "mau-02.pdf" in Notification.objects.get(template="online_returned").body
    assert selectors.inbox(clerk) == []
    again = services.complete_submission(
        token=submission.tracking_token, now=vn(2026, 3, 9, 15, 0),
        uploads=[services.Upload(checked=check_upload(upload("anh.pdf", pdf_bytes())),
                                 required_document_id=first_document(procedure).pk)])
    assert again.state == SubmissionState.SUBMITTED and again.submitted_at == vn(2026, 3, 9, 15, 0)
    assert submission.files.filter(purpose=SubmittedFile.Purpose.COMPLETION).count() == 1
    assert [row.pk for row in selectors.inbox(clerk, now=vn(2026, 3, 9, 16, 0))] == [submission.pk]


def test_refusal_makes_a_refused_online_dossier_with_mau_03(submitted, clerk):
    submission = services.refuse_submission(submission_id=submitted.pk, actor=clerk.user, reason="Không thuộc thẩm quyền")
    dossier = submission.dossier
    assert submission.state == SubmissionState.REFUSED and dossier.state == State.REFUSED
    assert dossier.channel == Channel.ONLINE and dossier.letters.get().form == "03"
    assert "mau-03.pdf" in Notification.objects.get(template="online_refused").body
    # The online message carries the refusal; the dossier's own "refused" message is not sent twice.
    assert not Notification.objects.filter(template="refused").exists()


def test_supplement_uploaded_online_and_accepted_resumes_the_clock(submitted, clerk, specialist, procedure):
    submission = services.receive_submission(submission_id=submitted.pk, actor=clerk.user, now=vn(2026, 3, 9, 9, 30))
    dossier = submission.dossier
    dossier_services.forward(dossier_id=dossier.pk, actor=clerk.user, assignee_id=specialist.pk, now=vn(2026, 3, 9, 9, 40))
    dossier_services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, missing="Bản chụp trang 2",
                                        reply_by=datetime.date(2026, 3, 13), now=vn(2026, 3, 9, 10, 0))
    pdf = services.Upload(checked=check_upload(upload("trang2.pdf", pdf_bytes())),
                          required_document_id=first_document(procedure).pk)
    services.upload_supplement(token=submission.tracking_token, uploads=[pdf], now=vn(2026, 3, 9, 11, 0))
    rows = selectors.inbox(clerk, now=vn(2026, 3, 9, 11, 5))
    assert [row.pk for row in rows] == [submission.pk]  # a supplement to accept
    services.accept_supplement(submission_id=submission.pk, actor=clerk.user, now=vn(2026, 3, 9, 13, 0))
    dossier.refresh_from_db()
    assert dossier.state == State.IN_PROGRESS
    assert dossier.paused_working_time == datetime.timedelta(hours=1, minutes=30)
    assert selectors.inbox(clerk, now=vn(2026, 3, 9, 13, 5)) == []
    with pytest.raises(SubmissionError, match="không yêu cầu bổ sung"):
        services.upload_supplement(token=submission.tracking_token, uploads=[pdf])


def test_postal_delivery_and_its_tracking_number(submitted, clerk, procedure):
    services.choose_delivery(token=submitted.tracking_token, result_delivery="postal", delivery_address="5 Lý Thái Tổ")
    with pytest.raises(SubmissionError, match="đã có kết quả"):
        services.record_postal_dispatch(submission_id=submitted.pk, actor=clerk.user, tracking_number="EB123VN")
    with pytest.raises(SubmissionError, match="địa chỉ"):
        services.choose_delivery(token=submitted.tracking_token, result_delivery="postal", delivery_address=" ")
