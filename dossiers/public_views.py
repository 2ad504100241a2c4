"""The citizen's side: tracking by QR token, lookup by code and 4 digits, the kiosk, result verification.

What a public page may show is decided here and in the templates under dossiers/public/: the procedure, the
code, the state, dates, public events and the agency's contact, with the applicant's name masked; never the
phone, ID number, address, email or full name (docs/ARCHITECTURE.md: "a code alone never shows a dossier").
"""
import hashlib

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from common.http import changing_page, never_cached_page, token_page
from notifications.models import NotificationChannel

from . import public_cache, ratelimit, selectors, services, tracking, verification
from .errors import DossierActionError
from .links import tracking_path
from .masking import mask_name
from .models import Dossier, ResultDocument
from .public_forms import KioskScanForm, LookupForm, SignedPdfForm, VerificationForm

KIOSK_IDLE_SECONDS = 60
NOT_FOUND_MESSAGE = _("Không tìm thấy hồ sơ khớp với mã hồ sơ và 4 chữ số đã nhập. Vui lòng kiểm tra lại giấy hẹn.")
RATE_LIMITED_MESSAGE = _(
    "Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút, hoặc quét mã QR trên giấy hẹn."
)


def _flag_deadlines(context: dict) -> list:
    """The instants at which the page's "overdue" flags (the dossier's, its current step's) may turn on."""
    dossier = context["dossier"]
    if not dossier.is_open or dossier.is_paused:
        return []
    return [dossier.due_at, *(step.due_at for step in context["steps"] if step.status == "current")]


def _render_tracking(request, token: str, template: str, not_found_template: str, extra: dict,
                     offer_opt_out: bool = False):
    """The page is rendered once per dossier state and language and then served from the cache
    (dossiers/public_cache.py)."""

    def build(overrides: dict):
        try:
            dossier = selectors.dossier_by_token(token)
        except Dossier.DoesNotExist:
            return render(request, not_found_template, {**extra, **overrides}, status=404), None
        now = timezone.now()
        context = {**tracking.context(dossier, now), **(_notification_choice(dossier) if offer_opt_out else {}),
                   **extra}
        until = public_cache.fresh_until(now, _flag_deadlines(context))
        return render(request, template, {**context, **overrides}), until

    return changing_page(public_cache.serve(request, token=token, variant=template, build=build))


def _notification_choice(dossier: Dossier) -> dict:
    """The opt-out offer, on the tracking page only (not the kiosk's shared screen)."""
    channels = dossier.notification_channels
    if not channels:
        return {}
    labels = dict(NotificationChannel.choices)
    return {"opt_out_path": tracking_path(dossier.tracking_token) + "ngung-thong-bao/",
            "notify_channel_labels": [str(labels[channel]) for channel in channels if channel in labels]}


@require_safe
def track(request, token):
    return _render_tracking(request, token, "dossiers/public/track.html", "dossiers/public/not_found.html", {},
                            offer_opt_out=True)


@require_http_methods(["POST"])
def opt_out(request, token):
    """The citizen stops the messages about their dossier; the tracking token in the URL is the proof."""
    try:
        services.opt_out_of_notifications(token=token)
    except DossierActionError:
        return changing_page(render(request, "dossiers/public/not_found.html", {}, status=404))
    messages.success(request, _("Ông/bà sẽ không nhận thêm thông báo về hồ sơ này."))
    return redirect("tracking:track", token=token)


@require_safe
def kiosk_track(request, token):
    """The tracking page in the kiosk's frame; it returns to the start screen once nobody touches it."""
    return _render_tracking(request, token, "dossiers/public/kiosk_track.html", "dossiers/public/kiosk_not_found.html",
                            {"idle_seconds": KIOSK_IDLE_SECONDS, "idle_reset": True})


