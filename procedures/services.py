"""Writes to the procedure catalogue that more than one entry point needs (admin import, demo seeding).

A procedure's steps and required documents are replaced as a whole list, matched to the existing rows
by position so that rows already referenced by dossiers keep their identity and history.

The working-calendar exceptions are saved and deleted here, so that the precomputed calendar
(`procedures.working_calendar`) follows every change in the same transaction.

A large catalogue file is imported by a background job (`start_catalogue_import`, then the Celery task
`procedures.tasks.run_catalogue_import` runs `run_catalogue_import`), chunk by chunk with its progress on the job.
"""
import contextlib
import logging
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import tablib
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import working_calendar
from .models import CalendarException, CatalogueImportJob, Procedure, ProcedureStep, RequiredDocument
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


logger = logging.getLogger(__name__)

# Rejected rows kept on a job with their reasons; further ones are only counted, so a job row stays small.
IMPORT_JOB_MAX_ERRORS = 200


def start_catalogue_import(*, actor, agency_id: int | None, file_name: str, file_format: str, data: bytes,
                           total_rows: int) -> CatalogueImportJob:
    """Keep the uploaded file on a queued job and hand the job to Celery once it is committed. `agency_id` is the
    admin's scope (`access.admin_agency_id`): None, unscoped, only for a superuser."""
    if agency_id == 0 or (agency_id is None and not actor.is_superuser):
        raise PermissionDenied(_("Tài khoản này không được nhập danh mục."))
    with transaction.atomic():
        job = CatalogueImportJob.objects.create(
            created_by=actor, agency_id=agency_id, file_name=file_name[:255], file_format=file_format, data=data,
            total_rows=total_rows,
        )
        transaction.on_commit(lambda: _queue_catalogue_import(job.pk))
    return job


def _queue_catalogue_import(job_id: int) -> None:
    from .tasks import run_catalogue_import  # the task module imports this one

    try:
        run_catalogue_import.delay(job_id)
    except Exception:  # noqa: BLE001  a broker that does not answer: say so on the job instead of leaving it queued
        logger.warning("catalogue import %s not queued", job_id, exc_info=True)
        if CatalogueImportJob.objects.filter(pk=job_id, state=CatalogueImportJob.State.QUEUED).exists():
            _finish(CatalogueImportJob.objects.get(pk=job_id), CatalogueImportJob.State.FAILED,
                    [_("Không đưa được lượt nhập vào hàng đợi xử lý; hãy nhập lại tệp sau ít phút.")])


@contextlib.contextmanager
def _history_user(user):
    """Every history row written inside is attributed to `user`, as the admin's middleware does for a request."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous


def _finish(job: CatalogueImportJob, state: str, messages=()) -> str:
    job.state = state
    job.errors = [*job.errors, *({"row": 0, "messages": [str(message)]} for message in messages)]
    job.finished_at = timezone.now()
    job.data = b""  # read and done: the file is not kept twice (the catalogue and its history hold the result)
    job.save()
    return state


def run_catalogue_import(job_id: int) -> str:
    """Import a queued job's file in chunks of `CATALOGUE_IMPORT_CHUNK_ROWS`, each in its own transaction, with the
    job's progress written after every chunk. Valid rows are written; a rejected row (an unknown field, another
    agency's procedure, steps that do not add up…) is listed with its reasons, as the admin's preview shows them.
    A file that cannot be read fails the job with a message. Returns the job's final state."""
    with transaction.atomic():
        job = CatalogueImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state != CatalogueImportJob.State.QUEUED:
            return job.state if job else "missing"  # a second delivery of the task: another worker has it
        job.state = CatalogueImportJob.State.RUNNING
        job.save(update_fields=["state"])
    try:
        return _import_chunks(job)
    except Exception:
        logger.exception("catalogue import %s failed", job_id)
        return _finish(job, CatalogueImportJob.State.FAILED,
                       [_("Lượt nhập dừng vì một lỗi không lường trước; các nhóm dòng đã xử lý đã được ghi.")])


