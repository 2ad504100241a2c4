"""The whole transition table: every (state, action, role) is either allowed or refused with nothing written.

The expected outcome of each cell is derived from the declarations, not written out again:
- the states an action may act in are the sources of the model's transitions that name its service
  (`Dossier.states_allowing`);
- who may take it is `services.ROLES_FOR` (checked first, when the lock is taken), and for the step holder's
  actions `services.STEP_HOLDER_ACTIONS` (its assignee, anyone with the step's role while it is unassigned, or a
  leader: who holds the step in each built dossier is `HOLDERS`, a fact of `build_dossier`);
- what only the procedure's steps decide is listed as such (`STEP_RULES`: mark_processed at the last step,
  forward before it);
- an official of another agency is refused everything.
A wrong state gives DossierActionError; a wrong role or agency gives DossierPermissionError (its subclass).
"""
import datetime

import pytest

from dossiers import services
from dossiers.errors import DossierActionError, DossierPermissionError
from dossiers.models import Dossier, DossierEvent, Extension, State
from procedures.roles import Role

from .conftest import BUILDABLE_STATES, EXTENSION_DUE, snapshot, vn

pytestmark = pytest.mark.usefixtures("fast_passwords")

OK, PERM, DENY = "ok", "perm", "deny"
ROLES = ("reception", "specialist", "leader", "outsider")
ACTIONS = ("forward", "send_back", "assign", "request_supplement", "fulfil_supplement", "await_payment",
           "confirm_payment", "mark_processed", "return_result", "stop", "reject", "withdraw", "request_extension",
           "approve_extension", "reject_extension")
ACT_AT = vn(2026, 3, 11, 10, 0)  # Wednesday, after every build step, before every appointment

# Who holds the current step in each dossier `build_dossier` makes: received = the reception step held by the clerk;
# in_progress = the appraisal step assigned to the specialist; in_progress_last = the final (return, reception)
# step, unassigned. A leader holds every step.
HOLDERS = {"received": {"reception", "leader"}, "in_progress": {"specialist", "leader"},
           "in_progress_last": {"reception", "leader"}}
# What the procedure's steps decide, in the services' order: mark_processed needs the last step (checked before the
# holder), forward a next one (checked after).
STEP_RULES = {"mark_processed": ("before holder", {"in_progress_last"}), "forward": ("after holder", {"received",
                                                                                                     "in_progress"})}


def expected(action: str, state: str, role: str) -> str:
    """The outcome the declarations promise, in the order the services check: agency and roles, state, steps, holder."""
    if role == "outsider":
        return PERM
    roles = services.ROLES_FOR.get(action)
    if roles is not None and role not in roles:
        return PERM
    built = "in_progress" if state == "in_progress_last" else state
    if built not in Dossier.states_allowing(action):
        return DENY
    when, steps_allow = STEP_RULES.get(action, ("", set(HOLDERS)))
    if when == "before holder" and state not in steps_allow:
        return DENY
    if action in services.STEP_HOLDER_ACTIONS and role not in HOLDERS[state]:
        return PERM
    if when == "after holder" and state not in steps_allow:
        return DENY
    return OK


EXPECTED = {action: {state: tuple(expected(action, state, role) for role in ROLES) for state in BUILDABLE_STATES}
            for action in ACTIONS}

# Where an allowed action leaves the dossier (None: the state does not change).
TARGET = {
    "forward": State.IN_PROGRESS, "send_back": State.IN_PROGRESS, "assign": None,
    "request_supplement": State.SUPPLEMENT_REQUESTED, "fulfil_supplement": State.IN_PROGRESS,
    "await_payment": State.AWAITING_PAYMENT, "confirm_payment": State.IN_PROGRESS,
    "mark_processed": State.PROCESSED, "return_result": State.RETURNED, "stop": State.STOPPED,
    "reject": State.REJECTED, "withdraw": State.WITHDRAWN, "request_extension": None, "approve_extension": None,
    "reject_extension": None,
}

# One test per (state, action); inside it every role. A refusal writes nothing (asserted), so the refused roles
# share one dossier; each allowed role gets a fresh one.
CASES = [pytest.param(state, action, id=f"{state}-{action}") for action in ACTIONS for state in BUILDABLE_STATES]


def test_table_is_complete_and_each_action_is_both_allowed_and_refused():
    assert set(EXPECTED) == set(ACTIONS) and set(ACTIONS) <= set(services.ROLES_FOR) | services.STEP_HOLDER_ACTIONS
    for action, rows in EXPECTED.items():
        assert set(rows) == set(BUILDABLE_STATES), action
        outcomes = {outcome for row in rows.values() for outcome in row}
        assert {OK, DENY, PERM} <= outcomes, action  # nothing derived vacuously: every action is tested every way
        assert {row[ROLES.index("outsider")] for row in rows.values()} == {PERM}, action
    assert len(CASES) * len(ROLES) == 15 * 11 * 4


def test_a_few_cells_read_as_the_rules_say():
    """The derivation read back against rules a clerk would state (a guard against a derivation gone wrong)."""
    assert EXPECTED["forward"]["received"] == (OK, PERM, OK, PERM)
    assert EXPECTED["forward"]["in_progress_last"] == (DENY, PERM, DENY, PERM)  # no next step: mark_processed
    assert EXPECTED["mark_processed"]["in_progress_last"] == (OK, PERM, OK, PERM)
    assert EXPECTED["reject"]["in_progress"] == (PERM, OK, OK, PERM)
    assert EXPECTED["stop"]["awaiting_payment"] == (PERM, PERM, OK, PERM)
    assert EXPECTED["return_result"]["processed"] == (OK, PERM, PERM, PERM)
    assert EXPECTED["request_extension"]["returned"] == (DENY, DENY, DENY, PERM)


