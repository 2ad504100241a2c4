"""Nghị định 13/2023/NĐ-CP: every staff page, print or export that shows an applicant's personal data writes one
row to the access log (who, when, which dossier, what), and the agency admin reads their agency's rows only.

Every named URL of the portal is classified below as logged or not personal, so a new page cannot be added
without deciding (test_every_url_is_classified)."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, get_resolver, reverse

from dossiers import services
from dossiers.models import PersonalDataAccess
from procedures.roles import Role
from satisfaction import services as satisfaction_services
from satisfaction.models import Feedback
from tests.factories import AgencyFactory, OfficialFactory, ProcedureFactory, StaffUserFactory, applicant, documents_for

pytestmark = pytest.mark.django_db

# name -> how to build the request (see `request_for`)
LOGGED = {
    "dossiers:detail", "dossiers:act", "dossiers:worklist", "forms:receipt", "forms:form", "forms:guidance",
    "forms:register", "dashboards:register", "dashboards:register_export", "satisfaction:feedback_detail",
    "admin:dossiers_dossier_change", "online:inbox", "online:detail", "online:staff_file", "online:act",
}
NOT_PERSONAL = {
    # public pages: masked name at most, aggregates, the catalogue
    "portal:home", "portal:healthz", "portal:livez", "portal:readyz", "procedures:catalogue", "procedures:detail", "dashboards:public",
    "dashboards:public_export", "dashboards:agency", "dashboards:agency_export", "tracking:track",
    "tracking:lookup", "tracking:kiosk", "tracking:kiosk_track", "tracking:verify", "tracking:verify_form",
    "tracking:robots", "satisfaction:rate_dossier", "satisfaction:rate_official", "satisfaction:feedback_create",
    "satisfaction:feedback_status", "set_language",
    # sign-in pages
    "login", "logout", "password_change", "password_change_done", "password_reset", "password_reset_done",
    "password_reset_confirm", "password_reset_complete", "two_factor_verify", "two_factor_setup", "two_factor_codes",
    # staff pages with officials', procedures' or aggregate data only (codes, steps, ratings; no applicant)
    "dashboards:leader", "dashboards:leader_export", "forms:placard", "satisfaction:attention",
    "satisfaction:statistics", "satisfaction:scorecard", "satisfaction:feedback_list",
    # writes that redirect to a logged page (a POST shows nothing itself)
    "dossiers:receive", "dossiers:approve_extension", "satisfaction:handle_rating", "satisfaction:feedback_action",
    "dossiers:reject_extension", "tracking:opt_out",
    # public: a report's status by its code (no reporter data), a signed result copy's check, the audit chain heads
    "satisfaction:feedback_lookup", "tracking:verify_copy", "dashboards:chain_heads", "dashboards:agency_chain_heads",
    # a result document's stamp: agency, number, date, dossier code and QR, no applicant
    "forms:result_stamp",
    # parses what the clerk's scanner just typed from the citizen's card; shows nothing stored
    "dossiers:read_cccd",
    # the API's public reads (catalogue, masked tracking status, aggregates) and its schema and docs
    "api:schema", "api:docs", "api:procedures", "api:procedure", "api:tracking", "api:statistics",
    "api:agency_statistics",
    # the online applicant's own pages, by their secret token (masked name; their own files and forms)
    "online:start", "online:status", "online:confirm", "online:resend", "online:add_files", "online:delivery",
    "online:file", "online:form_pdf", "online:result",
    # the API's reception: answers the new dossier's code, tracking URL and appointment, nothing stored before
    "api:dossier_receive", "api:dossier_refuse_at_counter",
}
# The API's staff reads answer a token: each logs one row, as tests/api/test_api.py checks (list, detail, and every
# action answers the detail through the same logged read).
LOGGED_BY_TOKEN = {"api:dossiers", "api:dossier", *{f"api:dossier_{name}" for name in (
    "forward", "mark_processed", "return_result", "assign", "send_back", "request_supplement", "fulfil_supplement",
    "await_payment", "confirm_payment", "request_extension", "register_result", "reject", "withdraw", "stop",
    "approve_extension", "reject_extension")}}


def named_urls(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLPattern):
            if entry.name:
                yield f"{namespace}{entry.name}"
        else:
            yield from named_urls(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)


def test_every_url_is_classified():
    names = {name for name in named_urls()
             if not name.startswith("admin:") or name.startswith("admin:dossiers_dossier_")}
    # Other admin pages of the dossier: history and delete show no more than the logged change page's rows.
    names -= {"admin:dossiers_dossier_history", "admin:dossiers_dossier_delete", "admin:dossiers_dossier_add",
              "admin:dossiers_dossier_changelist", "admin:dossiers_dossier_simple_history"}
    assert names - LOGGED - NOT_PERSONAL - LOGGED_BY_TOKEN == set()
    assert (LOGGED | NOT_PERSONAL) - names - {"admin:dossiers_dossier_change"} <= set()


@pytest.fixture
def world(db):
    agency = AgencyFactory(code="000.00.26.H29")
    clerk = OfficialFactory(agency=agency, roles=[Role.RECEPTION])
    procedure = ProcedureFactory(agencies=[agency], steps=True, documents=1, time_limit=5)
    dossier = services.receive(
        actor=clerk.user, procedure_id=procedure.pk,
        applicant=applicant(email=""), documents=documents_for(procedure),
    )
    slip = services.give_guidance(actor=clerk.user, procedure_id=procedure.pk, applicant_name="Trần Thị Khách",
                                  missing="Tờ khai")
    feedback = satisfaction_services.create_feedback(data=satisfaction_services.FeedbackInput(
        subject=Feedback.Subject.REGULATION, content="Chờ lâu", agency_id=agency.pk, is_anonymous=False,
        reporter_name="Lê Phản Ánh", reporter_phone="0987654321"))
    leader = OfficialFactory(agency=agency, roles=[Role.LEADER])
    superuser = get_user_model().objects.create_superuser("sieu", "", "mot-mat-khau-rat-dai-2025")
    return {"agency": agency, "clerk": clerk, "leader": leader, "dossier": dossier, "slip": slip,
            "feedback": feedback, "superuser": superuser}


def request_for(name: str, world) -> tuple[str, str, dict, object]:
    """(method, url, data, user) of one request that shows personal data through `name`."""
    dossier, clerk = world["dossier"], world["clerk"].user
    return {
        "dossiers:detail": lambda: ("get", reverse(name, args=[dossier.pk]), {}, clerk),
        "dossiers:act": lambda: ("post", reverse(name, args=[dossier.pk, "request_supplement"]), {}, clerk),
        "dossiers:worklist": lambda: ("get", reverse(name), {}, clerk),
        "forms:receipt": lambda: ("get", reverse(name, args=[dossier.pk]), {}, clerk),
        "forms:form": lambda: ("get", reverse(name, args=[dossier.pk, "06"]), {}, clerk),
        "forms:guidance": lambda: ("get", reverse(name, args=[world["slip"].pk]), {}, clerk),
        "forms:register": lambda: ("get", reverse(name), {}, clerk),
        "dashboards:register": lambda: ("get", reverse(name), {}, clerk),
        "dashboards:register_export": lambda: ("get", reverse(name, kwargs={"fmt": "csv"}), {}, clerk),
        "satisfaction:feedback_detail": lambda: ("get", reverse(name, args=[world["feedback"].pk]), {},
                                         world["leader"].user),
        "admin:dossiers_dossier_change": lambda: ("get", reverse(name, args=[dossier.pk]), {}, world["superuser"]),
        "online:inbox": lambda: ("get", reverse(name), {}, clerk),
        "online:detail": lambda: ("get", reverse(name, args=[online_submission(world).pk]), {}, clerk),
        "online:act": lambda: ("post", reverse(name, args=[online_submission(world).pk, "return"]), {}, clerk),
        "online:staff_file": lambda: ("get", reverse(name, args=[online_submission(world).pk,
                                                                 online_submission(world).files.get().pk]), {}, clerk),
    }[name]()


def online_submission(world):
    """A confirmed online submission of the world's agency (built once per test)."""
    if "online" not in world:
        from online import services as online_services
        from online.files import check_upload
        from tests.online.conftest import last_code, pdf_bytes, upload

        procedure = world["dossier"].procedure
        procedure.online_enabled = True
        procedure.save()
        submission = online_services.start_submission(
            procedure_id=procedure.pk, agency_id=world["agency"].pk, contact_channel="email",
            applicant=online_services.ApplicantDetails(name="Lê Trực Tuyến", id_number="001203004568",
                                                       phone="0912345679", address="1 Lê Lợi", email="tt@example.vn"),
            uploads=[online_services.Upload(checked=check_upload(upload("a.pdf", pdf_bytes())),
                                            required_document_id=procedure.required_documents.first().pk)])
        world["online"] = online_services.confirm_contact(token=submission.tracking_token, code=last_code("tt@example.vn"))
    return world["online"]


