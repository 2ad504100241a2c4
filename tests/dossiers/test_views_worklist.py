"""The staff worklist: tabs and their counts, scoping by agency and role, search, filters, scans, query counts."""
import datetime

import pytest
from django.urls import reverse

from dossiers import selectors, services
from dossiers.models import Extension, State
from procedures.roles import Role
from tests.factories import OfficialFactory, UserFactory

from .conftest import MONDAY_0900, applicant, documents_for, vn

URL = "/ho-so/"


def codes(response) -> set[str]:
    return {dossier.code for dossier in response.context["page"].object_list}


def tab_counts(response) -> dict[str, int]:
    return {tab.value: count for tab, count in response.context["tabs"]}


@pytest.fixture
def received_now(clerk, procedure):
    """receive_now(**applicant overrides): a dossier received at the current instant (not yet overdue)."""
    def _receive(**overrides):
        return services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(**overrides),
                                documents=documents_for(procedure))
    return _receive


def test_url_and_login_redirect(client, db):
    assert reverse("dossiers:worklist") == URL
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_lands_on_worklist(client, clerk):
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": clerk.user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == URL


def test_a_login_without_official_is_refused(client, db):
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403


def test_inactive_official_is_refused(client, agency):
    official = OfficialFactory(agency=agency, roles=[Role.RECEPTION], is_active=False)
    client.force_login(official.user)
    assert client.get(URL).status_code == 403


def test_official_without_roles_sees_an_empty_worklist(client, agency, build_dossier):
    dossier = build_dossier("in_progress")
    official = OfficialFactory(agency=agency)
    client.force_login(official.user)
    response = client.get(URL)
    assert response.status_code == 200
    assert set(tab_counts(response).values()) == {0}
    assert client.get(URL, {"q": dossier.code}).status_code == 200  # no redirect into a dossier they cannot see


def test_tabs_and_counts_for_a_clerk(client, clerk, build_dossier, receive, received_now, time_machine):
    # Monday 16/03/2026 10:00; 5-working-day procedure, due-soon horizon 2 working days (Wednesday 18/03 10:00).
    time_machine.move_to(vn(2026, 3, 16, 10, 0), tick=False)
    overdue = build_dossier("in_progress")  # received 09/03 09:00, due 16/03 09:00: an hour overdue
    waiting = build_dossier("supplement_requested")
    processed = build_dossier("processed")
    returned = build_dossier("returned")
    soon = receive(now=vn(2026, 3, 11, 9, 0))  # due 18/03 09:00; at the reception step, held by the clerk
    fresh = received_now()  # due 23/03 10:00; at the reception step, held by the clerk
    client.force_login(clerk.user)

    response = client.get(URL)
    assert response.status_code == 200
    assert tab_counts(response) == {"mine": 2, "open": 4, "due_soon": 1, "overdue": 1, "waiting": 1,
                                    "to_return": 1, "all": 6}
    assert codes(response) == {soon.code, fresh.code}  # "Của tôi" is the default tab

    assert codes(client.get(URL, {"tab": "open"})) == {overdue.code, waiting.code, soon.code, fresh.code}
    assert codes(client.get(URL, {"tab": "due_soon"})) == {soon.code}
    assert codes(client.get(URL, {"tab": "overdue"})) == {overdue.code}
    assert codes(client.get(URL, {"tab": "waiting"})) == {waiting.code}
    assert codes(client.get(URL, {"tab": "to_return"})) == {processed.code}
    assert returned.code in codes(client.get(URL, {"tab": "all"}))
    body = client.get(URL, {"tab": "overdue"}).content.decode()
    assert "badge-late" in body and "Quá hạn" in body


def test_deadline_tabs_match_the_deadline_selectors(client, clerk, agency, build_dossier, receive, received_now,
                                                    time_machine):
    time_machine.move_to(vn(2026, 3, 16, 10, 0), tick=False)
    build_dossier("in_progress")
    receive(now=vn(2026, 3, 11, 9, 0))  # due soon
    build_dossier("awaiting_payment")  # paused: neither overdue nor due soon
    received_now()
    client.force_login(clerk.user)
    overdue = {d.code for d in selectors.overdue_dossiers(agency)}
    due_soon = {d.code for d in selectors.due_soon_dossiers(agency)}
    assert codes(client.get(URL, {"tab": "overdue"})) == overdue
    assert codes(client.get(URL, {"tab": "due_soon"})) == due_soon
    assert (len(overdue), len(due_soon)) == (1, 1)
    counts = tab_counts(client.get(URL))
    assert (counts["overdue"], counts["due_soon"]) == (1, 1)


