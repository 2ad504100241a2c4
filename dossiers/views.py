"""The counter and back office: worklist, reception, the dossier page and one POST view per action.

Views stay thin: a form validates, one service changes state (PRG with a message), a selector reads.
"""
import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from national_sync import selectors as national_sync_selectors
from notifications import selectors as notification_selectors
from procedures.access import role_required, staff_required
from procedures.inputs import is_ascii_number

from . import actions, forms, links, pdf, selectors, services
from .errors import DossierActionError
from .models import CLOSED_STATES, Dossier, PersonalDataAccess

PAGE_SIZE = 25
JUST_RECEIVED = "dossiers:just_received"
JUST_GUIDED = "dossiers:just_guided"
PICKER_LIMIT = 300


def _url(name: str, *args, query: str = "") -> str:
    """A link to another page of the portal; a renamed route fails loudly (NoReverseMatch), never hides a link."""
    url = reverse(name, args=args)
    return f"{url}?{query}" if query else url


def error_summary(*forms_) -> list[tuple[str, str]]:
    """Every error of the forms as (message, anchor of the field), for the summary at the top of the page."""
    items = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for subform in getattr(form, "forms", [form]):
            for name, errors in subform.errors.items():
                field = subform.fields.get(name)
                anchor = f"#{subform[name].id_for_label}" if field is not None else ""
                label = f"{field.label}: " if field is not None and field.label else ""
                items.extend((f"{label}{message}", anchor) for message in errors)
        items.extend((str(message), "") for message in getattr(form, "non_form_errors", list)())
    return items


# --- worklist ------------------------------------------------------------------------------------------


@require_safe
@staff_required
def worklist(request):
    official = request.official
    form = forms.WorklistFilterForm(request.GET or None, official=official)
    # A partly invalid filter (a mistyped date) keeps its valid part; the form shows the error.
    if form.is_bound:
        form.is_valid()
    filters = form.filters()

    if filters.query:
        # A scanner types the QR's tracking URL; a clerk may type a whole code: open that dossier at once.
        pk = selectors.dossier_pk_for_scan(official, filters.query)
        if pk is not None:
            return redirect("dossiers:detail", pk=pk)

    tabs = selectors.worklist_tabs(official)
    requested = request.GET.get("tab") or ""
    # A search or filter looks through every dossier the official may see, not the tab it was typed on.
    default = selectors.WorklistTab.ALL if filters != selectors.WorklistFilters() else selectors.WorklistTab.MINE
    tab = next((t for t in tabs if t.value == requested), default)

    now = timezone.now()
    soon = selectors.due_soon_limit(official.agency, now)
    counts = selectors.worklist_counts(official, filters, now=now, soon=soon)
    if tab == selectors.WorklistTab.ALL:
        # The one tab that may span an agency's history: pages by keyset, never by OFFSET.
        page = selectors.worklist_all_page(official, filters, **form.cursor(), size=PAGE_SIZE, now=now, soon=soon)
    else:
        paginator = Paginator(selectors.worklist(official, tab, filters, now=now, soon=soon), PAGE_SIZE)
        # The aggregate already counted this tab under the same filters: spare the paginator its COUNT query.
        paginator.__dict__["count"] = counts[tab.value]
        page = paginator.get_page(request.GET.get("page"))

    query = request.GET.copy()
    for key in ("page", "tab", "after", "before"):
        query.pop(key, None)
    # The list shows applicants' names and phones: one log row for the page, naming what was listed.
    services.record_access(
        user=request.user, agency_id=official.agency_id, kind=PersonalDataAccess.Kind.LIST,
        what=_("Danh sách hồ sơ: %(tab)s, trang %(page)s, %(count)s hồ sơ%(query)s") % {
            "tab": tab.label, "page": page.number, "count": len(page.object_list),
            "query": f" — {filters.query}" if filters.query else ""},
    )
    window = selectors.all_tab_window(filters, now)
    today = timezone.localdate()
    approver = actions.can_approve_extension(official)
    return render(request, "dossiers/staff/worklist.html", {
        "official": official,
        "form": form,
        "tab": tab,
        "tabs": [(t, counts[t.value]) for t in tabs],
        "all_count": counts.get(selectors.WorklistTab.ALL.value, 0),
        "count_cap": selectors.ALL_COUNT_CAP,
        "page": page,
        # The "all" tab's default window, and the month before it as date filters the clerk can move further back.
        "recent_since": window.since if window else None,
        "recent_days": selectors.RECENT_DAYS,
        "older_from": window.older_from if window else None,
        "older_to": window.older_to if window else None,
        "tab_count": counts[tab.value],
        "filter_query": query.urlencode(),
        "filtered": any([filters.query, filters.procedure_id, filters.field_id, filters.state,
                         filters.received_from, filters.received_to]),
        "pending_extensions": list(selectors.pending_extensions(official.agency)) if approver else [],
        "can_receive": actions.may(official, "receive"),
        "register_url": _url("forms:register", query=f"from=01/{today:%m/%Y}&to={today:%d/%m/%Y}"),
        "now": now,
    })


