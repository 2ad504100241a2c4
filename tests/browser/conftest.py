"""Browser tests: a real Chromium (Debian's) driven through Playwright against pytest-django's live server.

A failing test leaves a full-page screenshot in test-artifacts/<test name>.png.
"""
import os
import re
from pathlib import Path

import pytest

from tests.conftest import launch_chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test item, so fixtures can tell at teardown whether the test failed.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would refuse its ORM calls here
    # (fixtures, the live server's flush) as "async unsafe" without this.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def _new_page(browser, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def page(browser, request):
    """A desktop-width page (1280 px); a screenshot is saved when the test fails."""
    page = _new_page(browser, 1280, 900)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def phone_page(browser, request):
    """A phone-width page (360 px); a screenshot is saved when the test fails."""
    page = _new_page(browser, 360, 740)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}-360.png"), full_page=True)


def screenshot_dir() -> Path | None:
    """MOTCUA_SCREENSHOTS=<dir> saves a screenshot of each page visited, for a human look at the layout."""
    value = os.environ.get("MOTCUA_SCREENSHOTS", "")
    if not value:
        return None
    path = Path(value)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def screens(browser, request):
    """screens(name, width, height) -> a new page; when the test fails, every screen it opened is saved as
    test-artifacts/<test>-<name>.png (the counter, the tracking page at 360 px, the leader dashboard at 1366 px…)."""
    opened = {}

    def open_screen(name: str, width: int, height: int):
        opened[name] = _new_page(browser, width, height)
        return opened[name]

    yield open_screen
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        for name, page in opened.items():
            page.screenshot(path=str(ARTIFACTS / f"{stem}-{name}.png"), full_page=True)
