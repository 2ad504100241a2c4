"""Template filters for the catalogue's numbers: {% load procedure_format %}."""
from django import template

from procedures.formatting import format_duration, format_quantity, format_vnd

register = template.Library()


@register.filter
def duration(value, unit):
    """{{ procedure.time_limit|duration:procedure.time_unit }} -> "5 ngày làm việc"."""
    return format_duration(value, unit)


@register.filter
def quantity(value):
    """{{ step.duration|quantity }} -> "0,5"."""
    return format_quantity(value)


@register.filter
def vnd(value):
    """{{ procedure.fee|vnd }} -> "50.000 đồng"."""
    return format_vnd(value)