def _lookup(request, form: LookupForm):
    """One rate-limited attempt: the token on success; otherwise (None, status, message) for the form."""
    # Only wrong pairs count: a kiosk serving many citizens, each typing it right, is never paused.
    verdict = ratelimit.exceeded(request, "lookup")
    if not verdict.allowed:
        minutes = max(1, verdict.window // 60)
        return None, 429, RATE_LIMITED_MESSAGE % {"minutes": minutes}
    if not form.is_valid():
        return None, 200, ""
    token = selectors.tracking_token_for_lookup(
        code=form.cleaned_data["code"], last_digits=form.cleaned_data["last_digits"]
    )
    if token is None:
        ratelimit.fail(request, "lookup")
        return None, 200, NOT_FOUND_MESSAGE
    return token, 200, ""


@require_http_methods(["GET", "HEAD", "POST"])
def lookup(request):
    """Code plus the last 4 digits of the phone or ID number; a wrong pair and an unknown code read the same."""
    form = LookupForm(request.POST or None)
    status, message = 200, ""
    if request.method == "POST":
        token, status, message = _lookup(request, form)
        if token:
            return never_cached_page(redirect("tracking:track", token=token))
    response = render(request, "dossiers/public/lookup.html", {"form": form, "message": message}, status=status)
    return never_cached_page(response)


@require_http_methods(["GET", "HEAD", "POST"])
def kiosk(request):
    """The kiosk's start screen: a scanned QR opens the dossier; a typed code then asks for the 4 digits."""
    # Any answer to a POST is one citizen's screen: it goes back to the start screen when left alone.
    context = {"idle_seconds": KIOSK_IDLE_SECONDS, "idle_reset": request.method == "POST",
               "scan_form": KioskScanForm(), "lookup_form": None, "message": ""}
    status = 200
    if request.method == "POST" and "last_digits" in request.POST:
        form = LookupForm(request.POST)
        token, status, message = _lookup(request, form)
        if token:
            return never_cached_page(redirect("tracking:kiosk_track", token=token))
        context.update(lookup_form=form, message=message)
    elif request.method == "POST":
        scan_form = KioskScanForm(request.POST)
        if scan_form.is_valid():
            kind, value = scan_form.cleaned_data["scan"]
            if kind == "token":
                return never_cached_page(redirect("tracking:kiosk_track", token=value))
            context["lookup_form"] = LookupForm(initial={"code": value})
        else:
            context["scan_form"] = scan_form
    return never_cached_page(render(request, "dossiers/public/kiosk.html", context, status=status))


VERIFY_UPLOAD_RATE = (30, 600)  # checks of uploaded PDFs per 10 minutes per address: each costs real CPU


@require_http_methods(["GET", "HEAD", "POST"])
def verify_form(request):
    """Type (or paste) a result document's verification code, or upload a signed PDF to check its signature."""
    form = VerificationForm(request.GET or None)
    if form.is_valid():
        return never_cached_page(redirect("tracking:verify", token=form.cleaned_data["ma"]))
    context = {"form": form, "upload_form": SignedPdfForm(), "check": None}
    status = 200
    if request.method == "POST":
        upload_form = SignedPdfForm(request.POST, request.FILES)
        context["upload_form"] = upload_form
        limit = ratelimit.hit(request, "verify_pdf", rate=VERIFY_UPLOAD_RATE)
        if not limit.allowed:
            status = 429
            context["message"] = _("Bạn đã kiểm tra quá nhiều tệp. Vui lòng thử lại sau %(minutes)d phút.") % {
                "minutes": max(1, limit.window // 60)}
        elif upload_form.is_valid():
            data = upload_form.cleaned_data["tep"]
            context["check"] = verification.check_pdf(data)
            context["registered"] = selectors.result_document_by_copy_digest(hashlib.sha256(data).hexdigest())
        else:
            status = 400
    return never_cached_page(render(request, "dossiers/public/verify_form.html", context, status=status))


@require_safe
def verify(request, token):
    """Confirms a registered result document is genuine, or says plainly that no such document exists; when it has
    a signed electronic copy, the page shows that copy's signature check, as for an uploaded file."""
    try:
        document = selectors.result_document_by_token(token)
    except ResultDocument.DoesNotExist:
        response = render(request, "dossiers/public/verify.html", {"document": None, "form": VerificationForm()},
                          status=404)
        return changing_page(response)
    dossier = document.dossier
    context = {"document": document, "dossier": dossier,
               "masked_name": mask_name(dossier.applicant_name, dossier.applicant_type),
               "check": verification.check_stored_copy(document)}
    return changing_page(render(request, "dossiers/public/verify.html", context))


@require_safe
def verify_copy(request, token):
    """The signed electronic copy of a registered result document (what its QR stands for), as a PDF."""
    try:
        document = selectors.result_document_by_token(token)
    except ResultDocument.DoesNotExist:
        raise Http404 from None
    if not document.electronic_copy:
        raise Http404
    response = FileResponse(document.electronic_copy.open("rb"), content_type="application/pdf",
                            filename=f"van-ban-ket-qua-{document.verification_token}.pdf")
    return token_page(response)


@require_safe
def robots_txt(request):
    response = render(request, "robots.txt", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=86400)
    return response
