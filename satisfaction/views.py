"""Rating pages (by dossier token and by placard QR), the public feedback form and status page, and the leaders'
pages: reports to handle, low ratings to deal with, satisfaction figures and the officials' scorecard.

Public pages show no personal data: no applicant, no reporter; officials only by their public display name.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from common.http import token_page
from dossiers import ratelimit as dossier_ratelimit
from dossiers import services as dossier_services
from dossiers.models import PersonalDataAccess
from procedures.access import role_required, staff_required
from procedures.inputs import is_ascii_number
from procedures.models import Official

from . import forms, ratelimit, selectors, services
from .errors import AlreadyRated, NotFound, RatingLimitReached, SatisfactionError
from .models import Feedback, Level, Rating

DEVICE_COOKIE = "mc_device"
DEVICE_SALT = "satisfaction.device"
DEVICE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookies at about 400 days
PAGE_SIZE = 25


def _too_many(request):
    return token_page(render(request, "satisfaction/too_many.html", status=429))


# --- rating a dossier -----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def rate_dossier(request, token):
    try:
        dossier = selectors.dossier_for_rating(token)
    except ObjectDoesNotExist:
        raise Http404 from None
    rating = selectors.rating_of_dossier(dossier.pk)
    already_rated = _("Hồ sơ này đã được đánh giá trước đó. Dưới đây là đánh giá đã ghi nhận.")
    if request.method == "POST" and rating is not None:
        # A second submission (a double tap, another family member, a race lost before the form was read) gets
        # the same answer as one that loses inside the service: the recorded rating, after a redirect.
        messages.info(request, already_rated)
        return redirect(request.path)
    form = None
    if rating is None and selectors.is_rateable(dossier):
        form = forms.DossierRatingForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.rate_dossier(token=token, answers=form.answers())
            except AlreadyRated:
                messages.info(request, already_rated)
                return redirect(request.path)
            except SatisfactionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Cảm ơn ông/bà đã đánh giá. Ý kiến đã được ghi nhận."))
                return redirect(request.path)
    return token_page(render(request, "satisfaction/rate_dossier.html", {
        "dossier": dossier,
        "rating": rating,
        "form": form,
        "rateable": selectors.is_rateable(dossier),
        "officials": rating.officials.all() if rating else selectors.officials_who_handled(dossier.pk),
        "can_report": rating is not None and Level.DISSATISFIED in (rating.overall, rating.attitude, rating.guidance,
                                                                   rating.timeliness),
    }))


# --- rating an official (placard QR) ------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def rate_official(request, pk):
    try:
        official = selectors.public_official(pk)
    except Official.DoesNotExist:
        raise Http404 from None
    device_id = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
    new_device = not device_id
    if new_device:
        device_id = services.new_device_id()
    form = forms.OfficialRatingForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.allow(request, "placard"):
            return _too_many(request)
        if form.is_valid():
            try:
                services.rate_official(official_id=official.pk, device_id=device_id, answers=form.answers())
            except RatingLimitReached as error:
                messages.warning(request, error.message)
                response = redirect(request.path)
            except NotFound:
                raise Http404 from None
            except SatisfactionError as error:
                form.add_error(None, error.message)
                response = None
            else:
                messages.success(request, _("Cảm ơn ông/bà đã đánh giá cán bộ %(name)s.") % {"name": official.display_name})
                response = redirect(request.path)
        else:
            response = None
    else:
        response = None
    if response is None:
        response = render(request, "satisfaction/rate_official.html", {"official": official, "form": form})
    if new_device:
        response.set_signed_cookie(DEVICE_COOKIE, device_id, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE, httponly=True,
                                   samesite="Lax", secure=request.is_secure())
    return token_page(response)


FEEDBACK_NOT_FOUND = _("Không tìm thấy phản ánh khớp với mã và 4 chữ số đã nhập. Phản ánh gửi ẩn danh hoặc không để "
                       "lại số điện thoại chỉ theo dõi được bằng đường dẫn nhận khi gửi.")
FEEDBACK_RATE_LIMITED = _("Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.")


# --- feedback (public) -------------------------------------------------------------------------------------


def _feedback_context(request):
    """From the rating page (?ho_so=<tracking token>&danh_gia=<rating id>) or a placard (?can_bo=<pk>)."""
    source = request.POST if request.method == "POST" else request.GET
    token = (source.get("dossier_token") or source.get("ho_so") or "").strip()
    handlers = dossier = None
    if token:
        try:
            dossier = selectors.dossier_for_rating(token)
        except ObjectDoesNotExist:
            token = ""
        else:
            handlers = selectors.officials_who_handled(dossier.pk)
    return token, dossier, handlers


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def feedback_create(request):
    token, dossier, handlers = _feedback_context(request)
    if request.method == "POST":
        if not ratelimit.allow(request, "feedback"):
            return _too_many(request)
        form = forms.FeedbackForm(request.POST, handlers=handlers)
        if form.is_valid():
            try:
                feedback = services.create_feedback(data=form.feedback_input())
            except SatisfactionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Đã tiếp nhận phản ánh, kiến nghị mã %(code)s. Lưu lại địa chỉ trang này để "
                                            "theo dõi kết quả trả lời.") % {"code": feedback.code})
                return redirect("satisfaction:feedback_status", token=feedback.token)
    else:
        initial = {"dossier_token": token, "subject": Feedback.Subject.PROCEDURE}
        rating = selectors.rating_of_dossier(dossier.pk) if dossier is not None else None
        if rating is not None and str(rating.pk) == request.GET.get("danh_gia", ""):
            initial["rating_id"] = rating.pk
            initial["officials"] = [o.pk for o in rating.officials.all()]
            if rating.attitude == Level.DISSATISFIED:
                initial["subject"] = Feedback.Subject.OFFICIAL
        elif handlers is None and is_ascii_number(request.GET.get("can_bo", "")):
            initial["official"] = int(request.GET["can_bo"])
            initial["subject"] = Feedback.Subject.OFFICIAL
        form = forms.FeedbackForm(initial=initial, handlers=handlers)
    return token_page(render(request, "satisfaction/feedback_form.html", {"form": form, "dossier": dossier}))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def feedback_lookup(request):
    """Follow a report by its code and 4 digits of the phone given with it, under the dossier lookup's limit: only a
    wrong pair counts, per address, and the same allowance covers both lookups."""
    form = forms.FeedbackLookupForm(request.POST or None)
    message, status = "", 200
    if request.method == "POST":
        verdict = dossier_ratelimit.exceeded(request, "lookup")
        if not verdict.allowed:
            message, status = FEEDBACK_RATE_LIMITED % {"minutes": max(1, verdict.window // 60)}, 429
        elif form.is_valid():
            token = selectors.feedback_token_for_lookup(**form.cleaned_data)
            if token:
                return redirect("satisfaction:feedback_status", token=token)
            dossier_ratelimit.fail(request, "lookup")
            message = FEEDBACK_NOT_FOUND
    return token_page(render(request, "satisfaction/feedback_lookup.html", {"form": form, "message": message},
                          status=status))


@never_cache
@require_safe
def feedback_status(request, token):
    try:
        feedback = selectors.feedback_by_token(token)
    except Feedback.DoesNotExist:
        raise Http404 from None
    return token_page(render(request, "satisfaction/feedback_status.html", {"feedback": feedback}))


# --- staff ---------------------------------------------------------------------------------------------


@require_safe
@staff_required
def feedback_list(request):
    filter_form = forms.FeedbackFilterForm(request.GET or None)
    feedback = selectors.feedback_list(request.official, filter_form.filters())
    page = Paginator(feedback, PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(request, "satisfaction/staff/feedback_list.html", {
        "filter_form": filter_form, "page": page, "query_string": query_string.urlencode(),
        "is_manager": selectors.is_manager(request.official),
    })


@require_safe
@staff_required
def feedback_detail(request, pk):
    try:
        feedback = selectors.feedback_for_staff(request.official, pk)
    except Feedback.DoesNotExist:
        raise Http404 from None
    manager = selectors.is_manager(request.official)
    state = Feedback.State
    # The page shows the reporter's name, phone and e-mail: logged like an applicant's (NĐ 13/2023/NĐ-CP).
    dossier_services.record_access(
        user=request.user, agency_id=feedback.agency_id, dossier_id=feedback.dossier_id,
        kind=PersonalDataAccess.Kind.PAGE, what=_("Phản ánh %(code)s") % {"code": feedback.code})
    return render(request, "satisfaction/staff/feedback_detail.html", {
        "feedback": feedback,
        "history": selectors.feedback_history(feedback),
        "triage_form": forms.NoteForm() if manager and feedback.state == state.RECEIVED else None,
        "assign_form": (forms.AssignForm(feedback=feedback)
                        if manager and feedback.state in (state.TRIAGED, state.IN_PROGRESS) else None),
        "answer_form": forms.AnswerForm() if feedback.state == state.IN_PROGRESS else None,
        "can_close": manager and feedback.state == state.ANSWERED,
        "reject_form": forms.RejectForm() if manager and feedback.is_open else None,
    })


FEEDBACK_ACTIONS = {
    "triage": (forms.NoteForm, lambda data: {"note": data["note"]}, _("Đã phân loại phản ánh.")),
    "assign": (forms.AssignForm, lambda data: {"assignee_id": data["assignee"].pk}, _("Đã giao xử lý phản ánh.")),
    "answer": (forms.AnswerForm, lambda data: data, _("Đã trả lời phản ánh.")),
    "close": (None, lambda data: {}, _("Đã kết thúc phản ánh.")),
    "reject": (forms.RejectForm, lambda data: data, _("Đã ghi nhận không thụ lý phản ánh.")),
}


@require_POST
@staff_required
def feedback_action(request, pk, action):
    if action not in FEEDBACK_ACTIONS:
        raise Http404
    form_class, arguments, success = FEEDBACK_ACTIONS[action]
    try:
        feedback = selectors.feedback_for_staff(request.official, pk)
    except Feedback.DoesNotExist:
        raise Http404 from None
    if form_class is None:
        form = None
    elif form_class is forms.AssignForm:
        form = form_class(request.POST, feedback=feedback)
    else:
        form = form_class(request.POST)
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            getattr(services, action)(feedback_id=feedback.pk, actor=request.user,
                                      **arguments(form.cleaned_data if form else {}))
        except SatisfactionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, success)
    return redirect("satisfaction:feedback_detail", pk=feedback.pk)


@require_safe
@role_required(*selectors.MANAGER_ROLES)
def attention(request):
    """"Cần xử lý": low ratings nobody has dealt with and reports about officials still open."""
    return render(request, "satisfaction/staff/attention.html", {
        "ratings": selectors.low_ratings_to_handle(request.official),
        "feedback": selectors.open_official_feedback(request.official),
        "handle_form": forms.HandleRatingForm(),
        "is_manager": True,
    })


@require_POST
@role_required(*selectors.MANAGER_ROLES)
def handle_rating(request, pk):
    form = forms.HandleRatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nhập nội dung đã xử lý."))
    else:
        try:
            services.handle_rating(rating_id=pk, actor=request.user, note=form.cleaned_data["note"])
        except NotFound:
            raise Http404 from None
        except SatisfactionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Đã ghi nhận việc xử lý đánh giá."))
    return redirect("satisfaction:attention")


@require_safe
@role_required(*selectors.MANAGER_ROLES)
def statistics(request):
    period_form = forms.PeriodForm(request.GET or None)
    period = period_form.period()
    agency_id = request.official.agency_id
    sources = []
    for source, label in Rating.Source.choices:
        sources.append({
            "label": label,
            "total": selectors.satisfaction_total(source=source, period=period, agency_id=agency_id),
            "by_procedure": selectors.satisfaction_by_procedure(source=source, period=period, agency_id=agency_id),
            "by_official": selectors.satisfaction_by_official(source=source, period=period, agency_id=agency_id),
            "by_month": selectors.satisfaction_by_month(source=source, period=period, agency_id=agency_id),
        })
    return render(request, "satisfaction/staff/statistics.html", {
        "period_form": period_form,
        "sources": sources,
        "feedback_by_month": selectors.feedback_by_month(period=period, agency_id=agency_id, now=timezone.now()),
        "is_manager": True,
    })


@require_safe
@role_required(*selectors.MANAGER_ROLES)
def scorecard(request):
    period_form = forms.PeriodForm(request.GET or None)
    period = period_form.period()
    agency_id = request.official.agency_id
    return render(request, "satisfaction/staff/scorecard.html", {
        "period_form": period_form,
        "agency": request.official.agency,
        "agency_scores": selectors.scorecard_for_agency(agency_id=agency_id, period=period),
        "by_official": selectors.scorecard_by_official(agency_id=agency_id, period=period),
        "rows": selectors.scorecard_rows(agency_id=agency_id, period=period)[:200],
        "bands": settings.SATISFACTION_SCORE_BANDS,
        "is_manager": True,
    })
