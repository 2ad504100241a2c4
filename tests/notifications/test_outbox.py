"""The outbox's promises: a committed change always sends (even when its task is lost), nothing is sent twice
or late, the provider's rate is kept, the citizen can opt out, officials hear of their steps once a day, and
staff see what was sent: on the dossier page, in the leader dashboard and (failures, resend) in the admin."""
import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from dossiers import notify as dossier_notify
from dossiers import services as dossier_services
from notifications import services
from notifications.models import Notification
from notifications.services import render, sms_segments
from procedures.roles import Role
from satisfaction import services as satisfaction_services
from satisfaction.models import Feedback
from tests.factories import AgencyFactory, OfficialFactory

from .conftest import applicant, documents_for, vn

pytestmark = pytest.mark.django_db
State = Notification.State
CITIZEN_TEMPLATES = sorted(dossier_notify.CITIZEN_TEMPLATES.values())
OFFICIAL_TEMPLATES = ["step_assigned", "step_due_tomorrow", "step_overdue", "feedback_about_you"]
LONG_CODE = "000.00.26.H29-261231-9999"


def worst_case_context(settings) -> dict:
    """The longest values a message can carry: the longest real code and a long public address."""
    settings.SITE_URL = "https://motcua.hochiminhcity.gov.vn"
    moment = vn(2026, 12, 31, 17, 0)
    return {
        "name": "Nguyễn Thị Ngọc Ánh", "code": LONG_CODE, "procedure": "Đăng ký khai sinh", "agency_name": "UBND",
        "agency_address": "", "due_at": moment, "reply_by": moment.date(), "amount": 12500000, "note": "Lý do",
        "tracking_url": "https://motcua.hochiminhcity.gov.vn/t/AbCdEfGhIjKl/",
        "rating_url": "https://motcua.hochiminhcity.gov.vn/t/AbCdEfGhIjKl/danh-gia/",
        "official_name": "Lê Văn Chuyên Viên", "step": "Thẩm định hồ sơ", "step_due_at": moment, "kind": "Khác",
        "dossier_url": "https://motcua.hochiminhcity.gov.vn/ho-so/123456/",
    }


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("template", CITIZEN_TEMPLATES + OFFICIAL_TEMPLATES)
def test_every_sms_is_one_gsm7_segment(settings, template, language):
    """Unaccented text is GSM-7 (160 characters a segment); the same text with its diacritics would be UCS-2
    (70 a segment) and cost three SMS: that is why SMS are sent without diacritics."""
    context = worst_case_context(settings)
    text = render(template, language, "sms", context).body
    assert sms_segments(text) == ("GSM-7", 1), (text, len(text))
    if language == "vi" and template in CITIZEN_TEMPLATES:
        accented = render(template, language, "zalo", context).body
        encoding, segments = sms_segments(accented)
        assert encoding == "UCS-2" and segments >= 2


def test_sms_segment_arithmetic():
    assert sms_segments("a" * 160) == ("GSM-7", 1)
    assert sms_segments("a" * 161) == ("GSM-7", 2)
    assert sms_segments("{" * 80) == ("GSM-7", 1)  # extension characters count twice
    assert sms_segments("ă" * 70) == ("UCS-2", 1)
    assert sms_segments("ă" * 71) == ("UCS-2", 2)


def test_messages_never_carry_the_id_number_address_or_phone(receive, build_dossier):
    build_dossier("returned")
    build_dossier("stopped")
    build_dossier("refused")
    receive(notify_channels=("sms", "zalo", "email"))
    rows = Notification.objects.filter(audience="citizen")
    assert {row.template for row in rows} >= {"received", "processed", "returned", "stopped", "refused"}
    for row in rows:
        text = f"{row.subject} {row.body} {row.params}"
        assert "001203004567" not in text and "Hàng Bạc" not in text and "0912345678" not in text
        assert "912345678" not in text and "345678" not in text


def test_a_lost_task_is_delivered_by_the_sweep(receive, settings, django_capture_on_commit_callbacks):
    """The process dies between the commit and the delivery: the row is there, pending; the sweep sends it."""
    settings.NOTIFY_SWEEP_AFTER_SECONDS = 120
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # committed, never handed to Celery
        dossier = receive(now=timezone.now())
    assert callbacks and mail.outbox == []  # the delivery (and the statistics cache bump) wait for commit
    row = Notification.objects.get(dossier_id=dossier.pk)
    assert row.state == State.PENDING
    assert services.sweep(now=timezone.now()) == {"dropped": 0, "queued": 0}  # young rows wait for their task
    assert services.sweep(now=timezone.now() + datetime.timedelta(minutes=3)) == {"dropped": 0, "queued": 1}
    row.refresh_from_db()
    assert row.state == State.SENT and len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"Đã tiếp nhận hồ sơ {dossier.code}"
    assert services.sweep(now=timezone.now() + datetime.timedelta(minutes=5))["queued"] == 0
    assert len(mail.outbox) == 1


