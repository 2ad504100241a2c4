"""Every read of dossiers a view, report or sibling app needs, with a fixed number of queries.

"Overdue" is derived here from `due_at` and the open states; it is never stored.
"""
import datetime
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from procedures import calendar
from procedures.models import Agency, Official, ProcedureStep
from procedures.roles import GROUP_NAMES, Role

from .models import (
    NATIONAL_STATUS,
    OPEN_STATES,
    PAUSED_STATES,
    Dossier,
    DossierEvent,
    Extension,
    State,
    StepRecord,
)

DUE_SOON_WORKING_DAYS = Decimal(2)
# Open and counting: paused dossiers wait for the citizen, so they are neither overdue nor due soon.
RUNNING_STATES = tuple(state for state in OPEN_STATES if state not in PAUSED_STATES)


def due_soon_limit(agency: Agency, now: datetime.datetime, days: Decimal = DUE_SOON_WORKING_DAYS) -> datetime.datetime:
    return calendar.add_working_time(agency, now, calendar.to_working_time(agency, days, "days"))


def open_dossiers(agency: Agency) -> QuerySet[Dossier]:
    return (
        Dossier.objects.filter(agency=agency, state__in=OPEN_STATES)
        .select_related("procedure", "current_step", "current_assignee")
        .order_by("due_at", "id")
    )


def overdue_dossiers(agency: Agency, now: datetime.datetime | None = None) -> QuerySet[Dossier]:
    now = now or timezone.now()
    return open_dossiers(agency).filter(state__in=RUNNING_STATES, due_at__lt=now)


def due_soon_dossiers(agency: Agency, now: datetime.datetime | None = None) -> QuerySet[Dossier]:
    now = now or timezone.now()
    return open_dossiers(agency).filter(state__in=RUNNING_STATES, due_at__gte=now, due_at__lte=due_soon_limit(agency, now))


def overdue_counts(agency: Agency, now: datetime.datetime | None = None) -> dict[str, list[dict]]:
    """Overdue and due-soon counts per current step and per current assignee, in two queries."""
    now = now or timezone.now()
    soon = due_soon_limit(agency, now)
    base = Dossier.objects.filter(agency=agency, state__in=RUNNING_STATES)
    aggregates = {
        "overdue": Count("id", filter=Q(due_at__lt=now)),
        "due_soon": Count("id", filter=Q(due_at__gte=now, due_at__lte=soon)),
    }
    by_step = (
        base.values("current_step__procedure__code", "current_step__name", "current_step_id")
        .annotate(**aggregates).order_by("-overdue", "current_step__name")
    )
    by_official = (
        base.values("current_assignee_id", "current_assignee__display_name")
        .annotate(**aggregates).order_by("-overdue", "current_assignee__display_name")
    )
    return {"by_step": list(by_step), "by_official": list(by_official)}


def dossier_for_staff(official: Official, pk: int) -> Dossier:
    """One dossier of the official's own agency with everything its page shows; another agency's is DoesNotExist."""
    return (
        Dossier.objects.filter(agency_id=official.agency_id)
        .select_related("procedure__field", "agency", "current_step", "current_assignee", "received_by")
        .prefetch_related(
            "documents",
            Prefetch("step_records", queryset=StepRecord.objects.select_related("step", "assignee", "sender")),
            Prefetch("events", queryset=DossierEvent.objects.select_related("actor", "step")),
            Prefetch("extensions", queryset=Extension.objects.select_related("requested_by", "approved_by")),
            "supplement_requests",
            "payment_requests",
            "result_documents",
        )
        .get(pk=pk)
    )


def dossier_by_token(token: str) -> Dossier:
    """The public tracking read: the dossier behind a QR token with its steps and public events."""
    return (
        Dossier.objects.select_related("procedure", "agency", "current_step")
        .prefetch_related(
            Prefetch("step_records", queryset=StepRecord.objects.select_related("step")),
            Prefetch("events", queryset=DossierEvent.objects.filter(is_public=True).select_related("step")),
            "procedure__steps",
        )
        .get(tracking_token=token)
    )


def officials_for_step(*, agency_id: int, step: ProcedureStep) -> QuerySet[Official]:
    """Active officials of an agency who may take a step: those with its role, and leaders."""
    groups = {GROUP_NAMES[Role(step.role)], GROUP_NAMES[Role.LEADER]}
    return (
        Official.objects.filter(agency_id=agency_id, is_active=True, user__groups__name__in=groups)
        .distinct().order_by("display_name")
    )


def pending_extensions(agency: Agency) -> QuerySet[Extension]:
    return (
        Extension.objects.filter(dossier__agency=agency, status=Extension.Status.PENDING)
        .select_related("dossier__procedure", "requested_by").order_by("requested_at")
    )


# --- the national portal's vocabulary ---------------------------------------------------------------


def _portal_time(value: datetime.datetime | None) -> str | None:
    """Dates as yyyyMMddHHmmss in Vietnam time, as the national portal exchanges them."""
    return timezone.localtime(value).strftime("%Y%m%d%H%M%S") if value else None


def national_status(dossier: Dossier) -> int:
    return NATIONAL_STATUS[State(dossier.state)]


def national_export(dossier: Dossier) -> dict:
    """A dossier and its public events in the national portal's status vocabulary (codes 1–10)."""
    events = dossier.events.filter(is_public=True).select_related("step").order_by("at", "id")
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": dossier.procedure.name,
        "MaCoQuan": dossier.agency.code,
        "KenhThucHien": {"counter": 1, "online": 2, "postal": 3}[dossier.channel],
        "ChuHoSo": dossier.applicant_name,
        "TrangThaiHoSo": national_status(dossier),
        "NgayTiepNhan": _portal_time(dossier.received_at),
        "NgayHenTra": _portal_time(dossier.due_at),
        "NgayCoKetQua": _portal_time(dossier.processed_at),
        "NgayTraKetQua": _portal_time(dossier.returned_at),
        "NgayKetThuc": _portal_time(dossier.closed_at),
        "QuaTrinhXuLy": [
            {
                "SuKien": event.kind,
                "MoTa": str(event.get_kind_display()),
                "ThoiDiem": _portal_time(event.at),
                "BuocXuLy": event.step.name if event.step else None,
                "GhiChu": event.public_note,
            }
            for event in events
        ],
    }
