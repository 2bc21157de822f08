"""The RBA report card for one scope and period: figures, trends, tables, narrative."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import measures, store, story, summary
from .charts import trend_svg
from .models import Measure, Polarity, Quadrant
from .periods import Period, last_quarters
from .queries import Figure, Scope
from .suppression import board_suppression, is_small, shown  # noqa: F401 - re-exported


@dataclass
class Line:
    definition: measures.Definition
    metadata: Measure | None
    figure: Figure
    baseline: float | None
    target: float | None
    chart: str
    status: str  # good, bad, neutral

    def text(self, suppress: int | None) -> dict[str, str]:
        return figure_text(self.figure, suppress)


def figure_text(f: Figure, suppress: int | None) -> dict[str, str]:
    """A figure as printed (value, numerator, denominator), small numbers hidden: the one
    rule for the card, its summary, its charts and their tables."""
    hidden = bool(
        suppress
        and f.unit == "percent"
        and any(isinstance(x, int) and 0 < x < suppress for x in (f.numerator, f.denominator))
    )
    small_base = bool(suppress and isinstance(f.denominator, int) and 0 < f.denominator < suppress)
    if f.unit == "mean" and small_base:
        # A mean over few families would give their count away with its total.
        return {"value": "–", "numerator": "", "denominator": shown(f.denominator, suppress)}
    if f.unit == "percent":
        value = "–" if f.value is None or hidden else f"{f.value:g}%"
    elif f.unit == "count":
        value = shown(f.value, suppress)
    else:
        value = shown(f.value, None)
    return {
        "value": value,
        "numerator": shown(f.numerator, suppress) if f.numerator is not None else "",
        "denominator": shown(f.denominator, suppress) if f.denominator is not None else "",
    }


def visible_value(f: Figure, suppress: int | None) -> float | None:
    """The figure's value if the card prints it, else None (hidden or missing): what a
    chart may draw and a change may be worked out from."""
    text = figure_text(f, suppress)["value"]
    if f.value is None or text == "–" or text.startswith("<"):
        return None
    return float(f.value)


def _row_text(row: dict, suppress: int | None) -> str:
    """One line of a measure's breakdown, with small counts hidden like the headline."""
    if "before" in row:
        return (
            f"{row['label']}: {shown(row['before'], suppress)} before, "
            f"{shown(row['after'], suppress)} after"
        )
    if "mean" in row:
        # A mean over few families would give their count away with its total.
        mean = "–" if is_small(row["n"], suppress) else f"{row['mean']:g}"
        return f"{row['label']}: {mean} ({shown(row['n'], suppress)} scores)"
    if "label" in row:
        of = f" / {shown(row['of'], suppress)}" if row.get("of") is not None else ""
        return f"{row['label']}: {shown(row['n'], suppress)}{of}"
    if "children" in row:
        return f"Children: {shown(row['children'], suppress)}"
    if "attendees" in row:
        return f"Attendees: {shown(row['attendees'], suppress)}"
    if "entered_assessment" in row:
        return "; ".join(
            f"{label} {shown(row[key], suppress)}"
            for key, label in (
                ("entered_assessment", "Entered assessment"),
                ("entered_phase1", "entered Phase 1"),
                ("completed_phase1", "completed Phase 1"),
                ("entered_phase2", "entered Phase 2"),
                ("completed_phase2", "completed Phase 2 (planned end)"),
                ("closed_phase2_other", "closed in Phase 2 for another reason"),
            )
            if key in row
        )
    return ""


# The status of a measure against its target, in words beside its colour.
STATUS_WORDS = {"good": "✓ Target met", "bad": "✗ Target missed", "neutral": ""}


def _status(polarity: str, value: float | None, target: float | None) -> str:
    if value is None or target is None or polarity == Polarity.NEUTRAL:
        return "neutral"
    good = value >= target if polarity == Polarity.UP else value <= target
    return "good" if good else "bad"


