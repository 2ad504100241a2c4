"""A small, hand-countable data set for the statistics and dashboard tests, built through the services only.

Agency A (000.00.06.H56), procedure P (5 working days: reception 0.5, appraisal 3.5, approval 0.5, return 0.5),
no calendar exceptions (plain weekdays). "Now" is Wednesday 18/03/2026 10:00 (Vietnam time).
A dossier received Monday 09/03 09:00 is due Monday 16/03 09:00 (9:00–11:30 + 13:00–17:00 on Monday = 6.5 h,
4 × 8 h Tuesday–Friday, 1.5 h on Monday 16/03).

    D0  received 23/02 09:00, processed 27/02          → February, before time (due 02/03)
    D1  received 09/03, processed 13/03, returned      → before
    D2  received 09/03, processed 16/03 09:00, returned 17/03 → on time (the appointment instant itself)
    D3  received 09/03, processed 17/03 00:30, returned 17/03 → late (still 16/03 in UTC: the day is read in VN time)
    D4  received 09/03, extension to 20/03 approved, processed 18/03 09:00 → before (the new appointment counts)
    D5  received 09/03, supplement 10/03 09:00 → 12/03 09:00 (16 working hours), due moves to 18/03 09:00,
        processed 18/03 08:45                          → on time (the due day, before the due instant)
    D6  received 09/03, at appraisal with `specialist` → overdue now, 2.1 working days late (17 h)
    D7  received 09/03, supplement requested 10/03     → open, paused: past due_at but NOT overdue
    D8  received 18/03 08:00                           → open, received today
    D9  refused at the counter 10/03                   → not received, not open
    D10 received 09/03, stopped 10/03                  → received, neither processed nor open
    D11 received 12/03 09:00 (due 19/03 09:00)        → open, due within 2 working days
    B1  agency B: received 09/03, processed 13/03     → counts only in the all-agencies figures
Ratings (17/03): D1 very satisfied, D2 satisfied, D3 dissatisfied → 2 of 3 satisfied (66.7 %).

Procedure Q (appraisal 1 day by a specialist, approval 1 day by a leader) feeds the per-official review:
    E1  specialist forwards Mon 09/03 15:00 (on time, 4.5 h); leader processes Tue 10/03 10:00 (on time, 4.5 h)
    E2  specialist forwards Wed 11/03 09:00 (due Tue 09:00: late, 1.0 working day; took 16 h);
        leader processes Wed 11/03 16:00 (step on time, 5.5 h; the dossier, due Wed 09:00, is late)
    E3  specialist2 forwards Thu 12/03 10:00 (late, 2.1 working days; took 25 h); approval still open
"""
import datetime
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import override_settings

from dossiers import services
from procedures.roles import Role
from tests.factories import (
    VN,
    AgencyFactory,
    DepartmentFactory,
    FieldFactory,
    OfficialFactory,
    ProcedureFactory,
    applicant,
    documents_for,
    vn,
)

NOW = datetime.datetime(2026, 3, 18, 10, 0, tzinfo=VN)
# The clock of the pages in these tests (the `city` fixture): the report functions take NOW explicitly.
VIEWED_AT = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=VN)


class Builder:
    """Moves dossiers of procedure P through its four steps with explicit times."""

    def __init__(self, clerk, specialist, leader, procedure):
        self.clerk, self.specialist, self.leader, self.procedure = clerk, specialist, leader, procedure

    def receive(self, at, clerk=None, procedure=None, **overrides):
        clerk = clerk or self.clerk
        procedure = procedure or self.procedure
        return services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(**overrides),
                                documents=documents_for(procedure), now=at)

    def to_appraisal(self, dossier, at):
        return services.forward(dossier_id=dossier.pk, actor=self.clerk.user, assignee_id=self.specialist.pk, now=at)

    def process(self, dossier, at, clerk=None):
        """Appraisal → approval → return → processed, the last hand-offs one minute apart before `at`."""
        clerk = clerk or self.clerk
        minute = datetime.timedelta(minutes=1)
        services.forward(dossier_id=dossier.pk, actor=self.specialist.user, assignee_id=self.leader.pk,
                         now=at - 3 * minute)
        services.forward(dossier_id=dossier.pk, actor=self.leader.user, assignee_id=clerk.pk, now=at - 2 * minute)
        return services.mark_processed(dossier_id=dossier.pk, actor=clerk.user, result_note="Đã ký", now=at)


