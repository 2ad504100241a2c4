"""/healthz for the load balancer: the real database and the real cache, never cached itself."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

BASE_DIR = Path(__file__).resolve().parents[2]
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.mark.django_db
def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_unreachable_cache_is_degraded_not_down(client):
    # The portal works without its cache: the load balancer must keep the instance, the report names the cache.
    with override_settings(CACHES=UNREACHABLE_REDIS):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "error"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_only_safe_methods(client):
    assert client.post("/healthz").status_code == 405


def test_unreachable_database_gives_503_naming_the_database(tmp_path):
    """A real process whose database cannot be opened (SQLite file in a directory that does not exist)."""
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps({'code': r.status_code, 'body': r.json(), 'cc': r['Cache-Control']}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/db.sqlite3",
        "REDIS_URL": "",
        "DEBUG": "1",
        "LOG_LEVEL": "CRITICAL",
    }
    done = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 503
    assert result["body"] == {"status": "error", "database": "error", "cache": "ok"}
    assert "no-store" in result["cc"]
