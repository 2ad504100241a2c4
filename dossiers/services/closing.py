"""How a dossier ends: the result is ready (`mark_processed`) and returned, or the dossier is stopped (Mẫu 05),
rejected after appraisal (Mẫu 03) or withdrawn; any request for more time still pending lapses with it."""
import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from procedures.roles import Role

from ..errors import DossierActionError
from ..models import Dossier, Extension, IssuedLetter, State, StepRecord
from ._core import (
    ROLES_FOR,
    Event,
    _audited_save,
    _close_step,
    _Context,
    _event,
    _issue_letter,
    _open_record,
    _require_step_holder,
    _require_transition,
    _save,
    _start,
    _start_allowed,
)


@transaction.atomic
def mark_processed(*, dossier_id: int, actor, result_note: str = "", expected_step_id: int | None = None,
                   now: datetime.datetime | None = None) -> Dossier:
    """The result is ready: the last step closes and the processing clock stops (its finish decides timeliness)."""
    ctx = _start_allowed(dossier_id, actor, now, "mark_processed", expected_step_id=expected_step_id,
                         wrong_state=_("Hồ sơ không ở trạng thái có thể xác nhận có kết quả."))
    dossier = ctx.dossier
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
    ctx = _start_allowed(dossier_id, actor, now, "reject", expected_step_id=expected_step_id,
                         wrong_state=_("Chỉ từ chối giải quyết được hồ sơ đã tiếp nhận hoặc đang giải quyết."))
    dossier = ctx.dossier
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


