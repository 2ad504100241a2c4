"""Every state change of a dossier: one function per use case, one transaction, audit written.

Each service takes the acting `User`, checks the actor's role and agency, locks the dossier row, performs the
FSM transition (the protected state field is never assigned), writes the step records and the public event,
and sets the history reason. When an action is not allowed it raises `DossierActionError` (or its
`DossierPermissionError` subclass) with a translated message, and nothing is written.

Legal basis: Nghị định 118/2025/NĐ-CP on the one-stop mechanism (as amended by 367/2025/NĐ-CP) and the forms of
Thông tư 03/2025/TT-VPCP; dossier codes follow Thông tư 01/2018/TT-VPCP Điều 19.
"""
import contextlib
import datetime
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed
from simple_history.utils import bulk_create_with_history

from procedures import calendar
from procedures.history import history_reason
from procedures.models import Agency, Official, Procedure, ProcedureStep, RequiredDocument, TimeUnit, step_unit
from procedures.roles import Role

from . import audit, national, notify, pdf, selectors
from .errors import DossierActionError, DossierPermissionError
from .models import (
    OPEN_STATES,
    AgencyCertificate,
    ApplicantType,
    AuditChainHead,
    AuditVerification,
    CertificateUse,
    Channel,
    CounterGuidance,
    Dossier,
    DossierCodeCounter,
    DossierDocument,
    DossierEvent,
    Extension,
    IssuedLetter,
    LetterNumberCounter,
    PaymentRequest,
    PersonalDataAccess,
    PublishedChainHead,
    ResultDocument,
    State,
    StepRecord,
    SupplementRequest,
    TrustedRoot,
)
from .validators import validate_id_number, validate_phone

Event = DossierEvent.Kind
# Who may take the actions that are not tied to holding the current step (those are checked with
# `can_act_on_step`). The dossier page offers an action only to these roles, from this one table.
ROLES_FOR: dict[str, tuple[str, ...]] = {
    "receive": (Role.RECEPTION,),
    "refuse_at_counter": (Role.RECEPTION,),
    "give_guidance": (Role.RECEPTION,),
    "fulfil_supplement": (Role.RECEPTION, Role.SPECIALIST, Role.LEADER),
    "confirm_payment": (Role.RECEPTION, Role.SPECIALIST, Role.LEADER),
    "return_result": (Role.RECEPTION,),
    "stop": (Role.LEADER,),
    "reject": (Role.SPECIALIST, Role.LEADER),
    "withdraw": (Role.RECEPTION, Role.LEADER),
    "request_extension": (Role.RECEPTION, Role.SPECIALIST, Role.LEADER),
    "approve_extension": (Role.LEADER,),
    "reject_extension": (Role.LEADER,),
    "register_result_document": (Role.RECEPTION, Role.LEADER),
}
# A supplement request must reach the citizen within 3 working days of reception (docs/ARCHITECTURE.md, "Time").
SUPPLEMENT_NOTICE_WORKING_DAYS = Decimal(3)
TOKEN_BYTES = 9  # 72 random bits, 12 URL-safe characters: a small QR (version <= 4) still fits the URL


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    phone: str
    address: str
    type: str = ApplicantType.CITIZEN
    email: str = ""
    # Channels the citizen chose for news of the dossier; None: by e-mail when an address is given.
    notify_channels: tuple[str, ...] | None = None
    language: str = "vi"
    birth_date: datetime.date | None = None


@dataclass(frozen=True)
class ReceivedDocument:
    name: str
    required_document_id: int | None = None
    originals: int = 0
    certified_copies: int = 0
    photocopies: int = 0


@dataclass
class _Context:
    """What every service resolves first: the locked dossier and the acting official."""

    dossier: Dossier
    official: Official
    now: datetime.datetime = field(default_factory=timezone.now)


# --- permission and locking helpers ------------------------------------------------------------------


def official_of(actor) -> Official:
    official = getattr(actor, "official", None) if actor is not None and actor.is_authenticated else None
    if official is None or not official.is_active:
        raise DossierPermissionError(_("Tài khoản này không phải cán bộ đang công tác tại một cơ quan."))
    return official


def _require_role(official: Official, agency_id: int, *roles: str) -> None:
    if official.agency_id != agency_id:
        raise DossierPermissionError(_("Hồ sơ không thuộc cơ quan của bạn."))
    if roles and not official.has_role(*roles):
        labels = ", ".join(str(Role(role).label) for role in roles)
        raise DossierPermissionError(_("Thao tác này cần vai trò: %(roles)s.") % {"roles": labels})


def require_action_role(official: Official, action: str) -> None:
    """The role rule of `ROLES_FOR[action]` for an action not on an existing dossier (reception): for a caller that
    checks it before validating input, as the counter page's decorator does (DossierPermissionError)."""
    _require_role(official, official.agency_id, *ROLES_FOR[action])


def _lock(dossier_id: int) -> Dossier:
    """Lock the dossier row, then read it with its related rows. One query doing both would be wrong on
    PostgreSQL: a waiter gets the dossier's new columns after the lock is granted, but the joined rows as they
    were before, so a moved dossier came back with its new `current_step_id` and `current_step = None`."""
    if not Dossier.objects.select_for_update().filter(pk=dossier_id).values_list("pk", flat=True):
        raise DossierActionError(_("Không tìm thấy hồ sơ."))
    # Read after the lock is held: in READ COMMITTED this statement sees the last committed move.
    return Dossier.objects.select_related("agency", "procedure", "current_step").get(pk=dossier_id)


def _start(dossier_id: int, actor, now: datetime.datetime | None, *roles: str) -> _Context:
    official = official_of(actor)
    dossier = _lock(dossier_id)
    _require_role(official, dossier.agency_id, *roles)
    return _Context(dossier=dossier, official=official, now=now or timezone.now())


def _check_fresh(dossier: Dossier, expected_step_id: int | None) -> None:
    """A clerk acts on what their screen showed; if someone moved the dossier meanwhile, refuse."""
    if expected_step_id is not None and dossier.current_step_id != expected_step_id:
        raise DossierActionError(_("Hồ sơ vừa được người khác chuyển sang bước khác. Vui lòng tải lại trang."))


