"""Access-control attacks from the issue-12 audit, replayed with real accounts through the Django test client.

Two agencies, four roles each. The agency administrator is an ordinary staff login with the agency-admin group
as the data migration sets it up (never a superuser), because that is the account the attack used.
"""
import datetime
from decimal import Decimal

import pytest
import tablib
from django.contrib.auth import get_user_model
from django.urls import reverse

from procedures.models import CalendarException, Department, Official, Procedure
from procedures.resources import ProcedureResource
from procedures.roles import Role
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    DepartmentFactory,
    OfficialFactory,
    ProcedureFactory,
    StaffUserFactory,
    UserFactory,
    applicant,
    documents_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward(db):
    return AgencyFactory(code="000.00.26.H29", name="UBND phường Thử Nghiệm")


@pytest.fixture
def justice(db):
    return AgencyFactory(code="000.00.12.H29", name="Sở Tư pháp Thử Nghiệm")


@pytest.fixture
def ward_admin(ward):
    return OfficialFactory(agency=ward, roles=[Role.AGENCY_ADMIN], user=StaffUserFactory(username="quantri"))


@pytest.fixture
def admin_browser(client, ward_admin):
    client.force_login(ward_admin.user)
    return client


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def official_post(official: Official, **overrides) -> dict:
    data = {
        "user": official.user_id, "agency": official.agency_id, "department": official.department_id or "",
        "title": official.title,
        "display_name": official.display_name, "is_active": "on", "roles": sorted(official.roles),
    }
    data.update(overrides)
    return data


# --- 1. the agency admin cannot reach another agency through /admin/ -------------------------------------------


def test_the_migration_gives_the_agency_admin_group_its_permissions(ward_admin):
    user = get_user_model().objects.get(pk=ward_admin.user_id)
    assert user.has_perm("procedures.change_official") and user.has_perm("procedures.add_procedure")
    assert not user.has_perm("procedures.delete_official") and not user.has_perm("auth.change_user")


def test_moving_himself_to_another_agency_fails(admin_browser, ward_admin, justice):
    response = admin_browser.post(change_url(ward_admin), official_post(ward_admin, agency=justice.pk))
    ward_admin.refresh_from_db()
    assert ward_admin.agency.code == "000.00.26.H29"
    assert response.status_code in (200, 302)
    # …and from the old home nothing of the other agency opens either.
    assert admin_browser.get(change_url(justice)).status_code == 302  # "does not exist" back to the index
    assert admin_browser.get(reverse("admin:procedures_agency_history", args=[justice.pk])).status_code == 403


def test_he_cannot_change_his_own_roles(admin_browser, ward_admin):
    admin_browser.post(change_url(ward_admin), official_post(ward_admin, roles=[Role.AGENCY_ADMIN, Role.LEADER]))
    ward_admin.refresh_from_db()
    ward_admin.__dict__.pop("_roles", None)
    assert ward_admin.roles == {Role.AGENCY_ADMIN}


def test_he_cannot_grant_the_agency_admin_role(admin_browser, ward):
    clerk = OfficialFactory(agency=ward, roles=[Role.RECEPTION])
    response = admin_browser.post(change_url(clerk), official_post(clerk, roles=[Role.AGENCY_ADMIN]))
    assert response.status_code == 200 and "roles" in response.context["adminform"].form.errors
    clerk.__dict__.pop("_roles", None)
    assert clerk.roles == {Role.RECEPTION}
    choices = [value for value, _label in response.context["adminform"].form.fields["roles"].choices]
    assert Role.AGENCY_ADMIN not in choices


def test_he_can_still_give_ordinary_roles_and_keeps_a_peer_admin_role(admin_browser, ward):
    peer = OfficialFactory(agency=ward, roles=[Role.AGENCY_ADMIN])
    response = admin_browser.post(change_url(peer), official_post(peer, roles=[Role.LEADER]))
    assert response.status_code == 302
    peer.__dict__.pop("_roles", None)
    assert peer.roles == {Role.AGENCY_ADMIN, Role.LEADER}  # granted leader, could not remove the admin role


