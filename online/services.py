"""Every state change of an online submission: one function per use case, one transaction.

The citizen files (files checked by `online.files` before this is called), confirms the contact with a one-time
code sent through the notifications outbox, completes a returned submission, uploads a supplement, chooses how
to get the paper result. The clerk receives (the dossier is created by `dossiers.services.receive`, channel
"online": code and appointment counted from that moment), returns it for completion (Mẫu 02, kept as a
`CounterGuidance` through `dossiers.services.give_guidance`) or refuses it (Mẫu 03, a refused dossier through
`dossiers.services.refuse_at_counter`), accepts an uploaded supplement (`dossiers.services.fulfil_supplement`)
and records the postal tracking number. Nothing is half-stored: files written to storage by a failing call are
deleted again (`_StoredFiles`).

Legal basis: Nghị định 118/2025/NĐ-CP (one-stop mechanism, online reception) and Nghị định 45/2020/NĐ-CP on
administrative procedures performed electronically (online filing, the same forms sent electronically).
"""
import datetime
import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from dossiers import services as dossier_services
from dossiers.models import OPEN_STATES, ApplicantType, Channel, State
from dossiers.validators import validate_id_number, validate_phone
from notifications import services as outbox
from notifications.models import Audience, NotificationChannel
from procedures.models import Procedure, RequiredDocument

from . import links
from .errors import SubmissionError
from .files import CheckedFile
from .models import (
    PENDING_STATES,
    ContactConfirmation,
    OnlineSubmission,
    ResultDelivery,
    SubmissionState,
    SubmittedFile,
)

logger = logging.getLogger(__name__)
TOKEN_BYTES = 16  # 128 random bits: the link is the citizen's only key to their files
CONTACT_CHANNELS = (NotificationChannel.EMAIL, NotificationChannel.SMS)
# An unconfirmed submission stops counting against its contact's allowance after a day (abandoned forms).
ABANDONED_AFTER = datetime.timedelta(days=1)


@dataclass(frozen=True)
class ApplicantDetails:
    name: str
    id_number: str
    phone: str
    address: str
    type: str = ApplicantType.CITIZEN
    email: str = ""


@dataclass(frozen=True)
class Upload:
    """A checked file for one required document (or a free-named one when `required_document_id` is None)."""

    checked: CheckedFile
    required_document_id: int | None = None
    document_name: str = ""


# --- files ------------------------------------------------------------------------------------------------------


class _StoredFiles:
    """Files written during one service call; deleted again if the call fails, so storage keeps nothing that
    the database does not reference."""

    def __init__(self):
        self.names: list[tuple[object, str]] = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            for storage, name in self.names:
                try:
                    storage.delete(name)
                except Exception:  # cleanup must not hide the original error
                    logger.warning("could not delete %s after a failed upload", name, exc_info=True)
        return False

    def store(self, submission: OnlineSubmission, upload: Upload, purpose: str, documents: dict,
              now: datetime.datetime) -> SubmittedFile:
        checked = upload.checked
        required = documents.get(upload.required_document_id)
        name = required.name if required is not None else (upload.document_name or _("Giấy tờ khác"))
        digest = hashlib.sha256()
        checked.upload.seek(0)
        for chunk in checked.upload.chunks():
            digest.update(chunk)
        checked.upload.seek(0)
        row = SubmittedFile(submission=submission, required_document=required, document_name=name[:500],
                            original_name=(getattr(checked.upload, "name", "") or "")[:255],
                            content_type=checked.content_type, size=checked.size, sha256=digest.hexdigest(),
                            purpose=purpose, uploaded_at=now)
        # A random stored name: the citizen's file name never reaches the storage backend.
        row.file.save(f"{secrets.token_hex(16)}.{checked.extension}", checked.upload, save=False)
        self.names.append((row.file.storage, row.file.name))
        row.save()
        return row


def _documents_of(procedure: Procedure) -> dict[int, RequiredDocument]:
    return {doc.pk: doc for doc in RequiredDocument.objects.filter(procedure=procedure)}


