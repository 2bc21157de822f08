"""List pages run the same number of queries for one row as for twenty (no N+1)."""

from __future__ import annotations

import html
import itertools
import re

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


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def row_referral(team, created_by, status=ReferralStatus.SUBMITTED):
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
# The referral list has no COUNT:
# it reads one row more than it shows to know whether there is a next page (issue 15).
EXPECTED = {"screening": 7, "list_manager": 6, "list_referrer": 6, "waiting": 7}


def test_referral_list_counts_nothing_and_pages_on(manager, referrer, team_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from referrals.views import PAGE_SIZE

    for _ in range(PAGE_SIZE + 1):
        row_referral(team_a, referrer)
    client = login(manager)
    url = reverse("referrals:list")
    with CaptureQueriesContext(connection) as ctx:
        first = client.get(url)
    assert not [q for q in ctx.captured_queries if "COUNT(*)" in q["sql"].upper()]
    rows = list(first.context["page"])
    assert len(rows) == PAGE_SIZE
    assert {r.member_count for r in rows} == {2}
    older = re.search(
        r'href="\?([^"]*after=[^"]*)" data-testid="page-older"', first.content.decode()
    )
    assert older
    second = client.get(f"{url}?{html.unescape(older.group(1))}")
    assert len(list(second.context["page"])) == 1
    assert 'data-testid="page-older"' not in second.content.decode()
    assert 'data-testid="page-newer"' in second.content.decode()
    for bad in ({"page": "x"}, {"after": "x"}, {"before": "2026-01-01~1"}):
        assert client.get(url, bad).status_code == 200
