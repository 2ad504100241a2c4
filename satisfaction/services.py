"""Every state change of ratings and feedback: one function per use case, one transaction, audit written.

Ratings are written by anonymous citizens (the dossier's tracking token, or a device cookie on the placard
page, is all they have); feedback is written by anyone and handled by the agency's leaders through a small
machine (received → triaged → in progress → answered → closed, or rejected). Errors are `SatisfactionError`
subclasses with translated messages, and nothing is half-written when one is raised.
"""
import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from dossiers import codes
from dossiers import selectors as dossier_selectors
from notifications import services as outbox
from notifications.models import Audience, NotificationChannel
from procedures import access, calendar
from procedures.models import Agency, Official, Procedure, TimeUnit

from .errors import (
    AlreadyRated,
    FeedbackActionError,
    FeedbackPermissionError,
    NotFound,
    RatingLimitReached,
    RatingNotOpen,
    SatisfactionError,
)
from .models import Feedback, FeedbackCodeCounter, Level, Rating, RatingOfficial, Visits
from .selectors import MANAGER_ROLES

# Time to answer a report, in working days from its receipt (setting FEEDBACK_ANSWER_WORKING_DAYS): 10 by
# default, the handling time for citizens' reports of Nghị định 20/2008/NĐ-CP as amended by 92/2017/NĐ-CP.
DEFAULT_ANSWER_WORKING_DAYS = 10


@dataclass(frozen=True)
class Answers:
    """What a citizen answers; the dossier form asks every criterion, the placard form a subset."""

    overall: str
    attitude: str
    timeliness: str = ""
    guidance: str = ""
    extra_visits: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class FeedbackInput:
    subject: str
    content: str
    kind: str = Feedback.Kind.OTHER
    agency_id: int | None = None
    procedure_id: int | None = None
    official_ids: Sequence[int] = field(default_factory=tuple)
    dossier_token: str = ""
    rating_id: int | None = None
    is_anonymous: bool = True
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""


def _notify(task, object_id: int) -> None:
    """Queue a leaders' e-mail once the transaction has committed (eager in development and tests). A broker
    that does not answer (Redis down) is logged, never turned into a failed write: the report is already saved."""
    transaction.on_commit(lambda: task.delay(object_id), robust=True)


def _check_level(value: str, *, required: bool = True) -> str:
    if not value and not required:
        return ""
    if value not in Level.values:
        raise SatisfactionError(_("Vui lòng chọn một mức đánh giá cho mỗi tiêu chí."))
    return value


# --- ratings of a dossier ---------------------------------------------------------------------------------


def rate_dossier(*, token: str, answers: Answers, now: datetime.datetime | None = None) -> Rating:
    """One rating per dossier, attributed to its agency, procedure and every official who handled it
    (captured now). A second attempt, even one racing the first, raises `AlreadyRated` with the recorded one."""
    try:
        dossier = dossier_selectors.dossier_for_rating(token)
    except ObjectDoesNotExist:
        raise NotFound(_("Không tìm thấy hồ sơ.")) from None
    if not dossier_selectors.is_rateable(dossier):
        raise RatingNotOpen(_("Hồ sơ chưa giải quyết xong, chưa thể đánh giá."))
    for value in (answers.overall, answers.attitude, answers.timeliness, answers.guidance):
        _check_level(value)
    if answers.extra_visits not in Visits.values:
        raise SatisfactionError(_("Vui lòng cho biết số lần phải đi lại thêm."))
    existing = Rating.objects.filter(dossier=dossier).first()
    if existing is not None:
        raise AlreadyRated(_("Hồ sơ này đã được đánh giá."), existing)
    officials = list(dossier_selectors.officials_who_handled(dossier.pk))
    rating = Rating(
        source=Rating.Source.DOSSIER, agency_id=dossier.agency_id, procedure_id=dossier.procedure_id, dossier=dossier,
        overall=answers.overall, timeliness=answers.timeliness, attitude=answers.attitude, guidance=answers.guidance,
        extra_visits=answers.extra_visits, comment=(answers.comment or "").strip(), created_at=now or timezone.now(),
    )
    rating._change_reason = "rate_dossier"
    try:
        with transaction.atomic():
            rating.save()
            RatingOfficial.objects.bulk_create([RatingOfficial(rating=rating, official=o) for o in officials])
            if rating.is_low:
                from .tasks import notify_low_rating

                _notify(notify_low_rating, rating.pk)
    except IntegrityError:
        # Another submission won the race between our check and our insert: show theirs.
        raise AlreadyRated(_("Hồ sơ này đã được đánh giá."), Rating.objects.get(dossier=dossier)) from None
    return rating


