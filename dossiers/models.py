"""Dossiers: the lifecycle machine, its step records, the public event log and the pauses.

State changes happen only through `dossiers.services`; the FSM field is protected so nothing else can
assign it. National status codes follow the national portal's vocabulary (docs/ARCHITECTURE.md).
"""
import datetime
import functools

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from common.text import fold
from procedures.models import Agency, Official, Procedure, ProcedureStep, RequiredDocument
from procedures.roles import Role


class State(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang giải quyết")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Chờ bổ sung hồ sơ")
    AWAITING_PAYMENT = "awaiting_payment", _("Chờ thực hiện nghĩa vụ tài chính")
    PROCESSED = "processed", _("Đã có kết quả, chờ trả")
    RETURNED = "returned", _("Đã trả kết quả")
    REFUSED = "refused", _("Từ chối tiếp nhận")
    # Received, then found not to qualify on appraisal: refused with a reason (Mẫu 03), not merely stopped.
    REJECTED = "rejected", _("Từ chối giải quyết")
    STOPPED = "stopped", _("Dừng giải quyết")
    WITHDRAWN = "withdrawn", _("Công dân rút hồ sơ")


# The national portal's status vocabulary (1 "new online" has no counter-side state here).
NATIONAL_STATUS = {
    State.RECEIVED: 2,
    State.REFUSED: 3,
    State.REJECTED: 3,
    State.IN_PROGRESS: 4,
    State.SUPPLEMENT_REQUESTED: 5,
    State.AWAITING_PAYMENT: 6,
    State.WITHDRAWN: 7,
    State.STOPPED: 8,
    State.PROCESSED: 9,
    State.RETURNED: 10,
}
OPEN_STATES = (State.RECEIVED, State.IN_PROGRESS, State.SUPPLEMENT_REQUESTED, State.AWAITING_PAYMENT)
PAUSED_STATES = (State.SUPPLEMENT_REQUESTED, State.AWAITING_PAYMENT)
# What the office still holds: open, or with a result waiting to be returned. Every worklist tab but "all" is a
# part of it, so their counts read only this (partial index below), never an agency's history.
ON_HAND_STATES = OPEN_STATES + (State.PROCESSED,)
FINISHED_STATES = (State.PROCESSED, State.RETURNED)
CLOSED_STATES = (State.RETURNED, State.REFUSED, State.REJECTED, State.STOPPED, State.WITHDRAWN)
# States whose processing clock has ended: results ready or returned, or closed without a result.
DONE_STATES = (State.PROCESSED,) + CLOSED_STATES
# Open and counting: paused dossiers wait for the citizen, so they are neither overdue nor due soon.
RUNNING_STATES = tuple(state for state in OPEN_STATES if state not in PAUSED_STATES)


def overdue_q(now: datetime.datetime) -> Q:
    """Overdue, the one definition: running and past the appointment instant (`Dossier.objects.overdue`)."""
    return Q(state__in=RUNNING_STATES, due_at__lt=now)


def due_soon_q(now: datetime.datetime, within: datetime.datetime) -> Q:
    """Due soon, the one definition: running, not yet overdue, due no later than `within` (the horizon instant,
    `dossiers.selectors.due_soon_limit`)."""
    return Q(state__in=RUNNING_STATES, due_at__gte=now, due_at__lte=within)


class DossierQuerySet(models.QuerySet):
    """`Dossier.objects.overdue(now)` / `.due_soon(now, within)`; `overdue_q` / `due_soon_q` are the same rules
    for aggregates (`Count(filter=...)`) and annotations."""

    def overdue(self, now: datetime.datetime) -> "DossierQuerySet":
        return self.filter(overdue_q(now))

    def due_soon(self, now: datetime.datetime, within: datetime.datetime) -> "DossierQuerySet":
        return self.filter(due_soon_q(now, within))


class Channel(models.TextChoices):
    COUNTER = "counter", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Bưu chính công ích")


