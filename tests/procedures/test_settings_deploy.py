"""Production settings pass Django's deployment checklist without a single warning."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "motcua.example.gov.vn",
    "SITE_URL": "https://motcua.example.gov.vn",
    "DJANGO_SETTINGS_MODULE": "portal.settings",
}


def test_check_deploy_is_clean_with_production_values():
    done = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNINGS" not in done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_does_flag_development_values():
    # The same check must be able to fail: the default development settings are not fit for production.
    done = run_manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="1", DJANGO_SETTINGS_MODULE="portal.settings")
    assert done.returncode != 0
    assert "security.W018" in done.stdout + done.stderr  # DEBUG on


def test_production_refuses_to_start_without_a_secret_key():
    done = run_manage("check", DEBUG="0", SECRET_KEY="", DJANGO_SETTINGS_MODULE="portal.settings")
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


def test_production_serves_static_files_from_the_whitenoise_manifest():
    script = "import django; django.setup(); from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    environment = {**os.environ, **PRODUCTION}
    done = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "whitenoise.storage.CompressedManifestStaticFilesStorage", done.stderr