def _require_transition(method, message: str) -> None:
    if not can_proceed(method):
        raise DossierActionError(message)


def _open_record(dossier: Dossier) -> StepRecord | None:
    return selectors.open_step_record(dossier)


def can_act_on_step(official: Official, dossier: Dossier, record: StepRecord | None) -> bool:
    """The holder of the current step acts on it: its assignee, anyone with the step's role while it is
    unassigned, or a leader of the agency."""
    if official.agency_id != dossier.agency_id or dossier.current_step is None:
        return False
    if official.has_role(Role.LEADER):
        return True
    if not official.has_role(dossier.current_step.role):
        return False
    return record is None or record.assignee_id is None or record.assignee_id == official.pk


def _require_step_holder(ctx: _Context) -> StepRecord | None:
    record = _open_record(ctx.dossier)
    if not can_act_on_step(ctx.official, ctx.dossier, record):
        raise DossierPermissionError(_("Bạn không phải người đang giữ bước xử lý hiện tại của hồ sơ."))
    return record


def _actor_role(official: Official, preferred: str | None = None) -> str:
    if preferred and official.has_role(preferred):
        return preferred
    for role in (Role.LEADER, Role.SPECIALIST, Role.RECEPTION, Role.AGENCY_ADMIN):
        if official.has_role(role):
            return role
    return ""


def _event(ctx: _Context, kind: str, *, public_note: str = "", internal_note: str = "", is_public: bool = True,
           step: ProcedureStep | None = None, role: str | None = None) -> DossierEvent:
    """The one writer of dossier events: each is sealed into the agency's audit chain in the same transaction."""
    event = DossierEvent(
        dossier=ctx.dossier,
        kind=kind,
        at=ctx.now,
        actor=ctx.official,
        actor_role=_actor_role(ctx.official, role),
        step=step if step is not None else ctx.dossier.current_step,
        public_note=public_note,
        internal_note=internal_note,
        is_public=is_public,
    )
    audit.seal(event, agency_id=ctx.dossier.agency_id, now=ctx.now)
    event.save()
    # The outbox: the messages this event owes the citizen and the officials, written in this transaction.
    notify.on_event(event)
    # --- national portal sync (issue 18): a status change is queued for the national portal in this transaction.
    national.on_event(event)
    # --- end national portal sync
    return event


# simple-history keeps the reason in a 100-character column (procedures/history.py); bulk creation skips the
# signal that fits it, so the services cut it themselves too.
_reason = history_reason


def _save(ctx: _Context, reason: str) -> None:
    ctx.dossier._change_reason = _reason(reason)
    ctx.dossier._history_user = ctx.official.user
    ctx.dossier.save()


def _validated_assignee(agency_id: int, step: ProcedureStep, assignee_id: int | None) -> Official | None:
    if assignee_id is None:
        return None
    assignee = Official.objects.select_related("user").filter(pk=assignee_id, agency_id=agency_id, is_active=True).first()
    if assignee is None:
        raise DossierActionError(_("Người được giao không thuộc cơ quan hoặc đã nghỉ công tác."))
    if not assignee.has_role(step.role, Role.LEADER):
        raise DossierActionError(
            _("%(name)s không có vai trò “%(role)s” để nhận bước “%(step)s”.")
            % {"name": assignee.display_name, "role": Role(step.role).label, "step": step.name}
        )
    return assignee


def _step_due(dossier: Dossier, step: ProcedureStep, start: datetime.datetime) -> datetime.datetime:
    unit = dossier.procedure.time_unit
    due = calendar.add_working_time(
        dossier.agency, start, calendar.to_working_time(dossier.agency, step.duration, step_unit(unit))
    )
    # A same-day procedure's steps share its one day: no step is due after the dossier itself.
    return min(due, dossier.due_at) if unit == TimeUnit.SAME_DAY else due


def _open_step(ctx: _Context, step: ProcedureStep, *, assignee: Official | None,
               clock_start: datetime.datetime | None = None) -> StepRecord:
    """Open the step now; its deadline counts from `clock_start` (a dossier received after hours starts its
    clock at the next working session, but the hand-off itself happened now, and the control sheet says so)."""
    ctx.dossier.current_step = step
    ctx.dossier.current_assignee = assignee
    record = StepRecord(dossier=ctx.dossier, step=step, sender=ctx.official, assignee=assignee, started_at=ctx.now,
                        due_at=_step_due(ctx.dossier, step, clock_start or ctx.now))
    _audited_save(record, ctx.official, f"open step: {step.name}")
    return record


def _audited_save(instance, official: Official, reason: str, **kwargs) -> None:
    """Save a row with its history answering who (the official's login) and why."""
    instance._history_user = official.user
    instance._change_reason = _reason(reason)
    instance.save(**kwargs)


def _close_step(ctx: _Context, record: StepRecord | None, outcome: str, note: str = "") -> None:
    if record is None:
        return
    record.finished_at = ctx.now
    record.outcome = outcome
    record.note = note
    _audited_save(record, ctx.official, outcome)


# --- reception -----------------------------------------------------------------------------------------


def _clean_applicant(applicant: Applicant) -> Applicant:
    errors = {}
    name = " ".join((applicant.name or "").split())
    if not name:
        errors["name"] = _("Nhập họ tên người nộp hồ sơ.")
    if not (applicant.address or "").strip():
        errors["address"] = _("Nhập địa chỉ người nộp hồ sơ.")
    if applicant.type not in ApplicantType.values:
        errors["type"] = _("Loại người nộp không hợp lệ.")
    phone = id_number = ""
    try:
        phone = validate_phone(applicant.phone)
    except ValidationError as error:
        errors["phone"] = error.messages[0]
    try:
        id_number = validate_id_number(applicant.type, applicant.id_number)
    except ValidationError as error:
        errors["id_number"] = error.messages[0]
    if errors:
        raise DossierActionError(" ".join(str(message) for message in errors.values()))
    email = (applicant.email or "").strip()
    try:
        channels = notify.clean_channels(applicant.notify_channels, email=email)
    except ValidationError as error:
        raise DossierActionError(error.messages[0]) from None
    return Applicant(name=name, id_number=id_number, phone=phone, address=applicant.address.strip(),
                     type=applicant.type, email=email, notify_channels=channels,
                     language=notify.clean_language(applicant.language), birth_date=applicant.birth_date)


