"""List pages run the same number of queries for one row as for twenty (no N+1)."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client
from django.urls import reverse

from referrals.models import ReferralStatus
from tests.factories import (
    FamilyFactory,
    PersonFactory,
    ReferralFactory,
    WaitingListEntryFactory,
)
from tests.referrals.support import assert_queries_constant

pytestmark = pytest.mark.django_db

_row = itertools.count()


def login(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def row_referral(team, created_by, status=ReferralStatus.SUBMITTED):  # noqa: ANN001, ANN201
    """A referral whose family is named "Row family N" and has two members."""
    family = FamilyFactory(team=team, name=f"Row family {next(_row)}")
    PersonFactory(family=family)
    PersonFactory(family=family, kind="child", relationship="child")
    return ReferralFactory(team=team, family=family, created_by=created_by, status=status)


def test_screening_queue_queries_do_not_grow_with_referrals(
    manager, referrer, team_a, django_assert_num_queries
):
    def add_rows(n: int) -> None:
        for _ in range(n):
            row_referral(team_a, referrer)

    assert_queries_constant(
        login(manager),
        reverse("referrals:screening"),
        add_rows=add_rows,
        marker="Row family",
        expected=EXPECTED["screening"],
        django_assert_num_queries=django_assert_num_queries,
    )


def test_referral_list_queries_do_not_grow_with_referrals_for_a_manager(
    manager, referrer, team_a, django_assert_num_queries
):
    statuses = itertools.cycle(ReferralStatus.values)

    def add_rows(n: int) -> None:
        for _ in range(n):
            row_referral(team_a, referrer, status=next(statuses))

    assert_queries_constant(
        login(manager),
        reverse("referrals:list"),
        add_rows=add_rows,
        marker="Row family",
        expected=EXPECTED["list_manager"],
        django_assert_num_queries=django_assert_num_queries,
    )


def test_referral_list_queries_do_not_grow_with_referrals_for_a_referrer(
    referrer, other_referrer, team_a, django_assert_num_queries
):
    def add_rows(n: int) -> None:
        for _ in range(n):
            row_referral(team_a, referrer)
            ReferralFactory(team=team_a, created_by=other_referrer)  # not shown to the referrer

    assert_queries_constant(
        login(referrer),
        reverse("referrals:list"),
        add_rows=add_rows,
        marker="Row family",
        expected=EXPECTED["list_referrer"],
        django_assert_num_queries=django_assert_num_queries,
    )


def test_waiting_list_queries_do_not_grow_with_entries(
    manager, referrer, team_a, django_assert_num_queries
):
    def add_rows(n: int) -> None:
        for _ in range(n):
            WaitingListEntryFactory(
                referral=row_referral(team_a, referrer, status=ReferralStatus.WAITING)
            )

    assert_queries_constant(
        login(manager),
        reverse("referrals:waiting_list"),
        add_rows=add_rows,
        marker="Row family",
        expected=EXPECTED["waiting"],
        django_assert_num_queries=django_assert_num_queries,
    )


# Session, user, the user's memberships (teams and the menu's roles, one query), the unread
# count for the navigation with the autosaved-draft check (one query), the paginator's
# COUNT, and the page of rows with everything it shows joined or annotated (the session is
# written at most once a minute, so not on these requests), and the view entries for the
# families the page names (audit.services.record_listed: one INSERT, whatever the rows).
EXPECTED = {"screening": 7, "list_manager": 7, "list_referrer": 7, "waiting": 7}
