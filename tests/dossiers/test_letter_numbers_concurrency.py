"""Letter numbers (Mẫu 03, 04, 05) under real concurrency on PostgreSQL: the agency's yearly counter row is locked
while a number is taken, so letters issued at the same moment never share a number."""
import pytest
from django.contrib.auth import get_user_model

from dossiers import services
from dossiers.models import IssuedLetter, LetterNumberCounter
from procedures.roles import Role
from tests.concurrency import run_concurrently
from tests.factories import OfficialFactory

from .conftest import applicant, documents_for, vn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("fast_passwords")]


def test_refusals_and_stops_issued_at_once_get_consecutive_numbers(agency, clerk, leader, procedure, receive):
    agency.document_symbol = "UBND"
    agency.save()
    clerks = [clerk] + [OfficialFactory(agency=agency, roles=[Role.RECEPTION]) for _ in range(3)]
    open_dossiers = [receive(now=vn(2026, 3, 9, 8, minute)) for minute in range(6)]
    documents = documents_for(procedure)

    def issue(index):
        actor = get_user_model().objects.get(pk=(leader if index < 6 else clerks[index % 4]).user_id)
        if index < 6:
            return services.stop(dossier_id=open_dossiers[index].pk, actor=actor, reason="Có tranh chấp",
                                 legal_ground="Điều 18 Nghị định 118/2025/NĐ-CP", now=vn(2026, 3, 9, 10, 0))
        return services.refuse_at_counter(actor=actor, procedure_id=procedure.pk, reason="Thiếu tờ khai",
                                          applicant=applicant(name=f"Người nộp {index}"), documents=documents,
                                          now=vn(2026, 3, 9, 10, 0))

    results = run_concurrently(issue, list(range(14)))
    assert all(not isinstance(result, Exception) for result in results), results
    sequences = sorted(IssuedLetter.objects.filter(agency=agency).values_list("sequence", flat=True))
    assert sequences == list(range(1, 15))
    assert LetterNumberCounter.objects.get(agency=agency, year=2026).last_value == 14
    stops = IssuedLetter.objects.filter(agency=agency, form=IssuedLetter.Form.STOP)
    assert all(letter.number == f"{letter.sequence:02d}/TB-UBND" for letter in stops) and stops.count() == 6
