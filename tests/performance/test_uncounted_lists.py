"""The long lists that only grow (every referral a user may see, the audit log) are paged
without a COUNT of every matching row (issue 15): its cost grew with the table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
