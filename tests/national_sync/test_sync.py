"""The national portal's outbox against a local HTTP server standing in for the portal: every status change is
one message, each dossier's messages arrive in order, and nothing is lost or sent twice through timeouts,
duplicates, 5xx answers and tasks run out of order."""
import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.urls import reverse

from dossiers import services
from national_sync import selectors, tasks
from national_sync import services as outbox
from national_sync.models import SyncMessage
from procedures.roles import Role
from tests.dossiers.conftest import applicant, documents_for
from tests.factories import AgencyFactory, OfficialFactory, ProcedureFactory

LATER = datetime.timedelta(days=1)


class Portal:
    """Accepts a message once per idempotency key (409 for a key it has), refuses one whose predecessor in the
    dossier it has not seen (what order means to it), and can be told to fail or stall the next answers."""

    def __init__(self):
        self.accepted: list[tuple[str, int]] = []  # (dossier code, seq) in arrival order
        self.keys: set[str] = set()
        self.script: list[str] = []  # "503", "timeout" for the next requests
        self.out_of_order = 0
        self.lock = threading.Lock()
        self.release = threading.Event()

    def handle(self, handler):
        body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
        key = handler.headers["Idempotency-Key"]
        with self.lock:
            step = self.script.pop(0) if self.script else "ok"
        if step == "503":
            return handler.answer(503, {"error": "bảo trì"})
        with self.lock:
            if key in self.keys:
                return handler.answer(409, {"error": "duplicate"})
            seen = [seq for code, seq in self.accepted if code == body["MaHoSo"]]
            if body["SoThuTuDongBo"] != len(seen) + 1:
                self.out_of_order += 1
                return handler.answer(422, {"error": "out of order"})
            self.keys.add(key)
            self.accepted.append((body["MaHoSo"], body["SoThuTuDongBo"]))
        if step == "timeout":  # accepted, but the answer comes after the client gave up
            self.release.wait(5)
        return handler.answer(200, {"receipt": f"QG-{key}"})


@pytest.fixture
def portal(settings):
    state = Portal()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            state.handle(self)

        def answer(self, status, payload):
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NATIONAL_SYNC_URL = f"http://127.0.0.1:{server.server_port}/dong-bo"
    settings.NATIONAL_SYNC_TOKEN = "bi-mat"
    settings.NATIONAL_SYNC_TIMEOUT = 0.5
    settings.NATIONAL_SYNC_MAX_ATTEMPTS = 3
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def world(db):
    agency = AgencyFactory(code="000.00.26.H29")
    procedure = ProcedureFactory(agencies=[agency], steps=True, documents=1, time_limit=5)
    clerk = OfficialFactory(agency=agency, roles=[Role.RECEPTION])
    leader = OfficialFactory(agency=agency, roles=[Role.LEADER])
    return {"procedure": procedure, "clerk": clerk, "leader": leader}


def receive(world):
    return services.receive(actor=world["clerk"].user, procedure_id=world["procedure"].pk, applicant=applicant(),
                            documents=documents_for(world["procedure"]))


def drain(dossier_id, now=None):
    """What the sweep and the workers do over time: run the dossier's task until nothing more can go out now."""
    return outbox.deliver_dossier(dossier_id, now=now)


@pytest.mark.django_db(transaction=True)
def test_without_a_url_messages_wait_pending_and_nothing_fails(world, settings):
    settings.NATIONAL_SYNC_URL = ""
    dossier = receive(world)
    message = SyncMessage.objects.get(dossier_id=dossier.pk)
    assert (message.state, message.seq, message.national_status) == ("pending", 1, 2)
    assert message.payload["MaHoSo"] == dossier.code and message.payload["TrangThaiHoSo"] == 2
    assert len(message.payload["NgayTiepNhan"]) == 14  # yyyyMMddHHmmss
    assert drain(dossier.pk) == ("unconfigured", None)


