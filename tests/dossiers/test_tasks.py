"""The leaders' morning digest: overdue and soon-due dossiers, read only, one e-mail per agency."""
import datetime

import pytest
from django.core import mail
from django.utils import timezone

from dossiers import services
from dossiers.models import Dossier
from dossiers.tasks import send_overdue_digests

from .conftest import applicant, documents_for


def test_leaders_get_the_overdue_dossiers_of_their_agency_and_nothing_changes(clerk, leader, outsider, procedure):
    leader.user.email = "lanhdao@example.gov.vn"
    leader.user.save()
    old = services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(name="Trần Văn Quá Hạn"),
                           documents=documents_for(procedure),
                           now=timezone.now() - datetime.timedelta(days=30))
    fresh = services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(),
                             documents=documents_for(procedure))
    before = list(Dossier.objects.order_by("pk").values_list("state", "due_at"))

    assert send_overdue_digests() == 1

    [message] = mail.outbox
    assert message.to == ["lanhdao@example.gov.vn"]
    assert "1 hồ sơ quá hạn" in message.subject
    assert old.code in message.body
    assert fresh.code not in message.body.split("Sắp đến hạn")[0]
    # Personal data of citizens stays out of e-mail.
    assert "Trần Văn Quá Hạn" not in message.body and old.applicant_phone not in message.body
    assert list(Dossier.objects.order_by("pk").values_list("state", "due_at")) == before


@pytest.mark.django_db
def test_no_digest_without_overdue_or_soon_due_dossiers(leader):
    leader.user.email = "lanhdao@example.gov.vn"
    leader.user.save()

    assert send_overdue_digests() == 0
    assert mail.outbox == []
