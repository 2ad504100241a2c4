"""The screens a walk through the portal checks, at the sizes people use them: the counter at 1366 px, the
citizen's tracking page and the statistics at 360 px, the kiosk, and the leader's dashboard at 1366 px.

A failing test leaves a screenshot of every screen it opened in test-artifacts/ (the `screens` fixture)."""
import datetime
import os

import pytest

from dossiers import services
from dossiers.models import Dossier
from procedures.roles import Role
from tests.browser.signin import enrolled, log_in
from tests.dossiers.conftest import applicant, documents_for
from tests.factories import AgencyFactory, OfficialFactory, ProcedureFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = ("Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất "
             "lần đầu cho hộ gia đình, cá nhân")


@pytest.fixture
def office():
    agency = AgencyFactory(code="000.00.06.H56", name="UBND phường Hoàn Kiếm", address="126 Hàng Trống, Hoàn Kiếm")
    procedure = ProcedureFactory(code="1.001193", name=LONG_NAME, agencies=[agency], steps=True, documents=2)
    clerk = OfficialFactory(user=UserFactory(username="tiepnhan"), agency=agency, roles=[Role.RECEPTION],
                            display_name="Trần Thị Tiếp Nhận")
    specialist = OfficialFactory(user=UserFactory(username="chuyenvien"), agency=agency, roles=[Role.SPECIALIST])
    enrolled(OfficialFactory(user=UserFactory(username="lanhdao"), agency=agency, roles=[Role.LEADER]))
    dossiers = [services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(),
                                 documents=documents_for(procedure)) for _ in range(3)]
    first = dossiers[0]
    services.forward(dossier_id=first.pk, actor=clerk.user, assignee_id=specialist.pk,
                     expected_step_id=first.current_step_id)
    services.request_supplement(dossier_id=first.pk, actor=specialist.user, missing="Bản sao giấy chứng sinh",
                                reply_by=datetime.date.today() + datetime.timedelta(days=7))
    return {"agency": agency, "procedure": procedure, "dossier": Dossier.objects.get(pk=first.pk)}


def sideways_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_counter_tracking_and_leader_screens(screens, live_server, office):
    base = live_server.url
    counter = screens("counter-1366", 1366, 768)
    log_in(counter, base, "tiepnhan")
    counter.goto(base + f"/ho-so/tiep-nhan/?procedure={office['procedure'].pk}")
    assert counter.get_by_label("Quét mã QR trên thẻ căn cước").is_visible()
    assert sideways_overflow(counter) <= 0

    # The citizen's phone: what to do next and by when, nothing wider than the screen.
    tracking = screens("tracking-360", 360, 740)
    tracking.goto(base + f"/t/{office['dossier'].tracking_token}/")
    task = tracking.locator("#next-task")
    assert task.is_visible() and "Bản sao giấy chứng sinh" in task.inner_text()
    assert sideways_overflow(tracking) <= 0

    # The leader's dashboard uses the width of a 1366 px screen; long names are short with the full one on hover.
    leader = screens("leader-1366", 1366, 768)
    log_in(leader, base, "lanhdao")
    leader.goto(base + "/thong-ke/lanh-dao/")
    width = leader.evaluate("document.querySelector('main .container').getBoundingClientRect().width")
    assert width >= 1300, width
    short = leader.locator(f'.short-text[title$="{LONG_NAME}"]').first
    assert short.is_visible() and len(short.inner_text()) <= 60
    clipped = leader.evaluate("""[...document.querySelectorAll('thead th')]
        .filter(th => th.scrollWidth > th.clientWidth + 1).map(th => th.textContent)""")
    assert clipped == []


def test_statistics_text_is_readable_at_360(screens, live_server, office):
    page = screens("statistics-360", 360, 740)
    page.goto(live_server.url + "/thong-ke/")
    sizes = page.evaluate("""[...document.querySelectorAll('svg.chart text')]
        .map(t => t.getBoundingClientRect().height).filter(h => h > 0)""")
    assert sizes and min(sizes) >= 11, sizes
    assert sideways_overflow(page) <= 0


def test_the_kiosk_bar_never_covers_a_button(screens, live_server, office):
    page = screens("kiosk-360", 360, 640)
    page.goto(live_server.url + f"/kiosk/t/{office['dossier'].tracking_token}/")
    covered = page.evaluate("""() => {
        const bar = document.querySelector('.kiosk-footer').getBoundingClientRect();
        const out = [];
        for (const el of document.querySelectorAll('main a, main button')) {
            el.scrollIntoView({block: 'end'});
            const box = el.getBoundingClientRect();
            if (box.height && box.bottom > bar.top + 1) out.push(el.textContent.trim());
        }
        return out;
    }""")
    assert covered == []


if os.environ.get("MOTCUA_BROWSER_SELFTEST_FAIL"):
    def test_failure_leaves_the_three_screens(screens, live_server, office):
        """MOTCUA_BROWSER_SELFTEST_FAIL=1: a failing test leaves counter, tracking and leader screenshots."""
        for name, width, height, path in (("counter-1366", 1366, 768, "/ho-so/"), ("leader-1366", 1366, 768, "/thong-ke/"),
                                          ("tracking-360", 360, 740, f"/t/{office['dossier'].tracking_token}/")):
            screens(name, width, height).goto(live_server.url + path)
        raise AssertionError("deliberate failure")
