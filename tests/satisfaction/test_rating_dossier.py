"""Rating a dossier at /t/<token>/danh-gia/: only once it is finished, once per dossier, attributed to everyone
who handled it, without showing the applicant's personal data."""
import re

import pytest
from django.core import mail
from django.urls import reverse

from satisfaction import services
from satisfaction.errors import AlreadyRated, RatingNotOpen
from satisfaction.models import Rating

from .conftest import RATED_AT, answers, rating_post

pytestmark = pytest.mark.django_db


def url(dossier):
    return f"/t/{dossier.tracking_token}/danh-gia/"


def test_the_rating_url_is_the_one_printed_on_paper(finish):
    from dossiers.links import rating_url

    dossier = finish()
    assert rating_url(dossier.tracking_token).endswith(url(dossier))
    assert reverse("satisfaction:rate_dossier", args=[dossier.tracking_token]) == url(dossier)


@pytest.mark.parametrize("state", ["in_progress", "processed"])
def test_no_rating_before_the_dossier_is_finished(client, finish, state):
    dossier = finish(state)
    page = client.get(url(dossier))
    html = page.content.decode()
    assert page.status_code == 200
    assert "chưa giải quyết xong nên chưa thể đánh giá" in html
    assert 'name="overall"' not in html

    posted = client.post(url(dossier), rating_post())
    assert posted.status_code == 200
    assert not Rating.objects.exists()
    with pytest.raises(RatingNotOpen):
        services.rate_dossier(token=dossier.tracking_token, answers=answers())
    assert not Rating.objects.exists()


@pytest.mark.parametrize("state", ["returned", "refused", "stopped"])
def test_finished_refused_and_stopped_dossiers_offer_the_form(client, finish, state):
    dossier = finish(state)
    html = client.get(url(dossier)).content.decode()
    for name in ("overall", "timeliness", "attitude", "guidance", "extra_visits", "comment"):
        assert f'name="{name}"' in html
    assert "Rất hài lòng" in html and "Không hài lòng" in html


def test_rating_is_attributed_to_agency_procedure_and_every_handler(client, finish, agency, procedure, clerk,
                                                                    specialist, leader, specialist2):
    dossier = finish()
    response = client.post(url(dossier), rating_post("satisfied", extra_visits="1", comment="Cán bộ nhiệt tình"))
    assert response.status_code == 302 and response["Location"] == url(dossier)

    rating = Rating.objects.get()
    assert (rating.source, rating.agency, rating.procedure, rating.dossier) == ("dossier", agency, procedure, dossier)
    assert (rating.overall, rating.attitude, rating.extra_visits, rating.comment) == (
        "satisfied", "satisfied", 1, "Cán bộ nhiệt tình")
    assert set(rating.officials.all()) == {clerk, specialist, leader}  # specialist2 never touched it

    page = client.get(url(dossier)).content.decode()
    assert "Đánh giá đã ghi nhận" in page and "Cảm ơn ông/bà đã đánh giá" in page
    assert 'name="overall"' not in page


def test_second_attempt_shows_the_recorded_rating_and_never_a_500(client, finish):
    dossier = finish()
    client.post(url(dossier), rating_post("very_satisfied"))
    other_browser = client.__class__()
    # The same answer whether the race is lost before the form is read or inside the service: a redirect.
    assert other_browser.post(url(dossier), rating_post("dissatisfied"))["Location"] == url(dossier)
    response = other_browser.post(url(dossier), rating_post("dissatisfied"), follow=True)
    assert response.status_code == 200
    assert "đã được đánh giá trước đó" in response.content.decode()
    assert Rating.objects.count() == 1 and Rating.objects.get().overall == "very_satisfied"
    assert "Đánh giá đã ghi nhận" in response.content.decode()

    with pytest.raises(AlreadyRated) as raised:
        services.rate_dossier(token=dossier.tracking_token, answers=answers("dissatisfied"))
    assert raised.value.rating.overall == "very_satisfied"


def test_incomplete_answers_are_refused_with_the_form_again(client, finish):
    dossier = finish()
    response = client.post(url(dossier), rating_post(attitude=""))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Rating.objects.exists()


