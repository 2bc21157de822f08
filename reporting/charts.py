"""Trend charts as SVG made on the server: the same markup on the page and in the PDF.

Made for a board to read: a value axis with its unit and round ticks, each quarter named
on the time axis, the baseline and the target drawn as lines and named in a legend, text
at 12 px at 100% zoom (the page shows each chart at its own size; the PDF at the same),
and a title and description for screen readers. The values themselves are printed in a
table beside each chart (templates/reporting/_chart.html); a value hidden by the
small-number rule is not drawn (a gap), so the chart gives nothing away that the table
does not."""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = 12  # px at 100% zoom
VALUE = "#0b5ed7"
BASELINE = "#6c757d"
TARGET = "#146c43"

# (width, height) of the two sizes: the summary's small chart, and a measure's chart.
SMALL = (340, 200)
LARGE = (440, 220)


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def _number(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def short_label(label: str) -> tuple[str, str]:
    """'Q2 2026-27' -> ('Q2', '26-27'): a quarter on two short lines under the axis."""
    head, _, year = label.partition(" ")
    if len(year) == 7 and year[4] == "-":
        year = year[2:]
    return head, year


def axis_range(values: list[float], refs: list[float], unit: str) -> tuple[float, float, float]:
    """(low, high, step) with round ticks; a percentage runs from 0 to 100."""
    if unit == "percent":
        return 0.0, 100.0, 25.0
    low = min([*values, *refs, 0.0])
    high = max([*values, *refs, 0.0])
    if high == low:
        high = low + 1
    step = _nice_step(high - low)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def trend_svg(
    labels: list[str],
    values: list[float | None],
    *,
    baseline: float | None = None,
    target: float | None = None,
    title: str = "",
    unit: str = "count",
    size: tuple[int, int] = LARGE,
    description: str = "",
) -> SafeString:
    known = [v for v in values if v is not None]
    refs = [r for r in (baseline, target) if r is not None]
    if not known and not refs:
        return mark_safe("")
    width, height = size
    left, right, bottom = 52, 12, 44
    # The legend, above the plot, on as many rows as it needs.
    legend = [(VALUE, "", "Each quarter")]
    if baseline is not None:
        legend.append((BASELINE, "7 4", f"Baseline {_number(baseline)}"))
    if target is not None:
        legend.append((TARGET, "2 3", f"Target {_number(target)}"))
    placed, lx, row = [], 8, 0
    for colour, dash, text in legend:
        item = 32 + int(len(text) * FONT * 0.62)
        if lx + item > width - 4 and lx > 8:
            lx, row = 8, row + 1
        placed.append((lx, 12 + 17 * row, colour, dash, text))
        lx += item + 10
    top = 30 + 17 * row
    plot_w, plot_h = width - left - right, height - top - bottom
    low, high, step = axis_range(known, refs, unit)
    span = high - low
    n = len(values)
    gap = plot_w / max(n, 1)

    def x(i: int) -> float:
        return round(left + gap * (i + 0.5), 1)

    def y(v: float) -> float:
        return round(top + plot_h - (v - low) / span * plot_h, 1)

    label = escape(title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-label="{label}{". " if description else ""}{escape(description)}" '
        f'font-family="DejaVu Sans, Arial, sans-serif" font-size="{FONT}">',
        f"<title>{label}</title><desc>{escape(description)}</desc>",
    ]
    # Value axis: gridlines and ticks, with the unit above it.
    tick = low
    while tick <= high + step / 1000:
        ty = y(tick)
        parts.append(
            f'<line x1="{left}" y1="{ty}" x2="{width - right}" y2="{ty}" stroke="#e3e3e3"/>'
            f'<text x="{left - 6}" y="{ty + 4}" text-anchor="end" fill="#333">'
            f"{_number(tick)}{'%' if unit == 'percent' else ''}</text>"
        )
        tick += step
    parts.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#555"/>'
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        'stroke="#555"/>'
    )
    # Time axis: each quarter, and under it the financial year where one starts.
    for i, text in enumerate(labels):
        head, year = short_label(text)
        year_line = (
            f'<tspan x="{x(i)}" dy="14">{escape(year)}</tspan>'
            if year and (i == 0 or head == "Q1")
            else ""
        )
        parts.append(
            f'<text x="{x(i)}" y="{top + plot_h + 15}" text-anchor="middle" fill="#333">'
            f"{escape(head)}{year_line}</text>"
        )
    # Baseline and target.
    if baseline is not None:
        parts.append(
            f'<line x1="{left}" y1="{y(baseline)}" x2="{width - right}" y2="{y(baseline)}" '
            f'stroke="{BASELINE}" stroke-width="2" stroke-dasharray="7 4">'
            f"<title>Baseline {_number(baseline)}</title></line>"
        )
    if target is not None:
        parts.append(
            f'<line x1="{left}" y1="{y(target)}" x2="{width - right}" y2="{y(target)}" '
            f'stroke="{TARGET}" stroke-width="2.5" stroke-dasharray="2 3">'
            f"<title>Target {_number(target)}</title></line>"
        )
    # The values: a line through the known ones, a gap where one is missing or hidden.
    segment: list[str] = []
    for i, v in enumerate([*values, None]):
        if v is None:
            if len(segment) > 1:
                parts.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="{VALUE}" '
                    'stroke-width="2.5"/>'
                )
            segment = []
            continue
        segment.append(f"{x(i)},{y(v)}")
    for i, v in enumerate(values):
        if v is not None:
            parts.append(
                f'<circle cx="{x(i)}" cy="{y(v)}" r="3.5" fill="{VALUE}">'
                f"<title>{escape(labels[i])}: {escape(_number(v))}</title></circle>"
            )
    for lx, ly, colour, dash, text in placed:
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 22}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="2.5"{dashes}/><text x="{lx + 27}" y="{ly + 4}" fill="#222">'
            f"{escape(text)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