def _check_uploads_belong(uploads: Sequence[Upload], documents: dict) -> None:
    for upload in uploads:
        if upload.required_document_id is not None and upload.required_document_id not in documents:
            raise SubmissionError(_("Thành phần hồ sơ không thuộc thủ tục này."))


# --- the citizen's filing -------------------------------------------------------------------------------------


def _clean_applicant(applicant: ApplicantDetails) -> ApplicantDetails:
    errors = []
    name = " ".join((applicant.name or "").split())
    address = " ".join((applicant.address or "").split())
    if not name:
        errors.append(_("Nhập họ tên người nộp hồ sơ."))
    if not address:
        errors.append(_("Nhập địa chỉ người nộp hồ sơ."))
    phone = id_number = ""
    try:
        phone = validate_phone(applicant.phone)
    except ValidationError as error:
        errors.append(error.messages[0])
    try:
        id_number = validate_id_number(applicant.type, applicant.id_number)
    except ValidationError as error:
        errors.append(error.messages[0])
    if errors:
        raise SubmissionError(" ".join(str(error) for error in errors))
    return ApplicantDetails(name=name, id_number=id_number, phone=phone, address=address, type=applicant.type,
                            email=(applicant.email or "").strip().lower())


def _contact(channel: str, applicant: ApplicantDetails) -> str:
    if channel not in CONTACT_CHANNELS:
        raise SubmissionError(_("Chọn nhận mã xác nhận qua thư điện tử hoặc tin nhắn SMS."))
    if channel == NotificationChannel.EMAIL:
        if not applicant.email:
            raise SubmissionError(_("Nhập thư điện tử để nhận mã xác nhận qua thư điện tử."))
        return applicant.email
    return applicant.phone


def online_procedure(*, procedure_id: int, agency_id: int) -> Procedure:
    procedure = Procedure.objects.filter(pk=procedure_id, is_active=True, online_enabled=True).first()
    if procedure is None or not procedure.agencies.filter(pk=agency_id).exists():
        raise SubmissionError(_("Thủ tục này chưa nhận hồ sơ trực tuyến tại cơ quan đã chọn."))
    return procedure


def _pending_count(address: str, now: datetime.datetime) -> int:
    return (OnlineSubmission.objects.filter(contact_address=address, state__in=PENDING_STATES)
            .exclude(state=SubmissionState.AWAITING_CONFIRMATION, created_at__lt=now - ABANDONED_AFTER).count())


def start_submission(*, procedure_id: int, agency_id: int, applicant: ApplicantDetails, contact_channel: str,
                     uploads: Sequence[Upload], result_delivery: str = ResultDelivery.COUNTER,
                     delivery_address: str = "", language: str = "vi",
                     now: datetime.datetime | None = None) -> OnlineSubmission:
    """File a submission: the applicant, one or more checked files per required document (every mandatory one
    present), how to get the paper result. It waits for the contact's one-time code, sent here, and stays
    invisible to the office until confirmed. At most ONLINE_MAX_PENDING_PER_CONTACT open submissions per contact."""
    now = now or timezone.now()
    procedure = online_procedure(procedure_id=procedure_id, agency_id=agency_id)
    applicant = _clean_applicant(applicant)
    address = _contact(contact_channel, applicant)
    delivery_address = _clean_delivery(result_delivery, delivery_address)
    documents = _documents_of(procedure)
    _check_uploads_belong(uploads, documents)
    given = {upload.required_document_id for upload in uploads}
    missing = [doc.name for doc in documents.values() if doc.mandatory and doc.pk not in given]
    if missing:
        raise SubmissionError(_("Còn thiếu tệp của: %(names)s.") % {"names": "; ".join(missing)})
    if not uploads:
        raise SubmissionError(_("Tải lên ít nhất một tệp hồ sơ."))
    if _pending_count(address, now) >= settings.ONLINE_MAX_PENDING_PER_CONTACT:
        raise SubmissionError(
            _("Địa chỉ liên hệ này đã có %(count)d hồ sơ trực tuyến đang chờ xử lý; vui lòng chờ cơ quan xử lý "
              "trước khi nộp thêm.") % {"count": settings.ONLINE_MAX_PENDING_PER_CONTACT})
    with _StoredFiles() as stored, transaction.atomic():
        submission = OnlineSubmission(
            tracking_token=secrets.token_urlsafe(TOKEN_BYTES), procedure=procedure, agency_id=agency_id,
            applicant_type=applicant.type, applicant_name=applicant.name, applicant_id_number=applicant.id_number,
            applicant_phone=applicant.phone, applicant_email=applicant.email, applicant_address=applicant.address,
            language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
            contact_channel=contact_channel, contact_address=address, result_delivery=result_delivery,
            delivery_address=delivery_address, created_at=now,
        )
        submission._change_reason = "start_submission"
        submission.save()
        for upload in uploads:
            stored.store(submission, upload, SubmittedFile.Purpose.INITIAL, documents, now)
        _send_code(submission, now)
    return submission


