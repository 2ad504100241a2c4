"""The statistics pages through the real HTTP stack: figures, privacy, caching, permissions and query counts."""
import datetime
import re

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from dossiers import services
from portal import reports
from portal.reports import cache as reports_cache
from tests.factories import applicant, documents_for
from tests.portal.dashboard_fixtures import *  # noqa: F403 - the `city` fixtures


def figure(response, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', response.content.decode())
    assert match, name
    return match.group(1).strip()


def test_public_page_shows_the_agency_figures(client, city):
    response = client.get(reverse("dashboards:agency", kwargs={"code": city.agency.code}))
    assert response.status_code == 200
    expected = reports.public_report(city.agency).figures
    assert figure(response, "processed") == str(expected.processed)
    assert figure(response, "open") == "5"
    # D6, E3, and by now D8 and D11 are past their appointment; D7 is paused, so within time.
    assert (figure(response, "overdue"), figure(response, "within-time")) == ("4", "1")
    html = response.content.decode()
    assert "<svg" in html and 'role="img"' in html and 'id="table-theo-thang"' in html
    assert 'aria-labelledby="chart-processed-title chart-processed-desc"' in html


def test_public_page_holds_no_personal_data(client, city):
    html = client.get(reverse("dashboards:public")).content.decode()
    for private in ("Người nộp số 1", "0912345001", "001203004567", "Hàng Bạc", city.d[1].code):
        assert private not in html
    assert reverse("dashboards:agency", kwargs={"code": city.other.code}) in html


def test_public_page_unknown_agency_is_404(client, city):
    assert client.get("/thong-ke/999.99.99.H00/").status_code == 404


def test_public_page_cached_costs_one_query(client, city, django_assert_max_num_queries):
    url = reverse("dashboards:agency", kwargs={"code": city.agency.code})
    with django_assert_max_num_queries(12):
        client.get(url)
    with django_assert_max_num_queries(1):  # the agency lookup; the figures come from the cache
        response = client.get(url)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]


def test_public_overall_page_query_count(client, city, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        client.get(reverse("dashboards:public"))
    with django_assert_max_num_queries(0):
        client.get(reverse("dashboards:public"))


def test_a_saved_dossier_shows_once_the_figures_are_refreshed_in_the_background(client, city, time_machine):
    """Issue 20: a save invalidates nothing; figures older than a minute are served while a background task (run
    eagerly in the tests) recomputes them, and the page says when they were computed."""
    url = reverse("dashboards:agency", kwargs={"code": city.agency.code})
    other_url = reverse("dashboards:agency", kwargs={"code": city.other.code})
    first = client.get(url)
    assert figure(first, "open") == "5"
    computed_at = first.context["report"].computed_at
    assert f"Số liệu cập nhật lúc {timezone.localtime(computed_at):%H:%M %d/%m/%Y}" in first.content.decode()
    other_before = client.get(other_url).context["report"].computed_at
    services.receive(actor=city.clerk.user, procedure_id=city.procedure.pk, applicant=applicant(),
                     documents=documents_for(city.procedure), now=timezone.now())
    assert figure(client.get(url), "open") == "5"  # fresh: served as computed
    time_machine.shift(reports_cache.FRESH_SECONDS + 1)
    stale = client.get(url)  # served as it was; the refresh it started stored the next figures
    assert figure(stale, "open") == "5" and stale.context["report"].computed_at == computed_at
    refreshed = client.get(url)
    assert figure(refreshed, "open") == "6" and refreshed.context["report"].computed_at > computed_at
    assert figure(client.get(reverse("dashboards:public")), "open") == "6"  # computed for its first request
    # The other agency's page is refreshed on its own request only, never because of our save.
    assert client.get(other_url).context["report"].computed_at == other_before


def test_stale_figures_are_refreshed_once_a_minute_and_served_while_the_broker_is_down(db, time_machine):
    # At the start of a minute of the clock (the lock's window), so the three requests share it.
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 0, 1, tzinfo=datetime.UTC), tick=False)
    started = []

    def refresh():
        started.append(1)

    def broker_down():
        raise ConnectionError("broker down")

    reports_cache.store("test:stats", "old", timezone.now() - datetime.timedelta(seconds=90))
    assert [reports_cache.serve(lambda: "test:stats", lambda: "new", refresh) for _ in range(3)] == ["old"] * 3
    assert len(started) == 1  # one background refresh a minute, whatever the number of requests
    time_machine.shift(reports_cache.FRESH_SECONDS + 1)
    assert reports_cache.serve(lambda: "test:stats", lambda: "new", refresh) == "old"
    assert len(started) == 2
    # Celery's broker refusing the task leaves the stale figures served, never an error...
    time_machine.shift(reports_cache.FRESH_SECONDS + 1)
    assert reports_cache.serve(lambda: "test:stats", lambda: "new", broker_down) == "old"
    # ...until they are too old to show: then the request computes them.
    time_machine.shift(reports_cache.STALE_SECONDS)
    assert reports_cache.serve(lambda: "test:stats", lambda: "new", broker_down) == "new"


