"""Public lookup /tra-cuu/: code plus 4 digits, no enumeration, rate-limited per client address."""
import pytest
from django.test import Client

from tests.dossiers.public_support import leaked, without_csrf

pytestmark = pytest.mark.django_db

WRONG = "0000"


@pytest.fixture
def dossier(build_dossier):
    return build_dossier("in_progress")


def post(client, code, digits, **extra):
    return client.post("/tra-cuu/", {"code": code, "last_digits": digits}, **extra)


def test_form_page_is_never_cached_and_has_csrf(client, db):
    response = client.get("/tra-cuu/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html and 'method="post"' in html
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("digits_of", ["phone", "id_number"])
def test_right_pair_redirects_to_the_tracking_page(client, dossier, digits_of):
    digits = getattr(dossier, f"applicant_{digits_of}")[-4:]
    response = post(client, dossier.code, digits)
    assert response.status_code == 302
    assert response["Location"] == f"/t/{dossier.tracking_token}/"
    assert "no-store" in response["Cache-Control"]


def test_code_is_case_and_space_insensitive(client, dossier):
    response = post(client, f"  {dossier.code.lower()} ", dossier.applicant_phone[-4:])
    assert response["Location"] == f"/t/{dossier.tracking_token}/"


def test_business_tax_code_digits_work(client, receive):
    business = receive(type="business", name="Công ty TNHH Minh Phát", id_number="0101234567-001")
    response = post(client, business.code, "7001")  # digits only: "...4567-001" ends with 7, 0, 0, 1
    assert response["Location"] == f"/t/{business.tracking_token}/"


def test_wrong_digits_and_unknown_code_get_identical_answers(client, dossier):
    """Same status, same text: an attacker cannot tell a real code from an invented one."""
    unknown = dossier.code[:-4] + ("9999" if not dossier.code.endswith("9999") else "9998")
    wrong = post(client, dossier.code, WRONG)
    missing = post(client, unknown, WRONG)
    assert wrong.status_code == missing.status_code == 200
    assert "Không tìm thấy hồ sơ" in wrong.content.decode()
    # The echoed code is the only difference between the two pages.
    assert without_csrf(wrong.content.decode()).replace(dossier.code, "CODE") == \
        without_csrf(missing.content.decode()).replace(unknown, "CODE")
    assert dossier.procedure.name not in wrong.content.decode()
    assert leaked(wrong.content.decode()) == []


def test_get_never_looks_anything_up(client, dossier):
    # A GET with the pair in the query string (personal data in a URL) is just the empty form.
    response = client.get("/tra-cuu/", {"code": dossier.code, "last_digits": dossier.applicant_phone[-4:]})
    assert response.status_code == 200
    assert dossier.tracking_token not in response.content.decode()


def test_invalid_digits_are_a_form_error(client, dossier):
    response = post(client, dossier.code, "12a4")
    assert response.status_code == 200
    assert "Nhập đúng 4 chữ số." in response.content.decode()


def test_rate_limit_answers_429_after_the_limit(client, dossier, settings):
    settings.PUBLIC_LOOKUP_RATE_LIMIT = (3, 600)
    for _attempt in range(3):
        assert post(client, dossier.code, WRONG).status_code == 200
    blocked = post(client, dossier.code, dossier.applicant_phone[-4:])  # even the right pair waits now
    assert blocked.status_code == 429
    html = blocked.content.decode()
    assert "quá nhiều lần" in html and "10 phút" in html
    assert dossier.tracking_token not in html


def test_rate_limit_is_per_client_address(client, dossier, settings):
    settings.PUBLIC_LOOKUP_RATE_LIMIT = (2, 600)
    for _attempt in range(2):
        post(client, dossier.code, WRONG, REMOTE_ADDR="203.0.113.5")
    assert post(client, dossier.code, WRONG, REMOTE_ADDR="203.0.113.5").status_code == 429
    other = post(Client(), dossier.code, dossier.applicant_phone[-4:], REMOTE_ADDR="203.0.113.6")
    assert other.status_code == 302


def test_x_forwarded_for_is_ignored_unless_a_proxy_is_trusted(client, dossier, settings):
    settings.PUBLIC_LOOKUP_RATE_LIMIT = (2, 600)
    # Without a trusted proxy a client cannot dodge the limit by inventing a new X-Forwarded-For each time.
    for attempt in range(2):
        post(client, dossier.code, WRONG, HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")
    assert post(client, dossier.code, WRONG, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_trusted_proxy_makes_the_forwarded_address_the_client(client, dossier, settings):
    settings.PUBLIC_LOOKUP_RATE_LIMIT = (2, 600)
    settings.RATELIMIT_TRUSTED_PROXIES = 1
    # Behind one proxy (REMOTE_ADDR is the proxy), clients are told apart by the proxy's rightmost entry;
    # whatever a client prepends itself does not count.
    for _attempt in range(2):
        post(client, dossier.code, WRONG, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert post(client, dossier.code, WRONG, REMOTE_ADDR="10.0.0.1",
                HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7").status_code == 429
    assert post(client, dossier.code, dossier.applicant_phone[-4:], REMOTE_ADDR="10.0.0.1",
                HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 302


def test_post_without_csrf_token_is_refused(dossier):
    strict = Client(enforce_csrf_checks=True)
    response = post(strict, dossier.code, dossier.applicant_phone[-4:])
    assert response.status_code == 403


def test_post_with_the_forms_csrf_token_works(dossier):
    strict = Client(enforce_csrf_checks=True)
    strict.get("/tra-cuu/")
    token = strict.cookies["csrftoken"].value
    response = strict.post("/tra-cuu/", {"code": dossier.code, "last_digits": dossier.applicant_phone[-4:],
                                         "csrfmiddlewaretoken": token})
    assert response.status_code == 302
