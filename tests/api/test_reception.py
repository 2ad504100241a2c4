"""Reception at the counter through the API: the reception page's forms, role check and services; invalid input,
a wrong role or another agency's procedure write nothing."""
import pytest
from django.urls import reverse

from dossiers.models import Dossier, DossierDocument, State
from national_sync.models import SyncMessage
from tests.factories import ProcedureFactory

from .conftest import bearer

pytestmark = pytest.mark.django_db


def body_for(of, **overrides) -> dict:
    data = {
        "procedure": of.code, "applicant_name": "  Nguyễn   Văn An ", "applicant_id_number": "001203004567",
        "applicant_phone": "0912 345 678", "applicant_address": "12 Hàng Bạc, Hoàn Kiếm, Hà Nội",
        "applicant_email": "an@example.vn", "notify_channels": ["email"], "sets_count": 1, "channel": "counter",
        "documents": [{"required_document_id": doc.pk, "originals": 1, "certified_copies": 0, "photocopies": 0}
                      for doc in of.required_documents.all()],
    }
    data.update(overrides)
    return data


def post(client, name, token, data):
    return client.post(reverse(f"api:{name}"), data=data, content_type="application/json", **bearer(token))


def nothing_written():
    return not Dossier.objects.exists() and not DossierDocument.objects.exists() and not SyncMessage.objects.exists()


def test_a_clerk_receives_a_dossier_and_gets_its_code_tracking_page_and_appointment(client, tokens, cast, procedure):
    extra = {"name": "Giấy ủy quyền", "originals": 1, "certified_copies": 0, "photocopies": 0}
    data = body_for(procedure)
    data["documents"].append(extra)
    response = post(client, "dossier_receive", tokens["clerk"], data)
    assert response.status_code == 201, response.json()
    answer = response.json()
    dossier = Dossier.objects.get()
    assert (answer["id"], answer["code"], answer["state"]) == (dossier.pk, dossier.code, State.RECEIVED)
    assert dossier.received_by == cast["clerk"] and dossier.applicant_name == "Nguyễn Văn An"
    assert dossier.applicant_phone == "0912345678"  # normalised by the page's form
    assert answer["tracking_url"].endswith(reverse("tracking:track", args=[dossier.tracking_token]))
    assert answer["tracking_url"].startswith("http://testserver/")
    assert client.get(answer["tracking_url"]).status_code == 200
    assert answer["due_at"] is not None and Dossier.objects.filter(pk=dossier.pk, due_at=answer["due_at"]).exists()
    assert sorted(dossier.documents.values_list("name", flat=True)) == sorted(
        [*procedure.required_documents.values_list("name", flat=True), "Giấy ủy quyền"])
    assert SyncMessage.objects.filter(dossier_id=dossier.pk).count() == 1


def test_invalid_input_is_400_with_the_forms_messages_and_writes_nothing(client, tokens, procedure):
    data = body_for(procedure, applicant_phone="", applicant_id_number="12")
    data["documents"] = [{**data["documents"][0], "originals": 0}, {"originals": 2, "certified_copies": 0,
                                                                     "photocopies": 0}]
    response = post(client, "dossier_receive", tokens["clerk"], data)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid" and error["message"] == "Dữ liệu gửi lên không hợp lệ."
    assert error["fields"]["applicant_phone"] == ["Nhập số điện thoại người nộp hồ sơ."]
    assert "applicant_id_number" in error["fields"]
    assert error["fields"]["documents[1].name"] == ["Nhập tên giấy tờ đã nhận."]
    for broken in ({**body_for(procedure), "documents": "tất cả"}, [1, 2], {**body_for(procedure), "documents": []}):
        answer = post(client, "dossier_receive", tokens["clerk"], broken)
        assert answer.status_code == 400 and answer.json()["code"] == "invalid", broken
    assert nothing_written()


def test_errors_are_translated_for_an_english_client(client, tokens, procedure):
    response = client.post(reverse("api:dossier_receive"), data=body_for(procedure, applicant_phone=""),
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **bearer(tokens["clerk"]))
    assert response.status_code == 400
    assert response.json()["fields"]["applicant_phone"] == ["Enter the applicant's phone number."]


@pytest.mark.parametrize("name", ["dossier_receive", "dossier_refuse_at_counter"])
def test_an_official_without_the_reception_role_is_403_and_writes_nothing(client, tokens, procedure, name):
    for who in ("specialist", "leader"):
        response = post(client, name, tokens[who], body_for(procedure, reason="Không thuộc thẩm quyền"))
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied" and "Tiếp nhận và trả kết quả" in response.json()["message"]
    assert post(client, name, tokens["specialist"], {"procedure": 1}).status_code == 403  # the role before the input
    assert client.post(reverse(f"api:{name}"), data={}, content_type="application/json").status_code == 401
    assert nothing_written()


@pytest.mark.parametrize("name", ["dossier_receive", "dossier_refuse_at_counter"])
def test_another_agencys_procedure_or_an_unknown_one_is_refused_and_writes_nothing(client, tokens, justice, name):
    theirs = ProcedureFactory(agencies=[justice], steps=True, documents=1)
    for code in (theirs.code, "khong-co", None):
        response = post(client, name, tokens["clerk"], body_for(theirs, procedure=code, reason="Lý do"))
        assert response.status_code == 400
        assert response.json()["fields"]["procedure"] == [
            "Thủ tục không tồn tại hoặc cơ quan không thực hiện thủ tục này."]
    assert nothing_written()


def test_a_refusal_needs_a_reason_not_a_complete_checklist(client, tokens, procedure):
    missing = post(client, "dossier_refuse_at_counter", tokens["clerk"], body_for(procedure, documents=[]))
    assert missing.status_code == 400
    assert missing.json()["fields"]["reason"] == ["Nhập lý do từ chối tiếp nhận hồ sơ."]
    assert nothing_written()
    response = post(client, "dossier_refuse_at_counter", tokens["clerk"],
                    body_for(procedure, documents=[], reason="Hồ sơ không thuộc thẩm quyền giải quyết."))
    assert response.status_code == 201, response.json()
    dossier = Dossier.objects.get()
    assert response.json()["state"] == State.REFUSED == dossier.state and response.json()["due_at"] is None
    assert dossier.closing_reason == "Hồ sơ không thuộc thẩm quyền giải quyết."
