"""Waiting for the citizen, which the time limit does not count (NĐ 118/2025/NĐ-CP): a supplement request
(Mẫu 02) and a financial obligation share one pause and one resume (`_PauseKind` names what differs); and the
apology with a request for more time (Mẫu 04), decided by a leader, which may bank a running pause."""
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procedures import calendar
from procedures.roles import Role

from ..errors import DossierActionError
from ..models import Dossier, Extension, IssuedLetter, PaymentRequest, SupplementRequest
from ._core import (
    ROLES_FOR,
    Event,
    _audited_save,
    _Context,
    _event,
    _issue_letter,
    _open_record,
    _require_step_holder,
    _require_transition,
    _save,
    _start,
)


@dataclass(frozen=True)
class _PauseKind:
    """One kind of wait: the FSM moves into and out of it (declared on the model), the service that ends it (its
    roles in ROLES_FOR), the request row that records it and the events the citizen sees."""

    enter: str  # the FSM transition into the paused state
    leave: str  # and back to in progress
    request_reason: str  # the history reason of the request row
    resume_service: str
    requests: str  # the dossier's related name of its request rows
    done_at: str  # the request's column set when the wait ends, and who ended it
    done_by: str
    paused_event: str
    resumed_event: str
    not_pausable: Promise
    not_waiting: Promise
    restarts_limit: bool = False  # where the agency's `supplement_restarts_limit` applies


SUPPLEMENT = _PauseKind(
    enter="_pause_for_supplement", leave="_resume_after_supplement", request_reason="request_supplement",
    resume_service="fulfil_supplement", requests="supplement_requests", done_at="fulfilled_at", done_by="fulfilled_by",
    paused_event=Event.SUPPLEMENT_REQUESTED, resumed_event=Event.SUPPLEMENT_FULFILLED,
    not_pausable=gettext_lazy("Hồ sơ không ở trạng thái có thể yêu cầu bổ sung."),
    not_waiting=gettext_lazy("Hồ sơ không chờ bổ sung."), restarts_limit=True,
)
PAYMENT = _PauseKind(
    enter="_pause_for_payment", leave="_resume_after_payment", request_reason="await_payment",
    resume_service="confirm_payment", requests="payment_requests", done_at="paid_at", done_by="confirmed_by",
    paused_event=Event.PAYMENT_REQUESTED, resumed_event=Event.PAYMENT_CONFIRMED,
    not_pausable=gettext_lazy("Hồ sơ không ở trạng thái có thể thông báo nghĩa vụ tài chính."),
    not_waiting=gettext_lazy("Hồ sơ không chờ thực hiện nghĩa vụ tài chính."),
)


def _pausable(dossier_id: int, actor, now: datetime.datetime | None, kind: _PauseKind) -> _Context:
    """Lock the dossier and check that its step holder may pause it now (the caller then checks its input)."""
    ctx = _start(dossier_id, actor, now)
    _require_transition(getattr(ctx.dossier, kind.enter), str(kind.not_pausable))
    _require_step_holder(ctx)
    return ctx


def _enter_pause(ctx: _Context, kind: _PauseKind, request, *, reason: str, public_note: str,
                 internal_note: str = "") -> Dossier:
    """The clock stops now; the request row and the public event say what the citizen is asked for."""
    getattr(ctx.dossier, kind.enter)()
    ctx.dossier.paused_since = ctx.now
    _save(ctx, reason)
    _audited_save(request, ctx.official, kind.request_reason)
    _event(ctx, kind.paused_event, public_note=public_note, internal_note=internal_note)
    return ctx.dossier


