"""End to end on PostgreSQL with a real Celery worker (not eager mode): the test starts the worker as a
subprocess on the run's Redis as broker, points it at the test database and at a real SMTP server, and
commits dossier changes. Killing the worker and losing its queue loses no message: the sweep delivers it.
Bounded: every wait has a deadline, and the worker is killed at the end whatever happens."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from dossiers import services as dossier_services
from notifications.models import Notification
from notifications.tasks import deliver_notification, sweep
from portal.celery import app as celery_app

from .conftest import applicant, documents_for

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 90  # seconds for a worker to start and deliver


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(smtp_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        # CI runs the PostgreSQL suite with eager tasks; the worker must not.
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "NOTIFY_SWEEP_AFTER_SECONDS": "0",
        "NOTIFY_LIFETIME_HOURS": "87600",
        "NOTIFY_RATE_LIMITS": "",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--concurrency=1",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)  # a crash, not a warm shutdown
    worker.wait(timeout=10)


def _wait(predicate, what: str, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) waiting for {what}: {worker.stderr.read()[-2000:]!r}")
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _state(pk: int) -> str:
    return Notification.objects.filter(pk=pk).values_list("state", flat=True).first()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_after_commit_and_after_a_crash(smtp_server, clerk, procedure):
    if not settings.REDIS_URL:
        pytest.fail("the worker test needs REDIS_URL (the Celery broker)")
    inbox, port = smtp_server
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    worker = _start_worker(port)
    try:
        first = dossier_services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(),
                                         documents=documents_for(procedure))
        row = Notification.objects.get(dossier_id=first.pk)
        deliver_notification.delay(row.pk)  # a duplicate task: the row is sent once all the same
        _wait(lambda: _state(row.pk) == Notification.State.SENT, "the first e-mail", worker)
        assert inbox.wait_for(1)[0]["subject"] == f"Đã tiếp nhận hồ sơ {first.code}"

        _stop(worker)  # the worker dies …
        second = dossier_services.receive(actor=clerk.user, procedure_id=procedure.pk,
                                          applicant=applicant(email="binh@example.vn"),
                                          documents=documents_for(procedure))
        celery_app.control.purge()  # … and its queued task with it
        lost = Notification.objects.get(dossier_id=second.pk)
        assert _state(lost.pk) == Notification.State.PENDING

        worker = _start_worker(port)
        sweep.delay()  # what Celery beat sends every minute
        _wait(lambda: _state(lost.pk) == Notification.State.SENT, "the swept e-mail", worker)
        messages = inbox.wait_for(2)
        assert [m["to"] for m in messages] == [["an@example.vn"], ["binh@example.vn"]]
        time.sleep(1)  # the duplicate task had its chance: still one e-mail per row
        assert len(inbox.messages) == 2
        assert Notification.objects.get(pk=row.pk).delivery_attempts.count() == 1
    finally:
        _stop(worker)
        celery_app.control.purge()
        celery_app.conf.task_always_eager = eager
