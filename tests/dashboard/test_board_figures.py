"""The board's and performance officer's team figures (issue 15): each table is counted on
its own (no join of a team's referrals with its cases, whose cost grew with the square of
the data), with the same figures as the join gave, in a fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team
from accounts.periods import financial_quarter
from cases import pathway
from dashboard.views import board_team_figures
from tests.factories import CaseFactory, ReferralFactory

pytestmark = pytest.mark.django_db

# Session, user, memberships; the teams with their figures (one query); the bell's unread
# count and the draft check (one query).
BOARD_HOME_QUERIES = 5


def joined_figures(team_ids: list[int], start: date, end: date) -> list[tuple]:
    """The figures as the dashboard computed them before issue 15: both tables joined to
    the team and counted distinct. Kept here as the reference the new query must match."""
    teams = Team.objects.filter(pk__in=team_ids).annotate(
        referrals_quarter=Count(
            "referrals",
            filter=Q(
                referrals__received_at__date__gte=start, referrals__received_at__date__lte=end
            ),
            distinct=True,
        ),
        open_cases=Count("cases", filter=~Q(cases__stage=pathway.Stage.CLOSED), distinct=True),
        intensive_cases=Count(
            "cases", filter=Q(cases__stage__in=pathway.INTENSIVE_STAGES), distinct=True
        ),
    )
    return [(t.pk, t.referrals_quarter, t.open_cases, t.intensive_cases) for t in teams]


def local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def test_figures_match_the_joined_query(team_a, team_b):
    start, end, _label = financial_quarter(timezone.localdate())
    # Referrals on and around the quarter's edges, in local time.
    for team, edges in [
        (team_a, [local(start, time.min), local(end, time(23, 59, 59)), local(start, time(12))]),
        (team_b, [local(start - timedelta(days=1), time(23, 59, 59))]),
    ]:
        for at in edges:
            ReferralFactory(team=team, received_at=at)
    ReferralFactory(team=team_a, received_at=local(end + timedelta(days=1), time.min))
    for stage in ["awaiting_assessment", "phase1", "phase2", "step_down", "closed", "closed"]:
        CaseFactory(team=team_a, stage=stage)
    CaseFactory(team=team_b, stage="closed")
    empty = Team.objects.create(name="Empty IFST")  # no rows at all: zeros, not None
    ids = [team_a.pk, team_b.pk, empty.pk]

    new = [
        (t.pk, t.referrals_quarter, t.open_cases, t.intensive_cases)
        for t in board_team_figures(ids, start, end)
    ]

    assert sorted(new) == sorted(joined_figures(ids, start, end))
    assert {row[0]: row[1:] for row in new}[empty.pk] == (0, 0, 0)


def test_figures_query_joins_no_table(team_a):
    start, end, _label = financial_quarter(timezone.localdate())
    with CaptureQueriesContext(connection) as ctx:
        board_team_figures([team_a.pk], start, end)
    [query] = ctx.captured_queries
    assert "JOIN" not in query["sql"].upper(), query["sql"]


@pytest.mark.parametrize("who", ["board_member", "performance_officer"])
def test_board_home_queries_do_not_grow(request, who, team_a, django_assert_num_queries):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    url = reverse("home")
    client.get(url)
    with django_assert_num_queries(BOARD_HOME_QUERIES):
        client.get(url)
    for stage in ["phase1", "phase2", "closed"] * 3:
        CaseFactory(team=team_a, stage=stage)
        ReferralFactory(team=team_a)
    with django_assert_num_queries(BOARD_HOME_QUERIES):
        assert client.get(url).status_code == 200
