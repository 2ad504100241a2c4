"""Lifecycle rules through the services: appointments from the working calendar, pauses, timeliness, stale
screens, assignees, counter refusals, extensions, and nothing written when an action is refused.

The week of Monday 09/03/2026 has no holiday; sessions are 07:30–11:30 and 13:00–17:00, Monday to Friday.
"""
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dossiers import selectors, services
from dossiers.errors import DossierActionError, DossierPermissionError
from dossiers.models import (
    Dossier,
    DossierCodeCounter,
    DossierEvent,
    Extension,
    State,
    StepRecord,
    Timeliness,
)
from procedures import calendar
from procedures.roles import Role
from tests.factories import OfficialFactory, ProcedureFactory

from .conftest import MONDAY_0900, applicant, documents_for, snapshot, vn

pytestmark = pytest.mark.usefixtures("fast_passwords")
HOUR = datetime.timedelta(hours=1)


def steps_of(procedure):
    return list(procedure.steps.order_by("order"))


def open_record(dossier) -> StepRecord:
    return StepRecord.objects.get(dossier=dossier, finished_at__isnull=True)


def fresh(dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def to_last_step(dossier, clerk, specialist, leader):
    """Reception → appraisal (09:30) → approval (10:00) → return step (10:30) on Monday 09/03."""
    services.forward(dossier_id=dossier.pk, actor=clerk.user, assignee_id=specialist.pk, now=vn(2026, 3, 9, 9, 30))
    services.forward(dossier_id=dossier.pk, actor=specialist.user, now=vn(2026, 3, 9, 10, 0))
    services.forward(dossier_id=dossier.pk, actor=leader.user, now=vn(2026, 3, 9, 10, 30))


# --- appointments ---------------------------------------------------------------------------------------------


def test_due_at_is_five_working_days_after_reception(receive, procedure):
    dossier = fresh(receive(now=MONDAY_0900))
    # Monday 09:00 + 40 working hours = Monday 16/03/2026 09:00.
    assert dossier.due_at == vn(2026, 3, 16, 9, 0)
    assert dossier.received_at == MONDAY_0900
    assert dossier.state == State.RECEIVED


def test_reception_after_cutoff_counts_from_the_next_working_day(receive):
    # 16:00 is after the 15:00 cutoff: the clock starts Tuesday 07:30, 40 hours later is Monday 16/03 17:00.
    dossier = fresh(receive(now=vn(2026, 3, 9, 16, 0)))
    assert dossier.due_at == vn(2026, 3, 16, 17, 0)
    # The reception step opened at 16:00 (the control sheet records the real hand-off), but its half day
    # counts from Tuesday 07:30.
    record = open_record(dossier)
    assert record.started_at == vn(2026, 3, 9, 16, 0)
    assert record.due_at == vn(2026, 3, 10, 11, 30)


def test_same_day_procedure_received_after_lunch_is_due_the_same_evening(clerk, agency):
    """Issue 11: a birth registration received at 13:30 was due the next morning when modelled as 4 hours."""
    procedure = ProcedureFactory(agencies=[agency], same_day=True, documents=1, steps=[
        ("Tiếp nhận", Role.RECEPTION, "0.5"), ("Xử lý", Role.SPECIALIST, "6"), ("Trả", Role.RECEPTION, "0.5")])
    received = services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(),
                                documents=documents_for(procedure), now=vn(2026, 3, 9, 13, 30))
    assert fresh(received).due_at == vn(2026, 3, 9, 17, 0)
    late = services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(),
                            documents=documents_for(procedure), now=vn(2026, 3, 9, 15, 30))
    assert fresh(late).due_at == vn(2026, 3, 10, 17, 0)
    assert open_record(late).due_at == vn(2026, 3, 10, 8, 0)
    # A step never outlives the dossier's one day: 6 h of appraisal from 14:00 is capped at 17:00.
    services.forward(dossier_id=received.pk, actor=clerk.user, now=vn(2026, 3, 9, 14, 0))
    assert open_record(received).due_at == vn(2026, 3, 9, 17, 0)


def test_friday_afternoon_reception_skips_the_weekend(receive):
    # Friday 13/03 14:00–17:00 is 3 h; Monday to Thursday 32 h (35 h); Friday 20/03 07:30–11:30 (39 h), then 1 h.
    dossier = fresh(receive(now=vn(2026, 3, 13, 14, 0)))
    assert dossier.due_at == vn(2026, 3, 20, 14, 0)


def test_step_deadlines_follow_step_durations(receive, clerk, specialist, leader, procedure):
    reception, appraisal, approval, ret = steps_of(procedure)
    dossier = receive(now=MONDAY_0900)
    first = open_record(dossier)
    assert (first.step, first.assignee, first.started_at) == (reception, clerk, MONDAY_0900)
    assert first.due_at == vn(2026, 3, 9, 14, 30)  # 0.5 day = 4 h: 09:00–11:30, 13:00–14:30

    services.forward(dossier_id=dossier.pk, actor=clerk.user, assignee_id=specialist.pk, now=vn(2026, 3, 9, 9, 30))
    second = open_record(dossier)
    assert (second.step, second.assignee, second.sender) == (appraisal, specialist, clerk)
    # 3.5 days = 28 h from Monday 09:30: Mon 6 h, Tue 8, Wed 8, Thu 07:30–11:30 and 13:00–15:00.
    assert second.due_at == vn(2026, 3, 12, 15, 0)
    first.refresh_from_db()
    assert (first.finished_at, first.outcome) == (vn(2026, 3, 9, 9, 30), StepRecord.Outcome.FORWARDED)
    assert first.timeliness == Timeliness.ON_TIME

    services.forward(dossier_id=dossier.pk, actor=specialist.user, now=vn(2026, 3, 10, 16, 0))
    third = open_record(dossier)
    assert third.step == approval and third.assignee is None
    assert third.due_at == vn(2026, 3, 11, 10, 30)  # 4 h from Tuesday 16:00: 1 h, then Wednesday 07:30 + 3 h
    assert fresh(dossier).state == State.IN_PROGRESS and fresh(dossier).current_step == approval


