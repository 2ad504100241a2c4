"""The dossier page and its actions: visibility, the actions offered, each action's success and error paths (PRG)."""
import datetime

import pytest
import time_machine
from django.urls import reverse

from dossiers import actions, pdf, selectors, services
from dossiers.models import Dossier, DossierEvent, Extension, ResultDocument, State
from procedures.roles import Role
from tests.factories import OfficialFactory

from . import test_transitions as transitions
from .conftest import BUILDABLE_STATES, snapshot, vn


def page(pk: int) -> str:
    return reverse("dossiers:detail", args=[pk])


def act(pk: int, action: str) -> str:
    return reverse("dossiers:act", args=[pk, action])


def offered(response) -> list[str]:
    return [action.name for action, _form in response.context["action_forms"]]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def errors_of(response) -> list[str]:
    """A refused action re-renders the page (400) with its errors summarised at the top, the typed input kept."""
    assert response.status_code == 400
    return [message for message, _anchor in response.context["error_summary"]]


# --- visibility ---------------------------------------------------------------------------------------------


def test_foreign_agency_dossier_is_404(client, outsider, build_dossier):
    dossier = build_dossier("in_progress")
    client.force_login(outsider.user)
    assert client.get(page(dossier.pk)).status_code == 404
    before = snapshot(dossier)
    response = client.post(act(dossier.pk, "stop"), {"stop-reason": "x", "stop-legal_ground": "y", "stop-confirm": "on"})
    assert response.status_code == 404
    assert snapshot(dossier) == before


def test_missing_dossier_and_unknown_action_are_404(client, clerk, build_dossier):
    dossier = build_dossier("received")
    client.force_login(clerk.user)
    assert client.get(page(dossier.pk + 1000)).status_code == 404
    assert client.post(act(dossier.pk, "explode")).status_code == 404


def test_anonymous_goes_to_login(client, build_dossier):
    dossier = build_dossier("received")
    response = client.get(page(dossier.pk))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.post(act(dossier.pk, "forward")).status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).state == State.RECEIVED


def test_specialist_sees_only_dossiers_assigned_to_or_handled_by_them(client, specialist, specialist2, build_dossier):
    assigned = build_dossier("in_progress")  # appraisal held by `specialist`
    client.force_login(specialist2.user)
    assert client.get(page(assigned.pk)).status_code == 404
    client.force_login(specialist.user)
    assert client.get(page(assigned.pk)).status_code == 200
    finished = build_dossier("returned")  # `specialist` handled its appraisal
    assert client.get(page(finished.pk)).status_code == 200


def test_page_shows_summary_applicant_documents_timeline_events_and_history(client, clerk, build_dossier):
    dossier = build_dossier("in_progress_last", extension=True)
    client.force_login(clerk.user)
    response = client.get(page(dossier.pk))
    body = response.content.decode()
    assert response.status_code == 200
    for text in (dossier.code, dossier.procedure.name, "Nguyễn Văn An", "001203004567", "0912345678",
                 "Tờ khai", "Thẩm định hồ sơ", "Lê Văn Chuyên Viên", "Quá hạn", "Chờ xác minh",
                 "Đề nghị gia hạn", "nội bộ", "Chuyển hồ sơ sang bước “Trả kết quả”"):
        assert text in body, text
    assert len(response.context["history"]) == dossier.history.count()
    assert 'id="timeline"' in body and body.count("Chuyển bước tiếp theo") >= 3


def test_print_links_are_the_forms_the_dossier_calls_for(client, clerk, leader, build_dossier):
    """The page lists exactly `pdf.applicable_forms` (the rule the PDF views refuse the others by)."""
    dossier = build_dossier("received")
    refused = build_dossier("refused")
    stopped = build_dossier("stopped")
    client.force_login(clerk.user)
    links = dict(client.get(page(dossier.pk)).context["print_links"])
    refused_links = dict(client.get(page(refused.pk)).context["print_links"])
    receipt = reverse("forms:receipt", args=[dossier.pk])
    assert list(links.values()) == [receipt, reverse("forms:form", args=[dossier.pk, "06"])]
    assert list(refused_links.values()) == [reverse("forms:form", args=[refused.pk, "03"])]
    client.force_login(leader.user)
    stopped_links = dict(client.get(page(stopped.pk)).context["print_links"])
    assert reverse("forms:form", args=[stopped.pk, "05"]) in stopped_links.values()
    assert [form.number for form in pdf.applicable_forms(Dossier.objects.get(pk=stopped.pk))] == ["01", "05", "06"]


