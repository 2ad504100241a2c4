"""A procedure's whole machine drawn as inline SVG for the admin: the dossier's lifecycle read from the FSM's
declared transitions (`Dossier._meta.get_field("state").get_all_transitions`), with the procedure's own steps
inside "Đang giải quyết", their send-back arrow (the model's `_send_back`), the two pauses (supplement, payment) and the closings
(refusal, stop, withdrawal). Nothing is drawn from a hand-kept list, so the drawing cannot drift from the code:
a transition added to the model appears here with its declared label (or its target state's name).

Presentation attributes only (no <style>, no style=""): the admin's Content-Security-Policy needs no exception.
Text is 13 px and the drawing keeps its size (its wrapper scrolls sideways), so it stays legible at 1366 px.
"""
import textwrap
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from procedures.formatting import format_duration
from procedures.models import Procedure, ProcedureStep, step_unit
from procedures.roles import Role

from .models import OPEN_STATES, PAUSED_STATES, Dossier, State

FONT = 13
PILL_W, PILL_H = 136, 54
STEP_W, STEP_H = 168, 96
GAP = 128  # room for a transition's name above its arrow
STEP_GAP = 44
MARGIN = 16
TOP = 70  # room for the send-back arc above the steps
ROW_GAP = 104
COLOURS = {"state": ("#f5f5f5", "#555"), "start": ("#e7f4ea", "#2e7d32"), "end": ("#e7f4ea", "#2e7d32"),
           "pause": ("#fff8e1", "#8a6500"), "close": ("#fdecea", "#b3261e"), "step": ("#eef4fb", "#1f5f99"),
           "group": ("#ffffff", "#1f5f99")}

@dataclass(frozen=True)
class Edge:
    name: str
    sources: frozenset[str]
    target: str
    declared_label: str = ""

    @property
    def label(self) -> str:
        # A transition declared without a label is drawn with its target state's name.
        return self.declared_label or str(State(self.target).label)


def declared_edges() -> list[Edge]:
    """The FSM's state-changing transitions, one edge per (name, target) with all its sources; the label is the
    transition's own (`custom["label"]` on the model)."""
    grouped: dict[tuple[str, str], set[str]] = {}
    labels: dict[str, str] = {}
    for transition in Dossier._meta.get_field("state").get_all_transitions(Dossier):
        if transition.target is None:
            continue  # an action that keeps the state (a hand-off inside "in progress" is drawn with the steps)
        grouped.setdefault((transition.name, transition.target), set()).add(transition.source)
        labels[transition.name] = str(transition.custom.get("label", ""))
    return [Edge(name, frozenset(sources), target, labels[name]) for (name, target), sources in grouped.items()]


def _transition_label(name: str) -> str:
    method = getattr(Dossier, name)
    return str(next(iter(method._django_fsm.transitions.values())).custom["label"])


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


def _text(x, y, lines, *, size=FONT, weight="normal", fill="#1a1a1a", anchor="middle") -> str:
    spans = "".join(f'<tspan x="{x:g}" dy="{0 if i == 0 else size + 3}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return (f'<text x="{x:g}" y="{y:g}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
            f'text-anchor="{anchor}" font-family="sans-serif">{spans}</text>')


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width) or [""]


def _rect(box: Box, kind: str, radius: float) -> str:
    fill, stroke = COLOURS[kind]
    dash = ' stroke-dasharray="6 4"' if kind == "group" else ""
    return (f'<rect x="{box.x:g}" y="{box.y:g}" width="{box.w:g}" height="{box.h:g}" rx="{radius:g}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.5"{dash}/>')


def _pill(box: Box, label: str, kind: str) -> str:
    lines = _wrap(label, 17)
    return _rect(box, kind, 27) + _text(box.cx, box.cy + 5 - (len(lines) - 1) * 8, lines, weight="600")


def _line(x1, y1, x2, y2, *, dashed=False) -> str:
    dash = ' stroke-dasharray="5 4"' if dashed else ""
    return (f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" stroke="#444" stroke-width="1.5"{dash} '
            'marker-end="url(#lc-head)"/>')


