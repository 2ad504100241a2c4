"""The officials' scorecard (this app's own score, not a legal formula) against values worked out by hand.

    dossier  finished            time  visits            attitude (rating)      handlers
    s1       10/03 (before due)  2     none      -> 2    Rất hài lòng  -> 2     clerk, specialist, leader
    s2       16/03 (due day)     1     one       -> 1    Hài lòng      -> 1     clerk, specialist, leader
    s3       17/03 (late)        0     more      -> 0    Rất hài lòng  -> 2     clerk, specialist, leader
             + a verified "đòi tiền, quà" report about specialist on s3  -> specialist's attitude on s3 is 0
    s4       stopped, no result  —     none      -> 2    Không hài lòng -> 0    clerk, specialist
    plus a harassment report about clerk on s1 found untrue (upheld = False): no effect.

A dossier's score is the mean of its indicators: s1 2, s2 1, s3 (0+0+2)/3 = 0.667 (0 for specialist), s4 1.
"""
import datetime
import re
from decimal import Decimal

import pytest
from django.test import override_settings

from dossiers.models import Timeliness
from satisfaction import selectors, services

from .conftest import AFTER_DUE, BEFORE_DUE, DUE_DAY, ON_DUE_DAY, RATED_AT, answers

pytestmark = pytest.mark.django_db


def verified_report(dossier, official, kind, *, upheld, leader, handler):
    feedback = services.create_feedback(data=services.FeedbackInput(
        subject="official", kind=kind, content="Phản ánh", dossier_token=dossier.tracking_token,
        official_ids=[official.pk]), now=RATED_AT)
    services.triage(feedback_id=feedback.pk, actor=leader.user)
    services.assign(feedback_id=feedback.pk, actor=leader.user, assignee_id=handler.pk)
    services.answer(feedback_id=feedback.pk, actor=leader.user, public_answer="Đã xác minh", upheld=upheld,
                    now=RATED_AT + datetime.timedelta(days=1))
    return feedback


@pytest.fixture
def scored(finish, clerk, specialist, specialist2, leader):
    s1, s2, s3 = finish(processed_at=BEFORE_DUE), finish(processed_at=ON_DUE_DAY), finish(processed_at=AFTER_DUE)
    s4 = finish("stopped")
    assert [d.timeliness for d in (s1, s2, s3)] == [Timeliness.BEFORE, Timeliness.ON_TIME, Timeliness.LATE]
    assert s1.due_at.astimezone(ON_DUE_DAY.tzinfo).date() == DUE_DAY
    for dossier, rating in (
        (s1, answers(attitude="very_satisfied", extra_visits=0)),
        (s2, answers(attitude="satisfied", extra_visits=1)),
        (s3, answers(attitude="very_satisfied", extra_visits=2)),
        (s4, answers("dissatisfied", attitude="dissatisfied", extra_visits=0)),
    ):
        services.rate_dossier(token=dossier.tracking_token, answers=rating, now=RATED_AT)
    verified_report(s3, specialist, "money", upheld=True, leader=leader, handler=specialist2)
    verified_report(s1, clerk, "harassment", upheld=False, leader=leader, handler=specialist2)
    return s1, s2, s3, s4


def scores(row):
    return row["dossiers"], row["time"], row["visits"], row["attitude"], row["score"]


def test_each_rated_dossier_scores_two_one_or_zero(scored, agency):
    s1, s2, s3, s4 = scored
    rows = {r.dossier_id: (r.time_score, r.visits_score, r.attitude_score) for r in selectors.scorecard_rows(agency_id=agency.pk)}
    # The agency view: a verified report about any of its officials zeroes the dossier's attitude.
    assert rows == {s1.pk: (2, 2, 2), s2.pk: (1, 1, 1), s3.pk: (0, 0, 0), s4.pk: (None, 2, 0)}


def test_scorecard_per_official(scored, agency, clerk, specialist, leader):
    D = Decimal
    rows = {row["official_id"]: scores(row) for row in selectors.scorecard_by_official(agency_id=agency.pk)}
    assert rows == {
        # time (2+1+0)/3; visits (2+1+0+2)/4 = 1.25; attitude (2+1+2+0)/4 = 1.25; score (2+1+0.667+1)/4 = 1.17
        clerk.pk: (4, D("1.0"), D("1.3"), D("1.3"), D("1.2")),
        # attitude (2+1+0+0)/4 = 0.75; score (2+1+0+1)/4 = 1.0
        specialist.pk: (4, D("1.0"), D("1.3"), D("0.8"), D("1.0")),
        # s1-s3 only: visits 3/3; attitude 5/3 = 1.67; score (2+1+0.667)/3 = 1.22
        leader.pk: (3, D("1.0"), D("1.0"), D("1.7"), D("1.2")),
    }


def test_scorecard_per_agency_and_period(scored, agency):
    D = Decimal
    assert scores(selectors.scorecard_for_agency(agency_id=agency.pk)) == (4, D("1.0"), D("1.3"), D("0.8"), D("1.0"))
    empty = selectors.scorecard_for_agency(agency_id=agency.pk, period=selectors.Period(first=datetime.date(2026, 4, 1)))
    assert scores(empty) == (0, None, None, None, None)


def test_scorecard_page_for_leaders_only(client, scored, agency, leader, specialist):
    client.force_login(leader.user)
    html = client.get("/phan-anh/quan-ly/bang-diem/").content.decode()
    row = re.search(rf"<tr>\s*<th scope=\"row\">{specialist.display_name}.*?</tr>", html, re.S).group(0)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells == ["4", "1,0", "1,3", "0,8", "1,0"]
    client.force_login(specialist.user)
    assert client.get("/phan-anh/quan-ly/bang-diem/").status_code == 403


def test_each_official_is_classified_by_the_configured_bands(scored, agency, clerk, specialist, leader):
    """Means 1.2 / 1.0 / 1.2 (above): with the default bands (Tốt from 1.5, Đạt from 1.0) all three are "Đạt"."""
    classes = {row["official_id"]: row["classification"] for row in selectors.scorecard_by_official(agency_id=agency.pk)}
    assert classes == {clerk.pk: "Đạt", specialist.pk: "Đạt", leader.pk: "Đạt"}
    with override_settings(SATISFACTION_SCORE_BANDS={"good": "1.2", "fair": "1.1"}):
        classes = {row["official_id"]: row["classification"]
                   for row in selectors.scorecard_by_official(agency_id=agency.pk)}
    assert classes == {clerk.pk: "Tốt", specialist.pk: "Chưa đạt", leader.pk: "Tốt"}
    assert selectors.classify(None) == ""


def test_scorecard_page_shows_each_officials_class_and_does_not_claim_a_legal_article(client, scored, leader, specialist):
    client.force_login(leader.user)
    html = client.get("/phan-anh/quan-ly/bang-diem/").content.decode()
    row = re.search(rf"<tr>\s*<th scope=\"row\">{specialist.display_name}.*?</tr>", html, re.S).group(0)
    assert "<td>Đạt</td>" in row
    assert "Điều 15" not in html and "không phải cách chấm của một văn bản pháp luật" in html
