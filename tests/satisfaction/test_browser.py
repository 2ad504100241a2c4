"""The citizen's rating and feedback pages in Chromium: usable on a 360 px phone with JavaScript off, and no
serious or critical axe-core violation."""
from pathlib import Path

import pytest

from satisfaction.models import Feedback, Rating
from tests.conftest import CHROMIUM, launch_chromium


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread; the ORM calls the fixtures make are still
    synchronous. Set for this module only, so nothing leaks into later tests or their subprocesses."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def phone(chromium):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="vi-VN")
    return context.new_page()


def no_horizontal_scroll(tab, chromium):
    # JavaScript is off in the phone tab: measure the same URL in a scripted tab of the same width.
    probe = chromium.new_context(viewport={"width": 360, "height": 740}).new_page()
    probe.goto(tab.url)
    width = probe.evaluate("document.documentElement.scrollWidth")
    probe.context.close()
    return width <= 360


def test_rating_and_feedback_on_a_phone_without_javascript(chromium, live_server, finish, clerk):
    dossier = finish()
    tab = phone(chromium)
    tab.goto(f"{live_server.url}/t/{dossier.tracking_token}/danh-gia/")
    assert no_horizontal_scroll(tab, chromium)
    for name, value in (("overall", "dissatisfied"), ("timeliness", "satisfied"), ("attitude", "dissatisfied"),
                        ("guidance", "satisfied"), ("extra_visits", "1")):
        tab.check(f'input[name="{name}"][value="{value}"]')
    tab.fill('textarea[name="comment"]', "Phải chờ lâu")
    with tab.expect_navigation():
        tab.click("button.rating-submit")
    assert "Đánh giá đã ghi nhận" in tab.content()
    assert Rating.objects.get().overall == "dissatisfied"

    with tab.expect_navigation():
        tab.click('button:has-text("Gửi phản ánh, kiến nghị")')
    assert no_horizontal_scroll(tab, chromium)
    tab.check('input[name="kind"][value="harassment"]')
    tab.fill('textarea[name="content"]', "Cán bộ yêu cầu giấy tờ ngoài quy định.")
    with tab.expect_navigation():
        tab.click("button.rating-submit")
    feedback = Feedback.objects.get()
    assert feedback.code in tab.content() and feedback.dossier_id == dossier.pk
    assert no_horizontal_scroll(tab, chromium)

    tab.goto(f"{live_server.url}/can-bo/{clerk.pk}/danh-gia/")
    assert no_horizontal_scroll(tab, chromium)
    tab.check('input[name="overall"][value="very_satisfied"]')
    tab.check('input[name="attitude"][value="very_satisfied"]')
    with tab.expect_navigation():
        tab.click("button.rating-submit")
    assert "Cảm ơn ông/bà đã đánh giá cán bộ" in tab.content()
    assert Rating.objects.filter(source="placard").count() == 1


def test_public_pages_pass_axe(chromium, live_server, finish, clerk):
    from axe_playwright_python.sync_playwright import Axe

    done, open_dossier = finish(), finish("in_progress")
    paths = [f"/t/{done.tracking_token}/danh-gia/", f"/t/{open_dossier.tracking_token}/danh-gia/",
             f"/can-bo/{clerk.pk}/danh-gia/", "/phan-anh/"]
    tab = chromium.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN").new_page()
    axe = Axe()
    problems = []
    for path in paths:
        tab.goto(live_server.url + path)
        results = axe.run(tab)
        problems += [f"{path}: {v['id']}" for v in results.response["violations"]
                     if v.get("impact") in ("serious", "critical")]
    assert problems == []
