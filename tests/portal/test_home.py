"""The public home page: what the portal is and a way into the catalogue."""
import re

import pytest

from tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


def test_home_explains_the_portal_and_searches_the_catalogue(client):
    ProcedureFactory(name="Đăng ký khai sinh")
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Trang chủ | Một Cửa</title>" in html
    assert "giải quyết thủ tục hành chính một cửa" in html
    form = re.search(r'<form class="hero-search" action="([^"]+)" method="get" role="search">(.*?)</form>', html, re.S)
    assert form.group(1) == "/thu-tuc/"
    assert 'name="q"' in form.group(2) and '<label class="visually-hidden" for="home-q">' in form.group(2)

    # What the box submits lands on the matching procedure.
    results = client.get(form.group(1), {"q": "khai sinh"}).content.decode()
    assert ">Đăng ký khai sinh</a>" in results


def test_home_only_answers_safe_methods(client):
    assert client.post("/").status_code == 405
