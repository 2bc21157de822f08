"""The long lists that only grow (every referral a user may see, the audit log) are paged
without a COUNT of every matching row (issue 15): its cost grew with the table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.paging import MAX_PAGE, uncounted_page
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("route", ["referrals:list", "audit:log"])
def test_long_lists_count_nothing(manager, team_a, route):
    ReferralFactory.create_batch(3, team=team_a)
    client = Client()
    client.force_login(manager)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(route)).status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"].upper()]
    assert not counts, counts


def test_uncounted_page_reads_one_row_more_and_clamps_the_number(team_a):
    from referrals.models import Referral

    ReferralFactory.create_batch(5, team=team_a)
    qs = Referral.objects.order_by("pk")
    first = uncounted_page(qs, None, 2)
    assert [len(first), first.has_next(), first.has_previous()] == [2, True, False]
    last = uncounted_page(qs, "3", 2)
    assert [len(last), last.has_next(), last.has_previous()] == [1, False, True]
    assert uncounted_page(qs, "-4", 2).number == 1
    assert uncounted_page(qs, "nonsense", 2).number == 1
    assert uncounted_page(qs, str(10**9), 2).number == MAX_PAGE
