"""Random sequences of the lifecycle services on a few dossiers, with a clock that only moves forward.

After every step the machine checks, for every dossier:
- its events are in time order (ids and instants agree) and none lies in the future or before reception;
- due_at ≥ received_at, and due_at is exactly the calendar's appointment (or the last approved extension's
  date) moved by the working time of the pauses since, which the model measures itself: paused time never counts;
- the open step's deadline is its duration from its start, moved by the pauses while it was open;
- the number of history rows equals 1 (creation) + the successful calls that saved the dossier
  (every action but request_extension saves it);
- at most one StepRecord is open, and one is open exactly when the dossier is open;
- a refused action changed nothing, and a finished dossier (returned, refused, stopped, withdrawn) never moves.
"""
import dataclasses
import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from dossiers import services
from dossiers.errors import DossierActionError
from dossiers.models import CLOSED_STATES, OPEN_STATES, PAUSED_STATES, Dossier, DossierEvent, Extension, StepRecord
from procedures import calendar

from .conftest import applicant, documents_for, snapshot, vn

ACTIONS = ("forward", "send_back", "assign", "request_supplement", "fulfil_supplement", "await_payment",
           "confirm_payment", "mark_processed", "return_result", "stop", "withdraw", "request_extension",
           "approve_extension")
# Forwarding and finishing weigh more, so that walks of 15 steps reach the end of the lifecycle.
WEIGHTED_ACTIONS = ACTIONS + ("forward",) * 4 + ("mark_processed", "return_result", "fulfil_supplement",
                                                 "confirm_payment")
# "auto" is whoever may act (the holder of the step, the clerk, the leader…); otherwise anybody, outsider included.
ACTORS = ("auto", "auto", "auto", 0, 1, 2, 3, 4)
# Minutes the clock moves before each call: often within a session, sometimes over nights and weekends.
ADVANCE = st.one_of(st.integers(0, 240), st.integers(240, 4 * 24 * 60))


@dataclasses.dataclass
class Expected:
    """What the model knows about one dossier, independently of what the services stored."""

    saves: int                       # history rows the dossier must have
    base_due: datetime.datetime      # the calendar's appointment, or the last approved extension's date
    paused_since_base: datetime.timedelta = datetime.timedelta(0)
    paused_total: datetime.timedelta = datetime.timedelta(0)
    pause_start: datetime.datetime | None = None
    record_paused: datetime.timedelta = datetime.timedelta(0)  # pauses while the open step was open
    frozen: dict | None = None       # snapshot of a finished dossier


def moved(agency, instant, working):
    return calendar.add_working_time(agency, instant, working) if working else instant


