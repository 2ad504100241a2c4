"""bench/seed_city.py writes, for a dossier, the rows the services write for the same life: a returned dossier of a
small seeded city and one taken through the real services (reception, the receipt printed, three forwards,
processed, returned, rated) have the same events (kinds, order, public flags, roles), the same simple-history
rows, step-record history, documents and rating rows; and the code counters hold the highest sequence of each
agency and day, so the next reception of a seeded day gets a code of its own."""
import importlib.util
from argparse import Namespace
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Max

from dossiers import services
from dossiers.models import (
    Dossier,
    DossierCodeCounter,
    DossierDocument,
    DossierEvent,
    PaymentRequest,
    State,
    StepRecord,
    SupplementRequest,
)
from dossiers.pdf import FORMS
from satisfaction import services as satisfaction
from satisfaction.models import Rating
from tests.dossiers.conftest import *  # noqa: F403 (agency, clerk, specialist, leader, procedure, receive)
from tests.dossiers.conftest import MONDAY_0900, vn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
SEED = Path(__file__).resolve().parents[2] / "bench" / "seed_city.py"


@pytest.fixture
def seeded():
    spec = importlib.util.spec_from_file_location("seed_city", SEED)
    seed_city = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seed_city)
    seed_city.load(Namespace(dossiers=300, agencies=2, officials=20, seed=5, yes=True))
    return seed_city


def life(dossier_id: int) -> dict:
    """What the services leave about one dossier, without ids and instants."""
    return {
        "events": list(DossierEvent.objects.filter(dossier_id=dossier_id).order_by("at", "id")
                       .values_list("kind", "is_public", "actor_role")),
        "history": [(row.history_type, row.state, row.history_change_reason.split(":")[0])
                    for row in Dossier.history.filter(id=dossier_id).order_by("history_date", "history_id")],
        "step_history": sorted(StepRecord.history.filter(dossier_id=dossier_id).values_list("history_type", "outcome")),
        "documents": DossierDocument.objects.filter(dossier_id=dossier_id).count(),
        "document_history": DossierDocument.history.filter(dossier_id=dossier_id).count(),
        "ratings": Rating.history.filter(dossier_id=dossier_id).count(),
        "rated_officials": Rating.objects.get(dossier_id=dossier_id).officials.count(),
    }


def test_a_seeded_dossier_carries_the_rows_the_services_write(seeded, clerk, specialist, leader, procedure):
    sample = (Dossier.objects.filter(state=State.RETURNED, pk__in=Rating.objects.values("dossier_id"))
              .filter(pk__in=StepRecord.objects.values("dossier_id").annotate(n=Max("step__order")).filter(n=4)
                      .values("dossier_id")).order_by("pk").first())
    assert sample is not None

    def at(hour, minute):
        return vn(2026, 3, 9, hour, minute)

    real = services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(),  # noqa: F405
                            documents=documents_for(procedure), now=MONDAY_0900)  # noqa: F405
    services.record_print(dossier_id=real.pk, actor=clerk.user, form_name=FORMS["01"].log_name, now=at(9, 1))
    services.forward(dossier_id=real.pk, actor=clerk.user, assignee_id=specialist.pk, now=at(9, 30))
    services.forward(dossier_id=real.pk, actor=specialist.user, assignee_id=leader.pk, now=at(10, 0))
    services.forward(dossier_id=real.pk, actor=leader.user, assignee_id=clerk.pk, now=at(10, 30))
    services.mark_processed(dossier_id=real.pk, actor=clerk.user, result_note="Đã ký", now=at(11, 0))
    services.return_result(dossier_id=real.pk, actor=clerk.user, now=at(11, 15))
    level = "satisfied"
    satisfaction.rate_dossier(token=real.tracking_token, answers=satisfaction.Answers(
        overall=level, attitude=level, timeliness=level, guidance=level, extra_visits=0), now=at(14, 0))

    seeded_life, real_life = life(sample.pk), life(real.pk)
    # The factory's procedure asks two documents, as the seed's do.
    assert seeded_life == real_life


def test_code_counters_and_pause_requests_match_the_dossiers(seeded):
    with connection.cursor() as cursor:
        cursor.execute("SELECT agency_id, (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, "
                       "max(right(code, 4)::int) FROM dossiers_dossier GROUP BY 1, 2")
        expected = {(agency, day): value for agency, day, value in cursor.fetchall()}
    assert expected
    assert {(c.agency_id, c.day): c.last_value for c in DossierCodeCounter.objects.all()} == expected
    # A paused dossier holds the request it waits on, as the pause services write it.
    paused = Dossier.objects.filter(state__in=[State.SUPPLEMENT_REQUESTED, State.AWAITING_PAYMENT])
    assert {d.pk for d in paused} == set(SupplementRequest.objects.values_list("dossier_id", flat=True)) | set(
        PaymentRequest.objects.values_list("dossier_id", flat=True))
