"""The whole online journey in a real browser: a citizen files on a 360 px phone with uploads and the one-time
code, a clerk receives it from the online inbox, the office asks for a supplement, the citizen uploads it from the
tracking link, the clerk accepts it, and the citizen downloads the electronic result."""
import datetime
import re

import pytest
from playwright.sync_api import expect

from dossiers import services as dossier_services
from online.models import OnlineSubmission
from procedures.roles import Role
from tests.browser.signin import log_in
from tests.factories import AgencyFactory, OfficialFactory, ProcedureFactory, RequiredDocumentFactory, UserFactory
from tests.online.conftest import image_bytes, last_code, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def office():
    agency = AgencyFactory(code="000.00.06.H56", name="UBND phường Hoàn Kiếm",
                           payment_details="Kho bạc Nhà nước, STK 3511.0.1234567")
    procedure = ProcedureFactory(code="1.004873", name="Cấp Giấy xác nhận tình trạng hôn nhân", agencies=[agency],
                                 steps=True, online_enabled=True, fee=0)
    RequiredDocumentFactory(procedure=procedure, order=1, name="Tờ khai theo mẫu", mandatory=True)
    RequiredDocumentFactory(procedure=procedure, order=2, name="Bản án ly hôn (nếu có)", mandatory=False)

    def official(username, role, name):
        return OfficialFactory(user=UserFactory(username=username), agency=agency, roles=[role], display_name=name)

    return {"procedure": procedure, "clerk": official("tiepnhan", Role.RECEPTION, "Trần Thị Tiếp Nhận"),
            "specialist": official("chuyenvien", Role.SPECIALIST, "Lê Văn Chuyên Viên"),
            "leader": official("lanhdao", Role.LEADER, "Nguyễn Văn Lãnh Đạo")}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_file_receive_supplement_and_download_the_result(phone_page, page, live_server, office, tmp_path):
    base = live_server.url
    citizen = phone_page
    form_pdf, photo_1, photo_2 = tmp_path / "to-khai.pdf", tmp_path / "trang-1.jpg", tmp_path / "trang-2.png"
    form_pdf.write_bytes(pdf_bytes())
    photo_1.write_bytes(image_bytes("JPEG"))
    photo_2.write_bytes(image_bytes("PNG"))

    # The citizen finds the procedure and files it on a phone.
    citizen.goto(f"{base}/thu-tuc/1.004873/")
    citizen.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    citizen.get_by_label("Họ tên người nộp / tên tổ chức").fill("Nguyễn Văn An")
    citizen.get_by_label("Số CCCD / mã số thuế").fill("001203004567")
    citizen.get_by_label("Số điện thoại").fill("0912345678")
    citizen.get_by_role("textbox", name="Thư điện tử").fill("an@example.vn")
    citizen.locator("#id_applicant_address").fill("12 Hàng Bạc, Hoàn Kiếm")
    citizen.get_by_label("Tờ khai theo mẫu").set_input_files([str(photo_1), str(photo_2)])
    assert fits_the_screen(citizen)
    citizen.get_by_role("button", name="Gửi hồ sơ").click()
    citizen.wait_for_url(re.compile(r"/nop-truc-tuyen/theo-doi/[A-Za-z0-9_-]+/$"))
    status_url = citizen.url

    # The one-time code, as read in the e-mail, makes the filing visible to the office.
    citizen.get_by_role("textbox", name="Mã xác nhận").fill(last_code("an@example.vn"))
    citizen.get_by_role("button", name="Xác nhận").click()
    expect(citizen.locator("#state-title")).to_contain_text("Mới đăng ký")
    assert fits_the_screen(citizen)

    # The clerk receives it from the online inbox.
    log_in(page, base, "tiepnhan")
    page.get_by_role("link", name="Hồ sơ trực tuyến").click()
    expect(page.locator("td.waited")).to_contain_text("giờ làm việc")
    page.get_by_role("link", name="Nguyễn Văn An").click()
    expect(page.get_by_role("link", name="trang-1.jpg")).to_be_visible()
    page.get_by_role("button", name="Tiếp nhận").click()
    page.wait_for_url(re.compile(r"/ho-so/\d+/$"))
    dossier = OnlineSubmission.objects.get().dossier
    assert dossier.channel == "online"
    expect(page.locator("body")).to_contain_text(dossier.code)

    # The office asks for a supplement (the dossier's own lifecycle, tested in the counter journey).
    clerk, specialist = office["clerk"].user, office["specialist"]
    dossier_services.forward(dossier_id=dossier.pk, actor=clerk, assignee_id=specialist.pk)
    dossier_services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, missing="Tờ khai có chữ ký",
                                        reply_by=datetime.date.today() + datetime.timedelta(days=5))

    # The citizen uploads it from the tracking link.
    citizen.goto(status_url)
    expect(citizen.locator("#supplement-title")).to_be_visible()
    expect(citizen.locator("body")).to_contain_text(dossier.code)
    citizen.get_by_label("Tờ khai theo mẫu").set_input_files(str(form_pdf))
    citizen.get_by_role("button", name="Gửi tệp").click()
    expect(citizen.locator(".messages")).to_contain_text("Đã gửi tệp")
    assert fits_the_screen(citizen)

    # The clerk sees it in the inbox and accepts it: processing resumes.
    page.get_by_role("link", name="Hồ sơ trực tuyến").click()
    page.get_by_role("link", name="Nguyễn Văn An").click()
    page.get_by_role("button", name="Đã nhận đủ bổ sung").click()
    expect(page.locator(".messages")).to_contain_text("tiếp tục được giải quyết")
    dossier.refresh_from_db()
    assert dossier.state == "in_progress"

    # The result is ready and registered; the citizen downloads its signed electronic copy.
    dossier_services.forward(dossier_id=dossier.pk, actor=specialist.user)
    dossier_services.forward(dossier_id=dossier.pk, actor=office["leader"].user)
    dossier_services.mark_processed(dossier_id=dossier.pk, actor=clerk)
    dossier_services.register_result_document(dossier_id=dossier.pk, actor=clerk, number="15/XN",
                                              issued_on=datetime.date.today(), signer="Nguyễn Văn Lãnh Đạo")
    citizen.goto(status_url)
    link = citizen.get_by_role("link", name="Văn bản số 15/XN")
    expect(link).to_be_visible()
    result = citizen.request.get(base + link.get_attribute("href"))
    assert result.ok and result.headers["content-type"] == "application/pdf" and result.body().startswith(b"%PDF")
