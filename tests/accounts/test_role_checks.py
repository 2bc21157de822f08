"""Role checks go through one module, accounts/permissions.py (issue 19). Every app module
is walked (not tests, not migrations): a call that reads a user's roles
(team_ids_with_role, roles, memberships_held) or a comparison with a Role outside that
module fails here, unless ALLOWED names it with the reason.

Looking people up by role in a query (`memberships__role=Role.MANAGER` to find whom to
notify) selects rows; it is not a check of the user and is not flagged."""

from __future__ import annotations

import ast

from accounts import permissions
from accounts.models import Role
from tests.codescan import app_modules

HOME = "accounts/permissions.py"
ALLOWED: dict[str, str] = {
    "accounts/models.py": (
        "User.team_ids_with_role and User.roles read the memberships the predicates ask"
    ),
    "synthetic/demo.py": (
        "sorts the demo teams' people by role to staff the synthetic history (who manages, "
        "who works the cases): demo data, not a permission check"
    ),
}
READERS = {"team_ids_with_role", "roles", "memberships_held"}


def _is_role(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "Role"


def role_checks(modules=None) -> list[tuple[str, int, str]]:
    found = []
    for rel, tree in app_modules() if modules is None else modules:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in READERS and not (
                    node.func.attr == "roles" and (node.args or node.keywords)
                ):
                    found.append((rel, node.lineno, ast.unparse(node)))
            elif isinstance(node, ast.Compare):
                if any(_is_role(n) for n in [node.left, *node.comparators]):
                    found.append((rel, node.lineno, ast.unparse(node)))
    return found


def test_role_checks_are_made_only_by_the_permissions_module():
    outside = [c for c in role_checks() if c[0] != HOME and c[0] not in ALLOWED]
    assert outside == [], f"Ask accounts/permissions.py: {outside}"


def test_the_scan_sees_role_checks():
    source = """
a = team_id in user.team_ids_with_role(Role.MANAGER)
b = Role.BOARD in user.roles()
c = membership.role == Role.MANAGER
d = Membership.objects.filter(role=Role.MANAGER)
"""
    found = [text for _r, _l, text in role_checks([("x/y.py", ast.parse(source))])]
    assert sorted(found) == sorted(
        [
            "user.team_ids_with_role(Role.MANAGER)",
            "user.roles()",
            "Role.BOARD in user.roles()",
            "membership.role == Role.MANAGER",
        ]
    )
    assert len(role_checks()) > 0  # and it sees the real ones


class _User:
    pk = 7
    is_superuser = False

    def __init__(self, held: list[tuple[int, str]]) -> None:
        self.held = held

    def team_ids_with_role(self, *roles: str) -> list[int]:
        return sorted({t for t, r in self.held if r in roles})

    def roles(self) -> set[str]:
        return {r for _t, r in self.held}


def test_the_predicates_answer_per_team_and_role():
    user = _User([(1, Role.MANAGER), (2, Role.PRACTITIONER), (3, Role.BOARD), (4, Role.REFERRER)])
    assert permissions.is_manager_of(user, 1) and not permissions.is_manager_of(user, 2)
    assert permissions.staff_team_ids(user) == [1, 2]
    assert permissions.caseworker_team_ids(user) == [1, 2]
    assert permissions.report_team_ids(user) == [1]
    assert permissions.report_reader_team_ids(user) == [1, 3]
    assert permissions.referring_team_ids(user) == [1, 2, 4]
    assert permissions.figures_team_ids(user) == [3]
    assert permissions.is_board_member(user) and permissions.is_referrer(user)
    board_only = _User([(3, Role.BOARD)])
    assert not permissions.is_staff(board_only)
    assert not permissions.may_report(board_only)
    assert not permissions.may_refer(board_only)


def test_an_entry_is_corrected_by_its_author_on_the_staff_or_a_manager():
    author = _User([(2, Role.PRACTITIONER)])
    assert permissions.may_correct(author, team_id=2, author_id=7)
    assert not permissions.may_correct(author, team_id=2, author_id=8)
    assert not permissions.may_correct(_User([(5, Role.PRACTITIONER)]), team_id=2, author_id=7)
    assert permissions.may_correct(_User([(2, Role.MANAGER)]), team_id=2, author_id=8)
