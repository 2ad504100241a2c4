"""Reports count received dossiers by channel and give the online share per procedure (leader dashboard) and per
agency (city-wide)."""
import datetime

import pytest
from django.urls import reverse

from online import services
from portal.reports.channels import channel_table
from procedures.calendar import Period
from procedures.roles import Role
from tests.factories import OfficialFactory

from ..dossiers.conftest import applicant as counter_applicant
from ..dossiers.conftest import documents_for
from .conftest import vn

pytestmark = pytest.mark.django_db


def test_counts_by_channel_and_the_online_share(client, submitted, clerk, procedure, agency, outsider):
    from dossiers import services as dossier_services

    services.receive_submission(submission_id=submitted.pk, actor=clerk.user, now=vn(2026, 3, 9, 10, 0))
    for n in range(3):
        dossier_services.receive(actor=clerk.user, procedure_id=procedure.pk, applicant=counter_applicant(),
                                 documents=documents_for(procedure), now=vn(2026, 3, 9, 11, n))
    dossier_services.refuse_at_counter(actor=clerk.user, procedure_id=procedure.pk, applicant=counter_applicant(),
                                       reason="Thiếu", now=vn(2026, 3, 9, 11, 30))
    period = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    table = channel_table(agency=agency, period=period)
    assert table.rows == [[f"{procedure.name} ({procedure.code})", 3, 1, 0, 4, 25]]
    city = channel_table(agency=None, period=period)
    assert [row[0] for row in city.rows] == [f"{agency.name} ({agency.code})"] and city.total[-1] == 25

    leader = OfficialFactory(agency=agency, roles=[Role.LEADER])
    client.force_login(leader.user)
    page = client.get(reverse("dashboards:leader"), {"date_from": "01/03/2026", "date_to": "31/03/2026"})
    assert page.context["sections"]["kenh_nop"]["table"].rows == table.rows
    assert "Hồ sơ tiếp nhận theo kênh nộp" in page.content.decode()
    export = client.get(reverse("dashboards:leader_export", kwargs={"table": "kenh-nop", "fmt": "csv"}),
                        {"date_from": "01/03/2026", "date_to": "31/03/2026"})
    assert export.status_code == 200 and "Trực tuyến" in b"".join(export.streaming_content).decode("utf-8-sig")
