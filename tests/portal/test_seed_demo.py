"""`manage.py seed_demo`: idempotent, every role in every agency, logins that work, refused in production."""
import base64
import datetime
import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp

from dossiers.models import Dossier
from procedures import demo_data
from procedures.models import Agency, CalendarException, Official, Procedure, WorkingCalendar
from procedures.roles import GROUP_NAMES, Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def debug_on(settings):
    """The test runner turns DEBUG off; the demo is meant for a development machine."""
    settings.DEBUG = True
    # Twenty logins hashed twice per run: a fast hasher keeps the test about the seeding, not PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows of every table the demo touches, history tables included: a re-run must add none."""
    counted = {}
    for model in apps.get_models():
        if model._meta.app_label in {"procedures", "dossiers", "satisfaction", "auth"}:
            counted[model._meta.label] = model.objects.count()
    return counted


def test_seed_demo_twice_gives_the_same_data_and_working_logins(client):
    first_output = seed()
    first = row_counts()
    second_output = seed()
    assert row_counts() == first

    assert first["procedures.Agency"] == len(demo_data.AGENCIES) == 3
    assert first["procedures.Procedure"] >= 12
    assert first["procedures.Official"] == len(demo_data.OFFICIALS)
    for agency in Agency.objects.all():
        roles = set().union(*(official.roles for official in Official.objects.filter(agency=agency)))
        assert roles == set(Role.values), agency
        assert agency.departments.count() >= 4 and agency.address and agency.phone
    assert set(Group.objects.values_list("name", flat=True)) >= set(GROUP_NAMES.values())

    # Every procedure's steps add up to its legal limit and run reception → … → reception.
    for procedure in Procedure.objects.prefetch_related("steps", "required_documents", "agencies"):
        steps = list(procedure.steps.all())
        assert 3 <= len(steps) <= 5, procedure
        assert procedure.steps_error([step.duration for step in steps]) is None
        assert steps[0].role == steps[-1].role == Role.RECEPTION
        assert procedure.required_documents.exists() and procedure.agencies.exists() and procedure.legal_basis
    # Online submission (issue 16): a demo procedure of the ward accepts it, and the output shows where.
    online = Procedure.objects.get(code="1.004873")
    assert online.online_enabled and not Procedure.objects.get(code="1.000894").online_enabled
    assert "/nop-truc-tuyen/thu-tuc/1.004873/" in first_output
    birth = Procedure.objects.get(code="1.001193")
    assert birth.name == "Đăng ký khai sinh"
    assert Procedure.objects.get(code="1.000894").name == "Đăng ký kết hôn"
    assert Procedure.objects.get(code="2.000815").time_unit == "hours"

    # The 2026 civil-service swap, and the national holidays of this year and next.
    swap_off = CalendarException.objects.get(date=datetime.date(2026, 1, 2), agency=None)
    swap_work = CalendarException.objects.get(date=datetime.date(2026, 1, 10), agency=None)
    assert (swap_off.kind, swap_off.source) == (CalendarException.Kind.DAY_OFF, CalendarException.Source.ADMIN)
    assert swap_work.kind == CalendarException.Kind.WORKING_DAY
    today = datetime.date.today()
    for year in (today.year, today.year + 1):
        holidays = CalendarException.objects.filter(date__year=year, source=CalendarException.Source.HOLIDAYS)
        assert holidays.filter(date=datetime.date(year, 9, 2)).exists()
    # The precomputed working calendar (issue 20) covers every demo dossier, through next year.
    national = WorkingCalendar.objects.get(agency=None)
    earliest = Dossier.objects.earliest("received_at").received_at
    assert national.first <= timezone.localdate(earliest) and national.last == datetime.date(today.year + 1, 12, 31)

    # The printed table names every login with the shared password.
    for output in (first_output, second_output):
        for official in demo_data.OFFICIALS:
            assert official["username"] in output
        assert "admin" in output and demo_data.DEMO_PASSWORD in output

    # Logins work through the real login form (axes in front of the model backend); leaders and admins then give
    # a code from the key or a recovery code the seed printed.
    for username in ("tiepnhan", "lanhdao.so", "admin", "quantri"):
        client.logout()
        response = client.post(reverse("login"), {"username": username, "password": demo_data.DEMO_PASSWORD})
        assert response.status_code == 302, username
        user = get_user_model().objects.get(username=username)
        if username != "tiepnhan":
            assert response.url == reverse("two_factor_verify") and "_auth_user_id" not in client.session
            line = next(line for line in second_output.splitlines() if line.startswith(f"{username}: "))
            secret, *codes = line.split(": ", 1)[1].split()
            key = base64.b32decode(secret + "=" * (-len(secret) % 8))
            token = codes[0] if username == "quantri" else f"{totp(key):06d}"
            response = client.post(reverse("two_factor_verify"), {"token": token})
            assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(user.pk)
    assert get_user_model().objects.get(username="admin").is_superuser
    quantri = get_user_model().objects.get(username="quantri")
    assert quantri.is_staff and quantri.has_perm("procedures.change_procedure")
    assert not quantri.has_perm("procedures.delete_procedure")


def test_seed_demo_restores_a_changed_demo_password_and_force_runs_without_debug(settings):
    seed()
    user = get_user_model().objects.get(username="chuyenvien")
    user.set_password("khac-hoan-toan")
    user.save()
    settings.DEBUG = False
    seed("--force")
    user.refresh_from_db()
    assert user.check_password(demo_data.DEMO_PASSWORD)


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG đang tắt"):
        seed()
    assert not Agency.objects.exists()
    assert not get_user_model().objects.exists()


def test_demo_signs_receipts_and_its_audit_chains_verify(settings):
    """`make run` signs out of the box: the demo CA is trusted, each agency has a certificate, the chains hold."""
    from dossiers import pdf, selectors, verification
    from dossiers.models import AuditVerification, Dossier, PublishedChainHead

    seed()
    call_command("verify_audit", stdout=io.StringIO())
    assert AuditVerification.objects.filter(ok=False).count() == 0
    assert PublishedChainHead.objects.count() == Agency.objects.count()
    clerk = Official.objects.get(user__username="tiepnhan")
    dossier = Dossier.objects.filter(agency=clerk.agency, state="received").first()
    content = pdf.dossier_form_pdf(selectors.dossier_for_staff(clerk, dossier.pk), "01")
    [signature] = verification.check_pdf(content).signatures
    assert signature.ok and signature.signer == clerk.agency.name