@pytest.mark.django_db(transaction=True)
def test_each_status_change_is_one_message_sent_in_order(world, portal):
    dossier = receive(world)  # 2, sent at commit (eager task)
    services.forward(dossier_id=dossier.pk, actor=world["clerk"].user)  # 4
    services.forward(dossier_id=dossier.pk, actor=world["leader"].user)  # still 4: nothing to send
    services.stop(dossier_id=dossier.pk, actor=world["leader"].user, reason="Tranh chấp", legal_ground="Điều 18")
    rows = list(SyncMessage.objects.filter(dossier_id=dossier.pk).values_list("seq", "national_status", "state"))
    assert rows == [(1, 2, "sent"), (2, 4, "sent"), (3, 8, "sent")]
    assert portal.accepted == [(dossier.code, 1), (dossier.code, 2), (dossier.code, 3)]
    assert portal.out_of_order == 0


@pytest.mark.django_db(transaction=True)
def test_5xx_is_retried_with_back_off_then_failed_and_replayed_in_order(world, portal, settings):
    settings.NATIONAL_SYNC_URL, url = "", settings.NATIONAL_SYNC_URL  # queue up while the portal is unreachable
    dossier = receive(world)
    services.forward(dossier_id=dossier.pk, actor=world["clerk"].user)
    settings.NATIONAL_SYNC_URL = url
    portal.script = ["503", "503", "503"]
    first = SyncMessage.objects.get(dossier_id=dossier.pk, seq=1)
    assert drain(dossier.pk)[0] == "retry"
    first.refresh_from_db()
    assert first.attempts == 1 and first.next_attempt_at > first.created_at and "503" in first.last_error
    assert drain(dossier.pk)[0] == "waiting"  # not before its back-off
    assert drain(dossier.pk, now=first.next_attempt_at)[0] == "retry"
    first.refresh_from_db()
    assert drain(dossier.pk, now=first.next_attempt_at)[0] == "failed"
    # A failed head blocks the later message: n+1 is never sent before n.
    assert drain(dossier.pk, now=first.next_attempt_at + LATER)[0] == "blocked"
    assert portal.accepted == []
    assert outbox.replay(message_ids=[first.pk]) == 1  # the admin's action; delivered after its commit
    assert list(SyncMessage.objects.filter(dossier_id=dossier.pk).values_list("state", flat=True)) == ["sent", "sent"]
    assert portal.accepted == [(dossier.code, 1), (dossier.code, 2)] and portal.out_of_order == 0


@pytest.mark.django_db(transaction=True)
def test_a_timeout_after_the_portal_accepted_is_not_sent_twice(world, portal, settings):
    settings.NATIONAL_SYNC_URL, url = "", settings.NATIONAL_SYNC_URL
    dossier = receive(world)
    settings.NATIONAL_SYNC_URL = url
    portal.script = ["timeout"]
    assert drain(dossier.pk)[0] == "retry"
    message = SyncMessage.objects.get(dossier_id=dossier.pk)
    assert outbox.deliver_next(dossier.pk, now=message.next_attempt_at + LATER)[0] == "sent"  # 409: it has it
    message.refresh_from_db()
    assert message.state == "sent" and message.receipt == "duplicate"
    assert portal.accepted == [(dossier.code, 1)]


