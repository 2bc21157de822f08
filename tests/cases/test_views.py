"""Case pages: who may see a case, whose cases "My cases" lists, and pinned query counts."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import CaseFactory, FamilyFactory, PersonFactory
from tests.referrals.support import (
    assert_queries_constant,
    fast_password_hashing,  # noqa: F401 - autouse fixture
)

pytestmark = pytest.mark.django_db

TEAM_STAFF = ["practitioner", "practitioner2", "csw", "manager", "performance_officer"]
NO_ACCESS = ["other_manager", "other_practitioner", "referrer", "board_member"]
CASE_PAGES = [
    "cases:detail",
    "cases:start_assessment",
    "cases:assessment",
    "cases:decide",
    "cases:add_contact",
    "cases:add_plan",
    "cases:end_phase1",
    "cases:finish_step_down",
    "cases:close",
    "cases:override",
]
NOW = datetime(2025, 5, 14, 10, 0, tzinfo=UTC)

_row = itertools.count()


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def case_of(team, worker, *, name: str | None = None, **kwargs):
    family = FamilyFactory(team=team, name=name or f"Row family {next(_row)}")
    PersonFactory(family=family, first_name="Carys")
    return CaseFactory(team=team, worker=worker, referral__family=family, **kwargs)


@pytest.fixture
def case(team_a, practitioner):
    return case_of(team_a, practitioner, name="Evans family")


@pytest.mark.parametrize("role", TEAM_STAFF)
def test_team_staff_see_a_case_of_their_team(request, role, case):
    response = login(request.getfixturevalue(role)).get(reverse("cases:detail", args=[case.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Evans family" in page
    assert "Carys" in page


@pytest.mark.parametrize("page_name", CASE_PAGES)
@pytest.mark.parametrize("who", NO_ACCESS)
def test_another_team_a_referrer_and_a_board_member_get_404_on_every_case_page(
    request, who, page_name, case
):
    client = login(request.getfixturevalue(who))

    assert client.get(reverse(page_name, args=[case.pk])).status_code == 404
    assert client.post(reverse(page_name, args=[case.pk]), {}).status_code == 404
    case.refresh_from_db()
    assert (case.stage, case.version) == ("awaiting_assessment", 1)


@pytest.mark.parametrize("who", NO_ACCESS)
def test_the_case_list_shows_no_case_to_users_outside_the_team(request, who, case):
    page = login(request.getfixturevalue(who)).get(reverse("cases:list")).content.decode()

    assert "Evans family" not in page


def test_my_cases_lists_my_open_cases_and_those_i_co_work_only(team_a, practitioner, practitioner2):
    case_of(team_a, practitioner, name="Mine family")
    case_of(team_a, practitioner2, name="Shared family", co_worker=practitioner)
    case_of(team_a, practitioner2, name="Theirs family")
    case_of(team_a, practitioner, name="Finished family", stage="closed")

    page = login(practitioner).get(reverse("cases:mine")).content.decode()

    assert "Mine family" in page
    assert "Shared family" in page
    assert "Theirs family" not in page
    assert "Finished family" not in page


def test_the_case_list_shows_the_teams_cases_to_team_staff(
    team_a, team_b, practitioner, practitioner2, other_practitioner, performance_officer
):
    case_of(team_a, practitioner, name="Mine family")
    case_of(team_a, practitioner2, name="Theirs family")
    case_of(team_b, other_practitioner, name="Southern family")

    page = login(performance_officer).get(reverse("cases:list")).content.decode()

    assert "Mine family" in page
    assert "Theirs family" in page
    assert "Southern family" not in page


# --- Query counts ---------------------------------------------------------------------------

STAGES = ["awaiting_assessment", "assessment", "phase1", "step_down", "phase2"]


def test_my_cases_queries_do_not_grow_with_cases(
    team_a, practitioner, practitioner2, django_assert_num_queries
):
    stages = itertools.cycle(STAGES)

    def add_rows(n: int) -> None:
        for _ in range(n):
            case_of(team_a, practitioner, stage=next(stages), co_worker=practitioner2)
            case_of(team_a, practitioner2, name="Theirs family")

    with time_machine.travel(NOW, tick=False):
        assert_queries_constant(
            login(practitioner),
            reverse("cases:mine"),
            add_rows=add_rows,
            marker="Row family",
            expected=EXPECTED["mine"],
            django_assert_num_queries=django_assert_num_queries,
        )


@pytest.mark.parametrize("role", ["manager", "practitioner2"])
def test_case_list_queries_do_not_grow_with_cases(
    request, role, team_a, practitioner, django_assert_num_queries
):
    stages = itertools.cycle(STAGES)

    def add_rows(n: int) -> None:
        for _ in range(n):
            case_of(team_a, practitioner, stage=next(stages))

    with time_machine.travel(NOW, tick=False):
        assert_queries_constant(
            login(request.getfixturevalue(role)),
            reverse("cases:list"),
            add_rows=add_rows,
            marker="Row family",
            expected=EXPECTED[f"list_{role}"],
            django_assert_num_queries=django_assert_num_queries,
        )


# Session, user, memberships (the teams and the menu's roles), unread count and draft check
# (one query),
# then the cases (one query with their figures annotated); the list adds its COUNT, the
# page's ids (the figures are loaded for those rows only) and, for a manager, the team load
# table; then the view entries of the families listed (one INSERT).
EXPECTED = {"mine": 6, "list_manager": 10, "list_practitioner2": 8}


def test_all_wales_caseload_is_a_line_per_team_and_one_teams_workers_when_chosen(
    team_a, team_b, practitioner, other_practitioner, manager
):
    """The administrator (no team of their own) sees every team's load as one line each,
    not every worker of Wales; choosing a team lists its workers."""
    from tests.factories import UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True)
    case_of(team_a, practitioner, name="Morgan family")
    case_of(team_b, other_practitioner, name="Hughes family")
    client = login(admin)
    page = client.get(reverse("cases:list")).content.decode()
    assert 'data-testid="load-summary"' in page
    assert 'data-testid="load-table"' not in page
    summary = page.split('data-testid="load-summary"')[1].split("</table>")[0]
    assert str(team_a) in summary and str(team_b) in summary
    assert str(practitioner) not in summary
    assert f'href="?team={team_a.pk}"' in summary
    page = client.get(reverse("cases:list"), {"team": team_a.pk}).content.decode()
    table = page.split('data-testid="load-table"')[1].split("</table>")[0]
    assert str(practitioner) in table and str(other_practitioner) not in table
    assert 'aria-current="true"' in page
    # A manager of a team sees their team's workers, without the summary.
    page = login(manager).get(reverse("cases:list")).content.decode()
    assert 'data-testid="load-summary"' not in page and 'data-testid="load-table"' in page
