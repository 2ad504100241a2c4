"""Staff sign-in through Django's auth views with django-axes counting failures."""
import datetime

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


@pytest.fixture
def clerk():
    return UserFactory(username="tiepnhan")


def attempt(client, username, password, next_url="/"):
    return client.post(f"{LOGIN}?next={next_url}", {"username": username, "password": password, "next": next_url})


def test_login_page_renders_the_form(client):
    response = client.get(LOGIN + "?next=/thu-tuc/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in html and 'name="password"' in html and 'type="password"' in html
    assert 'name="next" value="/thu-tuc/"' in html
    assert "Tên đăng nhập" in html and "Mật khẩu" in html
    assert "Sau 5 lần nhập sai, tài khoản bị tạm khóa đăng nhập trong 15 phút." in html


def test_login_page_states_the_configured_lockout(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 1
    assert "Sau 3 lần nhập sai, tài khoản bị tạm khóa đăng nhập trong 60 phút." in client.get(LOGIN).content.decode()


def test_wrong_password_shows_a_vietnamese_error(client, clerk):
    response = attempt(client, "tiepnhan", "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_right_password_signs_in_and_follows_next(client, clerk):
    response = attempt(client, "tiepnhan", PASSWORD, next_url="/thu-tuc/")
    assert response.status_code == 302 and response.url == "/thu-tuc/"
    assert client.session["_auth_user_id"] == str(clerk.pk)


def test_an_offsite_next_is_ignored(client, clerk, settings):
    settings.LOGIN_REDIRECT_URL = "/"
    response = attempt(client, "tiepnhan", PASSWORD, next_url="https://evil.example/")
    assert response.status_code == 302 and response.url == "/"


def test_five_failures_lock_the_account_out_even_with_the_right_password(client, clerk):
    for _ in range(4):
        assert attempt(client, "tiepnhan", "sai-mat-khau").status_code == 200
    locked = attempt(client, "tiepnhan", "sai-mat-khau")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Tạm khóa đăng nhập" in html and "5 lần" in html and "15 phút" in html
    templates = [t.name for t in locked.templates]
    assert "registration/locked_out.html" in templates

    # Once locked, even the right password is refused and no session is opened.
    again = attempt(client, "tiepnhan", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(client, clerk):
    UserFactory(username="chuyenvien")
    for _ in range(5):
        attempt(client, "tiepnhan", "sai-mat-khau")
    assert attempt(client, "tiepnhan", PASSWORD).status_code == 429
    # Axes locks the username *and* address together: a colleague at the same machine (or behind the same office
    # NAT) still signs in, and so does the clerk from another machine.
    assert attempt(client, "chuyenvien", PASSWORD).status_code == 302
    client.logout()
    other_machine = client.post(LOGIN, {"username": "tiepnhan", "password": PASSWORD}, REMOTE_ADDR="10.0.0.99")
    assert other_machine.status_code == 302


def test_the_lockout_page_says_when_to_retry(client, clerk):
    from axes.models import AccessAttempt
    from django.utils import timezone

    for _ in range(5):
        attempt(client, "tiepnhan", "sai-mat-khau")
    last = AccessAttempt.objects.get(username="tiepnhan").attempt_time
    retry_at = timezone.localtime(last + datetime.timedelta(minutes=15))
    html = attempt(client, "tiepnhan", PASSWORD).content.decode()
    assert f"Đăng nhập lại được từ {retry_at:%H:%M} ngày {retry_at:%d/%m/%Y}." in html


def test_signed_in_user_visiting_login_is_sent_on(client, clerk):
    client.force_login(clerk)
    response = client.get(LOGIN + "?next=/thu-tuc/")
    assert response.status_code == 302 and response.url == "/thu-tuc/"


def test_logged_out_page_renders(client):
    # LOGOUT_REDIRECT_URL sends people home; the template still serves a logout with an explicit page.
    from django.template.loader import render_to_string

    html = render_to_string("registration/logged_out.html")
    assert "Bạn đã đăng xuất" in html
