"""Fixtures for the dossier lifecycle: an agency with one official per role and a four-step procedure."""
import datetime
from zoneinfo import ZoneInfo

import pytest

from dossiers import services
from procedures.roles import Role
from tests.factories import AgencyFactory, OfficialFactory, ProcedureFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# A plain Tuesday morning with no holiday near it: deadlines are easy to read by hand.
MONDAY_0900 = datetime.datetime(2026, 3, 9, 9, 0, tzinfo=VN)


def vn(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=VN)


@pytest.fixture
def agency(db):
    return AgencyFactory(code="000.00.06.H56", name="UBND phường Thử Nghiệm")


@pytest.fixture
def clerk(agency):
    return OfficialFactory(agency=agency, roles=[Role.RECEPTION], display_name="Trần Thị Tiếp Nhận")


@pytest.fixture
def specialist(agency):
    return OfficialFactory(agency=agency, roles=[Role.SPECIALIST], display_name="Lê Văn Chuyên Viên")


@pytest.fixture
def specialist2(agency):
    return OfficialFactory(agency=agency, roles=[Role.SPECIALIST], display_name="Phạm Thu Chuyên Viên")


@pytest.fixture
def leader(agency):
    return OfficialFactory(agency=agency, roles=[Role.LEADER], display_name="Nguyễn Văn Lãnh Đạo")


@pytest.fixture
def outsider(db):
    """A clerk of another agency: every action on our dossiers must be refused."""
    return OfficialFactory(agency=AgencyFactory(code="000.00.07.H56"), roles=[Role.RECEPTION, Role.LEADER])


@pytest.fixture
def procedure(agency):
    """5 working days: reception 0.5, appraisal 3.5, approval 0.5, return 0.5."""
    return ProcedureFactory(agencies=[agency], steps=True, documents=2, time_limit=5)


def applicant(**overrides) -> services.Applicant:
    data = dict(name="Nguyễn Văn An", id_number="001203004567", phone="0912345678",
                address="12 Hàng Bạc, phường Hoàn Kiếm, Hà Nội", email="an@example.vn")
    data.update(overrides)
    return services.Applicant(**data)


def documents_for(procedure) -> list[services.ReceivedDocument]:
    return [services.ReceivedDocument(name=doc.name, required_document_id=doc.pk, originals=1)
            for doc in procedure.required_documents.all()]


@pytest.fixture
def receive(clerk, procedure):
    """receive(now=…, **applicant overrides) -> a fresh dossier received by the clerk."""
    def _receive(now=MONDAY_0900, actor=None, **overrides):
        return services.receive(actor=(actor or clerk).user, procedure_id=procedure.pk, applicant=applicant(**overrides),
                                documents=documents_for(procedure), now=now)
    return _receive
