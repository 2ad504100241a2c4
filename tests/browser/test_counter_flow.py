"""The counter in a real browser: a clerk receives a dossier, a specialist and a leader move it on, the clerk
returns the result. Only the login form, links, forms and buttons a person would use."""
import os
import re

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from dossiers.models import Dossier, State
from procedures.roles import Role
from tests.browser.signin import enrolled, log_in
from tests.factories import (
    AgencyFactory,
    OfficialFactory,
    ProcedureFactory,
    RequiredDocumentFactory,
    UserFactory,
)

from .conftest import screenshot_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def office():
    agency = AgencyFactory(code="000.00.06.H56", name="UBND phường Hoàn Kiếm")
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh", agencies=[agency], steps=True)
    RequiredDocumentFactory(procedure=procedure, order=1, name="Tờ khai đăng ký khai sinh", mandatory=True)
    RequiredDocumentFactory(procedure=procedure, order=2, name="Giấy chứng sinh", mandatory=True)
    ProcedureFactory(code="1.004227", name="Đăng ký biến động đất đai", agencies=[agency], steps=True, documents=1)

    def official(username, role, name):
        return OfficialFactory(user=UserFactory(username=username), agency=agency, roles=[role], display_name=name)

    return {
        "procedure": procedure,
        "clerk": official("tiepnhan", Role.RECEPTION, "Trần Thị Tiếp Nhận"),
        "specialist": official("chuyenvien", Role.SPECIALIST, "Lê Văn Chuyên Viên"),
        "leader": enrolled(official("lanhdao", Role.LEADER, "Nguyễn Văn Lãnh Đạo")),
    }


def shot(page, name):
    folder = screenshot_dir()
    if folder is not None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def log_out(page):
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()


def open_from_my_queue(page, code):
    page.get_by_role("link", name=code).click()
    page.wait_for_url(re.compile(r"/ho-so/\d+/$"))


def submit_action(page, action, button_name):
    section = page.locator(f"#action-{action}")
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    section.get_by_role("button", name=button_name).click()
    page.wait_for_load_state()


