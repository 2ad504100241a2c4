"""The office's side of the online channel: the agency's inbox, one submission's page with its documents, the
clerk's decisions. Every read goes through `selectors.visible_submissions` (another agency's submission, or one
whose contact is not confirmed, is a 404); the pages that show the applicant write the personal-data log."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from dossiers import services as dossier_services
from dossiers.errors import DossierActionError
from dossiers.models import PersonalDataAccess, State
from procedures import calendar
from procedures.access import staff_required

from . import selectors, services
from .forms import AcceptSupplementForm, PostalForm, RefuseForm, ReturnForm
from .models import OnlineSubmission, ResultDelivery, SubmissionState, SubmittedFile
from .public_views import serve_file

ACTIONS = {
    # name: (form, service, keyword arguments from the form, success message)
    "receive": (None, services.receive_submission, (), gettext_lazy("Đã tiếp nhận hồ sơ.")),
    "return": (ReturnForm, services.return_for_completion, ("missing",),
               gettext_lazy("Đã gửi phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02).")),
    "refuse": (RefuseForm, services.refuse_submission, ("reason",), gettext_lazy("Đã gửi phiếu từ chối tiếp nhận (Mẫu 03).")),
    "accept_supplement": (AcceptSupplementForm, services.accept_supplement, ("note",),
                          gettext_lazy("Đã nhận hồ sơ bổ sung; hồ sơ tiếp tục được giải quyết.")),
    "postal": (PostalForm, services.record_postal_dispatch, ("tracking_number",), gettext_lazy("Đã ghi số hiệu bưu gửi.")),
}


@require_GET
@staff_required
def inbox(request):
    """The agency's online inbox: confirmed submissions waiting, with their wait in working hours."""
    rows = selectors.inbox(request.official)
    dossier_services.record_access(user=request.user, agency_id=request.official.agency_id,
                                   kind=PersonalDataAccess.Kind.LIST, what=_("Hộp thư hồ sơ nộp trực tuyến"))
    return render(request, "online/inbox.html", {"rows": rows, "section": "online"})


def _submission(request, pk: int) -> OnlineSubmission:
    try:
        return selectors.submission_for_staff(request.official, pk)
    except OnlineSubmission.DoesNotExist:
        raise Http404(_("Không tìm thấy hồ sơ nộp trực tuyến.")) from None


@require_GET
@staff_required
def detail(request, pk: int):
    submission = _submission(request, pk)
    _log_page(request, submission)
    return render(request, "online/detail.html", _detail_context(request, submission))


def _log_page(request, submission: OnlineSubmission) -> None:
    dossier_services.record_access(user=request.user, agency_id=submission.agency_id, dossier_id=submission.dossier_id,
                                   kind=PersonalDataAccess.Kind.PAGE,
                                   what=_("Hồ sơ nộp trực tuyến số %(pk)s") % {"pk": submission.pk})


def _detail_context(request, submission: OnlineSubmission, **forms) -> dict:
    dossier = submission.dossier
    waiting = [row for row in submission.files.all()
               if row.purpose == SubmittedFile.Purpose.SUPPLEMENT and row.accepted_at is None]
    can_post = (submission.result_delivery == ResultDelivery.POSTAL and dossier is not None
                and dossier.state in (State.PROCESSED, State.RETURNED))
    waited = (calendar.working_time_between(submission.agency, submission.submitted_at, timezone.now())
              if submission.state == SubmissionState.SUBMITTED and submission.submitted_at else None)
    return {
        "submission": submission, "dossier": dossier, "section": "online",
        "in_inbox": submission.state == SubmissionState.SUBMITTED,
        "waited": waited, "waited_hours": waited.total_seconds() / 3600 if waited is not None else None,
        "waiting_supplement": waiting,
        "return_form": forms.get("return") or ReturnForm(),
        "refuse_form": forms.get("refuse") or RefuseForm(),
        "accept_form": (forms.get("accept_supplement") or AcceptSupplementForm()) if waiting else None,
        "postal_form": (forms.get("postal") or PostalForm()) if can_post else None,
    }


@require_POST
@staff_required
def act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    submission = _submission(request, pk)
    form_class, service, fields, success = ACTIONS[action]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        _log_page(request, submission)
        context = _detail_context(request, submission, **{action: form})
        return render(request, "online/detail.html", context, status=400)
    arguments = {name: form.cleaned_data[name] for name in fields} if form is not None else {}
    try:
        service(submission_id=submission.pk, actor=request.user, **arguments)
    except DossierActionError as error:
        messages.error(request, error.message)
        return redirect("online:detail", pk=submission.pk)
    messages.success(request, success)
    if action == "receive":
        fresh = OnlineSubmission.objects.only("dossier_id").get(pk=submission.pk)
        return redirect("dossiers:detail", pk=fresh.dossier_id)
    return redirect("online:detail", pk=submission.pk)


@require_GET
@staff_required
def file(request, pk: int, file_id: int):
    """A document of a submission the official may see, shown in the browser (inline)."""
    try:
        row = selectors.file_for_staff(request.official, pk, file_id)
    except SubmittedFile.DoesNotExist:
        raise Http404 from None
    dossier_services.record_access(user=request.user, agency_id=row.submission.agency_id,
                                   dossier_id=row.submission.dossier_id, kind=PersonalDataAccess.Kind.PAGE,
                                   what=_("Tệp %(name)s của hồ sơ nộp trực tuyến số %(pk)s")
                                   % {"name": row.document_name[:120], "pk": pk})
    return serve_file(row)
