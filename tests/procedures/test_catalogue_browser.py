"""The public pages in a real Chromium at phone width: nothing overflows, no serious accessibility violation."""
import os
from decimal import Decimal

import pytest

from procedures.models import TimeUnit
from tests.conftest import launch_chromium
from tests.factories import AgencyFactory, FieldFactory, ProcedureFactory, RequiredDocumentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("MOTCUA_SCREENSHOTS", "")


@pytest.fixture
def seeded():
    field = FieldFactory(name="Hộ tịch")
    agencies = [AgencyFactory(name="UBND xã Đông Anh", address="Số 1 đường Cao Lỗ, xã Đông Anh, Hà Nội")]
    birth = ProcedureFactory(
        code="1.001193", name="Đăng ký khai sinh", field=field, agencies=agencies, steps=True, fee=Decimal("0"),
        legal_basis="Luật Hộ tịch năm 2014; Nghị định số 123/2015/NĐ-CP.", result_document="Giấy khai sinh",
    )
    RequiredDocumentFactory(procedure=birth, name="Tờ khai đăng ký khai sinh theo mẫu", copies=1)
    RequiredDocumentFactory(procedure=birth, name="Giấy chứng sinh do cơ sở y tế cấp", mandatory=True)
    ProcedureFactory(
        code="1.004227", name="Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất do thay đổi thông tin",
        field=FieldFactory(name="Đất đai"), agencies=agencies, time_limit=Decimal("10"), fee=Decimal("1250000"),
    )
    ProcedureFactory(name="Chứng thực bản sao từ bản chính", field=field, agencies=agencies,
                     time_limit=Decimal("4"), time_unit=TimeUnit.WORKING_HOURS, fee=Decimal("2000"))
    return birth


@pytest.fixture
def page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the live server's teardown flushes the
    # database from it, which Django would otherwise refuse as "async unsafe".
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
        yield context.new_page()
        browser.close()


def assert_fits_and_accessible(page, name: str):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px at 360px"
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{name}: {serious}"
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_public_pages_fit_a_360px_phone(live_server, seeded, page):
    page.goto(live_server.url + "/")
    assert_fits_and_accessible(page, "home")

    page.fill("#home-q", "dang ky khai sinh")
    page.click("form.hero-search button")
    assert page.locator("table.table tbody tr").count() == 1
    assert_fits_and_accessible(page, "catalogue-search")

    page.goto(live_server.url + "/thu-tuc/")
    assert page.locator("table.table tbody tr").count() == 3
    assert_fits_and_accessible(page, "catalogue")

    page.click("text=Đăng ký khai sinh")
    assert page.locator("h1").inner_text() == "Đăng ký khai sinh"
    assert_fits_and_accessible(page, "detail")

    page.goto(live_server.url + "/accounts/login/?next=/")
    assert_fits_and_accessible(page, "login")


def test_skip_link_and_language_switch_work_by_keyboard(live_server, seeded, page):
    page.goto(live_server.url + "/thu-tuc/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # visible once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.click("button[name=language][value=en]")
    assert page.url == live_server.url + "/thu-tuc/"
    assert page.evaluate("document.documentElement.lang") == "en"


def test_print_hides_the_header_navigation_and_forms(live_server, seeded, page):
    page.goto(live_server.url + "/thu-tuc/1.001193/")
    page.emulate_media(media="print")
    for selector in (".site-header", ".site-nav", ".site-footer", ".lang-switch"):
        assert not page.locator(selector).is_visible(), selector
    assert page.locator("h1").is_visible()