def _clean_delivery(result_delivery: str, delivery_address: str) -> str:
    if result_delivery not in ResultDelivery.values:
        raise SubmissionError(_("Cách nhận kết quả không hợp lệ."))
    delivery_address = " ".join((delivery_address or "").split())
    if result_delivery == ResultDelivery.POSTAL and not delivery_address:
        raise SubmissionError(_("Nhập địa chỉ nhận kết quả qua bưu chính."))
    return delivery_address if result_delivery == ResultDelivery.POSTAL else ""


# --- the one-time code ----------------------------------------------------------------------------------------


def _code_hash(submission: OnlineSubmission, code: str) -> str:
    # Keyed with SECRET_KEY: a leaked table of hashes cannot be brute-forced over the million codes offline.
    return salted_hmac("online.contact-code", f"{submission.tracking_token}:{code}").hexdigest()


def _send_code(submission: OnlineSubmission, now: datetime.datetime) -> ContactConfirmation:
    address = submission.contact_address
    sent = ContactConfirmation.objects.filter(address=address, created_at__gte=now - datetime.timedelta(hours=1))
    if sent.count() >= settings.ONLINE_CODES_PER_ADDRESS_PER_HOUR:
        raise SubmissionError(_("Đã gửi quá nhiều mã xác nhận tới địa chỉ này trong một giờ qua; vui lòng thử lại "
                                "sau."))
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = settings.ONLINE_CODE_TTL_MINUTES
    confirmation = ContactConfirmation.objects.create(
        submission=submission, address=address, code_hash=_code_hash(submission, code), created_at=now,
        expires_at=now + datetime.timedelta(minutes=minutes))
    outbox.enqueue(
        agency_id=submission.agency_id, audience=Audience.CITIZEN, template="online_code",
        language=submission.language, recipients=[(submission.contact_channel, address)],
        context={"code": code, "minutes": minutes, "procedure": submission.procedure.name},
        key=f"online:{submission.pk}:code:{confirmation.pk}", now=now, expires_at=confirmation.expires_at,
        params={"code": code},
    )
    return confirmation


def _by_token(token: str) -> OnlineSubmission:
    if not OnlineSubmission.objects.select_for_update().filter(tracking_token=token).values_list("pk", flat=True):
        raise SubmissionError(_("Không tìm thấy hồ sơ nộp trực tuyến."))
    return OnlineSubmission.objects.select_related("procedure", "agency").get(tracking_token=token)


@transaction.atomic
def resend_code(*, token: str, now: datetime.datetime | None = None) -> ContactConfirmation:
    now = now or timezone.now()
    submission = _by_token(token)
    if submission.state != SubmissionState.AWAITING_CONFIRMATION:
        raise SubmissionError(_("Liên hệ của hồ sơ này đã được xác nhận."))
    return _send_code(submission, now)


class _WrongCode(SubmissionError):
    """A wrong code: its try is counted after the failed call's transaction (see `confirm_contact`)."""


def confirm_contact(*, token: str, code: str, now: datetime.datetime | None = None) -> OnlineSubmission:
    """The right code, within its life and its tries, makes the submission visible to the office (status 1).
    A wrong one counts a try, written after the failed call rolled back, so the limit really limits."""
    try:
        return _confirm_contact(token=token, code=code, now=now or timezone.now())
    except _WrongCode as error:
        _count_wrong_try(token)
        raise SubmissionError(error.message) from None


