"""The shared layout: header, navigation, login state, language switch, messages and caching of public pages."""
import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from tests.factories import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r'<a href="([^"]+)"', nav)


def test_anonymous_header_offers_login_and_public_links(client):
    html = client.get("/").content.decode()
    assert '<html lang="vi">' in html
    assert 'href="/static/css/site.css"' in html
    assert 'class="skip-link" href="#main"' in html and 'id="main"' in html
    assert "Một Cửa" in html and "Bộ phận Một cửa" in html
    assert nav_links(html) == ["/", "/thu-tuc/", "/tra-cuu/", "/thong-ke/", "/phan-anh/"]
    assert f'href="{reverse("login")}"' in html
    assert "Đăng xuất" not in html


def test_home_link_is_marked_current_on_home_only(client):
    assert 'href="/" aria-current="page"' in client.get("/").content.decode()
    catalogue = client.get("/thu-tuc/").content.decode()
    assert 'href="/" aria-current="page"' not in catalogue
    assert 'href="/thu-tuc/" aria-current="page"' in catalogue


def test_signed_in_user_sees_name_a_post_logout_form_and_the_dossier_link(client):
    user = UserFactory(first_name="Lan", last_name="Trần Thị")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert user.get_full_name() in html
    assert re.search(r'<form action="/accounts/logout/" method="post">\s*<input type="hidden" name="csrfmiddlewaretoken"', html)
    # Signed in: the worklist instead of the citizens' report form; leaders' links only for leaders.
    assert nav_links(html) == ["/", "/thu-tuc/", "/tra-cuu/", "/thong-ke/", "/ho-so/", "/nop-truc-tuyen/can-bo/"]


def test_admin_link_only_for_staff(client):
    client.force_login(UserFactory())
    assert "/admin/" not in nav_links(client.get("/").content.decode())
    client.force_login(StaffUserFactory())
    assert nav_links(client.get("/").content.decode())[-1] == "/admin/"


def test_logout_is_a_post_and_returns_home(client):
    client.force_login(UserFactory())
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == "/"
    assert "Đăng nhập" in client.get("/").content.decode()


def test_language_switch_is_a_plain_form_that_works_without_javascript(client):
    html = client.get("/thu-tuc/").content.decode()
    form = re.search(r'<form class="lang-switch" action="([^"]+)" method="post">(.*?)</form>', html, re.S)
    assert form.group(1) == "/i18n/setlang/"
    assert 'name="next" value="/thu-tuc/"' in form.group(2)
    assert re.findall(r'name="language" value="(\w+)"', form.group(2)) == ["vi", "en"]
    assert 'value="vi" lang="vi"' in form.group(2) and 'aria-pressed="true"' in form.group(2)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/thu-tuc/"})
    assert response.status_code == 302 and response.url == "/thu-tuc/"
    english = client.get("/thu-tuc/").content.decode()
    assert '<html lang="en">' in english
    assert re.search(r'value="en" lang="en"\s*title="English"\s*aria-pressed="true"', english)


def test_language_switch_rejects_a_forged_post(client):
    # set_language needs the CSRF token the form carries; a cross-site POST without it is refused.
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 403


def test_anonymous_public_page_is_cacheable_for_five_minutes(client):
    response = client.get("/")
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Cookie" in response["Vary"]


def test_signed_in_copy_of_a_public_page_stays_private(client):
    client.force_login(UserFactory())
    cache_control = client.get("/")["Cache-Control"]
    assert "private" in cache_control and "public" not in cache_control


def test_flash_messages_are_shown_and_that_page_is_not_cached(client):
    # A message left by a previous page (any view's messages.success), as the cookie storage carries it.
    client.cookies["messages"] = CookieStorage(HttpRequest())._encode([Message(constants.SUCCESS, "Đã lưu thành công.")])
    response = client.get("/")
    assert re.search(r'<ul class="messages" role="status">\s*<li class="success">Đã lưu thành công.</li>', response.content.decode())
    assert "no-store" in response["Cache-Control"]
    # The message was consumed: the next copy is cacheable again.
    assert client.get("/")["Cache-Control"] == "public, max-age=300"
