"""Public statistics (/thong-ke/), the leaders' dashboard and the Mẫu 07 register, with their Excel/CSV exports.

Views are thin: access checks here, every figure from `portal.reports`, charts from `portal.charts`, files from
`portal.exports`. The public pages carry aggregates only (no personal data) and are served from the cache per
agency and language, refreshed in the background (`portal.statistics`, `portal.reports.cache`); anything with applicants' details is for the agency's own staff.
"""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from common.http import public_page
from dossiers import selectors as dossier_selectors
from dossiers import services as dossier_services
from dossiers.models import PersonalDataAccess
from dossiers.pdf import register_log_name
from notifications import selectors as notification_selectors
from procedures.access import load_official
from procedures.models import Agency
from procedures.roles import MANAGER_ROLES

from . import exports, reports, statistics
from .dashboard_forms import DashboardFilterForm
from .reports import channels as channel_stats

# Whole-agency roles may read the register, which holds applicants' names, addresses and phones (the same roles
# as the printed register and as see every dossier: one definition, in dossiers.selectors).
REGISTER_ROLES = dossier_selectors.WHOLE_AGENCY_ROLES
REGISTER_PAGE_SIZE = 50
FORMATS = ("xlsx", "csv")


# --- public statistics ----------------------------------------------------------------------------------


def _agency_or_404(code: str | None) -> Agency | None:
    return get_object_or_404(Agency.objects.only("id", "code", "name"), code=code) if code else None


def _public_export_urls(agency: Agency | None, slug: str) -> dict:
    if agency is None:
        return {fmt: reverse("dashboards:public_export", kwargs={"table": slug, "fmt": fmt}) for fmt in FORMATS}
    return {fmt: reverse("dashboards:agency_export", kwargs={"code": agency.code, "table": slug, "fmt": fmt})
            for fmt in FORMATS}


@require_safe
@public_page(max_age=60)
def public_stats(request, code=None):
    agency = _agency_or_404(code)
    payload = statistics.payload(agency)
    report = payload["report"]
    sections = {slug: {"table": table, "exports": _public_export_urls(agency, slug)}
                for slug, table in report.tables.items()}
    return render(request, "dashboards/public.html", {
        "agency": agency, "report": report, "figures": report.figures, "charts": payload["charts"],
        "agencies": payload["agencies"], "summary": sections["tong-hop"], "months": sections["theo-thang"],
        "fields": sections["theo-linh-vuc"],
        "chain_heads": payload.get("chain_heads", []),  # a payload cached before this key existed
        "chain_heads_json": reverse("dashboards:agency_chain_heads", kwargs={"code": agency.code}) if agency
        else reverse("dashboards:chain_heads"),
    })


@require_safe
@public_page(max_age=60)
def chain_heads(request, code=None):
    """The published audit chain heads as JSON: keep a copy, and any later rewrite of the history shows."""
    agency = _agency_or_404(code)
    heads = dossier_selectors.latest_published_chain_heads(agency.pk if agency else None)
    return JsonResponse({
        "algorithm": "sha256(previous_hash + '\\n' + canonical JSON of the entry); first previous_hash = 64 zeros",
        "heads": [{"agency_code": head.agency.code, "agency_name": head.agency.name,
                   "published_on": head.published_on.isoformat(), "published_at": head.published_at.isoformat(),
                   "entries": head.seq, "head_hash": head.hash} for head in heads],
    }, json_dumps_params={"ensure_ascii": False})


def _export(table: reports.Table, fmt: str, name: str, heading=()):
    filename = f"{name}.{fmt}"
    if fmt == "xlsx":
        return exports.table_xlsx(table, filename, heading=heading)
    return exports.table_csv(table, filename)


@require_safe
def public_export(request, table, fmt, code=None):
    agency = _agency_or_404(code)
    report = statistics.payload(agency)["report"]
    if table not in report.tables or fmt not in FORMATS:
        raise Http404
    scope = agency.code if agency else "toan-bo"
    heading = [agency.name] if agency else []
    return _export(report.tables[table], fmt, f"thong-ke-{table}-{scope}", heading=heading)


# --- access to the staff pages ------------------------------------------------------------------------------


