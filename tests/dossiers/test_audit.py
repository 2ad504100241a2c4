"""Audit: for every change of a dossier and its rows, history answers who, when and why, and the public event
log answers what the citizen sees — checked on a dossier taken through supplement, extension and return."""
import datetime

import pytest
from django.utils import timezone

from dossiers import services
from dossiers.models import (
    Dossier,
    DossierDocument,
    DossierEvent,
    Extension,
    State,
    StepRecord,
    SupplementRequest,
)
from procedures.roles import Role

from .conftest import MONDAY_0900, vn

pytestmark = pytest.mark.usefixtures("fast_passwords")
Kind = DossierEvent.Kind


@pytest.fixture
def audited(receive, clerk, specialist, leader, procedure):
    """Received Monday 09/03, supplement Tuesday 16:00 → Wednesday 08:30 (2 h of working time), an extension
    to Friday 20/03 17:00, approval, result ready Thursday 19/03 and returned Friday 20/03."""
    reception, appraisal, approval, ret = procedure.steps.order_by("order")
    started = timezone.now()
    dossier = receive(now=MONDAY_0900)
    pk = dossier.pk
    services.forward(dossier_id=pk, actor=clerk.user, assignee_id=specialist.pk, expected_step_id=reception.pk,
                     note="Đủ thành phần", now=vn(2026, 3, 9, 9, 30))
    services.request_supplement(dossier_id=pk, actor=specialist.user, missing="Bản sao trích lục khai sinh",
                                reply_by=datetime.date(2026, 3, 13), now=vn(2026, 3, 10, 16, 0))
    services.fulfil_supplement(dossier_id=pk, actor=clerk.user, note="Công dân đã nộp", now=vn(2026, 3, 11, 8, 30))
    extension = services.request_extension(dossier_id=pk, actor=specialist.user, reason="Phải xác minh tại xã khác",
                                           proposed_due_at=vn(2026, 3, 20, 17, 0), now=vn(2026, 3, 12, 9, 0))
    services.approve_extension(extension_id=extension.pk, actor=leader.user, now=vn(2026, 3, 12, 14, 0))
    services.forward(dossier_id=pk, actor=specialist.user, expected_step_id=appraisal.pk, now=vn(2026, 3, 18, 9, 0))
    services.forward(dossier_id=pk, actor=leader.user, expected_step_id=approval.pk, now=vn(2026, 3, 18, 15, 0))
    services.mark_processed(dossier_id=pk, actor=clerk.user, expected_step_id=ret.pk, result_note="GCN số 12",
                            now=vn(2026, 3, 19, 10, 0))
    services.return_result(dossier_id=pk, actor=clerk.user, note="Công dân đã nhận", now=vn(2026, 3, 20, 8, 0))
    return Dossier.objects.get(pk=pk), started, timezone.now()


def test_dossier_history_answers_who_when_why(audited, clerk, specialist, leader, procedure):
    dossier, started, finished = audited
    reception, appraisal, approval, ret = procedure.steps.order_by("order")
    rows = list(dossier.history.order_by("history_id"))
    assert [(row.history_type, row.history_user, row.history_change_reason, row.state) for row in rows] == [
        ("+", clerk.user, "receive", State.RECEIVED),
        ("~", clerk.user, f"forward: {appraisal.name}", State.IN_PROGRESS),
        ("~", specialist.user, "request_supplement: Bản sao trích lục khai sinh", State.SUPPLEMENT_REQUESTED),
        ("~", clerk.user, "fulfil_supplement: paused 2:00:00", State.IN_PROGRESS),
        ("~", leader.user, "approve_extension: Phải xác minh tại xã khác", State.IN_PROGRESS),
        ("~", specialist.user, f"forward: {approval.name}", State.IN_PROGRESS),
        ("~", leader.user, f"forward: {ret.name}", State.IN_PROGRESS),
        ("~", clerk.user, "mark_processed", State.PROCESSED),
        ("~", clerk.user, "return_result", State.RETURNED),
    ]
    # When: the real instant of each write, in order.
    dates = [row.history_date for row in rows]
    assert dates == sorted(dates) and started <= dates[0] and dates[-1] <= finished
    # What: the appointment moved twice, by the paused working time and then by the approved extension.
    assert [row.due_at for row in rows[2:5]] == [vn(2026, 3, 16, 9, 0), vn(2026, 3, 16, 11, 0),
                                                 vn(2026, 3, 20, 17, 0)]
    changed = rows[4].diff_against(rows[3]).changed_fields
    assert changed == ["due_at"]
    assert set(rows[3].diff_against(rows[2]).changed_fields) == {"state", "due_at", "paused_since",
                                                                 "paused_working_time"}
    assert rows[3].paused_working_time == datetime.timedelta(hours=2)
    assert (rows[-1].returned_at, rows[-2].processed_at) == (vn(2026, 3, 20, 8, 0), vn(2026, 3, 19, 10, 0))