def _promised(state: str, role: str, dossier: Dossier) -> set[str]:
    """The page actions the services would take for `role` in `state` (the derived table of test_transitions)."""
    wanted = set()
    for action in actions.ACTIONS.values():
        service = action.service_name
        if service in transitions.EXPECTED:
            allowed = transitions.EXPECTED[service][state][transitions.ROLES.index(role)] == transitions.OK
        else:  # registering a result document: not a move of the table; its roles and states as declared
            allowed = role in services.ROLES_FOR[service] and dossier.state in Dossier.states_allowing(service)
        if allowed:
            wanted.add(action.name)
    return wanted


@pytest.mark.parametrize("state", BUILDABLE_STATES)
def test_exactly_the_allowed_actions_are_offered(client, build_dossier, clerk, specialist, leader, outsider, state):
    """Every state × role of the transition table (one dossier per state, every role looks at it): the page
    offers exactly the actions the services would take, at the instant the table is checked at."""
    dossier = build_dossier(state)
    officials = {"reception": clerk, "specialist": specialist, "leader": leader, "outsider": outsider}
    seen = {}
    for role in transitions.ROLES:
        official = officials[role]
        client.force_login(official.user)
        with time_machine.travel(transitions.ACT_AT, tick=False):
            response = client.get(page(dossier.pk))
        if not selectors.visible_dossiers(official).filter(pk=dossier.pk).exists():
            # The one visibility rule hides it (another agency; a specialist's dossier not queued for them).
            assert response.status_code == 404 and role in ("outsider", "specialist"), role
            seen[role] = None
            continue
        assert response.status_code == 200, role
        seen[role] = set(offered(response))
    assert seen == {role: None if seen[role] is None else _promised(state, role, dossier) for role in seen}
    assert seen["outsider"] is None


def test_offered_actions_succeed(client, build_dossier, clerk, specialist, leader, time_machine):
    """Every action the page offers to the holder goes through when posted with sensible data."""
    time_machine.move_to(vn(2026, 3, 10, 10, 0), tick=False)  # the day after the dossiers are received
    data = {
        "forward": {}, "assign": {"assignee": None}, "send_back": {"to_step": None, "reason": "Sai sót"},
        "request_supplement": {"missing": "Sổ hộ khẩu", "reply_by": "20/03/2026"},
        "await_payment": {"amount": "50.000", "description": "Lệ phí"},
        "reject": {"reason": "Không đủ điều kiện", "confirm": "on"},
    }
    for name, values in data.items():
        dossier = build_dossier("in_progress")
        client.force_login(specialist.user)
        form = next(f for a, f in client.get(page(dossier.pk)).context["action_forms"] if a.name == name)
        post = {f"{name}-expected_step": dossier.current_step_id}
        for key, value in values.items():
            if value is None:
                value = [c for c, _label in form.fields[key].choices if c][0]
                value = getattr(value, "value", value)
            post[f"{name}-{key}"] = value
        response = client.post(act(dossier.pk, name), post, follow=True)
        assert response.redirect_chain == [(page(dossier.pk), 302)], (name, messages_of(response))
        assert messages_of(response)[-1].startswith("Đã"), (name, messages_of(response))


# --- one action at a time: success and error paths -------------------------------------------------------------


def test_forward_success_moves_the_dossier_and_redirects(client, clerk, specialist, build_dossier):
    dossier = build_dossier("received")
    client.force_login(clerk.user)
    response = client.post(act(dossier.pk, "forward"), {
        "forward-expected_step": dossier.current_step_id, "forward-assignee": specialist.pk, "forward-note": "Đủ hồ sơ"})
    assert response.status_code == 302 and response["Location"] == page(dossier.pk)
    dossier.refresh_from_db()
    assert (dossier.state, dossier.current_assignee_id) == (State.IN_PROGRESS, specialist.pk)
    assert dossier.current_step.name == "Thẩm định hồ sơ"
    followed = client.get(page(dossier.pk))
    assert "Đã chuyển hồ sơ sang bước tiếp theo." in messages_of(followed)