def test_sorted_by_due_date(client, clerk, receive):
    later = receive(now=MONDAY_0900 + datetime.timedelta(days=1))
    earlier = receive(now=MONDAY_0900)
    client.force_login(clerk.user)
    rows = list(client.get(URL, {"tab": "all"}).context["page"].object_list)
    assert [d.code for d in rows] == [earlier.code, later.code]


def test_specialist_sees_only_what_is_queued_for_or_assigned_to_them(client, specialist, specialist2, build_dossier,
                                                                      received_now):
    assigned = build_dossier("in_progress")  # appraisal assigned to `specialist`
    received_now()  # at reception: not the specialist's business
    client.force_login(specialist2.user)
    response = client.get(URL)
    assert "open" not in tab_counts(response)
    assert tab_counts(response)["all"] == 0

    client.force_login(specialist.user)
    response = client.get(URL)
    assert codes(response) == {assigned.code}
    assert tab_counts(response)["all"] == 1
    # An unknown or hidden tab falls back to "Của tôi".
    assert client.get(URL, {"tab": "open"}).context["tab"] == selectors.WorklistTab.MINE


def test_unassigned_step_is_in_the_queue_of_everyone_with_its_role(client, clerk, agency, build_dossier):
    dossier = build_dossier("in_progress_last")  # return step (reception role), unassigned
    other_clerk = OfficialFactory(agency=agency, roles=[Role.RECEPTION])
    client.force_login(other_clerk.user)
    assert dossier.code in codes(client.get(URL))


def test_other_agency_dossiers_never_show(client, outsider, build_dossier):
    dossier = build_dossier("in_progress")
    client.force_login(outsider.user)
    response = client.get(URL, {"tab": "all"})
    assert codes(response) == set()
    assert tab_counts(response)["all"] == 0
    assert client.get(URL, {"q": dossier.code}).status_code == 200  # no redirect into a foreign dossier


@pytest.mark.parametrize("query", ["nguyen van an", "NGUYỄN VĂN", "an nguyen", "0912345678", "0912 345 678",
                                   "001203004567", "3004567"])
def test_search_by_name_without_accents_phone_or_id(client, clerk, receive, query):
    found = receive()
    receive(name="Trần Thị Bình", phone="0987654321", id_number="079300000001")
    client.force_login(clerk.user)
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assert response.context["tab"] == selectors.WorklistTab.ALL  # a search looks through every dossier
    assert codes(response) == {found.code}


def test_search_by_partial_code(client, clerk, receive):
    first = receive()
    receive(name="Trần Thị Bình")
    client.force_login(clerk.user)
    assert codes(client.get(URL, {"q": first.code[-6:]})) == {first.code}


def test_exact_code_opens_the_dossier(client, clerk, receive):
    dossier = receive()
    client.force_login(clerk.user)
    response = client.get(URL, {"q": dossier.code.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.pk])


@pytest.mark.parametrize("typed", ["http://127.0.0.1:8000/t/{token}/", "https://motcua.example.vn/t/{token}", "{token}"])
def test_scanned_tracking_url_or_token_opens_the_dossier(client, clerk, receive, typed):
    dossier = receive()
    client.force_login(clerk.user)
    response = client.get(URL, {"q": typed.format(token=dossier.tracking_token)})
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.pk])


def test_filters_by_procedure_field_state_and_dates(client, clerk, agency, receive, build_dossier):
    from tests.factories import ProcedureFactory

    other = ProcedureFactory(agencies=[agency], steps=True, documents=1)
    monday = receive(now=MONDAY_0900)
    wednesday = receive(now=MONDAY_0900 + datetime.timedelta(days=2))
    other_dossier = services.receive(actor=clerk.user, procedure_id=other.pk, applicant=applicant(),
                                     documents=documents_for(other), now=MONDAY_0900)
    client.force_login(clerk.user)

    assert codes(client.get(URL, {"tab": "all", "procedure": other.pk})) == {other_dossier.code}
    assert codes(client.get(URL, {"tab": "all", "field": other.field_id})) == {other_dossier.code}
    assert codes(client.get(URL, {"tab": "all", "state": State.RECEIVED, "procedure": monday.procedure_id})) == {
        monday.code, wednesday.code}
    response = client.get(URL, {"tab": "all", "received_from": "10/03/2026", "received_to": "11/03/2026"})
    assert codes(response) == {wednesday.code}
    assert tab_counts(response)["all"] == 1  # counts follow the filters
    assert codes(client.get(URL, {"tab": "all", "received_to": "09/03/2026"})) == {monday.code, other_dossier.code}


