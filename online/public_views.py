"""The citizen's side of the online channel: file, confirm the contact, follow, complete, supplement, download.

No account: the submission's random token in the URL is the key to everything here, as the QR token is for
tracking. Pages carry the token, so they are never cached, never indexed and send no Referer elsewhere. Files are
streamed through these views only (never a storage URL), and only the submission's own.
"""
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dossiers import pdf
from dossiers import selectors as dossier_selectors
from dossiers.errors import DossierActionError
from dossiers.masking import mask_name
from dossiers.models import ResultDocument, State
from dossiers.ratelimit import hit
from procedures import selectors as procedure_selectors
from procedures.models import Procedure

from . import selectors, services
from .forms import CodeForm, DeliveryForm, MoreFilesForm, SubmissionForm
from .models import OnlineSubmission, SubmissionState, SubmittedFile

SUBMIT_RATE = (10, 3600)  # filings per address per hour: each stores files and sends a code
CODE_RATE = (20, 600)  # codes typed per address per 10 minutes, on top of the tries per code


def _private(response):
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def _online_procedure(code: str) -> Procedure:
    try:
        procedure = procedure_selectors.public_procedure(code=code)
    except Procedure.DoesNotExist:
        raise Http404 from None
    if not procedure.online_enabled:
        raise Http404
    return procedure