def _end_pause(dossier_id: int, actor, now: datetime.datetime | None, kind: _PauseKind, *, public_note: str = "",
               **request_fields) -> Dossier:
    """The citizen did what was asked: processing resumes, the pause's working time moves the appointment and the
    open step's deadline, and the latest open request is closed (with `request_fields`)."""
    ctx = _start(dossier_id, actor, now, *ROLES_FOR[kind.resume_service])
    dossier = ctx.dossier
    _require_transition(getattr(dossier, kind.leave), str(kind.not_waiting))
    request = (getattr(dossier, kind.requests).filter(**{f"{kind.done_at}__isnull": True})
               .order_by("-requested_at").first())
    getattr(dossier, kind.leave)()
    paused = _bank_pause(ctx, move_appointment=True, reason="pause ended")
    dossier.paused_since = None
    if kind.restarts_limit and dossier.agency.supplement_restarts_limit:
        procedure = dossier.procedure
        dossier.due_at = calendar.due_at(dossier.agency, ctx.now, procedure.time_limit, procedure.time_unit)
    _save(ctx, f"{kind.resume_service}: paused {paused}")
    if request is not None:
        fields = {kind.done_at: ctx.now, kind.done_by: ctx.official, **request_fields}
        for name, value in fields.items():
            setattr(request, name, value)
        _audited_save(request, ctx.official, kind.resume_service, update_fields=list(fields))
    _event(ctx, kind.resumed_event, public_note=public_note)
    return dossier


def _bank_pause(ctx: _Context, *, move_appointment: bool, reason: str) -> datetime.timedelta:
    """Count the running pause up to now (time waiting for the citizen is not counted in the time limit,
    NĐ 118/2025/NĐ-CP): it is added to the paused total and moves the open step's deadline and, unless the
    appointment is being replaced, the appointment. Returns the working time banked."""
    dossier = ctx.dossier
    agency = dossier.agency
    paused = calendar.working_time_between(agency, dossier.paused_since, ctx.now) if dossier.paused_since else datetime.timedelta()
    if paused:
        dossier.paused_working_time += paused
        if move_appointment:
            dossier.due_at = calendar.add_working_time(agency, dossier.due_at, paused)
        record = _open_record(dossier)
        if record is not None:
            record.due_at = calendar.add_working_time(agency, record.due_at, paused)
            _audited_save(record, ctx.official, reason, update_fields=["due_at"])
    return paused




@transaction.atomic
def request_supplement(*, dossier_id: int, actor, missing: str, reply_by: datetime.date,
                       now: datetime.datetime | None = None) -> Dossier:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02): the clock pauses until the citizen supplies it.

    The request is due within 3 working days of reception (`Dossier.supplement_notice_due_at`); a later one is
    still sent, since the citizen must be told, but is marked late on the request and in the internal log."""
    ctx = _pausable(dossier_id, actor, now, SUPPLEMENT)
    dossier = ctx.dossier
    missing = (missing or "").strip()
    if not missing:
        raise DossierActionError(_("Nhập nội dung cần bổ sung."))
    if reply_by < timezone.localtime(ctx.now).date():
        raise DossierActionError(_("Hạn bổ sung không được trước ngày hôm nay."), field="reply_by")
    late = dossier.supplement_notice_due_at is not None and ctx.now > dossier.supplement_notice_due_at
    request = SupplementRequest(dossier=dossier, missing=missing, reply_by=reply_by, requested_at=ctx.now,
                                requested_by=ctx.official, notice_late=late)
    return _enter_pause(
        ctx, SUPPLEMENT, request, reason=f"request_supplement: {missing}", public_note=missing,
        internal_note=_("Thông báo sau hạn 03 ngày làm việc kể từ khi tiếp nhận (hạn %(at)s).")
        % {"at": formats.date_format(timezone.localtime(dossier.supplement_notice_due_at), "SHORT_DATETIME_FORMAT")}
        if late else "")


@transaction.atomic
def fulfil_supplement(*, dossier_id: int, actor, note: str = "", now: datetime.datetime | None = None) -> Dossier:
    """The citizen brought the missing documents: processing resumes. By default the time already spent counts and
    the appointment moves by the pause; where the agency's `supplement_restarts_limit` is on, the whole limit
    is counted again from the supplement's receipt (docs/ARCHITECTURE.md, "Time")."""
    return _end_pause(dossier_id, actor, now, SUPPLEMENT, public_note=note.strip())


