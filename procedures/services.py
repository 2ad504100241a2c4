"""Writes to the procedure catalogue that more than one entry point needs (admin import, demo seeding).

A procedure's steps and required documents are replaced as a whole list, matched to the existing rows
by position so that rows already referenced by dossiers keep their identity and history.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from .models import Procedure, ProcedureStep, RequiredDocument
from .roles import GROUP_NAMES, ROLE_BY_GROUP, Role


class CatalogueError(Exception):
    """A catalogue change that would break an invariant; `message` is translated for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StepSpec:
    order: int
    name: str
    role: str
    duration: Decimal


@dataclass(frozen=True)
class DocumentSpec:
    order: int
    name: str
    originals: int = 1
    copies: int = 0
    mandatory: bool = True


def check_steps(procedure: Procedure, steps: list[StepSpec]) -> None:
    """Raise CatalogueError unless the steps are numbered uniquely and add up to the legal time limit."""
    orders = [step.order for step in steps]
    if len(set(orders)) != len(orders):
        raise CatalogueError(_("Thứ tự các bước bị trùng."))
    for step in steps:
        if step.role not in Role.values:
            raise CatalogueError(_("Vai trò “%(role)s” không hợp lệ.") % {"role": step.role})
    error = procedure.steps_error([step.duration for step in steps])
    if error:
        raise CatalogueError(error)


@transaction.atomic
def set_steps(procedure: Procedure, steps: list[StepSpec], *, reason: str = "") -> None:
    """Make the procedure's steps exactly `steps`; steps are matched by their order number."""
    check_steps(procedure, steps)
    existing = {step.order: step for step in procedure.steps.select_for_update()}
    wanted = {spec.order: spec for spec in steps}
    for order, step in existing.items():
        if order not in wanted:
            step._change_reason = reason
            try:
                step.delete()
            except ProtectedError as error:
                raise CatalogueError(
                    _("Không thể xoá bước “%(step)s” vì đã có hồ sơ đi qua bước này.") % {"step": step}
                ) from error
    for order, spec in sorted(wanted.items()):
        step = existing.get(order) or ProcedureStep(procedure=procedure, order=order)
        values = {"name": spec.name, "role": spec.role, "duration": Decimal(spec.duration)}
        if step.pk and all(getattr(step, key) == value for key, value in values.items()):
            continue
        for key, value in values.items():
            setattr(step, key, value)
        step._change_reason = reason
        step.full_clean(exclude=["procedure"], validate_unique=False)
        step.save()


@transaction.atomic
def set_required_documents(procedure: Procedure, documents: list[DocumentSpec], *, reason: str = "") -> None:
    """Make the procedure's required documents exactly `documents`, reusing rows in their current order."""
    existing = list(procedure.required_documents.select_for_update().order_by("order", "id"))
    for index, spec in enumerate(documents):
        document = existing[index] if index < len(existing) else RequiredDocument(procedure=procedure)
        values = {
            "order": spec.order, "name": spec.name, "originals": spec.originals, "copies": spec.copies,
            "mandatory": spec.mandatory,
        }
        if document.pk and all(getattr(document, key) == value for key, value in values.items()):
            continue
        for key, value in values.items():
            setattr(document, key, value)
        document._change_reason = reason
        document.full_clean(exclude=["procedure"])
        document.save()
    for document in existing[len(documents):]:
        document._change_reason = reason
        document.delete()


def role_groups(roles) -> list[Group]:
    """The Django groups that carry `roles`, created on first use (names from `roles.GROUP_NAMES`)."""
    return [Group.objects.get_or_create(name=GROUP_NAMES[Role(role)])[0] for role in roles]


@transaction.atomic
def set_official_roles(official, roles) -> None:
    """Give the official's login exactly these roles, leaving groups that are not roles alone."""
    user = official.user
    keep = [group for group in user.groups.all() if group.name not in ROLE_BY_GROUP]
    user.groups.set(keep + role_groups(roles))
    official.__dict__.pop("_roles", None)
