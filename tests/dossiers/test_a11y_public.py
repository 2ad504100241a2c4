"""Every public page of the citizen's side: valid HTML (W3C Nu validator), no serious or critical axe-core
violation in Chromium, and no horizontal scrolling on a 360 px wide phone.

Both need tools outside Python: Debian's chromium (make browser-deps) and vnu.jar (tests/tools/get_vnu.sh).
They are marked `browser`; with MOTCUA_REQUIRE_BROWSER set, a missing tool fails the run instead of skipping.
"""
import datetime
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from dossiers import services
from tests.conftest import CHROMIUM, launch_chromium
from tests.dossiers.conftest import vn


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread; the ORM calls the fixtures make are still
    synchronous. Set for this module only, so nothing leaks into later tests or their subprocesses."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / ".tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
BLOCKING_IMPACTS = {"serious", "critical"}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class PublicPage:
    name: str
    path: str
    status: int = 200
    form: dict | None = None  # fields to fill and submit on `path` before checking the page it leads to


@pytest.fixture
def public_pages(build_dossier, clerk) -> list[PublicPage]:
    """One instance of every public screen, with data behind it."""
    open_dossier = build_dossier("in_progress")
    services.request_supplement(dossier_id=open_dossier.pk, actor=open_dossier.current_assignee.user,
                                missing="Bản sao giấy chứng nhận quyền sử dụng đất", reply_by=datetime.date(2026, 3, 20),
                                now=vn(2026, 3, 9, 10, 0))
    done = build_dossier("returned")
    document = services.register_result_document(
        dossier_id=done.pk, actor=clerk.user, number="125/GCN-UBND", issued_on=datetime.date(2026, 3, 9),
        signer="Phạm Văn Ký", title="Giấy chứng nhận", now=vn(2026, 3, 9, 11, 30))
    code = open_dossier.code
    return [
        PublicPage("tracking", f"/t/{open_dossier.tracking_token}/"),
        PublicPage("tracking returned", f"/t/{done.tracking_token}/"),
        PublicPage("tracking unknown", "/t/KhongCoMaNay123/", status=404),
        PublicPage("lookup", "/tra-cuu/"),
        PublicPage("lookup not found", "/tra-cuu/", form={"code": code, "last_digits": "0000"}),
        PublicPage("kiosk start", "/kiosk/"),
        PublicPage("kiosk digits", "/kiosk/", form={"scan": code}),
        PublicPage("kiosk tracking", f"/kiosk/t/{open_dossier.tracking_token}/"),
        PublicPage("kiosk unknown", "/kiosk/t/KhongCoMaNay123/", status=404),
        PublicPage("verify form", "/xac-thuc/"),
        PublicPage("verify ok", f"/xac-thuc/{document.verification_token}/"),
        PublicPage("verify missing", "/xac-thuc/KhongCoVanBanNay/", status=404),
        PublicPage("not found", "/khong-co-trang-nay/", status=404),
    ]


def _require(available: bool, what: str):
    if available:
        return
    if os.environ.get("MOTCUA_REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail(f"MOTCUA_REQUIRE_BROWSER is set but {what} is missing")
    pytest.skip(f"{what} is missing")


# --- W3C Nu validator ---------------------------------------------------------------------------------------


def _html_of(client, page: PublicPage) -> str:
    if page.form:
        response = client.post(page.path, page.form)
    else:
        response = client.get(page.path)
    assert response.status_code == page.status, page.name
    return response.content.decode()


def test_every_public_page_is_valid_html(client, public_pages):
    _require(VNU_JAR.is_file(), f"vnu.jar ({VNU_JAR}; run tests/tools/get_vnu.sh)")
    _require(subprocess.run(["java", "-version"], capture_output=True).returncode == 0, "java")
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for index, page in enumerate(public_pages):
            path = Path(folder) / f"page{index}.html"
            path.write_text(_html_of(client, page), encoding="utf-8")
            files[path.as_uri()] = page.name
        run = subprocess.run(["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, sorted(
            Path(folder).glob("*.html")))], capture_output=True, text=True, timeout=300)
    report = json.loads(run.stderr or run.stdout)
    errors = [f"{files.get(message.get('url'), message.get('url'))}: line {message.get('lastLine')}: {message['message']}"
              for message in report["messages"]]
    assert errors == []
    assert run.returncode == 0


# --- Chromium: axe-core and the 360 px layout ---------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    _require(Path(CHROMIUM).exists(), f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def _open(tab, base_url: str, page: PublicPage):
    response = tab.goto(base_url + page.path)
    if page.form:
        for name, value in page.form.items():
            tab.fill(f'[name="{name}"]', value)
        with tab.expect_navigation():
            tab.click('button[type="submit"]')
        return
    assert response.status == page.status, page.name


def test_every_public_page_passes_axe(browser, live_server, public_pages):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    tab = context.new_page()
    problems = {}
    try:
        for page in public_pages:
            _open(tab, live_server.url, page)
            violations = axe.run(tab).response["violations"]
            blocking = [f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']]}"
                        for v in violations if v.get("impact") in BLOCKING_IMPACTS]
            if blocking:
                problems[page.name] = blocking
    finally:
        context.close()
    assert problems == {}


def test_no_public_page_scrolls_sideways_at_360_px(browser, live_server, public_pages):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="vi-VN")
    tab = context.new_page()
    widths = {}
    try:
        for page in public_pages:
            _open(tab, live_server.url, page)
            widths[page.name] = tab.evaluate("document.scrollingElement.scrollWidth")
            # The stylesheets really loaded: an unstyled page would pass this check for the wrong reason.
            assert tab.evaluate("getComputedStyle(document.body).display") == "flex", page.name
    finally:
        context.close()
    assert {name: width for name, width in widths.items() if width > 360} == {}
