"""Satisfaction and feedback figures, computed by the database, against numbers worked out by hand.

The seed (ratings made through the services, dossiers through the dossier services):

    agency A (fixture `agency`), officials clerk / specialist / specialist2 / leader
      d1  procedure P1  handled by clerk, specialist,  leader  rated 20/03  Rất hài lòng
      d2  procedure P1  handled by clerk, specialist,  leader  rated 20/03  Hài lòng
      d3  procedure P1  handled by clerk, specialist,  leader  rated 10/04  Không hài lòng
      d4  procedure P2  handled by clerk, specialist2, leader  rated 20/03  Rất hài lòng
      d5  procedure P2  handled by clerk, specialist2, leader  rated 10/04  Không hài lòng
      placard: clerk rated Rất hài lòng, Không hài lòng, Không hài lòng (three phones, 20/03)
    agency B (fixture `outsider`'s agency)
      d6  procedure PB  handled by outsider                    rated 20/03  Hài lòng
"""
import datetime

import pytest

from dossiers import services as dossier_services
from procedures.calendar import Period
from satisfaction import selectors, services
from tests.factories import ProcedureFactory

from .conftest import MONDAY_0900, answers, applicant, documents_for, vn

pytestmark = pytest.mark.django_db

MARCH = vn(2026, 3, 20, 10, 0)
APRIL = vn(2026, 4, 10, 10, 0)


def _finish_alone(official, procedure):
    """A dossier of another agency, taken through every step by one official who is clerk and leader at once."""
    actor = official.user
    dossier = dossier_services.receive(actor=actor, procedure_id=procedure.pk, applicant=applicant(),
                                       documents=documents_for(procedure), now=MONDAY_0900)
    for minute in (10, 20, 30):
        dossier_services.forward(dossier_id=dossier.pk, actor=actor, now=vn(2026, 3, 9, 9, minute))
    dossier_services.mark_processed(dossier_id=dossier.pk, actor=actor, now=vn(2026, 3, 10, 9, 0))
    dossier_services.return_result(dossier_id=dossier.pk, actor=actor, now=vn(2026, 3, 10, 9, 5))
    return dossier


@pytest.fixture
def seeded(finish, procedure, procedure2, specialist2, clerk, outsider):
    plan = [
        (procedure, None, MARCH, "very_satisfied"),
        (procedure, None, MARCH, "satisfied"),
        (procedure, None, APRIL, "dissatisfied"),
        (procedure2, specialist2, MARCH, "very_satisfied"),
        (procedure2, specialist2, APRIL, "dissatisfied"),
    ]
    for proc, other_specialist, when, overall in plan:
        kwargs = {"procedure": proc}
        if other_specialist:
            kwargs["specialist"] = other_specialist
        dossier = finish(**kwargs)
        services.rate_dossier(token=dossier.tracking_token, answers=answers(overall), now=when)
    for phone, overall in enumerate(["very_satisfied", "dissatisfied", "dissatisfied"]):
        services.rate_official(official_id=clerk.pk, device_id=f"phone-{phone}", now=MARCH,
                               answers=services.Answers(overall=overall, attitude=overall))
    procedure_b = ProcedureFactory(agencies=[outsider.agency], steps=True, documents=1, time_limit=5)
    services.rate_dossier(token=_finish_alone(outsider, procedure_b).tracking_token, answers=answers("satisfied"),
                          now=MARCH)
    return {"P1": procedure, "P2": procedure2, "B": outsider.agency}


def counts(row):
    return row["total"], row["very_satisfied"], row["satisfied"], row["dissatisfied"]


def test_satisfaction_per_agency_procedure_and_official(seeded, agency, clerk, specialist, specialist2, leader):
    total = selectors.satisfaction_total(agency_id=agency.pk)
    assert (total["total"], total["happy"]) == (5, 3) and total["rate"] == pytest.approx(60.0)  # (2 + 1) / 5
    other = selectors.satisfaction_total(agency_id=seeded["B"].pk)
    assert (other["total"], other["happy"]) == (1, 1) and other["rate"] == pytest.approx(100.0)

    rows = {row["procedure_id"]: row for row in selectors.satisfaction_by_procedure(agency_id=agency.pk)}
    assert set(rows) == {seeded["P1"].pk, seeded["P2"].pk}
    assert counts(rows[seeded["P1"].pk]) == (3, 1, 1, 1)
    assert rows[seeded["P1"].pk]["rate"] == pytest.approx(200 / 3)  # 66.7 %
    assert counts(rows[seeded["P2"].pk]) == (2, 1, 0, 1)
    assert rows[seeded["P2"].pk]["rate"] == pytest.approx(50.0)

    # Each rating counts once for every official who handled the dossier.
    rows = {row["official_id"]: row for row in selectors.satisfaction_by_official(agency_id=agency.pk)}
    assert set(rows) == {clerk.pk, specialist.pk, specialist2.pk, leader.pk}
    assert counts(rows[clerk.pk]) == (5, 2, 1, 2) and rows[clerk.pk]["rate"] == pytest.approx(60.0)
    assert counts(rows[leader.pk]) == (5, 2, 1, 2)
    assert counts(rows[specialist.pk]) == (3, 1, 1, 1) and rows[specialist.pk]["rate"] == pytest.approx(200 / 3)
    assert counts(rows[specialist2.pk]) == (2, 1, 0, 1) and rows[specialist2.pk]["rate"] == pytest.approx(50.0)