def _import_chunks(job: CatalogueImportJob) -> str:
    from .resources import REQUIRED_COLUMNS, ProcedureResource, read_dataset  # the resource imports this module

    try:
        dataset = read_dataset(bytes(job.data), job.file_format)
    except Exception:  # noqa: BLE001  whatever the parser says, the admin needs one readable sentence
        logger.info("catalogue import %s: unreadable file", job.pk, exc_info=True)
        return _finish(job, CatalogueImportJob.State.FAILED, [
            _("Không đọc được tệp “%(name)s” dưới dạng %(format)s. Hãy kiểm tra tệp và định dạng đã chọn.")
            % {"name": job.file_name, "format": job.file_format.upper()}
        ])
    missing = [column for column in REQUIRED_COLUMNS if column not in (dataset.headers or ())]
    if missing:
        return _finish(job, CatalogueImportJob.State.FAILED, [
            _("Tệp thiếu cột: %(columns)s. Hãy dùng tệp xuất từ danh mục làm mẫu.") % {"columns": ", ".join(missing)}
        ])
    job.total_rows = len(dataset)
    job.save(update_fields=["total_rows"])
    resource = ProcedureResource(agency_id=job.agency_id)
    size = max(1, settings.CATALOGUE_IMPORT_CHUNK_ROWS)
    with _history_user(job.created_by):
        for start in range(0, len(dataset), size):
            chunk = tablib.Dataset(*dataset[start:start + size], headers=dataset.headers)
            result = resource.import_data(chunk, dry_run=False, raise_errors=False,
                                          rollback_on_validation_errors=False)
            if result.has_errors():
                # Not a refusal of a row but a failure (resources.py turns every expected one into a message): this
                # chunk was rolled back, the ones before it stay written.
                number = start + result.row_errors()[0][0]
                logger.error("catalogue import %s: row %s failed", job.pk, number,
                             exc_info=result.row_errors()[0][1][0].error)
                return _finish(job, CatalogueImportJob.State.FAILED, [
                    _("Dòng %(row)s không nhập được; các dòng từ %(first)s đến %(last)s chưa được ghi, các dòng "
                      "trước đó đã được ghi.") % {"row": number, "first": start + 1, "last": len(dataset)}
                ])
            for row in result.invalid_rows:
                if len(job.errors) < IMPORT_JOB_MAX_ERRORS:
                    job.errors.append({"row": start + row.number, "messages": [
                        message for messages in row.error_dict.values() for message in messages
                    ]})
            job.processed_rows = start + len(chunk)
            job.new_count += result.totals["new"]
            job.updated_count += result.totals["update"]
            job.invalid_count += result.totals["invalid"]
            job.save(update_fields=["processed_rows", "new_count", "updated_count", "invalid_count", "errors"])
    return _finish(job, CatalogueImportJob.State.DONE)


# --- the working calendar ---------------------------------------------------------------------------------


@transaction.atomic
def rebuild_working_calendar(*, agency_ids=None, first=None, last=None) -> dict:
    """Recompute the calendar table: every scope (`agency_ids` None: after a national change, `sync_holidays`, a bulk
    seed) or only these agencies' own scopes; the range is widened, never narrowed (`working_calendar.rebuild`)."""
    return working_calendar.rebuild(agency_ids=agency_ids, first=first, last=last)


def _calendar_scopes_changed(agency_ids: set[int | None]) -> None:
    # A national row is part of every agency's calendar; an agency's row only of its own.
    rebuild_working_calendar(agency_ids=None if None in agency_ids else agency_ids)


@transaction.atomic
def save_calendar_exception(exception: CalendarException, *, user=None) -> CalendarException:
    """Save an admin's exception (created or edited) and recompute the calendar scopes it was and is part of."""
    before = CalendarException.objects.filter(pk=exception.pk).values_list("agency_id", flat=True).first() \
        if exception.pk else exception.agency_id
    exception._history_user = user
    exception.save()
    _calendar_scopes_changed({before, exception.agency_id})
    return exception


@transaction.atomic
def delete_calendar_exceptions(exceptions, *, user=None) -> None:
    """Delete exceptions (one or a queryset's rows) and recompute the calendar scopes they belonged to."""
    scopes = set()
    for exception in list(exceptions):
        scopes.add(exception.agency_id)
        exception._history_user = user
        exception.delete()
    if scopes:
        _calendar_scopes_changed(scopes)


def agency_sessions_saved(agency, *, changed_fields) -> None:
    """After an agency is saved: recompute its calendar scope if what it depends on changed (the admin calls this)."""
    if set(changed_fields) & {*working_calendar.SESSION_FIELDS, "saturday_reception", "saturday_counts"}:
        rebuild_working_calendar(agency_ids=[agency.pk])