def test_a_message_past_its_useful_life_is_dropped_not_sent(receive, settings):
    settings.NOTIFY_LIFETIME_HOURS = 72
    dossier = receive(now=timezone.now())
    row = Notification.objects.get(dossier_id=dossier.pk)
    later = timezone.now() + datetime.timedelta(hours=73)
    assert services.sweep(now=later)["dropped"] == 1
    assert services.deliver(row.pk, now=later).state == State.DROPPED
    assert mail.outbox == [] and not row.delivery_attempts.exists()


def test_the_provider_rate_is_kept(receive, settings):
    settings.NOTIFY_RATE_LIMITS = {"email": (1, 3600)}
    first, second = receive(now=timezone.now()), receive(now=timezone.now())
    assert services.deliver(Notification.objects.get(dossier_id=first.pk).pk).state == State.SENT
    held = services.deliver(Notification.objects.get(dossier_id=second.pk).pk)
    assert held.state == State.PENDING and held.retry_in > 0
    row = Notification.objects.get(dossier_id=second.pk)
    assert row.attempts == 0 and row.next_attempt_at > timezone.now() and len(mail.outbox) == 1


def test_channels_chosen_at_reception_and_opt_out_from_the_tracking_page(client, receive, clerk, specialist):
    dossier = receive(notify_channels=("sms", "email"), language="en")
    assert sorted(Notification.objects.filter(dossier_id=dossier.pk).values_list("channel", "language")) == [
        ("email", "en"), ("sms", "en")]
    page = client.get(reverse("tracking:track", args=[dossier.tracking_token]))
    assert b"ngung-thong-bao" in page.content
    assert b"ngung-thong-bao" not in client.get(reverse("tracking:kiosk_track", args=[dossier.tracking_token])).content
    response = client.post(reverse("tracking:opt_out", args=[dossier.tracking_token]))
    assert response.status_code == 302
    assert set(Notification.objects.filter(dossier_id=dossier.pk).values_list("state", flat=True)) == {State.DROPPED}
    dossier_services.forward(dossier_id=dossier.pk, actor=clerk.user, assignee_id=specialist.pk)
    dossier_services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, missing="x",
                                        reply_by=timezone.localdate() + datetime.timedelta(days=5))
    assert not Notification.objects.filter(dossier_id=dossier.pk, template="supplement_requested").exists()
    assert b"ngung-thong-bao" not in client.get(reverse("tracking:track", args=[dossier.tracking_token])).content
    assert client.post(reverse("tracking:opt_out", args=["NoSuchToken1"])).status_code == 404


def test_email_needs_an_address(clerk, procedure):
    with pytest.raises(dossier_services.DossierActionError):
        dossier_services.receive(actor=clerk.user, procedure_id=procedure.pk, documents=documents_for(procedure),
                                 applicant=applicant(email="", notify_channels=("email",)))


