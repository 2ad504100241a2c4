"""Two app instances behind Debian's nginx behave as one (issue 19, "the app is stateless").

The test starts a redis-server of its own, two gunicorn instances (one worker each) on loopback ports against the
test database, and nginx in front of them with a temporary configuration that includes the shipped
deploy/nginx/mot-cua-proxy.conf (run as the current user, temporary prefix, pid and log files, a free port). Then:

- a clerk signs in through instance A and acts on a dossier through instance B (sessions in PostgreSQL);
- the tracking page rendered and cached by A is served by B from the same cache entry, and after B's action A
  shows the change at once (the page's version lives in Redis, not in a process);
- failed lookups spread over A, B and nginx (which alternates between them) share one rate limit (Redis).
Every process is stopped in the fixtures' finally blocks.
"""
import http.client
import re
import secrets
import shutil
import socket
import subprocess
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from django.db import connection

from dossiers.models import Dossier
from tests.dossiers.conftest import *  # noqa: F403 (agency, clerk, procedure, receive)
from tests.factories import PASSWORD
from tests.security.test_redis_outage import OwnRedis

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
START_SECONDS = 60

pytestmark = [pytest.mark.postgres, pytest.mark.nginx, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answers(port: int, process: subprocess.Popen, path: str = "/livez") -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the process on port {port} exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()  # only processes this test started
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Browser:
    """A visitor with a cookie jar who may talk to any port (the cookies are the site's, not a port's)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        text = response.read().decode()
        conn.close()
        return response.status, dict(response.headers), text

    def get(self, port: int, path: str) -> tuple[int, str]:
        status, _headers, text = self.request(port, "GET", path)
        return status, text

    def post_form(self, port: int, page: str, data: dict, action: str | None = None) -> tuple[int, dict, str]:
        """GET the form's page, then POST with the CSRF token it carries."""
        _status, html = self.get(port, page)
        token = CSRF_FIELD.search(html).group(1)
        return self.request(port, "POST", action or page, {**data, "csrfmiddlewaretoken": token})


@pytest.fixture
def own_redis_url():
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is needed on the PATH")
    server = OwnRedis()
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def instances(own_redis_url, tmp_path):
    """Two gunicorn instances on the test database and the test's Redis: their ports."""
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(40), "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0", "DATABASE_URL": database_url, "REDIS_URL": own_redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "1", "RATELIMIT_TRUSTED_PROXIES": "1", "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(tmp_path / "media"), "PYTHONDONTWRITEBYTECODE": "1",
        # Its own static folder: CI's SQLite run, beside this one, serves the tree's static files meanwhile.
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    # DEBUG=0 serves hashed static names: the manifest must exist (the image and the deploy guide collect them).
    subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True, timeout=120)
    ports, processes = [free_port(), free_port()], []
    try:
        for port in ports:
            processes.append(subprocess.Popen(
                [str(GUNICORN), "portal.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                 "--log-level", "warning"], cwd=ROOT, env=env))
        for port, process in zip(ports, processes, strict=True):
            wait_until_answers(port, process)
        yield ports
    finally:
        for process in processes:
            stop(process)


@pytest.fixture
def nginx(instances, tmp_path):
    """Debian's nginx in front of both instances, as the current user, everything under a temporary prefix."""
    if shutil.which(NGINX) is None:
        pytest.fail(f"nginx is needed at {NGINX} (make nginx-deps)")
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    port = free_port()
    upstream = "\n".join(f"        server 127.0.0.1:{instance};" for instance in instances)
    temp_paths = "\n".join(f"    {kind}_temp_path {prefix}/{kind};" for kind in
                           ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (prefix / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {prefix}/access.log;
{temp_paths}
    upstream mot_cua {{
{upstream}
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 20m;
        location ^~ /media/ {{ return 404; }}
        location / {{
            include {ROOT}/deploy/nginx/mot-cua-proxy.conf;
            proxy_pass http://mot_cua;
        }}
    }}
}}
""")
    subprocess.run([NGINX, "-t", "-q", "-p", str(prefix), "-c", str(prefix / "nginx.conf")], check=True,
                   capture_output=True, timeout=30)
    process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_answers(port, process)
        yield port
    finally:
        stop(process)


def test_two_instances_behind_nginx_share_sessions_cache_and_rate_limits(nginx, instances, own_redis_url, receive,
                                                                          clerk):
    first, second = instances
    dossier = receive()
    clerk_browser = Browser()

    # Signed in through A, the clerk's session works on B.
    status, headers, _html = clerk_browser.post_form(
        first, "/accounts/login/", {"username": clerk.user.username, "password": PASSWORD})
    assert status == 302, "sign-in through instance A"
    status, worklist = clerk_browser.get(second, "/ho-so/")
    assert status == 200 and dossier.code in worklist

    # The tracking page: rendered and stored by A, served by B from the same entry.
    citizen = Browser()
    track = f"/t/{dossier.tracking_token}/"
    status, before = citizen.get(first, track)
    assert status == 200
    store = redis.Redis.from_url(own_redis_url)
    [page_key] = store.keys(f"*tracking:page:{dossier.tracking_token}:*")
    stored = store.get(page_key)
    assert citizen.get(second, track)[0] == 200
    assert store.get(page_key) == stored  # B did not render it again

    # The clerk acts through B; A shows it at once, and so does nginx, whichever instance answers.
    status, headers, _html = clerk_browser.post_form(
        second, f"/ho-so/{dossier.pk}/", {"withdraw-reason": "Công dân xin rút qua máy B", "withdraw-confirm": "on"},
        action=f"/ho-so/{dossier.pk}/thao-tac/withdraw/")
    assert status == 302, "action through instance B"
    assert Dossier.objects.get(pk=dossier.pk).state == "withdrawn"
    for port in (first, nginx, nginx):
        status, after = citizen.get(port, track)
        assert status == 200 and "Công dân xin rút qua máy B" in after and after != before

    # One lookup rate limit for all: the failures counted by A, B and nginx add up (10 per 10 minutes).
    visitor = Browser()
    wrong = {"code": "000.00.06.H56-260309-9999", "last_digits": "0000"}
    statuses = [visitor.post_form(port, "/tra-cuu/", wrong)[0] for port in (first, second, nginx) * 4]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