# --- ratings of an official through the placard QR ------------------------------------------------------


def new_device_id() -> str:
    return codes.new_token(16)


def device_hash(device_id: str) -> str:
    """Only a hash of the cookie is stored: the table says "same device", never which cookie."""
    return hashlib.sha256(f"satisfaction-device:{device_id}".encode()).hexdigest()


def rate_official(*, official_id: int, device_id: str, answers: Answers,
                  now: datetime.datetime | None = None) -> Rating:
    """A rating of one official without a dossier (the placard QR), reported apart from dossier ratings.
    One per device per official per day, held by a database constraint."""
    official = Official.objects.select_related("agency").filter(pk=official_id, is_active=True).first()
    if official is None:
        raise NotFound(_("Không tìm thấy cán bộ."))
    if not device_id:
        raise SatisfactionError(_("Trình duyệt cần cho phép cookie để gửi đánh giá."))
    _check_level(answers.overall)
    _check_level(answers.attitude)
    _check_level(answers.guidance, required=False)
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    digest = device_hash(device_id)
    limit_message = _("Thiết bị này đã đánh giá cán bộ %(name)s hôm nay. Cảm ơn bạn!") % {"name": official.display_name}
    if Rating.objects.filter(source=Rating.Source.PLACARD, official=official, device_hash=digest, day=day).exists():
        raise RatingLimitReached(limit_message)
    rating = Rating(
        source=Rating.Source.PLACARD, agency_id=official.agency_id, official=official, overall=answers.overall,
        attitude=answers.attitude, guidance=answers.guidance, comment=(answers.comment or "").strip(),
        created_at=now, device_hash=digest, day=day,
    )
    rating._change_reason = "rate_official"
    try:
        with transaction.atomic():
            rating.save()
            RatingOfficial.objects.create(rating=rating, official=official)
            if rating.is_low:
                from .tasks import notify_low_rating

                _notify(notify_low_rating, rating.pk)
    except IntegrityError:
        raise RatingLimitReached(limit_message) from None
    return rating


# --- staff: acting officials and their rights -----------------------------------------------------------


def official_of(actor) -> Official:
    return access.official_of(actor, FeedbackPermissionError)


def is_manager(official: Official, agency_id: int) -> bool:
    """Leaders and agency administrators handle their own agency's ratings and reports."""
    return official.agency_id == agency_id and official.has_role(*MANAGER_ROLES)


def _require_manager(official: Official, agency_id: int) -> None:
    if official.agency_id != agency_id:
        raise FeedbackPermissionError(_("Nội dung này không thuộc cơ quan của bạn."))
    if not official.has_role(*MANAGER_ROLES):
        raise FeedbackPermissionError(_("Chỉ lãnh đạo hoặc quản trị cơ quan được thực hiện thao tác này."))


@transaction.atomic
def handle_rating(*, rating_id: int, actor, note: str = "", now: datetime.datetime | None = None) -> Rating:
    """A leader records how a "Không hài lòng" rating was dealt with; it then leaves the "Cần xử lý" list."""
    official = official_of(actor)
    rating = Rating.objects.select_for_update().filter(pk=rating_id).first()
    if rating is None:
        raise NotFound(_("Không tìm thấy đánh giá."))
    _require_manager(official, rating.agency_id)
    if not rating.is_low:
        raise SatisfactionError(_("Chỉ đánh giá “Không hài lòng” cần xử lý."))
    if rating.handled_at is not None:
        raise SatisfactionError(_("Đánh giá này đã được xử lý."))
    note = (note or "").strip()
    if not note:
        raise SatisfactionError(_("Nhập nội dung đã xử lý."))
    rating.handled_at = now or timezone.now()
    rating.handled_by = official
    rating.handling_note = note
    rating._change_reason = "handle_rating"
    rating._history_user = official.user
    rating.save(update_fields=["handled_at", "handled_by", "handling_note"])
    return rating


# --- feedback: reporting ----------------------------------------------------------------------------------


def _allocate_code(day: datetime.date) -> str:
    """PA-<yymmdd>-<NNNN>: a per-day sequence from a counter row locked until the report is saved."""
    return codes.allocate_code(FeedbackCodeCounter, prefix=f"PA-{day:%y%m%d}-", coded=Feedback.objects, day=day)


def answer_due(agency: Agency, received_at: datetime.datetime) -> datetime.datetime:
    days = getattr(settings, "FEEDBACK_ANSWER_WORKING_DAYS", DEFAULT_ANSWER_WORKING_DAYS)
    return calendar.add_working_time(agency, received_at, calendar.to_working_time(agency, days, TimeUnit.WORKING_DAYS))


