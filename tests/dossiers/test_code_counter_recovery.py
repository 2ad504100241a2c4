"""A code counter that heals itself: dossiers that exist without counter rows (a legacy import, a restored
backup, the bulk seed) must never make reception propose a code that is already taken."""
import pytest

from dossiers import services
from dossiers.models import Dossier, DossierCodeCounter
from procedures.roles import Role
from tests.concurrency import run_concurrently
from tests.factories import OfficialFactory

from .conftest import applicant, documents_for, vn

pytestmark = pytest.mark.usefixtures("fast_passwords")
DAY = "000.00.06.H56-260309-"


def import_legacy(receive, count):
    """Dossiers with codes of 09/03 whose counter rows are gone, as after an import or a restore."""
    imported = [receive(now=vn(2026, 3, 9, 8, minute)) for minute in range(count)]
    DossierCodeCounter.objects.all().delete()
    return imported


def test_reception_continues_after_imported_codes_without_counter_rows(receive):
    import_legacy(receive, 3)
    later = [receive(now=vn(2026, 3, 9, 10, minute)).code for minute in range(2)]
    assert later == [f"{DAY}0004", f"{DAY}0005"]
    assert DossierCodeCounter.objects.get(day="2026-03-09").last_value == 5
    # Another day is not disturbed by the repair.
    assert receive(now=vn(2026, 3, 10, 9, 0)).code == "000.00.06.H56-260310-0001"


def test_a_counter_behind_the_dossiers_jumps_past_the_highest_code(receive):
    import_legacy(receive, 2)
    # A restored counter that is behind, and a legacy code beyond the four digits the format pads to.
    DossierCodeCounter.objects.create(agency=Dossier.objects.first().agency, day="2026-03-09", last_value=1)
    Dossier.objects.filter(code=f"{DAY}0002").update(code=f"{DAY}10000")
    Dossier.objects.filter(code=f"{DAY}0001").update(code=f"{DAY}0002")
    assert receive(now=vn(2026, 3, 9, 10, 0)).code == f"{DAY}10001"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_receptions_after_an_import_all_succeed_with_fresh_codes(agency, clerk, procedure, receive):
    import_legacy(receive, 3)
    clerks = [clerk] + [OfficialFactory(agency=agency, roles=[Role.RECEPTION]) for _ in range(3)]
    documents = documents_for(procedure)

    def receive_one(index):
        from django.contrib.auth import get_user_model
        actor = get_user_model().objects.get(pk=clerks[index % len(clerks)].user_id)
        return services.receive(actor=actor, procedure_id=procedure.pk, applicant=applicant(name=f"Người {index}"),
                                documents=documents, now=vn(2026, 3, 9, 11, index))

    results = run_concurrently(receive_one, list(range(8)))
    assert all(isinstance(result, Dossier) for result in results), results
    assert sorted(result.code for result in results) == [f"{DAY}{n:04d}" for n in range(4, 12)]
    assert Dossier.objects.filter(code__startswith=DAY).count() == 11