@pytest.mark.parametrize("name", sorted(LOGGED))
def test_every_personal_data_view_writes_one_log_row(client, world, name):
    method, url, data, user = request_for(name, world)
    client.force_login(user)
    before = set(PersonalDataAccess.objects.values_list("pk", flat=True))
    response = getattr(client, method)(url, data)
    assert response.status_code in (200, 400), response.status_code
    rows = list(PersonalDataAccess.objects.exclude(pk__in=before))
    assert len(rows) == 1
    row = rows[0]
    assert row.user_id == user.pk and row.agency_id == world["agency"].pk and row.what
    if name in ("dossiers:detail", "dossiers:act", "forms:receipt", "forms:form", "admin:dossiers_dossier_change"):
        assert row.dossier_id == world["dossier"].pk
    if user != world["superuser"]:
        assert row.official.user_id == user.pk


def test_a_refused_look_writes_nothing(client, world):
    specialist = OfficialFactory(agency=world["agency"], roles=[Role.SPECIALIST])
    client.force_login(specialist.user)
    assert client.get(reverse("forms:receipt", args=[world["dossier"].pk])).status_code == 404
    assert not PersonalDataAccess.objects.filter(user=specialist.user).exists()


def test_the_agency_admin_reads_his_agencys_log_only(client, world):
    other = AgencyFactory(code="000.00.12.H29")
    OfficialFactory(agency=other, roles=[Role.LEADER])
    mine = services.record_access(user=world["clerk"].user, agency_id=world["agency"].pk, kind="page",
                                  what="Trang hồ sơ của phường", dossier_id=world["dossier"].pk)
    theirs = services.record_access(user=world["superuser"], agency_id=other.pk, kind="page", what="Hồ sơ của Sở")
    admin = OfficialFactory(agency=world["agency"], roles=[Role.AGENCY_ADMIN], user=StaffUserFactory())
    client.force_login(admin.user)
    listing = client.get(reverse("admin:dossiers_personaldataaccess_changelist"))
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [mine]
    assert client.get(reverse("admin:dossiers_personaldataaccess_change", args=[theirs.pk])).status_code == 302
    assert client.get(reverse("admin:dossiers_personaldataaccess_change", args=[mine.pk])).status_code == 200
    assert client.post(reverse("admin:dossiers_personaldataaccess_delete", args=[mine.pk]), {"post": "yes"}).status_code == 403
    assert PersonalDataAccess.objects.filter(pk=mine.pk).exists()