def test_he_cannot_edit_or_read_another_agencys_official(admin_browser, justice):
    other = OfficialFactory(agency=justice, roles=[Role.LEADER], display_name="Cán bộ Sở")
    assert admin_browser.get(change_url(other)).status_code == 302
    admin_browser.post(change_url(other), official_post(other, display_name="Đã bị sửa"))
    other.refresh_from_db()
    assert other.display_name == "Cán bộ Sở"
    assert admin_browser.get(reverse("admin:procedures_official_history", args=[other.pk])).status_code == 403
    listing = admin_browser.get(reverse("admin:procedures_official_changelist")).content.decode()
    assert "Cán bộ Sở" not in listing


def test_he_cannot_create_an_official_in_another_agency(admin_browser, justice):
    response = admin_browser.post(reverse("admin:procedures_official_add"), {
        "new_username": "gian.diep", "new_password": "mot-mat-khau-rat-dai-2025", "agency": justice.pk,
        "display_name": "Gián điệp", "is_active": "on", "roles": [Role.LEADER],
    })
    assert response.status_code == 200 and "agency" in response.context["adminform"].form.errors
    assert not Official.objects.filter(display_name="Gián điệp").exists()


def test_he_cannot_attach_an_existing_login(admin_browser, ward):
    boss = get_user_model().objects.create_superuser("sieu.quan.tri", "", "mot-mat-khau-rat-dai-2025")
    response = admin_browser.post(reverse("admin:procedures_official_add"), {
        "user": boss.pk, "new_username": "moi.tao", "new_password": "mot-mat-khau-rat-dai-2025",
        "agency": ward.pk, "display_name": "Mới", "is_active": "on", "roles": [Role.RECEPTION],
    })
    assert response.status_code == 302
    created = Official.objects.get(display_name="Mới")
    assert created.user.username == "moi.tao" and not created.user.is_staff and not created.user.is_superuser
    assert not Official.objects.filter(user=boss).exists()


def test_departments_and_calendar_choices_are_his_agency_only(admin_browser, ward, justice):
    DepartmentFactory(agency=justice, name="Phòng của Sở")
    response = admin_browser.post(reverse("admin:procedures_department_add"), {"agency": justice.pk, "name": "Cài"})
    assert response.status_code == 200 and not Department.objects.filter(name="Cài").exists()
    assert "Phòng của Sở" not in admin_browser.get(reverse("admin:procedures_department_changelist")).content.decode()

    day = datetime.date(2026, 6, 1)
    # Neither another agency's day nor a national one: both move other agencies' deadlines.
    for agency in (justice.pk, ""):
        admin_browser.post(reverse("admin:procedures_calendarexception_add"), {
            "date": "01/06/2026", "kind": "off", "part": "whole", "name": "Nghỉ lạ", "agency": agency})
    assert not CalendarException.objects.filter(date=day).exists()
    national = CalendarException.objects.create(date=datetime.date(2026, 9, 2), kind="off", name="Quốc khánh")
    admin_browser.post(change_url(national), {"date": "02/09/2026", "kind": "work", "part": "whole",
                                              "name": "Đi làm", "agency": ward.pk})
    national.refresh_from_db()
    assert national.kind == "off" and national.agency_id is None
    created = admin_browser.post(reverse("admin:procedures_calendarexception_add"), {
        "date": "01/06/2026", "kind": "off", "part": "whole", "name": "Nghỉ của phường", "agency": ward.pk})
    assert created.status_code == 302 and CalendarException.objects.get(date=day).agency_id == ward.pk


def test_only_his_agency_is_listed_and_editable(admin_browser, ward, justice):
    listing = admin_browser.get(reverse("admin:procedures_agency_changelist")).content.decode()
    assert ward.name in listing and justice.name not in listing
    assert admin_browser.get(reverse("admin:procedures_agency_add")).status_code == 403
    page = admin_browser.get(change_url(ward))
    assert page.status_code == 200
    assert {"code", "parent", "level"} <= set(page.context["adminform"].readonly_fields)