def test_forward_from_a_stale_screen_is_refused_with_the_service_message(client, clerk, build_dossier, procedure):
    dossier = build_dossier("received")
    client.force_login(clerk.user)
    stale_step = procedure.steps.get(order=2).pk
    before = snapshot(dossier)
    response = client.post(act(dossier.pk, "forward"), {"forward-expected_step": stale_step}, follow=True)
    assert "người khác chuyển sang bước khác" in errors_of(response)[-1]
    assert snapshot(dossier) == before


def test_forward_by_a_specialist_not_holding_the_step_is_refused(client, specialist, specialist2, build_dossier):
    dossier = build_dossier("in_progress")
    # specialist2 is made a handler of nothing; give them sight of the page through a leader-free route: 404.
    client.force_login(specialist2.user)
    before = snapshot(dossier)
    assert client.post(act(dossier.pk, "forward"), {}).status_code == 404
    assert snapshot(dossier) == before


def test_permission_refusal_from_the_service_is_shown_and_nothing_changes(client, clerk, build_dossier):
    dossier = build_dossier("in_progress")  # appraisal held by the specialist; the clerk sees the page
    client.force_login(clerk.user)
    before = snapshot(dossier)
    response = client.post(act(dossier.pk, "forward"), {"forward-expected_step": dossier.current_step_id}, follow=True)
    assert "không phải người đang giữ bước" in errors_of(response)[-1]
    assert snapshot(dossier) == before


def test_assign_to_an_official_of_another_role_is_refused(client, clerk, agency, build_dossier):
    dossier = build_dossier("received")
    other_clerk = OfficialFactory(agency=agency, roles=[Role.RECEPTION])
    client.force_login(clerk.user)
    response = client.post(act(dossier.pk, "assign"), {"assign-assignee": other_clerk.pk}, follow=True)
    assert "Đã phân công" in messages_of(response)[-1]
    assert Dossier.objects.get(pk=dossier.pk).current_assignee_id == other_clerk.pk
    # An official outside the step's choices is a form error, re-rendered with the page (status 400).
    foreign = OfficialFactory(roles=[Role.RECEPTION])
    client.force_login(other_clerk.user)
    response = client.post(act(dossier.pk, "assign"), {"assign-assignee": foreign.pk})
    assert response.status_code == 400
    assert "assignee" in response.context["action_forms"][[a.name for a, f in response.context["action_forms"]].index("assign")][1].errors


def test_take_button_assigns_to_me(client, clerk, build_dossier):
    dossier = build_dossier("in_progress_last")  # return step unassigned
    client.force_login(clerk.user)
    response = client.get(page(dossier.pk))
    assert response.context["can_take"]
    assert "Nhận xử lý hồ sơ này" in response.content.decode()
    client.post(act(dossier.pk, "assign"), {"assign-assignee": clerk.pk, "assign-expected_step": dossier.current_step_id})
    assert Dossier.objects.get(pk=dossier.pk).current_assignee_id == clerk.pk
    assert not client.get(page(dossier.pk)).context["can_take"]