def _limited(request, scope: str, rate) -> str:
    verdict = hit(request, scope, rate=rate)
    if verdict.allowed:
        return ""
    return _("Bạn đã thao tác quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.") % {
        "minutes": max(1, verdict.window // 60)}


@require_http_methods(["GET", "HEAD", "POST"])
def start(request, code):
    """Nộp hồ sơ trực tuyến: the applicant, one upload per required document, the contact to confirm."""
    procedure = _online_procedure(code)
    form = SubmissionForm(request.POST or None, request.FILES or None, procedure=procedure)
    status = 200
    if request.method == "POST":
        message = _limited(request, "online_submit", SUBMIT_RATE)
        if message:
            form.add_error(None, message)
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                submission = services.start_submission(
                    procedure_id=procedure.pk, agency_id=data["agency"], applicant=form.applicant(),
                    contact_channel=data["contact_channel"], uploads=form.uploads,
                    result_delivery=data["result_delivery"], delivery_address=data.get("delivery_address", ""),
                    language=request.LANGUAGE_CODE)
            except DossierActionError as error:
                form.add_error(None, error.message)
            else:
                return _private(redirect("online:status", token=submission.tracking_token))
        status = status if status != 200 else 400
    return _private(render(request, "online/start.html", {"procedure": procedure, "form": form}, status=status))


def _submission(token: str) -> OnlineSubmission:
    try:
        return selectors.submission_by_token(token)
    except OnlineSubmission.DoesNotExist:
        raise Http404 from None


def _status_context(submission: OnlineSubmission) -> dict:
    dossier = submission.dossier
    context = {"submission": submission, "masked_name": mask_name(submission.applicant_name, submission.applicant_type),
               "dossier": dossier, "code_form": CodeForm(), "more_form": None, "delivery_form": None,
               "results": [], "payments": []}
    if submission.state == SubmissionState.RETURNED:
        context["more_form"] = MoreFilesForm(procedure=submission.procedure)
    if dossier is not None and submission.state == SubmissionState.RECEIVED:
        if dossier.state == State.SUPPLEMENT_REQUESTED:
            context["more_form"] = MoreFilesForm(procedure=submission.procedure)
            context["supplement"] = dossier.supplement_requests.filter(fulfilled_at__isnull=True).first()
        context["payments"] = list(dossier.payment_requests.all())
        context["results"] = [document for document in dossier.result_documents.all() if document.electronic_copy]
        if not submission.postal_tracking_number and dossier.state in (State.RECEIVED, State.IN_PROGRESS,
                                                                        State.SUPPLEMENT_REQUESTED,
                                                                        State.AWAITING_PAYMENT, State.PROCESSED):
            context["delivery_form"] = DeliveryForm(initial={"result_delivery": submission.result_delivery,
                                                             "delivery_address": submission.delivery_address})
    context["waiting_supplement"] = [row for row in submission.files.all()
                                     if row.purpose == SubmittedFile.Purpose.SUPPLEMENT and row.accepted_at is None]
    return context


@require_safe
def status(request, token):
    """The citizen's page: where the submission stands, what to do next, their files and forms."""
    submission = _submission(token)
    return _private(render(request, "online/status.html", _status_context(submission)))


def _back(request, token, error: str = "", success: str = ""):
    if error:
        messages.error(request, error)
    if success:
        messages.success(request, success)
    return _private(redirect("online:status", token=token))


@require_POST
def confirm(request, token):
    form = CodeForm(request.POST)
    message = _limited(request, "online_code", CODE_RATE)
    if message:
        return _back(request, token, error=message)
    if not form.is_valid():
        return _back(request, token, error=_("Nhập mã xác nhận."))
    try:
        services.confirm_contact(token=token, code=form.cleaned_data["code"])
    except DossierActionError as error:
        return _back(request, token, error=error.message)
    return _back(request, token, success=_("Đã xác nhận. Hồ sơ đã được gửi tới cơ quan."))


@require_POST
def resend(request, token):
    try:
        services.resend_code(token=token)
    except DossierActionError as error:
        return _back(request, token, error=error.message)
    return _back(request, token, success=_("Đã gửi mã xác nhận mới."))


@require_POST
def add_files(request, token):
    """Completion of a returned submission, or the supplement a received dossier's request asks for."""
    submission = _submission(token)
    form = MoreFilesForm(request.POST, request.FILES, procedure=submission.procedure)
    if not form.is_valid():
        context = {**_status_context(submission), "more_form": form}
        return _private(render(request, "online/status.html", context, status=400))
    upload = services.complete_submission if submission.state == SubmissionState.RETURNED else services.upload_supplement
    try:
        upload(token=token, uploads=form.uploads)
    except DossierActionError as error:
        return _back(request, token, error=error.message)
    return _back(request, token, success=_("Đã gửi tệp tới cơ quan."))


@require_POST
def delivery(request, token):
    form = DeliveryForm(request.POST)
    if not form.is_valid():
        return _back(request, token, error=_("Chọn cách nhận kết quả."))
    try:
        services.choose_delivery(token=token, result_delivery=form.cleaned_data["result_delivery"],
                                 delivery_address=form.cleaned_data["delivery_address"])
    except DossierActionError as error:
        return _back(request, token, error=error.message)
    return _back(request, token, success=_("Đã ghi nhận cách nhận kết quả."))


def serve_file(row: SubmittedFile) -> FileResponse:
    """Stream a stored file with the type checked at upload, shown in the browser (inline), never cached."""
    extension = row.file.name.rsplit(".", 1)[-1]
    response = FileResponse(row.file.open("rb"), content_type=row.content_type, as_attachment=False,
                            filename=f"tep-{row.pk}.{extension}")
    response["X-Content-Type-Options"] = "nosniff"
    if row.content_type != "application/pdf":
        # An image is shown in a sandbox with nothing else allowed. A PDF keeps the site's own policy: a sandbox
        # would stop the browser's PDF viewer, and the type was checked from the content at upload.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def file(request, token, file_id):
    try:
        row = selectors.file_by_token(token, file_id)
    except SubmittedFile.DoesNotExist:
        raise Http404 from None
    return _private(serve_file(row))


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return _private(response)


@require_safe
def form_pdf(request, token, number):
    """Mẫu 01 (received), 02 (returned for completion) or 03 (refused), as sent to the citizen."""
    submission = _submission(token)
    if number == "02" and submission.guidance_id:
        return _pdf(pdf.guidance_pdf(submission.guidance), pdf.guidance_filename(submission.guidance))
    wanted = {"01": SubmissionState.RECEIVED, "03": SubmissionState.REFUSED}.get(number)
    if wanted is None or submission.state != wanted or submission.dossier_id is None:
        raise Http404
    dossier = dossier_selectors.dossier_for_citizen_forms(submission.dossier_id)
    try:
        content = pdf.dossier_form_pdf(dossier, number)
    except pdf.FormNotApplicable:
        raise Http404 from None
    return _pdf(content, pdf.dossier_form_filename(dossier, number))


@require_safe
def result(request, token, document_id):
    """The signed electronic copy of a result document of the citizen's own dossier."""
    submission = _submission(token)
    if submission.dossier_id is None:
        raise Http404
    try:
        document = ResultDocument.objects.get(pk=document_id, dossier_id=submission.dossier_id)
    except ResultDocument.DoesNotExist:
        raise Http404 from None
    if not document.electronic_copy:
        raise Http404
    response = FileResponse(document.electronic_copy.open("rb"), content_type="application/pdf",
                            filename=f"ket-qua-{document.verification_token}.pdf")
    return _private(response)

