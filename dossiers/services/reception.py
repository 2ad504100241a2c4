"""Reception at the counter: a complete dossier is received (code, token, appointment, first step), an incomplete
one refused with Mẫu 03 or not received and the citizen given a guidance slip (Mẫu 02)."""
import contextlib
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from procedures import calendar
from procedures.models import Official, Procedure, ProcedureStep, RequiredDocument, TimeUnit
from procedures.roles import Role

from .. import codes, notify
from ..errors import DossierActionError
from ..models import (
    ApplicantType,
    Channel,
    CounterGuidance,
    Dossier,
    DossierCodeCounter,
    DossierDocument,
    IssuedLetter,
)
from ..validators import validate_id_number, validate_phone
from ._core import (
    ROLES_FOR,
    Event,
    _audited_save,
    _Context,
    _event,
    _issue_letter,
    _open_step,
    _reason,
    _require_role,
    official_of,
)

# A supplement request must reach the citizen within 3 working days of reception (docs/ARCHITECTURE.md, "Time").
SUPPLEMENT_NOTICE_WORKING_DAYS = Decimal(3)


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



def _allocate_code(agency, day: datetime.date) -> str:
    """<agency code>-<yymmdd>-<NNNN> (Thông tư 01/2018/TT-VPCP Điều 19): a per-agency, per-day sequence."""
    return codes.allocate_code(DossierCodeCounter, prefix=f"{agency.code}-{day:%y%m%d}-", coded=Dossier.objects,
                               agency=agency, day=day)


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
        tracking_token=codes.new_token(),
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
    reason = "receive"
    if refusal_reason is not None:
        # Refused before the first save, so the history never shows a "received" dossier that never was.
        dossier._refuse()
        dossier.closed_at = now
        dossier.closing_reason = refusal_reason
        reason = f"refuse_at_counter: {refusal_reason}"
    try:
        with transaction.atomic():
            _audited_save(dossier, official, reason)
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
                                 default_change_reason=_reason(reason))
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


