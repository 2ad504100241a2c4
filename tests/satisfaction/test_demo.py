"""The demo ratings and feedback: made through the services, once."""
import pytest

from dossiers.demo import seed_dossiers
from satisfaction.demo import seed_satisfaction
from satisfaction.models import Feedback, Rating

pytestmark = pytest.mark.django_db


def test_demo_rates_finished_dossiers_and_officials_once(agency, clerk, specialist, leader, procedure):
    seed_dossiers(per_agency=12)
    created = seed_satisfaction()
    assert created == Rating.objects.count() > 0
    assert Rating.objects.filter(source="dossier").exists() and Rating.objects.filter(source="placard").count() == 9
    assert all(r.dossier.state in ("returned", "refused", "stopped")
               for r in Rating.objects.filter(source="dossier").select_related("dossier"))
    assert set(Feedback.objects.values_list("state", flat=True)) == {"received", "answered"}
    assert seed_satisfaction() == 0
