"""The office kiosk /kiosk/: a scanner's input opens the dossier; a typed code alone never does."""
import pytest
from django.urls import reverse

from tests.dossiers.public_support import MASKED_NAME, leaked

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(build_dossier):
    return build_dossier("in_progress")


def scan(client, text):
    return client.post("/kiosk/", {"scan": text})


def test_start_screen_is_one_big_field_and_never_cached(client, db):
    response = client.get("/kiosk/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<input type="text"') == 1 and "autofocus" in html
    assert 'class="kiosk"' in html and "site-nav" not in html
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("shape", ["full URL", "path", "bare token", "with spaces"])
def test_a_scanned_qr_opens_the_kiosk_tracking_page(client, dossier, shape, settings):
    token = dossier.tracking_token
    text = {
        "full URL": f"{settings.SITE_URL}/t/{token}/",
        "path": f"/t/{token}",
        "bare token": token,
        "with spaces": f"  http://motcua.example.vn/t/{token}/ \n",
    }[shape]
    response = scan(client, text)
    assert response.status_code == 302
    assert response["Location"] == f"/kiosk/t/{token}/"


def test_a_typed_code_asks_for_the_four_digits_and_shows_nothing(client, dossier):
    response = scan(client, dossier.code.lower())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="last_digits"' in html and f'value="{dossier.code}"' in html
    assert dossier.procedure.name not in html and MASKED_NAME not in html
    assert dossier.tracking_token not in html
    assert leaked(html) == []


def test_code_and_digits_open_the_dossier(client, dossier):
    response = client.post("/kiosk/", {"code": dossier.code, "last_digits": dossier.applicant_id_number[-4:]})
    assert response.status_code == 302
    assert response["Location"] == f"/kiosk/t/{dossier.tracking_token}/"


def test_wrong_digits_at_the_kiosk_get_the_generic_answer(client, dossier):
    response = client.post("/kiosk/", {"code": dossier.code, "last_digits": "0000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Không tìm thấy hồ sơ" in html and dossier.procedure.name not in html


def test_kiosk_digits_share_the_rate_limit(client, dossier, settings):
    settings.PUBLIC_LOOKUP_RATE_LIMIT = (2, 600)
    for _attempt in range(2):
        client.post("/kiosk/", {"code": dossier.code, "last_digits": "0000"})
    response = client.post("/kiosk/", {"code": dossier.code, "last_digits": dossier.applicant_phone[-4:]})
    assert response.status_code == 429
    assert "quá nhiều lần" in response.content.decode()


def test_unreadable_input_is_explained(client, db):
    response = scan(client, "xin chào!")
    assert response.status_code == 200
    assert "Không đọc được mã" in response.content.decode()


def test_kiosk_tracking_page_goes_home_after_idle_and_has_a_home_button(client, dossier):
    response = client.get(f"/kiosk/t/{dossier.tracking_token}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<meta http-equiv="refresh" content="60; url=/kiosk/">' in html
    assert 'href="/kiosk/"' in html and "Về màn hình chính" in html
    assert "js/kiosk.js" in html
    assert dossier.code in html and MASKED_NAME in html and leaked(html) == []
    assert "private" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex, nofollow"


def test_successful_lookups_never_use_up_the_limit(client, dossier, settings):
    """A kiosk serves a queue of citizens from one address: only wrong pairs count."""
    settings.PUBLIC_LOOKUP_RATE_LIMIT = (2, 600)
    right = dossier.applicant_phone[-4:]
    for _citizen in range(5):
        response = client.post("/kiosk/", {"code": dossier.code, "last_digits": right})
        assert response.status_code == 302
    client.post("/kiosk/", {"code": dossier.code, "last_digits": "0000"})
    assert client.post("/kiosk/", {"code": dossier.code, "last_digits": right}).status_code == 302
    client.post("/kiosk/", {"code": dossier.code, "last_digits": "0000"})
    assert client.post("/kiosk/", {"code": dossier.code, "last_digits": right}).status_code == 429


def test_a_trusted_kiosk_address_gets_a_larger_allowance(client, dossier, settings, admin_client):
    from dossiers.models import TrustedKiosk
    from dossiers.ratelimit import TRUSTED_FACTOR

    settings.PUBLIC_LOOKUP_RATE_LIMIT = (2, 600)
    response = admin_client.post(reverse("admin:dossiers_trustedkiosk_add"),
                                 {"name": "Máy tra cứu tầng 1", "address": "203.0.113.20", "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TrustedKiosk.objects.get().address == "203.0.113.20"
    for _typo in range(2 * TRUSTED_FACTOR - 1):
        client.post("/kiosk/", {"code": dossier.code, "last_digits": "0000"}, REMOTE_ADDR="203.0.113.20")
    right = dossier.applicant_phone[-4:]
    assert client.post("/kiosk/", {"code": dossier.code, "last_digits": right},
                       REMOTE_ADDR="203.0.113.20").status_code == 302
    # Any other address keeps the ordinary limit.
    for _typo in range(2):
        client.post("/kiosk/", {"code": dossier.code, "last_digits": "0000"}, REMOTE_ADDR="203.0.113.21")
    assert client.post("/kiosk/", {"code": dossier.code, "last_digits": right},
                       REMOTE_ADDR="203.0.113.21").status_code == 429