def test_send_back_reopens_the_earlier_step_with_its_previous_holder(build_dossier, clerk, specialist, procedure):
    reception, appraisal, approval, ret = steps_of(procedure)
    dossier = build_dossier("in_progress_last")
    services.send_back(dossier_id=dossier.pk, actor=clerk.user, to_step_id=appraisal.pk, reason="Sai tên thửa đất",
                       now=vn(2026, 3, 9, 11, 0))
    record = open_record(dossier)
    assert (record.step, record.assignee) == (appraisal, specialist)
    assert record.due_at == vn(2026, 3, 12, 16, 30)  # 28 h from Monday 11:00
    assert StepRecord.objects.filter(dossier=dossier, outcome=StepRecord.Outcome.SENT_BACK).count() == 1
    with pytest.raises(DossierActionError, match="bước trước"):
        services.send_back(dossier_id=dossier.pk, actor=specialist.user, to_step_id=ret.pk, reason="Tới",
                           now=vn(2026, 3, 9, 11, 10))


def test_every_step_record_carries_its_dossiers_agency(build_dossier, clerk, procedure, outsider):
    """The leaders' step reports filter step records by their own agency (issue 20): reception, each forward and a
    send back all copy the dossier's agency, into the history too; another agency's dossier gets its own."""
    dossier = build_dossier("in_progress_last")
    services.send_back(dossier_id=dossier.pk, actor=clerk.user, to_step_id=steps_of(procedure)[1].pk,
                       reason="Sai tên thửa đất", now=vn(2026, 3, 9, 11, 0))
    elsewhere = ProcedureFactory(agencies=[outsider.agency], steps=True, documents=1)
    other = services.receive(actor=outsider.user, procedure_id=elsewhere.pk, applicant=applicant(),
                             documents=documents_for(elsewhere), now=MONDAY_0900)

    records = StepRecord.objects.filter(dossier=dossier)
    assert records.count() == 5 and set(records.values_list("agency_id", flat=True)) == {dossier.agency_id}
    assert set(StepRecord.history.filter(dossier_id=dossier.pk).values_list("agency_id", flat=True)) == {
        dossier.agency_id}
    assert list(StepRecord.objects.filter(dossier=other).values_list("agency_id", flat=True)) == [outsider.agency_id]


# --- pauses ---------------------------------------------------------------------------------------------------


def test_supplement_pause_over_a_weekend_counts_only_working_time(build_dossier, specialist, clerk):
    dossier = build_dossier("in_progress")
    assert fresh(dossier).due_at == vn(2026, 3, 16, 9, 0)
    step_due = open_record(dossier).due_at
    assert step_due == vn(2026, 3, 12, 15, 0)

    services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, missing="Bản sao sổ hộ khẩu",
                                reply_by=datetime.date(2026, 3, 20), now=vn(2026, 3, 13, 16, 0))
    paused = fresh(dossier)
    assert (paused.state, paused.paused_since) == (State.SUPPLEMENT_REQUESTED, vn(2026, 3, 13, 16, 0))
    assert paused.due_at == vn(2026, 3, 16, 9, 0)  # unchanged while paused

    # Friday 16:00–17:00 and Monday 07:30–08:30 are working time; the weekend and the nights are not.
    services.fulfil_supplement(dossier_id=dossier.pk, actor=clerk.user, note="Đã nộp bổ sung",
                               now=vn(2026, 3, 16, 8, 30))
    resumed = fresh(dossier)
    assert resumed.state == State.IN_PROGRESS and resumed.paused_since is None
    assert resumed.paused_working_time == 2 * HOUR
    assert resumed.due_at == vn(2026, 3, 16, 11, 0)
    assert open_record(dossier).due_at == step_due + 2 * HOUR
    request = resumed.supplement_requests.get()
    assert (request.fulfilled_at, request.fulfilled_by) == (vn(2026, 3, 16, 8, 30), clerk)


def test_overnight_pause_counts_only_the_evening_and_morning_sessions(build_dossier, specialist, clerk):
    dossier = build_dossier("in_progress")
    services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, missing="Ảnh 3x4",
                                reply_by=datetime.date(2026, 3, 11), now=vn(2026, 3, 10, 16, 30))
    services.fulfil_supplement(dossier_id=dossier.pk, actor=specialist.user, now=vn(2026, 3, 11, 8, 0))
    resumed = fresh(dossier)
    assert resumed.paused_working_time == HOUR  # 16:30–17:00 and 07:30–08:00
    assert resumed.due_at == vn(2026, 3, 16, 10, 0)


def test_pause_entirely_outside_working_time_moves_nothing(build_dossier, specialist, clerk):
    dossier = build_dossier("in_progress")
    services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, missing="Ảnh 3x4",
                                reply_by=datetime.date(2026, 3, 16), now=vn(2026, 3, 13, 17, 30))
    services.fulfil_supplement(dossier_id=dossier.pk, actor=clerk.user, now=vn(2026, 3, 16, 7, 0))
    resumed = fresh(dossier)
    assert resumed.paused_working_time == datetime.timedelta(0)
    assert resumed.due_at == vn(2026, 3, 16, 9, 0)


