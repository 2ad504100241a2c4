"""The audit chain in public and for leaders: daily published heads on /thong-ke/ and its JSON, and the last
`verify_audit` result on the leader dashboard."""
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from dossiers import tasks
from dossiers.models import AuditChainHead, DossierEvent
from tests.portal.dashboard_fixtures import *  # noqa: F403 - the `city` fixtures


def test_daily_task_publishes_each_head_on_the_page_and_in_json(client, city):
    assert tasks.publish_audit_chain_heads.delay().get() == 2  # both agencies have written events
    head = AuditChainHead.objects.get(agency=city.agency)
    html = client.get(reverse("dashboards:public")).content.decode()
    assert head.hash in html and city.agency.name in html
    agency_html = client.get(reverse("dashboards:agency", kwargs={"code": city.agency.code})).content.decode()
    assert head.hash in agency_html
    data = client.get(reverse("dashboards:chain_heads")).json()
    mine = [row for row in data["heads"] if row["agency_code"] == city.agency.code]
    assert mine == [{"agency_code": city.agency.code, "agency_name": city.agency.name,
                     "published_on": mine[0]["published_on"], "published_at": mine[0]["published_at"],
                     "entries": head.seq, "head_hash": head.hash}]
    one = client.get(reverse("dashboards:agency_chain_heads", kwargs={"code": city.agency.code})).json()
    assert [row["agency_code"] for row in one["heads"]] == [city.agency.code]


def test_leader_dashboard_shows_the_last_verification(client, city):
    client.force_login(city.leader.user)
    assert "Chưa kiểm tra lần nào" in client.get(reverse("dashboards:leader")).content.decode()
    assert tasks.verify_audit_chains.delay().get() == 0
    html = client.get(reverse("dashboards:leader")).content.decode()
    assert "Toàn vẹn" in html
    victim = DossierEvent.objects.filter(dossier__agency=city.agency).order_by("chain_seq")[1]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE dossiers_dossierevent SET at = at WHERE id = %s", [victim.pk])  # no-op: still intact
        cursor.execute("UPDATE dossiers_dossierevent SET public_note = 'sửa' WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match=f"Mục số {victim.chain_seq} đã bị sửa"):
        call_command("verify_audit", stdout=io.StringIO(), stderr=io.StringIO())
    html = client.get(reverse("dashboards:leader")).content.decode()
    assert "Bị can thiệp" in html and f"Mục số {victim.chain_seq} đã bị sửa" in html