def perform(action, dossier, actor, officials):
    """Call one service with valid arguments, so only the state and the role decide the outcome."""
    steps = list(dossier.procedure.steps.order_by("order"))
    common = dict(actor=actor.user, now=ACT_AT)
    target = dict(dossier_id=dossier.pk, **common)
    if action == "forward":
        return services.forward(**target)
    if action == "send_back":
        return services.send_back(**target, to_step_id=steps[0].pk, reason="Thiếu chữ ký người thẩm định")
    if action == "assign":
        role = dossier.current_step.role if dossier.current_step else Role.RECEPTION
        assignee = {Role.RECEPTION: officials["reception"], Role.SPECIALIST: officials["specialist2"],
                    Role.LEADER: officials["leader"]}[role]
        return services.assign(**target, assignee_id=assignee.pk)
    if action == "request_supplement":
        return services.request_supplement(**target, missing="Bản sao giấy khai sinh",
                                           reply_by=datetime.date(2026, 3, 18))
    if action == "fulfil_supplement":
        return services.fulfil_supplement(**target, note="Đã nhận bản sao")
    if action == "await_payment":
        return services.await_payment(**target, amount=100000, description="Lệ phí trước bạ")
    if action == "confirm_payment":
        return services.confirm_payment(**target, receipt_number="BL-0001")
    if action == "mark_processed":
        return services.mark_processed(**target, result_note="Đã ký giấy chứng nhận")
    if action == "return_result":
        return services.return_result(**target)
    if action == "stop":
        return services.stop(**target, reason="Có tranh chấp", legal_ground="Điều 18 Nghị định 118/2025/NĐ-CP")
    if action == "reject":
        return services.reject(**target, reason="Không đủ điều kiện cấp giấy chứng nhận")
    if action == "withdraw":
        return services.withdraw(**target, reason="Công dân đề nghị rút")
    if action == "request_extension":
        return services.request_extension(**target, reason="Cần xác minh thực địa",
                                          proposed_due_at=vn(2026, 3, 23, 17, 0))
    if action == "approve_extension":
        return services.approve_extension(extension_id=dossier.extensions.get().pk, **common)
    if action == "reject_extension":
        return services.reject_extension(extension_id=dossier.extensions.get().pk, reason="Đủ thời gian", **common)
    raise AssertionError(action)


OPEN_AFTER = ("received", "in_progress", "supplement_requested", "awaiting_payment")


@pytest.mark.parametrize(("state", "action"), CASES)
def test_transition_table(state, action, build_dossier, clerk, specialist, specialist2, leader, outsider):
    officials = {"reception": clerk, "specialist": specialist, "specialist2": specialist2, "leader": leader,
                 "outsider": outsider}
    with_extension = action in ("approve_extension", "reject_extension")
    expected_state = "in_progress" if state == "in_progress_last" else state
    row = dict(zip(ROLES, EXPECTED[action][state], strict=True))

    refused = build_dossier(state, extension=with_extension)
    assert refused.state == expected_state
    before = snapshot(refused)
    for role in [role for role, outcome in row.items() if outcome != OK]:
        error_type = DossierPermissionError if row[role] == PERM else DossierActionError
        with pytest.raises(DossierActionError) as caught:
            perform(action, refused, officials[role], officials)
        assert type(caught.value) is error_type, f"{role}: {caught.value.message}"
        assert str(caught.value.message)
        assert snapshot(refused) == before, role

    for role in [role for role, outcome in row.items() if outcome == OK]:
        dossier = build_dossier(state, extension=with_extension)
        before = snapshot(dossier)
        perform(action, dossier, officials[role], officials)
        after = snapshot(dossier)
        assert after["state"] == (TARGET[action] or before["state"]), role
        assert after["events"] == before["events"] + 1, role
        # Every allowed action but an extension request saves the dossier: history gains exactly one row.
        saves_dossier = action not in ("request_extension", "reject_extension")
        assert after["history"] == before["history"] + (1 if saves_dossier else 0), role
        assert after["open_step_records"] == (1 if after["state"] in OPEN_AFTER else 0), role
        if action == "approve_extension":
            assert after["due_at"] == EXTENSION_DUE
            assert after["extensions"] == [Extension.Status.APPROVED]
        if action == "reject_extension":
            assert after["due_at"] == before["due_at"]
            assert after["extensions"] == [Extension.Status.REJECTED]
        if action == "reject":
            assert Dossier.objects.get(pk=dossier.pk).national_status == 3


def test_refused_wrong_state_message_names_the_state(build_dossier, clerk):
    dossier = build_dossier("returned")
    with pytest.raises(DossierActionError, match="Đã trả kết quả"):
        services.forward(dossier_id=dossier.pk, actor=clerk.user, now=ACT_AT)
    assert Dossier.objects.get(pk=dossier.pk).state == State.RETURNED
    assert not DossierEvent.objects.filter(dossier=dossier, at=ACT_AT).exists()
