"""Fixtures for the dossier lifecycle: an agency with one official per role and a four-step procedure."""
import datetime

import pytest

from dossiers import services
from procedures.roles import Role

# applicant, documents_for and vn live in tests.factories; many dossier tests import them from here.
from tests.factories import VN, AgencyFactory, OfficialFactory, ProcedureFactory, applicant, documents_for, vn  # noqa: F401

# A plain Tuesday morning with no holiday near it: deadlines are easy to read by hand.
MONDAY_0900 = datetime.datetime(2026, 3, 9, 9, 0, tzinfo=VN)


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


@pytest.fixture
def receive(clerk, procedure):
    """receive(now=…, **applicant overrides) -> a fresh dossier received by the clerk."""
    def _receive(now=MONDAY_0900, actor=None, **overrides):
        return services.receive(actor=(actor or clerk).user, procedure_id=procedure.pk, applicant=applicant(**overrides),
                                documents=documents_for(procedure), now=now)
    return _receive


# --- lifecycle builders (tests/dossiers/test_transitions.py, test_audit.py, …) ------------------------------

EXTENSION_DUE = datetime.datetime(2026, 3, 20, 17, 0, tzinfo=VN)
# Every state the lifecycle can reach, plus "in_progress_last": processing, at the final (return) step.
BUILDABLE_STATES = ("received", "in_progress", "in_progress_last", "supplement_requested", "awaiting_payment",
                    "processed", "returned", "refused", "rejected", "stopped", "withdrawn")


@pytest.fixture
def build_dossier(receive, clerk, specialist, leader, procedure):
    """build_dossier(state, extension=False) -> a dossier brought to `state` through the services only,
    on Monday 09/03/2026 between 09:00 and 11:30. In "in_progress" the appraisal step is assigned to
    `specialist`; in "in_progress_last" the return step is unassigned. With extension=True a pending
    Extension (new appointment EXTENSION_DUE) is requested while the dossier is still open."""
    from dossiers.models import Dossier, Extension

    def at(hour, minute):
        return vn(2026, 3, 9, hour, minute)

    def _build(state, *, extension=False):
        if state not in BUILDABLE_STATES:
            raise ValueError(state)
        if state == "refused":
            dossier = services.refuse_at_counter(
                actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(), reason="Thiếu tờ khai",
                documents=documents_for(procedure), now=MONDAY_0900)
            if extension:
                # The services never let a refused dossier get an extension; a row is planted to test the guard.
                Extension.objects.create(dossier=dossier, reason="Cài sẵn", previous_due_at=dossier.due_at,
                                         proposed_due_at=EXTENSION_DUE, requested_by=clerk, requested_at=MONDAY_0900)
            return Dossier.objects.get(pk=dossier.pk)
        dossier = receive(now=MONDAY_0900)
        steps = list(procedure.steps.order_by("order"))
        if extension:
            services.request_extension(dossier_id=dossier.pk, actor=clerk.user, reason="Chờ xác minh",
                                       proposed_due_at=EXTENSION_DUE, now=at(9, 5))
        if state == "withdrawn":
            services.withdraw(dossier_id=dossier.pk, actor=clerk.user, reason="Công dân xin rút", now=at(9, 10))
        if state in ("received", "withdrawn"):
            return Dossier.objects.get(pk=dossier.pk)
        services.forward(dossier_id=dossier.pk, actor=clerk.user, assignee_id=specialist.pk,
                         expected_step_id=steps[0].pk, now=at(9, 30))
        if state == "supplement_requested":
            services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, missing="Bản sao sổ đỏ",
                                        reply_by=datetime.date(2026, 3, 13), now=at(10, 0))
        elif state == "awaiting_payment":
            services.await_payment(dossier_id=dossier.pk, actor=specialist.user, amount=50000,
                                   description="Lệ phí cấp giấy", now=at(10, 0))
        elif state == "stopped":
            services.stop(dossier_id=dossier.pk, actor=leader.user, reason="Có tranh chấp",
                          legal_ground="Điều 18 Nghị định 118/2025/NĐ-CP", now=at(10, 0))
        elif state == "rejected":
            services.reject(dossier_id=dossier.pk, actor=specialist.user, reason="Không đủ điều kiện cấp",
                            now=at(10, 0))
        if state in ("in_progress", "supplement_requested", "awaiting_payment", "stopped", "rejected"):
            return Dossier.objects.get(pk=dossier.pk)
        services.forward(dossier_id=dossier.pk, actor=specialist.user, now=at(10, 0))
        services.forward(dossier_id=dossier.pk, actor=leader.user, now=at(10, 30))
        if state == "in_progress_last":
            return Dossier.objects.get(pk=dossier.pk)
        services.mark_processed(dossier_id=dossier.pk, actor=clerk.user, result_note="Đã ký", now=at(11, 0))
        if state == "returned":
            services.return_result(dossier_id=dossier.pk, actor=clerk.user, now=at(11, 15))
        return Dossier.objects.get(pk=dossier.pk)

    return _build


def snapshot(dossier) -> dict:
    """Everything an action may write about one dossier, read fresh from the database."""
    from dossiers.models import Dossier, DossierEvent, Extension, PaymentRequest, StepRecord, SupplementRequest

    fresh = Dossier.objects.get(pk=dossier.pk)
    return {
        "state": fresh.state,
        "due_at": fresh.due_at,
        "current_step": fresh.current_step_id,
        "current_assignee": fresh.current_assignee_id,
        "paused_since": fresh.paused_since,
        "closed_at": fresh.closed_at,
        "step_records": StepRecord.objects.filter(dossier=fresh).count(),
        "open_step_records": StepRecord.objects.filter(dossier=fresh, finished_at__isnull=True).count(),
        "step_record_history": StepRecord.history.filter(dossier_id=fresh.pk).count(),
        "events": DossierEvent.objects.filter(dossier=fresh).count(),
        "history": fresh.history.count(),
        "extensions": list(Extension.objects.filter(dossier=fresh).order_by("pk").values_list("status", flat=True)),
        "supplements": SupplementRequest.objects.filter(dossier=fresh).count(),
        "payments": PaymentRequest.objects.filter(dossier=fresh).count(),
    }


@pytest.fixture
def fast_passwords(settings):
    """Hash the factories' passwords with MD5: hundreds of officials are created, no test logs in by hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
