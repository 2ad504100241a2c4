"""Shared fixtures and the rules that keep a green run honest.

Tests marked `postgres` need PostgreSQL and are skipped on SQLite; tests marked `browser` need Chromium; tests marked
`nginx` need Debian's nginx. CI sets MOTCUA_REQUIRE_POSTGRES / MOTCUA_REQUIRE_BROWSER / MOTCUA_REQUIRE_NGINX so that
such a skip fails the run instead.
"""
import os
import shutil

import pytest
from django.core.cache import cache
from django.db import connection

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
NGINX = os.environ.get("NGINX_PATH", "/usr/sbin/nginx")
# Debian's Chromium as root in a closed network: no sandbox, and none of its background calls home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def launch_chromium(playwright):
    """Headless Debian Chromium through Playwright (which never downloads a browser of its own here)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def _required(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    has_chromium = shutil.which(CHROMIUM) is not None
    has_nginx = shutil.which(NGINX) is not None
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            if _required("MOTCUA_REQUIRE_POSTGRES"):
                item.add_marker(pytest.mark.usefixtures("_fail_missing_postgres"))
            else:
                item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        if "browser" in item.keywords and not has_chromium:
            if _required("MOTCUA_REQUIRE_BROWSER"):
                item.add_marker(pytest.mark.usefixtures("_fail_missing_chromium"))
            else:
                item.add_marker(pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM}"))
        if "nginx" in item.keywords and not has_nginx:
            if _required("MOTCUA_REQUIRE_NGINX"):
                item.add_marker(pytest.mark.usefixtures("_fail_missing_nginx"))
            else:
                item.add_marker(pytest.mark.skip(reason=f"needs nginx at {NGINX} (make nginx-deps)"))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Uploaded and generated files (result documents' signed copies) go to a temporary folder, not ./media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts and ends with an empty cache: rate-limit windows, the statistics' generations and cached
    pages live there, outlive a test's rolled-back transaction, and would leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def _fail_missing_postgres():
    pytest.fail("MOTCUA_REQUIRE_POSTGRES is set but the database is not PostgreSQL")


@pytest.fixture
def _fail_missing_chromium():
    pytest.fail(f"MOTCUA_REQUIRE_BROWSER is set but Chromium is missing at {CHROMIUM}")


@pytest.fixture
def _fail_missing_nginx():
    pytest.fail(f"MOTCUA_REQUIRE_NGINX is set but nginx is missing at {NGINX}")


def pytest_runtest_logreport(report):
    # Under MOTCUA_FORBID_SKIPS a skipped test is a failed test: green must never mean "not run".
    if report.skipped and _required("MOTCUA_FORBID_SKIPS") and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped while MOTCUA_FORBID_SKIPS is set: {report.longrepr}"
