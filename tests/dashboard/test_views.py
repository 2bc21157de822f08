"""The dashboard: each role sees its own panels, in a fixed number of queries."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from referrals.models import ReferralStatus
from tests.factories import (
    CaseFactory,
    FamilyFactory,
    ReferralDraftFactory,
    ReferralFactory,
    UserFactory,
    WaitingListEntryFactory,
)
from tests.referrals.support import (
    assert_queries_constant,
    fast_password_hashing,  # noqa: F401 - autouse fixture
)

pytestmark = pytest.mark.django_db

_row = itertools.count()
MID_QUARTER = datetime(2025, 5, 14, 10, 0, tzinfo=UTC)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def family(team, name: str | None = None):
    return FamilyFactory(team=team, name=name or f"Row family {next(_row)}")


# --- What each role sees --------------------------------------------------------------------


def test_a_manager_sees_screening_figures_for_their_team_only(
    manager, referrer, team_a, team_b, other_manager
):
    ReferralFactory(team=team_a, created_by=referrer)
    ReferralFactory(team=team_a, created_by=referrer, first_contact_at=timezone.now())
    ReferralFactory(team=team_a, created_by=referrer, status=ReferralStatus.ACCEPTED)
    WaitingListEntryFactory(referral__team=team_a)
    ReferralFactory(team=team_b, created_by=other_manager)  # not counted

    page = login(manager).get(reverse("home")).content.decode()

    assert 'data-testid="awaiting-screening">2<' in page
    section = page[page.index('id="mgr-h"') :]
    figures = [
        section.split('<div class="display-6"', i + 1)[i + 1].split(">")[1].split("<")[0]
        for i in range(4)
    ]
    # awaiting screening, without first contact, accepted to allocate, on the waiting list
    assert figures == ["2", "1", "1", "1"]
    assert "Practitioner load in North IFST" in page
    assert "South IFST" not in page


def test_a_practitioner_sees_their_own_open_cases_only(practitioner, practitioner2, team_a):
    CaseFactory(team=team_a, worker=practitioner, referral__family=family(team_a, "Mine family"))
    CaseFactory(
        team=team_a,
        worker=practitioner2,
        co_worker=practitioner,
        referral__family=family(team_a, "Shared family"),
    )
    CaseFactory(team=team_a, worker=practitioner2, referral__family=family(team_a, "Theirs family"))
    CaseFactory(
        team=team_a,
        worker=practitioner,
        stage="closed",
        referral__family=family(team_a, "Finished family"),
    )

    page = login(practitioner).get(reverse("home")).content.decode()

    assert "Mine family" in page
    assert "Shared family" in page
    assert "Theirs family" not in page
    assert "Finished family" not in page
    # A practitioner has no screening panel.
    assert "awaiting-screening" not in page


def test_a_referrer_sees_their_own_referrals_with_status_and_drafts(
    referrer, other_referrer, team_a
):
    ReferralFactory(
        team=team_a,
        created_by=referrer,
        status=ReferralStatus.WAITING,
        family=family(team_a, "Mine family"),
    )
    ReferralFactory(team=team_a, created_by=other_referrer, family=family(team_a, "Theirs family"))
    ReferralDraftFactory(owner=referrer, title="Half-done family")

    page = login(referrer).get(reverse("home")).content.decode()

    assert "Mine family" in page
    assert "On the waiting list" in page
    assert "Half-done family" in page
    assert "Theirs family" not in page
    assert "My cases" not in page


def test_a_user_without_a_team_is_told_to_ask_for_one():
    page = login(UserFactory(username="newcomer")).get(reverse("home")).content.decode()

    assert "You are not a member of any team yet." in page


# --- Query counts ---------------------------------------------------------------------------


def test_manager_home_queries_do_not_grow_with_cases_and_referrals(
    manager, practitioner, referrer, team_a, django_assert_num_queries
):
    stages = itertools.cycle(["awaiting_assessment", "assessment", "phase1", "phase2"])

    def add_rows(n: int) -> None:
        for _ in range(n):
            CaseFactory(
                team=team_a, worker=manager, stage=next(stages), referral__family=family(team_a)
            )
            CaseFactory(team=team_a, worker=practitioner, referral__family__name="Other family")
            ReferralFactory(team=team_a, created_by=referrer, family__name="Queue family")
            WaitingListEntryFactory(referral__team=team_a, referral__family__name="Queue family")

    with time_machine.travel(MID_QUARTER, tick=False):
        assert_queries_constant(
            login(manager),
            reverse("home"),
            add_rows=add_rows,
            marker="Row family",
            # and the manager's next three due items: the stored items checked (2), the rows;
            # the view entries of the families shown (one INSERT).
            expected=13,
            django_assert_num_queries=django_assert_num_queries,
            section='id="cases-h"',
            settle=True,
        )


def test_referrer_home_queries_do_not_grow_with_referrals_and_drafts(
    referrer, team_a, django_assert_num_queries
):
    def add_rows(n: int) -> None:
        for _ in range(n):
            ReferralFactory(team=team_a, created_by=referrer, family=family(team_a))
            ReferralDraftFactory(owner=referrer, title="Draft family")

    assert_queries_constant(
        login(referrer),
        reverse("home"),
        add_rows=add_rows,
        marker="Row family",
        expected=7,  # with the view entries of the families listed (one INSERT, from main)
        shown=10,  # the dashboard lists the ten latest
        django_assert_num_queries=django_assert_num_queries,
    )


def test_board_home_queries_do_not_grow_with_referrals_and_cases(
    board_member, practitioner, referrer, team_a, django_assert_num_queries
):
    def add_rows(n: int) -> None:
        for _ in range(n):
            ReferralFactory(team=team_a, created_by=referrer)
            CaseFactory(team=team_a, worker=practitioner, stage="phase1")

    with time_machine.travel(MID_QUARTER, tick=False):
        assert_queries_constant(
            login(board_member),
            reverse("home"),
            add_rows=add_rows,
            marker=None,  # figures only, never names
            expected=5,
            django_assert_num_queries=django_assert_num_queries,
        )