def _locked_counter(counter_model, **key):
    """The counter row for `key`, created if missing and locked for the rest of the calling transaction, so
    concurrent callers never share a value; a rolled-back transaction may leave a gap."""
    counter_model.objects.bulk_create([counter_model(**key)], ignore_conflicts=True)
    return counter_model.objects.select_for_update().get(**key)


def _next_value(counter_model, **key) -> int:
    counter = _locked_counter(counter_model, **key)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value


def _allocate_code(agency, day: datetime.date) -> str:
    """<agency code>-<yymmdd>-<NNNN> (Thông tư 01/2018/TT-VPCP Điều 19): a per-agency, per-day sequence."""
    prefix = f"{agency.code}-{day:%y%m%d}-"
    counter = _locked_counter(DossierCodeCounter, agency=agency, day=day)
    counter.last_value += 1
    if Dossier.objects.filter(code=f"{prefix}{counter.last_value:04d}").exists():
        # Dossiers written without the counter (a legacy import, a restored backup, a bulk seed) already hold
        # this code. Continue after the highest sequence taken that day, so the counter heals itself instead
        # of proposing the same taken code to every later reception. The unique index makes the check cheap.
        counter.last_value = _highest_sequence(prefix) + 1
    counter.save(update_fields=["last_value"])
    return f"{prefix}{counter.last_value:04d}"


def _highest_sequence(prefix: str) -> int:
    """The largest daily sequence among codes that start with `prefix` (any width: 9999 is not the end)."""
    suffixes = (code.removeprefix(prefix) for code in
                Dossier.objects.filter(code__startswith=prefix).values_list("code", flat=True).iterator())
    return max((int(suffix) for suffix in suffixes if suffix.isascii() and suffix.isdigit()), default=0)


# The kind of each letter in its number (Nghị định 30/2020/NĐ-CP, Phụ lục III): Mẫu 05 is a Thông báo (TB);
# Mẫu 03 and 04 are letters without a kind of their own (công văn: the agency's symbol only).
LETTER_KINDS = {IssuedLetter.Form.REFUSAL: "", IssuedLetter.Form.APOLOGY: "", IssuedLetter.Form.STOP: "TB"}


def _issue_letter(ctx: _Context, form: str, *, extension: Extension | None = None) -> IssuedLetter:
    """Give the letter its number from the agency's yearly counter when it is issued (Nghị định 30/2020/NĐ-CP,
    Phụ lục I, mục II, khoản 3: "Số: 05/TB-UBND", numbers below 10 with a leading zero), and keep it with the
    date and signer, so a reprint is the same letter."""
    agency = ctx.dossier.agency
    year = timezone.localtime(ctx.now).year
    sequence = _next_value(LetterNumberCounter, agency=agency, year=year)
    symbol = "-".join(part for part in (LETTER_KINDS[form], agency.document_symbol) if part)
    letter = IssuedLetter(dossier=ctx.dossier, form=form, extension=extension, agency=agency, year=year,
                          sequence=sequence, number=f"{sequence:02d}/{symbol}" if symbol else f"{sequence:02d}",
                          issued_at=ctx.now, signer=ctx.official)
    _audited_save(letter, ctx.official, f"issue letter: {form}")
    return letter


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _procedure_for(official: Official, procedure_id: int) -> Procedure:
    procedure = Procedure.objects.filter(pk=procedure_id, is_active=True).first()
    if procedure is None:
        raise DossierActionError(_("Thủ tục không tồn tại hoặc đã ngừng áp dụng."))
    if not procedure.agencies.filter(pk=official.agency_id).exists():
        raise DossierActionError(_("Cơ quan của bạn không thực hiện thủ tục này."))
    return procedure


def _create(official: Official, procedure: Procedure, applicant: Applicant, documents: Sequence[ReceivedDocument],
            *, channel: str, sets_count: int, now: datetime.datetime, due_at: datetime.datetime,
            first_step: ProcedureStep | None = None, holder: Official | None = None,
            refusal_reason: str | None = None, supplement_notice_due_at: datetime.datetime | None = None) -> Dossier:
    if channel not in Channel.values:
        raise DossierActionError(_("Kênh nộp hồ sơ không hợp lệ."))
    if sets_count < 1:
        raise DossierActionError(_("Số bộ hồ sơ phải từ 1 trở lên."))
    agency = official.agency
    dossier = Dossier(
        code=_allocate_code(agency, timezone.localtime(now).date()),
        tracking_token=new_token(),
        procedure=procedure,
        agency=agency,
        channel=channel,
        applicant_type=applicant.type,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        notify_channels=",".join(applicant.notify_channels or ()),
        notify_language=applicant.language,
        applicant_birth_date=applicant.birth_date,
        sets_count=sets_count,
        received_at=now,
        received_by=official,
        due_at=due_at,
        current_step=first_step,
        current_assignee=holder,
        supplement_notice_due_at=supplement_notice_due_at,
    )
    dossier._history_user = official.user
    dossier._change_reason = "receive"
    if refusal_reason is not None:
        # Refused before the first save, so the history never shows a "received" dossier that never was.
        dossier._refuse()
        dossier.closed_at = now
        dossier.closing_reason = refusal_reason
        dossier._change_reason = _reason(f"refuse_at_counter: {refusal_reason}")
    try:
        with transaction.atomic():
            dossier.save()
    except IntegrityError:
        # A token collision (2^-72) or a code clash after manual edits: refuse cleanly rather than 500.
        raise DossierActionError(_("Không cấp được mã hồ sơ, vui lòng thử lại.")) from None
    known = {doc.pk: doc for doc in RequiredDocument.objects.filter(procedure=procedure)}
    received = [
        DossierDocument(
            dossier=dossier,
            required_document=known.get(doc.required_document_id),
            name=doc.name.strip() or (known[doc.required_document_id].name if doc.required_document_id in known else ""),
            originals=doc.originals, certified_copies=doc.certified_copies, photocopies=doc.photocopies,
        )
        for doc in documents
        if doc.originals or doc.certified_copies or doc.photocopies
    ]
    if received:
        # With history: a plain bulk_create would leave the received documents out of the audit trail.
        bulk_create_with_history(received, DossierDocument, default_user=official.user,
                                 default_change_reason=dossier._change_reason)
    return dossier