@transaction.atomic
def _confirm_contact(*, token: str, code: str, now: datetime.datetime) -> OnlineSubmission:
    submission = _by_token(token)
    if submission.state != SubmissionState.AWAITING_CONFIRMATION:
        raise SubmissionError(_("Liên hệ của hồ sơ này đã được xác nhận."))
    confirmation = (ContactConfirmation.objects.select_for_update()
                    .filter(submission=submission, confirmed_at__isnull=True).order_by("-created_at").first())
    if confirmation is None or confirmation.expires_at <= now:
        raise SubmissionError(_("Mã xác nhận đã hết hạn; vui lòng yêu cầu gửi mã mới."))
    if confirmation.attempts >= settings.ONLINE_CODE_MAX_ATTEMPTS:
        raise SubmissionError(_("Đã nhập sai quá số lần cho phép; vui lòng yêu cầu gửi mã mới."))
    code = "".join((code or "").split())
    if not hmac.compare_digest(confirmation.code_hash, _code_hash(submission, code)):
        raise _WrongCode(_("Mã xác nhận không đúng."))
    confirmation.confirmed_at = now
    confirmation.save(update_fields=["confirmed_at"])
    submission._confirm()
    submission.confirmed_at = submission.submitted_at = now
    submission._change_reason = "confirm_contact"
    submission.save()
    _tell(submission, "online_submitted", "submitted", now)
    return submission


@transaction.atomic
def _count_wrong_try(token: str) -> None:
    confirmation = (ContactConfirmation.objects.select_for_update()
                    .filter(submission__tracking_token=token, confirmed_at__isnull=True).order_by("-created_at").first())
    if confirmation is not None:
        confirmation.attempts += 1
        confirmation.save(update_fields=["attempts"])


# --- messages to the citizen ------------------------------------------------------------------------------------


def _tell(submission: OnlineSubmission, template: str, fact: str, now: datetime.datetime, **extra) -> None:
    context = {"name": submission.applicant_name, "procedure": submission.procedure.name,
               "agency_name": submission.agency.name, "status_url": links.status_url(submission.tracking_token),
               **extra}
    outbox.enqueue(
        agency_id=submission.agency_id, audience=Audience.CITIZEN, template=template, language=submission.language,
        context=context, recipients=[(submission.contact_channel, submission.contact_address)],
        key=f"online:{submission.pk}:{fact}", dossier_id=submission.dossier_id, now=now,
        params={"link": context["status_url"]},
    )


# --- the office ---------------------------------------------------------------------------------------------------


def _lock_for_office(submission_id: int, actor) -> tuple[OnlineSubmission, object]:
    official = dossier_services.official_of(actor)
    if not OnlineSubmission.objects.select_for_update().filter(
            pk=submission_id, agency_id=official.agency_id).values_list("pk", flat=True):
        raise SubmissionError(_("Không tìm thấy hồ sơ nộp trực tuyến."))
    submission = OnlineSubmission.objects.select_related("procedure", "agency").get(pk=submission_id)
    return submission, official


def _require_inbox(submission: OnlineSubmission) -> None:
    if submission.state != SubmissionState.SUBMITTED:
        raise SubmissionError(_("Hồ sơ này không còn chờ tiếp nhận (hiện: %(state)s).")
                              % {"state": submission.get_state_display()})


def _dossier_applicant(submission: OnlineSubmission, *, notify: bool) -> dossier_services.Applicant:
    return dossier_services.Applicant(
        name=submission.applicant_name, id_number=submission.applicant_id_number, phone=submission.applicant_phone,
        address=submission.applicant_address, type=submission.applicant_type, email=submission.applicant_email,
        notify_channels=(submission.contact_channel,) if notify else (), language=submission.language)


def _received_documents(submission: OnlineSubmission) -> list[dossier_services.ReceivedDocument]:
    """One line of Mẫu 01 per document filed, counted as one electronic original."""
    names = {}
    for row in submission.files.all():
        names.setdefault((row.required_document_id, row.document_name), row)
    documents = [dossier_services.ReceivedDocument(name=name, required_document_id=doc_id, originals=1)
                 for doc_id, name in names]
    return documents or [dossier_services.ReceivedDocument(name=_("Hồ sơ nộp trực tuyến"), originals=1)]