def test_placard_apart_and_per_month_with_period(seeded, agency, clerk):
    rows = selectors.satisfaction_by_official(source="placard", agency_id=agency.pk)
    assert [(row["official_id"], *counts(row)) for row in rows] == [(clerk.pk, 3, 1, 0, 2)]
    assert rows[0]["rate"] == pytest.approx(100 / 3)
    total = selectors.satisfaction_total(source="placard", agency_id=agency.pk)
    assert (total["total"], total["happy"]) == (3, 1)
    assert selectors.satisfaction_total(agency_id=agency.pk)["total"] == 5  # dossier figures untouched

    rows = selectors.satisfaction_by_month(agency_id=agency.pk)
    assert [(row["month"].date(), *counts(row)) for row in rows] == [
        (datetime.date(2026, 3, 1), 3, 2, 1, 0),
        (datetime.date(2026, 4, 1), 2, 0, 0, 2),
    ]
    assert [row["rate"] for row in rows] == [pytest.approx(100.0), pytest.approx(0.0)]

    april = Period(first=datetime.date(2026, 4, 1))
    total = selectors.satisfaction_total(agency_id=agency.pk, period=april)
    assert (total["total"], total["happy"], total["rate"]) == (2, 0, 0.0)
    march = Period(first=datetime.date(2026, 3, 1), last=datetime.date(2026, 3, 31))
    assert selectors.satisfaction_total(agency_id=agency.pk, period=march)["total"] == 3
    assert selectors.satisfaction_total(agency_id=seeded["B"].pk, period=march)["total"] == 1


def test_months_and_periods_follow_vietnam_time(clerk):
    """00:30 on 1 April in Hà Nội is still 31 March in UTC: the rating belongs to April, and to a period
    starting 01/04."""
    for device, when in (("a", vn(2026, 3, 31, 23, 30)), ("b", vn(2026, 4, 1, 0, 30))):
        services.rate_official(official_id=clerk.pk, device_id=device, now=when,
                               answers=services.Answers(overall="satisfied", attitude="satisfied"))
    rows = selectors.satisfaction_by_month(source="placard")
    assert [(row["month"].date(), row["total"]) for row in rows] == [
        (datetime.date(2026, 3, 1), 1), (datetime.date(2026, 4, 1), 1)]
    assert selectors.satisfaction_total(source="placard", period=Period(first=datetime.date(2026, 4, 1)))["total"] == 1


def test_feedback_figures_per_agency_and_month(agency, leader, specialist, outsider):
    def received(when):
        return services.create_feedback(data=services.FeedbackInput(
            subject="procedure", kind="other", content="Góp ý", agency_id=agency.pk), now=when)

    def answered(feedback, when):
        services.triage(feedback_id=feedback.pk, actor=leader.user)
        services.assign(feedback_id=feedback.pk, actor=leader.user, assignee_id=specialist.pk)
        services.answer(feedback_id=feedback.pk, actor=leader.user, public_answer="Đã tiếp thu", upheld=False,
                        now=when)

    # March: f1 answered within 10 working days, f2 answered late, f3 still open; April: f4 rejected at once.
    f1, f2 = received(vn(2026, 3, 2, 9, 0)), received(vn(2026, 3, 3, 9, 0))
    received(vn(2026, 3, 4, 9, 0))
    answered(f1, vn(2026, 3, 5, 9, 0))
    answered(f2, vn(2026, 3, 31, 9, 0))  # due 17/03
    f4 = received(vn(2026, 4, 6, 9, 0))
    services.reject(feedback_id=f4.pk, actor=leader.user, reason="Không thuộc thẩm quyền", now=vn(2026, 4, 6, 10, 0))
    services.create_feedback(data=services.FeedbackInput(subject="procedure", content="Khác cơ quan",
                                                         agency_id=outsider.agency_id), now=vn(2026, 3, 2, 9, 0))

    later = vn(2026, 6, 1, 9, 0)
    months = selectors.feedback_by_month(agency_id=agency.pk, now=later)
    assert [(row["month"].date(), row["received"], row["answered"], row["answered_on_time"], row["overdue_open"])
            for row in months] == [
        (datetime.date(2026, 3, 1), 3, 2, 1, 1),
        (datetime.date(2026, 4, 1), 1, 1, 1, 0),
    ]
    other = selectors.feedback_by_month(agency_id=outsider.agency_id, now=later)
    assert [(row["received"], row["answered"]) for row in other] == [(1, 0)]
    in_april = selectors.feedback_by_month(agency_id=agency.pk, period=Period(first=datetime.date(2026, 4, 1)), now=later)
    assert [(row["month"].date(), row["received"]) for row in in_april] == [(datetime.date(2026, 4, 1), 1)]