def test_payment_pause_moves_the_appointment_by_the_paused_working_time(build_dossier, specialist, leader):
    dossier = build_dossier("in_progress")
    services.await_payment(dossier_id=dossier.pk, actor=specialist.user, amount=Decimal("250000"),
                           description="Lệ phí cấp giấy chứng nhận", now=vn(2026, 3, 11, 11, 0))
    assert fresh(dossier).state == State.AWAITING_PAYMENT
    services.confirm_payment(dossier_id=dossier.pk, actor=leader.user, receipt_number=" BL-77 ",
                             now=vn(2026, 3, 11, 14, 0))
    resumed = fresh(dossier)
    # 11:00–11:30 and 13:00–14:00: lunch is not working time.
    assert resumed.paused_working_time == datetime.timedelta(hours=1, minutes=30)
    assert resumed.due_at == vn(2026, 3, 16, 10, 30)
    payment = resumed.payment_requests.get()
    assert (payment.paid_at, payment.confirmed_by, payment.receipt_number) == (vn(2026, 3, 11, 14, 0), leader, "BL-77")


def test_two_pauses_add_up(build_dossier, specialist, clerk):
    dossier = build_dossier("in_progress")
    services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, missing="Bản vẽ",
                                reply_by=datetime.date(2026, 3, 10), now=vn(2026, 3, 10, 8, 0))
    services.fulfil_supplement(dossier_id=dossier.pk, actor=clerk.user, now=vn(2026, 3, 10, 10, 0))
    services.await_payment(dossier_id=dossier.pk, actor=specialist.user, amount=1000, description="Phí",
                           now=vn(2026, 3, 10, 15, 0))
    services.confirm_payment(dossier_id=dossier.pk, actor=clerk.user, now=vn(2026, 3, 10, 15, 45))
    resumed = fresh(dossier)
    assert resumed.paused_working_time == datetime.timedelta(hours=2, minutes=45)
    received = resumed.received_at
    limit = calendar.to_working_time(resumed.agency, resumed.procedure.time_limit, resumed.procedure.time_unit)
    start = calendar.processing_start(resumed.agency, received, resumed.procedure.time_unit)
    assert resumed.due_at == calendar.add_working_time(resumed.agency, start, limit + resumed.paused_working_time)
    assert resumed.due_at == vn(2026, 3, 16, 13, 15)  # 09:00–11:30 is 2 h 30, lunch skipped, then 15 min


def test_invalid_supplement_and_payment_requests_write_nothing(build_dossier, specialist):
    dossier = build_dossier("in_progress")
    before = snapshot(dossier)
    with pytest.raises(DossierActionError, match="nội dung cần bổ sung"):
        services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, missing="  ",
                                    reply_by=datetime.date(2026, 3, 20), now=vn(2026, 3, 10, 8, 0))
    with pytest.raises(DossierActionError, match="Hạn bổ sung"):
        services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, missing="Ảnh",
                                    reply_by=datetime.date(2026, 3, 9), now=vn(2026, 3, 10, 8, 0))
    with pytest.raises(DossierActionError, match="Số tiền"):
        services.await_payment(dossier_id=dossier.pk, actor=specialist.user, amount=0, description="Phí",
                               now=vn(2026, 3, 10, 8, 0))
    assert snapshot(dossier) == before


# --- timeliness ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("finished", "expected"), [
    (vn(2026, 3, 13, 16, 0), Timeliness.BEFORE),    # Friday, before the Monday appointment
    (vn(2026, 3, 15, 23, 59), Timeliness.BEFORE),   # the last minute before the appointment's day
    (vn(2026, 3, 16, 7, 30), Timeliness.ON_TIME),   # the appointment's day, before 09:00
    (vn(2026, 3, 16, 9, 0), Timeliness.ON_TIME),    # the appointment instant itself
    (vn(2026, 3, 16, 9, 1), Timeliness.LATE),       # issue 11: the appointment's day but after its instant
    (vn(2026, 3, 16, 16, 0), Timeliness.LATE),
    (vn(2026, 3, 17, 8, 0), Timeliness.LATE),       # the next day
])
def test_timeliness_before_on_after(build_dossier, clerk, finished, expected):
    dossier = build_dossier("in_progress_last")
    services.mark_processed(dossier_id=dossier.pk, actor=clerk.user, result_note="Đã ký", now=finished)
    done = fresh(dossier)
    assert (done.state, done.processed_at, done.finished_at) == (State.PROCESSED, finished, finished)
    assert done.timeliness == expected
    assert done.current_assignee is None
    assert not StepRecord.objects.filter(dossier=dossier, finished_at__isnull=True).exists()
    services.return_result(dossier_id=dossier.pk, actor=clerk.user, now=finished + HOUR)
    returned = fresh(dossier)
    assert returned.timeliness == expected  # returning does not change when the result was ready
    assert (returned.returned_at, returned.closed_at) == (finished + HOUR, finished + HOUR)


def test_unfinished_dossier_has_no_timeliness(build_dossier):
    assert build_dossier("in_progress").timeliness is None


