"""Fixtures of the outbox tests: the dossier fixtures, a real SMTP server (aiosmtpd) and a local HTTP server
standing in for the SMS and Zalo providers, both on loopback ports."""
import email
import json
import socket
import threading
import time
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from tests.dossiers.conftest import (  # noqa: F401  (fixtures shared with the dossier tests)
    MONDAY_0900,
    agency,
    applicant,
    build_dossier,
    clerk,
    documents_for,
    leader,
    procedure,
    receive,
    specialist,
    vn,
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """What the SMTP server received: parsed messages, in order."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=default_policy)
        self.messages.append({"to": envelope.rcpt_tos, "subject": str(message["subject"]).strip(),
                              "body": message.get_content().replace("\r\n", "\n"), "message_id": str(message["message-id"])})
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp_server():
    """A real SMTP server on a loopback port; yields (inbox, port)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    """Django's SMTP backend pointed at the real server."""
    inbox, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    return inbox


class Provider:
    """A scripted SMS/Zalo provider: each request takes the next answer of `script` (the last one repeats).
    Answers: ("json", status, dict) | ("raw", status, bytes) | ("sleep", seconds)."""

    def __init__(self):
        self.script = [("json", 200, {"message_id": "sms-1"})]
        self.requests = []

    def next_answer(self):
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


@pytest.fixture
def provider():
    state = Provider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            state.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                   "json": json.loads(self.rfile.read(length) or b"null")})
            answer = state.next_answer()
            if answer[0] == "sleep":
                time.sleep(answer[1])
                answer = ("json", 200, {"message_id": "too-late"})
            kind, status, payload = answer
            body = json.dumps(payload).encode() if kind == "json" else payload
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Rate limits have their own test; elsewhere a shared cache's counter must not throttle a test."""
    settings.NOTIFY_RATE_LIMITS = {}
    # The dossier fixtures live in March 2026 while delivery runs now: a message's useful life is long here,
    # except in the tests of expiry, which set their own.
    settings.NOTIFY_LIFETIME_HOURS = 24 * 3650