def test_request_supplement_form_error_keeps_typed_data(client, specialist, build_dossier):
    dossier = build_dossier("in_progress")
    client.force_login(specialist.user)
    before = snapshot(dossier)
    response = client.post(act(dossier.pk, "request_supplement"), {
        "request_supplement-missing": "Bản sao giấy khai sinh", "request_supplement-reply_by": "32/13/2026"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Bản sao giấy khai sinh" in body and 'value="32/13/2026"' in body
    assert "dd/mm/yyyy" in body
    assert 'id="action-request_supplement" open' in body
    assert snapshot(dossier) == before


def test_request_supplement_in_the_past_is_refused_by_the_service(client, specialist, build_dossier):
    dossier = build_dossier("in_progress")
    client.force_login(specialist.user)
    response = client.post(act(dossier.pk, "request_supplement"), {
        "request_supplement-missing": "Bản sao", "request_supplement-reply_by": "01/01/2020"}, follow=True)
    assert "không được trước ngày hôm nay" in errors_of(response)[-1]
    assert Dossier.objects.get(pk=dossier.pk).state == State.IN_PROGRESS
    # What was typed stays, the panel stays open, the error sits beside the date and in the focused summary.
    body = response.content.decode()
    assert 'id="action-request_supplement" open' in body
    assert "Bản sao</textarea>" in body
    form = {action.name: form for action, form in response.context["action_forms"]}["request_supplement"]
    assert "không được trước ngày hôm nay" in form.errors["reply_by"][0]
    assert 'id="error-summary" role="alert" tabindex="-1" data-focus-on-load' in body
    assert 'href="#id_request_supplement-reply_by"' in body


def test_supplement_round_trip(client, specialist, clerk, build_dossier, time_machine):
    time_machine.move_to(vn(2026, 3, 10, 10, 0), tick=False)
    dossier = build_dossier("in_progress")
    client.force_login(specialist.user)
    client.post(act(dossier.pk, "request_supplement"), {
        "request_supplement-missing": "Bản sao", "request_supplement-reply_by": "20/03/2026"})
    assert Dossier.objects.get(pk=dossier.pk).state == State.SUPPLEMENT_REQUESTED
    client.force_login(clerk.user)
    response = client.post(act(dossier.pk, "fulfil_supplement"), {"fulfil_supplement-note": "Đã nhận"}, follow=True)
    assert "Đã nhận bổ sung" in messages_of(response)[-1]
    assert Dossier.objects.get(pk=dossier.pk).state == State.IN_PROGRESS


def test_payment_amount_with_dots_and_confirmation(client, specialist, build_dossier):
    dossier = build_dossier("in_progress")
    client.force_login(specialist.user)
    response = client.post(act(dossier.pk, "await_payment"), {
        "await_payment-amount": "abc", "await_payment-description": "Lệ phí"})
    assert response.status_code == 400 and 'value="abc"' in response.content.decode()
    client.post(act(dossier.pk, "await_payment"), {
        "await_payment-amount": "1.250.000", "await_payment-description": "Lệ phí cấp giấy"})
    dossier.refresh_from_db()
    assert dossier.state == State.AWAITING_PAYMENT
    assert dossier.payment_requests.get().amount == 1250000
    response = client.post(act(dossier.pk, "confirm_payment"), {"confirm_payment-receipt_number": "BL-01"}, follow=True)
    assert "Đã xác nhận nghĩa vụ tài chính" in messages_of(response)[-1]
    assert dossier.payment_requests.get().receipt_number == "BL-01"


def test_stop_needs_the_confirmation_box_and_a_leader(client, leader, clerk, build_dossier):
    dossier = build_dossier("in_progress")
    data = {"stop-reason": "Có tranh chấp", "stop-legal_ground": "Điều 18 NĐ 118/2025/NĐ-CP"}
    client.force_login(leader.user)
    response = client.post(act(dossier.pk, "stop"), data)
    assert response.status_code == 400
    assert "Đánh dấu ô xác nhận" in response.content.decode()
    assert "Có tranh chấp" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).state == State.IN_PROGRESS

    client.force_login(clerk.user)
    response = client.post(act(dossier.pk, "stop"), {**data, "stop-confirm": "on"}, follow=True)
    assert "Lãnh đạo" in errors_of(response)[-1]
    assert Dossier.objects.get(pk=dossier.pk).state == State.IN_PROGRESS

    client.force_login(leader.user)
    response = client.post(act(dossier.pk, "stop"), {**data, "stop-confirm": "on"}, follow=True)
    assert "Đã dừng giải quyết" in messages_of(response)[-1]
    assert Dossier.objects.get(pk=dossier.pk).state == State.STOPPED
    assert 'data-confirm' not in response.content.decode() or "stop" not in offered(response)


def test_withdraw_by_the_clerk(client, clerk, build_dossier):
    dossier = build_dossier("received")
    client.force_login(clerk.user)
    assert 'data-confirm="Xác nhận: Công dân rút hồ sơ?"' in client.get(page(dossier.pk)).content.decode()
    client.post(act(dossier.pk, "withdraw"), {"withdraw-reason": "Công dân xin rút"})
    assert Dossier.objects.get(pk=dossier.pk).state == State.RECEIVED  # no confirmation box ticked
    client.post(act(dossier.pk, "withdraw"), {"withdraw-reason": "Công dân xin rút", "withdraw-confirm": "on"})
    assert Dossier.objects.get(pk=dossier.pk).state == State.WITHDRAWN


def test_send_back_to_an_earlier_step(client, leader, clerk, specialist, build_dossier, procedure):
    dossier = build_dossier("in_progress")
    client.force_login(specialist.user)
    client.post(act(dossier.pk, "forward"), {"forward-expected_step": dossier.current_step_id})
    dossier.refresh_from_db()
    assert dossier.current_step.name == "Phê duyệt kết quả"
    client.force_login(leader.user)
    appraisal = procedure.steps.get(order=2)
    response = client.post(act(dossier.pk, "send_back"), {
        "send_back-to_step": appraisal.pk, "send_back-reason": "Thiếu ý kiến thẩm định",
        "send_back-expected_step": dossier.current_step_id}, follow=True)
    assert "Đã trả hồ sơ về bước trước" in messages_of(response)[-1]
    dossier.refresh_from_db()
    assert (dossier.current_step_id, dossier.current_assignee_id) == (appraisal.pk, specialist.pk)
    response = client.post(act(dossier.pk, "send_back"), {"send_back-reason": ""})
    assert response.status_code in (400, 404)


def test_processed_returned_and_result_registered(client, clerk, build_dossier):
    dossier = build_dossier("in_progress_last")
    client.force_login(clerk.user)
    response = client.post(act(dossier.pk, "mark_processed"), {
        "mark_processed-result_note": "Đã ký", "mark_processed-expected_step": dossier.current_step_id}, follow=True)
    assert "Đã xác nhận hồ sơ có kết quả" in messages_of(response)[-1]
    assert "register_result" in offered(response)
    client.post(act(dossier.pk, "register_result"), {
        "register_result-number": "12/QĐ-UBND", "register_result-issued_on": "10/03/2026",
        "register_result-signer": "Nguyễn Văn Lãnh Đạo"})
    document = ResultDocument.objects.get(dossier=dossier)
    assert document.issued_on == datetime.date(2026, 3, 10)
    response = client.post(act(dossier.pk, "register_result"), {
        "register_result-number": "12/QĐ-UBND", "register_result-issued_on": "10/03/2026",
        "register_result-signer": "X"}, follow=True)
    assert "đã được đăng ký" in errors_of(response)[-1]
    response = client.post(act(dossier.pk, "return_result"), {"return_result-note": ""}, follow=True)
    assert "Đã trả kết quả cho công dân." in messages_of(response)
    assert Dossier.objects.get(pk=dossier.pk).state == State.RETURNED
    response = client.post(act(dossier.pk, "return_result"), {}, follow=True)
    assert "chưa có kết quả" in errors_of(response)[-1]


def test_extension_request_then_leader_approval_from_the_page(client, clerk, leader, receive, time_machine):
    time_machine.move_to(vn(2026, 3, 10, 10, 0), tick=False)
    dossier = receive(now=vn(2026, 3, 10, 10, 0))  # due 17/03: an extension may still be requested
    client.force_login(clerk.user)
    assert "request_extension" in offered(client.get(page(dossier.pk)))
    response = client.post(act(dossier.pk, "request_extension"), {
        "request_extension-reason": "Chờ xác minh thực địa", "request_extension-proposed_due_at": "31/03/2026"},
        follow=True)
    assert "chờ lãnh đạo phê duyệt" in messages_of(response)[-1]
    extension = Extension.objects.get(dossier=dossier)
    assert extension.proposed_due_at.astimezone(datetime.UTC).hour == 10  # 17:00 in Vietnam
    assert not response.context["can_approve"]
    client.force_login(leader.user)
    response = client.get(page(dossier.pk))
    assert response.context["can_approve"]
    response = client.post(reverse("dossiers:approve_extension", args=[extension.pk]), follow=True)
    assert "Đã phê duyệt gia hạn" in messages_of(response)[-1]
    assert DossierEvent.objects.filter(dossier=dossier, kind=DossierEvent.Kind.EXTENSION_APPROVED).exists()


@pytest.mark.parametrize("state", ["received", "in_progress_last", "returned"])
def test_dossier_page_query_count_is_fixed(client, clerk, build_dossier, django_assert_max_num_queries, state):
    dossier = build_dossier(state, extension=state != "returned")
    client.force_login(clerk.user)
    # 17 for the dossier, 2 for its notifications and their delivery attempts (notifications.selectors.for_dossier),
    # 1 for the personal-data access log row, 1 for its issued letters (Mẫu 03/04/05 numbers), 2 for its national
    # portal sync (the latest messages and the first unacknowledged one, national_sync.selectors.for_dossier); the
    # same in every state.
    with django_assert_max_num_queries(23):
        response = client.get(page(dossier.pk))
    assert response.status_code == 200
