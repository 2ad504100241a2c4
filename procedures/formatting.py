"""How the catalogue writes time limits and fees for people: "0,5 ngày làm việc", "50.000 đồng"."""
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.numbers import format_quantity

from .models import TimeUnit

__all__ = ["format_duration", "format_quantity", "format_vnd"]


def format_duration(value: Decimal | int | None, unit: str = TimeUnit.WORKING_DAYS) -> str:
    """"5 ngày làm việc", "4 giờ làm việc", "0,5 ngày làm việc" (English: "1 working day", "5 working days")."""
    if value is None:
        return ""
    if unit == TimeUnit.SAME_DAY:
        return _("Trong ngày làm việc (tiếp nhận sau giờ chốt: ngày làm việc tiếp theo)")
    amount = {"amount": format_quantity(value)}
    count = 1 if Decimal(value) == 1 else 2
    if unit == TimeUnit.WORKING_HOURS:
        return ngettext("%(amount)s giờ làm việc", "%(amount)s giờ làm việc", count) % amount
    return ngettext("%(amount)s ngày làm việc", "%(amount)s ngày làm việc", count) % amount


def format_vnd(amount: Decimal | int | None) -> str:
    """An amount in đồng with thousands grouped by the active language (vi: 1.250.000 đồng)."""
    if amount is None:
        return ""
    grouped = number_format(Decimal(amount).quantize(Decimal(1)), decimal_pos=0, use_l10n=True, force_grouping=True)
    return _("%(amount)s đồng") % {"amount": grouped}
