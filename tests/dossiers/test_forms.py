"""Counter forms on their own: Vietnamese input conventions and the checklist rules."""
import datetime
from decimal import Decimal

import pytest

from common.clock import VN
from dossiers import forms


@pytest.mark.parametrize(("typed", "amount"), [("1.250.000", 1250000), ("1 250 000", 1250000), ("50000", 50000),
                                               ("50.000 đ", 50000), ("50.000đồng", 50000)])
def test_amount_accepts_counter_typing(typed, amount):
    form = forms.PaymentForm({"amount": typed, "description": "Lệ phí"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal(amount)


@pytest.mark.parametrize(("typed", "error"), [("abc", "chữ số"), ("0", "lớn hơn 0"), ("", "Nhập số tiền"),
                                              ("1" * 15, "quá lớn")])
def test_amount_errors(typed, error):
    form = forms.PaymentForm({"amount": typed, "description": "Lệ phí"})
    assert not form.is_valid()
    assert error in form.errors["amount"][0]


def test_appointment_date_alone_means_end_of_the_working_day_in_vietnam():
    form = forms.ExtensionForm({"reason": "Chờ xác minh", "proposed_due_at": "20/03/2026"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["proposed_due_at"] == datetime.datetime(2026, 3, 20, 17, 0, tzinfo=VN)
    form = forms.ExtensionForm({"reason": "x", "proposed_due_at": "20/03/2026 09:30"})
    assert form.is_valid()
    assert form.cleaned_data["proposed_due_at"] == datetime.datetime(2026, 3, 20, 9, 30, tzinfo=VN)
    form = forms.ExtensionForm({"reason": "x", "proposed_due_at": "2026/03/20"})
    assert "dd/mm/yyyy hh:mm" in form.errors["proposed_due_at"][0]


def test_dates_are_typed_day_first():
    form = forms.SupplementForm({"missing": "Sổ đỏ", "reply_by": "05/03/2026"})
    assert form.is_valid()
    assert form.cleaned_data["reply_by"] == datetime.date(2026, 3, 5)
    assert not forms.SupplementForm({"missing": "Sổ đỏ", "reply_by": "03/31/2026"}).is_valid()


def test_destructive_actions_require_the_confirmation_box():
    form = forms.StopForm({"reason": "r", "legal_ground": "g"})
    assert not form.is_valid() and "confirm" in form.errors
    form = forms.StopForm({"reason": "r", "legal_ground": "g", "confirm": "on"})
    assert form.is_valid()
    assert form.service_kwargs() == {"reason": "r", "legal_ground": "g"}


def test_worklist_date_range_order(clerk):
    form = forms.WorklistFilterForm({"received_from": "10/03/2026", "received_to": "09/03/2026"}, official=clerk)
    assert not form.is_valid()
    assert "received_to" in form.errors
    assert form.filters().received_from == datetime.date(2026, 3, 10)  # the valid part is kept
    assert form.filters().received_to is None


def receive_data(**overrides):
    data = {"procedure": 1, "applicant_type": "citizen", "applicant_name": "Lê  Thị   Hoa", "applicant_id_number": "0012 0300 4567",
            "applicant_phone": "0912.345.678", "applicant_address": "Hà Nội", "sets_count": 1, "channel": "counter"}
    data.update(overrides)
    return data


def test_receive_form_normalises_the_applicant():
    form = forms.ReceiveForm(receive_data())
    assert form.is_valid(), form.errors
    applicant = form.applicant()
    assert (applicant.name, applicant.id_number, applicant.phone) == ("Lê Thị Hoa", "001203004567", "0912345678")


def test_organisation_may_leave_the_id_blank_but_a_citizen_may_not():
    assert forms.ReceiveForm(receive_data(applicant_type="organisation", applicant_id_number="")).is_valid()
    form = forms.ReceiveForm(receive_data(applicant_id_number=""))
    assert "12 chữ số" in form.errors["applicant_id_number"][0]


def formset_data(procedure, rows):
    data = {"docs-TOTAL_FORMS": str(len(rows)), "docs-INITIAL_FORMS": "0", "docs-MIN_NUM_FORMS": "0",
            "docs-MAX_NUM_FORMS": "60"}
    for index, (doc_id, name, originals) in enumerate(rows):
        data.update({f"docs-{index}-required_document_id": doc_id or "", f"docs-{index}-name": name,
                     f"docs-{index}-originals": originals, f"docs-{index}-certified_copies": 0,
                     f"docs-{index}-photocopies": 0})
    return data


def test_checklist_rules(procedure):
    first, second = procedure.required_documents.all()  # the second one is optional
    ok = forms.DocumentFormSet(formset_data(procedure, [(first.pk, "", 1), (second.pk, "", 0), ("", "Giấy khác", 2)]),
                               procedure=procedure, prefix="docs")
    assert ok.is_valid(), (ok.errors, ok.non_form_errors())
    assert [(d.required_document_id, d.name, d.originals) for d in ok.documents()] == [
        (first.pk, "", 1), (None, "Giấy khác", 2)]

    missing = forms.DocumentFormSet(formset_data(procedure, [(first.pk, "", 0), (second.pk, "", 1)]),
                                    procedure=procedure, prefix="docs")
    assert not missing.is_valid()
    assert first.name in missing.non_form_errors()[0]

    nameless = forms.DocumentFormSet(formset_data(procedure, [(first.pk, "", 1), ("", "", 1)]),
                                     procedure=procedure, prefix="docs")
    assert not nameless.is_valid()
    assert "Nhập tên giấy tờ" in nameless.forms[1].errors["name"][0]

    empty = forms.DocumentFormSet(formset_data(procedure, [(first.pk, "", 0)]), procedure=procedure, prefix="docs",
                                  refusing=True)
    assert empty.is_valid()  # a refusal may record no documents
