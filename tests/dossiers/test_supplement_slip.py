"""Mẫu 02 after reception says, in the law's words, whether the time already spent counts (the agency's rule)."""
import datetime

import pytest
from django.urls import reverse

from dossiers import services
from tests.dossiers.pdf_support import pdf_text

pytestmark = pytest.mark.usefixtures("fast_passwords")

KEEP = "thời gian đã giải quyết trước khi yêu cầu bổ sung được tính vào thời hạn giải quyết hồ sơ"
RESTART = "Thời hạn giải quyết hồ sơ được tính lại từ đầu kể từ ngày nhận đủ hồ sơ bổ sung, hoàn thiện"


def slip_text(client, official, dossier) -> str:
    client.force_login(official.user)
    response = client.get(reverse("forms:form", args=[dossier.pk, "02"]))
    assert response["Content-Type"] == "application/pdf"
    return " ".join(pdf_text(response.content).split())


@pytest.mark.parametrize(("restarts", "said", "not_said"), [(False, KEEP, RESTART), (True, RESTART, KEEP)])
def test_supplement_slip_states_the_agencys_limit_rule(client, build_dossier, specialist, agency, restarts, said,
                                                       not_said):
    agency.supplement_restarts_limit = restarts
    agency.save()
    dossier = build_dossier("supplement_requested")
    text = slip_text(client, specialist, dossier)
    assert said in text and not_said not in text


def test_supplement_slip_of_a_second_request(client, build_dossier, specialist, clerk):
    dossier = build_dossier("supplement_requested")
    services.fulfil_supplement(dossier_id=dossier.pk, actor=clerk.user, now=datetime.datetime.fromisoformat(
        "2026-03-10T09:00:00+07:00"))
    services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, missing="Bản gốc giấy chứng sinh",
                                reply_by=datetime.date(2026, 3, 20),
                                now=datetime.datetime.fromisoformat("2026-03-10T10:00:00+07:00"))
    assert dossier.supplement_requests.count() == 2
    assert "Bản gốc giấy chứng sinh" in slip_text(client, specialist, dossier)