def preview_due_at(*, actor, procedure_id: int, now: datetime.datetime | None = None) -> datetime.datetime:
    """The appointment a dossier received now would get, shown to the clerk before saving."""
    official = official_of(actor)
    procedure = _procedure_for(official, procedure_id)
    return calendar.due_at(official.agency, now or timezone.now(), procedure.time_limit, procedure.time_unit)


@transaction.atomic
def receive(*, actor, procedure_id: int, applicant: Applicant, documents: Sequence[ReceivedDocument] = (),
            channel: str = Channel.COUNTER, sets_count: int = 1, now: datetime.datetime | None = None) -> Dossier:
    """Receive a complete dossier: code, token, appointment from the working calendar (legal time limit counted
    from reception, NĐ 118/2025/NĐ-CP), the first step opened and held by the receiving clerk."""
    official = official_of(actor)
    _require_role(official, official.agency_id, *ROLES_FOR["receive"])
    procedure = _procedure_for(official, procedure_id)
    steps = list(procedure.steps.all())
    if not steps:
        raise DossierActionError(_("Thủ tục chưa được cấu hình các bước xử lý."))
    if not any(doc.originals or doc.certified_copies or doc.photocopies for doc in documents):
        raise DossierActionError(_("Hồ sơ phải có ít nhất một giấy tờ đã nhận."))
    applicant = _clean_applicant(applicant)
    now = now or timezone.now()
    agency = official.agency
    due = calendar.due_at(agency, now, procedure.time_limit, procedure.time_unit)
    clock_start = calendar.processing_start(agency, now, procedure.time_unit)
    notice_due = calendar.add_working_time(
        agency, clock_start, calendar.to_working_time(agency, SUPPLEMENT_NOTICE_WORKING_DAYS, TimeUnit.WORKING_DAYS))
    first = steps[0]
    holder = official if official.has_role(first.role) else None
    dossier = _create(official, procedure, applicant, documents, channel=channel, sets_count=sets_count, now=now,
                      due_at=due, first_step=first, holder=holder, supplement_notice_due_at=notice_due)
    ctx = _Context(dossier=dossier, official=official, now=now)
    _open_step(ctx, first, assignee=holder, clock_start=clock_start)
    _event(ctx, Event.RECEIVED, role=Role.RECEPTION)
    return dossier


@transaction.atomic
def refuse_at_counter(*, actor, procedure_id: int, applicant: Applicant, reason: str,
                      documents: Sequence[ReceivedDocument] = (), channel: str = Channel.COUNTER,
                      now: datetime.datetime | None = None) -> Dossier:
    """Refuse a dossier at the counter (Phiếu từ chối tiếp nhận, Mẫu 03): it is registered with a code so the
    refusal can be printed and audited, and closed at once."""
    official = official_of(actor)
    _require_role(official, official.agency_id, *ROLES_FOR["refuse_at_counter"])
    procedure = _procedure_for(official, procedure_id)
    reason = (reason or "").strip()
    if not reason:
        raise DossierActionError(_("Nhập lý do từ chối tiếp nhận."))
    applicant = _clean_applicant(applicant)
    now = now or timezone.now()
    dossier = _create(official, procedure, applicant, documents, channel=channel, sets_count=1, now=now, due_at=now,
                      refusal_reason=reason)
    ctx = _Context(dossier=dossier, official=official, now=now)
    _event(ctx, Event.REFUSED, public_note=reason, role=Role.RECEPTION)
    _issue_letter(ctx, IssuedLetter.Form.REFUSAL)
    return dossier


# The model's column widths: an over-long value is a clerk's error on every database, not a crash on PostgreSQL.
GUIDANCE_NAME_LENGTH = 255
GUIDANCE_PHONE_LENGTH = 20


