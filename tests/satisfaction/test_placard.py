"""Rating an official through the placard QR (/can-bo/<pk>/danh-gia/): public card, one rating per device per
official per day (signed cookie + database constraint), a per-address rate limit, reported apart."""
import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client, override_settings

from satisfaction import selectors, services
from satisfaction.errors import NotFound, RatingLimitReached
from satisfaction.models import Rating
from satisfaction.views import DEVICE_COOKIE
from tests.factories import OfficialFactory

from .conftest import vn

pytestmark = pytest.mark.django_db

POST = {"overall": "very_satisfied", "attitude": "very_satisfied", "guidance": "", "comment": ""}


def url(official):
    return f"/can-bo/{official.pk}/danh-gia/"


def test_the_placard_url_is_the_one_printed_on_the_placard(clerk):
    from dossiers.links import official_rating_url

    assert official_rating_url(clerk.pk).endswith(url(clerk))


def test_page_shows_the_public_card_and_sets_a_signed_device_cookie(client, clerk, agency):
    clerk.title = "Công chức Tư pháp - Hộ tịch"
    clerk.save()
    response = client.get(url(clerk))
    html = response.content.decode()
    assert response.status_code == 200
    assert clerk.display_name in html and "Công chức Tư pháp - Hộ tịch" in html and agency.name in html
    assert clerk.user.username not in html and clerk.user.email not in html
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and ":" in cookie.value  # signed
    # The cookie is kept: the next visit does not get a new one.
    assert DEVICE_COOKIE not in client.get(url(clerk)).cookies


def test_inactive_or_unknown_official_is_404(client, agency):
    retired = OfficialFactory(agency=agency, is_active=False)
    assert client.get(url(retired)).status_code == 404
    assert client.get("/can-bo/999999/danh-gia/").status_code == 404
    with pytest.raises(NotFound):
        services.rate_official(official_id=retired.pk, device_id="abc", answers=services.Answers(
            overall="satisfied", attitude="satisfied"))


def test_same_device_same_day_is_refused_another_device_is_not(client, clerk):
    client.get(url(clerk))
    first = client.post(url(clerk), POST)
    assert first.status_code == 302
    rating = Rating.objects.get()
    assert (rating.source, rating.official, rating.agency_id, rating.dossier) == ("placard", clerk, clerk.agency_id, None)
    assert list(rating.officials.all()) == [clerk]

    again = client.post(url(clerk), POST, follow=True)
    assert "đã đánh giá cán bộ" in again.content.decode()
    assert Rating.objects.count() == 1

    Client().post(url(clerk), POST)  # a second phone
    assert Rating.objects.count() == 2


def test_a_forged_cookie_counts_as_a_new_device_not_as_the_victims(client, clerk):
    client.cookies[DEVICE_COOKIE] = "forged-value"
    response = client.post(url(clerk), POST)
    assert response.status_code == 302
    assert response.cookies[DEVICE_COOKIE].value != "forged-value"


def test_next_day_the_same_device_may_rate_again(clerk):
    today = vn(2026, 3, 9, 16, 0)
    good = services.Answers(overall="satisfied", attitude="satisfied")
    services.rate_official(official_id=clerk.pk, device_id="device-1", answers=good, now=today)
    with pytest.raises(RatingLimitReached):
        services.rate_official(official_id=clerk.pk, device_id="device-1", answers=good,
                               now=vn(2026, 3, 9, 23, 59))
    services.rate_official(official_id=clerk.pk, device_id="device-1", answers=good, now=today + datetime.timedelta(days=1))
    assert Rating.objects.filter(official=clerk).count() == 2
    assert sorted(Rating.objects.values_list("day", flat=True)) == [datetime.date(2026, 3, 9), datetime.date(2026, 3, 10)]


def test_the_database_holds_the_daily_limit_even_without_the_check(clerk):
    good = services.Answers(overall="satisfied", attitude="satisfied")
    first = services.rate_official(official_id=clerk.pk, device_id="device-1", answers=good)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(source="placard", agency=clerk.agency, official=clerk, overall="satisfied",
                              attitude="satisfied", created_at=first.created_at, device_hash=first.device_hash,
                              day=first.day)


@override_settings(SATISFACTION_RATE_LIMIT=(3, 3600))
def test_per_address_rate_limit_answers_429(clerk, specialist):
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [client.post(url(official), POST).status_code for official in (clerk, specialist, clerk)]
    assert statuses == [302, 302, 302]  # the third is the same-day refusal, still counted
    blocked = client.post(url(specialist), POST)
    assert blocked.status_code == 429
    assert "quá nhiều lượt gửi" in blocked.content.decode()
    assert Rating.objects.count() == 2
    assert Client(REMOTE_ADDR="198.51.100.9").post(url(specialist), POST).status_code == 302


def test_low_placard_rating_emails_leaders_and_is_reported_apart(client, clerk, leader,
                                                                 django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(clerk), {**POST, "overall": "dissatisfied", "attitude": "dissatisfied"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [leader.user.email]
    assert "Đánh giá cán bộ qua mã QR" in mail.outbox[0].body

    assert selectors.satisfaction_total(source="placard", agency_id=clerk.agency_id)["total"] == 1
    assert selectors.satisfaction_total(source="dossier", agency_id=clerk.agency_id)["total"] == 0
