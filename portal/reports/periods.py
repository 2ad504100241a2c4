"""Shared helpers of every report: the period (`procedures.calendar.Period`, one class for instants and days), the
working clock (`procedures.calendar.WorkingClock`), months and rates."""
from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from common.clock import VN
from procedures.calendar import Period, WorkingClock, month_starts

__all__ = ["MONTHS_SHOWN", "Period", "WorkingClock", "mean", "month_key", "month_starts", "percentile", "rate", "tenth"]

MONTHS_SHOWN = 12
HUNDRED = Decimal(100)


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage to one decimal, None when there is nothing to divide.

    >>> rate(2, 3), rate(1, 0)
    (Decimal('66.7'), None)
    """
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def month_key(value) -> datetime.date:
    """TruncMonth gives an aware datetime on PostgreSQL and SQLite alike; the month is read in Vietnam time.

    >>> month_key(datetime.datetime(2026, 2, 28, 18, 0, tzinfo=datetime.UTC))
    datetime.date(2026, 3, 1)
    """
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value, VN) if timezone.is_aware(value) else value).date().replace(day=1)
    return value.replace(day=1)


def tenth(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def mean(values: Sequence[Decimal]) -> Decimal | None:
    """The mean to one decimal, None for no values.

    >>> mean([Decimal(1), Decimal(2)]), mean([])
    (Decimal('1.5'), None)
    """
    return tenth(sum(values, Decimal(0)) / len(values)) if values else None


def percentile(values: Sequence[Decimal], fraction: Decimal) -> Decimal | None:
    """Linear-interpolated percentile (as PostgreSQL's percentile_cont) of already sorted values.

    >>> percentile([Decimal(1), Decimal(2), Decimal(3), Decimal(4)], Decimal("0.9"))
    Decimal('3.7')
    """
    if not values:
        return None
    position = (len(values) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(values) - 1)
    return tenth(values[lower] + (values[upper] - values[lower]) * (position - lower))