@pytest.mark.django_db(transaction=True)
def test_tasks_run_out_of_order_and_twice_send_each_message_once_in_order(world, portal, settings):
    settings.NATIONAL_SYNC_URL, url = "", settings.NATIONAL_SYNC_URL
    dossiers = [receive(world) for _ in range(2)]
    for dossier in dossiers:
        services.forward(dossier_id=dossier.pk, actor=world["clerk"].user)
        services.withdraw(dossier_id=dossier.pk, actor=world["clerk"].user, reason="Xin rút")
    settings.NATIONAL_SYNC_URL = url
    # The worker's task function, as Celery calls it, in reverse order and repeated.
    for dossier in reversed(dossiers * 2):
        tasks.deliver_dossier.apply(args=[dossier.pk])
    assert SyncMessage.objects.exclude(state="sent").count() == 0
    for dossier in dossiers:
        assert [seq for code, seq in portal.accepted if code == dossier.code] == [1, 2, 3]
    assert len(portal.accepted) == len(portal.keys) == 6 and portal.out_of_order == 0


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_message(world, portal):
    dossier = receive(world)
    with pytest.raises(services.DossierActionError):
        services.withdraw(dossier_id=dossier.pk, actor=world["clerk"].user, reason="")
    assert SyncMessage.objects.filter(dossier_id=dossier.pk).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_dossier_never_send_side_by_side(world, portal, settings):
    """While one worker holds the head (the portal stalls), a second finds it busy instead of sending n+1."""
    assert connection.vendor == "postgresql"
    settings.NATIONAL_SYNC_URL, url = "", settings.NATIONAL_SYNC_URL
    dossier = receive(world)
    services.forward(dossier_id=dossier.pk, actor=world["clerk"].user)
    settings.NATIONAL_SYNC_URL = url
    settings.NATIONAL_SYNC_TIMEOUT = 5
    portal.script = ["timeout"]
    results = {}

    def first_worker():
        try:
            results["first"] = outbox.deliver_next(dossier.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=first_worker)
    worker.start()
    while not portal.accepted:  # the portal has message 1 and stalls its answer
        portal.release.wait(0.01)
    results["second"] = outbox.deliver_next(dossier.pk)
    portal.release.set()
    worker.join()
    assert results["second"] == ("busy", None)
    assert results["first"][0] == "sent"
    assert outbox.deliver_dossier(dossier.pk)[0] == "idle"
    assert portal.accepted == [(dossier.code, 1), (dossier.code, 2)] and portal.out_of_order == 0


def _queue(dossier, states):
    """Messages 2, 3, … after the dossier's first, in the given states (as a long-blocked queue would hold)."""
    first = SyncMessage.objects.get(dossier_id=dossier.pk, seq=1)
    SyncMessage.objects.bulk_create([
        SyncMessage(agency_id=first.agency_id, dossier_id=dossier.pk, dossier_code=dossier.code, seq=seq,
                    event_id=first.event_id, national_status=4, payload=first.payload, state=state,
                    idempotency_key=f"{first.idempotency_key}-{seq}")
        for seq, state in enumerate(states, start=2)
    ])


def test_an_old_failed_message_shows_as_failed_beyond_the_listed_ones(world, settings, client):
    settings.NATIONAL_SYNC_URL = ""
    dossier = receive(world)
    SyncMessage.objects.filter(dossier_id=dossier.pk, seq=1).update(state="failed", last_error="HTTP 503 bảo trì")
    _queue(dossier, ["pending"] * (selectors.SHOWN + 5))  # message 1 is not among the latest 20
    sync = selectors.for_dossier(dossier.pk)
    assert 1 not in [message.seq for message in sync.messages] and len(sync.messages) == selectors.SHOWN
    assert sync.state == "failed" and sync.failed.seq == 1
    client.force_login(world["clerk"].user)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Lỗi, chờ gửi lại" in page and "HTTP 503 bảo trì" in page and "Đang chờ gửi" not in page


def test_the_state_is_the_first_unacknowledged_message_in_order(world, settings):
    settings.NATIONAL_SYNC_URL = ""
    dossier = receive(world)
    SyncMessage.objects.filter(dossier_id=dossier.pk).update(state="sent")
    assert selectors.for_dossier(dossier.pk).state == "sent"
    _queue(dossier, ["sent", "pending", "failed"])  # a later failure does not jump the queue's head
    sync = selectors.for_dossier(dossier.pk)
    assert (sync.state, sync.blocking.seq, sync.failed) == ("pending", 3, None)
    assert selectors.for_dossier(dossier.pk + 1000).state == ""
