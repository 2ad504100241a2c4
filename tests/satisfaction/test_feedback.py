"""Feedback (phản ánh, kiến nghị): reported by anyone, handled by leaders through a small machine whose moves
happen only in the services; the public page shows the status and the answer, never the reporter."""
import datetime
import re

import pytest
from django.core import mail
from django.test import Client, override_settings

from satisfaction import services
from satisfaction.errors import FeedbackActionError, FeedbackPermissionError
from satisfaction.models import Feedback, FeedbackCodeCounter
from tests.factories import OfficialFactory

from .conftest import vn

pytestmark = pytest.mark.django_db

RECEIVED = vn(2026, 3, 9, 9, 0)  # Monday; 10 working days later is Monday 23/03/2026 09:00


def report(agency, **overrides):
    data = dict(subject="procedure", kind="other", content="Niêm yết thủ tục không rõ ràng.", agency_id=agency.pk)
    data.update(overrides)
    return services.create_feedback(data=services.FeedbackInput(**data), now=overrides.pop("now", RECEIVED))


def test_code_token_and_legal_answer_deadline(agency):
    first = report(agency)
    second = report(agency)
    assert (first.code, second.code) == ("PA-260309-0001", "PA-260309-0002")
    assert first.token != second.token and len(first.token) >= 12
    assert first.answer_due_at == vn(2026, 3, 23, 9, 0)
    assert first.state == Feedback.State.RECEIVED and first.is_anonymous


def test_a_code_taken_without_the_counter_is_skipped(agency):
    """The one per-day code counter (dossiers.codes) heals itself for feedback as for dossiers: reports restored
    without their counter row do not make every later report fail."""
    first = report(agency)
    Feedback.objects.filter(pk=first.pk).update(code="PA-260309-0007")
    FeedbackCodeCounter.objects.filter(day=datetime.date(2026, 3, 9)).update(last_value=6)
    assert report(agency).code == "PA-260309-0008"


def test_lifecycle_through_http(client, agency, leader, specialist, clerk):
    reporter = Client()
    response = reporter.post("/phan-anh/", {
        "subject": "official", "kind": "money", "official": clerk.pk,
        "content": "Cán bộ gợi ý phải 'bồi dưỡng' mới nhận hồ sơ.",
        "reporter_name": "Vũ Văn Phản Ánh", "reporter_phone": "0911222333", "reporter_email": "pa@example.vn",
    })
    feedback = Feedback.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/phan-anh/{feedback.token}/"
    assert re.fullmatch(r"PA-\d{6}-0001", feedback.code)
    assert (feedback.agency, feedback.is_anonymous, feedback.reporter_phone) == (agency, False, "0911222333")
    assert list(feedback.officials.all()) == [clerk]

    public = reporter.get(f"/phan-anh/{feedback.token}/").content.decode()
    assert feedback.code in public and "Đã tiếp nhận" in public

    client.force_login(leader.user)
    listing = client.get("/phan-anh/quan-ly/").content.decode()
    assert feedback.code in listing and clerk.display_name in listing
    detail = client.get(f"/phan-anh/quan-ly/{feedback.pk}/").content.decode()
    assert "Vũ Văn Phản Ánh" in detail and "0911222333" in detail  # staff see the contact

    base = f"/phan-anh/quan-ly/{feedback.pk}"
    client.post(f"{base}/triage/", {"note": "Chuyển thanh tra xác minh"})
    assert Feedback.objects.get().state == "triaged"
    client.post(f"{base}/assign/", {"assignee": specialist.pk})
    assert (Feedback.objects.get().state, Feedback.objects.get().assignee) == ("in_progress", specialist)

    # The assignee answers; only a leader closes.
    client.force_login(specialist.user)
    assert client.get("/phan-anh/quan-ly/").status_code == 200
    client.post(f"{base}/answer/", {"public_answer": "Đã xác minh, cán bộ bị kiểm điểm.", "upheld": "yes"})
    answered = Feedback.objects.get()
    assert (answered.state, answered.upheld, answered.answered_by) == ("answered", True, specialist)
    assert answered.answered_on_time
    refused = client.post(f"{base}/close/", follow=True)
    assert "Chỉ lãnh đạo" in refused.content.decode()
    assert Feedback.objects.get().state == "answered"

    client.force_login(leader.user)
    client.post(f"{base}/close/")
    assert Feedback.objects.get().state == "closed"

    public = reporter.get(f"/phan-anh/{feedback.token}/").content.decode()
    assert "Đã kết thúc" in public and "Đã xác minh, cán bộ bị kiểm điểm." in public
    for secret in ("Vũ Văn Phản Ánh", "0911222333", "pa@example.vn", "bồi dưỡng", "Chuyển thanh tra"):
        assert secret not in public
    states = list(Feedback.history.filter(id=feedback.pk).order_by("history_date", "history_id").values_list("state", flat=True))
    moves = [state for index, state in enumerate(states) if index == 0 or states[index - 1] != state]
    assert moves == ["received", "triaged", "in_progress", "answered", "closed"]  # the officials' link adds a row
    assert Feedback.history.filter(id=feedback.pk, history_user=leader.user).count() == 3