def test_one_step_procedure_can_be_finished(agency, clerk, specialist):
    """A procedure of half a day has a single appraisal step: it must not be stuck in "received"."""
    quick = ProcedureFactory(agencies=[agency], steps=True, documents=1, time_limit=Decimal("0.5"))
    (only_step,) = steps_of(quick)
    dossier = services.receive(actor=clerk.user, procedure_id=quick.pk, applicant=applicant(),
                               documents=documents_for(quick), now=MONDAY_0900)
    assert (dossier.state, dossier.current_step, dossier.current_assignee) == (State.RECEIVED, only_step, None)
    assert dossier.due_at == vn(2026, 3, 9, 14, 30)
    services.mark_processed(dossier_id=dossier.pk, actor=specialist.user, expected_step_id=only_step.pk,
                            now=vn(2026, 3, 9, 11, 0))
    done = fresh(dossier)
    assert done.state == State.PROCESSED and done.timeliness == Timeliness.ON_TIME
    assert done.history.count() == 2


# --- stale screens and assignees ------------------------------------------------------------------------------


def test_stale_screen_is_refused(build_dossier, specialist, procedure):
    reception, appraisal, *_rest = steps_of(procedure)
    dossier = build_dossier("in_progress")
    before = snapshot(dossier)
    for call in (
        lambda: services.forward(dossier_id=dossier.pk, actor=specialist.user, expected_step_id=reception.pk),
        lambda: services.assign(dossier_id=dossier.pk, actor=specialist.user, assignee_id=specialist.pk,
                                expected_step_id=reception.pk),
        lambda: services.send_back(dossier_id=dossier.pk, actor=specialist.user, to_step_id=reception.pk,
                                   reason="x", expected_step_id=reception.pk),
        lambda: services.mark_processed(dossier_id=dossier.pk, actor=specialist.user, expected_step_id=reception.pk),
    ):
        with pytest.raises(DossierActionError, match="tải lại trang"):
            call()
    assert snapshot(dossier) == before
    services.forward(dossier_id=dossier.pk, actor=specialist.user, expected_step_id=appraisal.pk,
                     now=vn(2026, 3, 10, 9, 0))
    assert fresh(dossier).current_step.order == 3


def test_assignee_must_have_the_steps_role(build_dossier, clerk, specialist, specialist2, leader, outsider):
    dossier = build_dossier("received")
    before = snapshot(dossier)
    with pytest.raises(DossierActionError, match="không có vai trò"):
        services.forward(dossier_id=dossier.pk, actor=clerk.user, assignee_id=clerk.pk, now=vn(2026, 3, 9, 9, 30))
    with pytest.raises(DossierActionError, match="không thuộc cơ quan"):
        services.forward(dossier_id=dossier.pk, actor=clerk.user, assignee_id=outsider.pk, now=vn(2026, 3, 9, 9, 30))
    retired = OfficialFactory(agency=clerk.agency, roles=[Role.SPECIALIST], is_active=False)
    with pytest.raises(DossierActionError, match="không thuộc cơ quan"):
        services.forward(dossier_id=dossier.pk, actor=clerk.user, assignee_id=retired.pk, now=vn(2026, 3, 9, 9, 30))
    assert snapshot(dossier) == before

    services.forward(dossier_id=dossier.pk, actor=clerk.user, assignee_id=specialist.pk, now=vn(2026, 3, 9, 9, 30))
    with pytest.raises(DossierActionError, match="không có vai trò"):
        services.assign(dossier_id=dossier.pk, actor=specialist.user, assignee_id=clerk.pk)
    # The holder hands over to a colleague; then the first specialist no longer holds the step.
    services.assign(dossier_id=dossier.pk, actor=specialist.user, assignee_id=specialist2.pk, note="Nghỉ phép",
                    now=vn(2026, 3, 9, 10, 0))
    assert open_record(dossier).assignee == specialist2 and fresh(dossier).current_assignee == specialist2
    with pytest.raises(DossierPermissionError):
        services.forward(dossier_id=dossier.pk, actor=specialist.user, now=vn(2026, 3, 9, 10, 30))
    # A leader may take any step.
    services.assign(dossier_id=dossier.pk, actor=leader.user, assignee_id=leader.pk, now=vn(2026, 3, 9, 11, 0))
    assert fresh(dossier).current_assignee == leader


def test_non_officials_are_refused(build_dossier, agency):
    from tests.factories import UserFactory

    dossier = build_dossier("received")
    before = snapshot(dossier)
    retired = OfficialFactory(agency=agency, roles=[Role.LEADER], is_active=False)
    for user in (UserFactory(), retired.user):
        with pytest.raises(DossierPermissionError):
            services.stop(dossier_id=dossier.pk, actor=user, reason="x", legal_ground="y")
    assert snapshot(dossier) == before


# --- refusal at the counter ------------------------------------------------------------------------------------


def test_refuse_at_counter(clerk, procedure):
    dossier = services.refuse_at_counter(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(),
                                         reason="  Thiếu giấy chứng nhận quyền sử dụng đất ", now=MONDAY_0900)
    refused = fresh(dossier)
    assert refused.state == State.REFUSED and refused.national_status == 3
    assert refused.code == "000.00.06.H56-260309-0001"
    assert (refused.received_at, refused.closed_at, refused.due_at) == (MONDAY_0900, MONDAY_0900, MONDAY_0900)
    assert refused.closing_reason == "Thiếu giấy chứng nhận quyền sử dụng đất"
    assert refused.current_step is None and not refused.step_records.exists()
    event = refused.events.get()
    assert (event.kind, event.actor, event.is_public) == (DossierEvent.Kind.REFUSED, clerk, True)
    assert event.public_note == "Thiếu giấy chứng nhận quyền sử dụng đất"
    # One history row, already refused: the audit never shows a "received" dossier that was not.
    assert list(refused.history.values_list("state", "history_change_reason")) == [
        (State.REFUSED, "refuse_at_counter: Thiếu giấy chứng nhận quyền sử dụng đất")]


