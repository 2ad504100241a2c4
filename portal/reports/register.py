"""Mẫu 07, Sổ theo dõi hồ sơ: the register's rows, columns and lines for the page and its exports."""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from dossiers import register
from dossiers import selectors as dossier_selectors
from dossiers.models import Dossier
from procedures.models import Agency

from .periods import Period
from .tables import Column


def register_dossiers(agency: Agency, period: Period) -> QuerySet[Dossier]:
    """The Mẫu 07 register's rows for the period: the same dossiers as the printed register."""
    return dossier_selectors.register_dossiers(agency_id=agency.pk, start=period.start, end=period.end)


def register_columns() -> list[Column]:
    """The printed register's columns (dossiers.register.COLUMNS): one definition for paper, screen and export."""
    return [Column(column.key, str(column.label), column.kind, column.width) for column in register.COLUMNS]


def register_rows(agency: Agency, period: Period, dossiers: Iterable[Dossier]) -> Iterable[list]:
    """The register's lines, numbered by their place in the agency's register book (Quyển số = year)."""
    entries = dossier_selectors.register_entries(agency_id=agency.pk, start=period.start, end=period.end)
    return register.rows(dossiers, entries)
