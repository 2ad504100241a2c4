"""Leaders' pages: the "Cần xử lý" list, handling a low rating, the figures page; flat query counts."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from satisfaction import services
from satisfaction.errors import FeedbackPermissionError, SatisfactionError
from satisfaction.models import Feedback, Rating
from tests.factories import OfficialFactory

from .conftest import RATED_AT, answers

pytestmark = pytest.mark.django_db


def low_placard_ratings(official, count):
    for n in range(count):
        services.rate_official(official_id=official.pk, device_id=f"device-{n}", now=RATED_AT,
                               answers=services.Answers(overall="dissatisfied", attitude="dissatisfied",
                                                        comment=f"Chờ lâu {n}"))


def reports(agency, officials, count):
    for n in range(count):
        services.create_feedback(data=services.FeedbackInput(
            subject="official", kind="absence", content=f"Vắng mặt {n}", official_ids=[officials[n % len(officials)].pk]))


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_low_rating_stays_on_the_list_until_a_leader_handles_it(client, finish, leader, specialist):
    dossier = finish()
    rating = services.rate_dossier(token=dossier.tracking_token, answers=answers("dissatisfied", comment="Chậm"),
                                   now=RATED_AT)
    client.force_login(leader.user)
    page = client.get("/phan-anh/quan-ly/can-xu-ly/").content.decode()
    assert dossier.code in page and "Chậm" in page

    # Only a leader (or agency admin) of the agency, with a note, and only once.
    with pytest.raises(FeedbackPermissionError):
        services.handle_rating(rating_id=rating.pk, actor=specialist.user, note="Đã xem")
    client.post(f"/phan-anh/quan-ly/danh-gia/{rating.pk}/xu-ly/", {"note": ""})
    assert Rating.objects.get().handled_at is None
    response = client.post(f"/phan-anh/quan-ly/danh-gia/{rating.pk}/xu-ly/",
                           {"note": "Đã gọi điện xin lỗi công dân"}, follow=True)
    handled = Rating.objects.get()
    assert (handled.handled_by, handled.handling_note) == (leader, "Đã gọi điện xin lỗi công dân")
    assert dossier.code not in response.content.decode()
    with pytest.raises(SatisfactionError):
        services.handle_rating(rating_id=rating.pk, actor=leader.user, note="Lần nữa")


def test_satisfied_ratings_never_need_handling(finish, leader):
    dossier = finish()
    rating = services.rate_dossier(token=dossier.tracking_token, answers=answers("satisfied"), now=RATED_AT)
    with pytest.raises(SatisfactionError):
        services.handle_rating(rating_id=rating.pk, actor=leader.user, note="Không cần")


def test_statistics_page_shows_both_sources(client, finish, leader, clerk):
    dossier = finish()
    services.rate_dossier(token=dossier.tracking_token, answers=answers("satisfied"), now=RATED_AT)
    low_placard_ratings(clerk, 1)
    client.force_login(leader.user)
    html = client.get("/phan-anh/quan-ly/thong-ke/", {"start": "01/03/2026", "end": "31/03/2026"}).content.decode()
    assert "Tỷ lệ hài lòng: 100,0% trên 1 đánh giá." in html  # dossier ratings
    assert "Tỷ lệ hài lòng: 0,0% trên 1 đánh giá." in html    # placard ratings, apart
    empty = client.get("/phan-anh/quan-ly/thong-ke/", {"start": "01/04/2026"}).content.decode()
    assert "Chưa có đánh giá trong kỳ." in empty


def test_feedback_list_query_count_is_flat(client, agency, leader, clerk, specialist):
    client.force_login(leader.user)
    reports(agency, [clerk, specialist], 3)
    few = queries(client, "/phan-anh/quan-ly/")
    reports(agency, [clerk, specialist], 24)
    many = queries(client, "/phan-anh/quan-ly/")
    assert few == many <= 9
    assert queries(client, "/phan-anh/quan-ly/?state=received&subject=official") == many


def test_attention_list_query_count_is_flat(client, agency, leader, clerk, specialist):
    client.force_login(leader.user)
    low_placard_ratings(clerk, 2)
    reports(agency, [clerk], 2)
    few = queries(client, "/phan-anh/quan-ly/can-xu-ly/")
    low_placard_ratings(specialist, 15)
    reports(agency, [clerk, specialist], 15)
    many = queries(client, "/phan-anh/quan-ly/can-xu-ly/")
    assert few == many <= 10


def test_public_pages_query_counts_are_small(client, finish, clerk):
    dossier = finish()
    assert queries(client, f"/t/{dossier.tracking_token}/danh-gia/") <= 4
    assert queries(client, f"/can-bo/{clerk.pk}/danh-gia/") <= 2
    OfficialFactory.create_batch(5, agency=clerk.agency)
    assert queries(client, "/phan-anh/") <= 4


def test_admin_lists_and_history_are_read_only(client, finish, agency, leader, django_user_model):
    dossier = finish()
    rating = services.rate_dossier(token=dossier.tracking_token, answers=answers("dissatisfied"), now=RATED_AT)
    feedback = services.create_feedback(data=services.FeedbackInput(subject="procedure", content="Góp ý",
                                                                    agency_id=agency.pk))
    services.triage(feedback_id=feedback.pk, actor=leader.user)
    admin = django_user_model.objects.create_superuser("quantri", "qt@example.vn", "mat-khau-quan-tri-2025")
    client.force_login(admin)
    for path in ("/admin/satisfaction/rating/", f"/admin/satisfaction/rating/{rating.pk}/change/",
                 f"/admin/satisfaction/rating/{rating.pk}/history/", "/admin/satisfaction/feedback/",
                 f"/admin/satisfaction/feedback/{feedback.pk}/history/"):
        assert client.get(path).status_code == 200, path
    change = client.get(f"/admin/satisfaction/feedback/{feedback.pk}/change/").content.decode()
    assert feedback.code in change and 'name="state"' not in change and 'name="public_answer"' not in change
    assert client.get("/admin/satisfaction/feedback/add/").status_code == 403
    client.post(f"/admin/satisfaction/feedback/{feedback.pk}/change/", {"public_answer": "Sửa lén"})
    assert Feedback.objects.get().public_answer == ""