def agency_access(*roles: str):
    """Signed in, and either a superuser (who picks the agency with ?co-quan=<code>) or an active official of
    the agency with one of `roles`. Asking for another agency is refused (403), never silently redirected."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            asked = request.GET.get("co-quan", "").strip()
            if request.user.is_superuser:
                agency = Agency.objects.filter(code=asked).first() if asked else None
                if agency is None:
                    return render(request, "dashboards/choose_agency.html", {
                        "agencies": Agency.objects.order_by("name").only("code", "name"),
                        "target": request.path,
                    })
            else:
                official = load_official(request.user)
                if official is None or not official.has_role(*roles):
                    raise PermissionDenied(_("Trang này dành cho lãnh đạo và quản trị của cơ quan."))
                agency = official.agency
                if asked and asked != agency.code:
                    raise PermissionDenied(_("Bạn chỉ xem được số liệu của cơ quan mình."))
            request.dashboard_agency = agency
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _query(request, **changes) -> str:
    params = request.GET.copy()
    for name, value in changes.items():
        params.pop(name, None)
        if value is not None:
            params[name] = value
    return params.urlencode()


# --- the leaders' dashboard -----------------------------------------------------------------------------


def _leader_tables(agency: Agency, filters: reports.Filters, now, *, overdue_rows=None, due_soon_rows=None) -> dict:
    return {
        "ho-so-theo-buoc": lambda: reports.open_by_step(agency, now),
        "ho-so-theo-can-bo": lambda: reports.open_by_official(agency, now),
        "qua-han": lambda: reports.overdue_table(
            agency, overdue_rows if overdue_rows is not None else list(reports.overdue_rows(agency, now)), now),
        "sap-den-han": lambda: reports.overdue_table(
            agency, due_soon_rows if due_soon_rows is not None else list(reports.due_soon_rows(agency, now)), now,
            slug="sap-den-han", title=_("Hồ sơ sắp đến hạn (trong 2 ngày làm việc)"), late=False),
        "diem-nghen": lambda: reports.step_bottlenecks(agency, filters),
        "danh-gia-can-bo": lambda: reports.official_review(agency, filters),
        "kenh-nop": lambda: channel_stats.channel_table(agency=agency, period=filters.period),
    }


@require_safe
@agency_access(*MANAGER_ROLES)
def leader(request):
    agency = request.dashboard_agency
    now = timezone.now()
    form = DashboardFilterForm(request.GET or None, agency=agency, now=now)
    filters = form.filters()
    overdue_page = Paginator(reports.overdue_rows(agency, now), reports.OVERDUE_PAGE_SIZE).get_page(request.GET.get("trang"))
    due_soon = reports.due_soon_rows(agency, now)
    due_soon_rows = list(due_soon[: reports.OVERDUE_PAGE_SIZE])
    builders = _leader_tables(agency, filters, now, overdue_rows=list(overdue_page.object_list),
                              due_soon_rows=due_soon_rows)
    export_query = _query(request, trang=None)
    sections = {}
    for slug, build in builders.items():
        urls = {fmt: reverse("dashboards:leader_export", kwargs={"table": slug, "fmt": fmt})
                + (f"?{export_query}" if export_query else "") for fmt in FORMATS}
        sections[slug.replace("-", "_")] = {"table": build(), "exports": urls}
    return render(request, "dashboards/leader.html", {
        "agency": agency, "form": form, "filters": filters, "today": reports.today_figures(agency, now),
        "sections": sections, "overdue_page": overdue_page, "due_soon_count": due_soon.count(),
        "page_query": _query(request, trang=None), "chosen_agency": agency.code if request.user.is_superuser else "",
        "notifications": notification_selectors.outcome_table(
            agency_id=agency.pk, since=filters.period.start, until=filters.period.end),
        "audit_check": dossier_selectors.last_audit_verification(agency.pk),
    })


@require_safe
@agency_access(*MANAGER_ROLES)
def leader_export(request, table, fmt):
    agency = request.dashboard_agency
    now = timezone.now()
    builders = _leader_tables(agency, DashboardFilterForm(request.GET or None, agency=agency, now=now).filters(), now)
    if table not in builders or fmt not in FORMATS:
        raise Http404
    return _export(builders[table](), fmt, f"{table}-{agency.code}", heading=[agency.name])


# --- Mẫu 07: Sổ theo dõi hồ sơ ---------------------------------------------------------------------------


@require_safe
@agency_access(*REGISTER_ROLES)
def register(request):
    agency = request.dashboard_agency
    form = DashboardFilterForm(request.GET or None, agency=agency)
    period = form.filters().period
    page = Paginator(reports.register_dossiers(agency, period), REGISTER_PAGE_SIZE).get_page(request.GET.get("trang"))
    columns = reports.register_columns()
    table = reports.Table("mau-07", _("Sổ theo dõi hồ sơ"), columns,
                        list(reports.register_rows(agency, period, page.object_list)))
    dossier_services.record_access(
        user=request.user, agency_id=agency.pk, kind=PersonalDataAccess.Kind.REGISTER,
        what=register_log_name(period.first, period.last, _("trang %(number)s") % {"number": page.number}))
    query = _query(request, trang=None)
    return render(request, "dashboards/register.html", {
        "agency": agency, "form": form, "period": period, "page": page, "table": table,
        "exports": {fmt: reverse("dashboards:register_export", kwargs={"fmt": fmt}) + (f"?{query}" if query else "")
                    for fmt in FORMATS},
        "page_query": query, "chosen_agency": agency.code if request.user.is_superuser else "",
    })


@require_safe
@agency_access(*REGISTER_ROLES)
def register_export(request, fmt):
    agency = request.dashboard_agency
    if fmt not in FORMATS:
        raise Http404
    period = DashboardFilterForm(request.GET or None, agency=agency).filters().period
    rows = reports.register_rows(agency, period, reports.register_dossiers(agency, period).iterator(chunk_size=2000))
    columns = reports.register_columns()
    filename = f"so-theo-doi-ho-so-{agency.code}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.{fmt}"
    dossier_services.record_access(user=request.user, agency_id=agency.pk, kind=PersonalDataAccess.Kind.EXPORT,
                                   what=register_log_name(period.first, period.last, fmt.upper()))
    if fmt == "csv":
        return exports.csv_response(filename, columns, rows)
    heading = [agency.name, _("SỔ THEO DÕI HỒ SƠ (Mẫu số 07)"),
               _("Từ ngày %(first)s đến ngày %(last)s") % {"first": f"{period.first:%d/%m/%Y}",
                                                          "last": f"{period.last:%d/%m/%Y}"}]
    return exports.xlsx_response(filename, [(_("Sổ theo dõi hồ sơ"), columns, rows, {"heading": heading})])
