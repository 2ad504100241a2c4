"""Staff-page helpers: {% load dossier_tags %}."""
import re

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from dossiers.audit_trail import describe
from dossiers.models import CLOSED_STATES, PAUSED_STATES, State, Timeliness

register = template.Library()
_NO_ROW = re.compile(r"\(pk=None\)$")


@register.simple_tag
def deadline_badge(dossier, overdue=False, due_soon=False):
    """Overdue / due soon / paused, from flags the selector or the view computed."""
    if dossier.state in PAUSED_STATES:
        return format_html('<span class="badge badge-muted">{}</span>', _("Tạm dừng tính hạn"))
    if overdue:
        return format_html('<span class="badge badge-late">{}</span>', _("Quá hạn"))
    if due_soon:
        return format_html('<span class="badge badge-warn">{}</span>', _("Sắp đến hạn"))
    return ""


STATE_CLASSES = {State.RETURNED: "badge-ok", State.PROCESSED: "badge-ok"}


@register.simple_tag
def state_badge(dossier):
    css = STATE_CLASSES.get(dossier.state, "badge-muted" if dossier.state in CLOSED_STATES else "")
    return format_html('<span class="badge {}">{}</span>', css, dossier.get_state_display())


TIMELINESS_CLASSES = {Timeliness.BEFORE: "badge-ok", Timeliness.ON_TIME: "badge-ok", Timeliness.LATE: "badge-late"}


@register.simple_tag
def timeliness_badge(value):
    if not value:
        return ""
    return format_html('<span class="badge {}">{}</span>', TIMELINESS_CLASSES[value], Timeliness(value).label)


@register.filter
def audit_reason(reason):
    """{{ row.history_change_reason|audit_reason }} -> "Nhận hồ sơ bổ sung (tạm dừng 0 giờ)" (dossiers.audit_trail)."""
    return describe(reason)


@register.filter
def history_value(value):
    """A field's old or new value in a history list: "—" for none, also for a foreign key to no row, which
    django-simple-history would print as "Deleted … (pk=None)"."""
    if value is None or value == "" or _NO_ROW.search(str(value)):
        return "—"
    return value
