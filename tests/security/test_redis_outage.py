"""A Redis outage during writes (issue 12, item 2): with the cache stopped, every reception, forward, rating and
feedback used to answer 500 (the statistics cache was bumped inside the transaction).

The test starts its OWN redis-server on a free loopback port (the shared one on 6379 is never touched), points
the cache at it, runs a bounded load of writes from threads through the real views while it stops and restarts
that Redis, and counts: no failed write, none lost, writes that succeeded during the outage, the public lookup
still rate-limited by the database fallback, and /healthz reporting the cache as degraded.
"""
import shutil
import socket
import subprocess
import threading
import time

import pytest
import redis
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from tests.dossiers.conftest import *  # noqa: F403 (agency, clerk, specialist, leader, procedure, build_dossier)

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
OUTAGE_START, OUTAGE_SECONDS, AFTER_SECONDS = 1.5, 3.0, 2.0
PACE = 0.1  # seconds between two writes of one thread: a bounded load, not a benchmark

UNREACHABLE_CACHE = {"default": {
    "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
}}


class OwnRedis:
    """A redis-server of this test only, on a free loopback port; stopped and restarted on the same port."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        for _attempt in range(100):
            try:
                if client.ping():
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the test's redis-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # only the process this test started
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def own_redis():
    if shutil.which(REDIS_SERVER) is None:
        pytest.fail(f"redis-server is needed at {REDIS_SERVER}")
    server = OwnRedis()
    server.start()
    caches = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": server.url,
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25, "retry_on_timeout": False},
    }}
    try:
        with override_settings(CACHES=caches):
            yield server
    finally:
        server.stop()


def _staff_client(official) -> Client:
    client = Client()
    client.force_login(official.user)
    return client


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_writes_survive_a_redis_outage(own_redis, clerk, procedure, build_dossier, agency):
    from dossiers.models import Dossier, DossierEvent
    from satisfaction.models import Feedback, Rating
    from tests.dossiers.test_views_receive import URL, valid_post

    to_rate = [build_dossier("returned").tracking_token for _ in range(12)]
    reception_step = procedure.steps.order_by("order").first()
    stop = threading.Event()
    outcomes = {kind: [] for kind in ("reception", "forward", "rating", "feedback")}  # (time, ok, detail)
    received: list[int] = []
    lock = threading.Lock()

    def record(kind, response, expected=302):
        ok = response.status_code == expected
        with lock:
            outcomes[kind].append((time.monotonic(), ok, response.status_code))
        return ok

    def receptions():
        client = _staff_client(clerk)
        while not stop.is_set():
            response = client.post(URL, valid_post(procedure, stage="confirm"))
            if record("reception", response):
                with lock:
                    received.append(int(response["Location"].rstrip("/").split("/")[-1]))
            time.sleep(PACE)

    def forwards():
        client = _staff_client(clerk)
        done = set()
        while not stop.is_set():
            with lock:
                todo = [pk for pk in received if pk not in done]
            for pk in todo[:1]:
                done.add(pk)
                url = reverse("dossiers:act", kwargs={"pk": pk, "action": "forward"})
                record("forward", client.post(url, {"forward-expected_step": reception_step.pk, "forward-note": ""}))
            time.sleep(PACE)

    def ratings():
        client = Client()
        for token in to_rate:
            if stop.is_set():
                break
            answers = {"overall": "satisfied", "timeliness": "satisfied", "attitude": "very_satisfied",
                       "guidance": "satisfied", "extra_visits": "0", "comment": "Tốt"}
            record("rating", client.post(f"/t/{token}/danh-gia/", answers))
            time.sleep(OUTAGE_SECONDS / 5)

    def feedback():
        client = Client()
        number = 0
        while not stop.is_set():
            number += 1
            data = {"subject": "procedure", "kind": "other", "agency": agency.pk, "content": f"Phản ánh số {number} về thời gian chờ ở quầy"}
            record("feedback", client.post("/phan-anh/", data, REMOTE_ADDR=f"10.9.{number // 250}.{number % 250}"))
            time.sleep(PACE)

    def in_thread(work):
        def run():
            try:
                work()
            finally:
                connection.close()
        return threading.Thread(target=run)

    threads = [in_thread(work) for work in (receptions, forwards, ratings, feedback)]
    for thread in threads:
        thread.start()
    time.sleep(OUTAGE_START)
    outage_from = time.monotonic()
    own_redis.stop()
    time.sleep(OUTAGE_SECONDS / 2)
    health = Client().get("/healthz")
    time.sleep(OUTAGE_SECONDS / 2)
    own_redis.start()
    outage_to = time.monotonic()
    time.sleep(AFTER_SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    failed = {kind: [status for _at, ok, status in rows if not ok] for kind, rows in outcomes.items()}
    assert failed == {kind: [] for kind in outcomes}, failed
    during = {kind: sum(1 for at, ok, _status in rows if ok and outage_from <= at <= outage_to)
              for kind, rows in outcomes.items()}
    assert all(during.values()), during  # writes really happened while Redis was down
    counts = {kind: len(rows) for kind, rows in outcomes.items()}
    # Nothing lost: every write that answered success is in the database.
    assert Dossier.objects.filter(pk__in=received).count() == counts["reception"] == len(received)
    assert DossierEvent.objects.filter(dossier_id__in=received,
                                       kind=DossierEvent.Kind.FORWARDED).count() == counts["forward"]
    assert Dossier.objects.filter(pk__in=received).exclude(current_step=reception_step).count() == counts["forward"]
    assert Rating.objects.filter(dossier__tracking_token__in=to_rate).count() == counts["rating"]
    assert Feedback.objects.count() == counts["feedback"]
    assert health.status_code == 200 and health.json()["status"] == "degraded" and health.json()["cache"] == "error"
    after = Client().get("/healthz").json()
    assert after["status"] == "ok", after
    print(f"\nRedis outage load: {counts}, during the outage: {during}, failed: 0")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_lookup_stays_rate_limited_while_redis_is_down(own_redis, build_dossier):
    from dossiers.models import RateLimitCounter
    from dossiers.ratelimit import lookup_rate

    dossier = build_dossier("in_progress")
    own_redis.stop()
    client = Client()
    limit, _window = lookup_rate()
    statuses = [client.post("/tra-cuu/", {"code": dossier.code, "last_digits": "0000"}).status_code
                for _ in range(limit + 1)]
    assert statuses == [200] * limit + [429]
    # Only wrong answers count (dossiers.ratelimit.fail); once the limit is reached a lookup is refused uncounted.
    assert RateLimitCounter.objects.get().count == limit
    # Public statistics degrade to an uncached page rather than an error.
    assert client.get(reverse("dashboards:public")).status_code == 200


# --- the same rules with a cache that never answers (any database; CI's SQLite run too) ----------------------


@pytest.mark.django_db
@override_settings(CACHES=UNREACHABLE_CACHE)
def test_a_write_commits_and_its_cache_bump_is_skipped_when_the_cache_is_down(receive, clerk,
                                                                              django_capture_on_commit_callbacks):
    from dossiers.models import Dossier

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dossier = receive()
    assert callbacks  # the statistics bump ran after the commit, and its failure was only logged
    assert Dossier.objects.filter(pk=dossier.pk).exists()


@pytest.mark.django_db
@override_settings(CACHES=UNREACHABLE_CACHE, SATISFACTION_RATE_LIMIT=(3, 3600))
def test_public_pages_and_limits_without_a_cache(client, agency):
    from satisfaction.models import Feedback

    assert client.get(reverse("dashboards:public")).status_code == 200  # computed uncached
    data = {"subject": "procedure", "kind": "other", "agency": agency.pk,
            "content": "Phản ánh về thời gian chờ ở quầy tiếp nhận"}
    statuses = [client.post("/phan-anh/", data).status_code for _ in range(4)]
    assert statuses[:3] == [302, 302, 302] and statuses[3] == 429
    assert Feedback.objects.count() == 3