def test_receive_then_process_then_return(page, live_server, office):
    base = live_server.url
    log_in(page, base, "tiepnhan")
    shot(page, "worklist-1280")

    # Reception: pick the procedure by typing without accents (the JS filter), then the applicant and documents.
    page.get_by_role("link", name="Tiếp nhận hồ sơ mới").click()
    page.locator("#procedure-filter").fill("khai sinh")
    options = page.locator("#procedure-select option:not([hidden])")
    assert options.count() == 1
    page.locator("#procedure-select").select_option(label="1.001193 — Đăng ký khai sinh")
    page.get_by_role("button", name="Chọn thủ tục").click()
    # Keyboard-first: the name has the focus. Chromium applies autofocus at a rendering update that may come after
    # "load", so the check waits for it (a plain read of document.activeElement raced it on a loaded machine).
    expect(page.locator("[name=applicant_name]")).to_be_focused()
    page.keyboard.type("Phạm Thị Hoa")
    page.get_by_label("Số CCCD / mã số thuế").fill("001203004567")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.get_by_label(re.compile(r"^Địa chỉ")).fill("12 Hàng Bạc, Hoàn Kiếm, Hà Nội")
    page.get_by_role("button", name="Kiểm tra").click()
    assert page.get_by_text("Ngày hẹn trả kết quả nếu tiếp nhận ngay bây giờ").is_visible()
    shot(page, "receive-preview-1280")
    assert not Dossier.objects.exists()
    # Receiving opens the receipt (Mẫu 01) in a new tab for printing; the page offers the next reception.
    with page.context.expect_page() as receipt_tab:
        page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    page.wait_for_url(re.compile(r"/ho-so/\d+/$"))
    dossier = Dossier.objects.get()
    assert receipt_tab.value.url.endswith(reverse("forms:receipt", args=[dossier.pk]))
    receipt_tab.value.close()
    assert page.get_by_role("link", name="Tiếp nhận hồ sơ khác").is_visible()
    assert page.get_by_text(f"Đã tiếp nhận hồ sơ {dossier.code}").is_visible()
    shot(page, "detail-1280")

    receipt = page.get_by_role("link", name="In giấy tiếp nhận (Mẫu 01)")
    try:
        reverse("forms:receipt", args=[dossier.pk])
    except NoReverseMatch:
        assert receipt.count() == 0
    else:
        response = page.request.get(base + receipt.get_attribute("href"))
        assert response.ok
        assert response.headers["content-type"].startswith("application/pdf")

    # The clerk forwards to the specialist.
    page.locator("#action-forward").get_by_label(re.compile("Người nhận ở bước")).select_option(
        label="Lê Văn Chuyên Viên — Chuyên viên")
    submit_action(page, "forward", "Chuyển bước tiếp theo")
    assert page.get_by_text("Đã chuyển hồ sơ sang bước tiếp theo.").is_visible()
    log_out(page)

    # The specialist finds it in "Của tôi" and forwards to the leaders' approval step, unassigned.
    log_in(page, base, "chuyenvien")
    open_from_my_queue(page, dossier.code)
    submit_action(page, "forward", "Chuyển bước tiếp theo")
    log_out(page)

    # A leader approves: forwards to the return step, giving it to the clerk.
    log_in(page, base, "lanhdao")
    open_from_my_queue(page, dossier.code)
    page.locator("#action-forward").get_by_label(re.compile("Người nhận ở bước")).select_option(
        label="Trần Thị Tiếp Nhận — Chuyên viên")
    submit_action(page, "forward", "Chuyển bước tiếp theo")
    log_out(page)

    # The clerk marks it processed, then returns the result.
    log_in(page, base, "tiepnhan")
    open_from_my_queue(page, dossier.code)
    submit_action(page, "mark_processed", "Xác nhận đã có kết quả")
    assert page.get_by_text("Đã xác nhận hồ sơ có kết quả").is_visible()
    submit_action(page, "return_result", "Trả kết quả cho công dân")
    assert page.get_by_text("Đã trả kết quả cho công dân.").is_visible()
    dossier.refresh_from_db()
    assert dossier.state == State.RETURNED
    assert [r.step.name for r in dossier.step_records.order_by("id")] == [
        "Tiếp nhận hồ sơ", "Thẩm định hồ sơ", "Phê duyệt kết quả", "Trả kết quả"]
    assert page.locator("#timeline tbody tr td:first-child").all_inner_texts() == [
        "Tiếp nhận hồ sơ", "Thẩm định hồ sơ", "Phê duyệt kết quả", "Trả kết quả"]