def test_the_reception_form_records_the_choice(client, clerk, procedure):
    client.force_login(clerk.user)
    data = {"procedure": procedure.pk, "applicant_type": "citizen", "applicant_name": "Trần Văn Bình",
            "applicant_id_number": "001203004568", "applicant_phone": "0987654321", "applicant_email": "",
            "applicant_address": "1 Lê Lợi", "sets_count": 1, "channel": "counter",
            "notify_channels": ["zalo", "email"], "notify_language": "en", "stage": "confirm",
            "docs-TOTAL_FORMS": 1, "docs-INITIAL_FORMS": 0,
            "docs-0-required_document_id": procedure.required_documents.first().pk,
            "docs-0-name": "", "docs-0-originals": 1, "docs-0-certified_copies": 0, "docs-0-photocopies": 0}
    page = client.get(reverse("dossiers:receive") + f"?procedure={procedure.pk}")
    assert b'name="notify_channels"' in page.content
    response = client.post(reverse("dossiers:receive"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    from dossiers.models import Dossier
    dossier = Dossier.objects.get(applicant_phone="0987654321")
    # E-mail was ticked (the default) but no address was typed: only Zalo applies.
    assert (dossier.notify_channels, dossier.notify_language) == ("zalo", "en")


def test_officials_hear_of_their_steps_once_a_day(build_dossier, specialist):
    dossier = build_dossier("in_progress")  # appraisal step held by the specialist, due in March 2026
    record = dossier.step_records.get(finished_at__isnull=True)
    assert Notification.objects.filter(template="step_assigned", recipient=specialist.user.email).count() == 1
    the_day_before = timezone.localtime(record.due_at) - datetime.timedelta(days=1)
    morning = the_day_before.replace(hour=7, minute=5)
    assert dossier_notify.send_step_reminders(now=morning) == 1
    assert dossier_notify.send_step_reminders(now=morning + datetime.timedelta(hours=1)) == 1  # same key: no new row
    due = Notification.objects.get(template="step_due_tomorrow")
    assert due.recipient == specialist.user.email and dossier.code in due.subject
    assert timezone.localtime(due.expires_at).date() == the_day_before.date() + datetime.timedelta(days=1)
    overdue_morning = morning + datetime.timedelta(days=3)
    dossier_notify.send_step_reminders(now=overdue_morning)
    dossier_notify.send_step_reminders(now=overdue_morning + datetime.timedelta(hours=5))
    dossier_notify.send_step_reminders(now=overdue_morning + datetime.timedelta(days=1))
    assert Notification.objects.filter(template="step_overdue").count() == 2  # one a day
    # Yesterday's reminder was never sent (no worker ran): today it is dropped, not sent late.
    assert services.deliver(due.pk, now=overdue_morning).state == State.DROPPED


def test_a_report_about_an_official_tells_that_official(agency, specialist):
    feedback = satisfaction_services.create_feedback(data=satisfaction_services.FeedbackInput(
        subject=Feedback.Subject.OFFICIAL, content="Thái độ chưa tốt", official_ids=[specialist.pk]))
    row = Notification.objects.get(template="feedback_about_you")
    assert row.recipient == specialist.user.email and feedback.code in row.subject
    assert "Thái độ" not in row.body  # who wrote what stays with the leaders


def test_the_dossier_page_shows_messages_and_attempts(client, receive, clerk):
    dossier = receive(now=timezone.now())
    services.deliver(Notification.objects.get(dossier_id=dossier.pk).pk)
    client.force_login(clerk.user)
    html = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    section = html[html.index('id="notifications"'):]
    assert "an@example.vn" in section and "Đã gửi" in section and "✓" in section


def test_the_leader_dashboard_counts_per_channel_and_outcome(client, receive, leader, settings):
    dossier = receive(now=timezone.now(), notify_channels=("sms", "email"))
    services.deliver(Notification.objects.get(dossier_id=dossier.pk, channel="email").pk)
    client.force_login(leader.user)
    html = client.get(reverse("dashboards:leader")).content.decode()
    table = html[html.index('id="notification-outcomes"'):html.index("</table>", html.index('id="notification-outcomes"'))]
    rows = {re.search(r'<th scope="row">([^<]+)', row).group(1): re.findall(r'class="num">(\d+)', row)
            for row in table.split("<tr>")[2:]}
    # Columns: pending, sent, failed, dropped, total.
    assert rows["Thư điện tử"] == ["0", "1", "0", "0", "1"] and rows["Tin nhắn SMS"] == ["1", "0", "0", "0", "1"]


def test_the_agency_admin_sees_only_their_agency_and_resends_failures(client, receive, agency):
    mine = Notification.objects.get(dossier_id=receive(now=timezone.now()).pk)
    other_agency = AgencyFactory(code="000.00.09.H56")
    theirs = Notification.objects.create(agency=other_agency, audience="citizen", channel="email",
                                         recipient="x@example.vn", template="received", language="vi", body="x",
                                         idempotency_key="other", state=State.FAILED)
    Notification.objects.filter(pk=mine.pk).update(state=State.FAILED, attempts=5, last_error="HTTP 503: busy")
    admin = OfficialFactory(agency=agency, roles=[Role.AGENCY_ADMIN])
    admin.user.is_staff = True
    admin.user.save()
    admin.user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="notifications", codename__in=["view_notification", "change_notification"]))
    client.force_login(admin.user)
    changelist = client.get(reverse("admin:notifications_notification_changelist")).content.decode()
    assert "HTTP 503: busy" in changelist and "x@example.vn" not in changelist
    assert client.get(reverse("admin:notifications_notification_change", args=[theirs.pk])).status_code == 302
    response = client.post(reverse("admin:notifications_notification_changelist"),
                           {"action": "resend", "_selected_action": [mine.pk, theirs.pk]})
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.state, mine.attempts) == (State.PENDING, 0) and theirs.state == State.FAILED
    assert services.deliver(mine.pk).state == State.SENT


def test_the_console_backend_prints_sms_and_zalo_in_development(receive, capsys):
    """`make run`: SMS and Zalo print on the server's console (e-mail goes to Django's console backend)."""
    dossier = receive(notify_channels=("sms", "zalo"))
    for row in Notification.objects.filter(dossier_id=dossier.pk):
        assert services.deliver(row.pk).state == State.SENT
    printed = capsys.readouterr().out
    assert f"[sms → 0912345678] \nDa tiep nhan ho so {dossier.code}" in printed
    assert f"[zalo → 0912345678] \nĐã tiếp nhận hồ sơ {dossier.code}" in printed