def test_leader_dashboard(client, city, django_assert_max_num_queries):
    client.force_login(city.leader.user)
    # 30 for the figures and tables, 1 for the notifications per channel, 1 for the last audit chain check.
    with django_assert_max_num_queries(33):  # +1: the table by channel (portal/reports/channels.py)
        response = client.get(reverse("dashboards:leader"))
    assert response.status_code == 200
    html = response.content.decode()
    assert figure(response, "open") == "5"
    overdue = response.context["sections"]["qua_han"]["table"]
    assert [row[0] for row in overdue.rows] == [city.e[3].code, city.d[6].code, city.d[11].code, city.d[8].code]
    assert city.d[7].code not in [row[0] for row in overdue.rows]  # paused
    assert "Lê Văn Chuyên Viên" in html and "Người nộp số" not in html


def test_leader_dashboard_query_count_does_not_grow_with_rows(client, city, django_assert_max_num_queries):
    client.force_login(city.leader.user)
    client.get(reverse("dashboards:leader"))
    for n in range(6):
        services.receive(actor=city.clerk.user, procedure_id=city.procedure.pk, applicant=applicant(name=f"Thêm {n}"),
                         documents=documents_for(city.procedure), now=timezone.now())
    with django_assert_max_num_queries(33):
        assert client.get(reverse("dashboards:leader")).status_code == 200


def test_leader_dashboard_filters(client, city):
    client.force_login(city.leader.user)
    response = client.get(reverse("dashboards:leader"), {
        "date_from": "09/03/2026", "date_to": "18/03/2026", "procedure": city.quick.pk,
        "department": city.department.pk})
    review = response.context["sections"]["danh_gia_can_bo"]["table"]
    assert [row[:6] for row in review.rows] == [["Lê Văn Chuyên Viên", "Phòng Tư pháp", 2, 1, 1, reports.rate(1, 2)]]
    bad = client.get(reverse("dashboards:leader"), {"date_from": "18/03/2026", "date_to": "09/03/2026"})
    assert bad.status_code == 200 and "phải trước hoặc bằng" in bad.content.decode()


def test_specialist_gets_403(client, city):
    client.force_login(city.specialist.user)
    assert client.get(reverse("dashboards:leader")).status_code == 403
    assert client.get(reverse("dashboards:leader_export", kwargs={"table": "qua-han", "fmt": "csv"})).status_code == 403


def test_anonymous_goes_to_login(client, city):
    response = client.get(reverse("dashboards:leader"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_another_agencys_leader_cannot_see_ours(client, city):
    client.force_login(city.other_leader.user)
    response = client.get(reverse("dashboards:leader"))
    assert response.status_code == 200 and response.context["agency"] == city.other
    assert city.d[6].code not in response.content.decode()
    assert client.get(reverse("dashboards:leader"), {"co-quan": city.agency.code}).status_code == 403
    assert client.get(reverse("dashboards:register"), {"co-quan": city.agency.code}).status_code == 403


def test_superuser_chooses_an_agency(client, city):
    admin = get_user_model().objects.create_superuser("quantri", "qt@example.vn", "mat-khau-quan-tri-2025")
    client.force_login(admin)
    chooser = client.get(reverse("dashboards:leader"))
    assert chooser.status_code == 200 and city.agency.name in chooser.content.decode()
    response = client.get(reverse("dashboards:leader"), {"co-quan": city.agency.code})
    assert response.status_code == 200 and response.context["agency"] == city.agency


def test_register_page_is_for_the_agencys_clerks_and_leaders(client, city):
    url = reverse("dashboards:register")
    params = {"date_from": "09/03/2026", "date_to": "09/03/2026"}
    client.force_login(city.specialist.user)
    assert client.get(url, params).status_code == 403
    client.force_login(city.clerk.user)
    response = client.get(url, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Người nộp số 1" in html and city.d[1].code in html
    assert response.context["page"].paginator.count == 11