def test_procedures_of_other_agencies_and_shared_ones_are_not_his_to_change(admin_browser, ward, justice):
    own = ProcedureFactory(agencies=[ward], steps=True, name="Của phường")
    shared = ProcedureFactory(agencies=[ward, justice], steps=True, name="Dùng chung")
    foreign = ProcedureFactory(agencies=[justice], steps=True, name="Của Sở")
    listing = admin_browser.get(reverse("admin:procedures_procedure_changelist")).content.decode()
    assert "Của phường" in listing and "Dùng chung" in listing and "Của Sở" not in listing
    assert admin_browser.get(change_url(foreign)).status_code == 302
    assert admin_browser.post(change_url(shared), {"name": "Sửa"}).status_code == 403
    step = shared.steps.first()
    assert admin_browser.post(change_url(step), {"name": "Sửa"}).status_code == 403
    assert admin_browser.get(change_url(own)).status_code == 200
    steps = admin_browser.get(reverse("admin:procedures_procedurestep_changelist")).context["cl"].result_list
    assert {s.procedure_id for s in steps} == {own.pk, shared.pk}


def test_no_revert_through_the_history_page_of_what_he_may_only_view(admin_browser, ward, justice, client):
    shared = ProcedureFactory(agencies=[ward, justice], steps=True, name="Dùng chung")
    old = shared.history.earliest()
    shared.name = "Tên mới"
    shared.save()
    url = reverse("admin:procedures_procedure_simple_history", args=[shared.pk, old.history_id])
    assert admin_browser.get(url).status_code == 200  # he may read the old version…
    assert admin_browser.post(url, {"name": "Dùng chung", "code": shared.code}).status_code == 403  # …not revert
    shared.refresh_from_db()
    assert shared.name == "Tên mới"


def test_nobody_reverts_a_dossier_through_its_history_page(admin_client, cast, received):
    url = reverse("admin:dossiers_dossier_simple_history", args=[received.pk, received.history.earliest().history_id])
    assert admin_client.post(url, {"applicant_name": "Đổi tên"}).status_code == 403
    received.refresh_from_db()
    assert received.applicant_name == "Nguyễn Văn Bí Mật"


