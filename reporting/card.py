"""The RBA report card for one scope and period: figures, trends, tables, narrative."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from . import measures, store
from .charts import trend_svg
from .models import Measure, MeasureTarget, Narrative, Polarity, Quadrant
from .periods import Period, last_quarters
from .queries import Figure, Scope


def shown(n: float | int | None, suppress: int | None) -> str:
    """A count as printed: small numbers hidden on board outputs ("<N")."""
    if n is None:
        return "–"
    if suppress and isinstance(n, int) and 0 < n < suppress:
        return f"<{suppress}"
    return f"{n:g}" if isinstance(n, float) else str(n)


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
        f = self.figure
        hidden = bool(
            suppress
            and f.unit == "percent"
            and any(isinstance(x, int) and 0 < x < suppress for x in (f.numerator, f.denominator))
        )
        small_base = bool(
            suppress and isinstance(f.denominator, int) and 0 < f.denominator < suppress
        )
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


def _row_text(row: dict, suppress: int | None) -> str:
    """One line of a measure's breakdown, with small counts hidden like the headline."""
    if "before" in row:
        return (
            f"{row['label']}: {shown(row['before'], suppress)} before, "
            f"{shown(row['after'], suppress)} after"
        )
    if "mean" in row:
        return f"{row['label']}: {row['mean']:g} ({shown(row['n'], suppress)} scores)"
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
    progress=None,  # noqa: ANN001 - called with a percentage while building
    fresh: bool = True,
    sets: dict | None = None,
) -> dict:
    """The card. Its own figures are computed now (fresh=True) or taken from the store if
    good; the trend quarters come from the store (reporting/store.py), computed and kept
    when missing. `sets` (from store.ready) builds it from stored figures alone."""
    if sets is not None:
        data_by_key = {key: row.data for key, row in sets.items()}
        own = data_by_key[(period.start, period.end, basis)]
        computed_at = min(row.computed_at for row in sets.values())
    else:
        own, data_by_key, computed_at = store.gather(
            scope, period, basis, with_trends=with_trends, fresh=fresh, progress=progress
        )
    metadata = {m.code: m for m in Measure.objects.all()}
    targets: dict[str, MeasureTarget] = {}
    if scope.kind == "team":
        targets = {
            t.measure.code: t
            for t in MeasureTarget.objects.filter(team_id=scope.team_id).select_related("measure")
        }
    quarters = last_quarters(period, 8) if with_trends else []
    history = [data_by_key[(q.start, q.end, store.TREND_BASIS)] for q in quarters]
    lines: dict[str, list[Line]] = {q.value: [] for q in Quadrant}
    for definition in measures.CATALOGUE:
        figure = store.figure(own, definition.code)
        target_row = targets.get(definition.code)
        baseline = (
            float(target_row.baseline) if target_row and target_row.baseline is not None else None
        )
        target = float(target_row.target) if target_row and target_row.target is not None else None
        chart = ""
        if definition.trend and history:
            values = [h["measures"][definition.code]["value"] for h in history]
            chart = trend_svg(
                [q.label for q in quarters],
                [float(v) if v is not None else None for v in values],
                baseline=baseline,
                target=target,
                title=_("%(measure)s: last %(n)s quarters")
                % {"measure": definition.name, "n": len(quarters)},
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
        line.row_texts = [_row_text(r, suppress) for r in figure.rows]
        lines[definition.quadrant].append(line)
    narrative = Narrative.objects.filter(
        scope_key=scope.key, period_start=period.start, period_end=period.end
    ).first()
    throughput = own["throughput"]
    context_tables = own["context"]
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
        "narrative": narrative,
        "trend_labels": [q.label for q in quarters],
        "computed_at": computed_at,
        "cost_avoidance": _cost_shown(own.get("cost_avoidance"), suppress),
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


def board_suppression() -> int | None:
    return settings.REPORT_SUPPRESS_BELOW or None
