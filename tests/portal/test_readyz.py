"""/livez (the process answers) and /readyz (database, cache and Celery broker) for load balancers and orchestrators."""
import socket

import pytest
from django.test import override_settings

from tests.portal.test_healthz import UNREACHABLE_REDIS

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    """A loopback port nothing listens on: a broker there refuses at once, like a stopped Redis."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_livez_checks_nothing_and_is_never_cached(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert response.status_code == 200 and response.content == b"ok"
    assert "no-store" in response["Cache-Control"]


def test_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_broker_down_is_not_ready_and_named(client):
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{_closed_port()}/0", READINESS_TIMEOUT=0.5):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "ok", "broker": "error"}
    assert "no-store" in response["Cache-Control"]


def test_cache_down_alone_is_degraded_not_down(client):
    with override_settings(CACHES=UNREACHABLE_REDIS):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "error", "broker": "ok"}


@pytest.mark.parametrize("url", ["/livez", "/readyz"])
def test_only_safe_methods(client, url):
    assert client.post(url).status_code == 405
