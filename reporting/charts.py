"""Trend charts as SVG made on the server: the same markup on the page and in the PDF."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 260, 80, 14


def trend_svg(
    labels: list[str],
    values: list[float | None],
    *,
    baseline: float | None = None,
    target: float | None = None,
    title: str = "",
) -> SafeString:
    known = [v for v in values if v is not None]
    refs = [r for r in (baseline, target) if r is not None]
    if not known and not refs:
        return mark_safe("")
    low = min([*known, *refs, 0.0])
    high = max([*known, *refs, 1.0])
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)

    def y(v: float) -> float:
        return round(HEIGHT - PAD - (v - low) / span * (HEIGHT - 2 * PAD), 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}">',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#bbb" stroke-width="1"/>',
    ]
    if baseline is not None:
        parts.append(
            f'<line x1="{PAD}" y1="{y(baseline)}" x2="{WIDTH - PAD}" y2="{y(baseline)}" '
            'stroke="#6c757d" stroke-width="1" stroke-dasharray="4 3"><title>Baseline '
            f"{escape(baseline)}</title></line>"
        )
    if target is not None:
        parts.append(
            f'<line x1="{PAD}" y1="{y(target)}" x2="{WIDTH - PAD}" y2="{y(target)}" '
            'stroke="#198754" stroke-width="1.5" stroke-dasharray="1 3"><title>Target '
            f"{escape(target)}</title></line>"
        )
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, v in enumerate(values):
        if v is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{round(PAD + i * step, 1)},{y(v)}")
    if segment:
        segments.append(segment)
    for seg in segments:
        parts.append(
            f'<polyline points="{" ".join(seg)}" fill="none" stroke="#0d6efd" stroke-width="2"/>'
        )
    for i, v in enumerate(values):
        if v is not None:
            parts.append(
                f'<circle cx="{round(PAD + i * step, 1)}" cy="{y(v)}" r="2.5" fill="#0d6efd">'
                f"<title>{escape(labels[i])}: {escape(v)}</title></circle>"
            )
    parts.append(
        f'<text x="{PAD}" y="{HEIGHT - 2}" font-size="8" fill="#555">{escape(labels[0])}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 2}" font-size="8" fill="#555" '
        f'text-anchor="end">{escape(labels[-1])}</text></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or numeric
