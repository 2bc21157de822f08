"""The manager's dashboard: its figures are right and its query count does not grow with
the team's referrals, cases or caseworkers."""

from __future__ import annotations

from itertools import count

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from tests.factories import (
    CaseFactory,
    MembershipFactory,
    ReferralFactory,
    UserFactory,
    WaitingListEntryFactory,
)

pytestmark = pytest.mark.django_db

_n = count()

# Session, user, memberships (the teams and the menu's roles); the manager's own cases;
# the screening counts, the waiting list count, the teams and their caseworkers' loads;
# the manager's next three due items (the stored items checked for changes: 2, and the
# rows: 1); the bell's unread count and the draft check (one query).
MANAGER_HOME_QUERIES = 12


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def add_work(team, workers: list, n: int) -> None:
    """n of everything the dashboard counts: open and closed cases, referrals awaiting
    screening (half without first contact), accepted ones and waiting-list entries."""
    for i in range(n):
        worker = workers[next(_n) % len(workers)]
        CaseFactory(team=team, worker=worker, stage="phase1")
        CaseFactory(team=team, worker=worker, stage="closed")
        ReferralFactory(team=team, status="submitted")
        ReferralFactory(team=team, status="accepted")
        WaitingListEntryFactory(referral__team=team)
        if i % 2:
            ReferralFactory(team=team, status="submitted", first_contact_at="2026-01-05T10:00Z")


def load_rows(page: str) -> int:
    table = page.split('data-testid="load-table"')[1].split("</table>")[0]
    return table.split("<tbody>")[1].count("<tr")


def test_manager_dashboard_figures(team_a, manager, practitioner, practitioner2):
    add_work(team_a, [practitioner, practitioner2], 4)

    response = Client()
    response.force_login(manager)
    ctx = response.get(reverse("home")).context

    assert ctx["screening"] == {"awaiting": 6, "no_contact": 4, "to_allocate": 4}
    assert ctx["waiting_count"] == 4
    [(team, workers)] = ctx["team_loads"]
    loads = {w.username: (w.intensive_load, w.open_load) for w in workers}
    assert loads["practitioner_a"] == (2, 2)
    assert loads["practitioner2_a"] == (2, 2)


def test_manager_dashboard_queries_do_not_grow(
    team_a, manager, practitioner, practitioner2, django_assert_num_queries
):
    client = Client()
    client.force_login(manager)
    url = reverse("home")
    add_work(team_a, [practitioner], 1)
    client.get(url)  # warm up

    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert load_rows(page) == 3  # the manager and the two practitioners
    for i in range(3):
        extra = UserFactory(username=f"extra_worker_{i}")
        MembershipFactory(user=extra, team=team_a, role=Role.PRACTITIONER)
    add_work(team_a, [practitioner, practitioner2], 8)
    client.get(url)  # the stored due items catch up with the new work once
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()

    assert load_rows(page) == 6
    assert len(few.captured_queries) == len(many.captured_queries)
    with django_assert_num_queries(MANAGER_HOME_QUERIES):
        client.get(url)