@transaction.atomic
def await_payment(*, dossier_id: int, actor, amount: Decimal, description: str,
                  now: datetime.datetime | None = None) -> Dossier:
    """Notify a financial obligation; the clock pauses until it is paid."""
    ctx = _pausable(dossier_id, actor, now, PAYMENT)
    if amount is None or Decimal(amount) <= 0:
        raise DossierActionError(_("Số tiền phải lớn hơn 0."))
    description = (description or "").strip()
    if not description:
        raise DossierActionError(_("Nhập nội dung nghĩa vụ tài chính."))
    request = PaymentRequest(dossier=ctx.dossier, amount=amount, description=description, requested_at=ctx.now,
                             requested_by=ctx.official)
    return _enter_pause(ctx, PAYMENT, request, reason=f"await_payment: {amount} {description}",
                        public_note=description)


@transaction.atomic
def confirm_payment(*, dossier_id: int, actor, receipt_number: str = "", now: datetime.datetime | None = None) -> Dossier:
    """The obligation is paid: processing resumes and the appointment moves by the pause."""
    return _end_pause(dossier_id, actor, now, PAYMENT, receipt_number=receipt_number.strip())


# --- the apology and a request for more time (Mẫu 04) ---------------------------------------------------------


@transaction.atomic
def request_extension(*, dossier_id: int, actor, reason: str, proposed_due_at: datetime.datetime,
                      now: datetime.datetime | None = None) -> Extension:
    """Văn bản xin lỗi và đề nghị gia hạn (Mẫu 04): the apology with a proposed new appointment.

    At most once per dossier, and no later than one working day before the appointment (NĐ 61/2018/NĐ-CP
    Điều 19 as cited by the legal review; the article of NĐ 118/2025/NĐ-CP in force could not be verified,
    docs/ARCHITECTURE.md "Time"): one working day of counted time from now must still fit before `due_at`.
    """
    ctx = _start(dossier_id, actor, now, *ROLES_FOR["request_extension"])
    dossier = ctx.dossier
    if not dossier.allows("request_extension"):
        raise DossierActionError(_("Chỉ gia hạn được hồ sơ đang giải quyết."))
    reason = (reason or "").strip()
    if not reason:
        raise DossierActionError(_("Nhập lý do quá hạn để gửi lời xin lỗi."))
    if proposed_due_at <= dossier.due_at or proposed_due_at <= ctx.now:
        raise DossierActionError(_("Ngày hẹn mới phải sau ngày hẹn hiện tại và sau thời điểm này."),
                                 field="proposed_due_at")
    if dossier.extensions.exclude(status=Extension.Status.LAPSED).exists():
        raise DossierActionError(_("Hồ sơ đã đề nghị gia hạn một lần; mỗi hồ sơ chỉ được gia hạn không quá một lần."))
    if extension_deadline(dossier) < ctx.now:
        raise DossierActionError(
            _("Đã quá hạn đề nghị gia hạn: phải đề nghị chậm nhất một ngày làm việc trước ngày hẹn trả (trước %(at)s).")
            % {"at": formats.date_format(timezone.localtime(extension_deadline(dossier)), "SHORT_DATETIME_FORMAT")})
    extension = Extension(dossier=dossier, reason=reason, previous_due_at=dossier.due_at,
                          proposed_due_at=proposed_due_at, requested_by=ctx.official, requested_at=ctx.now)
    _audited_save(extension, ctx.official, f"request_extension: {reason}")
    _event(ctx, Event.EXTENSION_REQUESTED, is_public=False, internal_note=reason)
    return extension


def extension_deadline(dossier: Dossier) -> datetime.datetime:
    """The last instant an extension may be requested: one working day of counted time before the appointment."""
    agency = dossier.agency
    return calendar.subtract_working_time(agency, dossier.due_at, calendar.day_length(agency))


