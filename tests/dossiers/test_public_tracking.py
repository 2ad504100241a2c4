"""The public tracking page /t/<token>/: what a QR holder sees, and what they must never see."""
import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dossiers import services
from dossiers.models import DossierEvent
from tests.dossiers.conftest import BUILDABLE_STATES, EXTENSION_DUE, vn
from tests.dossiers.public_support import MASKED_NAME, leaked

pytestmark = pytest.mark.django_db


def page(client, dossier, kiosk=False):
    prefix = "/kiosk/t/" if kiosk else "/t/"
    response = client.get(f"{prefix}{dossier.tracking_token}/")
    assert response.status_code == 200
    return response, response.content.decode()


def local(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


def timeline(html: str) -> list[tuple[str, str]]:
    """(status, step name) for every row of the timeline, in page order."""
    return re.findall(r'<li class="timeline-step is-(\w+)"[^>]*>\s*<span class="timeline-name">([^<]+)</span>', html)


@pytest.mark.parametrize("state", list(BUILDABLE_STATES))
@pytest.mark.parametrize("kiosk", [False, True], ids=["web", "kiosk"])
def test_page_shows_code_masked_name_and_appointment_but_no_personal_data(client, build_dossier, state, kiosk):
    dossier = build_dossier(state)
    _response, html = page(client, dossier, kiosk=kiosk)
    assert leaked(html) == []
    assert dossier.code in html
    assert MASKED_NAME in html
    assert dossier.procedure.name in html
    assert dossier.get_state_display() in html
    if state != "refused":
        assert local(dossier.due_at) in html
    assert dossier.agency.address in html and dossier.agency.phone in html


def test_in_progress_timeline_marks_done_current_and_pending_steps(client, build_dossier, procedure):
    dossier = build_dossier("in_progress")
    _response, html = page(client, dossier)
    names = [step.name for step in procedure.steps.order_by("order")]
    assert timeline(html) == [("done", names[0]), ("current", names[1]), ("pending", names[2]), ("pending", names[3])]
    assert html.count('aria-current="step"') == 1
    assert "Chưa đến bước này" in html
    reception = dossier.step_records.get(step__order=1)
    assert local(reception.started_at) in html and local(reception.finished_at) in html
    # Received on 09/03/2026 and still open long after its appointment: overdue, said plainly.
    assert "Quá hạn" in html


def test_finished_dossier_shows_every_step_done_with_timeliness(client, build_dossier):
    dossier = build_dossier("returned")
    _response, html = page(client, dossier)
    assert [status for status, _name in timeline(html)] == ["done"] * 4
    assert html.count("Trước hạn") + html.count("Đúng hạn") >= 4
    assert "Giải quyết đúng hạn" in html
    assert local(dossier.returned_at) in html


def test_sent_back_step_is_pending_again(client, build_dossier, leader, procedure):
    dossier = build_dossier("in_progress_last")
    steps = list(procedure.steps.order_by("order"))
    services.send_back(dossier_id=dossier.pk, actor=leader.user, to_step_id=steps[1].pk, reason="Sai số liệu",
                       now=vn(2026, 3, 9, 11, 0))
    _response, html = page(client, dossier)
    assert [status for status, _name in timeline(html)] == ["done", "current", "pending", "pending"]
    assert "Sai số liệu" not in html  # a send-back reason is an internal note


@pytest.mark.parametrize("state, note", [
    ("supplement_requested", "Bản sao sổ đỏ"),
    ("awaiting_payment", "Lệ phí cấp giấy"),
    ("stopped", "Có tranh chấp"),
    ("refused", "Thiếu tờ khai"),
    ("withdrawn", "Công dân xin rút"),
])
def test_public_events_show_their_public_notes(client, build_dossier, state, note):
    dossier = build_dossier(state)
    _response, html = page(client, dossier)
    assert note in html
    event = dossier.events.filter(is_public=True).last()
    assert event.get_kind_display() in html


def test_internal_events_notes_and_officials_stay_hidden(client, build_dossier, clerk, specialist, leader):
    dossier = build_dossier("received")
    services.assign(dossier_id=dossier.pk, actor=clerk.user, assignee_id=clerk.pk, note="Ưu tiên, người quen",
                    now=vn(2026, 3, 9, 9, 10))
    services.forward(dossier_id=dossier.pk, actor=clerk.user, assignee_id=specialist.pk,
                     note="Ghi chú nội bộ: kiểm tra kỹ", now=vn(2026, 3, 9, 9, 30))
    services.request_extension(dossier_id=dossier.pk, actor=specialist.user, reason="Lý do nội bộ chờ xác minh",
                               proposed_due_at=EXTENSION_DUE, now=vn(2026, 3, 9, 10, 0))
    assert DossierEvent.objects.filter(dossier=dossier, is_public=False).count() == 2
    _response, html = page(client, dossier)
    for secret in ("Ưu tiên, người quen", "Ghi chú nội bộ", "Lý do nội bộ", "Phân công xử lý", "Đề nghị gia hạn"):
        assert secret not in html
    for official in (clerk, specialist, leader):
        assert official.display_name not in html
    assert "Chuyển bước xử lý" in html  # the public event of the forward, without its note


def test_approved_extension_shows_the_new_appointment(client, build_dossier, leader):
    dossier = build_dossier("in_progress", extension=True)
    extension = dossier.extensions.get()
    services.approve_extension(extension_id=extension.pk, actor=leader.user, now=vn(2026, 3, 9, 10, 15))
    _response, html = page(client, dossier)
    assert "Gia hạn, hẹn lại ngày trả" in html
    assert local(EXTENSION_DUE) in html
    assert "Chờ xác minh" in html  # the apology's reason is part of the public note


@pytest.mark.parametrize("state, invited", [
    ("returned", True), ("refused", True), ("stopped", True),
    ("received", False), ("in_progress", False), ("processed", False), ("withdrawn", False),
])
def test_rating_invitation_appears_once_the_dossier_ended(client, build_dossier, state, invited):
    dossier = build_dossier(state)
    _response, html = page(client, dossier)
    link = f'href="/t/{dossier.tracking_token}/danh-gia/"'
    assert (link in html) is invited
    assert ("Đánh giá mức độ hài lòng" in html) is invited


def test_headers_keep_the_page_private_fresh_and_unindexed(client, build_dossier):
    dossier = build_dossier("in_progress")
    response, html = page(client, dossier)
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-cache" in cache_control
    assert "public" not in cache_control
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"
    assert '<meta name="robots" content="noindex, nofollow">' in html


@pytest.mark.parametrize("path", ["/t/KhongCoMaNay123/", "/kiosk/t/KhongCoMaNay123/"])
def test_unknown_token_is_a_friendly_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy hồ sơ" in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_malformed_token_is_404(client, db):
    assert client.get("/t/a/").status_code == 404
    assert client.get("/t/" + "x" * 40 + "/").status_code == 404


def test_only_get_is_allowed(client, build_dossier):
    dossier = build_dossier("received")
    assert client.post(f"/t/{dossier.tracking_token}/").status_code == 405


def _supplement_cycles(dossier, specialist, count):
    """Each cycle adds two public events (request and fulfilment) through the services."""
    for cycle in range(count):
        start = vn(2026, 3, 10 + cycle, 9, 0)
        services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, missing=f"Giấy tờ {cycle}",
                                    reply_by=start.date() + datetime.timedelta(days=5), now=start)
        services.fulfil_supplement(dossier_id=dossier.pk, actor=specialist.user, now=start + datetime.timedelta(hours=1))


