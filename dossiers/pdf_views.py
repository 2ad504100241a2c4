"""Staff views that print the one-stop forms as inline PDFs (Thông tư 03/2025/TT-VPCP, Phụ lục I).

Only an active official may print, and only what they may open: a dossier form goes through the one visibility
rule (`selectors.visible_dossiers`, a 404 otherwise), and the Mẫu 07 register, with every applicant's name,
address and phone, is for the whole-agency roles like the register page. Each printed dossier form is written to
the dossier's internal log through `services.record_print`.
"""
import datetime

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from common.clock import VN
from procedures import calendar
from procedures.access import role_required, staff_required
from procedures.inputs import BoundedDateField, is_ascii_number
from procedures.models import Official, Procedure

from . import pdf, selectors, services
from .errors import DossierActionError
from .models import CounterGuidance, Dossier, PersonalDataAccess, ResultDocument

REGISTER_MAX_DAYS = 366


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    # The forms carry personal data: never kept by a shared cache or the browser's disk cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _unavailable(request, message, *, status: int = 404, back_url: str = "") -> HttpResponse:
    return render(request, "dossiers/forms/unavailable.html", {"message": message, "back_url": back_url}, status=status)


def _print_dossier_form(request, pk: int, number: str) -> HttpResponse:
    official = request.official
    try:
        dossier = selectors.dossier_for_staff(official, pk)
    except Dossier.DoesNotExist:
        raise Http404(_("Không tìm thấy hồ sơ.")) from None
    try:
        content = pdf.dossier_form_pdf(dossier, number)
    except pdf.FormNotApplicable as error:
        return _unavailable(request, error.message, back_url=reverse("dossiers:detail", args=[pk]))
    try:
        services.record_print(dossier_id=dossier.pk, actor=request.user, form_name=pdf.FORMS[number].log_name)
    except DossierActionError as error:
        return _unavailable(request, error.message, status=403)
    services.record_access(user=request.user, agency_id=dossier.agency_id, dossier_id=dossier.pk,
                           kind=PersonalDataAccess.Kind.FORM, what=pdf.FORMS[number].log_name)
    return _pdf_response(content, pdf.dossier_form_filename(dossier, number))


@require_GET
@staff_required
def receipt(request, pk: int) -> HttpResponse:
    """Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả, with the tracking and rating QR codes."""
    return _print_dossier_form(request, pk, "01")


@require_GET
@staff_required
def dossier_form(request, pk: int, number: str) -> HttpResponse:
    """Mẫu 01–06 of one dossier; a form its state does not call for is a friendly 404 page."""
    if number not in pdf.CONTEXT_BUILDERS:
        raise Http404(_("Không có biểu mẫu này."))
    return _print_dossier_form(request, pk, number)


@require_GET
@staff_required
def guidance(request, pk: int) -> HttpResponse:
    """Mẫu 02 given at the counter for a dossier that was not received (a `CounterGuidance` of the agency)."""
    official = request.official
    try:
        slip = selectors.counter_guidance_for_staff(official, pk)
    except CounterGuidance.DoesNotExist:
        raise Http404(_("Không tìm thấy phiếu hướng dẫn.")) from None
    content = pdf.guidance_pdf(slip)
    # No dossier was created for this citizen: the log names the slip instead.
    services.record_access(
        user=request.user, agency_id=slip.agency_id, kind=PersonalDataAccess.Kind.FORM,
        what=_("%(form)s, phiếu hướng dẫn số %(number)s (không tiếp nhận): %(name)s") % {
            "form": pdf.FORMS["02"].label, "number": slip.pk, "name": slip.applicant_name},
    )
    return _pdf_response(content, pdf.guidance_filename(slip))


class RegisterFilterForm(forms.Form):
    """?from=dd/mm/yyyy&to=dd/mm/yyyy[&procedure=<id or code>]; a missing date defaults to this month so far."""

    date_from = BoundedDateField(label=_("Từ ngày"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    date_to = BoundedDateField(label=_("Đến ngày"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    procedure = forms.CharField(label=_("Thủ tục"), required=False, max_length=32)

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency

    def clean_procedure(self) -> Procedure | None:
        key = self.cleaned_data["procedure"].strip()
        if not key:
            return None
        procedures = Procedure.objects.filter(agencies=self.agency)
        found = procedures.filter(pk=int(key)).first() if is_ascii_number(key) else procedures.filter(code=key).first()
        if found is None:
            raise forms.ValidationError(_("Cơ quan không thực hiện thủ tục này."))
        return found

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        today = timezone.localdate(timezone=VN)
        start = data.get("date_from") or today.replace(day=1)
        end = data.get("date_to") or today
        if start > end:
            raise forms.ValidationError(_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."))
        if (end - start).days >= REGISTER_MAX_DAYS:
            raise forms.ValidationError(_("Mỗi lần in sổ tối đa %(days)s ngày.") % {"days": REGISTER_MAX_DAYS})
        data["date_from"], data["date_to"] = start, end
        return data


@require_GET
@role_required(*selectors.WHOLE_AGENCY_ROLES)
def register(request) -> HttpResponse:
    """Mẫu 07: Sổ theo dõi hồ sơ of the official's agency for a range of reception dates (A4 landscape)."""
    official = request.official
    form = RegisterFilterForm(
        {"date_from": request.GET.get("from", ""), "date_to": request.GET.get("to", ""),
         "procedure": request.GET.get("procedure", "")},
        agency=official.agency,
    )
    if not form.is_valid():
        messages = [str(message) for errors in form.errors.values() for message in errors]
        return _unavailable(request, " ".join(messages), status=400)
    start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    procedure = form.cleaned_data["procedure"]
    dossiers = selectors.register_dossiers(
        agency_id=official.agency_id,
        start=calendar.start_of_day(start),
        end=calendar.start_of_day(end + datetime.timedelta(days=1)),
        procedure_id=procedure.pk if procedure else None,
    )
    content = pdf.register_pdf(agency=official.agency, start=start, end=end, dossiers=dossiers, procedure=procedure)
    services.record_access(user=request.user, agency_id=official.agency_id, kind=PersonalDataAccess.Kind.REGISTER,
                           what=pdf.register_log_name(start, end, "PDF", procedure))
    return _pdf_response(content, pdf.register_filename(official.agency, start, end))


@require_GET
@staff_required
def placard(request, official_pk: int) -> HttpResponse:
    """An A6 desk placard of an official of the same agency, with the QR of their rating page."""
    official = request.official
    try:
        subject = selectors.agency_official(agency_id=official.agency_id, pk=official_pk)
    except Official.DoesNotExist:
        raise Http404(_("Không tìm thấy cán bộ.")) from None
    return _pdf_response(pdf.placard_pdf(subject), f"the-danh-gia-{subject.pk}.pdf")


@require_GET
@staff_required
def result_stamp(request, pk: int) -> HttpResponse:
    """The verification stamp of a registered result document: its QR leads to the public authenticity page."""
    try:
        document = selectors.result_document_for_staff(request.official, pk)
    except ResultDocument.DoesNotExist:
        raise Http404(_("Không tìm thấy văn bản kết quả.")) from None
    return _pdf_response(pdf.result_stamp_pdf(document), pdf.result_stamp_filename(document))