def build_card(
    scope: Scope,
    period: Period,
    *,
    basis: str = "events",
    suppress: int | None = None,
    with_trends: bool = True,
    progress=None,
    fresh: bool = True,
    sets: dict | None = None,
    comparison: dict | None = None,
    trend_data: dict | None = None,
) -> dict:
    """The card. Its own figures are computed now (fresh=True) or taken from the store if
    good; the trend quarters come from the store (reporting/store.py), computed and kept
    when missing. `sets` (from store.ready) builds it from stored figures alone;
    `trend_data` ({(start, end, basis): data}) gives the trend quarters' figures instead
    (a published card's: the earlier published quarters), any missing drawn as a gap."""
    if sets is not None:
        data_by_key = {key: row.data for key, row in sets.items()}
        own = data_by_key[(period.start, period.end, basis)]
        computed_at = min(row.computed_at for row in sets.values())
    else:
        own, data_by_key, computed_at = store.gather(
            scope, period, basis, with_trends=with_trends, fresh=fresh, progress=progress
        )
    if trend_data:
        data_by_key = {**trend_data, **data_by_key}
    metadata = {m.code: m for m in Measure.objects.all()}
    targets = summary.baselines_and_targets(scope, period)
    quarters = last_quarters(period, 8) if with_trends else []
    history = [data_by_key.get((q.start, q.end, store.TREND_BASIS)) for q in quarters]
    lines: dict[str, list[Line]] = {q.value: [] for q in Quadrant}
    for definition in measures.CATALOGUE:
        figure = store.figure(own, definition.code)
        baseline, target = targets.get(definition.code, (None, None))
        chart, series = "", []
        if definition.trend and any(history):
            trend = [
                Figure(**h["measures"][definition.code])
                if h and definition.code in h["measures"]
                else None
                for h in history
            ]
            series = [
                (q.label, figure_text(f, suppress)["value"] if f else "–")
                for q, f in zip(quarters, trend, strict=True)
            ]
            chart = trend_svg(
                [q.label for q in quarters],
                [visible_value(f, suppress) if f else None for f in trend],
                baseline=baseline,
                target=target,
                title=_("%(measure)s: last %(n)s quarters")
                % {"measure": definition.name, "n": len(quarters)},
                unit=figure.unit,
                description=_(
                    "%(measure)s in each quarter; the values are in the table beside the chart."
                )
                % {"measure": definition.name},
            )
        line = Line(
            definition,
            metadata.get(definition.code),
            figure,
            baseline,
            target,
            chart,
            _status(definition.polarity, figure.value, target),
        )
        line.shown = line.text(suppress)
        # The all-teams figure of the same period and basis, suppressed the same way.
        line.comparison = None
        if comparison and definition.code in comparison.get("measures", {}):
            other = store.figure(comparison, definition.code)
            line.comparison = Line(definition, None, other, None, None, "", "neutral").text(
                suppress
            )
        line.row_texts = [_row_text(r, suppress) for r in figure.rows]
        line.series = series
        line.status_words = STATUS_WORDS[line.status] if target is not None else ""
        lines[definition.quadrant].append(line)
    # The story behind each curve (this quarter's, or the last one's while it is drafted).
    stories = story.narratives(scope, period)
    for quadrant_lines in lines.values():
        for line in quadrant_lines:
            line.narrative = stories.get(line.definition.code)
    throughput = own["throughput"]
    context_tables = own["context"]
    headlines = (
        summary.build(quarters, history, suppress, targets)
        if quarters and basis == store.TREND_BASIS and summary.is_quarter(period)
        else []
    )
    return {
        "scope": scope,
        "period": period,
        "basis": basis,
        "basis_label": (
            "Events in the period"
            if basis == "events"
            else "Outcomes of the families referred in the period (cohort)"
        ),
        "suppress": suppress,
        "quadrants": [(str(Quadrant(q).label), lines[q]) for q in lines],
        "throughput": throughput,
        "throughput_shown": _throughput_shown(throughput, suppress),
        "context": {
            name: [
                {
                    **r,
                    "shown": shown(r["n"], suppress),
                    "shown_of": shown(r["of"], suppress) if r.get("of") is not None else "",
                }
                for r in rows
            ]
            for name, rows in context_tables.items()
        },
        "narrative": stories.get(""),
        "agenda": story.agenda(scope),
        "comparison_label": comparison.get("label", "All teams") if comparison else None,
        "trend_labels": [q.label for q in quarters],
        "computed_at": computed_at,
        "cost_avoidance": _cost_shown(own.get("cost_avoidance"), suppress),
        "summary": headlines,
        "summary_codes": {h.definition.code for h in headlines},
    }


def _money(amount: float | None) -> str:
    return "–" if amount is None else f"£{amount:,.0f}"


def _cost_shown(panel: dict | None, suppress: int | None) -> dict | None:
    """The cost-avoidance panel as printed. A suppressed count hides its amount too (the
    amount divided by the unit cost would give the count away)."""
    if not panel:
        return None
    rows = []
    for r in panel["rows"]:
        small = any(suppress and 0 < n < suppress for n in (r["at_home"], r["deregistered"]))
        rows.append(
            {
                "team": r["team"],
                "at_home": shown(r["at_home"], suppress),
                "cost_of_care": _money(r["cost_of_care"]),
                "deregistered": shown(r["deregistered"], suppress),
                "cost_of_registration": _money(r["cost_of_registration"]),
                "avoided": "–" if small else _money(r["avoided"]),
            }
        )
    hidden = any(row["avoided"] == "–" for row in rows)
    return {
        "rows": rows,
        "total": "–" if hidden else _money(panel["total"]),
        "left_out": panel["left_out"],
    }


def _throughput_shown(rows: list[dict], suppress: int | None) -> list[dict]:
    out = []
    for r in rows:
        cells = {}
        for key in (
            "referrals",
            "inappropriate",
            "assessed",
            "assessed_re",
            "accepted",
            "completed_phase1",
            "completed_phase2",
            "closed_phase2_other",
        ):
            n = r.get(key, 0)  # sets stored before the column existed lack it
            pct = r["pct"].get(key)
            small = bool(suppress and 0 < n < suppress)
            cells[key] = {
                "n": shown(n, suppress),
                "pct": "" if pct is None or small or key == "referrals" else f"{pct:g}%",
            }
        out.append({"team": r["team"], "cells": cells})
    return out
