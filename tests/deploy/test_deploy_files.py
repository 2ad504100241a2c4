"""The deploy/ folder stays true to the code: every variable settings.py reads is in the environment template,
the units and compose run what exists, and nginx never serves the private media."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# How portal/settings.py reads the environment (plus dj-database-url's DATABASE_URL).
READS = re.compile(r"""(?:os\.environ\.get|os\.environ\[|env_bool|env_list|env_pairs)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")


def settings_variables() -> set[str]:
    return set(READS.findall((ROOT / "portal" / "settings.py").read_text())) | {"DATABASE_URL"}


def template_variables() -> set[str]:
    names = set()
    for line in (DEPLOY / "env.example").read_text().splitlines():
        match = re.match(r"#?\s?([A-Z][A-Z0-9_]+)=", line)
        if match:
            names.add(match.group(1))
    return names


def test_the_environment_template_lists_every_variable_settings_reads():
    variables = settings_variables()
    assert len(variables) > 30  # the pattern still finds them
    assert variables - template_variables() == set()


def test_the_units_use_the_environment_file_and_existing_entry_points():
    for unit in ("mot-cua-web@.service", "mot-cua-worker.service", "mot-cua-beat.service"):
        text = (DEPLOY / "systemd" / unit).read_text()
        assert "EnvironmentFile=/etc/mot-cua/env" in text
        for variable in re.findall(r"\$\{([A-Z_]+)\}", text):
            assert variable in template_variables(), (unit, variable)
    assert "portal.wsgi" in (DEPLOY / "systemd" / "mot-cua-web@.service").read_text()
    assert (ROOT / "portal" / "celery.py").exists() and (ROOT / "portal" / "wsgi.py").exists()


def test_nginx_serves_static_but_never_media():
    for site in ("mot-cua.conf", "compose.conf"):
        text = (DEPLOY / "nginx" / site).read_text()
        assert re.search(r"location \^~ /media/ \{\s*return 404;", text), site
        assert "location /static/" in text and "client_max_body_size" in text and "ssl_certificate" in text
        assert "include /etc/nginx/snippets/mot-cua-proxy.conf;" in text
    proxy = (DEPLOY / "nginx" / "mot-cua-proxy.conf").read_text()
    for header in ("X-Forwarded-For $proxy_add_x_forwarded_for", "X-Forwarded-Proto $scheme", "Host $host"):
        assert header in proxy


def test_compose_runs_every_part():
    text = (DEPLOY / "compose.yaml").read_text()
    for service in ("db:", "redis:", "migrate:", "web:", "worker:", "beat:", "nginx:"):
        assert f"\n  {service}" in text, service
