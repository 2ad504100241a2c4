"""Template filters for the catalogue's numbers: {% load procedure_format %}."""
from django import template

from procedures.formatting import format_duration, format_vnd
from procedures.models import step_unit

register = template.Library()


@register.filter
def duration(value, unit):
    """{{ procedure.time_limit|duration:procedure.time_unit }} -> "5 ngày làm việc"."""
    return format_duration(value, unit)


@register.filter
def step_duration(value, unit):
    """{{ step.duration|step_duration:procedure.time_unit }}: a same-day procedure's steps are in hours."""
    return format_duration(value, step_unit(unit))


@register.filter
def vnd(value):
    """{{ procedure.fee|vnd }} -> "50.000 đồng"."""
    return format_vnd(value)