def test_public_and_internal_events_answer_who_what_when(audited, clerk, specialist, leader, procedure):
    dossier, _started, _finished = audited
    reception, appraisal, approval, ret = procedure.steps.order_by("order")
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("id"))
    assert [(e.kind, e.actor, e.actor_role, e.at, e.step, e.is_public) for e in events] == [
        (Kind.RECEIVED, clerk, Role.RECEPTION, MONDAY_0900, reception, True),
        (Kind.FORWARDED, clerk, Role.RECEPTION, vn(2026, 3, 9, 9, 30), appraisal, True),
        (Kind.SUPPLEMENT_REQUESTED, specialist, Role.SPECIALIST, vn(2026, 3, 10, 16, 0), appraisal, True),
        (Kind.SUPPLEMENT_FULFILLED, clerk, Role.RECEPTION, vn(2026, 3, 11, 8, 30), appraisal, True),
        (Kind.EXTENSION_REQUESTED, specialist, Role.SPECIALIST, vn(2026, 3, 12, 9, 0), appraisal, False),
        (Kind.EXTENSION_APPROVED, leader, Role.LEADER, vn(2026, 3, 12, 14, 0), appraisal, True),
        (Kind.FORWARDED, specialist, Role.SPECIALIST, vn(2026, 3, 18, 9, 0), approval, True),
        (Kind.FORWARDED, leader, Role.LEADER, vn(2026, 3, 18, 15, 0), ret, True),
        (Kind.PROCESSED, clerk, Role.RECEPTION, vn(2026, 3, 19, 10, 0), ret, True),
        (Kind.RETURNED, clerk, Role.RECEPTION, vn(2026, 3, 20, 8, 0), ret, True),
    ]
    by_kind = {event.kind: event for event in events}
    # Why, in the citizen's words where the citizen sees it, and internally where only staff do.
    assert by_kind[Kind.SUPPLEMENT_REQUESTED].public_note == "Bản sao trích lục khai sinh"
    assert by_kind[Kind.SUPPLEMENT_FULFILLED].public_note == "Công dân đã nộp"
    assert by_kind[Kind.EXTENSION_REQUESTED].internal_note == "Phải xác minh tại xã khác"
    assert by_kind[Kind.EXTENSION_REQUESTED].public_note == ""
    assert by_kind[Kind.EXTENSION_APPROVED].public_note == (
        "Xin lỗi vì chậm trễ: Phải xác minh tại xã khác. Hẹn trả mới: 17:00 20/03/2026.")
    assert by_kind[Kind.RETURNED].public_note == "Công dân đã nhận"
    assert events[1].internal_note == "Đủ thành phần"


def test_every_related_row_change_has_an_author_and_a_reason(audited, clerk, specialist, leader):
    dossier, started, finished = audited
    histories = {
        "step records": StepRecord.history.filter(dossier_id=dossier.pk),
        "supplement": SupplementRequest.history.filter(dossier_id=dossier.pk),
        "extension": Extension.history.filter(dossier_id=dossier.pk),
        "documents": DossierDocument.history.filter(dossier_id=dossier.pk),
        "dossier": Dossier.history.filter(id=dossier.pk),
    }
    for name, rows in histories.items():
        assert rows.exists(), name
        for row in rows:
            assert row.history_user is not None, (name, row.history_change_reason)
            assert row.history_change_reason, name
            assert started <= row.history_date <= finished, name

    supplement = list(SupplementRequest.history.filter(dossier_id=dossier.pk).order_by("history_id"))
    assert [(r.history_user, r.history_change_reason, r.fulfilled_at) for r in supplement] == [
        (specialist.user, "request_supplement", None),
        (clerk.user, "fulfil_supplement", vn(2026, 3, 11, 8, 30)),
    ]
    extension = list(Extension.history.filter(dossier_id=dossier.pk).order_by("history_id"))
    assert [(r.history_user, r.status, r.approved_by_id) for r in extension] == [
        (specialist.user, Extension.Status.PENDING, None),
        (leader.user, Extension.Status.APPROVED, leader.pk),
    ]
    assert extension[0].history_change_reason == "request_extension: Phải xác minh tại xã khác"
    documents = DossierDocument.history.filter(dossier_id=dossier.pk)
    assert documents.count() == 2 and {r.history_user for r in documents} == {clerk.user}


def test_step_records_form_the_control_sheet(audited, clerk, specialist, leader, procedure):
    """Mẫu 06: each hand-off with sender, assignee, start, deadline, finish and outcome; the appraisal step's
    deadline moved by the 2 h the citizen took, and its history says so."""
    dossier, _started, _finished = audited
    reception, appraisal, approval, ret = procedure.steps.order_by("order")
    records = list(StepRecord.objects.filter(dossier=dossier).order_by("started_at"))
    assert [(r.step, r.sender, r.assignee, r.started_at, r.due_at, r.finished_at, r.outcome) for r in records] == [
        (reception, clerk, clerk, MONDAY_0900, vn(2026, 3, 9, 14, 30), vn(2026, 3, 9, 9, 30), "forwarded"),
        (appraisal, clerk, specialist, vn(2026, 3, 9, 9, 30), vn(2026, 3, 12, 17, 0), vn(2026, 3, 18, 9, 0),
         "forwarded"),
        (approval, specialist, None, vn(2026, 3, 18, 9, 0), vn(2026, 3, 18, 14, 30), vn(2026, 3, 18, 15, 0),
         "forwarded"),
        (ret, leader, None, vn(2026, 3, 18, 15, 0), vn(2026, 3, 19, 9, 30), vn(2026, 3, 19, 10, 0), "completed"),
    ]
    appraisal_history = StepRecord.history.filter(id=records[1].pk).order_by("history_id")
    assert [(r.history_user, r.history_change_reason, r.due_at) for r in appraisal_history] == [
        (clerk.user, f"open step: {appraisal.name}", vn(2026, 3, 12, 15, 0)),
        (clerk.user, "pause ended", vn(2026, 3, 12, 17, 0)),
        (specialist.user, "forwarded", vn(2026, 3, 12, 17, 0)),
    ]
    # Approval (due 14:30, done 15:00) and return (due 09:30, done 10:00) finished after their deadline instants.
    assert [r.timeliness for r in records] == ["on_time", "late", "late", "late"]
