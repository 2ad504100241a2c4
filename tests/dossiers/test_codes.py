"""Dossier codes `<agency code>-<yymmdd>-<NNNN>` (Thông tư 01/2018/TT-VPCP Điều 19) and tracking tokens."""
import re

import pytest

from dossiers import codes, services
from dossiers.models import Dossier, DossierCodeCounter, DossierEvent
from procedures.roles import Role
from tests.factories import AgencyFactory, OfficialFactory

from .conftest import MONDAY_0900, applicant, documents_for, vn

pytestmark = pytest.mark.usefixtures("fast_passwords")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]+$")


def test_codes_follow_the_format_and_count_per_agency_and_day(receive, procedure):
    codes = [receive(now=vn(2026, 3, 9, 8 + i, 0)).code for i in range(3)]
    assert codes == ["000.00.06.H56-260309-0001", "000.00.06.H56-260309-0002", "000.00.06.H56-260309-0003"]
    for code in codes:
        assert re.fullmatch(r"000\.00\.06\.H56-\d{6}-\d{4}", code)
    assert DossierCodeCounter.objects.get(day="2026-03-09").last_value == 3


def test_sequence_resets_each_vietnamese_day(receive):
    late = receive(now=vn(2026, 3, 9, 23, 59))
    # 00:01 in Hà Nội is still 09/03 in UTC: the day of the code is the Vietnamese day.
    early = receive(now=vn(2026, 3, 10, 0, 1))
    after = receive(now=vn(2026, 3, 10, 9, 0))
    assert late.code == "000.00.06.H56-260309-0001"
    assert early.code == "000.00.06.H56-260310-0001"
    assert after.code == "000.00.06.H56-260310-0002"


def test_each_agency_has_its_own_sequence(receive, procedure):
    other = AgencyFactory(code="000.00.09.H56")
    procedure.agencies.add(other)
    other_clerk = OfficialFactory(agency=other, roles=[Role.RECEPTION])
    receive(now=MONDAY_0900)
    theirs = services.receive(actor=other_clerk.user, procedure_id=procedure.pk, applicant=applicant(),
                              documents=documents_for(procedure), now=MONDAY_0900)
    assert theirs.code == "000.00.09.H56-260309-0001"
    assert receive(now=MONDAY_0900).code == "000.00.06.H56-260309-0002"


def test_refusals_take_codes_from_the_same_sequence(receive, clerk, procedure):
    receive(now=MONDAY_0900)
    refused = services.refuse_at_counter(actor=clerk.user, procedure_id=procedure.pk, applicant=applicant(),
                                         reason="Thiếu giấy tờ", now=MONDAY_0900)
    assert refused.code.endswith("-260309-0002")
    assert receive(now=MONDAY_0900).code.endswith("-260309-0003")


def test_tokens_are_long_url_safe_random_and_unique(receive):
    dossiers = [receive(now=vn(2026, 3, 9, 8, minute)) for minute in range(20)]
    tokens = [Dossier.objects.get(pk=d.pk).tracking_token for d in dossiers]
    assert len(set(tokens)) == len(tokens)
    for dossier, token in zip(dossiers, tokens, strict=True):
        assert TOKEN_RE.fullmatch(token)
        assert len(token) * 6 >= 60  # each URL-safe base64 character carries 6 bits
        assert dossier.code not in token and token not in dossier.code
    many = {codes.new_token() for _ in range(5000)}
    assert len(many) == 5000
    assert all(TOKEN_RE.fullmatch(token) and len(token) == 12 for token in many)
    # Every position uses the whole alphabet: nothing fixed or sequential hides in the token.
    assert all(len({token[i] for token in many}) > 50 for i in range(11))


def test_a_code_taken_by_a_manual_edit_is_skipped(receive):
    first = receive(now=MONDAY_0900)
    # A manual edit took the next code; reception goes past it instead of failing on the unique index.
    Dossier.objects.filter(pk=first.pk).update(code="000.00.06.H56-260309-0002")
    second = receive(now=MONDAY_0900)
    assert second.code == "000.00.06.H56-260309-0003"
    assert Dossier.objects.count() == 2 and DossierEvent.objects.filter(dossier=second).exists()
    assert DossierCodeCounter.objects.get().last_value == 3
