"""Numbers written for people, in the active language (vi: "0,5")."""
from decimal import Decimal

from django.utils.formats import number_format


def format_quantity(value: Decimal | int | None) -> str:
    """A duration number without trailing zeros, with the active language's decimal mark (vi: 0,5)."""
    if value is None:
        return ""
    value = Decimal(value)
    # normalize() turns 5.0 into 5 but 10 into 1E+1; quantize back to an integer when there is no fraction.
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return number_format(value, use_l10n=True)
