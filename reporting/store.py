"""Stored figures: each scope, period and basis is computed once and kept (FigureSet).

A report card needs its period's figures and, for the trend charts, the trend measures of
the 8 quarters before it: the quarters missing are computed together in one trend pass
(compute_trends: each query once for all of them) and kept as trend-only sets, which draw
curves but are never a card's own figures (is_full). So:

- a stored set is good for REPORT_FIGURES_MAX_AGE seconds (15 minutes);
- the events of a quarter that had settled (ended REPORT_SETTLE_DAYS before the set was
  computed) change only when someone records something late, so such a set is good for
  REPORT_SETTLED_MAX_AGE seconds (a day); the nightly job computes them again for every
  team and for all teams (reporting.tasks.refresh_report_figures);
- a cohort's figures keep changing as its families go on, so they never settle;
- the card prints when its figures were computed, and "compute again" forgets its own.

The card page reads stored sets only (a few queries, whatever the data); when one is
missing or old, a worker computes it and the page polls (reporting.tasks.compute_figures).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import measures
from .models import FigureSet
from .periods import Period, last_quarters
from .queries import GROUPED_METHODS, Figure, Report, Scope, TrendPass

TREND_BASIS = "events"  # the trend curves are always events in each quarter


def compute(
    scope: Scope, period: Period, basis: str, progress=None, known: dict | None = None
) -> dict:
    """Every figure of the card for one scope, period and basis, as JSON-ready data.
    `known`: figures of this very scope, period and basis computed already (by a trend
    pass that included the period), used as they are."""
    report = Report(scope, period, basis)
    figures = {}
    for i, definition in enumerate(measures.CATALOGUE):
        if known and definition.code in known:
            figures[definition.code] = known[definition.code]
        else:
            figures[definition.code] = dataclasses.asdict(measures.compute(report, definition))
        if progress:
            progress(int(90 * (i + 1) / len(measures.CATALOGUE)))
    return {
        "measures": figures,
        "throughput": report.throughput(),
        "context": report.context(),
        "cost_avoidance": report.cost_avoidance(),
    }


def compute_trends(scope: Scope, periods: list[Period]) -> dict[tuple, dict]:
    """The trend measures alone for each of the periods (events basis), computed together:
    a measure in GROUPED_METHODS runs each query once for all the periods, grouped by
    period (reporting.queries.TrendPass); any other measure runs period by period. Eight
    quarters cost about what two did one at a time (docs/performance.md). Each set is
    marked trend_only: it draws a card's trend curves, never a card's own figures."""
    if not periods:
        return {}
    teams = scope.teams()
    shared = TrendPass(periods)
    figures: dict[Period, dict] = {p: {} for p in periods}
    for definition in measures.CATALOGUE:
        if not definition.trend:
            continue
        grouped = definition.compute.partition(":")[0] in GROUPED_METHODS
        for period in periods:
            report = Report(
                scope,
                period,
                TREND_BASIS,
                teams=teams,
                trend=shared if grouped else None,
                measure=definition.code,
            )
            figures[period][definition.code] = dataclasses.asdict(
                measures.compute(report, definition)
            )
            if grouped:  # its grouped rows are kept: the other quarters read them
                shared.replayed.add(definition.code)
    return {_key(p, TREND_BASIS): {"measures": figures[p], "trend_only": True} for p in periods}


def is_full(data: dict) -> bool:
    """A set with every figure of a card, not only its trend measures."""
    return not data.get("trend_only")


def figure(data: dict, code: str) -> Figure:
    return Figure(**data["measures"][code])


def _usable(row: FigureSet, now: datetime) -> bool:
    settled = row.basis == "events" and row.computed_at.date() > row.period_end + timedelta(
        days=settings.REPORT_SETTLE_DAYS
    )
    max_age = settings.REPORT_SETTLED_MAX_AGE if settled else settings.REPORT_FIGURES_MAX_AGE
    return now - row.computed_at < timedelta(seconds=max_age)


def _key(period: Period, basis: str) -> tuple:
    return (period.start, period.end, basis)


def stored(scope: Scope, wanted: list[tuple[Period, str]]) -> dict[tuple, FigureSet]:
    """The usable stored sets among those wanted, in one query."""
    if not wanted:
        return {}
    match = Q()
    for period, basis in wanted:
        match |= Q(period_start=period.start, period_end=period.end, basis=basis)
    now = timezone.now()
    return {
        (row.period_start, row.period_end, row.basis): row
        for row in FigureSet.objects.filter(match, scope_key=scope.key)
        if _usable(row, now)
    }


def save(scope: Scope, period: Period, basis: str, data: dict) -> None:
    """Keep a computed set (update_or_create is atomic; if two workers computed the same
    set at once, the later one's figures are kept)."""
    FigureSet.objects.update_or_create(
        scope_key=scope.key,
        period_start=period.start,
        period_end=period.end,
        basis=basis,
        defaults={"data": data, "computed_at": timezone.now()},
    )


def wanted_for(period: Period, basis: str, with_trends: bool) -> list[tuple[Period, str]]:
    """The sets a card needs: its own, then (for the trends) the last 8 quarters."""
    wanted = [(period, basis)]
    if with_trends:
        wanted += [(q, TREND_BASIS) for q in last_quarters(period, 8)]
    return list(dict.fromkeys((p, b) for p, b in wanted))


def gather(
    scope: Scope,
    period: Period,
    basis: str,
    *,
    with_trends: bool = True,
    fresh: bool = False,
    progress=None,
) -> tuple[dict, dict[tuple, dict], datetime]:
    """The period's figures and the trend quarters' figures, computing (and storing) what
    is missing or old. fresh=True computes the period's own figures whatever is stored.
    Returns (the period's data, {(start, end, basis): data} for the trends, and when the
    oldest set used was computed)."""
    wanted = wanted_for(period, basis, with_trends)
    have = stored(scope, wanted)
    own = _key(period, basis)
    if fresh or (own in have and not is_full(have[own].data)):
        have.pop(own, None)
    out = {key: row.data for key, row in have.items()}
    oldest = min((row.computed_at for row in have.values()), default=timezone.now())
    # The trend quarters first, together, then the period's own figures (which report
    # progress). A quarter's card is the last of its own trend quarters: when the others
    # are computed, its trend measures are computed with them, in the same pass.
    trends = [p for p, b in wanted if (p, b) != (period, basis) and _key(p, b) not in have]
    with_own = (
        bool(trends)
        and own not in have
        and basis == TREND_BASIS
        and any(_key(q, basis) == own for q in last_quarters(period, 8))
    )
    passed = compute_trends(
        scope, sorted([*trends, *([period] if with_own else [])], key=lambda p: p.start)
    )
    for key, data in passed.items():
        if key != own:
            save(scope, Period(key[0], key[1], ""), key[2], data)
            out[key] = data
    if own not in have:
        known = passed[own]["measures"] if with_own else None
        out[own] = compute(scope, period, basis, progress, known=known)
        save(scope, period, basis, out[own])
    return out[own], out, oldest


def gather_each(scopes: list[Scope], period: Period, basis: str) -> list[dict]:
    """gather(scope, period, basis, with_trends=False)'s data for each scope, in order: the
    stored sets of all the scopes read in one query, those missing or old computed (and
    stored) one by one, as gather does."""
    if not scopes:
        return []
    now = timezone.now()
    have = {
        row.scope_key: row.data
        for row in FigureSet.objects.filter(
            scope_key__in={scope.key for scope in scopes},
            period_start=period.start,
            period_end=period.end,
            basis=basis,
        )
        if _usable(row, now) and is_full(row.data)
    }
    out = []
    for scope in scopes:
        if scope.key not in have:
            have[scope.key] = compute(scope, period, basis)
            save(scope, period, basis, have[scope.key])
        out.append(have[scope.key])
    return out


def ready(scope: Scope, period: Period, basis: str) -> dict[tuple, FigureSet] | None:
    """Every set the card needs, if all are stored and usable (one query); else None."""
    wanted = wanted_for(period, basis, True)
    have = stored(scope, wanted)
    own = have.get(_key(period, basis))
    return have if len(have) == len(wanted) and own and is_full(own.data) else None


def forget(scope: Scope, period: Period, basis: str) -> None:
    """Make the card's own figures be computed again on the next view."""
    FigureSet.objects.filter(
        scope_key=scope.key, period_start=period.start, period_end=period.end, basis=basis
    ).delete()


ALL_TEAMS = Scope("all")


def comparison(scope: Scope, period: Period, basis: str) -> dict | None:
    """The all-teams figures of the same period and basis, stored and still good (one
    query), for a team's or a local authority's card to print beside its own; None for the
    all-teams card itself, or while they are not computed yet."""
    if scope.kind == "all":
        return None
    row = stored(ALL_TEAMS, [(period, basis)]).get(_key(period, basis))
    return {**row.data, "label": ALL_TEAMS.label} if row and is_full(row.data) else None
