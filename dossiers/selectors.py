"""Every read of dossiers a view, report or sibling app needs, with a fixed number of queries.

"Overdue" is derived here from `due_at` and the open states; it is never stored.
"""
import datetime
import hmac
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.clock import VN
from common.text import fold
from procedures import calendar
from procedures.inputs import is_ascii_number
from procedures.models import Agency, Field, Official, Procedure, ProcedureStep
from procedures.roles import GROUP_NAMES, Role

from .models import (
    ON_HAND_STATES,
    OPEN_STATES,
    PAUSED_STATES,
    RUNNING_STATES,
    AuditVerification,
    CounterGuidance,
    Dossier,
    DossierEvent,
    Extension,
    IssuedLetter,
    PublishedChainHead,
    ResultDocument,
    State,
    StepRecord,
    SupplementRequest,
    due_soon_q,
    overdue_q,
)
from .validators import normalize_phone

DUE_SOON_WORKING_DAYS = Decimal(2)


def due_soon_limit(agency: Agency, now: datetime.datetime, days: Decimal = DUE_SOON_WORKING_DAYS) -> datetime.datetime:
    return calendar.add_working_time(agency, now, calendar.to_working_time(agency, days, "days"))


# Where a supplement may still be requested (Mẫu 02 after reception): before the dossier is paused or ended.
SUPPLEMENT_NOTICE_STATES = (State.RECEIVED, State.IN_PROGRESS)


def supplement_notice_warning(*, now: datetime.datetime, soon: datetime.datetime) -> Q:
    """The 3-working-day window to request a supplement (docs/ARCHITECTURE.md, "Time") closes before `soon`, or
    has closed, and no supplement has been requested yet: the specialist is warned while it can still matter."""
    return (
        Q(state__in=SUPPLEMENT_NOTICE_STATES, supplement_notice_due_at__lte=soon, supplement_notice_due_at__gte=now)
        & ~Exists(SupplementRequest.objects.filter(dossier=OuterRef("pk")))
    )


def supplement_notice_status(dossier: Dossier, *, now: datetime.datetime, soon: datetime.datetime) -> str:
    """For the dossier page: "late" once the window closed with no request, "soon" as it closes, else ""."""
    due = dossier.supplement_notice_due_at
    if due is None or dossier.state not in SUPPLEMENT_NOTICE_STATES or dossier.supplement_requests.all():
        return ""
    if now > due:
        return "late"
    return "soon" if due <= soon else ""


def open_dossiers(agency: Agency) -> QuerySet[Dossier]:
    return (
        Dossier.objects.filter(agency=agency, state__in=OPEN_STATES)
        .select_related("procedure", "current_step", "current_assignee")
        .order_by("due_at", "id")
    )


def overdue_dossiers(agency: Agency, now: datetime.datetime | None = None) -> QuerySet[Dossier]:
    now = now or timezone.now()
    return open_dossiers(agency).overdue(now)


def due_soon_dossiers(agency: Agency, now: datetime.datetime | None = None) -> QuerySet[Dossier]:
    now = now or timezone.now()
    return open_dossiers(agency).due_soon(now, due_soon_limit(agency, now))


def dossier_for_staff(official: Official, pk: int) -> Dossier:
    """One dossier the official may see (`visible_dossiers`) with everything its page and its printed forms show;
    any other, of this agency or another, is DoesNotExist."""
    return _with_page_data(visible_dossiers(official)).get(pk=pk)


def dossier_for_citizen_forms(pk: int) -> Dossier:
    """A dossier with what its printed forms read, for the forms sent to an online applicant (the caller has
    checked the citizen's token: online.public_views)."""
    return _with_page_data(Dossier.objects.all()).get(pk=pk)