def test_refuse_at_counter_needs_a_reason_and_a_clerk(clerk, specialist, procedure):
    with pytest.raises(DossierActionError, match="lý do từ chối"):
        services.refuse_at_counter(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(), reason=" ")
    with pytest.raises(DossierPermissionError):
        services.refuse_at_counter(actor=specialist.user, procedure_id=procedure.pk, applicant=applicant(),
                                   reason="Thiếu")
    assert not Dossier.objects.exists() and not DossierCodeCounter.objects.exists()


# --- extensions ----------------------------------------------------------------------------------------------


def test_extension_flow(build_dossier, specialist, specialist2, leader, clerk):
    dossier = build_dossier("in_progress")
    with pytest.raises(DossierActionError, match="sau ngày hẹn hiện tại"):
        services.request_extension(dossier_id=dossier.pk, actor=specialist.user, reason="Chờ xác minh",
                                   proposed_due_at=vn(2026, 3, 16, 9, 0), now=vn(2026, 3, 12, 9, 0))
    with pytest.raises(DossierActionError, match="lý do"):
        services.request_extension(dossier_id=dossier.pk, actor=specialist.user, reason=" ",
                                   proposed_due_at=vn(2026, 3, 20, 17, 0), now=vn(2026, 3, 12, 9, 0))
    extension = services.request_extension(dossier_id=dossier.pk, actor=specialist.user,
                                           reason="Chờ kết quả xác minh thực địa",
                                           proposed_due_at=vn(2026, 3, 20, 17, 0), now=vn(2026, 3, 12, 9, 0))
    assert (extension.status, extension.previous_due_at) == (Extension.Status.PENDING, vn(2026, 3, 16, 9, 0))
    requested = DossierEvent.objects.get(dossier=dossier, kind=DossierEvent.Kind.EXTENSION_REQUESTED)
    assert not requested.is_public and requested.internal_note == "Chờ kết quả xác minh thực địa"

    # One request per dossier.
    with pytest.raises(DossierActionError, match="không quá một lần"):
        services.request_extension(dossier_id=dossier.pk, actor=specialist2.user, reason="Lần hai",
                                   proposed_due_at=vn(2026, 3, 25, 17, 0), now=vn(2026, 3, 12, 10, 0))
    # Only a leader approves.
    for official in (specialist, clerk):
        with pytest.raises(DossierPermissionError):
            services.approve_extension(extension_id=extension.pk, actor=official.user, now=vn(2026, 3, 12, 11, 0))
    assert fresh(dossier).due_at == vn(2026, 3, 16, 9, 0)

    services.approve_extension(extension_id=extension.pk, actor=leader.user, now=vn(2026, 3, 13, 8, 0))
    extended = fresh(dossier)
    assert extended.due_at == vn(2026, 3, 20, 17, 0)
    extension.refresh_from_db()
    assert (extension.status, extension.approved_by, extension.approved_at) == (
        Extension.Status.APPROVED, leader, vn(2026, 3, 13, 8, 0))
    approved = DossierEvent.objects.get(dossier=dossier, kind=DossierEvent.Kind.EXTENSION_APPROVED)
    assert approved.is_public and approved.actor == leader and approved.actor_role == Role.LEADER
    assert "Hẹn trả mới: 17:00 20/03/2026" in approved.public_note
    assert "Chờ kết quả xác minh thực địa" in approved.public_note
    # The citizen's tracking read shows the apology with the new date, not the internal request.
    public = selectors.dossier_by_token(extended.tracking_token)
    assert public.due_at == vn(2026, 3, 20, 17, 0)
    public_kinds = [event.kind for event in public.events.all()]
    assert DossierEvent.Kind.EXTENSION_APPROVED in public_kinds
    assert DossierEvent.Kind.EXTENSION_REQUESTED not in public_kinds

    with pytest.raises(DossierActionError, match="đã được xử lý"):
        services.approve_extension(extension_id=extension.pk, actor=leader.user, now=vn(2026, 3, 13, 9, 0))
    # Issue 11: the appointment is moved at most once — no second request after an approval.
    with pytest.raises(DossierActionError, match="không quá một lần"):
        services.request_extension(dossier_id=dossier.pk, actor=specialist.user, reason="Thêm thời gian",
                                   proposed_due_at=vn(2026, 3, 25, 17, 0), now=vn(2026, 3, 16, 9, 0))
    assert dossier.extensions.count() == 1


@pytest.mark.parametrize(("asked_at", "allowed"), [
    (vn(2026, 3, 13, 9, 0), True),    # Friday 09:00: one working day (8 h) before Monday 09:00 — the last instant
    (vn(2026, 3, 13, 9, 1), False),   # a minute later
    (vn(2026, 3, 16, 8, 0), False),   # the appointment's own morning
    (vn(2026, 3, 17, 8, 0), False),   # already overdue
])
def test_extension_is_requested_no_later_than_one_working_day_before_the_appointment(build_dossier, specialist,
                                                                                    asked_at, allowed):
    dossier = build_dossier("in_progress")
    assert dossier.due_at == vn(2026, 3, 16, 9, 0)
    assert services.extension_deadline(dossier) == vn(2026, 3, 13, 9, 0)
    request = dict(dossier_id=dossier.pk, actor=specialist.user, reason="Chờ xác minh",
                   proposed_due_at=vn(2026, 3, 20, 17, 0), now=asked_at)
    if allowed:
        assert services.request_extension(**request).status == Extension.Status.PENDING
    else:
        before = snapshot(dossier)
        with pytest.raises(DossierActionError, match="chậm nhất một ngày làm việc"):
            services.request_extension(**request)
        assert snapshot(dossier) == before