@pytest.mark.django_db
def test_random_lifecycles_keep_their_invariants(fast_passwords, agency, clerk, specialist, specialist2, leader,
                                                 outsider, procedure):
    officials = [clerk, specialist, specialist2, leader, outsider]
    assignees = [None, clerk.pk, specialist.pk, specialist2.pk, leader.pk, outsider.pk]
    steps = list(procedure.steps.order_by("order"))
    documents = documents_for(procedure)
    succeeded: set[str] = set()  # actions that succeeded at least once, over all examples
    by_role = {"reception": clerk, "specialist": specialist, "leader": leader}

    def likely_actor(dossier, action):
        if action in ("return_result", "withdraw"):
            return clerk
        if action in ("stop", "approve_extension"):
            return leader
        if action in ("fulfil_supplement", "confirm_payment", "request_extension"):
            return specialist
        if dossier.current_assignee is not None:
            return dossier.current_assignee
        return by_role[dossier.current_step.role] if dossier.current_step else clerk

    class Lifecycle(RuleBasedStateMachine):
        dossiers = Bundle("dossiers")

        def __init__(self):
            super().__init__()
            # Each example runs in a savepoint rolled back at teardown, so examples do not see each other.
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self.clock = vn(2026, 3, 9, 7, 0)
            self.expected: dict[int, Expected] = {}

        def teardown(self):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

        def tick(self, minutes: int) -> datetime.datetime:
            self.clock += datetime.timedelta(minutes=minutes)
            return self.clock

        # --- creation ---------------------------------------------------------------------------------------
        def create(self, advance: int, refuse: bool) -> int:
            now = self.tick(advance)
            if refuse:
                dossier = services.refuse_at_counter(actor=clerk.user, procedure_id=procedure.pk,
                                                     applicant=applicant(), reason="Thiếu tờ khai", now=now)
                self.expected[dossier.pk] = Expected(saves=1, base_due=now)
                self.expected[dossier.pk].frozen = snapshot(dossier)
            else:
                dossier = services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(),
                                           documents=documents, now=now)
                base = calendar.due_at(agency, now, procedure.time_limit, procedure.time_unit)
                self.expected[dossier.pk] = Expected(saves=1, base_due=base)
            return dossier.pk

        @initialize(target=dossiers, advance=ADVANCE)
        def first(self, advance):
            return self.create(advance, refuse=False)

        @precondition(lambda self: len(self.expected) < 3)
        @rule(target=dossiers, advance=ADVANCE, refuse=st.sampled_from([False, False, False, True]))
        def another(self, advance, refuse):
            return self.create(advance, refuse)

        # --- every other service ------------------------------------------------------------------------------
        @rule(pk=dossiers, action=st.sampled_from(WEIGHTED_ACTIONS), who=st.sampled_from(ACTORS),
              choice=st.integers(0, 59), advance=ADVANCE)
        def act(self, pk, action, who, choice, advance):
            self.perform(pk, action, who, choice, self.tick(advance))

        @rule(pk=dossiers, advance=ADVANCE)
        def progress(self, pk, advance):
            """The natural next move, by whoever may make it: walks reach the end of the lifecycle."""
            dossier = Dossier.objects.select_related("current_step").get(pk=pk)
            action = {
                "received": "forward", "supplement_requested": "fulfil_supplement",
                "awaiting_payment": "confirm_payment", "processed": "return_result",
            }.get(dossier.state)
            if dossier.state == "in_progress":
                action = "mark_processed" if dossier.current_step == steps[-1] else "forward"
            if action is not None:
                # choice 1: the fresh expected step, no named assignee.
                self.perform(pk, action, "auto", 1, self.tick(advance))

        @rule(pk=dossiers, action=st.sampled_from(["request_supplement", "await_payment", "request_extension",
                                                   "approve_extension"]), advance=ADVANCE)
        def detour(self, pk, action, advance):
            """A pause or an extension, by whoever may ask for it (choice 31: a valid reply date and amount)."""
            self.perform(pk, action, "auto", 31, self.tick(advance))

        def perform(self, pk, action, who, choice, now):
            dossier = Dossier.objects.select_related("current_step", "current_assignee__user").get(pk=pk)
            actor = (officials[who] if who != "auto" else likely_actor(dossier, action)).user
            expected = self.expected[pk]
            before = snapshot(dossier)
            assignee_id = assignees[choice % len(assignees)] if choice != 1 else None
            stale_or_fresh = [None, dossier.current_step_id, steps[choice % len(steps)].pk][choice % 3]
            common = dict(dossier_id=pk, actor=actor, now=now)
            calls = {
                "forward": lambda: services.forward(**common, expected_step_id=stale_or_fresh, assignee_id=assignee_id),
                "send_back": lambda: services.send_back(**common, to_step_id=steps[choice % len(steps)].pk,
                                                        reason="Cần thẩm định lại", expected_step_id=stale_or_fresh),
                "assign": lambda: services.assign(**common, assignee_id=assignee_id or clerk.pk,
                                                  expected_step_id=stale_or_fresh),
                "request_supplement": lambda: services.request_supplement(
                    **common, missing="Bản sao giấy tờ", reply_by=timezone.localtime(now).date()
                    + datetime.timedelta(days=choice % 5 - 1)),
                "fulfil_supplement": lambda: services.fulfil_supplement(**common),
                "await_payment": lambda: services.await_payment(**common, amount=choice * 1000,
                                                                description="Lệ phí"),
                "confirm_payment": lambda: services.confirm_payment(**common, receipt_number="BL"),
                "mark_processed": lambda: services.mark_processed(**common, expected_step_id=stale_or_fresh),
                "return_result": lambda: services.return_result(**common),
                "stop": lambda: services.stop(**common, reason="Dừng", legal_ground="Điều 18 NĐ 118/2025/NĐ-CP"),
                "withdraw": lambda: services.withdraw(**common, reason="Công dân rút"),
                "request_extension": lambda: services.request_extension(
                    **common, reason="Xin gia hạn",
                    proposed_due_at=max(dossier.due_at, now) + datetime.timedelta(hours=choice % 4 * 30)),
                "approve_extension": lambda: services.approve_extension(
                    extension_id=(Extension.objects.filter(dossier_id=pk).order_by("-pk")
                                  .values_list("pk", flat=True).first() or 0), actor=actor, now=now),
            }
            try:
                calls[action]()
            except DossierActionError as error:
                assert str(error.message)
                assert snapshot(dossier) == before, (action, error.message)
                return
            succeeded.add(action)
            after = Dossier.objects.get(pk=pk)
            assert expected.frozen is None, f"a finished dossier moved: {action}"
            if action != "request_extension":
                expected.saves += 1
            if action in ("request_supplement", "await_payment"):
                expected.pause_start = now
            elif action in ("fulfil_supplement", "confirm_payment"):
                paused = calendar.working_time_between(agency, expected.pause_start, now)
                expected.pause_start = None
                expected.paused_total += paused
                expected.paused_since_base += paused
                expected.record_paused += paused
            elif action in ("stop", "withdraw"):
                expected.pause_start = None  # a pause ended by closing does not move the appointment
            elif action == "approve_extension":
                expected.base_due = Extension.objects.filter(dossier_id=pk).latest("pk").proposed_due_at
                expected.paused_since_base = datetime.timedelta(0)
                if expected.pause_start is not None:
                    # Approved mid-pause: the pause so far is counted now and does not move the new date.
                    paused = calendar.working_time_between(agency, expected.pause_start, now)
                    expected.paused_total += paused
                    expected.record_paused += paused
                    expected.pause_start = now
            elif action in ("forward", "send_back"):
                expected.record_paused = datetime.timedelta(0)
            if after.state in CLOSED_STATES:
                expected.frozen = snapshot(after)

        # --- invariants -------------------------------------------------------------------------------------------
        @invariant()
        def every_dossier_is_consistent(self):
            for pk, expected in self.expected.items():
                dossier = Dossier.objects.select_related("current_step").get(pk=pk)
                events = list(DossierEvent.objects.filter(dossier_id=pk).order_by("id").values_list("at", flat=True))
                assert events == sorted(events)
                assert events[0] == dossier.received_at and events[-1] <= self.clock
                assert dossier.due_at >= dossier.received_at
                assert dossier.history.count() == expected.saves
                assert dossier.due_at == moved(agency, expected.base_due, expected.paused_since_base)
                assert dossier.paused_working_time == expected.paused_total
                assert dossier.paused_since == (expected.pause_start if dossier.state in PAUSED_STATES else None)

                open_records = list(StepRecord.objects.filter(dossier_id=pk, finished_at__isnull=True)
                                    .select_related("step"))
                assert len(open_records) == (1 if dossier.state in OPEN_STATES else 0)
                if open_records:
                    (record,) = open_records
                    assert record.step_id == dossier.current_step_id
                    assert record.assignee_id == dossier.current_assignee_id
                    duration = calendar.to_working_time(agency, record.step.duration, procedure.time_unit)
                    # The record opened by reception starts its clock where the dossier's does (after hours: next
                    # session); a later record, even one opened in the same minute, starts when it is opened.
                    opened_at_reception = not StepRecord.objects.filter(dossier_id=pk, pk__lt=record.pk).exists()
                    clock_start = (calendar.processing_start(agency, record.started_at, procedure.time_unit)
                                   if opened_at_reception else record.started_at)
                    first_due = calendar.add_working_time(agency, clock_start, duration)
                    assert record.due_at == moved(agency, first_due, expected.record_paused)
                if expected.frozen is not None:
                    assert snapshot(dossier) == expected.frozen

    run_state_machine_as_test(
        Lifecycle,
        settings=settings(max_examples=25, stateful_step_count=15, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
    # Not vacuous: the random walks reached most of the lifecycle.
    assert {"forward", "mark_processed"} <= succeeded and len(succeeded) >= 6, succeeded
