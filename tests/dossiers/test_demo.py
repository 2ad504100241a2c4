"""The demo dossiers cover every state, some overdue, and seeding twice adds nothing."""
import pytest
from django.utils import timezone

from dossiers import selectors
from dossiers.demo import seed_dossiers
from dossiers.models import Dossier, State, StepRecord
from procedures.roles import Role
from tests.factories import AgencyFactory, OfficialFactory, ProcedureFactory


@pytest.fixture
def staffed_agency(db):
    agency = AgencyFactory()
    for role in (Role.RECEPTION, Role.SPECIALIST, Role.LEADER):
        OfficialFactory(agency=agency, roles=[role])
    ProcedureFactory(agencies=[agency], steps=True, documents=2, time_limit=5)
    ProcedureFactory(agencies=[agency], steps=True, documents=1, time_limit=3)
    return agency


def test_demo_dossiers_cover_every_state_and_some_are_overdue(staffed_agency):
    created = seed_dossiers()

    states = set(Dossier.objects.values_list("state", flat=True))
    assert created == Dossier.objects.count() >= 24
    assert states == set(State.values)
    assert selectors.overdue_dossiers(staffed_agency, timezone.now()).exists()
    # The step reports read the agency from the step record itself (issue 20).
    assert set(StepRecord.objects.values_list("agency_id", flat=True)) == {staffed_agency.pk}
    assert seed_dossiers() == 0
    assert Dossier.objects.count() == created
