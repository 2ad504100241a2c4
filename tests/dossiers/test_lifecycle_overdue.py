""""Overdue" and "due soon" are derived from due_at and the running states; paused dossiers are neither."""
import pytest

from dossiers import selectors, services

from .conftest import vn

pytestmark = pytest.mark.usefixtures("fast_passwords")
NOW = vn(2026, 3, 16, 10, 0)  # Monday: the dossiers received on 09/03 were due at 09:00


@pytest.fixture
def dossiers(build_dossier, receive, clerk, specialist, leader):
    late = build_dossier("in_progress")                       # due 16/03 09:00, appraisal held by the specialist
    waiting_citizen = build_dossier("supplement_requested")   # due 16/03 09:00 but paused
    waiting_payment = build_dossier("awaiting_payment")       # due 16/03 09:00 but paused
    processed = build_dossier("processed")                    # finished: never overdue
    stopped = build_dossier("stopped")
    soon = receive(now=vn(2026, 3, 11, 9, 0))                 # due 18/03 09:00, within 2 working days of NOW
    later = receive(now=vn(2026, 3, 12, 9, 0))                # due 19/03 09:00
    extended = build_dossier("received")                      # due 16/03 09:00 …
    extension = services.request_extension(dossier_id=extended.pk, actor=clerk.user, reason="Chờ xác minh",
                                           proposed_due_at=vn(2026, 3, 25, 17, 0), now=vn(2026, 3, 13, 9, 0))
    services.approve_extension(extension_id=extension.pk, actor=leader.user, now=vn(2026, 3, 13, 10, 0))  # … moved
    return dict(late=late, waiting_citizen=waiting_citizen, waiting_payment=waiting_payment, processed=processed,
                stopped=stopped, soon=soon, later=later, extended=extended)


def test_overdue_and_due_soon_lists(dossiers, agency):
    overdue = set(selectors.overdue_dossiers(agency, NOW))
    soon = set(selectors.due_soon_dossiers(agency, NOW))
    assert overdue == {dossiers["late"]}
    assert soon == {dossiers["soon"]}
    assert selectors.due_soon_limit(agency, NOW) == vn(2026, 3, 18, 10, 0)
    for name, dossier in dossiers.items():
        dossier.refresh_from_db()
        assert dossier.is_overdue(NOW) == (name == "late"), name
        assert dossier.is_due_soon(NOW, selectors.due_soon_limit(agency, NOW)) == (name == "soon"), name


def test_the_queryset_methods_are_the_one_definition(dossiers, agency):
    """`Dossier.objects.overdue` / `.due_soon` (the selectors, reports and worklist tabs build on them) agree
    with the loaded rows' `is_overdue` / `is_due_soon`."""
    from dossiers.models import Dossier

    within = selectors.due_soon_limit(agency, NOW)
    assert set(Dossier.objects.overdue(NOW)) == {dossiers["late"]}
    assert set(Dossier.objects.filter(agency=agency).due_soon(NOW, within)) == {dossiers["soon"]}
    assert set(Dossier.objects.due_soon(NOW, vn(2026, 3, 19, 9, 0))) == {dossiers["soon"], dossiers["later"]}


def test_before_the_appointment_nothing_is_overdue(dossiers, agency):
    assert not selectors.overdue_dossiers(agency, vn(2026, 3, 16, 9, 0)).exists()  # due_at itself is not past
    assert set(selectors.overdue_dossiers(agency, vn(2026, 3, 16, 9, 1))) == {dossiers["late"]}


def test_resuming_makes_a_paused_dossier_count_again(dossiers, agency, clerk):
    waiting = dossiers["waiting_citizen"]
    services.fulfil_supplement(dossier_id=waiting.pk, actor=clerk.user, now=vn(2026, 3, 16, 9, 30))
    waiting.refresh_from_db()
    # Paused Monday 09/03 10:00 → Monday 16/03 09:30 = 39 h 30 of working time; 16/03 09:00 + 39 h 30 = 23/03 08:30.
    assert waiting.due_at == vn(2026, 3, 23, 8, 30)
    assert waiting not in set(selectors.overdue_dossiers(agency, NOW)) | set(selectors.due_soon_dossiers(agency, NOW))
    assert waiting in set(selectors.due_soon_dossiers(agency, vn(2026, 3, 20, 9, 0)))
    assert waiting in set(selectors.overdue_dossiers(agency, vn(2026, 3, 23, 9, 0)))