def test_scanner_input_opens_the_dossier_and_pages_fit_a_phone(phone_page, live_server, office):
    from dossiers import links, services
    from tests.dossiers.conftest import applicant, documents_for

    page = phone_page
    base = live_server.url
    dossier = services.receive(actor=office["clerk"].user, procedure_id=office["procedure"].pk,
                               applicant=applicant(), documents=documents_for(office["procedure"]))
    log_in(page, base, "tiepnhan")
    # A barcode scanner "types" the QR's URL and presses Enter in the autofocused search box (once it has the focus).
    expect(page.locator("input[name=q]")).to_be_focused()
    page.keyboard.type(links.tracking_url(dossier.tracking_token))
    page.keyboard.press("Enter")
    page.wait_for_url(base + f"/ho-so/{dossier.pk}/")
    for path, name in ((f"/ho-so/{dossier.pk}/", "detail-360"), ("/ho-so/?tab=all", "worklist-360"),
                       (f"/ho-so/tiep-nhan/?procedure={office['procedure'].pk}", "receive-360")):
        page.goto(base + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"
        shot(page, name)


def test_a_scanned_id_card_fills_the_reception_form(page, live_server, office):
    base = live_server.url
    log_in(page, base, "tiepnhan")
    page.goto(base + f"/ho-so/tiep-nhan/?procedure={office['procedure'].pk}")
    # The scanner types into the focused first field (the name) and ends with Enter: no submit, fields filled.
    # Chromium applies autofocus at a rendering update that may come after "load": typing before it loses keys.
    expect(page.locator("[name=applicant_name]")).to_be_focused()
    page.keyboard.type("001203004567|012345678|Phạm Thị Hoa|15081990|Nữ|12 Hàng Bạc, Hoàn Kiếm, Hà Nội|01072021")
    page.keyboard.press("Enter")
    # expect() polls from Playwright's own world: a string predicate would be eval'd, which the CSP forbids.
    expect(page.locator("[name=applicant_id_number]")).to_have_value("001203004567")
    assert page.get_by_label("Họ tên người nộp / tên tổ chức").input_value() == "Phạm Thị Hoa"
    assert page.get_by_label(re.compile(r"^Địa chỉ")).input_value() == "12 Hàng Bạc, Hoàn Kiếm, Hà Nội"
    assert page.get_by_label("Ngày sinh").input_value() == "15/08/1990"
    expect(page.locator("[name=applicant_phone]")).to_be_focused()
    assert not Dossier.objects.exists() and "/ho-so/tiep-nhan/?procedure=" in page.url
    # A malformed string in the dedicated field says so, and fills nothing.
    page.get_by_label("Quét mã QR trên thẻ căn cước").fill("001203004567|Phạm Thị Hoa")
    page.get_by_label("Quét mã QR trên thẻ căn cước").press("Enter")
    page.locator("#cccd-scan-status", has_text="7 phần").wait_for()


def test_search_from_the_default_tab_finds_a_dossier_of_another_tab(page, live_server, office):
    from dossiers import services
    from tests.dossiers.conftest import applicant, documents_for

    dossier = services.receive(actor=office["clerk"].user, procedure_id=office["procedure"].pk,
                               applicant=applicant(name="Đỗ Thị Lan"), documents=documents_for(office["procedure"]))
    log_in(page, live_server.url, "chuyenvien")  # not in the specialist's queue: "Của tôi" is empty
    assert page.locator(".tabs [aria-current=page]").inner_text().startswith("Của tôi")
    page.get_by_label("Tìm hồ sơ").fill("do thi lan")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name=dossier.code).count() == 0  # a specialist sees only what they handle
    log_out(page)
    log_in(page, live_server.url, "lanhdao")
    page.get_by_label("Tìm hồ sơ").fill("khai sinh")  # the procedure's name, from the default tab
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name=dossier.code).is_visible()


def test_destructive_action_asks_for_confirmation(page, live_server, office):
    from dossiers import services
    from tests.dossiers.conftest import applicant, documents_for

    dossier = services.receive(actor=office["clerk"].user, procedure_id=office["procedure"].pk,
                               applicant=applicant(), documents=documents_for(office["procedure"]))
    log_in(page, live_server.url, "tiepnhan")
    page.goto(live_server.url + f"/ho-so/{dossier.pk}/")
    section = page.locator("#action-withdraw")
    section.locator("summary").click()
    section.get_by_label(re.compile("Lý do rút hồ sơ")).fill("Công dân xin rút")
    section.get_by_label(re.compile("Tôi xác nhận")).check()
    asked, posts = [], []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)

    def dismiss(dialog):
        asked.append((dialog.type, dialog.message))
        dialog.dismiss()

    page.once("dialog", dismiss)
    with page.expect_event("dialog"):
        section.get_by_role("button", name="Công dân rút hồ sơ").click()
    assert len(asked) == 1 and asked[0][0] == "confirm" and asked[0][1]  # the browser asked before sending
    assert Dossier.objects.get(pk=dossier.pk).state == State.RECEIVED
    page.once("dialog", lambda dialog: dialog.accept())
    section.get_by_role("button", name="Công dân rút hồ sơ").click()
    page.wait_for_load_state()
    assert page.get_by_text("Đã ghi nhận công dân rút hồ sơ.").is_visible()
    assert len(posts) == 1  # the dismissed click sent nothing; only the confirmed one was posted
    assert Dossier.objects.get(pk=dossier.pk).state == State.WITHDRAWN


if os.environ.get("MOTCUA_BROWSER_SELFTEST_FAIL"):
    def test_failure_leaves_a_screenshot(page, live_server):
        """Run with MOTCUA_BROWSER_SELFTEST_FAIL=1 to see test-artifacts/ filled by a failing test."""
        page.goto(live_server.url + "/")
        raise AssertionError("deliberate failure")
