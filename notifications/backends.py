"""Delivery backends, one per channel, chosen in settings (`NOTIFICATION_BACKENDS`).

A backend's `send(notification)` returns the provider's message id, or raises `DeliveryError` saying whether a
later try may succeed (timeout, 5xx, malformed answer) or not (the provider refused the message). Settings are
read at each send, so tests and deployments change them without a restart of the code path.
"""
import json
import sys
import urllib.error
import urllib.request
from smtplib import SMTPException, SMTPRecipientsRefused

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.utils.module_loading import import_string

DEFAULT_ZALO_URL = "https://business.openapi.zalo.me/message/template"


class DeliveryError(Exception):
    def __init__(self, message: str, *, transient: bool = True, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.transient = transient
        self.status = status  # the HTTP status of a refusal, when there was one


class ConsoleBackend:
    """Development: print the message on the server's console (the default of `make run`)."""

    def send(self, notification) -> str:
        sys.stdout.write(f"[{notification.channel} → {notification.recipient}] {notification.subject}\n"
                         f"{notification.body}\n")
        sys.stdout.flush()
        return f"console-{notification.pk}"


class EmailBackend:
    """E-mail through Django's mail (`EMAIL_BACKEND`: SMTP in production, the console in development)."""

    def send(self, notification) -> str:
        message_id = make_msgid(domain=settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost")
        message = EmailMessage(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL,
                               [notification.recipient], headers={"Message-ID": message_id},
                               connection=get_connection(timeout=settings.NOTIFY_HTTP_TIMEOUT))
        try:
            message.send()
        except SMTPRecipientsRefused as error:
            raise DeliveryError(f"SMTP refused the recipient: {error.recipients}", transient=False) from None
        except (SMTPException, OSError) as error:
            raise DeliveryError(f"SMTP: {type(error).__name__}: {error}") from None
        return message_id


def post_json(url: str, payload: dict, headers: dict, *, timeout: float | None = None) -> dict:
    """POST JSON, answer the decoded JSON object; every way it can go wrong becomes a `DeliveryError`. Shared by
    the HTTP channels here and the national portal's outbox (national_sync)."""
    if not url:
        raise DeliveryError("provider URL is not configured", transient=False)
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Accept": "application/json",
                                              **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout or settings.NOTIFY_HTTP_TIMEOUT) as response:
            raw = response.read(65536)
    except urllib.error.HTTPError as error:
        # 429 and 5xx are the provider's trouble and pass; any other 4xx is our request's fault and will not.
        transient = error.code == 429 or error.code >= 500
        detail = error.read(500).decode("utf-8", "replace")
        raise DeliveryError(f"HTTP {error.code}: {detail}", transient=transient, status=error.code) from None
    except TimeoutError:
        raise DeliveryError("timeout") from None
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(f"connection: {getattr(error, 'reason', error)}") from None
    try:
        answer = json.loads(raw)
    except ValueError:
        raise DeliveryError(f"malformed answer: {raw[:200]!r}") from None
    if not isinstance(answer, dict):
        raise DeliveryError(f"malformed answer: {raw[:200]!r}")
    return answer


class HttpSmsBackend:
    """A brandname-SMS gateway over HTTP: POST {to, text, sender, request_id} with a bearer token; a 2xx answer
    carries {"message_id": …}. `request_id` is the notification's idempotency key, so a gateway that dedupes
    on it never sends twice even if our worker dies between its answer and our commit."""

    def send(self, notification) -> str:
        answer = post_json(settings.NOTIFY_SMS_URL, {
            "to": notification.recipient, "text": notification.body, "sender": settings.NOTIFY_SMS_SENDER,
            "request_id": notification.idempotency_key,
        }, {"Authorization": f"Bearer {settings.NOTIFY_SMS_TOKEN}"} if settings.NOTIFY_SMS_TOKEN else {})
        message_id = answer.get("message_id")
        if not message_id:
            raise DeliveryError(f"malformed answer: no message_id in {json.dumps(answer)[:200]}")
        return str(message_id)


def international_phone(phone: str) -> str:
    """Zalo ZNS wants 84xxxxxxxxx, not the 0xxxxxxxxx stored on the dossier."""
    return "84" + phone[1:] if phone.startswith("0") else phone.lstrip("+")


class ZaloZnsBackend:
    """Zalo Notification Service: a template registered with Zalo (id per message kind in
    `NOTIFY_ZALO_TEMPLATES`) filled with the notification's params. Zalo answers 200 with {"error": 0,
    "data": {"msg_id": …}}; a non-zero error is Zalo refusing this message."""

    def send(self, notification) -> str:
        template_id = settings.NOTIFY_ZALO_TEMPLATES.get(notification.template)
        if not template_id:
            raise DeliveryError(f"no ZNS template id for {notification.template}", transient=False)
        answer = post_json(settings.NOTIFY_ZALO_URL or DEFAULT_ZALO_URL, {
            "phone": international_phone(notification.recipient), "template_id": template_id,
            "template_data": notification.params, "tracking_id": notification.idempotency_key,
        }, {"access_token": settings.NOTIFY_ZALO_ACCESS_TOKEN})
        error = answer.get("error")
        if not isinstance(error, int):
            raise DeliveryError(f"malformed answer: {json.dumps(answer)[:200]}")
        if error != 0:
            raise DeliveryError(f"Zalo error {error}: {answer.get('message', '')}", transient=False)
        message_id = (answer.get("data") or {}).get("msg_id") if isinstance(answer.get("data"), dict) else None
        if not message_id:
            raise DeliveryError(f"malformed answer: no msg_id in {json.dumps(answer)[:200]}")
        return str(message_id)


def backend_for(channel: str):
    return import_string(settings.NOTIFICATION_BACKENDS[channel])()
