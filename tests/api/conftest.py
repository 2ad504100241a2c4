"""Two agencies, officials with each role, a procedure and API tokens made by the service the admin uses."""
import pytest

from api import services as token_services
from dossiers import services
from procedures.roles import Role
from tests.dossiers.conftest import applicant, documents_for
from tests.factories import AgencyFactory, OfficialFactory, ProcedureFactory


@pytest.fixture(autouse=True)
def _generous_throttles(settings):
    """Every test client calls from 127.0.0.1 in the same minute: only the throttling test sets real rates."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anonymous": "100000/min", "token": "100000/min"}}


@pytest.fixture
def ward(db):
    return AgencyFactory(code="000.00.26.H29", name="UBND phường Thử Nghiệm")


@pytest.fixture
def justice(db):
    return AgencyFactory(code="000.00.12.H29", name="Sở Tư pháp Thử Nghiệm")


@pytest.fixture
def procedure(ward, justice):
    return ProcedureFactory(agencies=[ward, justice], steps=True, documents=2, time_limit=5)


@pytest.fixture
def cast(ward, justice):
    return {
        "clerk": OfficialFactory(agency=ward, roles=[Role.RECEPTION]),
        "specialist": OfficialFactory(agency=ward, roles=[Role.SPECIALIST]),
        "leader": OfficialFactory(agency=ward, roles=[Role.LEADER]),
        "other_clerk": OfficialFactory(agency=justice, roles=[Role.RECEPTION, Role.LEADER]),
    }


def make_token(official) -> str:
    _token, raw = token_services.create_token(owner_id=official.pk, name="thử", actor=None, agency_id=None)
    return raw


@pytest.fixture
def tokens(cast):
    return {name: make_token(official) for name, official in cast.items()}


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def received(cast, procedure):
    """A dossier received at the ward's counter (name "Nguyễn Văn An")."""
    return services.receive(actor=cast["clerk"].user, procedure_id=procedure.pk, applicant=applicant(),
                            documents=documents_for(procedure))


@pytest.fixture
def theirs(cast, procedure):
    return services.receive(actor=cast["other_clerk"].user, procedure_id=procedure.pk,
                            applicant=applicant(name="Trần Thị Bí Mật"), documents=documents_for(procedure))
