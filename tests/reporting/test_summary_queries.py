"""The summary page costs a fixed number of queries: a board member's published card (its
summary, charts and trends from the earlier published quarters) and the PDF built from it
read the same number of queries whether one quarter or five have been published."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting import services
from reporting.models import BuildStatus, PublishedCard, ReportBuild
from reporting.periods import previous_quarter
from reporting.queries import team_scope

from .fixture import Q1, at, make_cast
from .test_publishing import in_phase1

pytestmark = pytest.mark.django_db

# The published card page for a board member: the request's own (session, user,
# memberships, and the unread notifications count of the layout), the user's teams, the
# card, the earlier published quarters for the trends (one query for all of them), the
# measure metadata, the team's baselines and targets, the narrative, the team's data
# development agenda (story.agenda: one query for a team's card, whatever the quarters;
# added with the frozen narratives), the card's revisions and its PDF.
SUMMARY_PAGE_QUERIES = 13
# Building the PDF of a published card: claiming the build (savepoint, update, read,
# release), the build, its card, the earlier published quarters, measure metadata,
# baselines and targets, the narrative, the team's data development agenda (story.agenda,
# one query, added with the frozen narratives), a beat, storing the PDF, and reading it back.
PDF_BUILD_QUERIES = 14


@pytest.fixture
def cast():
    return make_cast(prefix="sq")


def _publish(cast, quarters: int) -> PublishedCard:
    """Publish Q1 2025-26 and the quarters before it: `quarters` in all."""
    scope = team_scope(cast.taff)
    periods = [Q1]
    while len(periods) < quarters:
        periods.append(previous_quarter(periods[-1]))
    for period in reversed(periods):
        card = services.publish_card(
            user=cast.manager_a, scope=scope, period=period, basis="events"
        )
    return card


def _queries(fn) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


@pytest.mark.parametrize("quarters", [1, 5])
def test_the_summary_page_costs_the_same_however_many_quarters_are_published(
    cast, time_machine, quarters: int
) -> None:
    time_machine.move_to(at(2025, 7, 10, 12), tick=False)
    in_phase1(cast)
    card = _publish(cast, quarters)
    board = Client()
    board.force_login(cast.board_a)
    url = reverse("reporting:published_card", args=[card.pk])
    board.get(url)  # the session's first request
    n, response = _queries(lambda: board.get(url))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="card-summary"' in page and "Summary: Q1 2025-26" in page
    assert n == SUMMARY_PAGE_QUERIES


@pytest.mark.parametrize("quarters", [1, 5])
def test_the_pdf_of_a_published_card_costs_the_same_however_many_are_published(
    cast, time_machine, quarters: int
) -> None:
    time_machine.move_to(at(2025, 7, 10, 12), tick=False)
    in_phase1(cast)
    card = _publish(cast, quarters)
    build = ReportBuild.objects.filter(published=card).get()
    n, done = _queries(lambda: services.run_build(build_id=build.pk))
    assert done.status == BuildStatus.DONE and bytes(done.pdf)[:5] == b"%PDF-"
    assert n == PDF_BUILD_QUERIES
