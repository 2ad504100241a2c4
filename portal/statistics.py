"""The public statistics page's figures, tables and charts as one cached payload (`reports.cache`), shared by the
page, its exports, the API and the background refresh (`portal.tasks.refresh_public_statistics`)."""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dossiers import selectors as dossier_selectors
from procedures.models import Agency

from . import charts, reports
from .reports import cache as reports_cache


def _public_charts(report: reports.PublicReport) -> list:
    labels = [f"{month:%m/%Y}" for month, _figures in report.months]
    figures = [item for _month, item in report.months]
    processed = charts.bar_chart(
        "chart-processed", _("Hồ sơ đã giải quyết theo tháng"), labels,
        [charts.Series(_("Trước hạn"), [f.before for f in figures], "ok"),
         charts.Series(_("Đúng hạn"), [f.on_time for f in figures], "primary"),
         charts.Series(_("Quá hạn"), [f.late for f in figures], "late")],
        table_id="table-theo-thang")
    rates = charts.line_chart(
        "chart-rates", _("Tỉ lệ đúng hạn và tỉ lệ hài lòng theo tháng"), labels,
        [charts.Series(_("Tỉ lệ đúng hạn"), [f.on_time_rate for f in figures], "primary"),
         charts.Series(_("Tỉ lệ hài lòng"), [f.satisfaction_rate for f in figures], "ok")],
        maximum=100, table_id="table-theo-thang")
    return [processed, rates]


def compute(agency: Agency | None) -> dict:
    """The page's payload computed now, in the active language."""
    report = reports.public_report(agency)
    return {
        "report": report,
        "charts": _public_charts(report),
        "agencies": [] if agency else list(Agency.objects.order_by("name").values_list("code", "name")),
        # A publication bumps this cache (portal/apps.py), so a new head shows at once.
        "chain_heads": dossier_selectors.latest_published_chain_heads(agency.pk if agency else None),
    }


def refresh(agency_id: int | None, language: str) -> None:
    """Compute and store the payload (the background task's work; the language is already active)."""
    agency = Agency.objects.only("id", "code", "name").get(pk=agency_id) if agency_id is not None else None
    started = timezone.now()
    reports_cache.store(reports_cache.public_key(agency_id, language), compute(agency), started)


def payload(agency: Agency | None) -> dict:
    """The last computed payload, refreshed in the background when older than a minute (`reports.cache`)."""
    from .tasks import refresh_public_statistics  # the task module imports this one

    agency_id, language = (agency.pk if agency else None), get_language()
    return reports_cache.serve(lambda: reports_cache.public_key(agency_id, language), lambda: compute(agency),
                               lambda: refresh_public_statistics.delay(agency_id, language))
