"""What every dossier service shares: the acting official and the locked dossier (`_Context`), the role and
step-holder checks, the one audited save (`_audited_save`: every row a service writes records who and why in its
history), the one event writer (`_event`, sealed into the audit chain, with its notifications) and the numbered
letters. The use cases themselves live in the sibling modules and are re-exported by the package."""
import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from procedures import access, calendar
from procedures.history import history_reason
from procedures.models import Official, ProcedureStep, TimeUnit, step_unit
from procedures.roles import Role

from .. import audit, codes, national, notify, public_cache, selectors
from ..errors import DossierActionError, DossierPermissionError
from ..models import Dossier, DossierEvent, Extension, IssuedLetter, LetterNumberCounter, StepRecord

Event = DossierEvent.Kind
# Who may take each action that is not tied to holding the current step. The dossier page offers an action only
# to these roles, from this one table.
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
# The actions only the holder of the current step takes (`can_act_on_step`: its assignee, anyone with the step's
# role while it is unassigned, or a leader); `reject` needs both its roles and the step. The states each action
# may act in are declared once, on the model's transitions (`Dossier.states_allowing`).
STEP_HOLDER_ACTIONS = frozenset({"forward", "send_back", "assign", "request_supplement", "await_payment",
                                 "mark_processed", "reject"})


@dataclass
class _Context:
    """What every service resolves first: the locked dossier and the acting official."""

    dossier: Dossier
    official: Official
    now: datetime.datetime = field(default_factory=timezone.now)


# --- permission and locking helpers ------------------------------------------------------------------


def official_of(actor) -> Official:
    """The acting official (`procedures.access.official_of`, the one rule), or DossierPermissionError."""
    return access.official_of(actor, DossierPermissionError)


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


def _start_allowed(dossier_id: int, actor, now: datetime.datetime | None, service: str, *,
                   expected_step_id: int | None = None, wrong_state: str) -> _Context:
    """Lock and check, in this order: the actor's agency and roles (ROLES_FOR), that their screen is not stale,
    and that the dossier's state allows `service` (the model's transitions); `wrong_state` may name the state."""
    ctx = _start(dossier_id, actor, now, *ROLES_FOR.get(service, ()))
    _check_fresh(ctx.dossier, expected_step_id)
    if not ctx.dossier.allows(service):
        raise DossierActionError(wrong_state % {"state": ctx.dossier.get_state_display()})
    return ctx


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
    # The national portal's sync outbox (dossiers/national.py): a status change is queued in this transaction.
    national.on_event(event)
    # The public tracking page's cache (dossiers/public_cache.py): every dossier write writes an event.
    public_cache.dossier_changed(ctx.dossier)
    return event


# simple-history keeps the reason in a 100-character column (procedures/history.py); bulk creation skips the
# signal that fits it, so the services cut it themselves too.
_reason = history_reason


def _save(ctx: _Context, reason: str, **kwargs) -> None:
    """Save the locked dossier through the one audited save."""
    _audited_save(ctx.dossier, ctx.official, reason, **kwargs)


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
    record = StepRecord(dossier=ctx.dossier, agency_id=ctx.dossier.agency_id, step=step, sender=ctx.official,
                        assignee=assignee, started_at=ctx.now, due_at=_step_due(ctx.dossier, step, clock_start or ctx.now))
    _audited_save(record, ctx.official, f"open step: {step.name}")
    return record


def _audited_save(instance, official: Official | None, reason: str, **kwargs) -> None:
    """The one save of every row a service writes: its history answers who (the official's login; nobody for the
    citizen's own requests) and why (a short machine key, cut to the history column, read by dossiers.audit)."""
    instance._history_user = official.user if official is not None else None
    instance._change_reason = _reason(reason)
    instance.save(**kwargs)


def _close_step(ctx: _Context, record: StepRecord | None, outcome: str, note: str = "") -> None:
    if record is None:
        return
    record.finished_at = ctx.now
    record.outcome = outcome
    record.note = note
    _audited_save(record, ctx.official, outcome)



# The kind of each letter in its number (Nghị định 30/2020/NĐ-CP, Phụ lục III): Mẫu 05 is a Thông báo (TB);
# Mẫu 03 and 04 are letters without a kind of their own (công văn: the agency's symbol only).
LETTER_KINDS = {IssuedLetter.Form.REFUSAL: "", IssuedLetter.Form.APOLOGY: "", IssuedLetter.Form.STOP: "TB"}


def _issue_letter(ctx: _Context, form: str, *, extension: Extension | None = None) -> IssuedLetter:
    """Give the letter its number from the agency's yearly counter when it is issued (Nghị định 30/2020/NĐ-CP,
    Phụ lục I, mục II, khoản 3: "Số: 05/TB-UBND", numbers below 10 with a leading zero), and keep it with the
    date and signer, so a reprint is the same letter."""
    agency = ctx.dossier.agency
    year = timezone.localtime(ctx.now).year
    sequence = codes.next_value(LetterNumberCounter, agency=agency, year=year)
    symbol = "-".join(part for part in (LETTER_KINDS[form], agency.document_symbol) if part)
    letter = IssuedLetter(dossier=ctx.dossier, form=form, extension=extension, agency=agency, year=year,
                          sequence=sequence, number=f"{sequence:02d}/{symbol}" if symbol else f"{sequence:02d}",
                          issued_at=ctx.now, signer=ctx.official)
    _audited_save(letter, ctx.official, f"issue letter: {form}")
    return letter


