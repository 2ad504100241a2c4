"""The online channel's messages: every SMS fits one GSM-7 segment at the longest values, in both languages."""
import pytest

from notifications.services import render, sms_segments

TEMPLATES = ["online_code", "online_submitted", "online_received", "online_returned", "online_refused",
             "online_posted"]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_online_sms_is_one_segment(template, language):
    from .conftest import vn

    status = "https://motcua.hochiminhcity.gov.vn/nop-truc-tuyen/theo-doi/AbCdEfGhIjKlMnOpQrStUv/"
    context = {"code": "000.00.26.H29-261231-9999", "minutes": 10, "procedure": "Cấp Giấy xác nhận tình trạng hôn nhân",
               "name": "Nguyễn Thị Ngọc Ánh", "agency_name": "Ủy ban nhân dân phường Bến Thành", "status_url": status,
               "due_at": vn(2026, 12, 31, 17, 0), "form_url": status + "mau-01.pdf", "note": "Lý do",
               "tracking_number": "EB123456789VN"}
    text = render(template, language, "sms", context).body
    assert sms_segments(text) == ("GSM-7", 1), (text, len(text))
    email = render(template, language, "email", context)
    assert email.subject and context["procedure"] in email.body
