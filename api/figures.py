"""The published figures a client may read: one function reads the store, so it can be
pointed at another store of published cards without touching the views."""

from __future__ import annotations

import re
from datetime import date

from accounts.models import Team
from reporting.card import board_suppression, build_card
from reporting.models import FigureSet
from reporting.periods import Period, quarter, quarter_containing
from reporting.queries import team_scope

BASIS = "events"


def quarter_key(start: date) -> str:
    fy = start.year if start.month >= 4 else start.year - 1
    return f"{fy}Q{(start.month - 4) % 12 // 3 + 1}"


def parse_quarter(text: str) -> Period | None:
    m = re.fullmatch(r"(\d{4})Q([1-4])", text)
    if not m or not 2000 <= int(m[1]) <= 2100:
        return None
    return quarter(int(m[1]), int(m[2]))


def published_sets(teams: list[Team]) -> list[FigureSet]:
    """THE read of published figures: the stored quarterly sets of these teams (the report
    card store, reporting.store), newest first. Only whole financial quarters count."""
    names = {f"team-{t.pk}": t for t in teams}
    rows = FigureSet.objects.filter(scope_key__in=names, basis=BASIS).order_by(
        "-period_start", "scope_key"
    )
    out = []
    for row in rows:
        q = quarter_containing(row.period_start)
        if (q.start, q.end) == (row.period_start, row.period_end):
            row.team = names[row.scope_key]
            out.append(row)
    return out


def published_set(team: Team, period: Period) -> FigureSet | None:
    return next((row for row in published_sets([team]) if row.period_start == period.start), None)


def as_published(row: FigureSet) -> dict:
    return {
        "team": row.team.pk,
        "team_name": row.team.name,
        "quarter": quarter_key(row.period_start),
        "period_start": row.period_start,
        "period_end": row.period_end,
        "computed_at": row.computed_at,
    }


def figures(row: FigureSet) -> dict:
    """The set as a board output shows it: the card built from the stored figures alone,
    with small counts suppressed (reporting.card)."""
    suppress = board_suppression()
    period = Period(row.period_start, row.period_end, quarter_key(row.period_start))
    card = build_card(
        team_scope(row.team),
        period,
        basis=BASIS,
        suppress=suppress,
        with_trends=False,
        sets={(row.period_start, row.period_end, BASIS): row},
    )
    measures = [
        {
            "code": line.definition.code,
            "name": str(line.definition.name),
            "quadrant": quadrant,
            "unit": line.figure.unit,
            **line.shown,
        }
        for quadrant, lines in card["quadrants"]
        for line in lines
    ]
    return {
        **as_published(row),
        "suppressed_below": suppress,
        "measures": measures,
        "throughput": card["throughput_shown"],
    }