def test_leader_approves_a_different_date_and_both_are_recorded(build_dossier, specialist, leader, client):
    dossier = build_dossier("in_progress")
    extension = services.request_extension(dossier_id=dossier.pk, actor=specialist.user, reason="Chờ xác minh",
                                           proposed_due_at=vn(2026, 3, 25, 17, 0), now=vn(2026, 3, 12, 9, 0))
    with pytest.raises(DossierActionError, match="sau ngày hẹn hiện tại"):
        services.approve_extension(extension_id=extension.pk, actor=leader.user, due_at=vn(2026, 3, 16, 8, 0),
                                   now=vn(2026, 3, 12, 10, 0))
    services.approve_extension(extension_id=extension.pk, actor=leader.user, due_at=vn(2026, 3, 19, 17, 0),
                               now=vn(2026, 3, 12, 10, 0))
    extension.refresh_from_db()
    assert (extension.status, extension.proposed_due_at, extension.approved_due_at) == (
        Extension.Status.APPROVED, vn(2026, 3, 25, 17, 0), vn(2026, 3, 19, 17, 0))
    assert fresh(dossier).due_at == vn(2026, 3, 19, 17, 0)
    event = DossierEvent.objects.get(dossier=dossier, kind=DossierEvent.Kind.EXTENSION_APPROVED)
    assert "Hẹn trả mới: 17:00 19/03/2026" in event.public_note
    assert "17:00 25/03/2026" in event.internal_note
    assert Extension.history.filter(id=extension.pk).count() == 2  # requested, decided

    client.force_login(leader.user)
    html = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "phê duyệt ngày khác" in html and "17:00 19/03/2026" in html


def test_leader_rejects_an_extension_with_a_reason(build_dossier, specialist, leader, client):
    dossier = build_dossier("in_progress")
    extension = services.request_extension(dossier_id=dossier.pk, actor=specialist.user, reason="Chờ xác minh",
                                           proposed_due_at=vn(2026, 3, 25, 17, 0), now=vn(2026, 3, 12, 9, 0))
    with pytest.raises(DossierPermissionError):
        services.reject_extension(extension_id=extension.pk, actor=specialist.user, reason="Không",
                                  now=vn(2026, 3, 12, 10, 0))
    with pytest.raises(DossierActionError, match="lý do không chấp thuận"):
        services.reject_extension(extension_id=extension.pk, actor=leader.user, reason=" ", now=vn(2026, 3, 12, 10, 0))
    services.reject_extension(extension_id=extension.pk, actor=leader.user, reason="Đủ thời gian xác minh",
                              now=vn(2026, 3, 12, 10, 0))
    extension.refresh_from_db()
    assert (extension.status, extension.decision_note, extension.approved_by) == (
        Extension.Status.REJECTED, "Đủ thời gian xác minh", leader)
    assert fresh(dossier).due_at == vn(2026, 3, 16, 9, 0)  # the appointment stands
    event = DossierEvent.objects.get(dossier=dossier, kind=DossierEvent.Kind.EXTENSION_REJECTED)
    assert (event.is_public, event.internal_note, event.actor) == (False, "Đủ thời gian xác minh", leader)
    # The dossier's one request is used.
    with pytest.raises(DossierActionError, match="không quá một lần"):
        services.request_extension(dossier_id=dossier.pk, actor=specialist.user, reason="Lần hai",
                                   proposed_due_at=vn(2026, 3, 25, 17, 0), now=vn(2026, 3, 12, 11, 0))
    client.force_login(leader.user)
    html = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Không chấp thuận" in html and "Đủ thời gian xác minh" in html
    assert 'id="action-request_extension"' not in html


def test_extension_decisions_through_the_dossier_page(build_dossier, specialist, leader, client, time_machine):
    time_machine.move_to(vn(2026, 3, 12, 10, 0), tick=False)
    dossier = build_dossier("in_progress")
    extension = services.request_extension(dossier_id=dossier.pk, actor=specialist.user, reason="Chờ xác minh",
                                           proposed_due_at=vn(2026, 3, 25, 17, 0), now=vn(2026, 3, 12, 9, 0))
    client.force_login(leader.user)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert 'id="approve-extension-other-date"' in page and 'id="reject-extension"' in page
    # A reason is required to reject; a malformed date is refused; neither writes anything.
    client.post(reverse("dossiers:reject_extension", args=[extension.pk]), {"reason": ""})
    client.post(reverse("dossiers:approve_extension", args=[extension.pk]), {"due_at": "31/02/2026"})
    extension.refresh_from_db()
    assert extension.status == Extension.Status.PENDING
    response = client.post(reverse("dossiers:approve_extension", args=[extension.pk]), {"due_at": "27/03/2026"})
    assert response.status_code == 302
    extension.refresh_from_db()
    assert extension.approved_due_at == vn(2026, 3, 27, 17, 0) and fresh(dossier).due_at == vn(2026, 3, 27, 17, 0)