# --- reception -------------------------------------------------------------------------------------------


def _suggest_missing(form, formset) -> bool:
    """Pre-fill the guidance slip (Mẫu 02) with the mandatory documents the clerk did not tick, unless the clerk
    already wrote something; True when the slip has content to show."""
    if form is None or formset is None or not form.is_bound:
        return False
    if (form.data.get("guidance_missing") or "").strip():
        return True
    names = formset.missing_mandatory()
    if not names:
        return False
    form.data = form.data.copy()
    form.data["guidance_missing"] = "\n".join(f"- {name}" for name in names)
    return True


def _receive_page(request, *, procedure=None, form=None, formset=None, preview=None, status=200):
    official = request.official
    query = (request.GET.get("q") or "").strip()
    procedures = list(selectors.reception_procedures(official, query)[:PICKER_LIMIT]) if procedure is None else []
    if form is not None and preview is not None:
        form.fields["applicant_name"].widget.attrs.pop("autofocus", None)
    suggested = _suggest_missing(form, formset)
    guided = request.session.pop(JUST_GUIDED, None) if request.method == "GET" else None
    return render(request, "dossiers/staff/receive.html", {
        "guidance_url": _url("forms:guidance", guided) if guided else "",
        "guidance_open": suggested or bool(form is not None and form.guiding),
        "query": query,
        "procedures": procedures,
        "only_match": procedures[0] if len(procedures) == 1 else None,
        "procedure": procedure,
        "form": form,
        "formset": formset,
        "preview": preview,
        "error_summary": error_summary(form, formset),
        "error_title": _("Hồ sơ chưa được lưu: sửa các lỗi sau."),
    }, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*services.ROLES_FOR["receive"])
def receive(request):
    """Two stages on one form: "Kiểm tra" validates and shows the appointment, "Tiếp nhận" saves. An incomplete
    dossier is instead refused with a reason (Mẫu 03), or not received and the citizen given a guidance slip
    (Mẫu 02). Nothing typed is lost on an error."""
    official = request.official
    if request.method != "POST":
        raw = request.GET.get("procedure") or ""
        procedure = selectors.procedure_for_reception(official, raw) if is_ascii_number(raw) else None
        if raw and procedure is None:
            messages.error(request, _("Thủ tục không tồn tại hoặc cơ quan không thực hiện thủ tục này."))
        query = (request.GET.get("q") or "").strip()
        if procedure is None and not raw and query:
            # Enter in the filter box with one procedure left picks it (the script does the same without a reload).
            matches = list(selectors.reception_procedures(official, query).values_list("pk", flat=True)[:2])
            if len(matches) == 1:
                return redirect(f"{reverse('dossiers:receive')}?procedure={matches[0]}")
        if procedure is None:
            return _receive_page(request)
        return _receive_page(
            request, procedure=procedure,
            form=forms.ReceiveForm(initial={"procedure": procedure.pk}),
            formset=forms.DocumentFormSet(procedure=procedure, prefix="docs"),
        )

    raw = request.POST.get("procedure") or ""
    procedure = selectors.procedure_for_reception(official, raw) if is_ascii_number(raw) else None
    if procedure is None:
        messages.error(request, _("Thủ tục không tồn tại hoặc cơ quan không thực hiện thủ tục này."))
        return redirect("dossiers:receive")
    stage = request.POST.get("stage", "check")
    refusing = stage == "refuse"
    guiding = stage == "guide"
    form = forms.ReceiveForm(request.POST, refusing=refusing, guiding=guiding)
    # Refusing or guiding: an incomplete checklist is the very reason, not an error.
    formset = forms.DocumentFormSet(request.POST, procedure=procedure, refusing=refusing or guiding, prefix="docs")
    if guiding:
        return _give_guidance(request, procedure, form, formset)
    if not (form.is_valid() and formset.is_valid()):
        return _receive_page(request, procedure=procedure, form=form, formset=formset, status=400)

    try:
        if stage == "confirm":
            dossier = services.receive(
                actor=request.user, procedure_id=procedure.pk, applicant=form.applicant(),
                documents=formset.documents(), channel=form.cleaned_data["channel"],
                sets_count=form.cleaned_data["sets_count"],
            )
            messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s, hẹn trả kết quả %(due)s.") % {
                "code": dossier.code, "due": _local_text(dossier.due_at)})
            request.session[JUST_RECEIVED] = dossier.pk  # the dossier page opens the receipt for printing, once
            return redirect("dossiers:detail", pk=dossier.pk)
        if refusing:
            dossier = services.refuse_at_counter(
                actor=request.user, procedure_id=procedure.pk, applicant=form.applicant(),
                reason=form.cleaned_data["refuse_reason"], documents=formset.documents(),
                channel=form.cleaned_data["channel"],
            )
            messages.success(request, _("Đã từ chối tiếp nhận hồ sơ %(code)s. In phiếu từ chối (Mẫu 03) cho công dân.")
                             % {"code": dossier.code})
            return redirect("dossiers:detail", pk=dossier.pk)
        preview = services.preview_due_at(actor=request.user, procedure_id=procedure.pk)
        # Show what will be saved (normalised phone, single-spaced name) for the clerk to confirm.
        normalised = form.data.copy()  # with what a scanned card filled in
        for name in ("applicant_name", "applicant_id_number", "applicant_phone"):
            normalised[name] = form.cleaned_data[name]
        form = forms.ReceiveForm(normalised)
        form.is_valid()
    except DossierActionError as error:
        messages.error(request, error.message)
        return _receive_page(request, procedure=procedure, form=form, formset=formset, status=400)
    return _receive_page(request, procedure=procedure, form=form, formset=formset, preview=preview)


