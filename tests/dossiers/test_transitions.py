"""The whole transition table: every (state, action, role) is either allowed or refused with nothing written.

The expected table below is written out by hand from the rules of `dossiers.services`:
- forward / send_back / assign / request_supplement / await_payment / mark_processed belong to the holder of
  the current step: its assignee, anyone with the step's role while it is unassigned, or a leader;
- fulfil_supplement / confirm_payment: any reception, specialist or leader of the agency;
- return_result: reception only; stop: leader only; withdraw: reception or leader;
- reject (refusal after appraisal, Mẫu 03): a specialist holding the step, or a leader, on a received or
  in-progress dossier;
- request_extension: any official of the agency on an open dossier; approve_extension and reject_extension:
  leader only;
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

# States: received = reception step held by the clerk; in_progress = appraisal step assigned to the specialist;
# in_progress_last = the final (return, reception) step, unassigned.
#                 state                     reception specialist leader  outsider
EXPECTED = {
    "forward": {
        "received":             (OK,   PERM, OK,   PERM),
        "in_progress":          (PERM, OK,   OK,   PERM),
        "in_progress_last":     (DENY, PERM, DENY, PERM),  # no next step: mark_processed instead
        "supplement_requested": (DENY, DENY, DENY, PERM),
        "awaiting_payment":     (DENY, DENY, DENY, PERM),
        "processed":            (DENY, DENY, DENY, PERM),
        "returned":             (DENY, DENY, DENY, PERM),
        "refused":              (DENY, DENY, DENY, PERM),
        "rejected":              (DENY, DENY, DENY, PERM),
        "stopped":              (DENY, DENY, DENY, PERM),
        "withdrawn":            (DENY, DENY, DENY, PERM),
    },
    "send_back": {
        "received":             (DENY, DENY, DENY, PERM),
        "in_progress":          (PERM, OK,   OK,   PERM),
        "in_progress_last":     (OK,   PERM, OK,   PERM),
        "supplement_requested": (DENY, DENY, DENY, PERM),
        "awaiting_payment":     (DENY, DENY, DENY, PERM),
        "processed":            (DENY, DENY, DENY, PERM),
        "returned":             (DENY, DENY, DENY, PERM),
        "refused":              (DENY, DENY, DENY, PERM),
        "rejected":              (DENY, DENY, DENY, PERM),
        "stopped":              (DENY, DENY, DENY, PERM),
        "withdrawn":            (DENY, DENY, DENY, PERM),
    },
    "assign": {
        "received":             (OK,   PERM, OK,   PERM),
        "in_progress":          (PERM, OK,   OK,   PERM),
        "in_progress_last":     (OK,   PERM, OK,   PERM),
        "supplement_requested": (DENY, DENY, DENY, PERM),
        "awaiting_payment":     (DENY, DENY, DENY, PERM),
        "processed":            (DENY, DENY, DENY, PERM),
        "returned":             (DENY, DENY, DENY, PERM),
        "refused":              (DENY, DENY, DENY, PERM),
        "rejected":              (DENY, DENY, DENY, PERM),
        "stopped":              (DENY, DENY, DENY, PERM),
        "withdrawn":            (DENY, DENY, DENY, PERM),
    },
    "request_supplement": {
        "received":             (DENY, DENY, DENY, PERM),
        "in_progress":          (PERM, OK,   OK,   PERM),
        "in_progress_last":     (OK,   PERM, OK,   PERM),
        "supplement_requested": (DENY, DENY, DENY, PERM),
        "awaiting_payment":     (DENY, DENY, DENY, PERM),
        "processed":            (DENY, DENY, DENY, PERM),
        "returned":             (DENY, DENY, DENY, PERM),
        "refused":              (DENY, DENY, DENY, PERM),
        "rejected":              (DENY, DENY, DENY, PERM),
        "stopped":              (DENY, DENY, DENY, PERM),
        "withdrawn":            (DENY, DENY, DENY, PERM),
    },
    "fulfil_supplement": {
        "received":             (DENY, DENY, DENY, PERM),
        "in_progress":          (DENY, DENY, DENY, PERM),
        "in_progress_last":     (DENY, DENY, DENY, PERM),
        "supplement_requested": (OK,   OK,   OK,   PERM),
        "awaiting_payment":     (DENY, DENY, DENY, PERM),
        "processed":            (DENY, DENY, DENY, PERM),
        "returned":             (DENY, DENY, DENY, PERM),
        "refused":              (DENY, DENY, DENY, PERM),
        "rejected":              (DENY, DENY, DENY, PERM),
        "stopped":              (DENY, DENY, DENY, PERM),
        "withdrawn":            (DENY, DENY, DENY, PERM),
    },
    "await_payment": {
        "received":             (DENY, DENY, DENY, PERM),
        "in_progress":          (PERM, OK,   OK,   PERM),
        "in_progress_last":     (OK,   PERM, OK,   PERM),
        "supplement_requested": (DENY, DENY, DENY, PERM),
        "awaiting_payment":     (DENY, DENY, DENY, PERM),
        "processed":            (DENY, DENY, DENY, PERM),
        "returned":             (DENY, DENY, DENY, PERM),
        "refused":              (DENY, DENY, DENY, PERM),
        "rejected":              (DENY, DENY, DENY, PERM),
        "stopped":              (DENY, DENY, DENY, PERM),
        "withdrawn":            (DENY, DENY, DENY, PERM),
    },
    "confirm_payment": {
        "received":             (DENY, DENY, DENY, PERM),
        "in_progress":          (DENY, DENY, DENY, PERM),
        "in_progress_last":     (DENY, DENY, DENY, PERM),
        "supplement_requested": (DENY, DENY, DENY, PERM),
        "awaiting_payment":     (OK,   OK,   OK,   PERM),
        "processed":            (DENY, DENY, DENY, PERM),
        "returned":             (DENY, DENY, DENY, PERM),
        "refused":              (DENY, DENY, DENY, PERM),
        "rejected":              (DENY, DENY, DENY, PERM),
        "stopped":              (DENY, DENY, DENY, PERM),
        "withdrawn":            (DENY, DENY, DENY, PERM),
    },
    "mark_processed": {
        "received":             (DENY, DENY, DENY, PERM),
        "in_progress":          (DENY, DENY, DENY, PERM),  # steps remain after appraisal
        "in_progress_last":     (OK,   PERM, OK,   PERM),
        "supplement_requested": (DENY, DENY, DENY, PERM),
        "awaiting_payment":     (DENY, DENY, DENY, PERM),
        "processed":            (DENY, DENY, DENY, PERM),
        "returned":             (DENY, DENY, DENY, PERM),
        "refused":              (DENY, DENY, DENY, PERM),
        "rejected":              (DENY, DENY, DENY, PERM),
        "stopped":              (DENY, DENY, DENY, PERM),
        "withdrawn":            (DENY, DENY, DENY, PERM),
    },
    "return_result": {
        "received":             (DENY, PERM, PERM, PERM),
        "in_progress":          (DENY, PERM, PERM, PERM),
        "in_progress_last":     (DENY, PERM, PERM, PERM),
        "supplement_requested": (DENY, PERM, PERM, PERM),
        "awaiting_payment":     (DENY, PERM, PERM, PERM),
        "processed":            (OK,   PERM, PERM, PERM),
        "returned":             (DENY, PERM, PERM, PERM),
        "refused":              (DENY, PERM, PERM, PERM),
        "rejected":              (DENY, PERM, PERM, PERM),
        "stopped":              (DENY, PERM, PERM, PERM),
        "withdrawn":            (DENY, PERM, PERM, PERM),
    },
    "stop": {
        "received":             (PERM, PERM, OK,   PERM),
        "in_progress":          (PERM, PERM, OK,   PERM),
        "in_progress_last":     (PERM, PERM, OK,   PERM),
        "supplement_requested": (PERM, PERM, OK,   PERM),
        "awaiting_payment":     (PERM, PERM, OK,   PERM),
        "processed":            (PERM, PERM, DENY, PERM),
        "returned":             (PERM, PERM, DENY, PERM),
        "refused":              (PERM, PERM, DENY, PERM),
        "rejected":              (PERM, PERM, DENY, PERM),
        "stopped":              (PERM, PERM, DENY, PERM),
        "withdrawn":            (PERM, PERM, DENY, PERM),
    },
    "reject": {
        "received":             (PERM, PERM, OK,   PERM),  # the reception step is the clerk's
        "in_progress":          (PERM, OK,   OK,   PERM),
        "in_progress_last":     (PERM, PERM, OK,   PERM),
        "supplement_requested": (PERM, DENY, DENY, PERM),
        "awaiting_payment":     (PERM, DENY, DENY, PERM),
        "processed":            (PERM, DENY, DENY, PERM),
        "returned":             (PERM, DENY, DENY, PERM),
        "refused":              (PERM, DENY, DENY, PERM),
        "rejected":             (PERM, DENY, DENY, PERM),
        "stopped":              (PERM, DENY, DENY, PERM),
        "withdrawn":            (PERM, DENY, DENY, PERM),
    },
    "withdraw": {
        "received":             (OK,   PERM, OK,   PERM),
        "in_progress":          (OK,   PERM, OK,   PERM),
        "in_progress_last":     (OK,   PERM, OK,   PERM),
        "supplement_requested": (OK,   PERM, OK,   PERM),
        "awaiting_payment":     (OK,   PERM, OK,   PERM),
        "processed":            (DENY, PERM, DENY, PERM),
        "returned":             (DENY, PERM, DENY, PERM),
        "refused":              (DENY, PERM, DENY, PERM),
        "rejected":              (DENY, PERM, DENY, PERM),
        "stopped":              (DENY, PERM, DENY, PERM),
        "withdrawn":            (DENY, PERM, DENY, PERM),
    },
    "request_extension": {
        "received":             (OK,   OK,   OK,   PERM),
        "in_progress":          (OK,   OK,   OK,   PERM),
        "in_progress_last":     (OK,   OK,   OK,   PERM),
        "supplement_requested": (OK,   OK,   OK,   PERM),
        "awaiting_payment":     (OK,   OK,   OK,   PERM),
        "processed":            (DENY, DENY, DENY, PERM),
        "returned":             (DENY, DENY, DENY, PERM),
        "refused":              (DENY, DENY, DENY, PERM),
        "rejected":              (DENY, DENY, DENY, PERM),
        "stopped":              (DENY, DENY, DENY, PERM),
        "withdrawn":            (DENY, DENY, DENY, PERM),
    },
    "approve_extension": {  # a pending extension exists in every row
        "received":             (PERM, PERM, OK,   PERM),
        "in_progress":          (PERM, PERM, OK,   PERM),
        "in_progress_last":     (PERM, PERM, OK,   PERM),
        "supplement_requested": (PERM, PERM, OK,   PERM),
        "awaiting_payment":     (PERM, PERM, OK,   PERM),
        "processed":            (PERM, PERM, DENY, PERM),
        "returned":             (PERM, PERM, DENY, PERM),
        "refused":              (PERM, PERM, DENY, PERM),
        "rejected":              (PERM, PERM, DENY, PERM),
        "stopped":              (PERM, PERM, DENY, PERM),
        "withdrawn":            (PERM, PERM, DENY, PERM),
    },
}

EXPECTED["reject_extension"] = EXPECTED["approve_extension"]  # the same leader's decision, the other answer

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


def test_table_is_complete_and_outsiders_are_always_refused():
    assert set(EXPECTED) == set(ACTIONS)
    for action, rows in EXPECTED.items():
        assert set(rows) == set(BUILDABLE_STATES), action
        assert all(len(row) == len(ROLES) for row in rows.values())
        assert {row[ROLES.index("outsider")] for row in rows.values()} == {PERM}, action
    assert len(CASES) * len(ROLES) == 15 * 11 * 4


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
