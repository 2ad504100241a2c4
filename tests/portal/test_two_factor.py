"""Two-factor sign-in (django-otp TOTP + recovery codes): required for leaders, agency admins and superusers,
optional for other staff, enforced at the password step so no session exists before the second factor."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import two_factor
from procedures.roles import Role
from tests.factories import PASSWORD, OfficialFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
VERIFY = reverse("two_factor_verify")
SETUP = reverse("two_factor_setup")


def sign_in(client, username, next_url="/ho-so/"):
    return client.post(f"{LOGIN}?next={next_url}", {"username": username, "password": PASSWORD, "next": next_url})


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, t0=device.t0, step=device.step, drift=offset):06d}"


def unthrottle(device: TOTPDevice) -> None:
    """django-otp makes the next try wait after a failure (1 s, then doubling): a test does not sleep it off."""
    device.refresh_from_db()
    device.throttle_reset()


def enrolled(official) -> tuple[TOTPDevice, list[str]]:
    device = two_factor.start_setup(official.user)
    codes = two_factor.confirm_setup(device, code_for(device))
    device.refresh_from_db()
    return device, codes


@pytest.fixture
def leader():
    return OfficialFactory(roles=[Role.LEADER], user__username="lanhdao")


@pytest.fixture
def clerk():
    return OfficialFactory(roles=[Role.RECEPTION], user__username="tiepnhan")


def test_a_clerk_without_a_device_signs_in_with_the_password(client, clerk):
    response = sign_in(client, "tiepnhan")
    assert response.status_code == 302 and response.url == "/ho-so/"
    assert client.session["_auth_user_id"] == str(clerk.user.pk)


def test_a_leader_must_set_up_the_authenticator_before_any_session(client, leader):
    response = sign_in(client, "lanhdao")
    assert response.url == SETUP and "_auth_user_id" not in client.session
    # Nothing staff-only opens on the parked login.
    assert client.get(reverse("dossiers:worklist")).status_code == 302
    page = client.get(SETUP)
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "Khóa bí mật" in html
    device = TOTPDevice.objects.get(user=leader.user, confirmed=False)
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", html).group(1).replace(" ", "")
    assert secret and device.config_url.find(f"secret={secret}") > 0

    valid = {code_for(device, offset) for offset in (-1, 0, 1)}
    assert client.post(SETUP, {"token": next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)}
                       ).status_code == 400
    assert "_auth_user_id" not in client.session
    unthrottle(device)
    response = client.post(SETUP, {"token": code_for(device)})
    assert response.status_code == 302 and response.url == reverse("two_factor_codes")
    assert client.session["_auth_user_id"] == str(leader.user.pk)
    codes_page = client.get(reverse("two_factor_codes"))
    codes = re.findall(r"<code>(\d{8})</code>", codes_page.content.decode())
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT
    assert 'href="/ho-so/"' in codes_page.content.decode()
    assert client.get(reverse("two_factor_codes")).status_code == 302  # shown once
    device.refresh_from_db()
    assert device.confirmed


def test_a_leader_with_a_device_needs_a_code_and_a_wrong_one_gets_nothing(client, leader):
    device, _codes = enrolled(leader)
    response = sign_in(client, "lanhdao")
    assert response.url == VERIFY and "_auth_user_id" not in client.session
    valid = {code_for(device, offset) for offset in (-1, 0, 1)}
    wrong = client.post(VERIFY, {"token": next(c for c in ("123456", "234567", "345678", "456789") if c not in valid)})
    assert wrong.status_code == 400 and "_auth_user_id" not in client.session
    unthrottle(device)
    # The enrolment used this 30-second step's code and TOTP never accepts a code twice: the next step's.
    response = client.post(VERIFY, {"token": code_for(device, offset=1)})
    assert response.status_code == 302 and response.url == "/ho-so/"
    assert client.session["_auth_user_id"] == str(leader.user.pk)


def test_a_recovery_code_works_once(client, leader):
    _device, codes = enrolled(leader)
    sign_in(client, "lanhdao")
    assert client.post(VERIFY, {"token": codes[0]}).status_code == 302
    client.logout()
    sign_in(client, "lanhdao")
    assert client.post(VERIFY, {"token": codes[0]}).status_code == 400
    assert "_auth_user_id" not in client.session


def test_other_staff_may_turn_it_on_and_are_then_asked_for_it(client, clerk):
    client.force_login(clerk.user)
    assert client.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=clerk.user, confirmed=False)
    assert client.post(SETUP, {"token": code_for(device)}).status_code == 302
    client.logout()
    assert sign_in(client, "tiepnhan").url == VERIFY


def test_the_admin_login_page_hands_over_to_the_two_step_login(client):
    get_user_model().objects.create_superuser("sieu", "", PASSWORD)
    response = client.post(reverse("admin:login") + "?next=/admin/", {"username": "sieu", "password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    assert sign_in(client, "sieu", next_url="/admin/").url == SETUP


def test_agency_admins_are_required_too(client):
    OfficialFactory(roles=[Role.AGENCY_ADMIN], user__username="quantri", user__is_staff=True)
    assert sign_in(client, "quantri").url == SETUP