def test_invalid_date_filter_shows_an_error_and_keeps_other_filters(client, clerk, receive):
    dossier = receive()
    receive(name="Trần Thị Bình")
    client.force_login(clerk.user)
    response = client.get(URL, {"tab": "all", "q": "nguyen van an", "received_from": "31/02/2026"})
    assert response.status_code == 200
    assert "dd/mm/yyyy" in response.context["form"].errors["received_from"][0]
    assert codes(response) == {dossier.code}
    assert 'value="31/02/2026"' in response.content.decode()


def test_pagination_25_per_page_keeps_filters(client, clerk, procedure, agency):
    make_many(clerk, procedure, 30)
    client.force_login(clerk.user)
    first = client.get(URL, {"tab": "open", "procedure": procedure.pk})
    assert len(first.context["page"].object_list) == 25
    assert first.context["page"].paginator.num_pages == 2
    body = first.content.decode()
    assert f"procedure={procedure.pk}&amp;tab=open&amp;page=2" in body
    second = client.get(URL, {"tab": "open", "procedure": procedure.pk, "page": 2})
    assert len(second.context["page"].object_list) == 5


def test_the_all_tab_pages_by_keyset_forward_and_back_keeping_filters(client, clerk, procedure):
    make_many(clerk, procedure, 30)
    client.force_login(clerk.user)
    params = {"tab": "all", "procedure": procedure.pk}
    first = client.get(URL, params).context["page"]
    assert (len(first.object_list), first.number, first.before) == (25, 1, None)
    body = client.get(URL, params).content.decode()
    assert f"procedure={procedure.pk}&amp;tab=all&amp;after={first.after}&amp;page=2" in body

    second = client.get(URL, {**params, "after": first.after, "page": 2}).context["page"]
    assert (len(second.object_list), second.number, second.after) == (5, 2, None)
    rows = first.object_list + second.object_list
    assert [(d.due_at, d.pk) for d in rows] == sorted((d.due_at, d.pk) for d in rows)
    assert len({d.pk for d in rows}) == 30

    back = client.get(URL, {**params, "before": second.before, "page": 1}).context["page"]
    assert [d.pk for d in back.object_list] == [d.pk for d in first.object_list]
    assert (back.number, back.before, back.after) == (1, None, first.after)


def test_the_all_tab_shows_what_is_on_hand_and_the_last_month_and_older_through_a_date_filter(
        client, clerk, build_dossier, receive, time_machine):
    old_returned = build_dossier("returned")  # received 09/03/2026
    old_open = build_dossier("supplement_requested")
    old_processed = build_dossier("processed")
    time_machine.move_to(vn(2026, 5, 4, 9, 0), tick=False)
    recent = receive(now=vn(2026, 4, 20, 9, 0))
    client.force_login(clerk.user)

    response = client.get(URL, {"tab": "all"})
    assert codes(response) == {old_open.code, old_processed.code, recent.code}
    assert tab_counts(response)["all"] == 3
    assert response.context["recent_since"] == datetime.date(2026, 4, 4)
    body = response.content.decode()
    assert "tab=all&amp;received_from=05/03/2026&amp;received_to=03/04/2026" in body
    assert "từ ngày 04/04/2026" in body and "trong 30 ngày trước đó" in body

    older = client.get(URL, {"tab": "all", "received_from": "05/03/2026", "received_to": "03/04/2026"})
    assert codes(older) == {old_returned.code, old_open.code, old_processed.code}
    assert older.context["recent_since"] is None
    # A search looks through the whole history.
    assert old_returned.code in codes(client.get(URL, {"q": old_returned.code[-6:]}))


def test_the_all_tab_count_stops_at_its_cap(client, clerk, procedure, monkeypatch):
    make_many(clerk, procedure, 4)
    monkeypatch.setattr(selectors, "ALL_COUNT_CAP", 3)
    monkeypatch.setattr("dossiers.views.selectors.ALL_COUNT_CAP", 3)
    client.force_login(clerk.user)
    response = client.get(URL, {"tab": "all"})
    counts = tab_counts(response)
    assert (counts["all"], counts["open"]) == (4, 4)  # past the cap: "3+"; the other tabs are exact
    body = response.content.decode()
    assert "3+</span>" in body and "hơn 3 hồ sơ" in body
    assert len(response.context["page"].object_list) == 4


