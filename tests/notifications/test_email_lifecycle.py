"""A dossier's whole life, each event committed and its e-mail delivered through Django's SMTP backend to a real
SMTP server (aiosmtpd) on a loopback port: one e-mail per public event, with the facts the citizen needs and
none of their personal data."""
import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from dossiers import services
from notifications.models import DeliveryAttempt, Notification

from .conftest import applicant, documents_for, vn

pytestmark = pytest.mark.django_db

ID_NUMBER, PHONE, ADDRESS = "001203004567", "0912345678", "12 Hàng Bạc"


def local(instant) -> str:
    return timezone.localtime(instant).strftime("%H:%M %d/%m/%Y")


def at(hour, minute, day=9):
    return vn(2026, 3, day, hour, minute)


def test_every_public_event_of_a_dossier_reaches_the_citizen_by_smtp(
        smtp, clerk, specialist, leader, procedure, django_capture_on_commit_callbacks):
    steps = list(procedure.steps.order_by("order"))

    def commit(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    dossier = commit(services.receive, actor=clerk.user, procedure_id=procedure.pk,
                     applicant=applicant(), documents=documents_for(procedure), now=at(9, 0))
    commit(services.forward, dossier_id=dossier.pk, actor=clerk.user, assignee_id=specialist.pk,
           expected_step_id=steps[0].pk, now=at(9, 30))
    commit(services.request_supplement, dossier_id=dossier.pk, actor=specialist.user,
           missing="Bản sao giấy khai sinh", reply_by=datetime.date(2026, 3, 13), now=at(10, 0))
    commit(services.fulfil_supplement, dossier_id=dossier.pk, actor=clerk.user, now=at(10, 30))
    commit(services.await_payment, dossier_id=dossier.pk, actor=specialist.user, amount=1250000,
           description="Lệ phí cấp giấy", now=at(11, 0))
    commit(services.confirm_payment, dossier_id=dossier.pk, actor=clerk.user, now=at(11, 15))
    extension = commit(services.request_extension, dossier_id=dossier.pk, actor=specialist.user,
                       reason="Chờ xác minh của công an", proposed_due_at=vn(2026, 3, 27, 17, 0), now=at(11, 20))
    commit(services.approve_extension, extension_id=extension.pk, actor=leader.user, now=at(11, 25))
    commit(services.forward, dossier_id=dossier.pk, actor=specialist.user, now=at(14, 0))
    commit(services.forward, dossier_id=dossier.pk, actor=leader.user, now=at(14, 30))
    commit(services.mark_processed, dossier_id=dossier.pk, actor=clerk.user, now=at(15, 0))
    commit(services.return_result, dossier_id=dossier.pk, actor=clerk.user, now=at(15, 30))

    mails = smtp.wait_for(7)
    citizen = [m for m in mails if m["to"] == ["an@example.vn"]]
    assert [m["subject"] for m in citizen] == [
        f"Đã tiếp nhận hồ sơ {dossier.code}",
        f"Hồ sơ {dossier.code} cần bổ sung",
        f"Hồ sơ {dossier.code}: thông báo nghĩa vụ tài chính",
        f"Hồ sơ {dossier.code}: xin lỗi và hẹn lại ngày trả kết quả",
        f"Hồ sơ {dossier.code} đã có kết quả",
        f"Hồ sơ {dossier.code} đã trả kết quả",
    ]
    received, supplement, payment, extension_mail, ready, returned = (m["body"] for m in citizen)
    assert f"/t/{dossier.tracking_token}/" in received and f"Ngày hẹn trả kết quả: {local(dossier.due_at)}." in received
    assert "Bản sao giấy khai sinh" in supplement and "13/03/2026" in supplement
    assert "1.250.000 đồng" in payment
    assert "Chờ xác minh của công an" in extension_mail and "17:00 27/03/2026" in extension_mail
    assert "UBND phường Thử Nghiệm" in ready
    assert f"/t/{dossier.tracking_token}/danh-gia/" in returned
    for mail in citizen:
        assert ID_NUMBER not in mail["body"] and PHONE not in mail["body"] and ADDRESS not in mail["body"]

    # The specialist heard of the dossier handed to them (the later steps were left unassigned: nobody to tell).
    assert [m["subject"] for m in mails if m["to"] == [specialist.user.email]] == [
        f"Hồ sơ {dossier.code} được giao cho bạn"]
    rows = Notification.objects.filter(dossier_id=dossier.pk)
    assert set(rows.values_list("state", flat=True)) == {Notification.State.SENT}
    assert all(row.provider_message_id == mail["message_id"]
               for row, mail in zip(rows.filter(audience="citizen").order_by("created_at"), citizen, strict=True))
    assert DeliveryAttempt.objects.filter(notification__dossier_id=dossier.pk, succeeded=True).count() == rows.count()


def test_refused_and_stopped_dossiers_tell_the_reason_in_english(smtp, clerk, specialist, leader, procedure,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        refused = services.refuse_at_counter(actor=clerk.user, procedure_id=procedure.pk,
                                             applicant=applicant(language="en"), reason="Thiếu tờ khai",
                                             documents=documents_for(procedure), now=at(9, 0))
    with django_capture_on_commit_callbacks(execute=True):
        dossier = services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(),
                                   documents=documents_for(procedure), now=at(9, 5))
    with django_capture_on_commit_callbacks(execute=True):
        services.stop(dossier_id=dossier.pk, actor=leader.user, reason="Có tranh chấp",
                      legal_ground="Điều 18", now=at(10, 0))
    mails = smtp.wait_for(3)
    subjects = [m["subject"] for m in mails]
    assert subjects == [f"Dossier {refused.code} not accepted", f"Đã tiếp nhận hồ sơ {dossier.code}",
                        f"Hồ sơ {dossier.code}: dừng giải quyết"]
    assert "Reason: Thiếu tờ khai" in mails[0]["body"] and "Lý do: Có tranh chấp" in mails[2]["body"]


def test_a_refusal_after_appraisal_tells_the_reason(smtp, clerk, leader, procedure, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(),
                                   documents=documents_for(procedure), now=at(9, 0))
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(dossier_id=dossier.pk, actor=leader.user, reason="Thửa đất đang có tranh chấp", now=at(10, 0))
    mails = smtp.wait_for(2)
    assert [m["subject"] for m in mails] == [f"Đã tiếp nhận hồ sơ {dossier.code}",
                                             f"Hồ sơ {dossier.code}: từ chối giải quyết"]
    assert "Lý do: Thửa đất đang có tranh chấp" in mails[1]["body"] and ID_NUMBER not in mails[1]["body"]


def test_a_rolled_back_change_writes_and_sends_nothing(smtp, clerk, procedure, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(),
                         documents=documents_for(procedure), now=at(9, 0))
        assert Notification.objects.count() == 1  # written inside the transaction …
        raise RuntimeError("the clerk's request failed later")
    assert Notification.objects.count() == 0  # … and gone with it
    assert smtp.messages == []
