"""Server-rendered SVG charts: no JavaScript, readable at any width, printable.

Every chart is decoration for a table that carries the same figures: the SVG has role="img", a title and a
description pointing to that table (give `table_id`), and each mark has a <title> with its exact value.
Colours are the stylesheet's status colours, distinguishable without colour thanks to the legend order and
the table.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .reports import format_cell

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 36, 56

# Site palette (static/css/site.css): on time / early green, on-day blue, late red, neutral grey.
COLOURS = {"ok": "#1a6b34", "primary": "#0b4f8a", "late": "#a11a12", "muted": "#8a939d", "warn": "#b06f00"}


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | float | Decimal | None]
    colour: str = "primary"


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _number(value: float, kind: str) -> str:
    if kind == "rate":
        return format_cell(Decimal(str(round(value, 1))), "rate")
    return format_cell(int(round(value)), "int")


def _frame(chart_id: str, title: str, table_id: str, body: list[str], series: Sequence[Series]) -> SafeString:
    description = _("Số liệu chi tiết ở bảng ngay dưới biểu đồ.") if table_id else ""
    legend = []
    x = LEFT
    for item in series:
        legend.append(format_html(
            '<rect x="{}" y="10" width="12" height="12" fill="{}"/><text x="{}" y="21" font-size="12">{}</text>',
            x, COLOURS.get(item.colour, item.colour), x + 16, item.name))
        x += 24 + 7 * len(item.name)
    head = format_html(
        '<svg class="chart" id="{}" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}-title {}-desc" '
        'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        chart_id, WIDTH, HEIGHT, chart_id, chart_id, chart_id, title, chart_id, description)
    return mark_safe(head + "".join(legend) + "".join(body) + "</svg>")  # noqa: S308 - every part escaped above


def _axis(maximum: float, kind: str) -> list[str]:
    parts = []
    plot_height = HEIGHT - TOP - BOTTOM
    for i in range(5):
        value = maximum * i / 4
        y = TOP + plot_height - plot_height * i / 4
        parts.append(format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d0d5db" stroke-width="1"/>'
            '<text x="{}" y="{}" font-size="12" text-anchor="end" fill="#555d66">{}</text>',
            LEFT, WIDTH - RIGHT, f"{y:.1f}", f"{y:.1f}", LEFT - 6, f"{y + 4:.1f}", _number(value, kind)))
    return parts


def _category_labels(categories: Sequence[str], slot: float) -> list[str]:
    every = max(1, math.ceil(len(categories) * 60 / (WIDTH - LEFT - RIGHT)))
    parts = []
    for index, label in enumerate(categories):
        if index % every:
            continue
        x = LEFT + slot * (index + 0.5)
        parts.append(format_html('<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="#1b1f24">{}</text>',
                                 f"{x:.1f}", HEIGHT - BOTTOM + 16, label))
    return parts


def bar_chart(chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series], *,
              stacked: bool = True, kind: str = "int", table_id: str = "") -> SafeString:
    """Vertical bars per category; stacked series add up (e.g. before + on time + late = processed)."""
    totals = [sum(float(s.values[i] or 0) for s in series) if stacked else max((float(s.values[i] or 0) for s in series), default=0)
              for i in range(len(categories))]
    maximum = _nice_max(max(totals, default=0))
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(categories))
    bar = slot * 0.7 / (1 if stacked else max(1, len(series)))
    body = _axis(maximum, kind)
    for index, category in enumerate(categories):
        base = TOP + plot_height
        for position, item in enumerate(series):
            value = float(item.values[index] or 0)
            height = plot_height * value / maximum
            x = LEFT + slot * index + slot * 0.15 + (0 if stacked else bar * position)
            y = base - height if stacked else TOP + plot_height - height
            body.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {} — {}</title></rect>',
                f"{x:.1f}", f"{y:.1f}", f"{bar:.1f}", f"{height:.1f}", COLOURS.get(item.colour, item.colour),
                category, item.name, _number(value, kind)))
            if stacked:
                base -= height
    body += _category_labels(categories, slot)
    return _frame(chart_id, title, table_id, body, series)


def line_chart(chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series], *,
               kind: str = "rate", maximum: float | None = None, table_id: str = "") -> SafeString:
    """One polyline per series; a missing value (None) breaks the line rather than drawing a false zero."""
    values = [float(v) for s in series for v in s.values if v is not None]
    maximum = maximum or _nice_max(max(values, default=0))
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(categories))
    body = _axis(maximum, kind)
    for item in series:
        colour = COLOURS.get(item.colour, item.colour)
        segment: list[str] = []
        segments = [segment]
        for index, value in enumerate(item.values):
            if value is None:
                segment = []
                segments.append(segment)
                continue
            x = LEFT + slot * (index + 0.5)
            y = TOP + plot_height - plot_height * float(value) / maximum
            segment.append(f"{x:.1f},{y:.1f}")
            body.append(format_html('<circle cx="{}" cy="{}" r="3.5" fill="{}"><title>{}: {} — {}</title></circle>',
                                    f"{x:.1f}", f"{y:.1f}", colour, categories[index], item.name,
                                    _number(float(value), kind)))
        for points in segments:
            if len(points) > 1:
                body.insert(5, format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"/>',
                                           " ".join(points), colour))
    body += _category_labels(categories, slot)
    return _frame(chart_id, title, table_id, body, series)