def _with_page_data(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return (
        dossiers
        .select_related("procedure__field", "agency", "current_step", "current_assignee", "received_by")
        .prefetch_related(
            "documents",
            Prefetch("step_records", queryset=StepRecord.objects.select_related("step", "assignee", "sender")),
            Prefetch("events", queryset=DossierEvent.objects.select_related("actor", "step")),
            Prefetch("extensions", queryset=Extension.objects.select_related("requested_by", "approved_by")),
            Prefetch("letters", queryset=IssuedLetter.objects.select_related("signer")),
            "supplement_requests",
            "payment_requests",
            "result_documents",
        )
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


def portal_time(value: datetime.datetime | None) -> str | None:
    """Dates as yyyyMMddHHmmss in Vietnam time, as the national portal exchanges them."""
    return timezone.localtime(value).strftime("%Y%m%d%H%M%S") if value else None


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
        "TrangThaiHoSo": dossier.national_status,
        "NgayTiepNhan": portal_time(dossier.received_at),
        "NgayHenTra": portal_time(dossier.due_at),
        "NgayCoKetQua": portal_time(dossier.processed_at),
        "NgayTraKetQua": portal_time(dossier.returned_at),
        "NgayKetThuc": portal_time(dossier.closed_at),
        "QuaTrinhXuLy": [
            {
                "SuKien": event.kind,
                "MoTa": str(event.get_kind_display()),
                "ThoiDiem": portal_time(event.at),
                "BuocXuLy": event.step.name if event.step else None,
                "GhiChu": event.public_note,
            }
            for event in events
        ],
    }


# --- the counter and back office (staff worklist, reception, dossier page) ----------------------------


class WorklistTab(models.TextChoices):
    MINE = "mine", _("Của tôi")
    OPEN = "open", _("Tất cả đang giải quyết")
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    OVERDUE = "overdue", _("Quá hạn")
    WAITING_CITIZEN = "waiting", _("Chờ công dân")
    AWAITING_RETURN = "to_return", _("Chờ trả kết quả")
    ALL = "all", _("Tất cả hồ sơ")


# Roles that see every dossier of their agency; a specialist alone sees what is, or was, assigned to them.
WHOLE_AGENCY_ROLES = (Role.RECEPTION, Role.LEADER, Role.AGENCY_ADMIN)


def sees_whole_agency(official: Official) -> bool:
    return official.has_role(*WHOLE_AGENCY_ROLES)


def worklist_tabs(official: Official) -> list[WorklistTab]:
    """The tabs an official gets: "all open at the agency" is for clerks and leaders only."""
    if sees_whole_agency(official):
        return list(WorklistTab)
    return [tab for tab in WorklistTab if tab != WorklistTab.OPEN]


def _my_queue(official: Official) -> Q:
    """Held by me, or waiting unassigned at a step whose role I have."""
    return Q(current_assignee=official) | Q(current_assignee__isnull=True, current_step__role__in=sorted(official.roles))


def visible_dossiers(official: Official) -> QuerySet[Dossier]:
    """THE rule of who may see a dossier, in any format (its page, its actions, every printed form, the admin):
    an official sees only their own agency's dossiers; clerks, leaders and the agency admin see all of them; a
    specialist alone sees what is queued for, held by or was handled by them. Every staff read of one dossier
    starts here, so a new page or PDF cannot forget it (tests/security/test_access_control.py walks every URL)."""
    dossiers = Dossier.objects.filter(agency_id=official.agency_id)
    if sees_whole_agency(official):
        return dossiers
    handled = StepRecord.objects.filter(dossier=OuterRef("pk")).filter(Q(assignee=official) | Q(sender=official))
    return dossiers.filter(_my_queue(official) | Q(Exists(handled)))


def _tab_filters(official: Official, now: datetime.datetime, soon: datetime.datetime) -> dict[str, Q]:
    """One Q per tab; the deadline tabs use the same definitions as `overdue_dossiers` / `due_soon_dossiers`."""
    return {
        WorklistTab.MINE: Q(state__in=OPEN_STATES) & _my_queue(official),
        WorklistTab.OPEN: Q(state__in=OPEN_STATES),
        WorklistTab.DUE_SOON: due_soon_q(now, soon),
        WorklistTab.OVERDUE: overdue_q(now),
        WorklistTab.WAITING_CITIZEN: Q(state__in=PAUSED_STATES),
        WorklistTab.AWAITING_RETURN: Q(state=State.PROCESSED),
        WorklistTab.ALL: Q(),
    }


@dataclass(frozen=True)
class WorklistFilters:
    query: str = ""
    procedure_id: int | None = None
    field_id: int | None = None
    state: str = ""
    received_from: datetime.date | None = None
    received_to: datetime.date | None = None


def _search_q(query: str) -> Q:
    """Code, applicant name or procedure name (accents ignored, every word), phone or ID number."""
    query = " ".join((query or "").split())
    if not query:
        return Q()
    match = Q(code__icontains=query)
    words = fold(query).split()
    if words:
        name = procedure = Q()
        for word in words:
            name &= Q(applicant_name_search__contains=word)
            procedure &= Q(procedure__search_text__contains=word)
        match |= name | procedure
    digits = normalize_phone(query)
    if is_ascii_number(digits) and len(digits) >= 4:
        match |= Q(applicant_phone__contains=digits) | Q(applicant_id_number__contains=digits)
    return match


def _filtered(official: Official, filters: WorklistFilters) -> QuerySet[Dossier]:
    dossiers = visible_dossiers(official)
    if filters.query:
        dossiers = dossiers.filter(_search_q(filters.query))
    if filters.procedure_id:
        dossiers = dossiers.filter(procedure_id=filters.procedure_id)
    if filters.field_id:
        dossiers = dossiers.filter(procedure__field_id=filters.field_id)
    if filters.state:
        dossiers = dossiers.filter(state=filters.state)
    if filters.received_from:
        dossiers = dossiers.filter(received_at__gte=calendar.start_of_day(filters.received_from))
    if filters.received_to:
        dossiers = dossiers.filter(received_at__lt=calendar.start_of_day(filters.received_to + datetime.timedelta(days=1)))
    return dossiers


# The "all" tab, unless a search or a reception date asks for more: what is on hand plus what was received in the
# last RECENT_DAYS (a month covers nearly every dossier finished lately); older ones are a reception-date filter away.
RECENT_DAYS = 30
# Above this, the "all" tab says "1000+": an exact figure would count a whole history a clerk never pages through.
ALL_COUNT_CAP = 1000


def recent_since(now: datetime.datetime) -> datetime.date:
    """The first reception day the "all" tab shows by default."""
    return timezone.localdate(now) - datetime.timedelta(days=RECENT_DAYS)


def all_tab_is_recent(filters: WorklistFilters) -> bool:
    """A search or a reception date looks through the whole history; anything else sees the recent window."""
    return not (filters.query or filters.received_from or filters.received_to)


@dataclass(frozen=True)
class RecentWindow:
    """The "all" tab's default window, and the month before it as the reception-date filters that show it."""

    since: datetime.date
    older_from: datetime.date
    older_to: datetime.date


def all_tab_window(filters: WorklistFilters, now: datetime.datetime) -> RecentWindow | None:
    """The window the "all" tab shows under these filters (None: the whole history, for a search or a date)."""
    if not all_tab_is_recent(filters):
        return None
    since = recent_since(now)
    return RecentWindow(since, since - datetime.timedelta(days=RECENT_DAYS), since - datetime.timedelta(days=1))


def _all_tab_parts(official: Official, filters: WorklistFilters, now: datetime.datetime) -> list[QuerySet[Dossier]]:
    """The "all" tab as parts to put together in UNION ALL. The recent window is two, each read from an index in
    the tab's order (on hand: dossier_on_hand_due_idx; received lately, so due lately: dossier_agency_due_idx from
    the window's start): one OR of them would make PostgreSQL walk the agency's history in due order, or sort it."""
    dossiers = _filtered(official, filters).order_by()
    if not all_tab_is_recent(filters):
        return [dossiers]
    start = calendar.start_of_day(recent_since(now))
    # due_at >= received_at (a constraint), so the bound on due_at is implied; it is what the index starts from.
    recent = dossiers.filter(received_at__gte=start, due_at__gte=start).exclude(state__in=ON_HAND_STATES)
    return [dossiers.filter(state__in=ON_HAND_STATES), recent]


def _union(parts: list[QuerySet]) -> QuerySet:
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def worklist_counts(official: Official, filters: WorklistFilters = WorklistFilters(),
                    now: datetime.datetime | None = None, soon: datetime.datetime | None = None) -> dict[str, int]:
    """How many dossiers each tab holds under the same filters: one aggregate over the dossiers on hand (index
    dossier_on_hand_due_idx) for every tab but "all", and one count of the "all" tab that stops past ALL_COUNT_CAP
    (a value above the cap means "more than the cap")."""
    now = now or timezone.now()
    tab_filters = _tab_filters(official, now, soon or due_soon_limit(official.agency, now))
    tabs = [tab for tab in worklist_tabs(official) if tab != WorklistTab.ALL]
    counts = _filtered(official, filters).filter(state__in=ON_HAND_STATES).aggregate(
        **{str(tab.value): Count("id", filter=tab_filters[tab]) for tab in tabs}
    )
    parts = [part.values("id") for part in _all_tab_parts(official, filters, now)]
    counts[WorklistTab.ALL.value] = _union(parts)[:ALL_COUNT_CAP + 1].count()
    return counts


def _with_row_flags(dossiers: QuerySet[Dossier], now: datetime.datetime, soon: datetime.datetime) -> QuerySet[Dossier]:
    return dossiers.select_related("procedure", "current_step", "current_assignee").annotate(
        overdue=overdue_q(now),
        due_soon=due_soon_q(now, soon),
        supplement_notice_soon=supplement_notice_warning(now=now, soon=soon),
    )


def worklist(official: Official, tab: str, filters: WorklistFilters = WorklistFilters(),
             now: datetime.datetime | None = None, soon: datetime.datetime | None = None) -> QuerySet[Dossier]:
    """One tab but "all" (`worklist_all_page`) of the worklist, soonest appointment first, with the flags its rows
    show; all of them are on hand, so an OFFSET page is cheap."""
    now = now or timezone.now()
    soon = soon or due_soon_limit(official.agency, now)
    dossiers = _filtered(official, filters).filter(_tab_filters(official, now, soon)[WorklistTab(tab)])
    return _with_row_flags(dossiers, now, soon).order_by("due_at", "id")


@dataclass(frozen=True)
class KeysetPage:
    """A page of the "all" tab, which may span an agency's history: it starts after (or ends before) the row of a
    dossier id, in the order (due_at, id), so no page costs more than its rows (no OFFSET, no total)."""

    object_list: list
    number: int
    after: int | None  # the cursor of the next page, if there is one
    before: int | None  # the cursor of the previous page, if there is one


def worklist_all_page(official: Official, filters: WorklistFilters = WorklistFilters(), *,
                      after: int | None = None, before: int | None = None, number: int = 1, size: int = 25,
                      now: datetime.datetime | None = None, soon: datetime.datetime | None = None) -> KeysetPage:
    """The "all" tab's page that follows dossier `after`, or precedes dossier `before` (the first page without
    either), in one query: the cursor's due date is read inside it."""
    now = now or timezone.now()
    soon = soon or due_soon_limit(official.agency, now)
    cursor = after or before

    def shape(dossiers):
        dossiers = _with_row_flags(dossiers, now, soon)
        if not cursor:
            return dossiers
        due = Subquery(Dossier.objects.filter(pk=cursor).order_by().values("due_at")[:1])
        # The bound on due_at alone is what an index scan can start from; the id breaks ties within it.
        if after:
            return dossiers.filter(Q(due_at__gt=due) | Q(due_at=due, id__gt=cursor), due_at__gte=due)
        return dossiers.filter(Q(due_at__lt=due) | Q(due_at=due, id__lt=cursor), due_at__lte=due)

    backward = bool(before and not after)
    order = ("-due_at", "-id") if backward else ("due_at", "id")
    parts = [shape(part).order_by(*order) for part in _all_tab_parts(official, filters, now)]
    if len(parts) > 1 and connection.features.supports_slicing_ordering_in_compound:
        # Each part stops after a page (PostgreSQL: a LIMIT on each index scan), not after all of its rows.
        parts = [part[:size + 1] for part in parts]
    elif len(parts) > 1:
        parts = [part.order_by() for part in parts]  # SQLite orders only the compound as a whole
    rows = list(_union(parts).order_by(*order)[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
        # Back at the start, whatever page number the link carried.
        return KeysetPage(rows, max(number, 2) if more else 1, after=rows[-1].pk if rows else None,
                          before=rows[0].pk if more else None)
    return KeysetPage(rows, max(number, 1), after=rows[-1].pk if more else None,
                      before=rows[0].pk if cursor and rows else None)


# A scanner types the QR's tracking URL (…/t/<token>/) or the bare token; a clerk may type a full code.
_SCANNED_TOKEN = re.compile(r"(?:^|/t/)([A-Za-z0-9_-]{8,32})/?$")


def dossier_pk_for_scan(official: Official, text: str) -> int | None:
    """The dossier of the official's agency whose exact code, tracking URL or token was typed, if any."""
    text = (text or "").strip()
    if not text or " " in text:
        return None
    # Codes are upper case (agency codes are, by their validator): an exact match reads the unique index, where
    # iexact (UPPER(code)) would read every dossier of the agency.
    match = Q(code__in={text, text.upper()})
    token = _SCANNED_TOKEN.search(text)
    if token:
        match |= Q(tracking_token=token.group(1))
    visible = visible_dossiers(official)
    pks = list(visible.filter(match).values_list("pk", flat=True)[:2])
    return pks[0] if len(pks) == 1 else None


def worklist_procedures(official: Official) -> QuerySet[Procedure]:
    """Procedures of the official's agency, active or not, for the worklist filter."""
    return Procedure.objects.filter(agencies=official.agency_id).only("id", "code", "name").order_by("sort_name", "code")


def worklist_fields(official: Official) -> QuerySet[Field]:
    return Field.objects.filter(procedures__agencies=official.agency_id).distinct().order_by("name")


def reception_procedures(official: Official, query: str = "") -> QuerySet[Procedure]:
    """The agency's active procedures for the counter's picker, filtered by every word of `query` (accents ignored)."""
    procedures = Procedure.objects.filter(is_active=True, agencies=official.agency_id)
    for word in fold(query).split():
        procedures = procedures.filter(search_text__contains=word)
    return procedures.only("id", "code", "name", "search_text").order_by("sort_name", "code")


def procedure_for_reception(official: Official, pk) -> Procedure | None:
    """One active procedure of the agency with its required documents and steps, or None."""
    return (
        Procedure.objects.filter(is_active=True, agencies=official.agency_id, pk=pk)
        .select_related("field")
        .prefetch_related("required_documents", "steps")
        .first()
    )


def extension_dossier_pk(official: Official, extension_pk: int) -> int | None:
    return (
        Extension.objects.filter(pk=extension_pk, dossier__in=visible_dossiers(official).values("pk"))
        .values_list("dossier_id", flat=True).first()
    )


def dossier_history(dossier: Dossier) -> list:
    """The audit trail of the dossier row (simple-history): who changed it, when and why."""
    return list(
        Dossier.history.filter(id=dossier.pk)
        .select_related("history_user__official")
        .order_by("history_date", "history_id")
    )


def procedure_steps(dossier: Dossier) -> list[ProcedureStep]:
    return list(dossier.procedure.steps.order_by("order"))


# --- public reads: tracking page, lookup by code, result verification ----------------------------------------


@dataclass(frozen=True)
class CitizenTask:
    """What the citizen must do next and by when, as the tracking page says it (None of these: nothing to do)."""

    kind: str  # "supplement", "payment", "collect" or "wait"
    deadline: datetime.date | datetime.datetime | None = None
    missing: str = ""
    amount: Decimal | None = None
    description: str = ""


def citizen_task(dossier: Dossier) -> CitizenTask | None:
    """The citizen's next move, from the dossier's open supplement request or payment, or its result (one query
    while the dossier waits for the citizen, none otherwise)."""
    if dossier.state == State.SUPPLEMENT_REQUESTED:
        request = dossier.supplement_requests.filter(fulfilled_at__isnull=True).order_by("-requested_at").first()
        if request is not None:
            return CitizenTask("supplement", deadline=request.reply_by, missing=request.missing)
    if dossier.state == State.AWAITING_PAYMENT:
        payment = dossier.payment_requests.filter(paid_at__isnull=True).order_by("-requested_at").first()
        if payment is not None:
            return CitizenTask("payment", amount=payment.amount, description=payment.description)
    if dossier.state == State.PROCESSED:
        return CitizenTask("collect", deadline=dossier.processed_at)
    if dossier.state in (State.RECEIVED, State.IN_PROGRESS):
        return CitizenTask("wait", deadline=dossier.due_at)
    return None


@dataclass(frozen=True)
class PublicStep:
    """One row of the citizen's timeline: a procedure step and how far the dossier got with it."""

    order: int
    name: str
    status: str  # "done", "current", "closed" (processing ended there), "pending" (not reached yet)
    started_at: datetime.datetime | None = None
    finished_at: datetime.datetime | None = None
    due_at: datetime.datetime | None = None
    timeliness: str | None = None  # Timeliness of a finished step
    overdue: bool = False  # the current step is past its deadline and its clock is running


def public_timeline(dossier: Dossier, now: datetime.datetime | None = None) -> list[PublicStep]:
    """The procedure's steps in order with the latest record of each, from `dossier_by_token`'s prefetch (no
    query). A step after the current one is pending even if it was done before a send-back: it will be done again."""
    now = now or timezone.now()
    latest: dict[int, StepRecord] = {}
    for record in dossier.step_records.all():  # ordered by start, so the last one wins
        latest[record.step_id] = record
    current = dossier.current_step if dossier.is_open else None
    rows = []
    for step in dossier.procedure.steps.all():
        record = latest.get(step.pk)
        if record is None or (current is not None and step.order > current.order):
            rows.append(PublicStep(order=step.order, name=step.name, status="pending"))
            continue
        timing = dict(started_at=record.started_at, finished_at=record.finished_at, due_at=record.due_at)
        if current is not None and step.pk == current.pk:
            overdue = not dossier.is_paused and record.finished_at is None and record.due_at < now
            rows.append(PublicStep(order=step.order, name=step.name, status="current", overdue=overdue, **timing))
        elif record.outcome == StepRecord.Outcome.CLOSED:
            rows.append(PublicStep(order=step.order, name=step.name, status="closed", **timing))
        else:
            rows.append(PublicStep(order=step.order, name=step.name, status="done", timeliness=record.timeliness,
                                   **timing))
    return rows


def tracking_token_for_lookup(*, code: str, last_digits: str) -> str | None:
    """The tracking token of the dossier with this code whose applicant's phone or ID number ends with
    `last_digits`; None for an unknown code and for a wrong pair alike (a code alone never shows a dossier)."""
    code = (code or "").strip()
    if not code or len(last_digits or "") != 4:
        return None
    row = (
        Dossier.objects.filter(code__in={code, code.upper()})
        .values("tracking_token", "applicant_phone", "applicant_id_number")
        .first()
    )
    if row is None:
        return None
    return row["tracking_token"] if last_digits_match(last_digits, row["applicant_phone"],
                                                      row["applicant_id_number"]) else None


def last_digits_match(last_digits: str, *numbers: str) -> bool:
    """Whether one of `numbers` (a phone, an ID number) ends with the 4 `last_digits` a citizen typed to prove a code
    is theirs. Every comparison runs, in constant time, so the answer's timing says nothing about which matched."""
    tails = ["".join(filter(str.isdigit, number or ""))[-4:] for number in numbers]
    # On bytes: compare_digest raises on non-ASCII text, and an error only for known codes told that they exist.
    typed = (last_digits or "").encode()
    matches = [hmac.compare_digest(tail.rjust(4, "#").encode(), typed) for tail in tails]
    return any(matches)


def result_document_by_copy_digest(sha256: str) -> ResultDocument | None:
    """The registered result document whose signed electronic copy is byte for byte this file, if any."""
    return (ResultDocument.objects.select_related("dossier__agency").filter(electronic_copy_sha256=sha256)
            .exclude(electronic_copy_sha256="").first())


def result_document_by_token(token: str) -> ResultDocument:
    """The public verification read: a registered result document with its dossier, procedure and agency."""
    return ResultDocument.objects.select_related("dossier__procedure", "dossier__agency").get(verification_token=token)


def result_document_for_staff(official: Official, pk: int) -> ResultDocument:
    """A result document of a dossier of the official's agency that the official may see; else DoesNotExist."""
    return ResultDocument.objects.select_related("dossier__agency", "dossier__procedure").get(
        pk=pk, dossier__in=visible_dossiers(official).values("pk"))


# --- reads for the satisfaction app (ratings of a dossier and of its officials) ----------------------------


# A rating is offered once the outcome is final for the citizen: result returned, refused or stopped.
RATEABLE_STATES = (State.RETURNED, State.REFUSED, State.REJECTED, State.STOPPED)


def is_rateable(dossier: Dossier) -> bool:
    return dossier.state in RATEABLE_STATES


def dossier_for_rating(token: str) -> Dossier:
    """The dossier behind a tracking token, with what its rating page shows (no applicant data is needed)."""
    return Dossier.objects.select_related("procedure", "agency").get(tracking_token=token)


def officials_who_handled(dossier_id: int) -> QuerySet[Official]:
    """Everyone who handled a dossier: whoever received it and every assignee of its step records."""
    handled = StepRecord.objects.filter(dossier_id=dossier_id, assignee=OuterRef("pk"))
    return (
        Official.objects.filter(Q(received_dossiers__id=dossier_id) | Q(Exists(handled)))
        .distinct().order_by("display_name", "pk")
    )


# --- printed forms (Mẫu 07 register, officials' placards) ---------------------------------------------


def _registered(agency_id: int) -> QuerySet[Dossier]:
    """Every dossier of the agency's Sổ theo dõi hồ sơ (Mẫu 07): refused dossiers were never received."""
    return Dossier.objects.filter(agency_id=agency_id).exclude(state=State.REFUSED)


@dataclass(frozen=True)
class RegisterEntry:
    """Where a dossier stands in the agency's register: "Vào Sổ theo dõi hồ sơ, Quyển số …, Số thứ tự …"
    (Mẫu 01). One book per calendar year of reception (Vietnam time); the sequence is the dossier's position among
    the agency's registered dossiers of that year, in order of reception. Mẫu 01 and Mẫu 07 both read it here."""

    book: int
    number: int


def register_book(instant: datetime.datetime) -> int:
    return timezone.localtime(instant, timezone.get_default_timezone()).year


def _book_start(book: int) -> datetime.datetime:
    return calendar.start_of_day(datetime.date(book, 1, 1))


def register_entry(dossier: Dossier) -> RegisterEntry:
    """The register reference of one received dossier (one query)."""
    book = register_book(dossier.received_at)
    earlier = _registered(dossier.agency_id).filter(received_at__gte=_book_start(book)).filter(
        Q(received_at__lt=dossier.received_at) | Q(received_at=dossier.received_at, id__lte=dossier.pk)
    )
    return RegisterEntry(book, earlier.count())


def register_entries(*, agency_id: int, start: datetime.datetime, end: datetime.datetime) -> dict[int, RegisterEntry]:
    """The register reference of every dossier received in [start, end), by dossier id: one query for the ids and
    one count per book the range touches, whatever the number of rows."""
    entries, last = {}, {}
    received = (_registered(agency_id).filter(received_at__gte=start, received_at__lt=end)
                .order_by("received_at", "id").values_list("id", "received_at"))
    for pk, received_at in received.iterator(chunk_size=5000):
        book = register_book(received_at)
        if book not in last:
            last[book] = _registered(agency_id).filter(received_at__gte=_book_start(book), received_at__lt=start).count()
        last[book] += 1
        entries[pk] = RegisterEntry(book, last[book])
    return entries


def register_dossiers(*, agency_id: int, start: datetime.datetime, end: datetime.datetime,
                      procedure_id: int | None = None) -> QuerySet[Dossier]:
    """Sổ theo dõi hồ sơ (Mẫu 07): the dossiers an agency received in [start, end), oldest first (index agency,
    received_at), with the instant each was first handed on from reception ("chuyển hồ sơ đến cơ quan giải
    quyết", the start of the second step record) read in the same query."""
    dossiers = _registered(agency_id).filter(received_at__gte=start, received_at__lt=end)
    if procedure_id is not None:
        dossiers = dossiers.filter(procedure_id=procedure_id)
    forwarded = StepRecord.objects.filter(dossier=OuterRef("pk")).order_by("started_at", "id").values("started_at")
    return (dossiers.select_related("procedure", "agency").annotate(forwarded_at=Subquery(forwarded[1:2]))
            .order_by("received_at", "id"))


def agency_official(*, agency_id: int, pk: int) -> Official:
    """An active official of the agency (for their placard); another agency's is DoesNotExist."""
    return Official.objects.select_related("agency", "department").get(agency_id=agency_id, pk=pk, is_active=True)


def counter_guidance_for_staff(official: Official, pk: int) -> CounterGuidance:
    """A guidance slip the official may see (`visible_guidance`), with what Mẫu 02 prints; any other is DoesNotExist."""
    return visible_guidance(official).select_related("agency__parent", "procedure", "official").get(pk=pk)


def visible_guidance(official: Official) -> QuerySet[CounterGuidance]:
    """Guidance slips (Mẫu 02 of a dossier not received) the official may see: their agency's for the
    whole-agency roles, only their own for anyone else."""
    slips = CounterGuidance.objects.filter(agency_id=official.agency_id)
    return slips if sees_whole_agency(official) else slips.filter(official=official)


def rateable_dossiers(agency: Agency) -> QuerySet[Dossier]:
    """The agency's dossiers a citizen may rate, oldest first (the satisfaction demo rates some of them)."""
    return Dossier.objects.filter(agency=agency, state__in=RATEABLE_STATES).order_by("received_at", "id")


def open_step_record(dossier: Dossier) -> StepRecord | None:
    """The step the dossier is in now, with its holder (the notifications of a hand-off read it)."""
    return (dossier.step_records.filter(finished_at__isnull=True).select_related("step", "assignee__user")
            .order_by("-started_at", "-pk").first())


def held_open_steps() -> QuerySet[StepRecord]:
    """Open steps with a named holder on running (not paused) dossiers, for the daily reminders."""
    return (StepRecord.objects.filter(finished_at__isnull=True, assignee__isnull=False,
                                      dossier__state__in=RUNNING_STATES)
            .select_related("step", "assignee__user", "dossier__agency", "dossier__procedure")
            .order_by("due_at"))


# --- the audit chain (dossiers.audit) ---------------------------------------------------------------------------


def latest_published_chain_heads(agency_id: int | None = None) -> list[PublishedChainHead]:
    """Each agency's most recent published chain head (one query), for the public statistics page and its JSON."""
    newest = PublishedChainHead.objects.filter(agency=OuterRef("agency")).order_by("-published_on").values("pk")[:1]
    heads = PublishedChainHead.objects.filter(pk=Subquery(newest)).select_related("agency").order_by("agency__name")
    return list(heads.filter(agency_id=agency_id) if agency_id else heads)


def last_audit_verification(agency_id: int) -> AuditVerification | None:
    """The latest `verify_audit` run over the agency's chain, for the leader dashboard."""
    return AuditVerification.objects.filter(agency_id=agency_id).order_by("-ran_at").first()


def timeliness_class(prefix: str = ""):
    """-1 before, 0 on time, 1 late: `models.timeliness_of` as one SQL CASE, for reports and scorecards that
    count timeliness in the database. `prefix` reaches the dossier through a relation ("dossier__")."""
    done, due = TruncDate(f"{prefix}processed_at", tzinfo=VN), TruncDate(f"{prefix}due_at", tzinfo=VN)
    return Case(When(**{f"{prefix}processed_at__gt": F(f"{prefix}due_at")}, then=Value(1)),
                When(LessThan(done, due), then=Value(-1)), default=Value(0), output_field=IntegerField())