@pytest.fixture(scope="module")
def city_data(django_db_setup, django_db_blocker):
    """Built once per test module inside a transaction that is rolled back at the end; each test runs in its own
    savepoint on top of it (pytest-django's `db`), so tests may add rows freely."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        data = build_city()
        yield data
        transaction.set_rollback(True)


@pytest.fixture
def city(city_data, db, time_machine):
    """The city, with its pages viewed on a fixed day three months after its dossiers: the public figures' last 12
    months still hold March 2026, and what is overdue is the same whatever later day the suite runs on."""
    time_machine.move_to(VIEWED_AT, tick=True)
    return city_data


# Nine logins per data set: hash their passwords cheaply (the hasher is not under test here).
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def build_city() -> SimpleNamespace:
    agency = AgencyFactory(code="000.00.06.H56", name="UBND phường Thử Nghiệm")
    other = AgencyFactory(code="000.00.07.H56", name="UBND phường Bên Cạnh")
    department = DepartmentFactory(agency=agency, name="Phòng Tư pháp")
    clerk = OfficialFactory(agency=agency, roles=[Role.RECEPTION], display_name="Trần Thị Tiếp Nhận")
    specialist = OfficialFactory(agency=agency, roles=[Role.SPECIALIST], display_name="Lê Văn Chuyên Viên",
                                 department=department)
    specialist2 = OfficialFactory(agency=agency, roles=[Role.SPECIALIST], display_name="Phạm Thu Chuyên Viên")
    leader = OfficialFactory(agency=agency, roles=[Role.LEADER], display_name="Nguyễn Văn Lãnh Đạo")
    other_clerk = OfficialFactory(agency=other, roles=[Role.RECEPTION])
    other_specialist = OfficialFactory(agency=other, roles=[Role.SPECIALIST])
    other_leader = OfficialFactory(agency=other, roles=[Role.LEADER])
    field = FieldFactory(code="LV-HT", name="Hộ tịch")
    procedure = ProcedureFactory(agencies=[agency, other], steps=True, documents=1, time_limit=5, field=field,
                                 name="Đăng ký khai sinh")
    quick = ProcedureFactory(agencies=[agency], documents=1, time_limit=2, field=FieldFactory(code="LV-CT", name="Chứng thực"),
                             name="Chứng thực hợp đồng",
                             steps=[("Thẩm định", Role.SPECIALIST, "1"), ("Phê duyệt", Role.LEADER, "1")])
    build = Builder(clerk, specialist, leader, procedure)
    d = {}

    d[0] = build.receive(vn(2026, 2, 23, 9, 0))
    build.to_appraisal(d[0], vn(2026, 2, 23, 9, 30))
    build.process(d[0], vn(2026, 2, 27, 10, 0))

    for n in (1, 2, 3, 4, 5, 6, 7, 10):
        d[n] = build.receive(vn(2026, 3, 9, 9, 0), name=f"Người nộp số {n}", phone=f"09123450{n:02d}")
        if n != 10:
            build.to_appraisal(d[n], vn(2026, 3, 9, 9, 30))
    build.process(d[1], vn(2026, 3, 13, 10, 0))
    services.return_result(dossier_id=d[1].pk, actor=clerk.user, now=vn(2026, 3, 13, 11, 0))
    build.process(d[2], vn(2026, 3, 16, 9, 0))
    build.process(d[3], vn(2026, 3, 17, 0, 30))
    for n in (2, 3):  # only returned results can be rated
        services.return_result(dossier_id=d[n].pk, actor=clerk.user, now=vn(2026, 3, 17, 8, 0))
    extension = services.request_extension(dossier_id=d[4].pk, actor=specialist.user, reason="Chờ xác minh",
                                           proposed_due_at=vn(2026, 3, 20, 17, 0), now=vn(2026, 3, 13, 9, 0))
    services.approve_extension(extension_id=extension.pk, actor=leader.user, now=vn(2026, 3, 13, 10, 0))
    build.process(d[4], vn(2026, 3, 18, 9, 0))
    services.request_supplement(dossier_id=d[5].pk, actor=specialist.user, missing="Bản sao giấy chứng sinh",
                                reply_by=datetime.date(2026, 3, 13), now=vn(2026, 3, 10, 9, 0))
    services.fulfil_supplement(dossier_id=d[5].pk, actor=clerk.user, now=vn(2026, 3, 12, 9, 0))
    build.process(d[5], vn(2026, 3, 18, 8, 45))
    services.request_supplement(dossier_id=d[7].pk, actor=specialist.user, missing="Bản sao CCCD",
                                reply_by=datetime.date(2026, 3, 20), now=vn(2026, 3, 10, 9, 0))
    services.stop(dossier_id=d[10].pk, actor=leader.user, reason="Có tranh chấp",
                  legal_ground="Điều 18 Nghị định 118/2025/NĐ-CP", now=vn(2026, 3, 10, 9, 0))
    d[8] = build.receive(vn(2026, 3, 18, 8, 0))
    d[9] = services.refuse_at_counter(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(),
                                      reason="Thiếu tờ khai", documents=documents_for(procedure),
                                      now=vn(2026, 3, 10, 9, 0))
    d[11] = build.receive(vn(2026, 3, 12, 9, 0))
    build.to_appraisal(d[11], vn(2026, 3, 12, 9, 30))

    other_build = Builder(other_clerk, other_specialist, other_leader, procedure)
    b1 = other_build.receive(vn(2026, 3, 9, 9, 0))
    other_build.to_appraisal(b1, vn(2026, 3, 9, 9, 30))
    other_build.process(b1, vn(2026, 3, 13, 10, 0))

    e = {}
    for n, holder in ((1, specialist), (2, specialist), (3, specialist2)):
        e[n] = build.receive(vn(2026, 3, 9, 9, 0), procedure=quick)
        services.assign(dossier_id=e[n].pk, actor=leader.user, assignee_id=holder.pk, now=vn(2026, 3, 9, 9, 5))
    services.forward(dossier_id=e[1].pk, actor=specialist.user, assignee_id=leader.pk, now=vn(2026, 3, 9, 15, 0))
    services.mark_processed(dossier_id=e[1].pk, actor=leader.user, now=vn(2026, 3, 10, 10, 0))
    services.forward(dossier_id=e[2].pk, actor=specialist.user, assignee_id=leader.pk, now=vn(2026, 3, 11, 9, 0))
    services.mark_processed(dossier_id=e[2].pk, actor=leader.user, now=vn(2026, 3, 11, 16, 0))
    services.forward(dossier_id=e[3].pk, actor=specialist2.user, assignee_id=leader.pk, now=vn(2026, 3, 12, 10, 0))

    ratings = rate([(d[1], "very_satisfied"), (d[2], "satisfied"), (d[3], "dissatisfied")], vn(2026, 3, 17, 9, 0))

    return SimpleNamespace(agency=agency, other=other, department=department, clerk=clerk, specialist=specialist,
                           specialist2=specialist2, leader=leader, other_leader=other_leader, procedure=procedure,
                           quick=quick, field=field, d=d, e=e, b1=b1, build=build, ratings=ratings)


def rate(pairs, at):
    """Rate finished dossiers through the satisfaction service (skipped if that app has no such service)."""
    try:
        from satisfaction import services as satisfaction_services
    except ImportError:  # pragma: no cover
        return []
    ratings = []
    for dossier, level in pairs:
        dossier.refresh_from_db()
        answers = satisfaction_services.Answers(overall=level, attitude=level, timeliness=level, guidance=level,
                                                extra_visits=0)
        ratings.append(satisfaction_services.rate_dossier(token=dossier.tracking_token, answers=answers, now=at))
    return ratings