@transaction.atomic
def give_guidance(*, actor, procedure_id: int, applicant_name: str, applicant_phone: str = "", missing: str,
                  now: datetime.datetime | None = None) -> CounterGuidance:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02, Thông tư 03/2025/TT-VPCP) for an incomplete dossier that
    is not received: the counter tells the citizen, in writing and at once, everything to supplement
    (NĐ 118/2025/NĐ-CP). No dossier, code or appointment is created; the slip is kept so every citizen turned
    away leaves a trace (who, when, why). The phone is optional and kept as typed when it is not a valid number."""
    official = official_of(actor)
    _require_role(official, official.agency_id, *ROLES_FOR["give_guidance"])
    procedure = _procedure_for(official, procedure_id)
    name = " ".join((applicant_name or "").split())
    missing = (missing or "").strip()
    errors = []
    if not name:
        errors.append(_("Nhập họ tên người nộp hồ sơ."))
    elif len(name) > GUIDANCE_NAME_LENGTH:
        errors.append(_("Họ tên người nộp quá dài."))
    if not missing:
        errors.append(_("Nhập nội dung cần bổ sung."))
    phone = " ".join((applicant_phone or "").split())
    if phone:
        # The slip does not depend on it: a valid number is normalised, a mistyped one is kept, not refused.
        with contextlib.suppress(ValidationError):
            phone = validate_phone(phone)
        if len(phone) > GUIDANCE_PHONE_LENGTH:
            errors.append(_("Số điện thoại quá dài."))
    if errors:
        raise DossierActionError(" ".join(str(message) for message in errors))
    guidance = CounterGuidance(agency=official.agency, procedure=procedure, official=official,
                               given_at=now or timezone.now(), applicant_name=name, applicant_phone=phone,
                               missing=missing)
    _audited_save(guidance, official, f"give_guidance: {missing}")
    return guidance


# --- processing ----------------------------------------------------------------------------------------


@transaction.atomic
def assign(*, dossier_id: int, actor, assignee_id: int, expected_step_id: int | None = None, note: str = "",
           now: datetime.datetime | None = None) -> Dossier:
    """Give the current step to a named official (a leader dispatching, or the holder handing over)."""
    ctx = _start(dossier_id, actor, now)
    dossier = ctx.dossier
    _check_fresh(dossier, expected_step_id)
    if dossier.state not in (State.RECEIVED, State.IN_PROGRESS):
        raise DossierActionError(_("Chỉ phân công được hồ sơ đang giải quyết."))
    record = _require_step_holder(ctx)
    assignee = _validated_assignee(dossier.agency_id, dossier.current_step, assignee_id)
    if record is not None:
        record.assignee = assignee
        record._change_reason = "assign"
        record._history_user = ctx.official.user
        record.save(update_fields=["assignee"])
    dossier.current_assignee = assignee
    _save(ctx, f"assign: {assignee.display_name}")
    _event(ctx, Event.ASSIGNED, is_public=False, internal_note=f"{assignee.display_name}. {note}".strip())
    return dossier


@transaction.atomic
def forward(*, dossier_id: int, actor, expected_step_id: int | None = None, assignee_id: int | None = None,
            note: str = "", now: datetime.datetime | None = None) -> Dossier:
    """Hand the dossier to the procedure's next step; leaving reception starts the processing state."""
    ctx = _start(dossier_id, actor, now)
    dossier = ctx.dossier
    _check_fresh(dossier, expected_step_id)
    if dossier.state not in (State.RECEIVED, State.IN_PROGRESS):
        raise DossierActionError(_("Hồ sơ không ở trạng thái có thể chuyển bước (hiện: %(state)s).")
                                 % {"state": dossier.get_state_display()})
    record = _require_step_holder(ctx)
    next_step = dossier.procedure.steps.filter(order__gt=dossier.current_step.order).order_by("order").first()
    if next_step is None:
        raise DossierActionError(_("Đây là bước cuối cùng: hãy xác nhận hồ sơ đã có kết quả."))
    assignee = _validated_assignee(dossier.agency_id, next_step, assignee_id)
    if dossier.state == State.RECEIVED:
        dossier._start_processing()
    _close_step(ctx, record, StepRecord.Outcome.FORWARDED, note)
    _open_step(ctx, next_step, assignee=assignee)
    _save(ctx, f"forward: {next_step.name}")
    _event(ctx, Event.FORWARDED, internal_note=note, step=next_step)
    return dossier


@transaction.atomic
def send_back(*, dossier_id: int, actor, to_step_id: int, reason: str, expected_step_id: int | None = None,
              now: datetime.datetime | None = None) -> Dossier:
    """Return the dossier to an earlier step (e.g. approval finds an appraisal error), to whoever held it."""
    ctx = _start(dossier_id, actor, now)
    dossier = ctx.dossier
    _check_fresh(dossier, expected_step_id)
    if dossier.state != State.IN_PROGRESS:
        raise DossierActionError(_("Chỉ trả lại bước trước khi hồ sơ đang giải quyết."))
    reason = (reason or "").strip()
    if not reason:
        raise DossierActionError(_("Nhập lý do trả lại."))
    record = _require_step_holder(ctx)
    target = dossier.procedure.steps.filter(pk=to_step_id, order__lt=dossier.current_step.order).first()
    if target is None:
        raise DossierActionError(_("Chỉ trả lại được một bước trước đó của cùng thủ tục."))
    previous = dossier.step_records.filter(step=target).exclude(assignee=None).order_by("-started_at").first()
    _close_step(ctx, record, StepRecord.Outcome.SENT_BACK, reason)
    _open_step(ctx, target, assignee=previous.assignee if previous else None)
    _save(ctx, f"send_back: {reason}")
    _event(ctx, Event.SENT_BACK, internal_note=reason, step=target)
    return dossier


def _pause(ctx: _Context) -> None:
    ctx.dossier.paused_since = ctx.now


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


def _resume(ctx: _Context) -> datetime.timedelta:
    """Stop the pause: the working time it lasted moves the appointment and the open step's deadline."""
    paused = _bank_pause(ctx, move_appointment=True, reason="pause ended")
    ctx.dossier.paused_since = None
    return paused