def lifecycle_svg(procedure: Procedure, steps: list[ProcedureStep] | None = None) -> SafeString:
    """The SVG markup (safe to insert in a page); every text is escaped."""
    if steps is None:
        steps = list(procedure.steps.order_by("order")) if procedure.pk else []
    edges = declared_edges()
    parts: list[str] = []
    boxes: dict[str, Box] = {}

    # Main row: received → the procedure's steps (inside "in progress") → processed → returned.
    main_y = TOP + 30
    boxes[State.RECEIVED] = Box(MARGIN, main_y + (STEP_H - PILL_H) / 2, PILL_W, PILL_H)
    group_x = boxes[State.RECEIVED].x + PILL_W + GAP
    inner = max(1, len(steps)) * STEP_W + max(0, len(steps) - 1) * STEP_GAP
    group = Box(group_x, main_y - 30, inner + 32, STEP_H + 48)
    boxes[State.IN_PROGRESS] = group
    x = group.x + group.w + GAP
    for state in (State.PROCESSED, State.RETURNED):
        boxes[state] = Box(x, main_y + (STEP_H - PILL_H) / 2, PILL_W, PILL_H)
        x += PILL_W + GAP
    width = x - GAP + MARGIN

    # Pauses under the steps, closings on the row below; a state the model gains later joins the closings.
    pause_y = group.y + group.h + ROW_GAP
    pauses = [state for state in State.values if state in PAUSED_STATES]
    for index, state in enumerate(pauses):
        boxes[state] = Box(group.x + 40 + index * (PILL_W + 180), pause_y, PILL_W, PILL_H)
    close_y = pause_y + PILL_H + ROW_GAP
    closings = [state for state in State.values if state not in boxes]
    others = [state for state in closings if state != State.REFUSED]
    for state in closings:
        # Refused at the counter hangs under reception; the other closings line up under the steps.
        x = boxes[State.RECEIVED].x if state == State.REFUSED else group.x + 40 + others.index(state) * (PILL_W + 180)
        boxes[state] = Box(x, close_y, PILL_W, PILL_H)
    width = max(width, max(box.x + box.w for box in boxes.values()) + MARGIN)
    height = close_y + PILL_H + MARGIN

    # "Every open state" frame: a transition allowed from all of them leaves from its edge once.
    open_boxes = [boxes[state] for state in OPEN_STATES]
    frame = Box(MARGIN / 2, TOP - 6, max(b.x + b.w for b in open_boxes) + 12 - MARGIN / 2,
                max(b.y + b.h for b in open_boxes) + 14 - TOP + 6)
    parts.append(f'<rect x="{frame.x:g}" y="{frame.y:g}" width="{frame.w:g}" height="{frame.h:g}" rx="10" '
                 'fill="none" stroke="#999" stroke-width="1" stroke-dasharray="2 4"/>')
    parts.append(_text(frame.x + 8, frame.y + frame.h - 6, [_("Trạng thái đang mở")], size=12, fill="#666",
                       anchor="start"))

    parts.append(_rect(group, "group", 10))
    parts.append(_text(group.x + 12, group.y + 20, [str(State.IN_PROGRESS.label)], weight="600", fill="#1f5f99",
                       anchor="start"))
    step_boxes = []
    for index, step in enumerate(steps):
        box = Box(group.x + 16 + index * (STEP_W + STEP_GAP), main_y, STEP_W, STEP_H)
        step_boxes.append(box)
        role = str(Role(step.role).label) if step.role in Role.values else step.role
        parts.append(f"<g><title>{escape(f'{step.order}. {step.name}')}</title>{_rect(box, 'step', 6)}")
        name = _wrap(f"{step.order}. {step.name}", 22)[:2]
        parts.append(_text(box.cx, box.y + 22, name, weight="600"))
        parts.append(_text(box.cx, box.y + 62, _wrap(role, 24)[:1], size=12, fill="#444"))
        parts.append(_text(box.cx, box.y + 80, [format_duration(step.duration, step_unit(procedure.time_unit))], size=12,
                           weight="600", fill="#1f5f99"))
        parts.append("</g>")
        if index:
            parts.append(_line(step_boxes[index - 1].x + STEP_W, box.cy, box.x, box.cy))
    if not steps:
        parts.append(_text(group.cx, group.cy + 5, [_("Chưa khai báo bước xử lý")], fill="#666"))
    if len(step_boxes) > 1:
        # Any step may send the dossier back to an earlier one (services.send_back).
        first, last = step_boxes[0], step_boxes[-1]
        parts.append(f'<path d="M{last.cx:g},{last.y:g} C{last.cx:g},{TOP - 40:g} {first.cx:g},{TOP - 40:g} '
                     f'{first.cx:g},{first.y:g}" fill="none" stroke="#444" stroke-width="1.5" '
                     'stroke-dasharray="5 4" marker-end="url(#lc-head)"/>')
        parts.append(_text((first.cx + last.cx) / 2, TOP - 30, [_transition_label("_send_back")], size=12))

    for state, box in boxes.items():
        if state == State.IN_PROGRESS:
            continue
        kind = ("start" if state == State.RECEIVED else "end" if state == State.RETURNED
                else "pause" if state in PAUSED_STATES else "state" if state == State.PROCESSED else "close")
        parts.append(_pill(box, str(State(state).label), kind))

    for edge in edges:
        parts.extend(_edge(edge, boxes, frame))

    title = _("Sơ đồ trạng thái hồ sơ của thủ tục %(code)s: %(steps)d bước và mọi chuyển trạng thái khai báo") % {
        "code": procedure.code, "steps": len(steps)}
    description = "; ".join(f"{', '.join(str(State(s).label) for s in sorted(e.sources))} → {State(e.target).label}: "
                            f"{e.label}" for e in edges)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="step-machine lifecycle" role="img" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" aria-labelledby="lc-title lc-desc">'
        f'<title id="lc-title">{escape(title)}</title><desc id="lc-desc">{escape(description)}</desc>'
        '<defs><marker id="lc-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>'
        + "".join(parts) + "</svg>"
    )
    return mark_safe(f'<div class="lifecycle-wrap">{svg}</div>')  # noqa: S308 — built from escaped text only