class ApplicantType(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    BUSINESS = "business", _("Doanh nghiệp")
    ORGANISATION = "organisation", _("Tổ chức")


class Timeliness(models.TextChoices):
    BEFORE = "before", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class Dossier(ConcurrentTransitionMixin, models.Model):
    """One hồ sơ: received at a counter, moved through its procedure's steps, returned or closed."""

    code = models.CharField(_("mã hồ sơ"), max_length=64)
    tracking_token = models.CharField(_("mã tra cứu"), max_length=32)
    procedure = models.ForeignKey(Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="dossiers")
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="dossiers")
    channel = models.CharField(_("kênh nộp"), max_length=16, choices=Channel.choices, default=Channel.COUNTER)

    applicant_type = models.CharField(
        _("loại người nộp"), max_length=16, choices=ApplicantType.choices, default=ApplicantType.CITIZEN
    )
    applicant_name = models.CharField(_("họ tên người nộp"), max_length=255)
    applicant_name_search = models.CharField(max_length=255, editable=False, default="")
    applicant_id_number = models.CharField(
        _("số CCCD / mã số thuế"), max_length=20, help_text=_("CCCD 12 chữ số, hoặc mã số thuế với doanh nghiệp.")
    )
    applicant_birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=16)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500)
    # The citizen's choice at reception: channels (comma-separated `notifications` channel keys) and language of
    # the messages about this dossier; opting out on the tracking page stops them.
    notify_channels = models.CharField(_("kênh nhận thông báo"), max_length=32, blank=True)
    notify_language = models.CharField(_("ngôn ngữ thông báo"), max_length=8, default="vi")
    notify_opted_out_at = models.DateTimeField(_("ngừng nhận thông báo từ"), null=True, blank=True)
    sets_count = models.PositiveSmallIntegerField(_("số bộ hồ sơ"), default=1)

    received_at = models.DateTimeField(_("thời điểm tiếp nhận"))
    received_by = models.ForeignKey(
        Official, verbose_name=_("người tiếp nhận"), on_delete=models.PROTECT, related_name="received_dossiers"
    )
    due_at = models.DateTimeField(_("hẹn trả kết quả"))
    state = FSMField(_("trạng thái"), max_length=32, choices=State.choices, default=State.RECEIVED, protected=True)
    current_step = models.ForeignKey(
        ProcedureStep, verbose_name=_("bước hiện tại"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    current_assignee = models.ForeignKey(
        Official, verbose_name=_("người đang xử lý"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="assigned_dossiers",
    )
    supplement_notice_due_at = models.DateTimeField(
        _("hạn thông báo yêu cầu bổ sung"), null=True, blank=True,
        help_text=_("03 ngày làm việc kể từ khi tiếp nhận."),
    )
    paused_since = models.DateTimeField(_("tạm dừng tính thời hạn từ"), null=True, blank=True)
    paused_working_time = models.DurationField(_("thời gian tạm dừng (giờ làm việc)"), default=datetime.timedelta)
    processed_at = models.DateTimeField(_("thời điểm có kết quả"), null=True, blank=True)
    returned_at = models.DateTimeField(_("thời điểm trả kết quả"), null=True, blank=True)
    closed_at = models.DateTimeField(_("thời điểm kết thúc"), null=True, blank=True)
    closing_reason = models.TextField(_("lý do từ chối, dừng hoặc rút"), blank=True)
    closing_legal_ground = models.TextField(_("căn cứ pháp lý"), blank=True)
    result_note = models.TextField(_("ghi chú kết quả"), blank=True)
    history = HistoricalRecords(excluded_fields=["applicant_name_search"])

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="dossier_code_unique"),
            models.UniqueConstraint(fields=["tracking_token"], name="dossier_token_unique"),
            models.CheckConstraint(condition=Q(due_at__gte=models.F("received_at")), name="dossier_due_after_received"),
        ]
        indexes = [
            models.Index(fields=["agency", "state", "due_at"]),
            models.Index(fields=["agency", "received_at"]),
            models.Index(fields=["current_assignee", "state", "due_at"]),
            models.Index(fields=["procedure", "received_at"]),
            models.Index(fields=["agency", "applicant_name_search"]),
            models.Index(fields=["applicant_phone"]),
            models.Index(fields=["applicant_id_number"]),
            models.Index(fields=["received_at"]),
            # Reports by channel (counter, online, postal) and the online share (issue 16, portal/reports/channels.py).
            models.Index(fields=["channel", "received_at"]),
            # Reports: monthly "processed" figures, and the city-wide open/overdue counts (bench/bench_reports.py).
            models.Index(fields=["processed_at"]),
            models.Index(
                fields=["state", "due_at"],
                condition=Q(state__in=["received", "in_progress", "supplement_requested", "awaiting_payment"]),
                name="dossier_open_due_idx",
            ),
            # The worklist (dossiers.selectors.worklist, worklist_counts): every tab but "all" and their counts, in
            # the tabs' order, over the dossiers on hand only (a few thousand at a busy office, whatever its age).
            models.Index(
                fields=["agency", "due_at", "id"],
                condition=Q(state__in=["received", "in_progress", "supplement_requested", "awaiting_payment",
                                       "processed"]),
                name="dossier_on_hand_due_idx",
            ),
            # The worklist's "all" tab: pages by keyset in its order, (due_at, id), through a search or filter.
            models.Index(fields=["agency", "due_at", "id"], name="dossier_agency_due_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        # Denormalised, diacritic-free name for accent-insensitive search on any database.
        self.applicant_name_search = fold(self.applicant_name)
        super().save(*args, **kwargs)

    # --- The transition table: what each state allows, declared here once. ------------------------------------
    # Each transition names in `custom` the service(s) of `dossiers.services` that take it ("services"; their roles
    # are services.ROLES_FOR, the step holder's actions services.STEP_HOLDER_ACTIONS), its name in the admin's
    # lifecycle drawing ("label") and the letter it issues ("form": Mẫu 03, 05). `target=None` keeps the state: an
    # action the state allows that moves no state (a step hand-off, an assignment, an extension, a registration).
    # The services, the dossier page's actions (actions.py), the forms a state prints (pdf.py), the drawing
    # (lifecycle_diagram.py) and the transition-table tests all read this table (`Dossier.states_allowing`).
    @transition(field=state, source=State.RECEIVED, target=State.IN_PROGRESS,
                custom={"services": ("forward", "mark_processed"), "label": _("Chuyển xử lý")})
    def _start_processing(self):
        """The dossier leaves the reception step (a one-step procedure starts and finishes at once)."""

    @transition(field=state, source=State.IN_PROGRESS, target=None, custom={"services": ("forward",)})
    def _next_step(self):
        """The dossier goes on to the procedure's next step."""

    @transition(field=state, source=State.IN_PROGRESS, target=None,
                custom={"services": ("send_back",), "label": _("Trả lại bước trước")})
    def _send_back(self):
        """The dossier goes back to an earlier step of the procedure."""

    @transition(field=state, source=[State.RECEIVED, State.IN_PROGRESS], target=None,
                custom={"services": ("assign",)})
    def _assign(self):
        """The current step is given to a named official."""

    @transition(field=state, source=State.RECEIVED, target=State.REFUSED,
                custom={"services": ("refuse_at_counter",), "label": _("Từ chối tiếp nhận (Mẫu 03)"), "form": "03"})
    def _refuse(self):
        """Refused at the counter (Mẫu 03)."""

    @transition(field=state, source=[State.RECEIVED, State.IN_PROGRESS], target=State.REJECTED,
                custom={"services": ("reject",), "form": "03"})
    def _reject(self):
        """Refused after appraisal, with the reason in writing (Mẫu 03)."""

    @transition(field=state, source=State.IN_PROGRESS, target=State.SUPPLEMENT_REQUESTED,
                custom={"services": ("request_supplement",), "label": _("Yêu cầu bổ sung (Mẫu 02)")})
    def _pause_for_supplement(self):
        """Waiting for the citizen's supplement (Mẫu 02); the clock stops."""

    @transition(field=state, source=State.SUPPLEMENT_REQUESTED, target=State.IN_PROGRESS,
                custom={"services": ("fulfil_supplement",), "label": _("Đã bổ sung")})
    def _resume_after_supplement(self):
        """The supplement arrived; the clock runs again."""

    @transition(field=state, source=State.IN_PROGRESS, target=State.AWAITING_PAYMENT,
                custom={"services": ("await_payment",), "label": _("Thông báo nghĩa vụ tài chính")})
    def _pause_for_payment(self):
        """Waiting for the citizen's financial obligation; the clock stops."""

    @transition(field=state, source=State.AWAITING_PAYMENT, target=State.IN_PROGRESS,
                custom={"services": ("confirm_payment",), "label": _("Đã nộp")})
    def _resume_after_payment(self):
        """Payment confirmed; the clock runs again."""

    @transition(field=state, source=State.IN_PROGRESS, target=State.PROCESSED,
                custom={"services": ("mark_processed",), "label": _("Có kết quả")})
    def _finish_processing(self):
        """The result is ready at the return desk."""

    @transition(field=state, source=State.PROCESSED, target=State.RETURNED,
                custom={"services": ("return_result",), "label": _("Trả kết quả")})
    def _return_result(self):
        """The result is handed to the citizen."""

    @transition(field=state, source=list(OPEN_STATES), target=State.STOPPED,
                custom={"services": ("stop",), "label": _("Dừng giải quyết (Mẫu 05)"), "form": "05"})
    def _stop(self):
        """Processing stopped by a leader's decision (Mẫu 05)."""

    @transition(field=state, source=list(OPEN_STATES), target=State.WITHDRAWN,
                custom={"services": ("withdraw",), "label": _("Công dân rút hồ sơ")})
    def _withdraw(self):
        """The citizen withdrew the dossier."""

    @transition(field=state, source=list(OPEN_STATES), target=None,
                custom={"services": ("request_extension", "approve_extension", "reject_extension")})
    def _extend(self):
        """An apology with a request for more time (Mẫu 04), and the leader's decision on it."""

    @transition(field=state, source=list(FINISHED_STATES), target=None,
                custom={"services": ("register_result_document",)})
    def _register_result_document(self):
        """The issued result document is registered for its verification QR."""

    @classmethod
    def states_allowing(cls, service: str) -> frozenset[str]:
        """The states in which `service` may act: the sources of the transitions that name it."""
        return _states_by_service().get(service, frozenset())

    @classmethod
    def states_issuing(cls, form: str) -> frozenset[str]:
        """The states entered with letter `form` (Mẫu 03: refused or rejected; Mẫu 05: stopped)."""
        return frozenset(t.target for t in _transitions() if t.custom.get("form") == form)

    def allows(self, service: str) -> bool:
        return self.state in self.states_allowing(service)

    # --- Derived facts --------------------------------------------------------------------------
    @property
    def notification_channels(self) -> list[str]:
        return [] if self.notify_opted_out_at else [c for c in self.notify_channels.split(",") if c]

    @property
    def national_status(self) -> int:
        return NATIONAL_STATUS[State(self.state)]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_paused(self) -> bool:
        return self.state in PAUSED_STATES

    @property
    def finished_at(self) -> datetime.datetime | None:
        """When the processing clock ended: result ready, or the dossier closed without one."""
        return self.processed_at or self.closed_at

    def is_overdue(self, now: datetime.datetime) -> bool:
        """`overdue_q` for one loaded row: past the appointment with the clock running."""
        return self.state in RUNNING_STATES and self.due_at < now

    def is_due_soon(self, now: datetime.datetime, within: datetime.datetime) -> bool:
        """`due_soon_q` for one loaded row."""
        return self.state in RUNNING_STATES and now <= self.due_at <= within

    @property
    def timeliness(self) -> str | None:
        if self.processed_at is None:
            return None
        return timeliness_of(self.processed_at, self.due_at)


def _transitions():
    """Every declared transition of the dossier's state (django-fsm's table)."""
    return Dossier._meta.get_field("state").get_all_transitions(Dossier)


@functools.cache
def _states_by_service() -> dict[str, frozenset[str]]:
    """service -> the states it may act in; the table is fixed once the class is built, so it is read once."""
    table: dict[str, set[str]] = {}
    for t in _transitions():
        for service in t.custom.get("services", ()):
            table.setdefault(service, set()).add(t.source)
    return {service: frozenset(states) for service, states in table.items()}


def timeliness_of(finished_at: datetime.datetime, due_at: datetime.datetime) -> str:
    """Trước hạn / đúng hạn / quá hạn, comparing instants as the national reports do (docs/ARCHITECTURE.md,
    "Time"): after the appointment instant is late, even on its day; before the appointment's day (00:00 in
    Vietnam time, ahead of its first session) is early; on that day and not after the instant is on time.
    `dossiers.selectors.timeliness_class` is the same rule in SQL."""
    if finished_at > due_at:
        return Timeliness.LATE
    if timezone.localtime(finished_at).date() < timezone.localtime(due_at).date():
        return Timeliness.BEFORE
    return Timeliness.ON_TIME


class DossierCodeCounter(models.Model):
    """The per-agency, per-day sequence behind dossier codes; its row is locked while a code is taken."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="code_counter_unique")]


class DossierDocument(models.Model):
    """A document received with the dossier (the checklist of Mẫu 01)."""

    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="documents")
    required_document = models.ForeignKey(
        RequiredDocument, verbose_name=_("thành phần theo quy định"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("bản chính"), default=0)
    certified_copies = models.PositiveSmallIntegerField(_("bản sao chứng thực"), default=0)
    photocopies = models.PositiveSmallIntegerField(_("bản photo"), default=0)
    scan = models.FileField(_("bản quét"), upload_to="scans/%Y/%m/", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("giấy tờ đã nhận")
        verbose_name_plural = _("giấy tờ đã nhận")
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.name


class StepRecord(models.Model):
    """One hand-off: a row of the control sheet (Mẫu 06)."""

    class Outcome(models.TextChoices):
        FORWARDED = "forwarded", _("Chuyển bước tiếp theo")
        SENT_BACK = "sent_back", _("Trả lại bước trước")
        COMPLETED = "completed", _("Hoàn thành")
        CLOSED = "closed", _("Kết thúc (dừng, rút)")

    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="step_records")
    # The dossier's agency, copied when the step opens (a dossier never changes agency): the leaders' step reports
    # filter by it through the (agency, step, finished_at) index instead of joining every dossier of the agency.
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    step = models.ForeignKey(ProcedureStep, verbose_name=_("bước"), on_delete=models.PROTECT, related_name="records")
    sender = models.ForeignKey(
        Official, verbose_name=_("người giao"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        Official, verbose_name=_("người nhận"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="step_records",
    )
    started_at = models.DateTimeField(_("bắt đầu"))
    due_at = models.DateTimeField(_("hạn bước"))
    finished_at = models.DateTimeField(_("hoàn thành"), null=True, blank=True)
    outcome = models.CharField(_("kết quả"), max_length=16, choices=Outcome.choices, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bước đã xử lý")
        verbose_name_plural = _("bước đã xử lý")
        ordering = ["dossier", "started_at", "id"]
        indexes = [
            models.Index(fields=["dossier", "started_at"]),
            models.Index(fields=["assignee", "finished_at"]),
            # Step bottlenecks and the per-official review (portal/reports/leaders.py); also serves agency lookups.
            models.Index(fields=["agency", "step", "finished_at"], name="steprecord_agency_step_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} · {self.step}"

    @property
    def timeliness(self) -> str | None:
        return timeliness_of(self.finished_at, self.due_at) if self.finished_at else None


class DossierEvent(models.Model):
    """Append-only, citizen-readable log of lifecycle moves (internal events are not shown publicly)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Tiếp nhận hồ sơ")
        REFUSED = "refused", _("Từ chối tiếp nhận")
        REJECTED = "rejected", _("Từ chối giải quyết")
        ASSIGNED = "assigned", _("Phân công xử lý")
        FORWARDED = "forwarded", _("Chuyển bước xử lý")
        SENT_BACK = "sent_back", _("Trả lại bước trước")
        SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
        SUPPLEMENT_FULFILLED = "supplement_fulfilled", _("Đã nhận hồ sơ bổ sung")
        PAYMENT_REQUESTED = "payment_requested", _("Thông báo nghĩa vụ tài chính")
        PAYMENT_CONFIRMED = "payment_confirmed", _("Đã hoàn thành nghĩa vụ tài chính")
        EXTENSION_REQUESTED = "extension_requested", _("Đề nghị gia hạn")
        EXTENSION_APPROVED = "extension_approved", _("Gia hạn, hẹn lại ngày trả")
        EXTENSION_REJECTED = "extension_rejected", _("Không chấp thuận gia hạn")
        PROCESSED = "processed", _("Đã có kết quả")
        RETURNED = "returned", _("Đã trả kết quả")
        STOPPED = "stopped", _("Dừng giải quyết")
        WITHDRAWN = "withdrawn", _("Rút hồ sơ")
        RESULT_REGISTERED = "result_registered", _("Đăng ký văn bản kết quả")
        FORM_PRINTED = "form_printed", _("In biểu mẫu")

    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("sự kiện"), max_length=32, choices=Kind.choices)
    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        Official, verbose_name=_("người thực hiện"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices, blank=True)
    step = models.ForeignKey(
        ProcedureStep, verbose_name=_("bước"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    public_note = models.TextField(_("ghi chú công khai"), blank=True)
    internal_note = models.TextField(_("ghi chú nội bộ"), blank=True)
    is_public = models.BooleanField(_("hiển thị cho công dân"), default=True)
    # Tamper-evident audit chain (dossiers.audit): place in the agency's chain and hash over content + previous hash.
    chain_seq = models.PositiveBigIntegerField(_("số thứ tự trong chuỗi nhật ký"), null=True, blank=True, editable=False)
    chain_hash = models.CharField(_("mã băm chuỗi nhật ký"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("sự kiện hồ sơ")
        ordering = ["dossier", "at", "id"]
        indexes = [models.Index(fields=["dossier", "at"]), models.Index(fields=["kind", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%d/%m/%Y %H:%M}"


class SupplementRequest(models.Model):
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02): the clock pauses until it is fulfilled."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="supplement_requests"
    )
    missing = models.TextField(_("nội dung cần bổ sung"))
    requested_at = models.DateTimeField(_("thời điểm yêu cầu"))
    reply_by = models.DateField(_("hạn bổ sung"))
    requested_by = models.ForeignKey(Official, verbose_name=_("người yêu cầu"), on_delete=models.PROTECT, related_name="+")
    notice_late = models.BooleanField(_("thông báo sau hạn 03 ngày làm việc"), default=False)
    fulfilled_at = models.DateTimeField(_("thời điểm bổ sung"), null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        Official, verbose_name=_("người nhận bổ sung"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("yêu cầu bổ sung")
        verbose_name_plural = _("yêu cầu bổ sung")
        ordering = ["dossier", "requested_at"]


class CounterGuidance(models.Model):
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02) handed to a citizen whose dossier is incomplete and is
    therefore not received (NĐ 118/2025/NĐ-CP: the counter guides the citizen to complete it, once, in full).

    No dossier, code or clock exists; this row is the only trace that the citizen came and was turned away,
    so "sent home without a reason" can be audited: who gave the slip, when, and what was missing."""

    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="+")
    official = models.ForeignKey(Official, verbose_name=_("người hướng dẫn"), on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(_("thời điểm hướng dẫn"))
    applicant_name = models.CharField(_("họ tên người nộp"), max_length=255)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    missing = models.TextField(_("nội dung cần bổ sung"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phiếu hướng dẫn bổ sung tại quầy")
        verbose_name_plural = _("phiếu hướng dẫn bổ sung tại quầy")
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["agency", "given_at"])]

    def __str__(self) -> str:
        return f"{self.applicant_name} · {self.given_at:%d/%m/%Y}"


class PaymentRequest(models.Model):
    """A financial obligation (fee, tax) the citizen must settle; the clock pauses meanwhile."""

    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="payment_requests")
    amount = models.DecimalField(_("số tiền (đồng)"), max_digits=14, decimal_places=0)
    description = models.CharField(_("nội dung"), max_length=500)
    requested_at = models.DateTimeField(_("thời điểm thông báo"))
    requested_by = models.ForeignKey(Official, verbose_name=_("người thông báo"), on_delete=models.PROTECT, related_name="+")
    paid_at = models.DateTimeField(_("thời điểm nộp"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        Official, verbose_name=_("người xác nhận"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt_number = models.CharField(_("số biên lai"), max_length=64, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nghĩa vụ tài chính")
        verbose_name_plural = _("nghĩa vụ tài chính")
        ordering = ["dossier", "requested_at"]


class Extension(models.Model):
    """Văn bản xin lỗi và đề nghị gia hạn (Mẫu 04): a late dossier's new appointment, approved by a leader."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ phê duyệt")
        APPROVED = "approved", _("Đã phê duyệt")
        REJECTED = "rejected", _("Không chấp thuận")
        # The dossier finished or closed before a leader decided: nothing is left to approve.
        LAPSED = "lapsed", _("Không còn cần phê duyệt (hồ sơ đã kết thúc)")

    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="extensions")
    reason = models.TextField(_("lý do quá hạn"))
    previous_due_at = models.DateTimeField(_("hẹn trả cũ"))
    proposed_due_at = models.DateTimeField(_("hẹn trả mới"))
    requested_by = models.ForeignKey(Official, verbose_name=_("người đề nghị"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("thời điểm đề nghị"))
    status = models.CharField(_("tình trạng"), max_length=16, choices=Status.choices, default=Status.PENDING)
    # The leader's decision (approve, approve another date, or reject with a reason) is kept on the row.
    approved_by = models.ForeignKey(
        Official, verbose_name=_("lãnh đạo quyết định"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("thời điểm quyết định"), null=True, blank=True)
    approved_due_at = models.DateTimeField(_("hẹn trả được phê duyệt"), null=True, blank=True)
    decision_note = models.TextField(_("ý kiến của lãnh đạo"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("gia hạn")
        verbose_name_plural = _("gia hạn")
        ordering = ["dossier", "requested_at"]
        # "At most one request per dossier" is enforced by services.request_extension under the dossier's row
        # lock; the database keeps the older, weaker rule so rows written before it still load.
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(status="pending"), name="one_pending_extension_per_dossier"
            ),
        ]

    @property
    def granted_due_at(self):
        """The appointment the leader granted: a different date when chosen, else the one proposed."""
        return self.approved_due_at or self.proposed_due_at


class ResultDocument(models.Model):
    """A result document issued for a dossier; its verification token backs a public authenticity page."""

    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="result_documents")
    number = models.CharField(_("số văn bản"), max_length=64)
    issued_on = models.DateField(_("ngày ban hành"))
    signer = models.CharField(_("người ký"), max_length=255)
    title = models.CharField(_("trích yếu"), max_length=500, blank=True)
    verification_token = models.CharField(_("mã xác thực"), max_length=32)
    registered_by = models.ForeignKey(Official, verbose_name=_("người đăng ký"), on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("thời điểm đăng ký"))
    # The electronic copy, signed by the agency at registration (dossiers.signing); its digest is in the audit chain.
    electronic_copy = models.FileField(_("bản điện tử có ký số"), upload_to="results/%Y/%m/", blank=True)
    electronic_copy_sha256 = models.CharField(_("mã băm SHA-256 bản điện tử"), max_length=64, blank=True)
    chain_seq = models.PositiveBigIntegerField(_("số thứ tự trong chuỗi nhật ký"), null=True, blank=True, editable=False)
    chain_hash = models.CharField(_("mã băm chuỗi nhật ký"), max_length=64, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("văn bản kết quả")
        verbose_name_plural = _("văn bản kết quả")
        ordering = ["-issued_on"]
        constraints = [
            models.UniqueConstraint(fields=["verification_token"], name="result_token_unique"),
            models.UniqueConstraint(fields=["dossier", "number"], name="result_number_unique_per_dossier"),
        ]
        indexes = [models.Index(fields=["electronic_copy_sha256"], name="result_copy_digest_idx")]

    def __str__(self) -> str:
        return self.number


class LetterNumberCounter(models.Model):
    """The per-agency, per-year sequence of the letters the office signs (Mẫu 03, 04, 05): numbers run from 01 on
    1 January to 31 December (Nghị định 30/2020/NĐ-CP, Phụ lục I, mục II, khoản 3: số của văn bản). Its row is
    locked while a number is taken."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="letter_counter_unique")]


class IssuedLetter(models.Model):
    """A letter to the applicant as issued: its number, date and signer, kept so every reprint is the same letter.

    Allocated by the service that issues it: Mẫu 03 at the refusal, Mẫu 04 at the leader's approval (one per
    extension), Mẫu 05 at the stop."""

    class Form(models.TextChoices):
        REFUSAL = "03", _("Mẫu số 03")
        APOLOGY = "04", _("Mẫu số 04")
        STOP = "05", _("Mẫu số 05")

    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="letters")
    form = models.CharField(_("biểu mẫu"), max_length=2, choices=Form.choices)
    extension = models.OneToOneField(
        Extension, verbose_name=_("gia hạn"), null=True, blank=True, on_delete=models.CASCADE, related_name="letter"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    sequence = models.PositiveIntegerField(_("số thứ tự trong năm"))
    number = models.CharField(_("số, ký hiệu"), max_length=64)
    issued_at = models.DateTimeField(_("thời điểm ban hành"))
    signer = models.ForeignKey(Official, verbose_name=_("người ký"), on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("văn bản gửi người nộp hồ sơ")
        verbose_name_plural = _("văn bản gửi người nộp hồ sơ")
        ordering = ["dossier", "issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "sequence"], name="letter_number_unique"),
            models.UniqueConstraint(fields=["dossier", "form"], condition=Q(extension__isnull=True),
                                    name="one_letter_per_form_and_dossier"),
        ]

    def __str__(self) -> str:
        return self.number


class RateLimitCounter(models.Model):
    """The rate limiter's fallback (dossiers/ratelimit.py): attempts per key and fixed window, counted in the
    database only while the cache does not answer, so the public lookup stays limited during a Redis outage."""

    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField()  # Unix seconds, a multiple of the window
    window_end = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_key_window_unique")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.count}"


class PersonalDataAccess(models.Model):
    """One look at applicants' personal data by staff: who, when, which dossier (or which list), what.

    Nghị định 13/2023/NĐ-CP on personal data protection asks a controller to log the processing of personal data;
    every staff page, printed form and export that shows an applicant's name, ID number, address or phone writes
    one row (append-only, no history of its own: rows are never changed). A list (worklist, register, export)
    is one row naming its scope, not one row per dossier listed. The agency admin reads the agency's rows."""

    class Kind(models.TextChoices):
        PAGE = "page", _("Xem trang hồ sơ")
        FORM = "form", _("In biểu mẫu")
        LIST = "list", _("Xem danh sách hồ sơ")
        REGISTER = "register", _("Xem, in sổ theo dõi")
        EXPORT = "export", _("Xuất tệp")
        ADMIN = "admin", _("Xem trong trang quản trị")

    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("tài khoản"), on_delete=models.PROTECT, related_name="+",
    )
    official = models.ForeignKey(
        Official, verbose_name=_("cán bộ"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan có dữ liệu"), on_delete=models.PROTECT, related_name="+",
    )
    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    kind = models.CharField(_("loại truy cập"), max_length=16, choices=Kind.choices)
    what = models.CharField(_("nội dung"), max_length=255)

    class Meta:
        verbose_name = _("nhật ký truy cập dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký truy cập dữ liệu cá nhân")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["agency", "at"]), models.Index(fields=["dossier", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.user_id} {self.what}"


# --- tamper-evident audit chain (dossiers.audit) ---------------------------------------------------------


class AuditChainHead(models.Model):
    """The last entry of an agency's audit chain. Its row is locked (select_for_update) by every write that
    appends to the chain, in the writing transaction, so two writers never take the same place."""

    agency = models.OneToOneField(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField(_("số mục"), default=0)
    hash = models.CharField(_("mã băm đầu chuỗi"), max_length=64)
    updated_at = models.DateTimeField(_("cập nhật lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")
        verbose_name_plural = _("đầu chuỗi nhật ký")


class PublishedChainHead(models.Model):
    """An agency's chain head as published once a day on the public statistics page: a copy kept outside proves
    that no entry up to `seq` was changed later."""

    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    published_on = models.DateField(_("ngày công bố"))
    published_at = models.DateTimeField(_("thời điểm công bố"))
    seq = models.PositiveBigIntegerField(_("số mục"))
    hash = models.CharField(_("mã băm đầu chuỗi"), max_length=64)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký đã công bố")
        verbose_name_plural = _("đầu chuỗi nhật ký đã công bố")
        ordering = ["-published_on", "agency"]
        constraints = [models.UniqueConstraint(fields=["agency", "published_on"], name="one_published_head_per_day")]


class AuditVerification(models.Model):
    """One run of `verify_audit` over an agency's chain; the leader dashboard shows the latest."""

    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="+")
    ran_at = models.DateTimeField(_("thời điểm kiểm tra"))
    ok = models.BooleanField(_("toàn vẹn"))
    entries = models.PositiveBigIntegerField(_("số mục đã kiểm tra"), default=0)
    problem = models.TextField(_("sai lệch đầu tiên"), blank=True)

    class Meta:
        verbose_name = _("lần kiểm tra nhật ký")
        verbose_name_plural = _("lần kiểm tra nhật ký")
        ordering = ["-ran_at"]
        indexes = [models.Index(fields=["agency", "ran_at"])]


# --- digital signatures (dossiers.signing) -------------------------------------------------------------------


class AgencyCertificate(models.Model):
    """An agency's signing certificate and its private key, uploaded once as PKCS#12 by an agency administrator.

    The key is stored encrypted with SIGNING_KEY_ENCRYPTION_KEY (Fernet) and is never shown again; every
    signature made with it writes a `CertificateUse`. One active certificate per agency."""

    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("chủ thể"), max_length=500)
    issuer = models.CharField(_("tổ chức cấp"), max_length=500)
    serial_number = models.CharField(_("số sê-ri"), max_length=100)
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64)
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    certificate_pem = models.TextField(_("chứng thư (PEM, kèm chuỗi)"), editable=False)
    encrypted_key = models.BinaryField(_("khóa bí mật (đã mã hóa)"), editable=False)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    uploaded_at = models.DateTimeField(_("thời điểm tải lên"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tải lên"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("chứng thư số của cơ quan")
        verbose_name_plural = _("chứng thư số của cơ quan")
        ordering = ["agency", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["agency"], condition=Q(is_active=True), name="one_active_certificate_per_agency"),
        ]

    def __str__(self) -> str:
        return self.subject


class CertificateUse(models.Model):
    """One use of an agency's private key: what was signed, when."""

    certificate = models.ForeignKey(AgencyCertificate, verbose_name=_("chứng thư"), on_delete=models.PROTECT,
                                    related_name="uses")
    used_at = models.DateTimeField(_("thời điểm ký"))
    document = models.CharField(_("văn bản đã ký"), max_length=300)

    class Meta:
        verbose_name = _("lần sử dụng khóa ký")
        verbose_name_plural = _("lần sử dụng khóa ký")
        ordering = ["-used_at"]
        indexes = [models.Index(fields=["certificate", "used_at"])]


class TrustedRoot(models.Model):
    """A certificate authority whose certificates the public verification page trusts (the demo CA in `make run`;
    in production the national CA roots the agencies' certificates chain to)."""

    name = models.CharField(_("tên"), max_length=255)
    certificate_pem = models.TextField(_("chứng thư gốc (PEM)"))
    added_at = models.DateTimeField(_("thời điểm thêm"), default=timezone.now)

    class Meta:
        verbose_name = _("tổ chức chứng thực tin cậy")
        verbose_name_plural = _("tổ chức chứng thực tin cậy")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TrustedKiosk(models.Model):
    """A public kiosk's network address, registered by an admin: its many citizens share one address, so it gets a
    much larger allowance of failed lookups before the rate limiter pauses it (`ratelimit.TRUSTED_FACTOR`)."""

    name = models.CharField(_("tên máy tra cứu"), max_length=200)
    address = models.GenericIPAddressField(_("địa chỉ IP"), unique=True)
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    is_active = models.BooleanField(_("đang dùng"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("máy tra cứu tin cậy")
        verbose_name_plural = _("máy tra cứu tin cậy")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.address})"
