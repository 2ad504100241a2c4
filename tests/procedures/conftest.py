"""Fixtures for the procedures app: agencies and the national holiday calendar."""
import io
import itertools

import pytest
from django.core.management import call_command

from procedures.models import Agency

_codes = itertools.count(1)


@pytest.fixture
def make_agency(db):
    """Create an agency with the default sessions (07:30–11:30, 13:00–17:00, cutoff 15:00); override any field."""

    def make(**fields) -> Agency:
        number = next(_codes)
        fields.setdefault("code", f"000.00.{number:02d}.H56")
        fields.setdefault("name", f"UBND xã thử nghiệm {number}")
        return Agency.objects.create(**fields)

    return make


@pytest.fixture
def agency(make_agency) -> Agency:
    return make_agency()


@pytest.fixture
def national_holidays(db):
    """The 2026 and 2027 national holidays from the `holidays` package, as `sync_holidays` loads them."""
    call_command("sync_holidays", "2026", "2027", stdout=io.StringIO())


@pytest.fixture
def calendar_agency(agency, national_holidays) -> Agency:
    """An agency with the default sessions and the 2026–2027 national holidays loaded."""
    return agency
