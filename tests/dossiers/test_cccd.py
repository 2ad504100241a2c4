"""A chip ID card's QR typed by the counter's scanner: parsed server-side, filling the reception form."""
import datetime

import pytest
from django.core.exceptions import ValidationError

from dossiers import cccd
from dossiers.models import Dossier

from .test_views_receive import URL, valid_post

SCAN = "001203004567|012345678|Nguyễn  Văn An|15081990|Nam|12 Hàng Bạc, Hoàn Kiếm, Hà Nội|01072021"


def test_parse_reads_the_cards_fields():
    card = cccd.parse(SCAN + "\r\n")
    assert card == cccd.CccdCard(id_number="001203004567", name="Nguyễn Văn An", birth_date=datetime.date(1990, 8, 15),
                                 sex="Nam", address="12 Hàng Bạc, Hoàn Kiếm, Hà Nội")
    # A card issued without an old ID number leaves that part empty.
    assert cccd.parse(SCAN.replace("012345678", "")).id_number == "001203004567"


@pytest.mark.parametrize(("text", "words"), [
    ("001203004567|Nguyễn Văn An", "7 phần"),
    ("0012030|x|Nguyễn Văn An|15081990|Nam|Hà Nội|01072021", "12 chữ số"),
    ("001203004567||Nguyễn Văn An|31021990|Nam|Hà Nội|01072021", "ngày sinh"),
    ("001203004567|||15081990|Nam|Hà Nội|01072021", "thiếu họ tên"),
])
def test_malformed_scans_say_why(text, words):
    with pytest.raises(ValidationError) as error:
        cccd.parse(text)
    assert words in error.value.messages[0]


def test_the_endpoint_returns_the_forms_fields_or_the_error(client, clerk, specialist):
    client.force_login(clerk.user)
    response = client.post("/ho-so/tiep-nhan/the-can-cuoc/", {"cccd_scan": SCAN})
    assert response.status_code == 200
    assert response.json()["fields"] == {
        "applicant_type": "citizen", "applicant_name": "Nguyễn Văn An", "applicant_id_number": "001203004567",
        "applicant_address": "12 Hàng Bạc, Hoàn Kiếm, Hà Nội", "applicant_birth_date": "15/08/1990"}
    response = client.post("/ho-so/tiep-nhan/the-can-cuoc/", {"cccd_scan": "không phải thẻ"})
    assert response.status_code == 400 and "thẻ căn cước" in response.json()["error"]
    assert client.get("/ho-so/tiep-nhan/the-can-cuoc/", {"cccd_scan": SCAN}).status_code == 405  # never in a URL
    client.force_login(specialist.user)
    assert client.post("/ho-so/tiep-nhan/the-can-cuoc/", {"cccd_scan": SCAN}).status_code == 403


@pytest.mark.parametrize("field", ["cccd_scan", "applicant_name"])
def test_without_javascript_a_scan_fills_the_form_and_is_kept_on_the_dossier(client, clerk, procedure, field):
    client.force_login(clerk.user)
    data = valid_post(procedure, stage="check", **{"applicant_name": "", "applicant_id_number": "",
                                                   "applicant_address": "", field: SCAN})
    response = client.post(URL, data)
    assert response.status_code == 200, response.context["error_summary"]
    body = response.content.decode()
    assert 'value="Nguyễn Văn An"' in body and 'value="001203004567"' in body and 'value="15/08/1990"' in body
    # The confirmation posts what the page shows; the card's date of birth is kept.
    confirm = {**data, field: "", "stage": "confirm", "applicant_name": "Nguyễn Văn An",
               "applicant_id_number": "001203004567", "applicant_address": "12 Hàng Bạc, Hoàn Kiếm, Hà Nội",
               "applicant_birth_date": "15/08/1990"}
    assert client.post(URL, confirm).status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.applicant_name, dossier.applicant_birth_date) == ("Nguyễn Văn An", datetime.date(1990, 8, 15))


def test_a_malformed_scan_is_an_error_beside_the_field_and_in_the_summary(client, clerk, procedure):
    client.force_login(clerk.user)
    response = client.post(URL, valid_post(procedure, stage="check", cccd_scan="001203004567|Nguyễn Văn An"))
    assert response.status_code == 400
    assert "7 phần" in response.context["form"].errors["cccd_scan"][0]
    assert any("7 phần" in message for message, _anchor in response.context["error_summary"])
    assert 'data-focus-on-load' in response.content.decode()
    assert not Dossier.objects.exists()


def test_confirm_opens_the_receipt_once_and_offers_another_reception(client, clerk, procedure):
    client.force_login(clerk.user)
    response = client.post(URL, valid_post(procedure, stage="confirm"))
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.context["just_received"]
    assert "data-open-now" in body and "Tiếp nhận hồ sơ khác" in body
    assert 'target="_blank"' in body.split("data-open-now")[0].rsplit("<a", 1)[1]
    assert not client.get(response["Location"]).context["just_received"]  # a reload does not print again
