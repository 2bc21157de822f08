"""The published figures a client may read: the report cards as published to the board
(reporting.models.PublishedCard), frozen when published. A correction to the records never
changes what a client reads for a published quarter: it shows as a new revision, with its
reason, once a manager publishes it (reporting.services.publish_revision)."""

from __future__ import annotations

import re
from datetime import date

from accounts.models import Team
from reporting.card import board_suppression
from reporting.models import PublishedCard
from reporting.periods import Period, quarter, quarter_containing
from reporting.publishing import card_of

BASIS = "events"


def quarter_key(start: date) -> str:
    fy = start.year if start.month >= 4 else start.year - 1
    return f"{fy}Q{(start.month - 4) % 12 // 3 + 1}"


def parse_quarter(text: str) -> Period | None:
    m = re.fullmatch(r"(\d{4})Q([1-4])", text)
    if not m or not 2000 <= int(m[1]) <= 2100:
        return None
    return quarter(int(m[1]), int(m[2]))


def published_sets(teams: list[Team], period: Period | None = None) -> list[PublishedCard]:
    """THE read of published figures: the latest revision of each published quarterly card
    of these teams, newest quarter first. Only whole financial quarters count."""
    by_pk = {t.pk: t for t in teams}
    rows = PublishedCard.objects.filter(
        team__in=list(by_pk), scope_key__in=[f"team-{pk}" for pk in by_pk], basis=BASIS
    ).select_related("published_by")
    if period is not None:
        rows = rows.filter(period_start=period.start, period_end=period.end)
    out: list[PublishedCard] = []
    seen: set[tuple] = set()
    for row in rows.order_by("-period_start", "scope_key", "-revision"):
        key = (row.scope_key, row.period_start, row.period_end)
        q = quarter_containing(row.period_start)
        if key in seen or (q.start, q.end) != (row.period_start, row.period_end):
            continue
        seen.add(key)
        assert row.team_id is not None  # filtered on team__in
        row.team = by_pk[row.team_id]
        out.append(row)
    return out


def published_set(team: Team, period: Period) -> PublishedCard | None:
    return next(iter(published_sets([team], period)), None)


def as_published(row: PublishedCard) -> dict:
    assert row.team is not None  # a team's card (published_sets)
    return {
        "team": row.team.pk,
        "team_name": row.team.name,
        "quarter": quarter_key(row.period_start),
        "period_start": row.period_start,
        "period_end": row.period_end,
        "published_at": row.published_at,
        "revision": row.revision,
        "revision_reason": row.reason,
    }


def figures(row: PublishedCard) -> dict:
    """The card as a board output shows it: the figures frozen at publication (or at its
    latest revision), with small counts suppressed (reporting.card)."""
    suppress = board_suppression()
    card = card_of(row, suppress)
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
