"""Fixtures for ratings and feedback: the dossier fixtures (agency, clerk, specialist, leader, procedure, receive)
plus a builder that brings a dossier to its end through the dossier services, at chosen instants."""
import datetime

import pytest

from dossiers import services as dossier_services
from procedures.roles import Role
from satisfaction.services import Answers
from tests.dossiers.conftest import *  # noqa: F403 (agency, clerk, specialist, specialist2, leader, outsider, procedure, receive)
from tests.dossiers.conftest import MONDAY_0900, applicant, documents_for, vn
from tests.factories import OfficialFactory, ProcedureFactory

# Received Monday 09/03/2026 09:00, a 5-working-day procedure: the appointment is Monday 16/03/2026.
DUE_DAY = datetime.date(2026, 3, 16)
BEFORE_DUE = vn(2026, 3, 10, 14, 0)
ON_DUE_DAY = vn(2026, 3, 16, 8, 0)
AFTER_DUE = vn(2026, 3, 17, 9, 0)
RATED_AT = vn(2026, 3, 20, 10, 0)


@pytest.fixture
def procedure2(agency):
    return ProcedureFactory(agencies=[agency], steps=True, documents=1, time_limit=5)


@pytest.fixture
def finish(clerk, specialist, leader, procedure):
    """finish(state="returned", processed_at=BEFORE_DUE, specialist=…, procedure=…) -> a dossier received on
    Monday 09/03/2026 09:00 by `clerk`, appraised by `specialist`, approved by `leader` (assigned), processed at
    `processed_at` and returned five minutes later; or left "processed", "in_progress", "stopped" or "refused"."""

    def _finish(state="returned", *, processed_at=BEFORE_DUE, specialist=specialist, procedure=procedure,
                **applicant_overrides):
        actor = clerk.user
        if state == "refused":
            return dossier_services.refuse_at_counter(
                actor=actor, procedure_id=procedure.pk, applicant=applicant(**applicant_overrides),
                reason="Thiếu tờ khai", documents=documents_for(procedure), now=MONDAY_0900)
        dossier = dossier_services.receive(actor=actor, procedure_id=procedure.pk,
                                           applicant=applicant(**applicant_overrides),
                                           documents=documents_for(procedure), now=MONDAY_0900)
        pk = dossier.pk
        dossier_services.forward(dossier_id=pk, actor=actor, assignee_id=specialist.pk, now=vn(2026, 3, 9, 9, 30))
        if state == "in_progress":
            return _fresh(pk)
        if state == "stopped":
            dossier_services.stop(dossier_id=pk, actor=leader.user, reason="Có tranh chấp",
                                  legal_ground="Điều 18 Nghị định 118/2025/NĐ-CP", now=vn(2026, 3, 9, 10, 0))
            return _fresh(pk)
        dossier_services.forward(dossier_id=pk, actor=specialist.user, assignee_id=leader.pk, now=vn(2026, 3, 9, 10, 0))
        dossier_services.forward(dossier_id=pk, actor=leader.user, now=vn(2026, 3, 9, 10, 30))
        dossier_services.mark_processed(dossier_id=pk, actor=actor, result_note="Đã ký", now=processed_at)
        if state == "returned":
            dossier_services.return_result(dossier_id=pk, actor=actor,
                                           now=processed_at + datetime.timedelta(minutes=5))
        return _fresh(pk)

    return _finish


def _fresh(pk):
    from dossiers.models import Dossier

    return Dossier.objects.get(pk=pk)


def answers(overall="very_satisfied", *, timeliness="very_satisfied", attitude="very_satisfied",
            guidance="very_satisfied", extra_visits=0, comment="") -> Answers:
    return Answers(overall=overall, timeliness=timeliness, attitude=attitude, guidance=guidance,
                            extra_visits=extra_visits, comment=comment)


def rating_post(overall="very_satisfied", **overrides) -> dict:
    data = {"overall": overall, "timeliness": "satisfied", "attitude": "satisfied", "guidance": "satisfied",
            "extra_visits": "0", "comment": ""}
    data.update(overrides)
    return data


@pytest.fixture
def agency_admin(agency):
    return OfficialFactory(agency=agency, roles=[Role.AGENCY_ADMIN], display_name="Hoàng Quản Trị")
