"""Reads of the procedure catalogue for the public pages and for other apps.

Every function returns querysets whose related rows are joined or prefetched, so a page costs the
same number of queries whatever the size of the catalogue.
"""
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from common.text import fold

from .models import Agency, Field, Official, Procedure, ProcedureStep, RequiredDocument
from .roles import GROUP_NAMES, Role


def public_procedures(*, query: str = "", field_id: int | None = None, agency_id: int | None = None) -> QuerySet[Procedure]:
    """Active procedures matching every word of `query`, accents and case ignored ("dang ky" finds "Đăng ký").

    Words are matched against `Procedure.search_text`, the folded code and name, so a national code
    such as 1.001193 is found too.
    """
    procedures = Procedure.objects.filter(is_active=True).select_related("field")
    for word in fold(query).split():
        procedures = procedures.filter(search_text__contains=word)
    if field_id:
        procedures = procedures.filter(field_id=field_id)
    if agency_id:
        # One agency per filter: the through table's unique pair means no duplicate rows, no DISTINCT needed.
        procedures = procedures.filter(agencies__id=agency_id)
    return procedures.order_by("sort_name", "code")


def catalogue_fields() -> QuerySet[Field]:
    """Fields that have at least one active procedure, for the catalogue's filter."""
    return Field.objects.filter(procedures__is_active=True).distinct().order_by("name")


def catalogue_agencies() -> QuerySet[Agency]:
    """Agencies offering at least one active procedure, for the catalogue's filter."""
    return Agency.objects.filter(procedures__is_active=True).distinct().order_by("name")


def public_procedure(*, code: str) -> Procedure:
    """One active procedure with its steps, documents and agencies; raises Procedure.DoesNotExist."""
    return (
        Procedure.objects.filter(is_active=True, code=code)
        .select_related("field")
        .prefetch_related(
            Prefetch("steps", queryset=ProcedureStep.objects.order_by("order")),
            Prefetch("required_documents", queryset=RequiredDocument.objects.order_by("order", "id")),
            Prefetch("agencies", queryset=Agency.objects.order_by("name")),
        )
        .get()
    )


def leader_emails(agency_id: int) -> list[str]:
    """Addresses of the agency's active leaders (those without an address are skipped)."""
    return list(
        Official.objects.filter(agency_id=agency_id, is_active=True, user__is_active=True,
                                user__groups__name=GROUP_NAMES[Role.LEADER])
        .exclude(user__email="").order_by("user__email").values_list("user__email", flat=True).distinct()
    )


def active_official(user) -> Official | None:
    """The active official behind a login, with agency and groups (roles) read in one go."""
    return (
        Official.objects.select_related("agency", "user").prefetch_related("user__groups")
        .filter(user=user, is_active=True).first()
    )


def agency_procedures(agency_id: int) -> QuerySet[Procedure]:
    """Procedures the agency performs (one row each: the through table's pair is unique)."""
    return Procedure.objects.filter(agencies=agency_id)


def procedures_owned_by(agency_id: int) -> QuerySet[Procedure]:
    """Procedures only this agency performs: the ones its administrator may change. A procedure shared with
    another agency changes that agency's deadlines too, so only a superuser edits it."""
    others = Procedure.agencies.through.objects.filter(procedure=OuterRef("pk")).exclude(agency_id=agency_id)
    return agency_procedures(agency_id).exclude(Exists(others))
