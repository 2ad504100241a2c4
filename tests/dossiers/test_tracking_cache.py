"""The tracking page served from the cache (dossiers/public_cache.py): rendered once per dossier state and
language, never stale after a service acts on the dossier or a deadline passes, with nobody's CSRF token or login
shared, and rendered as before when the cache does not answer."""
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings

from dossiers import services
from tests.dossiers.conftest import vn
from tests.security.test_redis_outage import UNREACHABLE_CACHE

pytestmark = pytest.mark.django_db

CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what a service registers for after its commit (the test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class Boom(Exception):
    pass


def raw(client, dossier, prefix="/t/"):
    response = client.get(f"{prefix}{dossier.tracking_token}/")
    assert response.status_code == 200
    return response.content.decode()


def get(client, dossier, prefix="/t/"):
    """The page without its CSRF tokens (masked afresh for every response, by design)."""
    return CSRF_VALUE.sub("", raw(client, dossier, prefix))


def test_second_view_costs_no_query(client, build_dossier, django_assert_num_queries):
    dossier = build_dossier("in_progress")
    first = get(client, dossier)
    with django_assert_num_queries(0):
        again = get(Client(), dossier)
    assert again == first


@pytest.mark.parametrize("prefix", ["/t/", "/kiosk/t/"])
def test_an_action_shows_at_once(client, build_dossier, specialist, leader, committed, prefix):
    dossier = build_dossier("in_progress")
    before = get(client, dossier, prefix)
    assert get(client, dossier, prefix) == before  # served from the cache
    with committed():
        services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, missing="Bản sao giấy chứng tử",
                                    reply_by=vn(2026, 3, 13, 0, 0).date(), now=vn(2026, 3, 9, 10, 0))
    after = get(client, dossier, prefix)
    assert "Bản sao giấy chứng tử" in after and "Bản sao giấy chứng tử" not in before
    with committed():
        services.stop(dossier_id=dossier.pk, actor=leader.user, reason="Có tranh chấp đất đai",
                      legal_ground="Điều 18 Nghị định 118/2025/NĐ-CP", now=vn(2026, 3, 9, 10, 30))
    assert "Có tranh chấp đất đai" in get(client, dossier, prefix)


def test_a_rolled_back_action_bumps_nothing_and_the_next_one_shows(client, build_dossier, leader, committed):
    dossier = build_dossier("in_progress")
    before = get(client, dossier)
    with committed() as callbacks, pytest.raises(Boom), transaction.atomic():
        services.withdraw(dossier_id=dossier.pk, actor=leader.user, reason="Rút rồi hoàn tác",
                          now=vn(2026, 3, 9, 10, 30))
        raise Boom
    assert callbacks == []
    assert get(client, dossier) == before
    with committed():
        services.withdraw(dossier_id=dossier.pk, actor=leader.user, reason="Công dân xin rút hồ sơ",
                          now=vn(2026, 3, 9, 10, 40))
    assert "Công dân xin rút hồ sơ" in get(client, dossier)


def test_every_visitor_gets_their_own_csrf_token_and_it_works(build_dossier, committed):
    dossier = build_dossier("received")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    tokens = {}
    for visitor in (first, second):
        values = set(CSRF_VALUE.findall(raw(visitor, dossier)))
        assert len(values) == 1  # the language switch and the opt-out form carry this visitor's token
        tokens[visitor] = values.pop()
    opt_out = f"/t/{dossier.tracking_token}/ngung-thong-bao/"
    # The second visitor's page (from the cache) did not carry the first visitor's token: it is refused…
    assert second.post(opt_out, {"csrfmiddlewaretoken": tokens[first]}).status_code == 403
    # …and their own goes through CSRF protection.
    with committed():
        response = second.post(opt_out, {"csrfmiddlewaretoken": tokens[second]})
    assert response.status_code == 302
    after = second.get(response["Location"]).content.decode()
    assert "Ông/bà sẽ không nhận thêm thông báo về hồ sơ này." in after  # the one-off message, uncached
    assert "Ngừng nhận thông báo" not in after
    assert "Ngừng nhận thông báo" not in get(first, dossier)  # and nobody else sees the offer any more


def test_each_language_has_its_own_page(build_dossier):
    dossier = build_dossier("in_progress")
    vietnamese = get(Client(), dossier)
    english = get(Client(HTTP_ACCEPT_LANGUAGE="en"), dossier)
    assert 'lang="en"' in english
    assert 'lang="vi"' in get(Client(), dossier) and 'lang="vi"' in vietnamese


def test_a_signed_in_official_is_never_cached_nor_shown_to_others(client, build_dossier, clerk):
    dossier = build_dossier("in_progress")
    client.force_login(clerk.user)
    staff_page = get(client, dossier)
    assert "Đăng xuất" in staff_page
    anonymous = get(Client(), dossier)
    assert "Đăng xuất" not in anonymous and "Đăng nhập" in anonymous


def test_the_overdue_flag_turns_on_when_the_deadline_passes(build_dossier):
    with time_machine.travel(vn(2026, 3, 9, 12, 0), tick=False):
        dossier = build_dossier("in_progress")
        assert "Đang xử lý, quá hạn" not in get(Client(), dossier)
        record = dossier.step_records.get(finished_at__isnull=True)
    with time_machine.travel(record.due_at, tick=False):
        assert "Đang xử lý, quá hạn" not in get(Client(), dossier)
    with time_machine.travel(record.due_at.timestamp() + 1, tick=False):
        assert "Đang xử lý, quá hạn" in get(Client(), dossier)
    with time_machine.travel(dossier.due_at.timestamp() + 1, tick=False):
        assert '<span class="badge badge-late">Quá hạn</span>' in get(Client(), dossier)


def test_a_cache_that_does_not_answer_renders_the_page(client, build_dossier, leader, committed):
    dossier = build_dossier("in_progress")
    with override_settings(CACHES=UNREACHABLE_CACHE):
        assert "Đang xử lý" in get(client, dossier)
        with committed():
            services.withdraw(dossier_id=dossier.pk, actor=leader.user, reason="Rút khi Redis ngừng",
                              now=vn(2026, 3, 9, 10, 40))
        assert "Rút khi Redis ngừng" in get(client, dossier)
