"""Small text defects found walking through the portal, kept fixed."""
import re

import pytest

from dossiers import services
from dossiers.models import DossierEvent

from .conftest import EXTENSION_DUE, vn


def single_input(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    assert tag.count(" type=") == 1, tag
    return tag


def test_no_input_prints_its_type_twice(client, clerk, procedure):
    assert 'type="search"' in single_input(client.get("/thu-tuc/").content.decode(), "q")
    client.force_login(clerk.user)
    assert 'type="tel"' in single_input(client.get("/ho-so/tiep-nhan/", {"procedure": procedure.pk}).content.decode(),
                                        "applicant_phone")


def test_the_extension_event_has_one_full_stop(build_dossier, leader, clerk):
    dossier = build_dossier("in_progress")
    extension = services.request_extension(dossier_id=dossier.pk, actor=clerk.user, reason="Chờ xác minh thực địa.",
                                           proposed_due_at=EXTENSION_DUE, now=vn(2026, 3, 10, 9, 0))
    services.approve_extension(extension_id=extension.pk, actor=leader.user, now=vn(2026, 3, 10, 10, 0))
    note = DossierEvent.objects.get(dossier=dossier, kind=DossierEvent.Kind.EXTENSION_APPROVED).public_note
    assert ".." not in note and "Chờ xác minh thực địa. Hẹn trả mới" in note


@pytest.mark.parametrize("path", ["/kiosk/"])
def test_the_kiosk_has_a_favicon(client, db, path):
    assert 'rel="icon"' in client.get(path).content.decode()