def test_pause_after_an_extension_moves_the_new_appointment(build_dossier, specialist, leader, clerk):
    dossier = build_dossier("in_progress")
    extension = services.request_extension(dossier_id=dossier.pk, actor=specialist.user, reason="Chờ",
                                           proposed_due_at=vn(2026, 3, 20, 17, 0), now=vn(2026, 3, 12, 9, 0))
    services.approve_extension(extension_id=extension.pk, actor=leader.user, now=vn(2026, 3, 12, 10, 0))
    services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, missing="Ảnh",
                                reply_by=datetime.date(2026, 3, 13), now=vn(2026, 3, 12, 15, 0))
    services.fulfil_supplement(dossier_id=dossier.pk, actor=clerk.user, now=vn(2026, 3, 13, 9, 30))
    # 2 h on Thursday + 2 h on Friday, counted from the 17:00 appointment: Monday 23/03 11:30.
    assert fresh(dossier).due_at == vn(2026, 3, 23, 11, 30)


# --- stop and withdraw ----------------------------------------------------------------------------------------


def test_stop_while_paused_closes_the_step_and_keeps_the_appointment(build_dossier, leader):
    dossier = build_dossier("supplement_requested")
    services.stop(dossier_id=dossier.pk, actor=leader.user, reason="Công dân không bổ sung",
                  legal_ground="Điều 18 Nghị định 118/2025/NĐ-CP", now=vn(2026, 3, 20, 9, 0))
    stopped = fresh(dossier)
    assert (stopped.state, stopped.closed_at, stopped.paused_since) == (State.STOPPED, vn(2026, 3, 20, 9, 0), None)
    assert stopped.due_at == vn(2026, 3, 16, 9, 0)
    assert stopped.closing_legal_ground == "Điều 18 Nghị định 118/2025/NĐ-CP"
    assert stopped.timeliness is None and stopped.finished_at == vn(2026, 3, 20, 9, 0)
    assert not StepRecord.objects.filter(dossier=dossier, finished_at__isnull=True).exists()
    assert StepRecord.objects.filter(dossier=dossier, outcome=StepRecord.Outcome.CLOSED).count() == 1
    with pytest.raises(DossierActionError, match="lý do và căn cứ"):
        services.stop(dossier_id=build_dossier("received").pk, actor=leader.user, reason="x", legal_ground="")


def test_withdraw_records_the_reason_publicly(build_dossier, clerk):
    dossier = build_dossier("awaiting_payment")
    services.withdraw(dossier_id=dossier.pk, actor=clerk.user, reason="Công dân không còn nhu cầu",
                      now=vn(2026, 3, 10, 9, 0))
    withdrawn = fresh(dossier)
    assert withdrawn.state == State.WITHDRAWN and withdrawn.closing_reason == "Công dân không còn nhu cầu"
    event = withdrawn.events.order_by("-at", "-id").first()
    assert (event.kind, event.public_note, event.is_public) == (
        DossierEvent.Kind.WITHDRAWN, "Công dân không còn nhu cầu", True)


def test_an_extension_approved_during_a_pause_keeps_its_date_for_the_pause_so_far(build_dossier, clerk, specialist, leader):
    """The leader's new appointment replaces the old one as it stands; only the pause after the approval moves it."""
    dossier = build_dossier("in_progress", extension=True)
    extension = dossier.extensions.get()
    services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, missing="Bản sao sổ đỏ",
                                reply_by=vn(2026, 3, 20).date(), now=vn(2026, 3, 10, 8, 0))
    # Tuesday 08:00 → Wednesday 08:00 paused before the approval: 8 working hours, not added to the new date.
    services.approve_extension(extension_id=extension.pk, actor=leader.user, now=vn(2026, 3, 11, 8, 0))
    # Wednesday 08:00 → 10:00 paused after it: 2 working hours, added to the new date.
    services.fulfil_supplement(dossier_id=dossier.pk, actor=clerk.user, now=vn(2026, 3, 11, 10, 0))

    dossier = fresh(dossier)
    agency = dossier.agency
    assert dossier.due_at == calendar.add_working_time(agency, extension.proposed_due_at, datetime.timedelta(hours=2))
    assert dossier.paused_working_time == datetime.timedelta(hours=10)


# --- refusal after appraisal -----------------------------------------------------------------------------------


def test_specialist_refuses_after_appraisal_with_a_reason(build_dossier, specialist, specialist2, leader):
    """Issue 11: a received dossier found not to qualify could only be stopped (Mẫu 05), not refused (Mẫu 03)."""
    dossier = build_dossier("in_progress")
    with pytest.raises(DossierPermissionError):  # not the holder of the appraisal step
        services.reject(dossier_id=dossier.pk, actor=specialist2.user, reason="Không đủ điều kiện",
                        now=vn(2026, 3, 10, 9, 0))
    with pytest.raises(DossierActionError, match="lý do từ chối"):
        services.reject(dossier_id=dossier.pk, actor=specialist.user, reason="  ", now=vn(2026, 3, 10, 9, 0))
    services.reject(dossier_id=dossier.pk, actor=specialist.user, reason="Thửa đất đang có tranh chấp",
                    legal_ground="Khoản 1 Điều 151 Luật Đất đai 2024", now=vn(2026, 3, 10, 9, 0))
    rejected = fresh(dossier)
    assert (rejected.state, rejected.national_status, rejected.closed_at) == (State.REJECTED, 3, vn(2026, 3, 10, 9, 0))
    assert (rejected.closing_reason, rejected.closing_legal_ground) == (
        "Thửa đất đang có tranh chấp", "Khoản 1 Điều 151 Luật Đất đai 2024")
    assert rejected.current_assignee is None and rejected.timeliness is None
    assert not StepRecord.objects.filter(dossier=dossier, finished_at__isnull=True).exists()
    event = rejected.events.order_by("-at", "-id").first()
    assert (event.kind, event.public_note, event.is_public, event.actor) == (
        DossierEvent.Kind.REJECTED, "Thửa đất đang có tranh chấp", True, specialist)
    assert rejected.history.first().history_change_reason == "reject: Thửa đất đang có tranh chấp"
    # A leader refuses a dossier still at reception.
    received = build_dossier("received")
    services.reject(dossier_id=received.pk, actor=leader.user, reason="Không thuộc thẩm quyền",
                    now=vn(2026, 3, 10, 9, 0))
    assert fresh(received).state == State.REJECTED