@transaction.atomic
def request_supplement(*, dossier_id: int, actor, missing: str, reply_by: datetime.date,
                       now: datetime.datetime | None = None) -> Dossier:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02): the clock pauses until the citizen supplies it.

    The request is due within 3 working days of reception (`Dossier.supplement_notice_due_at`); a later one is
    still sent, since the citizen must be told, but is marked late on the request and in the internal log."""
    ctx = _start(dossier_id, actor, now)
    dossier = ctx.dossier
    _require_transition(dossier._pause_for_supplement, _("Hồ sơ không ở trạng thái có thể yêu cầu bổ sung."))
    _require_step_holder(ctx)
    missing = (missing or "").strip()
    if not missing:
        raise DossierActionError(_("Nhập nội dung cần bổ sung."))
    if reply_by < timezone.localtime(ctx.now).date():
        raise DossierActionError(_("Hạn bổ sung không được trước ngày hôm nay."), field="reply_by")
    late = dossier.supplement_notice_due_at is not None and ctx.now > dossier.supplement_notice_due_at
    dossier._pause_for_supplement()
    _pause(ctx)
    _save(ctx, f"request_supplement: {missing}")
    _audited_save(SupplementRequest(dossier=dossier, missing=missing, reply_by=reply_by, requested_at=ctx.now,
                                    requested_by=ctx.official, notice_late=late), ctx.official, "request_supplement")
    _event(ctx, Event.SUPPLEMENT_REQUESTED, public_note=missing,
           internal_note=_("Thông báo sau hạn 03 ngày làm việc kể từ khi tiếp nhận (hạn %(at)s).")
           % {"at": formats.date_format(timezone.localtime(dossier.supplement_notice_due_at), "SHORT_DATETIME_FORMAT")}
           if late else "")
    return dossier


@transaction.atomic
def fulfil_supplement(*, dossier_id: int, actor, note: str = "", now: datetime.datetime | None = None) -> Dossier:
    """The citizen brought the missing documents: processing resumes. By default the time already spent counts and
    the appointment moves by the pause; where the agency's `supplement_restarts_limit` is on, the whole limit
    is counted again from the supplement's receipt (docs/ARCHITECTURE.md, "Time")."""
    ctx = _start(dossier_id, actor, now, *ROLES_FOR["fulfil_supplement"])
    dossier = ctx.dossier
    _require_transition(dossier._resume_after_supplement, _("Hồ sơ không chờ bổ sung."))
    request = dossier.supplement_requests.filter(fulfilled_at__isnull=True).order_by("-requested_at").first()
    dossier._resume_after_supplement()
    paused = _resume(ctx)
    if dossier.agency.supplement_restarts_limit:
        procedure = dossier.procedure
        dossier.due_at = calendar.due_at(dossier.agency, ctx.now, procedure.time_limit, procedure.time_unit)
    _save(ctx, f"fulfil_supplement: paused {paused}")
    if request is not None:
        request.fulfilled_at = ctx.now
        request.fulfilled_by = ctx.official
        _audited_save(request, ctx.official, "fulfil_supplement", update_fields=["fulfilled_at", "fulfilled_by"])
    _event(ctx, Event.SUPPLEMENT_FULFILLED, public_note=note.strip())
    return dossier


@transaction.atomic
def await_payment(*, dossier_id: int, actor, amount: Decimal, description: str,
                  now: datetime.datetime | None = None) -> Dossier:
    """Notify a financial obligation; the clock pauses until it is paid."""
    ctx = _start(dossier_id, actor, now)
    dossier = ctx.dossier
    _require_transition(dossier._pause_for_payment, _("Hồ sơ không ở trạng thái có thể thông báo nghĩa vụ tài chính."))
    _require_step_holder(ctx)
    if amount is None or Decimal(amount) <= 0:
        raise DossierActionError(_("Số tiền phải lớn hơn 0."))
    description = (description or "").strip()
    if not description:
        raise DossierActionError(_("Nhập nội dung nghĩa vụ tài chính."))
    dossier._pause_for_payment()
    _pause(ctx)
    _save(ctx, f"await_payment: {amount} {description}")
    _audited_save(PaymentRequest(dossier=dossier, amount=amount, description=description, requested_at=ctx.now,
                                 requested_by=ctx.official), ctx.official, "await_payment")
    _event(ctx, Event.PAYMENT_REQUESTED, public_note=description)
    return dossier


@transaction.atomic
def confirm_payment(*, dossier_id: int, actor, receipt_number: str = "", now: datetime.datetime | None = None) -> Dossier:
    ctx = _start(dossier_id, actor, now, *ROLES_FOR["confirm_payment"])
    dossier = ctx.dossier
    _require_transition(dossier._resume_after_payment, _("Hồ sơ không chờ thực hiện nghĩa vụ tài chính."))
    payment = dossier.payment_requests.filter(paid_at__isnull=True).order_by("-requested_at").first()
    dossier._resume_after_payment()
    paused = _resume(ctx)
    _save(ctx, f"confirm_payment: paused {paused}")
    if payment is not None:
        payment.paid_at = ctx.now
        payment.confirmed_by = ctx.official
        payment.receipt_number = receipt_number.strip()
        _audited_save(payment, ctx.official, "confirm_payment",
                      update_fields=["paid_at", "confirmed_by", "receipt_number"])
    _event(ctx, Event.PAYMENT_CONFIRMED)
    return dossier


@transaction.atomic
def mark_processed(*, dossier_id: int, actor, result_note: str = "", expected_step_id: int | None = None,
                   now: datetime.datetime | None = None) -> Dossier:
    """The result is ready: the last step closes and the processing clock stops (its finish decides timeliness)."""
    ctx = _start(dossier_id, actor, now)
    dossier = ctx.dossier
    _check_fresh(dossier, expected_step_id)
    if dossier.state not in (State.RECEIVED, State.IN_PROGRESS):
        raise DossierActionError(_("Hồ sơ không ở trạng thái có thể xác nhận có kết quả."))
    if dossier.procedure.steps.filter(order__gt=dossier.current_step.order).exists():
        raise DossierActionError(_("Hồ sơ chưa qua hết các bước xử lý."))
    record = _require_step_holder(ctx)
    if dossier.state == State.RECEIVED:
        # A one-step procedure never forwards: its only step starts and finishes processing.
        dossier._start_processing()
    dossier._finish_processing()
    _lapse_pending_extensions(ctx)
    _close_step(ctx, record, StepRecord.Outcome.COMPLETED, result_note)
    dossier.processed_at = ctx.now
    dossier.result_note = result_note.strip()
    dossier.current_assignee = None
    _save(ctx, "mark_processed")
    _event(ctx, Event.PROCESSED)
    return dossier


@transaction.atomic
def return_result(*, dossier_id: int, actor, note: str = "", now: datetime.datetime | None = None) -> Dossier:
    ctx = _start(dossier_id, actor, now, *ROLES_FOR["return_result"])
    dossier = ctx.dossier
    _require_transition(dossier._return_result, _("Hồ sơ chưa có kết quả để trả."))
    dossier._return_result()
    dossier.returned_at = ctx.now
    dossier.closed_at = ctx.now
    _save(ctx, "return_result")
    _event(ctx, Event.RETURNED, public_note=note.strip(), role=Role.RECEPTION)
    return dossier