@require_POST
@role_required(*services.ROLES_FOR["receive"])
def read_cccd(request):
    """The reception form's fields from a scanned card's QR, for the page's script to fill without a submit
    (POST: the string is personal data and stays out of URLs and logs)."""
    form = forms.CccdScanForm(request.POST)
    if not form.is_valid() or form.cleaned_data["cccd_scan"] is None:
        errors = form.errors.get("cccd_scan") or [_("Chưa có chuỗi quét từ thẻ căn cước.")]
        return JsonResponse({"error": str(errors[0])}, status=400)
    return JsonResponse({"fields": forms.CccdScanForm.card_fields(form.cleaned_data["cccd_scan"])})


def _give_guidance(request, procedure, form, formset):
    """Mẫu 02 for a dossier that is not received: only the applicant's name and what is missing are needed;
    the slip is recorded, then printed."""
    if not form.is_valid():
        return _receive_page(request, procedure=procedure, form=form, formset=formset, status=400)
    try:
        guidance = services.give_guidance(actor=request.user, procedure_id=procedure.pk, **form.guidance())
    except DossierActionError as error:
        messages.error(request, error.message)
        return _receive_page(request, procedure=procedure, form=form, formset=formset, status=400)
    # Back to the counter's picker; the slip opens in a new tab for printing, as the receipt does.
    request.session[JUST_GUIDED] = guidance.pk
    return redirect("dossiers:receive")