def test_anonymous_report_keeps_no_contact(client, agency):
    client.post("/phan-anh/", {"subject": "regulation", "kind": "other", "agency": agency.pk, "content": "Quy định chồng chéo",
                               "is_anonymous": "on", "reporter_name": "Ai Đó", "reporter_phone": "0900000000"})
    feedback = Feedback.objects.get()
    assert feedback.is_anonymous and (feedback.reporter_name, feedback.reporter_phone) == ("", "")


def test_form_errors_come_back_without_a_report(client):
    response = client.post("/phan-anh/", {"subject": "procedure", "kind": "other", "content": "Không chọn cơ quan"})
    assert response.status_code == 200
    assert "Chọn cơ quan tiếp nhận phản ánh" in response.content.decode()
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("move, state", [
    ("answer", "received"), ("close", "received"), ("assign", "received"),
    ("triage", "triaged"), ("close", "triaged"), ("answer", "triaged"),
    ("triage", "in_progress"), ("close", "in_progress"),
    ("triage", "answered"), ("reject", "answered"), ("assign", "answered"),
    ("answer", "closed"), ("reject", "closed"), ("close", "closed"),
    ("assign", "rejected"), ("answer", "rejected"), ("close", "rejected"),
])
def test_invalid_transitions_are_refused_and_change_nothing(agency, leader, specialist, move, state):
    feedback = report(agency)
    steps = {
        "triaged": [("triage", {})],
        "in_progress": [("triage", {}), ("assign", {"assignee_id": specialist.pk})],
        "answered": [("triage", {}), ("assign", {"assignee_id": specialist.pk}),
                     ("answer", {"public_answer": "Đã sửa", "upheld": True})],
        "closed": [("triage", {}), ("assign", {"assignee_id": specialist.pk}),
                   ("answer", {"public_answer": "Đã sửa", "upheld": True}), ("close", {})],
        "rejected": [("reject", {"reason": "Không thuộc thẩm quyền"})],
    }.get(state, [])
    for name, kwargs in steps:
        getattr(services, name)(feedback_id=feedback.pk, actor=leader.user, **kwargs)
    before = Feedback.objects.get(pk=feedback.pk)
    history = Feedback.history.filter(id=feedback.pk).count()
    arguments = {"answer": {"public_answer": "Trả lời", "upheld": False}, "assign": {"assignee_id": specialist.pk},
                 "reject": {"reason": "Lý do"}}.get(move, {})
    with pytest.raises(FeedbackActionError):
        getattr(services, move)(feedback_id=feedback.pk, actor=leader.user, **arguments)
    after = Feedback.objects.get(pk=feedback.pk)
    assert (after.state, after.public_answer, after.assignee_id, after.answered_at, after.closed_at) == (
        before.state, before.public_answer, before.assignee_id, before.answered_at, before.closed_at)
    assert Feedback.history.filter(id=feedback.pk).count() == history