def _lapse_pending_extensions(ctx: _Context) -> None:
    """A request for more time that no leader decided before the dossier ended is closed with it, so no
    decision is left waiting on a finished dossier and the auditor sees why it was never approved."""
    for extension in ctx.dossier.extensions.filter(status=Extension.Status.PENDING):
        extension.status = Extension.Status.LAPSED
        _audited_save(extension, ctx.official, "dossier ended before approval", update_fields=["status"])


def _close_open(ctx: _Context, reason: str) -> None:
    """Shared ending of stop, reject and withdraw: the open step closes, any pause ends without moving the appointment."""
    _lapse_pending_extensions(ctx)
    _close_step(ctx, _open_record(ctx.dossier), StepRecord.Outcome.CLOSED, reason)
    ctx.dossier.closed_at = ctx.now
    ctx.dossier.closing_reason = reason
    ctx.dossier.paused_since = None
    ctx.dossier.current_assignee = None


@transaction.atomic
def stop(*, dossier_id: int, actor, reason: str, legal_ground: str, now: datetime.datetime | None = None) -> Dossier:
    """Thông báo dừng giải quyết hồ sơ (Mẫu 05): a leader's decision, with its reason and legal ground."""
    ctx = _start(dossier_id, actor, now, *ROLES_FOR["stop"])
    dossier = ctx.dossier
    _require_transition(dossier._stop, _("Hồ sơ đã kết thúc, không thể dừng giải quyết."))
    reason, legal_ground = (reason or "").strip(), (legal_ground or "").strip()
    if not reason or not legal_ground:
        raise DossierActionError(_("Nhập lý do và căn cứ pháp lý của việc dừng giải quyết."))
    dossier._stop()
    _close_open(ctx, reason)
    dossier.closing_legal_ground = legal_ground
    _save(ctx, f"stop: {reason} ({legal_ground})")
    _event(ctx, Event.STOPPED, public_note=reason, role=Role.LEADER)
    _issue_letter(ctx, IssuedLetter.Form.STOP)
    return dossier


@transaction.atomic
def reject(*, dossier_id: int, actor, reason: str, legal_ground: str = "", expected_step_id: int | None = None,
           now: datetime.datetime | None = None) -> Dossier:
    """Refuse a received dossier after appraisal: it does not qualify, and the citizen gets the reason in writing
    (Phiếu từ chối, Mẫu 03 of Thông tư 03/2025/TT-VPCP; the rule of NĐ 61/2018/NĐ-CP Điều 20 that a dossier not
    settled is returned "kèm theo thông báo bằng văn bản và nêu rõ lý do", carried into NĐ 118/2025/NĐ-CP — its
    article there not verified, docs/ARCHITECTURE.md). National status 3 (refused). A specialist refuses the
    step they hold; a leader any open received or in-progress dossier of the agency."""
    ctx = _start(dossier_id, actor, now, *ROLES_FOR["reject"])
    dossier = ctx.dossier
    _check_fresh(dossier, expected_step_id)
    _require_transition(dossier._reject, _("Chỉ từ chối giải quyết được hồ sơ đã tiếp nhận hoặc đang giải quyết."))
    if not ctx.official.has_role(Role.LEADER):
        _require_step_holder(ctx)
    reason, legal_ground = (reason or "").strip(), (legal_ground or "").strip()
    if not reason:
        raise DossierActionError(_("Nhập lý do từ chối giải quyết hồ sơ."))
    dossier._reject()
    _close_open(ctx, reason)
    dossier.closing_legal_ground = legal_ground
    _save(ctx, f"reject: {reason}")
    _event(ctx, Event.REJECTED, public_note=reason)
    _issue_letter(ctx, IssuedLetter.Form.REFUSAL)
    return dossier


@transaction.atomic
def withdraw(*, dossier_id: int, actor, reason: str, now: datetime.datetime | None = None) -> Dossier:
    """The citizen asks to withdraw the dossier; the counter records it."""
    ctx = _start(dossier_id, actor, now, *ROLES_FOR["withdraw"])
    dossier = ctx.dossier
    _require_transition(dossier._withdraw, _("Hồ sơ đã kết thúc, không thể rút."))
    reason = (reason or "").strip()
    if not reason:
        raise DossierActionError(_("Nhập lý do rút hồ sơ theo đề nghị của công dân."))
    dossier._withdraw()
    _close_open(ctx, reason)
    _save(ctx, f"withdraw: {reason}")
    _event(ctx, Event.WITHDRAWN, public_note=reason, role=Role.RECEPTION)
    return dossier


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
    if dossier.state not in OPEN_STATES:
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
    if ctx.dossier.state not in OPEN_STATES:
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


# --- records around the dossier -----------------------------------------------------------------------


@transaction.atomic
def record_print(*, dossier_id: int, actor, form_name: str, now: datetime.datetime | None = None) -> None:
    """Each printed form is written to the dossier's internal log (who printed what, when)."""
    ctx = _start(dossier_id, actor, now)
    _event(ctx, Event.FORM_PRINTED, is_public=False, internal_note=form_name)


@transaction.atomic
def register_result_document(*, dossier_id: int, actor, number: str, issued_on: datetime.date, signer: str,
                             title: str = "", now: datetime.datetime | None = None) -> ResultDocument:
    """Register the issued result document so its verification QR can prove it is genuine."""
    ctx = _start(dossier_id, actor, now, *ROLES_FOR["register_result_document"])
    dossier = ctx.dossier
    if dossier.state not in (State.PROCESSED, State.RETURNED):
        raise DossierActionError(_("Chỉ đăng ký văn bản kết quả khi hồ sơ đã có kết quả."))
    number, signer = (number or "").strip(), (signer or "").strip()
    if not number or not signer:
        raise DossierActionError(_("Nhập số văn bản và người ký."))
    if dossier.result_documents.filter(number=number).exists():
        raise DossierActionError(_("Văn bản số %(number)s đã được đăng ký cho hồ sơ này.") % {"number": number})
    document = ResultDocument(dossier=dossier, number=number, issued_on=issued_on, signer=signer, title=title.strip(),
                              verification_token=new_token(), registered_by=ctx.official, registered_at=ctx.now)
    document._history_user = ctx.official.user
    # The signed electronic copy is made before the chain is locked: rendering must not hold up other writers.
    copy = pdf.result_copy_pdf(document)
    document.electronic_copy.save(f"{document.verification_token}.pdf", ContentFile(copy), save=False)
    document.electronic_copy_sha256 = hashlib.sha256(copy).hexdigest()
    audit.seal(document, agency_id=dossier.agency_id, now=ctx.now)
    document.save()
    _event(ctx, Event.RESULT_REGISTERED, public_note=number)
    return document


