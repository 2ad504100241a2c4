"""The dossier page's actions: which a given official may take now, with the form and the one service each.

Nothing here re-states a rule: the states an action may act in are the sources of the model's transitions that
name its service (`Dossier.states_allowing`), who may take it is `services.ROLES_FOR` and
`services.STEP_HOLDER_ACTIONS` (`services.can_act_on_step`), and only what the data must also allow (a next step
to forward to, an extension not yet used) is added per action. So the page offers exactly what would succeed; the
services still check everything again when the form is posted.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Official

from . import forms, services
from .models import Dossier, Extension, StepRecord


def _always(ctx) -> bool:
    return True


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    form_class: type
    run: Callable  # (dossier_id, actor, **cleaned kwargs) -> changed object
    success: str
    # What the data must also allow, beyond the state, the roles and holding the step (context -> bool).
    when: Callable = _always
    danger: bool = False
    primary: bool = False
    service: str = ""  # the services function it runs, when its name differs from the action's

    @property
    def service_name(self) -> str:
        return self.service or self.name

    def allowed(self, official: Official, dossier: Dossier, ctx: "ActionContext") -> bool:
        service = self.service_name
        return (dossier.allows(service)
                and (service not in services.ROLES_FOR or may(official, service))
                and (service not in services.STEP_HOLDER_ACTIONS or ctx.holder)
                and self.when(ctx))


@dataclass
class ActionContext:
    """What availability needs, read once per page from the prefetched dossier."""

    official: Official
    dossier: Dossier
    steps: list
    open_record: StepRecord | None
    holder: bool

    @property
    def next_step(self):
        current = self.dossier.current_step
        return next((s for s in self.steps if current and s.order > current.order), None)

    @property
    def has_earlier_step(self) -> bool:
        current = self.dossier.current_step
        return any(current and s.order < current.order for s in self.steps)

    @property
    def pending_extension(self) -> Extension | None:
        return next((e for e in self.dossier.extensions.all() if e.status == Extension.Status.PENDING), None)


def context_for(official: Official, dossier: Dossier, steps: list) -> ActionContext:
    records = [r for r in dossier.step_records.all() if r.finished_at is None]
    record = max(records, key=lambda r: (r.started_at, r.pk)) if records else None
    return ActionContext(official=official, dossier=dossier, steps=steps, open_record=record,
                         holder=services.can_act_on_step(official, dossier, record))


def may(official: Official, action: str) -> bool:
    """The role rule the service itself applies (services.ROLES_FOR)."""
    return official.has_role(*services.ROLES_FOR[action])


def _run(service):
    def run(dossier_id, actor, **kwargs):
        return service(dossier_id=dossier_id, actor=actor, **kwargs)
    return run


def _extension_unused(ctx: ActionContext) -> bool:
    """One request per dossier, made no later than one working day before the appointment (services)."""
    dossier = ctx.dossier
    return (not any(e.status != Extension.Status.LAPSED for e in dossier.extensions.all())
            and timezone.now() <= services.extension_deadline(dossier))


ACTIONS: dict[str, Action] = {action.name: action for action in [
    Action(
        "forward", _("Chuyển bước tiếp theo"), forms.ForwardForm, _run(services.forward),
        _("Đã chuyển hồ sơ sang bước tiếp theo."), when=lambda ctx: ctx.next_step is not None, primary=True,
    ),
    Action(
        "mark_processed", _("Xác nhận đã có kết quả"), forms.ProcessedForm, _run(services.mark_processed),
        _("Đã xác nhận hồ sơ có kết quả, chờ trả cho công dân."), when=lambda ctx: ctx.next_step is None,
        primary=True,
    ),
    Action(
        "return_result", _("Trả kết quả cho công dân"), forms.ReturnResultForm, _run(services.return_result),
        _("Đã trả kết quả cho công dân."), primary=True,
    ),
    Action(
        "assign", _("Phân công / giao lại"), forms.AssignForm, _run(services.assign), _("Đã phân công xử lý."),
    ),
    Action(
        "send_back", _("Trả lại bước trước"), forms.SendBackForm, _run(services.send_back),
        _("Đã trả hồ sơ về bước trước."), when=lambda ctx: ctx.has_earlier_step,
    ),
    Action(
        "request_supplement", _("Yêu cầu bổ sung hồ sơ (Mẫu 02)"), forms.SupplementForm,
        _run(services.request_supplement), _("Đã gửi yêu cầu bổ sung; thời hạn giải quyết tạm dừng."),
    ),
    Action(
        "fulfil_supplement", _("Đã nhận hồ sơ bổ sung"), forms.FulfilSupplementForm,
        _run(services.fulfil_supplement), _("Đã nhận bổ sung; hồ sơ tiếp tục được giải quyết."), primary=True,
    ),
    Action(
        "await_payment", _("Thông báo nghĩa vụ tài chính"), forms.PaymentForm, _run(services.await_payment),
        _("Đã thông báo nghĩa vụ tài chính; thời hạn giải quyết tạm dừng."),
    ),
    Action(
        "confirm_payment", _("Xác nhận đã nộp tiền"), forms.ConfirmPaymentForm, _run(services.confirm_payment),
        _("Đã xác nhận nghĩa vụ tài chính; hồ sơ tiếp tục được giải quyết."), primary=True,
    ),
    Action(
        "request_extension", _("Xin lỗi và đề nghị gia hạn (Mẫu 04)"), forms.ExtensionForm,
        _run(services.request_extension), _("Đã gửi đề nghị gia hạn, chờ lãnh đạo phê duyệt."),
        when=_extension_unused,
    ),
    Action(
        "register_result", _("Đăng ký văn bản kết quả"), forms.ResultDocumentForm,
        _run(services.register_result_document), _("Đã đăng ký văn bản kết quả."),
        service="register_result_document",
    ),
    Action(
        "reject", _("Từ chối giải quyết (Mẫu 03)"), forms.RejectForm, _run(services.reject),
        _("Đã từ chối giải quyết hồ sơ; in Mẫu 03 gửi công dân."), danger=True,
    ),
    Action(
        "withdraw", _("Công dân rút hồ sơ"), forms.WithdrawForm, _run(services.withdraw),
        _("Đã ghi nhận công dân rút hồ sơ."), danger=True,
    ),
    Action(
        "stop", _("Dừng giải quyết (Mẫu 05)"), forms.StopForm, _run(services.stop),
        _("Đã dừng giải quyết hồ sơ."), danger=True,
    ),
]}


def available(ctx: ActionContext) -> list[Action]:
    if ctx.dossier.agency_id != ctx.official.agency_id:
        return []
    return [action for action in ACTIONS.values() if action.allowed(ctx.official, ctx.dossier, ctx)]


def can_approve_extension(official: Official) -> bool:
    return may(official, "approve_extension")