def _decided(submission: OnlineSubmission, official, now: datetime.datetime, reason: str) -> None:
    submission.decided_at = now
    submission.decided_by = official
    submission._change_reason = reason
    submission._history_user = official.user
    submission.save()


@transaction.atomic
def receive_submission(*, submission_id: int, actor, now: datetime.datetime | None = None) -> OnlineSubmission:
    """Receive it: the dossier is created by the dossier services (channel online), its code and appointment
    counted from now, the first step held by the clerk; the citizen gets Mẫu 01 as a link by their token."""
    now = now or timezone.now()
    submission, official = _lock_for_office(submission_id, actor)
    _require_inbox(submission)
    dossier = dossier_services.receive(actor=actor, procedure_id=submission.procedure_id,
                                       applicant=_dossier_applicant(submission, notify=True),
                                       documents=_received_documents(submission), channel=Channel.ONLINE, now=now)
    submission._receive()
    submission.dossier = dossier
    # Files already in the dossier at reception need no later acceptance.
    submission.files.filter(accepted_at__isnull=True).update(accepted_at=now)
    _decided(submission, official, now, "receive_submission")
    _tell(submission, "online_received", "received", now, code=dossier.code, due_at=dossier.due_at,
          form_url=links.form_url(submission.tracking_token, "01"))
    return submission


@transaction.atomic
def return_for_completion(*, submission_id: int, actor, missing: str,
                          now: datetime.datetime | None = None) -> OnlineSubmission:
    """Incomplete: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02) is sent online; no dossier, no code. The
    slip is the dossier app's `CounterGuidance` (who, when, what was missing), the same record as at the counter."""
    now = now or timezone.now()
    submission, official = _lock_for_office(submission_id, actor)
    _require_inbox(submission)
    guidance = dossier_services.give_guidance(actor=actor, procedure_id=submission.procedure_id,
                                              applicant_name=submission.applicant_name,
                                              applicant_phone=submission.applicant_phone, missing=missing, now=now)
    submission._return_for_completion()
    submission.guidance = guidance
    submission.return_note = guidance.missing
    _decided(submission, official, now, "return_for_completion")
    _tell(submission, "online_returned", f"returned:{guidance.pk}", now, note=guidance.missing,
          form_url=links.form_url(submission.tracking_token, "02"))
    return submission


@transaction.atomic
def refuse_submission(*, submission_id: int, actor, reason: str,
                      now: datetime.datetime | None = None) -> OnlineSubmission:
    """Refused (Phiếu từ chối tiếp nhận, Mẫu 03, sent online): a refused dossier (channel online) carries the
    letter's number, as a refusal at the counter does."""
    now = now or timezone.now()
    submission, official = _lock_for_office(submission_id, actor)
    _require_inbox(submission)
    # The online message below carries Mẫu 03; the dossier's own "refused" message would say it twice.
    dossier = dossier_services.refuse_at_counter(actor=actor, procedure_id=submission.procedure_id,
                                                 applicant=_dossier_applicant(submission, notify=False),
                                                 reason=reason, documents=_received_documents(submission),
                                                 channel=Channel.ONLINE, now=now)
    submission._refuse()
    submission.dossier = dossier
    _decided(submission, official, now, "refuse_submission")
    _tell(submission, "online_refused", "refused", now, note=dossier.closing_reason,
          form_url=links.form_url(submission.tracking_token, "03"))
    return submission


@transaction.atomic
def accept_supplement(*, submission_id: int, actor, note: str = "",
                      now: datetime.datetime | None = None) -> OnlineSubmission:
    """The clerk checked the files the citizen uploaded for a supplement request: processing resumes
    (`dossiers.services.fulfil_supplement`: the pause ends and moves the appointment)."""
    now = now or timezone.now()
    submission, official = _lock_for_office(submission_id, actor)
    waiting = submission.files.filter(purpose=SubmittedFile.Purpose.SUPPLEMENT, accepted_at__isnull=True)
    if submission.dossier_id is None or not waiting.exists():
        raise SubmissionError(_("Không có tệp bổ sung nào đang chờ nhận."))
    dossier_services.fulfil_supplement(dossier_id=submission.dossier_id, actor=actor,
                                       note=note or _("Đã nhận hồ sơ bổ sung nộp trực tuyến."), now=now)
    waiting.update(accepted_at=now)
    return submission