def test_invalid_move_over_http_shows_an_error_and_keeps_the_state(client, agency, leader):
    feedback = report(agency)
    client.force_login(leader.user)
    response = client.post(f"/phan-anh/quan-ly/{feedback.pk}/close/", follow=True)
    assert "Chỉ kết thúc được phản ánh đã trả lời" in response.content.decode()
    assert Feedback.objects.get().state == "received"
    assert client.post(f"/phan-anh/quan-ly/{feedback.pk}/explode/").status_code == 404


def test_the_state_field_cannot_be_assigned_directly(agency):
    feedback = report(agency)
    with pytest.raises(AttributeError):
        feedback.state = Feedback.State.CLOSED


def test_staff_scoping(client, agency, leader, specialist, outsider):
    feedback = report(agency)
    client.force_login(outsider.user)  # a leader of another agency
    assert client.get(f"/phan-anh/quan-ly/{feedback.pk}/").status_code == 404
    assert feedback.code not in client.get("/phan-anh/quan-ly/").content.decode()
    with pytest.raises(FeedbackPermissionError):
        services.triage(feedback_id=feedback.pk, actor=outsider.user)

    client.force_login(specialist.user)  # not assigned: does not see it, may not triage
    assert client.get(f"/phan-anh/quan-ly/{feedback.pk}/").status_code == 404
    assert client.get("/phan-anh/quan-ly/can-xu-ly/").status_code == 403
    with pytest.raises(FeedbackPermissionError):
        services.triage(feedback_id=feedback.pk, actor=specialist.user)

    anonymous = Client().get("/phan-anh/quan-ly/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_agency_admin_handles_like_a_leader(agency, agency_admin, specialist):
    feedback = report(agency)
    services.triage(feedback_id=feedback.pk, actor=agency_admin.user)
    services.assign(feedback_id=feedback.pk, actor=agency_admin.user, assignee_id=specialist.pk)
    assert Feedback.objects.get().state == "in_progress"


def test_a_report_is_never_assigned_to_the_official_it_is_about(agency, leader, clerk):
    feedback = report(agency, subject="official", kind="absence", official_ids=[clerk.pk], agency_id=None)
    services.triage(feedback_id=feedback.pk, actor=leader.user)
    with pytest.raises(FeedbackActionError):
        services.assign(feedback_id=feedback.pk, actor=leader.user, assignee_id=clerk.pk)
    assert Feedback.objects.get().state == "triaged"


def test_report_about_an_official_emails_the_leaders(agency, leader, clerk, django_capture_on_commit_callbacks):
    second_leader = OfficialFactory(agency=agency, roles=["leader"])
    OfficialFactory(agency=agency, roles=["leader"], user__email="")  # no address: skipped
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        feedback = report(agency, subject="official", kind="harassment", official_ids=[clerk.pk], agency_id=None)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([leader.user.email, second_leader.user.email])
    assert feedback.code in message.subject and clerk.display_name in message.body
    assert f"/phan-anh/quan-ly/{feedback.pk}/" in message.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report(agency)  # about a procedure: no e-mail
    assert mail.outbox == []


def test_answered_on_time_is_computed_from_the_deadline(agency, leader, specialist):
    late, on_time = report(agency), report(agency)
    for feedback, answered_at in ((late, vn(2026, 3, 23, 9, 1)), (on_time, vn(2026, 3, 23, 9, 0))):
        services.triage(feedback_id=feedback.pk, actor=leader.user)
        services.assign(feedback_id=feedback.pk, actor=leader.user, assignee_id=specialist.pk)
        services.answer(feedback_id=feedback.pk, actor=leader.user, public_answer="Đã trả lời", upheld=False,
                        now=answered_at)
    assert Feedback.objects.get(pk=late.pk).answered_on_time is False
    assert Feedback.objects.get(pk=on_time.pk).answered_on_time is True


def test_official_reports_stay_on_the_leaders_list_until_answered(client, agency, leader, specialist, clerk):
    feedback = report(agency, subject="official", kind="absence", official_ids=[clerk.pk], agency_id=None)
    client.force_login(leader.user)
    assert feedback.code in client.get("/phan-anh/quan-ly/can-xu-ly/").content.decode()
    services.triage(feedback_id=feedback.pk, actor=leader.user)
    services.assign(feedback_id=feedback.pk, actor=leader.user, assignee_id=specialist.pk)
    assert feedback.code in client.get("/phan-anh/quan-ly/can-xu-ly/").content.decode()
    services.answer(feedback_id=feedback.pk, actor=specialist.user, public_answer="Đã nhắc nhở", upheld=True,
                    now=RECEIVED + datetime.timedelta(days=1))
    assert feedback.code not in client.get("/phan-anh/quan-ly/can-xu-ly/").content.decode()


def test_placard_link_preselects_the_official(client, clerk):
    html = client.get("/phan-anh/", {"can_bo": clerk.pk}).content.decode()
    assert re.search(rf'<option value="{clerk.pk}" selected>{clerk.display_name}', html)
    assert '<input type="radio" name="subject" value="official" id="id_subject_1" required checked>' in html


@override_settings(SATISFACTION_RATE_LIMIT=(2, 3600))
def test_feedback_form_is_rate_limited_per_address(agency):
    reporter = Client(REMOTE_ADDR="203.0.113.8")
    data = {"subject": "procedure", "kind": "other", "agency": agency.pk, "content": "Góp ý về giờ làm việc"}
    assert [reporter.post("/phan-anh/", data).status_code for _ in range(3)] == [302, 302, 429]
    assert Feedback.objects.count() == 2


def test_every_error_shows_at_once(client, db):
    response = client.post("/phan-anh/", {"subject": "official", "kind": "other", "content": "Tệ quá",
                                          "reporter_phone": "12345"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "ít nhất 15 ký tự" in errors["content"][0]
    assert "Số điện thoại không hợp lệ" in errors["reporter_phone"][0]
    assert "Chọn cán bộ bị phản ánh" in errors["official"][0]
    assert not Feedback.objects.exists()


def test_a_vietnamese_phone_is_kept_normalised(client, agency):
    client.post("/phan-anh/", {"subject": "procedure", "kind": "other", "agency": agency.pk,
                               "content": "Niêm yết thủ tục không rõ ràng.", "reporter_phone": "+84 911 222 333"})
    assert Feedback.objects.get().reporter_phone == "0911222333"


def test_follow_a_report_by_its_code_and_phone_digits(client, agency, settings):
    settings.PUBLIC_LOOKUP_RATE_LIMIT = (2, 600)
    feedback = report(agency, is_anonymous=False, reporter_phone="0911222333")
    anonymous = report(agency)
    page = client.get("/phan-anh/tra-cuu/")
    assert page.status_code == 200 and "Mã phản ánh" in page.content.decode()
    response = client.post("/phan-anh/tra-cuu/", {"code": feedback.code.lower(), "last_digits": "2333"})
    assert response.status_code == 302 and response["Location"] == f"/phan-anh/{feedback.token}/"
    # An anonymous report has no phone: its code alone shows nothing, and reads like a wrong pair.
    wrong = client.post("/phan-anh/tra-cuu/", {"code": anonymous.code, "last_digits": "0000"})
    assert wrong.status_code == 200 and "Không tìm thấy phản ánh" in wrong.content.decode()
    assert anonymous.token not in wrong.content.decode()
    # The dossier lookup's limit: successes never count, a second wrong pair uses up the allowance.
    assert client.post("/phan-anh/tra-cuu/", {"code": feedback.code, "last_digits": "2333"}).status_code == 302
    client.post("/phan-anh/tra-cuu/", {"code": feedback.code, "last_digits": "9999"})
    assert client.post("/phan-anh/tra-cuu/", {"code": feedback.code, "last_digits": "2333"}).status_code == 429
