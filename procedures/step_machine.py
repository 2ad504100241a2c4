"""A procedure's step machine drawn as inline SVG, on the server, with no Graphviz.

Reception → the procedure's own steps in order → "Đã có kết quả" → "Đã trả kết quả", with the two
side branches every dossier has while in progress: waiting for a supplement (back into the steps when
the citizen completes the dossier) and stopping (Mẫu 05, NĐ 118/2025/NĐ-CP).
"""
import re
import textwrap
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .formatting import format_duration
from .models import Procedure, ProcedureStep, step_unit
from .roles import Role

BOX_W, BOX_H = 150, 84
STATE_W, STATE_H = 112, 52
GAP = 34
MARGIN = 12
ROW_Y = 20
BRANCH_Y = ROW_Y + BOX_H + 56
WRAP = 22


def _lines(text: str, width: int = WRAP, limit: int = 2) -> list[str]:
    lines = textwrap.wrap(text, width) or [""]
    if len(lines) > limit:
        lines = lines[:limit]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def _text(x: float, y: float, lines: Iterable[str], css: str, line_height: int = 15) -> str:
    spans = "".join(
        f'<tspan x="{x:g}" dy="{0 if i == 0 else line_height}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    return f'<text x="{x:g}" y="{y:g}" class="{css}" text-anchor="middle">{spans}</text>'


def _state(x: float, y: float, label: str, css: str = "sm-state") -> str:
    lines = _lines(label, 16)
    top = y + STATE_H / 2 - (len(lines) - 1) * 7 + 4
    return (
        f'<rect x="{x:g}" y="{y:g}" width="{STATE_W}" height="{STATE_H}" rx="26" class="{css}"/>'
        + _text(x + STATE_W / 2, top, lines, "sm-label")
    )


def _arrow(x1: float, y1: float, x2: float, y2: float, css: str = "sm-arrow") -> str:
    return f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" class="{css}" marker-end="url(#sm-head)"/>'


# The drawing's look as SVG presentation attributes, per class (later classes win): the Content-Security-Policy
# forbids inline <style> elements and style attributes, not presentation attributes.
PRESENTATION = {
    "sm-step": {"fill": "#eef4fb", "stroke": "#1f5f99", "stroke-width": "1.5"},
    "sm-state": {"fill": "#f5f5f5", "stroke": "#666", "stroke-width": "1.2"},
    "sm-start": {"fill": "#e7f4ea", "stroke": "#2e7d32"},
    "sm-end": {"fill": "#e7f4ea", "stroke": "#2e7d32"},
    "sm-pause": {"fill": "#fff8e1", "stroke": "#b28704"},
    "sm-stop": {"fill": "#fdecea", "stroke": "#b3261e"},
    "sm-label": {"font-family": "sans-serif", "font-size": "12", "font-weight": "600", "fill": "#1a1a1a"},
    "sm-role": {"font-family": "sans-serif", "font-size": "11", "fill": "#555"},
    "sm-time": {"font-family": "sans-serif", "font-size": "11", "font-weight": "600", "fill": "#1f5f99"},
    "sm-arrow": {"stroke": "#555", "stroke-width": "1.4"},
    "sm-branch": {"stroke-dasharray": "4 3"},
}
_CLASS_ATTR = re.compile(r'class="([^"]*)"')


def _presentation(markup: str) -> str:
    def attributes(match: re.Match) -> str:
        merged: dict[str, str] = {}
        for css in match.group(1).split():
            merged.update(PRESENTATION.get(css, {}))
        return match.group(0) + "".join(f' {name}="{value}"' for name, value in merged.items())

    return _CLASS_ATTR.sub(attributes, markup)


def step_machine_svg(procedure: Procedure, steps: list[ProcedureStep] | None = None) -> SafeString:
    """The SVG markup (safe to insert in a page); every text is escaped."""
    if steps is None:
        steps = list(procedure.steps.order_by("order")) if procedure.pk else []
    parts: list[str] = []
    x = MARGIN
    state_y = ROW_Y + (BOX_H - STATE_H) / 2
    middle = ROW_Y + BOX_H / 2

    parts.append(_state(x, state_y, _("Tiếp nhận"), "sm-state sm-start"))
    x += STATE_W
    step_xs = []
    for step in steps:
        parts.append(_arrow(x, middle, x + GAP, middle))
        x += GAP
        step_xs.append(x)
        role = str(Role(step.role).label) if step.role in Role.values else step.role
        # The box may cut a long name short; the tooltip keeps it whole.
        parts.append(f"<g><title>{escape(f'{step.order}. {step.name}')}</title>")
        parts.append(f'<rect x="{x:g}" y="{ROW_Y}" width="{BOX_W}" height="{BOX_H}" rx="6" class="sm-step"/>')
        parts.append(_text(x + BOX_W / 2, ROW_Y + 18, _lines(f"{step.order}. {step.name}"), "sm-label"))
        parts.append(_text(x + BOX_W / 2, ROW_Y + 54, _lines(role, 26, 1), "sm-role"))
        parts.append(_text(x + BOX_W / 2, ROW_Y + 71, [format_duration(step.duration, step_unit(procedure.time_unit))], "sm-time"))
        parts.append("</g>")
        x += BOX_W
    if not steps:
        parts.append(_arrow(x, middle, x + GAP, middle))
        x += GAP
        parts.append(_text(x + BOX_W / 2, middle + 4, [_("Chưa khai báo bước xử lý")], "sm-role"))
        step_xs.append(x)
        x += BOX_W
    for label, css in ((_("Đã có kết quả"), "sm-state"), (_("Đã trả kết quả"), "sm-state sm-end")):
        parts.append(_arrow(x, middle, x + GAP, middle))
        x += GAP
        parts.append(_state(x, state_y, label, css))
        x += STATE_W
    width = x + MARGIN

    # Side branches hang below the steps: supplement goes and comes back, stopping is a dead end.
    first, last = step_xs[0], step_xs[-1] + BOX_W
    span_mid = (first + last) / 2
    supplement_x = max(MARGIN, span_mid - STATE_W - 30)
    stop_x = span_mid + 30
    parts.append(_arrow(supplement_x + STATE_W / 2 - 12, ROW_Y + BOX_H, supplement_x + STATE_W / 2 - 12, BRANCH_Y,
                        "sm-arrow sm-branch"))
    parts.append(_arrow(supplement_x + STATE_W / 2 + 12, BRANCH_Y, supplement_x + STATE_W / 2 + 12, ROW_Y + BOX_H,
                        "sm-arrow sm-branch"))
    parts.append(_state(supplement_x, BRANCH_Y, _("Chờ bổ sung"), "sm-state sm-pause"))
    parts.append(_arrow(stop_x + STATE_W / 2, ROW_Y + BOX_H, stop_x + STATE_W / 2, BRANCH_Y, "sm-arrow sm-branch"))
    parts.append(_state(stop_x, BRANCH_Y, _("Dừng giải quyết"), "sm-state sm-stop"))
    height = BRANCH_Y + STATE_H + MARGIN

    total = format_duration(procedure.time_limit, procedure.time_unit) if procedure.time_limit is not None else ""
    title = _("Sơ đồ xử lý thủ tục %(code)s: %(steps)d bước, tổng %(total)s") % {
        "code": procedure.code, "steps": len(steps), "total": total,
    }
    description = "; ".join(
        f"{step.order}. {step.name} ({format_duration(step.duration, step_unit(procedure.time_unit))})" for step in steps
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="step-machine" role="img" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" aria-labelledby="sm-title sm-desc">'
        f'<title id="sm-title">{escape(title)}</title><desc id="sm-desc">{escape(description)}</desc>'
        '<defs><marker id="sm-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>'
        + _presentation("".join(parts))
        + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 — built above from escaped text only