def test_query_count_is_flat_in_the_number_of_events(client, build_dossier, specialist, django_assert_max_num_queries):
    few, many = build_dossier("in_progress"), build_dossier("in_progress")
    _supplement_cycles(many, specialist, 5)
    assert few.events.filter(is_public=True).count() == 2
    assert many.events.filter(is_public=True).count() == 12
    counts = []
    for dossier in (few, many):
        with django_assert_max_num_queries(5), CaptureQueriesContext(connection) as queries:
            page(client, dossier)
        counts.append(len(queries))
    assert counts[0] == counts[1]


ASSET_RE = re.compile(r'<(?:link|script|img)\b[^>]*\b(?:href|src)="([^"]+)"')


@pytest.mark.parametrize("kiosk", [False, True], ids=["web", "kiosk"])
def test_page_is_light_and_self_contained(client, build_dossier, specialist, kiosk):
    """HTML plus every stylesheet, script and image it loads stays under 100 KB, all served by the portal."""
    dossier = build_dossier("in_progress")
    _supplement_cycles(dossier, specialist, 5)
    _response, html = page(client, dossier, kiosk=kiosk)
    assets = ASSET_RE.findall(html)
    assert any(url.endswith(".css") for url in assets)
    total = len(html.encode())
    for url in assets:
        assert url.startswith(settings.STATIC_URL), f"external or non-static asset: {url}"
        found = finders.find(url[len(settings.STATIC_URL):])
        assert found, url
        total += Path(found).stat().st_size
    assert total < 100_000, total


@pytest.mark.parametrize(("state", "words"), [
    ("supplement_requested", ["Việc cần làm: bổ sung hồ sơ trước hết ngày", "Nộp tại bộ phận một cửa"]),
    ("awaiting_payment", ["Việc cần làm: nộp", "đồng"]),
    ("processed", ["Việc cần làm: nhận kết quả, từ", "Nhận tại bộ phận một cửa của"]),
    ("in_progress", ["Ông/bà chưa cần làm gì", "hẹn trả kết quả lúc"]),
])
def test_the_page_says_what_to_do_next_and_by_when(client, build_dossier, state, words):
    dossier = build_dossier(state)
    _response, html = page(client, dossier)
    task = html.split('id="next-task"')[1].split("</section>")[0]
    for word in words:
        assert word in task
    if state == "supplement_requested":
        request = dossier.supplement_requests.get()
        assert request.reply_by.strftime("%d/%m/%Y") in task and request.missing in task
    if state == "awaiting_payment":
        payment = dossier.payment_requests.get()
        assert f"{payment.amount:,.0f}".replace(",", ".") in task and payment.description in task
    if state == "processed":
        assert local(dossier.processed_at).split(" ")[0] in task and dossier.agency.name in task


@pytest.mark.parametrize("state", ["returned", "refused", "withdrawn"])
def test_a_finished_dossier_asks_nothing(client, build_dossier, state):
    _response, html = page(client, build_dossier(state))
    assert 'id="next-task"' not in html
