"""Races on PostgreSQL: real threads, each with its own connection, released together by a barrier."""
import threading

import pytest
from django.db import connection
from django.test import Client

from satisfaction import services
from satisfaction.errors import AlreadyRated, RatingLimitReached
from satisfaction.models import Rating, RatingOfficial
from tests.concurrency import run_concurrently

from .conftest import rating_post

THREADS = 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_of_one_dossier_record_exactly_one(finish):
    dossier = finish()
    levels = ["very_satisfied", "satisfied", "dissatisfied"] * (THREADS // 3)
    results = run_concurrently(
        lambda overall: services.rate_dossier(token=dossier.tracking_token,
                                              answers=services.Answers(overall=overall, attitude=overall,
                                                                       timeliness=overall, guidance=overall,
                                                                       extra_visits=0)),
        levels,
    )
    winners = [r for r in results if isinstance(r, Rating)]
    losers = [r for r in results if isinstance(r, AlreadyRated)]
    assert (len(winners), len(losers)) == (1, THREADS - 1), results
    assert Rating.objects.filter(dossier=dossier).count() == 1
    assert {loser.rating.pk for loser in losers} == {winners[0].pk}
    assert RatingOfficial.objects.filter(rating=winners[0]).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_http_submissions_never_500(finish):
    dossier = finish()
    url = f"/t/{dossier.tracking_token}/danh-gia/"
    statuses = run_concurrently(lambda overall: Client().post(url, rating_post(overall)).status_code,
                            ["satisfied", "dissatisfied"] * (THREADS // 2))
    assert statuses == [302] * THREADS
    assert Rating.objects.filter(dossier=dossier).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_placard_ratings_from_one_device_record_one(clerk):
    results = run_concurrently(
        lambda _: services.rate_official(official_id=clerk.pk, device_id="same-phone",
                                         answers=services.Answers(overall="satisfied", attitude="satisfied")),
        list(range(THREADS)),
    )
    assert sum(isinstance(r, Rating) for r in results) == 1
    assert sum(isinstance(r, RatingLimitReached) for r in results) == THREADS - 1, results
    assert Rating.objects.filter(official=clerk).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_rival_insert_committed_after_our_check_is_caught_not_a_500(finish):
    """Deterministic race: a rival transaction has inserted (not yet committed) the dossier's rating, so our
    check sees nothing; our insert waits on the unique index, then fails — and the service answers with theirs."""
    import time

    from django.db import transaction
    from django.utils import timezone

    dossier = finish()
    inserted, outcome = threading.Event(), {}

    def rival():
        try:
            with transaction.atomic():
                outcome["rival"] = Rating.objects.create(
                    source="dossier", agency_id=dossier.agency_id, procedure_id=dossier.procedure_id, dossier=dossier,
                    overall="satisfied", attitude="satisfied", timeliness="satisfied", guidance="satisfied",
                    extra_visits=0, created_at=timezone.now())
                inserted.set()
                time.sleep(1.5)  # long enough for the other thread to block on the unique index
        finally:
            connection.close()

    def ours():
        try:
            inserted.wait(timeout=30)
            outcome["ours"] = services.rate_dossier(token=dossier.tracking_token, answers=services.Answers(
                overall="dissatisfied", attitude="dissatisfied", timeliness="dissatisfied", guidance="dissatisfied",
                extra_visits=2))
        except Exception as error:  # noqa: BLE001
            outcome["ours"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=rival), threading.Thread(target=ours)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert isinstance(outcome["ours"], AlreadyRated), outcome
    assert outcome["ours"].rating.pk == outcome["rival"].pk
    assert Rating.objects.get(dossier=dossier).overall == "satisfied"
