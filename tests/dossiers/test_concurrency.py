"""Real races on PostgreSQL: threads with their own connections, released together by a barrier.

Row locks (`select_for_update`) must serialise them: codes stay consecutive, a dossier moves once, an extension
is approved once. SQLite has no row locks, so these tests run only on PostgreSQL.
"""

import pytest
from django.contrib.auth import get_user_model

from dossiers import services
from dossiers.errors import DossierActionError
from dossiers.models import Dossier, DossierCodeCounter, DossierEvent, Extension, StepRecord
from procedures.roles import Role
from tests.concurrency import run_concurrently
from tests.factories import OfficialFactory

from .conftest import MONDAY_0900, applicant, documents_for, vn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("fast_passwords")]


def user(pk):
    """A fresh User in the calling thread: no model instance is shared between threads."""
    return get_user_model().objects.get(pk=pk)


def outcome(results) -> list[str]:
    return sorted(type(result).__name__ for result in results)


def test_twenty_concurrent_receptions_get_consecutive_codes(agency, clerk, procedure):
    clerks = [clerk] + [OfficialFactory(agency=agency, roles=[Role.RECEPTION]) for _ in range(4)]
    documents = documents_for(procedure)

    def receive(index):
        return services.receive(actor=user(clerks[index % len(clerks)].user_id), procedure_id=procedure.pk,
                                applicant=applicant(name=f"Người nộp {index}"), documents=documents,
                                now=vn(2026, 3, 9, 9, index))

    results = run_concurrently(receive, list(range(20)))
    assert all(isinstance(result, Dossier) for result in results), results
    codes = sorted(result.code for result in results)
    assert codes == [f"000.00.06.H56-260309-{n:04d}" for n in range(1, 21)]
    assert Dossier.objects.filter(agency=agency).count() == 20
    assert DossierCodeCounter.objects.get(agency=agency).last_value == 20
    assert len({result.tracking_token for result in results}) == 20


def test_two_holders_forwarding_at_once_one_wins(build_dossier, clerk, specialist, specialist2, procedure):
    reception, appraisal, approval, _ret = procedure.steps.order_by("order")
    dossier = build_dossier("received")
    # Unassigned appraisal: both specialists hold it, and both press "forward" on the same screen.
    services.forward(dossier_id=dossier.pk, actor=clerk.user, expected_step_id=reception.pk, now=vn(2026, 3, 9, 9, 30))
    records_before = StepRecord.objects.filter(dossier=dossier).count()
    history_before = Dossier.objects.get(pk=dossier.pk).history.count()

    def forward(official):
        return services.forward(dossier_id=dossier.pk, actor=user(official.user_id), expected_step_id=appraisal.pk,
                                now=vn(2026, 3, 10, 9, 0))

    results = run_concurrently(forward, [specialist, specialist2])
    assert outcome(results) == ["Dossier", "DossierActionError"]
    (error,) = [result for result in results if isinstance(result, DossierActionError)]
    assert "vừa được người khác chuyển sang bước khác" in str(error.message)
    assert StepRecord.objects.filter(dossier=dossier).count() == records_before + 1
    assert StepRecord.objects.filter(dossier=dossier, finished_at__isnull=True).count() == 1
    moved = Dossier.objects.get(pk=dossier.pk)
    assert moved.current_step == approval
    assert moved.history.count() == history_before + 1
    assert DossierEvent.objects.filter(dossier=dossier, kind=DossierEvent.Kind.FORWARDED).count() == 2


def test_two_leaders_approving_one_extension_at_once_one_wins(build_dossier, agency, leader):
    leader2 = OfficialFactory(agency=agency, roles=[Role.LEADER])
    dossier = build_dossier("in_progress", extension=True)
    extension = dossier.extensions.get()

    def approve(official):
        return services.approve_extension(extension_id=extension.pk, actor=user(official.user_id),
                                          now=vn(2026, 3, 12, 9, 0))

    results = run_concurrently(approve, [leader, leader2])
    assert outcome(results) == ["Dossier", "DossierActionError"]
    (error,) = [result for result in results if isinstance(result, DossierActionError)]
    assert "đã được xử lý" in str(error.message)
    extension.refresh_from_db()
    assert extension.status == Extension.Status.APPROVED
    winner = next(result for result in results if isinstance(result, Dossier))
    assert extension.approved_by == Dossier.objects.get(pk=winner.pk).history.first().history_user.official
    assert DossierEvent.objects.filter(dossier=dossier, kind=DossierEvent.Kind.EXTENSION_APPROVED).count() == 1
    assert Extension.history.filter(id=extension.pk, status=Extension.Status.APPROVED).count() == 1


def test_two_extension_requests_at_once_leave_one_pending(build_dossier, specialist, specialist2):
    dossier = build_dossier("in_progress")

    def request(official):
        return services.request_extension(dossier_id=dossier.pk, actor=user(official.user_id), reason="Chờ xác minh",
                                          proposed_due_at=vn(2026, 3, 20, 17, 0), now=vn(2026, 3, 12, 9, 0))

    results = run_concurrently(request, [specialist, specialist2])
    assert outcome(results) == ["DossierActionError", "Extension"]
    assert Extension.objects.filter(dossier=dossier, status=Extension.Status.PENDING).count() == 1


def test_receptions_on_two_days_at_once_each_start_at_one(clerk, procedure):
    documents = documents_for(procedure)
    days = [MONDAY_0900, vn(2026, 3, 10, 9, 0)] * 3

    def receive(now):
        return services.receive(actor=user(clerk.user_id), procedure_id=procedure.pk, applicant=applicant(),
                                documents=documents, now=now)

    results = run_concurrently(receive, days)
    assert sorted(result.code[-11:] for result in results) == [
        "260309-0001", "260309-0002", "260309-0003", "260310-0001", "260310-0002", "260310-0003"]