@transaction.atomic
def create_feedback(*, data: FeedbackInput, now: datetime.datetime | None = None) -> Feedback:
    """Receive a citizen's report: it gets a public code and a random token for its status page; a report about
    an official is e-mailed to the agency's leaders."""
    if data.subject not in Feedback.Subject.values:
        raise SatisfactionError(_("Chọn đối tượng phản ánh."))
    if data.kind not in Feedback.Kind.values:
        raise SatisfactionError(_("Chọn nội dung phản ánh."))
    content = (data.content or "").strip()
    if not content:
        raise SatisfactionError(_("Nhập nội dung phản ánh, kiến nghị."))
    now = now or timezone.now()

    dossier = None
    if data.dossier_token:
        try:
            dossier = dossier_selectors.dossier_for_rating(data.dossier_token.strip())
        except ObjectDoesNotExist:
            raise SatisfactionError(_("Mã tra cứu hồ sơ không đúng.")) from None

    officials = list(Official.objects.filter(pk__in=set(data.official_ids)))
    if len(officials) != len(set(data.official_ids)):
        raise SatisfactionError(_("Không tìm thấy cán bộ bị phản ánh."))
    if dossier is not None and officials:
        handlers = set(dossier_selectors.officials_who_handled(dossier.pk).values_list("pk", flat=True))
        if any(o.pk not in handlers for o in officials):
            raise SatisfactionError(_("Cán bộ được chọn không tham gia giải quyết hồ sơ này."))
    if data.subject == Feedback.Subject.OFFICIAL and not officials:
        raise SatisfactionError(_("Chọn cán bộ bị phản ánh."))

    if dossier is not None:
        agency_id = dossier.agency_id
    elif officials:
        agency_id = officials[0].agency_id
        if any(o.agency_id != agency_id for o in officials):
            raise SatisfactionError(_("Các cán bộ bị phản ánh phải cùng một cơ quan."))
    else:
        agency_id = data.agency_id
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
    if agency is None:
        raise SatisfactionError(_("Chọn cơ quan tiếp nhận phản ánh."))

    procedure_id = dossier.procedure_id if dossier is not None else data.procedure_id
    if procedure_id and not Procedure.objects.filter(pk=procedure_id).exists():
        raise SatisfactionError(_("Không tìm thấy thủ tục."))
    rating_id = None
    if data.rating_id and dossier is not None:
        # Only the dossier's own rating can be linked: the tracking token is the proof of ownership.
        rating_id = Rating.objects.filter(pk=data.rating_id, dossier=dossier).values_list("pk", flat=True).first()

    contact = {
        "reporter_name": " ".join((data.reporter_name or "").split()),
        "reporter_phone": (data.reporter_phone or "").strip(),
        "reporter_email": (data.reporter_email or "").strip(),
    }
    anonymous = data.is_anonymous or not any(contact.values())
    if anonymous:
        contact = dict.fromkeys(contact, "")

    feedback = Feedback(
        code=_allocate_code(timezone.localtime(now).date()), token=codes.new_token(), agency=agency, subject=data.subject,
        kind=data.kind, procedure_id=procedure_id or None, dossier=dossier, rating_id=rating_id, content=content,
        is_anonymous=anonymous, received_at=now, answer_due_at=answer_due(agency, now), **contact,
    )
    feedback._change_reason = "create_feedback"
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError:
        raise SatisfactionError(_("Không cấp được mã phản ánh, vui lòng thử lại.")) from None
    if officials:
        feedback.officials.set(officials)
    if data.subject == Feedback.Subject.OFFICIAL:
        from .tasks import notify_official_feedback

        _notify(notify_official_feedback, feedback.pk)
        _tell_officials(feedback, officials)
    return feedback


def _tell_officials(feedback: Feedback, officials: list[Official]) -> None:
    """Each official a report names hears of it (by e-mail, in Vietnamese), in the report's transaction;
    the message says what kind of report it is, never who wrote it or what it says."""
    for official in officials:
        with translation.override(settings.LANGUAGE_CODE):
            kind = str(feedback.get_kind_display())
        outbox.enqueue(
            agency_id=feedback.agency_id, audience=Audience.OFFICIAL, template="feedback_about_you",
            language=settings.LANGUAGE_CODE,
            context={"official_name": official.display_name, "code": feedback.code, "kind": kind},
            recipients=[(NotificationChannel.EMAIL, official.user.email)],
            key=f"feedback:{feedback.pk}:official:{official.pk}", now=feedback.received_at,
        )


# --- feedback: handling (the machine) -------------------------------------------------------------------


