"""Who may see which report scopes. Figures are aggregates, but a team's card is still
its managers', performance officers' and board members' business only."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import LocalAuthority, Team, User

from .queries import Scope, la_scope

REPORT_ROLES = permissions.REPORT_ROLES


def report_teams(user: User) -> list[Team]:
    if user.is_superuser:
        return list(Team.objects.all())
    return list(Team.objects.filter(pk__in=permissions.report_team_ids(user)))


def board_teams(user: User) -> list[Team]:
    if user.is_superuser:
        return list(Team.objects.all())
    return list(Team.objects.filter(pk__in=permissions.report_reader_team_ids(user)))


def scope_choices(user: User) -> list[tuple[str, str]]:
    teams = report_teams(user)
    choices = [(f"team-{t.pk}", t.name) for t in teams]
    las = LocalAuthority.objects.filter(teams__in=teams).distinct().order_by("name")
    choices += [(f"la-{la.pk}", _("%(name)s (local authority)") % {"name": la.name}) for la in las]
    if user.is_superuser:
        choices.append(("all", _("All teams")))
    return choices


def scope_for(user: User, key: str, choices: list[tuple[str, str]] | None = None) -> Scope:
    """The scope named by key, or 404 if the user may not report on it. `choices` is the
    user's scope_choices when the caller has them already (the card page: read once)."""
    named = dict(scope_choices(user) if choices is None else choices)
    if key not in named:
        raise Http404
    if key == "all":
        return Scope("all")
    kind, _, pk = key.partition("-")
    if kind == "team":
        # The choice's label is the team's name: the scope needs nothing more of the row.
        return Scope("team", team_id=int(pk), label=named[key])
    return la_scope(LocalAuthority.objects.get(pk=int(pk)))
