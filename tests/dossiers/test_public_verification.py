"""Result verification /xac-thuc/: a registered document is confirmed, anything else is plainly not."""
import datetime

import pytest

from dossiers import services
from tests.dossiers.conftest import vn
from tests.dossiers.public_support import MASKED_NAME, leaked

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(build_dossier, clerk):
    dossier = build_dossier("returned")
    return services.register_result_document(
        dossier_id=dossier.pk, actor=clerk.user, number="125/GCN-UBND", issued_on=datetime.date(2026, 3, 9),
        signer="Phạm Văn Ký", title="Giấy chứng nhận đăng ký hộ kinh doanh", now=vn(2026, 3, 9, 11, 30))


def test_registered_document_is_confirmed_with_its_facts(client, document):
    response = client.get(f"/xac-thuc/{document.verification_token}/")
    html = response.content.decode()
    assert response.status_code == 200
    for fact in ("Hợp lệ", "125/GCN-UBND", "09/03/2026", "Phạm Văn Ký", "Giấy chứng nhận đăng ký hộ kinh doanh",
                 document.dossier.procedure.name, document.dossier.agency.name, MASKED_NAME):
        assert fact in html, fact
    assert leaked(html) == []
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "private" in response["Cache-Control"]


def test_unknown_code_says_no_such_document_with_404(client, document):
    response = client.get("/xac-thuc/KhongCoVanBanNay/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Không có văn bản nào với mã xác thực này" in html
    assert "125/GCN-UBND" not in html


def test_dossier_tracking_token_is_not_a_verification_code(client, document):
    assert client.get(f"/xac-thuc/{document.dossier.tracking_token}/").status_code == 404


@pytest.mark.parametrize("shape", ["bare", "url"])
def test_form_accepts_a_code_or_the_qr_url(client, document, shape, settings):
    token = document.verification_token
    typed = token if shape == "bare" else f"{settings.SITE_URL}/xac-thuc/{token}/"
    response = client.get("/xac-thuc/", {"ma": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/xac-thuc/{token}/"


def test_form_page_and_bad_input(client, db):
    empty = client.get("/xac-thuc/")
    assert empty.status_code == 200 and 'name="ma"' in empty.content.decode()
    bad = client.get("/xac-thuc/", {"ma": "không phải mã!"})
    assert bad.status_code == 200
    assert "Mã xác thực không đúng định dạng." in bad.content.decode()


def test_robots_txt_disallows_every_private_area(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    for path in ("/t/", "/tra-cuu/", "/kiosk/", "/xac-thuc/", "/ho-so/", "/bieu-mau/", "/admin/"):
        assert f"Disallow: {path}\n" in body


def test_unknown_page_gets_the_vietnamese_404(client, db):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
