"""Processing inside "in progress": giving the current step to an official, handing the dossier to the next step,
sending it back to an earlier one."""
import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import DossierActionError
from ..models import Dossier, State, StepRecord
from ._core import (
    Event,
    _audited_save,
    _close_step,
    _event,
    _open_step,
    _require_step_holder,
    _save,
    _start_allowed,
    _validated_assignee,
)


@transaction.atomic
def assign(*, dossier_id: int, actor, assignee_id: int, expected_step_id: int | None = None, note: str = "",
           now: datetime.datetime | None = None) -> Dossier:
    """Give the current step to a named official (a leader dispatching, or the holder handing over)."""
    ctx = _start_allowed(dossier_id, actor, now, "assign", expected_step_id=expected_step_id,
                         wrong_state=_("Chỉ phân công được hồ sơ đang giải quyết."))
    dossier = ctx.dossier
    record = _require_step_holder(ctx)
    assignee = _validated_assignee(dossier.agency_id, dossier.current_step, assignee_id)
    if record is not None:
        record.assignee = assignee
        _audited_save(record, ctx.official, "assign", update_fields=["assignee"])
    dossier.current_assignee = assignee
    _save(ctx, f"assign: {assignee.display_name}")
    _event(ctx, Event.ASSIGNED, is_public=False, internal_note=f"{assignee.display_name}. {note}".strip())
    return dossier


@transaction.atomic
def forward(*, dossier_id: int, actor, expected_step_id: int | None = None, assignee_id: int | None = None,
            note: str = "", now: datetime.datetime | None = None) -> Dossier:
    """Hand the dossier to the procedure's next step; leaving reception starts the processing state."""
    ctx = _start_allowed(dossier_id, actor, now, "forward", expected_step_id=expected_step_id,
                         wrong_state=_("Hồ sơ không ở trạng thái có thể chuyển bước (hiện: %(state)s)."))
    dossier = ctx.dossier
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
    ctx = _start_allowed(dossier_id, actor, now, "send_back", expected_step_id=expected_step_id,
                         wrong_state=_("Chỉ trả lại bước trước khi hồ sơ đang giải quyết."))
    dossier = ctx.dossier
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