def _local_text(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


# --- the dossier page ---------------------------------------------------------------------------------------


def _visible_dossier(request, pk: int) -> Dossier:
    try:
        return selectors.dossier_for_staff(request.official, pk)
    except Dossier.DoesNotExist:
        raise Http404 from None


def _print_urls(dossier: Dossier) -> dict[str, tuple[str, str]]:
    """Every printable form that applies to this dossier, number -> (label, URL); the one rule is
    `pdf.applicable_forms`."""
    return {form.number: (f"{form.title} ({form.label})",
                          reverse("forms:receipt", args=[dossier.pk]) if form.number == "01"
                          else reverse("forms:form", args=[dossier.pk, form.number]))
            for form in pdf.applicable_forms(dossier)}


def _detail_page(request, dossier: Dossier, *, bound: forms.ActionForm | None = None, bound_name: str = "",
                 status: int = 200):
    official = request.official
    steps = selectors.procedure_steps(dossier)
    ctx = actions.context_for(official, dossier, steps)
    action_forms = []
    for action in actions.available(ctx):
        if bound is not None and action.name == bound_name:
            form = bound
        else:
            form = action.form_class(dossier=dossier, official=official, steps=steps, prefix=action.name)
        action_forms.append((action, form))
    now = timezone.now()
    soon = selectors.due_soon_limit(dossier.agency, now)
    record = ctx.open_record
    can_take = (
        ctx.holder and record is not None and record.assignee_id is None and dossier.current_step is not None
        and official.has_role(dossier.current_step.role) and dossier.allows("assign")
    )
    pending = ctx.pending_extension
    printable = _print_urls(dossier)
    services.record_access(user=request.user, agency_id=dossier.agency_id, dossier_id=dossier.pk,
                           kind=PersonalDataAccess.Kind.PAGE, what=_("Trang hồ sơ %(code)s") % {"code": dossier.code})
    return render(request, "dossiers/staff/detail.html", {
        "dossier": dossier,
        "official": official,
        "steps": steps,
        "open_record": record,
        # Hand-off order: a dossier received after hours starts its clock the next morning, after later hand-offs.
        "timeline": sorted(dossier.step_records.all(), key=lambda r: r.pk),
        "action_forms": action_forms,
        "can_take": can_take,
        "overdue": dossier.is_overdue(now),
        "due_soon": dossier.is_due_soon(now, soon),
        "supplement_notice": selectors.supplement_notice_status(dossier, now=now, soon=soon),
        "is_closed": dossier.state in CLOSED_STATES,
        "history": selectors.dossier_history(dossier),
        "notifications": list(notification_selectors.for_dossier(dossier.pk)),
        "national_sync": national_sync_selectors.for_dossier(dossier.pk),
        "print_links": list(printable.values()),
        "receipt_url": printable["01"][1] if "01" in printable else "",
        "refusal_url": printable["03"][1] if "03" in printable else "",
        "tracking_url": _url("tracking:track", dossier.tracking_token),
        "tracking_public_url": links.tracking_url(dossier.tracking_token),
        "pending_extension": pending,
        "can_approve": pending is not None and actions.can_approve_extension(official),
        "approve_extension_form": forms.ApproveExtensionForm(),
        "reject_extension_form": forms.RejectExtensionForm(),
        "error_summary": error_summary(bound),
        "error_title": _("Chưa thực hiện “%(action)s”: xem lỗi bên dưới.") % {
            "action": actions.ACTIONS[bound_name].label} if bound is not None else "",
        "just_received": request.session.pop(JUST_RECEIVED, None) == dossier.pk,
        "receive_url": reverse("dossiers:receive") if actions.may(official, "receive") else "",
    }, status=status)


@require_safe
@staff_required
def detail(request, pk: int):
    return _detail_page(request, _visible_dossier(request, pk))


@require_POST
@staff_required
def act(request, pk: int, action: str):
    """One action of the dossier page: validate its form, call its one service, then back to the page (PRG).
    An invalid form re-renders the page with what was typed and the errors beside the fields."""
    spec = actions.ACTIONS.get(action)
    if spec is None:
        raise Http404
    dossier = _visible_dossier(request, pk)
    steps = selectors.procedure_steps(dossier)
    form = spec.form_class(request.POST, dossier=dossier, official=request.official, steps=steps, prefix=spec.name)
    if not form.is_valid():
        return _detail_page(request, dossier, bound=form, bound_name=spec.name, status=400)
    try:
        spec.run(dossier.pk, request.user, **form.service_kwargs())
    except DossierActionError as error:
        # Refused by the rules (a past date, a stale screen): the panel stays open with what was typed.
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _detail_page(request, _visible_dossier(request, pk), bound=form, bound_name=spec.name, status=400)
    messages.success(request, spec.success)
    return redirect("dossiers:detail", pk=dossier.pk)


def _decide_extension(request, pk: int, form_class, decide, success: str):
    """The leader's decision on a request for more time: one form, one service, back where the leader was."""
    dossier_pk = selectors.extension_dossier_pk(request.official, pk)
    if dossier_pk is None:
        raise Http404
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    else:
        try:
            decide(extension_id=pk, actor=request.user, **form.cleaned_data)
        except DossierActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, success)
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return redirect("dossiers:detail", pk=dossier_pk)


@require_POST
@staff_required
def approve_extension(request, pk: int):
    return _decide_extension(request, pk, forms.ApproveExtensionForm, services.approve_extension,
                             _("Đã phê duyệt gia hạn; công dân thấy ngày hẹn mới khi tra cứu."))


@require_POST
@staff_required
def reject_extension(request, pk: int):
    return _decide_extension(request, pk, forms.RejectExtensionForm, services.reject_extension,
                             _("Đã không chấp thuận gia hạn; ngày hẹn trả giữ nguyên."))