def make_many(clerk, procedure, count: int) -> None:
    """Dossiers through the real service, spread over days so codes and deadlines differ."""
    start = MONDAY_0900
    for index in range(count):
        services.receive(actor=clerk.user, procedure_id=procedure.pk,
                         applicant=applicant(name=f"Người nộp {index}"), documents=documents_for(procedure),
                         now=start + datetime.timedelta(days=index % 20, minutes=index))


@pytest.mark.parametrize("count", [5, 60])
def test_worklist_query_count_is_flat(client, clerk, leader, procedure, count, django_assert_max_num_queries,
                                      build_dossier):
    make_many(clerk, procedure, count)
    build_dossier("in_progress", extension=True)
    for official in (clerk, leader):
        client.force_login(official.user)
        for params in ({}, {"tab": "all"}, {"tab": "overdue", "q": "nguoi nop"}):
            # 11 reads and the one personal-data access log row (NĐ 13/2023), whatever the number of dossiers. The
            # tab counts are two reads: one over the dossiers on hand, one capped count of the "all" tab.
            with django_assert_max_num_queries(12):
                response = client.get(URL, params)
            assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, 25)


def test_leader_sees_pending_extensions_and_approves(client, leader, clerk, build_dossier):
    dossier = build_dossier("in_progress", extension=True)
    client.force_login(clerk.user)
    assert client.get(URL).context["pending_extensions"] == []
    client.force_login(leader.user)
    response = client.get(URL)
    [extension] = response.context["pending_extensions"]
    assert extension.dossier_id == dossier.pk
    response = client.post(reverse("dossiers:approve_extension", args=[extension.pk]), {"next": URL + "?tab=open"})
    assert response.status_code == 302 and response["Location"] == URL + "?tab=open"
    dossier.refresh_from_db()
    assert dossier.due_at == extension.proposed_due_at
    assert client.get(URL).context["pending_extensions"] == []


def test_approval_by_a_clerk_is_refused_and_unsafe_next_is_ignored(client, clerk, build_dossier):
    dossier = build_dossier("in_progress", extension=True)
    extension = dossier.extensions.get()
    client.force_login(clerk.user)
    response = client.post(reverse("dossiers:approve_extension", args=[extension.pk]),
                           {"next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain[0][0] == reverse("dossiers:detail", args=[dossier.pk])
    assert "Lãnh đạo" in str(list(response.context["messages"])[0])
    extension.refresh_from_db()
    assert extension.status == "pending"


def test_approval_of_a_foreign_extension_is_404(client, outsider, build_dossier):
    extension = build_dossier("in_progress", extension=True).extensions.get()
    client.force_login(outsider.user)
    assert client.post(reverse("dossiers:approve_extension", args=[extension.pk])).status_code == 404


def test_a_pending_extension_of_a_closed_dossier_leaves_the_leaders_list(client, leader, clerk, build_dossier):
    dossier = build_dossier("in_progress", extension=True)
    client.force_login(leader.user)
    [pending] = client.get(URL).context["pending_extensions"]
    assert pending.dossier_id == dossier.pk

    services.withdraw(dossier_id=dossier.pk, actor=clerk.user, reason="Công dân rút hồ sơ", now=vn(2026, 3, 9, 14, 0))

    assert client.get(URL).context["pending_extensions"] == []
    extension = Extension.objects.get(dossier=dossier)
    assert extension.status == Extension.Status.LAPSED
    latest = extension.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (clerk.user, "dossier ended before approval")


def test_search_from_the_default_tab_finds_a_dossier_of_another_tab(client, clerk, build_dossier, procedure):
    """The search box sends no tab: a returned dossier (not in "Của tôi") is found by its procedure's name."""
    returned = build_dossier("returned")
    client.force_login(clerk.user)
    body = client.get(URL).content.decode()
    assert 'name="tab"' not in body.split('role="search"')[1].split("</form>")[0]
    words = " ".join(procedure.name.split()[-3:])  # "thử nghiệm số N", typed without accents below
    from common.text import fold
    response = client.get(URL, {"q": fold(words)})
    assert response.context["tab"] == selectors.WorklistTab.ALL
    assert returned.code in codes(response)
    # Asked on another tab that holds nothing: the page offers every tab's matches.
    response = client.get(URL, {"q": fold(words), "tab": "mine"})
    assert codes(response) == set() and response.context["all_count"] == 1
    assert "tab=all" in response.content.decode()