def _pending_extension(extension_id: int, actor, now, action: str) -> tuple[_Context, Extension]:
    dossier_id = Extension.objects.filter(pk=extension_id).values_list("dossier_id", flat=True).first()
    if dossier_id is None:
        raise DossierActionError(_("Không tìm thấy đề nghị gia hạn."))
    ctx = _start(dossier_id, actor, now, *ROLES_FOR[action])
    extension = Extension.objects.select_for_update().get(pk=extension_id)
    if extension.status != Extension.Status.PENDING:
        raise DossierActionError(_("Đề nghị gia hạn này đã được xử lý."))
    if not ctx.dossier.allows(action):
        raise DossierActionError(_("Hồ sơ đã kết thúc, không cần gia hạn."))
    return ctx, extension


@transaction.atomic
def approve_extension(*, extension_id: int, actor, due_at: datetime.datetime | None = None,
                      now: datetime.datetime | None = None) -> Dossier:
    """A leader approves the apology: the dossier gets the new appointment and the citizen sees it. With `due_at`
    the leader approves a different date from the one proposed; both are kept on the extension."""
    ctx, extension = _pending_extension(extension_id, actor, now, "approve_extension")
    dossier = ctx.dossier
    if due_at is not None and due_at != extension.proposed_due_at:
        if due_at <= dossier.due_at or due_at <= ctx.now:
            raise DossierActionError(_("Ngày hẹn mới phải sau ngày hẹn hiện tại và sau thời điểm này."))
        extension.approved_due_at = due_at
    extension.status = Extension.Status.APPROVED
    extension.approved_by = ctx.official
    extension.approved_at = ctx.now
    _audited_save(extension, ctx.official, "approve_extension")
    if dossier.paused_since:
        # The leader's date replaces the appointment as it stands: the pause so far must not move it again
        # when the citizen returns; only the pause from now on will.
        _bank_pause(ctx, move_appointment=False, reason="pause counted at extension approval")
        dossier.paused_since = ctx.now
    dossier.due_at = extension.granted_due_at
    _save(ctx, f"approve_extension: {extension.reason}")
    new_date = formats.date_format(timezone.localtime(extension.granted_due_at), "SHORT_DATETIME_FORMAT")
    proposed = formats.date_format(timezone.localtime(extension.proposed_due_at), "SHORT_DATETIME_FORMAT")
    _event(ctx, Event.EXTENSION_APPROVED, role=Role.LEADER,
           public_note=_("Xin lỗi vì chậm trễ: %(reason)s. Hẹn trả mới: %(date)s.") % {
               # A reason typed with its own full stop must not print "..": the sentence adds one.
               "reason": extension.reason.rstrip(" ."), "date": new_date},
           internal_note=_("Lãnh đạo phê duyệt ngày khác ngày đề nghị (%(proposed)s).") % {"proposed": proposed}
           if extension.approved_due_at else "")
    _issue_letter(ctx, IssuedLetter.Form.APOLOGY, extension=extension)
    return dossier


@transaction.atomic
def reject_extension(*, extension_id: int, actor, reason: str, now: datetime.datetime | None = None) -> Extension:
    """A leader does not approve the request for more time, with a reason; the appointment stands, and the
    dossier has used its one request (services.request_extension)."""
    ctx, extension = _pending_extension(extension_id, actor, now, "reject_extension")
    reason = (reason or "").strip()
    if not reason:
        raise DossierActionError(_("Nhập lý do không chấp thuận gia hạn."))
    extension.status = Extension.Status.REJECTED
    extension.approved_by = ctx.official
    extension.approved_at = ctx.now
    extension.decision_note = reason
    _audited_save(extension, ctx.official, f"reject_extension: {reason}")
    _event(ctx, Event.EXTENSION_REJECTED, is_public=False, internal_note=reason, role=Role.LEADER)
    return extension