def _lock_feedback(feedback_id: int) -> Feedback:
    feedback = Feedback.objects.select_for_update().filter(pk=feedback_id).first()
    if feedback is None:
        raise NotFound(_("Không tìm thấy phản ánh."))
    return feedback


def _move(feedback: Feedback, method, message) -> None:
    if not can_proceed(method):
        raise FeedbackActionError(message)
    method()


def _save(feedback: Feedback, official: Official, reason: str) -> Feedback:
    feedback._change_reason = reason
    feedback._history_user = official.user
    feedback.save()
    return feedback


@transaction.atomic
def triage(*, feedback_id: int, actor, note: str = "", now: datetime.datetime | None = None) -> Feedback:
    """A leader reads and classifies a new report."""
    official = official_of(actor)
    feedback = _lock_feedback(feedback_id)
    _require_manager(official, feedback.agency_id)
    _move(feedback, feedback._triage, _("Chỉ phân loại được phản ánh mới tiếp nhận."))
    note = (note or "").strip()
    if note:
        feedback.internal_note = "\n".join(filter(None, [feedback.internal_note, note]))
    return _save(feedback, official, f"triage: {note}".strip())


@transaction.atomic
def assign(*, feedback_id: int, actor, assignee_id: int, now: datetime.datetime | None = None) -> Feedback:
    """Give a triaged (or reassign an in-progress) report to an official of the agency — never to an official
    the report is about."""
    official = official_of(actor)
    feedback = _lock_feedback(feedback_id)
    _require_manager(official, feedback.agency_id)
    assignee = Official.objects.filter(pk=assignee_id, agency_id=feedback.agency_id, is_active=True).first()
    if assignee is None:
        raise FeedbackActionError(_("Người được giao không thuộc cơ quan hoặc đã nghỉ công tác."))
    if feedback.officials.filter(pk=assignee.pk).exists():
        raise FeedbackActionError(_("Không giao phản ánh cho chính cán bộ bị phản ánh."))
    _move(feedback, feedback._assign, _("Phản ánh phải được phân loại trước khi giao xử lý."))
    feedback.assignee = assignee
    return _save(feedback, official, f"assign: {assignee.display_name}")


@transaction.atomic
def answer(*, feedback_id: int, actor, public_answer: str, upheld: bool,
           now: datetime.datetime | None = None) -> Feedback:
    """Publish the answer on the report's public page; `upheld` records whether the report proved true."""
    official = official_of(actor)
    feedback = _lock_feedback(feedback_id)
    if feedback.agency_id != official.agency_id or not (
        feedback.assignee_id == official.pk or official.has_role(*MANAGER_ROLES)
    ):
        raise FeedbackPermissionError(_("Chỉ người được giao hoặc lãnh đạo cơ quan được trả lời phản ánh này."))
    public_answer = (public_answer or "").strip()
    if not public_answer:
        raise FeedbackActionError(_("Nhập nội dung trả lời."))
    if upheld is None:
        raise FeedbackActionError(_("Cho biết phản ánh có đúng sự thật hay không."))
    _move(feedback, feedback._answer, _("Chỉ trả lời được phản ánh đang xử lý."))
    feedback.public_answer = public_answer
    feedback.upheld = bool(upheld)
    feedback.answered_at = now or timezone.now()
    feedback.answered_by = official
    return _save(feedback, official, "answer")


@transaction.atomic
def close(*, feedback_id: int, actor, now: datetime.datetime | None = None) -> Feedback:
    official = official_of(actor)
    feedback = _lock_feedback(feedback_id)
    _require_manager(official, feedback.agency_id)
    _move(feedback, feedback._close, _("Chỉ kết thúc được phản ánh đã trả lời."))
    feedback.closed_at = now or timezone.now()
    return _save(feedback, official, "close")


@transaction.atomic
def reject(*, feedback_id: int, actor, reason: str, now: datetime.datetime | None = None) -> Feedback:
    """Not within the agency's remit (or not a report): the reason is the public answer, and it counts as the
    response to the citizen."""
    official = official_of(actor)
    feedback = _lock_feedback(feedback_id)
    _require_manager(official, feedback.agency_id)
    reason = (reason or "").strip()
    if not reason:
        raise FeedbackActionError(_("Nhập lý do không thụ lý."))
    _move(feedback, feedback._reject, _("Phản ánh đã được trả lời hoặc đã kết thúc, không thể từ chối."))
    now = now or timezone.now()
    feedback.public_answer = reason
    feedback.answered_at = now
    feedback.answered_by = official
    feedback.closed_at = now
    return _save(feedback, official, f"reject: {reason}")
