"""Helpers of the printed forms' templates: {% load form_tags %}."""
import datetime

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

NBSP = "\u00a0"


@register.filter
def no_orphan(line: str) -> str:
    """Join the last two words with a non-breaking space, so a long name that wraps never leaves one word alone on
    its last line (WeasyPrint 70 has no `text-wrap: balance`)."""
    words = str(line).split()
    if len(words) < 3:
        return NBSP.join(words)
    return " ".join(words[:-2]) + " " + NBSP.join(words[-2:])


def _balanced(words: list[str], lines: int) -> list[list[str]]:
    """Split `words` into `lines` consecutive groups whose longest is as short as possible (in characters); on a
    tie the earlier lines are the shorter ones, the way a header is set by hand ("ỦY BAN NHÂN DÂN" over
    "THÀNH PHỐ HỒ CHÍ MINH")."""
    if lines <= 1 or len(words) <= 1:
        return [words]
    best = None
    for cut in range(1, len(words) - lines + 2):
        head, rest = words[:cut], _balanced(words[cut:], lines - 1)
        widest = max(len(" ".join(group)) for group in [head, *rest])
        if best is None or widest < best[0]:
            best = (widest, [head, *rest])
    return best[1]


@register.filter
def balance(text: str, width: int = 30) -> SafeString:
    """Break a header or title line that is longer than `width` characters into lines of even length, each with
    its last two words kept together: what CSS `text-wrap: balance` does, which WeasyPrint 70 lacks. `width` is
    the column's capacity in characters at the text's size; WeasyPrint still wraps a line that does not fit."""
    words = str(text).split()
    count = max(1, -(-len(" ".join(words)) // int(width)))  # ceil
    groups = _balanced(words, min(count, len(words)))
    return mark_safe("<br>".join(conditional_escape(no_orphan(" ".join(group))) for group in groups))  # noqa: S308


@register.filter
def legal_date(instant) -> str:
    """"ngày 09 tháng 3 năm 2026": days below 10 and the months January and February with a leading zero
    (Nghị định 30/2020/NĐ-CP, Phụ lục I: địa danh và thời gian ban hành văn bản)."""
    if not instant:
        return ""
    if isinstance(instant, datetime.datetime) and timezone.is_aware(instant):
        instant = timezone.localtime(instant)  # the forms render in Vietnam time
    month = f"{instant.month:02d}" if instant.month < 3 else str(instant.month)
    return _("ngày %(day)s tháng %(month)s năm %(year)s") % {"day": f"{instant.day:02d}", "month": month,
                                                             "year": instant.year}
