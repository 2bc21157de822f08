"""Building a report card costs a fixed number of queries, however many families there are:
10 families and 60 families (in every kind of journey) cost exactly the same, and the
number is pinned so an extra query per measure shows up as a visible change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import WorkType
from outcomes.models import Occasion
from reporting.card import build_card
from reporting.models import Consultation, Feedback, TrainingSession
from reporting.queries import Scope, team_scope

from .fixture import Q1, REPORT_NOW, Cast, adult, at, child, fam, make_cast, short_journey, unborn

pytestmark = pytest.mark.django_db

# build_card with trends, for one team:
#   each Report's teams: the card's own and 8 quarters' ..................... 9
#   measure metadata, the team's targets .................................... 2
#   24 measures now (families worked with and goals at 0 take two each) ..... 26
#   22 trend measures over 8 quarters (the same two take two each) .... 24 x 8 = 192
#   the narrative 1, the throughput table 2, the context tables 7 ........... 10
CARD_QUERIES = 9 + 2 + 26 + 192 + 10  # 239
ALL_TEAMS_CARD_QUERIES = CARD_QUERIES - 1  # no per-team targets to read
# The page adds 15: the session (read, and saved again: savepoint, update, release), the
# user, the user's reporting teams, the scope choices (teams and local authorities, each
# read twice: once for the form, once to check the scope), the chosen team, the
# manager check for the narrative link, the navigation's roles, form drafts and unread
# notifications.
CARD_PAGE_QUERIES = CARD_QUERIES + 15  # 254


@pytest.fixture(autouse=True)
def frozen(time_machine) -> None:  # noqa: ANN001
    time_machine.move_to(REPORT_NOW, tick=False)


@pytest.fixture
def cast() -> Cast:
    return make_cast(prefix="qc")


def add_families(cast: Cast, n: int, start: int = 0) -> None:
    """n families in Q1 2025-26, in turn: screened out; assessed and not proceeding; in
    Phase 1; through Phase 1 to a review and a booster; closed with child outcomes;
    re-referred; with team activity alongside."""
    for i in range(start, start + n):
        team = "A" if i % 2 == 0 else "B"
        f = fam(
            cast,
            team,
            f"Family{i:03d}",
            "cardiff" if team == "A" else "newport",
            ["two_parent", "lone_mother", "kinship", ""][i % 4],
            [
                adult("Pat", "female", f"Ethnicity {i % 3}", ("alcohol",)),
                adult("Sam", "male", "White Welsh", ("cannabis",) if i % 2 else ()),
                child("Kit", date(2015 + i % 8, 1, 1)),
                unborn(date(2025, 9, 1)),
            ],
        )
        received = at(2025, 4, 1, 9) + timedelta(hours=7 * i)
        kind = i % 6
        if kind == 5:
            short_journey(f, at(2024, 1, 2), at(2024, 4, 2, 15))
            f.refer(received, again=True)
        else:
            f.refer(received)
        f.first_contact(received + timedelta(hours=1 + i % 40))
        if kind == 0:
            f.screen("inappropriate", received + timedelta(hours=1))
            continue
        f.screen("accepted", received + timedelta(hours=1)).allocate(received + timedelta(hours=2))
        f.assess(received + timedelta(days=1), received + timedelta(days=1 + i % 20))
        if kind == 1:
            f.not_proceed(received + timedelta(days=21))
            continue
        start_day = received + timedelta(days=21)
        f.proceed(start_day)
        f.goal(start_day, substance=True, baseline=-2, members=["Pat"])
        f.goal(start_day, substance=False, baseline=-1, members=["Sam"])
        f.wemwbs("Pat", Occasion.START, start_day.date(), 30 + i % 20)
        f.sdq("Kit", Occasion.START, start_day.date(), (5, 5, 4, 4))
        for k in range(3):
            f.contact(start_day + timedelta(days=2 + k), 60 + 30 * k)
        f.contact(start_day + timedelta(days=3), 45, WorkType.INDIRECT)
        if kind in (2, 3, 5):
            end = (start_day + timedelta(days=20 + i % 40)).date()
            f.plan(end - timedelta(days=1)).wemwbs("Pat", Occasion.END_PHASE1, end, 40)
            f.end_phase1(end)
            if end + timedelta(days=31) <= date(2025, 7, 4):
                held = min(end + timedelta(days=31 + i % 20), date(2025, 7, 4))
                f.review(1, held, (i % 3 - 1, 1))
            f.booster(end + timedelta(days=3))
            Feedback.objects.create(
                case=f.case, given_by="family", received_on=end, positive=bool(i % 2)
            )
            if kind == 3:
                f.sdq("Kit", Occasion.CLOSURE, date(2025, 7, 4), (3, 3, 3, 3))
                f.close(date(2025, 7, 4), outcomes={"Kit": "stayed_home"})
        day = date(2025, 4, 1) + timedelta(days=i)
        Consultation.objects.create(
            team=f.team, held_on=day, asked_by="SW", agency="LA", topic="Advice"
        )
        TrainingSession.objects.create(team=f.team, course="Course", held_on=day, attendees=i)


def card_queries(scope: Scope) -> int:
    with CaptureQueriesContext(connection) as ctx:
        card = build_card(scope, Q1)
    assert card["quadrants"]
    return len(ctx.captured_queries)


def page_queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_the_card_costs_the_same_for_10_and_60_families(cast) -> None:  # noqa: ANN001
    add_families(cast, 10)
    few = card_queries(team_scope(cast.taff)), card_queries(Scope("all"))
    figures = build_card(Scope("all"), Q1, with_trends=False)
    assert figures["throughput"][0]["referrals"] + figures["throughput"][1]["referrals"] == 10

    add_families(cast, 50, start=10)
    many = card_queries(team_scope(cast.taff)), card_queries(Scope("all"))
    figures = build_card(Scope("all"), Q1, with_trends=False)
    assert figures["throughput"][0]["referrals"] + figures["throughput"][1]["referrals"] == 60

    assert few == many
    assert many == (CARD_QUERIES, ALL_TEAMS_CARD_QUERIES)


def test_the_card_page_costs_the_same_for_10_and_60_families(cast) -> None:  # noqa: ANN001
    client = Client()
    client.force_login(cast.manager_a)
    url = (
        f"{reverse('reporting:card')}?scope=team-{cast.taff.pk}"
        "&period_kind=quarter&year=2025&quarter=1&basis=events"
    )
    add_families(cast, 10)
    client.get(url)  # the first request of a session may differ
    few, page = page_queries(client, url)
    assert 'data-measure="referrals_received"' in page

    add_families(cast, 50, start=10)
    many, page = page_queries(client, url)

    assert few == many == CARD_PAGE_QUERIES
    assert '<td class="text-end">30</td>' in page  # Taff's 30 referrals in the throughput row