def test_refused_after_appraisal_on_the_page_the_letter_and_the_tracking(build_dossier, specialist, client):
    from tests.dossiers.pdf_support import pdf_text

    dossier = build_dossier("in_progress")
    client.force_login(specialist.user)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert 'id="action-reject"' in page
    response = client.post(reverse("dossiers:act", args=[dossier.pk, "reject"]),
                           {"reject-reason": "Thửa đất đang có tranh chấp", "reject-confirm": "on",
                            "reject-expected_step": dossier.current_step_id})
    assert response.status_code == 302 and fresh(dossier).state == State.REJECTED
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Từ chối giải quyết" in page and 'id="action-reject"' not in page
    letter = client.get(reverse("forms:form", args=[dossier.pk, "03"]))
    assert letter["Content-Type"] == "application/pdf"
    assert "Thửa đất đang có tranh chấp" in pdf_text(letter.content)
    client.logout()
    tracking = client.get(reverse("tracking:track", args=[dossier.tracking_token])).content.decode()
    assert "Hồ sơ không đủ điều kiện giải quyết" in tracking and "Thửa đất đang có tranh chấp" in tracking


# --- supplement after reception --------------------------------------------------------------------------------


def test_supplement_notice_is_due_three_working_days_after_reception(build_dossier, receive, specialist):
    """Issue 11: nothing told the specialist that a supplement must be requested within 3 working days."""
    on_time = build_dossier("in_progress")
    assert on_time.supplement_notice_due_at == vn(2026, 3, 12, 9, 0)  # Monday 09:00 + 24 working hours
    services.request_supplement(dossier_id=on_time.pk, actor=specialist.user, missing="Bản sao sổ đỏ",
                                reply_by=datetime.date(2026, 3, 20), now=vn(2026, 3, 12, 9, 0))
    request = on_time.supplement_requests.get()
    assert not request.notice_late
    assert DossierEvent.objects.get(dossier=on_time, kind=DossierEvent.Kind.SUPPLEMENT_REQUESTED).internal_note == ""

    late = build_dossier("in_progress")
    services.request_supplement(dossier_id=late.pk, actor=specialist.user, missing="Bản sao sổ đỏ",
                                reply_by=datetime.date(2026, 3, 20), now=vn(2026, 3, 12, 9, 1))
    assert late.supplement_requests.get().notice_late
    event = DossierEvent.objects.get(dossier=late, kind=DossierEvent.Kind.SUPPLEMENT_REQUESTED)
    assert "sau hạn 03 ngày làm việc" in event.internal_note and event.public_note == "Bản sao sổ đỏ"
    # Received after the cutoff: the window, like the limit, counts from the next working day.
    assert fresh(receive(now=vn(2026, 3, 9, 16, 0))).supplement_notice_due_at == vn(2026, 3, 12, 17, 0)


def test_supplement_keeps_the_time_spent_by_default(build_dossier, specialist, clerk):
    dossier = build_dossier("supplement_requested")  # requested Monday 10:00, due Monday 16/03 09:00
    services.fulfil_supplement(dossier_id=dossier.pk, actor=clerk.user, now=vn(2026, 3, 10, 10, 0))
    # Paused Monday 10:00 → Tuesday 10:00 (8 working hours): the appointment moves by that, no more.
    assert fresh(dossier).due_at == vn(2026, 3, 17, 9, 0)


def test_supplement_restarts_the_limit_where_the_agency_says_so(build_dossier, specialist, clerk, agency):
    agency.supplement_restarts_limit = True
    agency.save()
    dossier = build_dossier("supplement_requested")
    services.fulfil_supplement(dossier_id=dossier.pk, actor=clerk.user, now=vn(2026, 3, 10, 10, 0))
    # The full 5 working days again from Tuesday 10:00.
    assert fresh(dossier).due_at == vn(2026, 3, 17, 10, 0)


def test_dossier_page_counts_supplement_requests_and_warns_of_the_notice_deadline(
        client, receive, clerk, specialist, leader):
    now = timezone.now()
    dossier = receive(now=now)
    client.force_login(clerk.user)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert page.context["supplement_notice"] in ("", "soon")
    html = page.content.decode()
    assert 'id="supplement-count">0<' in html
    # Move the window's end into the past (a dossier received long ago) and to within the due-soon horizon.
    Dossier.objects.filter(pk=dossier.pk).update(supplement_notice_due_at=now - datetime.timedelta(minutes=1))
    html = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Đã hết hạn yêu cầu bổ sung" in html
    Dossier.objects.filter(pk=dossier.pk).update(supplement_notice_due_at=now + datetime.timedelta(minutes=30))
    html = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Sắp hết hạn yêu cầu bổ sung" in html
    worklist = client.get(reverse("dossiers:worklist") + "?tab=all").content.decode()
    assert "Sắp hết hạn yêu cầu bổ sung" in worklist
