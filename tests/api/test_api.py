"""The API through the Django test client: public reads, staff reads and actions by token, one error shape."""
import pytest
from django.urls import reverse

from api.models import ApiToken
from dossiers.models import Dossier, PersonalDataAccess, State

from .conftest import bearer

pytestmark = pytest.mark.django_db


def test_catalogue_lists_and_shows_a_procedure_with_steps_and_documents(client, procedure):
    listing = client.get(reverse("api:procedures"), {"q": procedure.name.split()[0]}).json()
    assert procedure.code in [row["code"] for row in listing["results"]]
    detail = client.get(reverse("api:procedure", args=[procedure.code])).json()
    assert [step["order"] for step in detail["steps"]] == sorted(step["order"] for step in detail["steps"])
    assert len(detail["required_documents"]) == 2 and {a["code"] for a in detail["agencies"]} == {
        "000.00.26.H29", "000.00.12.H29"}


def test_tracking_shows_what_the_page_shows_and_no_personal_data(client, received):
    response = client.get(reverse("api:tracking", args=[received.tracking_token]))
    assert response.status_code == 200
    data = response.json()
    assert data["code"] == received.code and data["state"] == "received"
    assert data["applicant"] == "Nguyễn V. A."
    text = response.content.decode()
    for secret in ("Nguyễn Văn An", "001203004567", "0912345678", "Hàng Bạc", "an@example.vn"):
        assert secret not in text
    page = client.get(reverse("tracking:track", args=[received.tracking_token])).content.decode()
    assert data["applicant"] in page and data["explanation"] in page


def test_unknown_token_is_the_one_error_shape_in_both_languages(client):
    response = client.get(reverse("api:tracking", args=["khongtontai12"]))
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Không tìm thấy hồ sơ."}
    english = client.get(reverse("api:tracking", args=["khongtontai12"]), HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["code"] == "not_found" and english.json()["message"]


def test_statistics_for_all_and_one_agency_and_a_period(client, received, ward):
    everything = client.get(reverse("api:statistics")).json()
    assert everything["figures"]["received"] == 1 and everything["agency"] is None
    mine = client.get(reverse("api:agency_statistics", args=[ward.code]),
                      {"first_day": "2020-01-01", "last_day": "2021-12-31"}).json()
    assert mine["agency"]["code"] == ward.code and mine["figures"]["received"] == 0
    bad = client.get(reverse("api:statistics"), {"first_day": "2026-05-01", "last_day": "2026-01-01"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert client.get(reverse("api:agency_statistics", args=["khong-co"])).status_code == 404


def test_staff_list_and_detail_are_logged_and_scoped(client, tokens, received, theirs):
    listing = client.get(reverse("api:dossiers"), **bearer(tokens["clerk"]))
    assert listing.status_code == 200
    assert [row["code"] for row in listing.json()["results"]] == [received.code]
    assert PersonalDataAccess.objects.filter(kind="list").count() == 1
    detail = client.get(reverse("api:dossier", args=[received.pk]), **bearer(tokens["clerk"])).json()
    assert detail["applicant_phone"] == "0912345678" and "forward" in detail["available_actions"]
    assert PersonalDataAccess.objects.filter(kind="page", dossier_id=received.pk).count() == 1


def test_a_token_of_one_agency_never_reads_or_changes_anothers_dossier(client, tokens, received, theirs):
    for url in (reverse("api:dossier", args=[theirs.pk]),):
        response = client.get(url, **bearer(tokens["clerk"]))
        assert response.status_code == 404 and "Bí Mật" not in response.content.decode()
    for action, body in (("withdraw", {"reason": "Cài", "confirm": True}), ("forward", {}),
                         ("stop", {"reason": "x", "legal_ground": "y", "confirm": True})):
        response = client.post(reverse(f"api:dossier_{action}", args=[theirs.pk]), body,
                               content_type="application/json", **bearer(tokens["leader"]))
        assert response.status_code == 404, action
    assert Dossier.objects.get(pk=theirs.pk).state == State.RECEIVED


def test_actions_go_through_the_pages_form_and_service(client, tokens, cast, received):
    url = reverse("api:dossier_forward", args=[received.pk])
    response = client.post(url, {"assignee": cast["specialist"].pk}, content_type="application/json",
                           **bearer(tokens["clerk"]))
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "in_progress" and response.json()["current_assignee"]
    # The clerk no longer holds the step: the service's permission check answers, in the one shape.
    again = client.post(url, {}, content_type="application/json", **bearer(tokens["clerk"]))
    assert again.status_code == 403 and again.json()["code"] == "permission_denied"
    # Missing input: the form's own message, per field.
    bad = client.post(reverse("api:dossier_withdraw", args=[received.pk]), {"confirm": True},
                      content_type="application/json", **bearer(tokens["clerk"]))
    assert bad.status_code == 400 and bad.json()["fields"]["reason"] == ["Nhập lý do rút hồ sơ."]
    # A refused transition is 409.
    client.post(reverse("api:dossier_withdraw", args=[received.pk]), {"reason": "Xin rút", "confirm": True},
                content_type="application/json", **bearer(tokens["clerk"]))
    ended = client.post(reverse("api:dossier_withdraw", args=[received.pk]), {"reason": "Lần nữa", "confirm": True},
                        content_type="application/json", **bearer(tokens["clerk"]))
    assert ended.status_code == 409 and ended.json()["code"] == "action_refused"
    assert Dossier.objects.get(pk=received.pk).state == State.WITHDRAWN


def test_a_specialist_token_sees_only_what_the_pages_let_him_see(client, tokens, received):
    assert client.get(reverse("api:dossier", args=[received.pk]), **bearer(tokens["specialist"])).status_code == 404
    assert client.get(reverse("api:dossiers"), **bearer(tokens["specialist"])).json()["results"] == []


def test_revoked_unknown_and_missing_tokens_are_refused(client, tokens, cast, received):
    url = reverse("api:dossier", args=[received.pk])
    assert client.get(url).status_code == 401
    assert client.get(url, **bearer("mc_sai")).status_code == 401
    ApiToken.objects.filter(owner=cast["clerk"]).update(revoked_at="2026-01-01T00:00:00Z")
    response = client.get(url, **bearer(tokens["clerk"]))
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_last_use_is_recorded(client, tokens, cast):
    client.get(reverse("api:dossiers"), **bearer(tokens["clerk"]))
    assert ApiToken.objects.get(owner=cast["clerk"]).last_used_at is not None


def test_throttling_per_token_and_per_address(client, tokens, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anonymous": "3/min",
                                                                                      "token": "2/min"}}
    statuses = [client.get(reverse("api:statistics"), REMOTE_ADDR="203.0.113.9").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get(reverse("api:statistics"), REMOTE_ADDR="203.0.113.10").status_code == 200
    mine = [client.get(reverse("api:dossiers"), **bearer(tokens["clerk"])).status_code for _ in range(3)]
    assert mine == [200, 200, 429]
    throttled = client.get(reverse("api:dossiers"), **bearer(tokens["clerk"]))
    assert throttled.json()["code"] == "throttled" and "Retry-After" in throttled
    # Another token is counted on its own.
    assert client.get(reverse("api:dossiers"), **bearer(tokens["leader"])).status_code == 200


def test_schema_and_docs_are_served_from_our_own_files_under_the_csp(client):
    schema = client.get(reverse("api:schema"))
    assert schema.status_code == 200 and b"/api/v1/dossiers/{id}/withdraw/" in schema.content
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "<script>" not in html and "https://" not in html and "/static/drf_spectacular_sidecar/" in html
    policy = docs["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    script = client.get(reverse("api:docs") + "?script")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
