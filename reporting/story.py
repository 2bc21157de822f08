"""Turning the curve (RBA): the narrative behind each measure and the card as a whole, and
the team's data development agenda, as the card shows them.

- Each quarter keeps its own narrative per measure (reporting.models.Narrative).
- While this quarter's is not written, or is still a draft, the card shows the last
  quarter's, labelled with its quarter: the board is never shown a blank where last
  quarter's story stood, nor last quarter's story as if it were this quarter's.
- A published card keeps the narratives as they stood (reporting.publishing.frozen).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext as _

from .models import Narrative, TeamAgenda
from .periods import Period, quarter_containing
from .queries import Scope

FIELDS = ("story", "partners", "what_works", "action_plan")

# What the evaluations measured that the app does not record yet (DOMAIN.md sections 4-5):
# the agenda a team starts from until its managers or performance officers write their own.
DEFAULT_AGENDA = [
    "School attendance of the children (against the 85% and 90% thresholds)",
    "Offending and anti-social behaviour events, before and after",
    "Employment, education or training of the adults",
    "Family functioning (SCORE-15) and NCFAS-G domain ratings",
    "Local demand: Children in Need where parental substance misuse, domestic abuse, "
    "mental ill health or learning disability is a factor",
    "Attendance at board and operational group meetings",
]

# How far back the card looks for the last narrative of a measure (four quarters).
CARRY_BACK = timedelta(days=370)


def _is_quarter(start, end) -> bool:
    q = quarter_containing(start)
    return (q.start, q.end) == (start, end)


def _label(start, end) -> str:
    if _is_quarter(start, end):
        return quarter_containing(start).label
    return f"{start:%d %b %Y} to {end:%d %b %Y}"


def _as_shown(row: Narrative, period: Period, draft_pending: bool) -> dict:
    carried = (row.period_start, row.period_end) != (period.start, period.end)
    return {
        **{f: getattr(row, f) for f in FIELDS},
        "period_label": _label(row.period_start, row.period_end),
        "carried": carried,
        "draft_pending": draft_pending,
        "updated_by": str(row.updated_by) if row.updated_by_id else "",
        "updated_at": row.updated_at,
    }


def _written(row: Narrative) -> bool:
    return not row.draft and any(getattr(row, f).strip() for f in FIELDS)


def narratives(scope: Scope, period: Period) -> dict[str, dict]:
    """measure code ("" for the card) -> the narrative the card shows, in one query: this
    period's, or (for a quarter) the last earlier quarter's while this one's is missing or
    a draft."""
    rows = (
        Narrative.objects.filter(
            scope_key=scope.key,
            period_end__lte=period.end,
            period_start__gte=period.start - CARRY_BACK,
        )
        .select_related("updated_by")
        .order_by("-period_end")
    )
    own = (period.start, period.end)
    quarter = _is_quarter(*own)
    out: dict[str, dict] = {}
    drafts: set[str] = set()
    for row in rows:
        code = row.measure_code
        if code in out:
            continue
        mine = (row.period_start, row.period_end) == own
        if mine and not _written(row):
            if row.draft:
                drafts.add(code)
            continue
        if mine:
            out[code] = _as_shown(row, period, False)
        elif quarter and _is_quarter(row.period_start, row.period_end) and _written(row):
            out[code] = _as_shown(row, period, code in drafts)
    return out


def agenda(scope: Scope) -> dict | None:
    """The team's data development agenda (None for a scope that is not a team)."""
    if scope.kind != "team" or scope.team_id is None:
        return None
    row = TeamAgenda.objects.filter(team_id=scope.team_id).first()
    if row is None:
        return {"items": DEFAULT_AGENDA, "suggested": True}
    items = [line.strip(" -•\t") for line in row.items.splitlines() if line.strip(" -•\t")]
    return {"items": items, "suggested": False}


def measure_label(code: str) -> str:
    from . import measures

    if not code:
        return str(_("The card as a whole"))
    return str(next((d.name for d in measures.CATALOGUE if d.code == code), code))
