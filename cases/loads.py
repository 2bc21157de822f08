"""Each caseworker's load of cases, against the team's capacity: what allocation, the
reviews' worker choice, the caseload page and the manager's home show."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, FilteredRelation, Q

from accounts.models import CASEWORKER_ROLES, Team, User

from . import pathway
from .models import Case


def caseworkers_with_load(team: Team) -> list[User]:
    """The team's caseworkers, each annotated with intensive and open case counts, least
    loaded first; `over_capacity` when their intensive families reach the team's capacity.
    One rule for one team or several: caseworkers_with_load_by_team."""
    return caseworkers_with_load_by_team([team])[team.pk]


def caseworkers_with_load_by_team(teams: list[Team]) -> dict[int, list[User]]:
    """caseworkers_with_load for each of the teams, in one query: team pk -> its caseworkers,
    least loaded first (the load tables of the case list and the manager's home)."""
    if not teams:
        return {}
    # One row per caseworker and team: each worker joined to their caseworker memberships of
    # the teams, and to their open cases of that membership's team. Distinct counts: a person
    # holding two caseworker roles in a team joins their cases twice.
    open_cases = FilteredRelation(
        "cases",
        condition=Q(cases__team=F("memberships__team"), cases__stage__in=pathway.OPEN_STAGES),
    )
    rows: list[Any] = list(
        User.objects.filter(
            is_active=True,
            memberships__team__in=teams,
            memberships__role__in=CASEWORKER_ROLES,
            memberships__active=True,
        )
        .only("pk", "username", "first_name", "last_name")
        .alias(open_case=open_cases)
        .annotate(
            load_team=F("memberships__team"),
            intensive_load=Count(
                "open_case",
                filter=Q(open_case__stage__in=pathway.INTENSIVE_STAGES),
                distinct=True,
            ),
            open_load=Count("open_case", distinct=True),
        )
        .order_by("load_team", "intensive_load", "first_name", "last_name")
    )
    capacity = {team.pk: team.practitioner_capacity for team in teams}
    loads: dict[int, list[User]] = {team.pk: [] for team in teams}
    for worker in rows:
        worker.over_capacity = worker.intensive_load >= capacity[worker.load_team]
        loads[worker.load_team].append(worker)
    return loads


def team_load_summary(team: Team, workers: list[Any]) -> dict[str, Any]:
    """One team's line of the all-Wales load table, from caseworkers_with_load_by_team's
    workers: how many caseworkers, how many at or over capacity, and their intensive and
    open cases."""
    return {
        "team": team,
        "workers": len(workers),
        "full": sum(1 for w in workers if w.over_capacity),
        "intensive": sum(w.intensive_load for w in workers),
        "open": sum(w.open_load for w in workers),
    }


def intensive_load(team: Team, worker: User) -> int:
    """The worker's families in the intensive stages in this team: what capacity counts."""
    return Case.objects.filter(team=team, worker=worker, stage__in=pathway.INTENSIVE_STAGES).count()
