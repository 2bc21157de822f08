"""Who holds which role where: every role check of the app asks here (issue 19). A user's
roles come from their active team memberships, read once per request
(User.memberships_held). Object scoping (which rows a user sees) stays in each model's
QuerySet.visible_to, which asks these predicates for the teams.

Looking people up by role (the managers of a team to notify, the caseworkers to allocate
to) is a query about memberships, not a check of the user: it stays with its query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from .models import CASEWORKER_ROLES, STAFF_ROLES, Role

# Who may build, read and publish report cards of a team; the board reads published ones.
REPORT_ROLES = (Role.MANAGER, Role.PERFORMANCE)
REPORT_READER_ROLES = (*REPORT_ROLES, Role.BOARD)
# Who may send a referral to a team: its referrers and its staff.
REFERRING_ROLES = (Role.REFERRER, *STAFF_ROLES)
# Who sees a team's published figures on the dashboard.
FIGURES_ROLES = (Role.BOARD, Role.PERFORMANCE)


class Member(Protocol):
    """What the predicates need of a user (accounts.models.User)."""

    # Read-only in the protocol: a model's fields are descriptors, which a plain attribute
    # here would not match.
    @property
    def pk(self) -> Any: ...

    @property
    def is_superuser(self) -> bool: ...

    def team_ids_with_role(self, *roles: str) -> list[int]: ...

    def roles(self) -> set[str]: ...


def roles_of(user: Member) -> set[str]:
    """Every role the user holds, in any team (the dashboard shows a panel per role)."""
    return user.roles()


def team_ids_with_any(user: Member, roles: Iterable[str]) -> list[int]:
    """Teams in which the user holds one of these roles."""
    return user.team_ids_with_role(*roles)


def has_any_role(user: Member, roles: Iterable[str]) -> bool:
    """Whether the user holds one of these roles in any team."""
    return bool(user.roles() & set(roles))


# --- Managers ---------------------------------------------------------------------------
def manager_team_ids(user: Member) -> list[int]:
    return user.team_ids_with_role(Role.MANAGER)


def is_manager_of(user: Member, team_id: int | None) -> bool:
    return team_id in manager_team_ids(user)


def is_a_manager(user: Member) -> bool:
    return Role.MANAGER in user.roles()


# --- Staff and caseworkers ------------------------------------------------------------------
def staff_team_ids(user: Member) -> list[int]:
    """Teams whose records the user works with (practitioners, CSWs, managers, performance)."""
    return user.team_ids_with_role(*STAFF_ROLES)


def is_staff_of(user: Member, team_id: int | None) -> bool:
    return team_id in staff_team_ids(user)


def is_staff(user: Member) -> bool:
    return has_any_role(user, STAFF_ROLES)


def caseworker_team_ids(user: Member) -> list[int]:
    """Teams in which the user carries a caseload."""
    return user.team_ids_with_role(*CASEWORKER_ROLES)


def is_caseworker(user: Member) -> bool:
    return has_any_role(user, CASEWORKER_ROLES)


# --- Referrers ---------------------------------------------------------------------------------
def referring_team_ids(user: Member) -> list[int]:
    return user.team_ids_with_role(*REFERRING_ROLES)


def may_refer(user: Member) -> bool:
    return has_any_role(user, REFERRING_ROLES)


def is_referrer(user: Member) -> bool:
    return Role.REFERRER in user.roles()


# --- Reports -----------------------------------------------------------------------------------
def report_team_ids(user: Member) -> list[int]:
    return user.team_ids_with_role(*REPORT_ROLES)


def may_report_on(user: Member, team_id: int | None) -> bool:
    return team_id in report_team_ids(user)


def may_report(user: Member) -> bool:
    return has_any_role(user, REPORT_ROLES)


def report_reader_team_ids(user: Member) -> list[int]:
    return user.team_ids_with_role(*REPORT_READER_ROLES)


def figures_team_ids(user: Member) -> list[int]:
    return user.team_ids_with_role(*FIGURES_ROLES)


def is_board_member(user: Member) -> bool:
    return Role.BOARD in user.roles()


# --- Entries ----------------------------------------------------------------------------------
def may_correct(user: Member, *, team_id: int, author_id: int | None) -> bool:
    """An entry may be corrected by its author (still on the team's staff) or a manager of
    the team."""
    if is_manager_of(user, team_id):
        return True
    return author_id == user.pk and is_staff_of(user, team_id)