def _edge(edge: Edge, boxes: dict[str, Box], frame: Box) -> list[str]:
    target = boxes[edge.target]
    label = _wrap(edge.label, 18)
    if len(edge.sources) > 1 and set(edge.sources) >= set(OPEN_STATES):
        # From every open state: one arrow from the frame around them.
        return [_line(target.cx, frame.y + frame.h, target.cx, target.y),
                _text(target.cx + 8, frame.y + frame.h + 22, label, size=12, anchor="start")]
    drawn = []
    for source_state in sorted(edge.sources):
        source = boxes[source_state]
        if abs(source.cy - target.cy) < 1 or (target.y < source.y + source.h and target.y + target.h > source.y):
            # Same row: left to right, the name above the arrow.
            x1, x2 = (source.x + source.w, target.x) if target.x > source.x else (source.x, target.x + target.w)
            y = (source if source.h < target.h else target).cy
            drawn += [_line(x1, y, x2, y), _text((x1 + x2) / 2, y - 10 - (len(label) - 1) * 15, label, size=12)]
            continue
        down = target.y > source.y
        # A pause goes down on the left of its box's middle and comes back on the right; a box at the left
        # edge keeps its name on the right, inside the drawing.
        offset = -16 if down and target.x > MARGIN + 1 else 16
        x = (target.cx if down else source.cx) + offset
        y1, y2 = (source.y + source.h, target.y) if down else (source.y, target.y + target.h)
        anchor = "end" if offset < 0 else "start"
        drawn += [_line(x, y1, x, y2), _text(x + (-6 if offset < 0 else 6), (y1 + y2) / 2, label, size=12,
                                             anchor=anchor)]
    return drawn