@transaction.atomic
def record_postal_dispatch(*, submission_id: int, actor, tracking_number: str,
                           now: datetime.datetime | None = None) -> OnlineSubmission:
    """The paper result went by post: its tracking number is shown to the citizen."""
    now = now or timezone.now()
    submission, official = _lock_for_office(submission_id, actor)
    tracking_number = "".join((tracking_number or "").split())
    if not tracking_number:
        raise SubmissionError(_("Nhập số hiệu bưu gửi."))
    if submission.result_delivery != ResultDelivery.POSTAL or submission.dossier_id is None \
            or submission.dossier.state not in (State.PROCESSED, State.RETURNED):
        raise SubmissionError(_("Chỉ ghi số hiệu bưu gửi khi hồ sơ đã có kết quả và người nộp chọn nhận qua bưu chính."))
    submission.postal_tracking_number = tracking_number[:64]
    submission._change_reason = "record_postal_dispatch"
    submission._history_user = official.user
    submission.save(update_fields=["postal_tracking_number"])
    _tell(submission, "online_posted", f"posted:{tracking_number[:64]}", now, tracking_number=tracking_number[:64])
    return submission


# --- the citizen, after filing -----------------------------------------------------------------------------------


def _add_files(token: str, uploads: Sequence[Upload], purpose: str, now: datetime.datetime) -> OnlineSubmission:
    if not uploads:
        raise SubmissionError(_("Tải lên ít nhất một tệp."))
    with _StoredFiles() as stored, transaction.atomic():
        submission = _by_token(token)
        documents = _documents_of(submission.procedure)
        _check_uploads_belong(uploads, documents)
        if purpose == SubmittedFile.Purpose.COMPLETION:
            if submission.state != SubmissionState.RETURNED:
                raise SubmissionError(_("Hồ sơ này không ở trạng thái cần hoàn thiện."))
            submission._resubmit()
            submission.submitted_at = now
            submission._change_reason = "complete_submission"
            submission.save()
        elif submission.dossier_id is None or submission.state != SubmissionState.RECEIVED \
                or submission.dossier.state != State.SUPPLEMENT_REQUESTED:
            raise SubmissionError(_("Cơ quan không yêu cầu bổ sung hồ sơ này."))
        for upload in uploads:
            stored.store(submission, upload, purpose, documents, now)
    return submission


def complete_submission(*, token: str, uploads: Sequence[Upload],
                        now: datetime.datetime | None = None) -> OnlineSubmission:
    """The citizen adds what the Mẫu 02 asked for: the submission goes back to the inbox, waiting from now."""
    return _add_files(token, uploads, SubmittedFile.Purpose.COMPLETION, now or timezone.now())


def upload_supplement(*, token: str, uploads: Sequence[Upload],
                      now: datetime.datetime | None = None) -> OnlineSubmission:
    """The citizen uploads what a supplement request (Mẫu 02 after reception) asked for; a clerk accepts it."""
    return _add_files(token, uploads, SubmittedFile.Purpose.SUPPLEMENT, now or timezone.now())


@transaction.atomic
def choose_delivery(*, token: str, result_delivery: str, delivery_address: str = "") -> OnlineSubmission:
    """Counter or post for the paper result, changeable until the result has been sent or handed over."""
    submission = _by_token(token)
    if submission.state == SubmissionState.REFUSED or submission.postal_tracking_number or (
            submission.dossier_id and submission.dossier.state not in (*OPEN_STATES, State.PROCESSED)):
        raise SubmissionError(_("Không còn thay đổi được cách nhận kết quả."))
    submission.delivery_address = _clean_delivery(result_delivery, delivery_address)
    submission.result_delivery = result_delivery
    submission._change_reason = "choose_delivery"
    submission.save(update_fields=["result_delivery", "delivery_address"])
    return submission