def test_a_procedure_he_adds_belongs_to_his_agency(admin_browser, ward, justice):
    field = ProcedureFactory(agencies=[ward]).field
    response = admin_browser.post(reverse("admin:procedures_procedure_add"), {
        "code": "8.000009", "name": "Thủ tục mới", "field": field.pk, "level": "commune", "is_active": "on",
        "agencies": [justice.pk], "time_limit": "1", "time_unit": "days", "fee": "0",
        "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "1", "steps-MAX_NUM_FORMS": "1000",
        "steps-0-order": "1", "steps-0-name": "Giải quyết", "steps-0-role": "specialist", "steps-0-duration": "1",
        "required_documents-TOTAL_FORMS": "0", "required_documents-INITIAL_FORMS": "0",
        "required_documents-MIN_NUM_FORMS": "0", "required_documents-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302
    assert list(Procedure.objects.get(code="8.000009").agencies.all()) == [ward]


def import_rows(agency_codes: str, code: str = "8.000010"):
    dataset = tablib.Dataset(headers=["code", "name", "field", "level", "time_limit", "time_unit", "fee",
                                      "is_active", "agencies", "steps", "documents"])
    dataset.append([code, "Thủ tục nhập", "LV-NHAP", "commune", "1", "days", "0", "1", agency_codes,
                    "1|Giải quyết|specialist|1", ""])
    return dataset


def test_catalogue_import_rows_are_scoped(ward, justice):
    from tests.factories import FieldFactory

    FieldFactory(code="LV-NHAP")
    foreign = ProcedureFactory(agencies=[justice], code="8.000011", steps=True, time_limit=Decimal(1))
    for dataset in (import_rows(justice.code), import_rows(f"{ward.code}, {justice.code}"),
                    import_rows(ward.code, code=foreign.code)):
        result = ProcedureResource(agency_id=ward.pk).import_data(dataset, dry_run=False)
        assert result.has_validation_errors()
    assert not Procedure.objects.filter(code="8.000010").exists()
    assert list(foreign.agencies.all()) == [justice] and foreign.name != "Thủ tục nhập"

    result = ProcedureResource(agency_id=ward.pk).import_data(import_rows(ward.code), dry_run=False)
    assert not result.has_validation_errors()
    assert list(Procedure.objects.get(code="8.000010").agencies.all()) == [ward]


def test_admin_import_passes_the_agency_to_the_rows(admin_browser, justice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import FieldFactory

    FieldFactory(code="LV-NHAP")
    upload = SimpleUploadedFile("nhap.csv", import_rows(justice.code).export("csv").encode(), content_type="text/csv")
    response = admin_browser.post(reverse("admin:procedures_procedure_import"),
                                  {"resource": "0", "format": "0", "import_file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and "000.00.26.H29" in page
    assert 'name="import_file_name"' not in page  # no confirm button


def test_the_superuser_is_not_scoped(admin_client, ward, justice):
    other = OfficialFactory(agency=justice, roles=[Role.LEADER])
    page = admin_client.get(change_url(other))
    assert page.status_code == 200
    assert Role.AGENCY_ADMIN in [value for value, _label in page.context["adminform"].form.fields["roles"].choices]
    listing = admin_client.get(reverse("admin:procedures_agency_changelist")).content.decode()
    assert ward.name in listing and justice.name in listing


# --- 3. one visibility rule for every URL that shows a dossier, in any format ---------------------------------

# Every URL pattern with a parameter is listed here by what the parameter names, so a new URL that takes a
# dossier id cannot be added without this walk covering it (test_every_parametrised_url_is_classified).
DOSSIER_URLS = {
    # name: extra kwargs besides the dossier id (its parameter name comes from the pattern)
    "dossiers:detail": {},
    "dossiers:act": {"action": "request_supplement"},  # posted empty: invalid, so the dossier stays put
    "forms:receipt": {},
    **{f"forms:form#{number}": {"number": number} for number in ("01", "02", "03", "04", "05", "06")},
    "admin:dossiers_dossier_change": {},
    "admin:dossiers_dossier_history": {},
    "admin:dossiers_dossier_delete": {},
    "admin:dossiers_dossier_simple_history": {"version_id": None},
}
# The API's dossier URLs answer a token, not a session: walked per role and agency in tests/api/test_api.py
# (test_a_token_of_one_agency_never_reads_or_changes_anothers_dossier, test_a_specialist_token_sees_only_…).
API_DOSSIER_URLS = {"api:dossier", *{f"api:dossier_{name}" for name in (
    "forward", "mark_processed", "return_result", "assign", "send_back", "request_supplement", "fulfil_supplement",
    "await_payment", "confirm_payment", "request_extension", "register_result", "reject", "withdraw", "stop",
    "approve_extension", "reject_extension")}}
OTHER_PARAMETER_URLS = {
    # the API's public reads: a procedure code, a tracking token, an agency code; its schema and docs
    "api:procedure", "api:tracking", "api:agency_statistics",
    # public pages keyed by a secret token (the token is the citizen's credential, never a staff id)
    "tracking:track", "tracking:kiosk_track", "tracking:verify", "satisfaction:rate_dossier",
    "satisfaction:feedback_status",
    # not a dossier: an official, a guidance slip (walked below), an extension, a rating, a feedback, a procedure,
    # an agency's public statistics
    "satisfaction:rate_official", "forms:placard", "forms:guidance", "dossiers:approve_extension",
    "satisfaction:handle_rating", "satisfaction:feedback_detail", "satisfaction:feedback_action",
    "procedures:detail", "dashboards:public_export", "dashboards:leader_export", "dashboards:register_export",
    "dashboards:agency", "dashboards:agency_export", "set_language",
    "password_reset_confirm",
    # an extension (as its approval); a result document's stamp (read through visible_dossiers); the public
    # token pages of notifications and of a result's signed copy; an agency's published audit chain heads
    "dossiers:reject_extension", "forms:result_stamp", "tracking:opt_out", "tracking:verify_copy",
    "dashboards:agency_chain_heads",
    # the online channel: the citizen's pages keyed by the submission's secret token; the clerk's pages keyed by a
    # submission id, read through online.selectors.visible_submissions (walked in tests/online/test_views.py)
    "online:start", "online:status", "online:confirm", "online:resend", "online:add_files", "online:delivery",
    "online:file", "online:form_pdf", "online:result", "online:detail", "online:staff_file", "online:act",
}


def parametrised_urls(resolver=None, namespace=""):
    from django.urls import URLPattern, get_resolver

    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLPattern):
            regex = entry.pattern.regex
            if regex.groups and entry.name:
                # Named parameters by name; unnamed regex groups (simple-history's version page) by position.
                yield f"{namespace}{entry.name}", list(regex.groupindex) or [f"#{i}" for i in range(regex.groups)]
        else:
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from parametrised_urls(entry, inner)


def test_every_parametrised_url_is_classified():
    dossier_names = {name.split("#")[0] for name in DOSSIER_URLS}
    unknown = sorted(
        name for name, _params in parametrised_urls()
        if name not in dossier_names and name not in OTHER_PARAMETER_URLS and name not in API_DOSSIER_URLS
        # Admin pages of models other than the dossier: scoped by their admins (tests above), not dossier ids.
        and not (name.startswith("admin:") and not name.startswith("admin:dossiers_dossier_"))
    )
    assert unknown == [], f"classify these URLs in DOSSIER_URLS or OTHER_PARAMETER_URLS: {unknown}"
    missing = dossier_names - {name for name, _params in parametrised_urls()}
    assert missing == set(), f"URLs in DOSSIER_URLS that no longer exist: {missing}"


@pytest.fixture
def cast(ward, justice, ward_admin):
    """One account per role (and the agency admin of another agency); the admin pages also for a superuser."""
    return {
        "clerk": OfficialFactory(agency=ward, roles=[Role.RECEPTION]).user,
        "specialist": OfficialFactory(agency=ward, roles=[Role.SPECIALIST]).user,
        "leader": OfficialFactory(agency=ward, roles=[Role.LEADER]).user,
        "agency_admin": ward_admin.user,
        "other_agency_admin": OfficialFactory(agency=justice, roles=[Role.AGENCY_ADMIN],
                                              user=StaffUserFactory()).user,
        "anonymous": None,
        "superuser": get_user_model().objects.create_superuser("sieu", "", "mot-mat-khau-rat-dai-2025"),
    }


@pytest.fixture
def received(ward, cast):
    from dossiers import services

    procedure = ProcedureFactory(agencies=[ward], steps=True, documents=1, time_limit=5)
    return services.receive(
        actor=cast["clerk"], procedure_id=procedure.pk,
        applicant=applicant(name="Nguyễn Văn Bí Mật", email=""), documents=documents_for(procedure),
    )


# Who may see a dossier just received at the ward's counter (current step: reception, held by the clerk).
STAFF_PAGE_OUTCOME = {"clerk": "allowed", "specialist": "denied", "leader": "allowed", "agency_admin": "allowed",
                      "other_agency_admin": "denied", "anonymous": "login", "superuser": "denied"}
ADMIN_PAGE_OUTCOME = {"clerk": "login", "specialist": "login", "leader": "login", "agency_admin": "denied",
                      "other_agency_admin": "denied", "anonymous": "login", "superuser": "allowed"}


def outcome(response) -> str:
    location = response.get("Location", "")
    if response.status_code == 302 and ("/accounts/login/" in location or "/admin/login/" in location):
        return "login"
    if response.status_code in (200, 400) or (response.status_code == 302 and location):
        return "allowed"
    templates = {t.name for t in response.templates or []}
    if response.status_code == 404 and "dossiers/forms/unavailable.html" in templates:
        return "allowed"  # the dossier opened; that form just does not apply to its state
    if response.status_code in (403, 404):
        return "denied"
    raise AssertionError(f"unexpected {response.status_code}")


def dossier_url(name: str, dossier, extra: dict) -> str:
    from django.urls import reverse as url_for

    base = name.split("#")[0]
    params = dict(parametrised_urls())[base]
    if "version_id" in extra:  # positional: the dossier, then one of its history versions
        return url_for(base, args=[dossier.pk, dossier.history.first().history_id])
    key = "object_id" if "object_id" in params else "pk"
    return url_for(base, kwargs={key: dossier.pk, **extra})


@pytest.mark.parametrize("name", sorted(DOSSIER_URLS))
def test_every_dossier_url_for_every_role(client, cast, received, name):
    url = dossier_url(name, received, DOSSIER_URLS[name])
    expected = ADMIN_PAGE_OUTCOME if name.startswith("admin:") else STAFF_PAGE_OUTCOME
    seen = {}
    for role, user in cast.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        # The dossier page's actions are POSTs; everything else is read with GET.
        response = client.post(url, {}) if name == "dossiers:act" else client.get(url)
        seen[role] = outcome(response)
        if seen[role] != "allowed":
            assert b"B\xc3\xad M\xe1\xba\xadt" not in response.content  # "Bí Mật": no applicant data leaks
    if name.startswith("admin:dossiers_dossier_delete"):
        expected = {**expected, "superuser": "denied"}  # nobody deletes a dossier
    if name == "dossiers:act":
        expected = {**expected, "superuser": "denied"}  # an action is an official's, with their role
    assert seen == expected


def test_a_specialist_sees_the_dossier_once_it_is_his(client, cast, received):
    from dossiers import services
    from procedures.models import Official as OfficialModel

    specialist = OfficialModel.objects.get(user=cast["specialist"])
    services.forward(dossier_id=received.pk, actor=cast["clerk"], assignee_id=specialist.pk)
    client.force_login(cast["specialist"])
    for name in ("dossiers:detail", "forms:receipt", "forms:form#06"):
        assert outcome(client.get(dossier_url(name, received, DOSSIER_URLS[name]))) == "allowed"


def test_the_register_pdf_is_for_the_register_roles_only(client, cast):
    url = reverse("forms:register")
    expected = {"clerk": 200, "specialist": 403, "leader": 200, "agency_admin": 200}
    for role, status in expected.items():
        client.force_login(cast[role])
        assert client.get(url).status_code == status, role
        # The register page and its export answer the same.
        assert client.get(reverse("dashboards:register")).status_code == status, role


def test_a_guidance_slip_is_for_the_counter_roles(client, cast, ward):
    from dossiers import services

    procedure = ProcedureFactory(agencies=[ward], steps=True, documents=1, time_limit=5)
    slip = services.give_guidance(actor=cast["clerk"], procedure_id=procedure.pk,
                                  applicant_name="Trần Thị Khách", missing="Tờ khai")
    url = reverse("forms:guidance", args=[slip.pk])
    expected = {"clerk": "allowed", "specialist": "denied", "leader": "allowed", "agency_admin": "allowed",
                "other_agency_admin": "denied", "anonymous": "login"}
    for role, want in expected.items():
        client.logout()
        if cast[role] is not None:
            client.force_login(cast[role])
        assert outcome(client.get(url)) == want, role


# --- 4. a login lockout locks one username at one client, not the whole office ------------------------------

LOGIN = "/accounts/login/"


def test_behind_the_proxy_clients_are_told_apart_by_the_trusted_forwarded_address(client, settings):
    settings.RATELIMIT_TRUSTED_PROXIES = 1
    UserFactory(username="tiepnhan")

    def through_proxy(username, password, client_ip):
        # Every request reaches the app from the proxy's address; the proxy appends the real client.
        return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="10.0.0.1",
                           HTTP_X_FORWARDED_FOR=f"1.2.3.4, {client_ip}")

    for _ in range(5):
        through_proxy("tiepnhan", "sai-mat-khau", "203.0.113.7")
    assert through_proxy("tiepnhan", PASSWORD, "203.0.113.7").status_code == 429
    # Same proxy, another office PC: not locked, whatever the spoofable left part of the header says.
    assert through_proxy("tiepnhan", PASSWORD, "203.0.113.8").status_code == 302


# --- 12. a leader's stolen password alone opens no session ----------------------------------------------------


@pytest.mark.parametrize("login_url", ["/accounts/login/", "/admin/login/?next=/admin/"])
def test_a_stolen_leader_password_alone_opens_no_session(client, ward, login_url):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    leader = OfficialFactory(agency=ward, roles=[Role.LEADER], user=StaffUserFactory(username="lanhdao"))
    TOTPDevice.objects.create(user=leader.user, name="authenticator", confirmed=True)
    response = client.post(login_url, {"username": "lanhdao", "password": PASSWORD}, follow=True)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dossiers:worklist")).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 302
    assert response.status_code == 200