def test_unknown_token_is_404(client):
    assert client.get("/t/khong-co-ho-so/danh-gia/").status_code == 404


def test_rating_pages_show_no_personal_data(client, finish):
    dossier = finish(name="Đinh Thị Bí Mật", phone="0987654321", id_number="001299887766",
                     address="99 Phố Kín, Hà Nội", email="bimat@example.vn")
    before = client.get(url(dossier)).content.decode()
    client.post(url(dossier), rating_post("dissatisfied", attitude="dissatisfied"))
    after = client.get(url(dossier)).content.decode()
    for html in (before, after):
        assert dossier.code in html
        for secret in ("Đinh Thị Bí Mật", "Bí Mật", "0987654321", "001299887766", "99 Phố Kín", "bimat@example.vn"):
            assert secret not in html


def test_low_rating_emails_the_leaders_after_commit(client, finish, leader, clerk, django_capture_on_commit_callbacks):
    dossier = finish()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(dossier), rating_post("dissatisfied", comment="Phải chờ quá lâu"))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [leader.user.email]  # only leaders, not the clerk
    assert "Không hài lòng" in message.subject and dossier.code in message.subject
    assert "Phải chờ quá lâu" in message.body and "/phan-anh/quan-ly/can-xu-ly/" in message.body


def test_satisfied_rating_sends_no_email(client, finish, leader, django_capture_on_commit_callbacks):
    dossier = finish()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(dossier), rating_post("satisfied"))
    assert mail.outbox == []


def test_dissatisfied_rating_turns_into_feedback_in_one_step(client, finish, clerk, specialist, leader,
                                                             django_capture_on_commit_callbacks):
    from satisfaction.models import Feedback

    dossier = finish()
    client.post(url(dossier), rating_post("dissatisfied", attitude="dissatisfied"))
    rating = Rating.objects.get()
    page = client.get(url(dossier)).content.decode()
    assert 'action="/phan-anh/"' in page and f'name="danh_gia" value="{rating.pk}"' in page

    form = client.get("/phan-anh/", {"ho_so": dossier.tracking_token, "danh_gia": rating.pk}).content.decode()
    assert f'name="dossier_token" value="{dossier.tracking_token}"' in form
    assert '<input type="radio" name="subject" value="official" id="id_subject_1" required checked>' in form
    for official in (clerk, specialist, leader):  # the handlers, pre-checked
        assert re.search(rf'<input type="checkbox" name="officials" value="{official.pk}"[^>]* checked>', form)
        assert official.display_name in form

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/phan-anh/", {
            "subject": "official", "kind": "harassment", "officials": [specialist.pk],
            "content": "Cán bộ yêu cầu nộp thêm giấy tờ không có trong quy định.",
            "dossier_token": dossier.tracking_token, "rating_id": rating.pk, "is_anonymous": "on",
        })
    feedback = Feedback.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/phan-anh/{feedback.token}/"
    assert (feedback.dossier, feedback.rating, feedback.agency_id, feedback.procedure_id) == (
        dossier, rating, dossier.agency_id, dossier.procedure_id)
    assert list(feedback.officials.all()) == [specialist]
    # The leaders' e-mail, then the named official's own notice through the notifications outbox.
    assert len(mail.outbox) == 2 and feedback.code in mail.outbox[0].subject
    assert mail.outbox[1].to == [specialist.user.email] and feedback.code in mail.outbox[1].subject


def test_feedback_cannot_name_an_official_who_did_not_handle_the_dossier(finish, specialist2):
    dossier = finish()
    with pytest.raises(services.SatisfactionError):
        services.create_feedback(data=services.FeedbackInput(
            subject="official", kind="money", content="x", dossier_token=dossier.tracking_token,
            official_ids=[specialist2.pk]))


def test_rating_time_can_be_given(finish):
    dossier = finish()
    rating = services.rate_dossier(token=dossier.tracking_token, answers=answers(), now=RATED_AT)
    assert rating.created_at == RATED_AT
