"""SMS and Zalo through their HTTP adapters, against a local HTTP server standing in for the provider:
timeouts, 5xx and malformed answers are retried with back-off and then surfaced; a 2xx is recorded once even
when the delivery task runs twice."""
import datetime

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from notifications.tasks import deliver_notification

pytestmark = pytest.mark.django_db
State = Notification.State


@pytest.fixture
def sms(settings, provider):
    settings.NOTIFICATION_BACKENDS = {**settings.NOTIFICATION_BACKENDS, "sms": "notifications.backends.HttpSmsBackend"}
    settings.NOTIFY_SMS_URL = provider.url + "/sms"
    settings.NOTIFY_SMS_TOKEN = "secret-token"
    settings.NOTIFY_HTTP_TIMEOUT = 0.5
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    return provider


@pytest.fixture
def zalo(settings, provider):
    settings.NOTIFICATION_BACKENDS = {**settings.NOTIFICATION_BACKENDS, "zalo": "notifications.backends.ZaloZnsBackend"}
    settings.NOTIFY_ZALO_URL = provider.url + "/zns"
    settings.NOTIFY_ZALO_ACCESS_TOKEN = "zalo-token"
    settings.NOTIFY_ZALO_TEMPLATES = {"received": "301234"}
    settings.NOTIFY_HTTP_TIMEOUT = 0.5
    return provider


def pending_row(receive, channel: str) -> Notification:
    """A dossier received choosing `channel`: its row is written; the test delivers it by hand."""
    dossier = receive(notify_channels=(channel,), email="")
    return Notification.objects.get(dossier_id=dossier.pk, channel=channel)


def test_a_2xx_is_sent_once_even_when_the_task_runs_twice(sms, receive):
    row = pending_row(receive, "sms")
    sms.script = [("json", 200, {"message_id": "gw-42"})]
    assert deliver_notification.apply(args=[row.pk]).get() == State.SENT
    assert deliver_notification.apply(args=[row.pk]).get() == State.SENT
    assert len(sms.requests) == 1
    request = sms.requests[0]
    assert request["headers"]["authorization"] == "Bearer secret-token"
    assert request["json"]["to"] == "0912345678" and request["json"]["request_id"] == row.idempotency_key
    assert request["json"]["text"].isascii()  # unaccented: GSM-7, one segment
    row.refresh_from_db()
    assert (row.state, row.provider_message_id, row.attempts) == (State.SENT, "gw-42", 1)
    assert list(row.delivery_attempts.values_list("succeeded", "provider_message_id")) == [(True, "gw-42")]


@pytest.mark.parametrize("failure, expected_error", [
    (("sleep", 2), "timeout"),
    (("json", 503, {"error": "busy"}), "HTTP 503"),
    (("raw", 200, b"<html>oops</html>"), "malformed answer"),
    (("json", 200, {"status": "ok"}), "no message_id"),
])
def test_transient_failures_are_retried_with_back_off_then_surfaced(sms, receive, failure, expected_error):
    row = pending_row(receive, "sms")
    sms.script = [failure]
    now = timezone.now()
    first = services.deliver(row.pk, now=now)
    assert (first.state, first.retry_in) == (State.PENDING, 60)
    # Not due yet: a task that comes early sends nothing.
    assert services.deliver(row.pk, now=now + datetime.timedelta(seconds=30)).state == State.PENDING
    second = services.deliver(row.pk, now=now + datetime.timedelta(seconds=60))
    assert (second.state, second.retry_in) == (State.PENDING, 120)
    third = services.deliver(row.pk, now=now + datetime.timedelta(seconds=180))
    assert third.state == State.FAILED
    row.refresh_from_db()
    assert row.attempts == 3 and expected_error in row.last_error
    assert [a.succeeded for a in row.delivery_attempts.all()] == [False, False, False]
    assert len(sms.requests) == 3


def test_a_retry_that_succeeds_records_the_failures_and_the_success(sms, receive):
    row = pending_row(receive, "sms")
    sms.script = [("json", 500, {}), ("json", 200, {"message_id": "gw-7"})]
    now = timezone.now()
    services.deliver(row.pk, now=now)
    assert services.deliver(row.pk, now=now + datetime.timedelta(minutes=1)).state == State.SENT
    row.refresh_from_db()
    assert [a.succeeded for a in row.delivery_attempts.all()] == [False, True]
    assert row.provider_message_id == "gw-7"


def test_a_4xx_is_our_fault_and_fails_at_once(sms, receive):
    row = pending_row(receive, "sms")
    sms.script = [("json", 400, {"error": "invalid number"})]
    assert services.deliver(row.pk).state == State.FAILED
    row.refresh_from_db()
    assert row.attempts == 1 and "invalid number" in row.last_error


def test_zalo_zns_fills_the_registered_template(zalo, receive):
    row = pending_row(receive, "zalo")
    zalo.script = [("json", 200, {"error": 0, "message": "Success", "data": {"msg_id": "zns-9"}})]
    assert services.deliver(row.pk).state == State.SENT
    body = zalo.requests[0]["json"]
    assert zalo.requests[0]["headers"]["access_token"] == "zalo-token"
    assert body["phone"] == "84912345678" and body["template_id"] == "301234"
    assert set(body["template_data"]) == {"code", "date", "link"}
    assert body["template_data"]["link"].endswith("/")
    row.refresh_from_db()
    assert row.provider_message_id == "zns-9"


def test_zalo_refusing_a_message_is_surfaced_without_retry(zalo, receive):
    row = pending_row(receive, "zalo")
    zalo.script = [("json", 200, {"error": -108, "message": "Phone number invalid"})]
    assert services.deliver(row.pk).state == State.FAILED
    row.refresh_from_db()
    assert "Zalo error -108" in row.last_error