def record_access(*, user, agency_id: int, kind: str, what: str, dossier_id: int | None = None,
                  now: datetime.datetime | None = None) -> PersonalDataAccess:
    """Log one look at applicants' personal data (Nghị định 13/2023/NĐ-CP): who, when, which dossier (or which
    list, named in `what`), what. Called by every staff view, print and export that shows such data; the
    view has already decided the user may see it, so this never refuses. Own transaction-free insert: a read
    leaves its trace even when nothing else is written."""
    official = getattr(user, "official", None)  # None for a superuser without an official (no query error)
    return PersonalDataAccess.objects.create(
        at=now or timezone.now(), user=user, official=official, agency_id=agency_id, dossier_id=dossier_id,
        kind=kind, what=str(what)[:255],
    )


@transaction.atomic
def opt_out_of_notifications(*, token: str, now: datetime.datetime | None = None) -> Dossier:
    """The citizen stops the messages about their dossier from its tracking page (the token is the proof)."""
    dossier = Dossier.objects.select_for_update().filter(tracking_token=token).first()
    if dossier is None:
        raise DossierActionError(_("Không tìm thấy hồ sơ."))
    if dossier.notify_opted_out_at is None:
        dossier.notify_opted_out_at = now or timezone.now()
        dossier._change_reason = "opt_out_of_notifications"
        dossier.save(update_fields=["notify_opted_out_at"])
        notify.drop_pending_for_applicant(dossier)
    return dossier


# --- the audit chain: daily publication and verification runs --------------------------------------------------


@transaction.atomic
def publish_chain_heads(*, now: datetime.datetime | None = None) -> list[PublishedChainHead]:
    """Publish each agency's chain head for today (Celery beat, daily). The first publication of a day stands:
    a copy someone already took must keep matching."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    published = []
    for head in AuditChainHead.objects.filter(seq__gt=0).order_by("agency_id"):
        row, _created = PublishedChainHead.objects.get_or_create(
            agency_id=head.agency_id, published_on=day,
            defaults={"published_at": now, "seq": head.seq, "hash": head.hash},
        )
        published.append(row)
    return published


def verify_audit_chains(*, agency_code: str | None = None,
                        now: datetime.datetime | None = None) -> list[audit.ChainReport]:
    """Walk the chain of one agency (or of each) and store the result for the leader dashboard."""
    agencies = Agency.objects.order_by("code")
    if agency_code:
        agencies = agencies.filter(code=agency_code)
        if not agencies.exists():
            raise DossierActionError(_("Không có cơ quan mã %(code)s.") % {"code": agency_code})
    reports = []
    for agency in agencies:
        report = _walk_in_snapshot(agency.pk)
        AuditVerification.objects.create(agency=agency, ran_at=now or timezone.now(), ok=report.ok,
                                         entries=report.entries, problem=report.problem)
        reports.append(report)
    return reports


def _walk_in_snapshot(agency_id: int) -> audit.ChainReport:
    """One consistent snapshot (PostgreSQL REPEATABLE READ) so writes landing during the walk are not mistaken for
    tampering; inside an outer transaction (tests) the outer one's view is used."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            return audit.walk(agency_id)
    with transaction.atomic():
        return audit.walk(agency_id)


# --- the agency's signing certificate (dossiers.signing) --------------------------------------------------------


@transaction.atomic
def install_agency_certificate(*, agency_id: int, pkcs12: bytes, passphrase: str, actor,
                               now: datetime.datetime | None = None) -> AgencyCertificate:
    """An agency's PKCS#12 (key and certificate) becomes its signing certificate; the previous one is retired.

    Only a superuser or an agency administrator of that agency may do it. The key is stored encrypted and never
    shown again (signing.SigningError for a file that cannot be used)."""
    from . import signing

    if not (actor is not None and actor.is_authenticated and actor.is_superuser):
        official = official_of(actor)
        _require_role(official, agency_id, Role.AGENCY_ADMIN)
    agency = Agency.objects.select_for_update().get(pk=agency_id)
    now = now or timezone.now()
    credentials = signing.read_pkcs12(pkcs12, passphrase, now=now)
    AgencyCertificate.objects.filter(agency=agency, is_active=True).update(is_active=False)
    return AgencyCertificate.objects.create(
        agency=agency, subject=credentials.subject[:500], issuer=credentials.issuer[:500],
        serial_number=format(credentials.certificate.serial_number, "x")[:100], fingerprint=credentials.fingerprint,
        not_before=credentials.certificate.not_valid_before_utc, not_after=credentials.certificate.not_valid_after_utc,
        certificate_pem=credentials.chain_pem(), encrypted_key=signing.encrypt_private_key(credentials.key),
        uploaded_at=now, uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )


def record_certificate_use(*, certificate_id: int, document: str,
                           now: datetime.datetime | None = None) -> CertificateUse:
    """Each use of an agency's private key is logged: what was signed, when."""
    return CertificateUse.objects.create(certificate_id=certificate_id, document=document[:300],
                                         used_at=now or timezone.now())


def add_trusted_root(*, name: str, pem: str) -> TrustedRoot:
    """A certificate authority the public verification page trusts (the same PEM is not added twice)."""
    from . import signing

    certificates = signing.certificates_from_pem(pem)
    if len(certificates) != 1:
        raise DossierActionError(_("Cần đúng một chứng thư gốc dạng PEM."))
    root, _created = TrustedRoot.objects.get_or_create(certificate_pem=pem.strip() + "\n", defaults={"name": name})
    return root
