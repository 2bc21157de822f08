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
from reporting.models import FigureSet
from reporting.queries import Scope, team_scope
from teamwork.models import Consultation, Feedback, TrainingSession

from .fixture import Q1, REPORT_NOW, Cast, adult, at, child, fam, make_cast, short_journey, unborn

pytestmark = pytest.mark.django_db

# Computing one stored set of figures (reporting.store.compute):
#   the scope's teams 1, 26 measures (families worked with and goals at 0 take two each,
#   services accessed three) 30, the throughput table 2, the context tables 7 ........ 40
#   (the cost-avoidance panel adds one when a team in scope shows it; a cohort's referral
#   outcomes one more, for the referrals not decided yet)
# Storing it (update_or_create): savepoint, read, savepoint, insert, release, release 6,
# or replacing one: savepoint, read, update, release 4.
SET_QUERIES = 40
# build_card, around the sets: the stored sets (one query), measure metadata, the team's
# targets and its data development agenda (a team scope only), the narratives.
CARD_OVERHEAD = 5
# With nothing stored, a quarter's card computes its 8 trend quarters, its own the last of
# them, in one trend pass (reporting.store.compute_trends: each trend measure's queries run
# once for all 8, grouped by quarter), keeps the 7 others, then computes the rest of its
# own figures (the measures without a trend, throughput, context) and keeps them. It was
# 8 * (SET_QUERIES + 6) + CARD_OVERHEAD = 373 when each quarter was computed on its own.
COLD_CARD_QUERIES = 92
# With them stored, a card computes only its own figures, fresh, and replaces them.
WARM_CARD_QUERIES = SET_QUERIES + 4 + CARD_OVERHEAD  # 49
# The page builds the card from stored sets only, in 13 queries: the request's own
# (session, user, memberships, unread notifications with the form draft), the user's reporting
# teams and the scope choices (local authorities), read once for the form and the check of
# the scope (the team's name is its choice's label), the stored sets, the all-teams set of
# the period (the comparison), measure metadata, targets, the narratives and the data
# development agenda, and the card's latest publication.
CARD_PAGE_QUERIES = 13


@pytest.fixture(autouse=True)
def frozen(time_machine) -> None:
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


def card_queries(scope: Scope, *, cold: bool) -> int:
    if cold:
        FigureSet.objects.all().delete()
    with CaptureQueriesContext(connection) as ctx:
        card = build_card(scope, Q1)
    assert card["quadrants"]
    return len(ctx.captured_queries)


def page_queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_the_card_costs_the_same_for_10_and_60_families(cast) -> None:
    costs = []
    for n, start in ((10, 0), (50, 10)):
        add_families(cast, n, start=start)
        costs.append(
            (
                card_queries(team_scope(cast.taff), cold=True),
                card_queries(team_scope(cast.taff), cold=False),
                card_queries(Scope("all"), cold=True),
                card_queries(Scope("all"), cold=False),
            )
        )
        figures = build_card(Scope("all"), Q1, with_trends=False)
        total = figures["throughput"][0]["referrals"] + figures["throughput"][1]["referrals"]
        assert total == n + start

    assert (
        costs[0]
        == costs[1]
        == (
            COLD_CARD_QUERIES,
            WARM_CARD_QUERIES,
            COLD_CARD_QUERIES - 2,  # all teams: no targets or agenda to read
            WARM_CARD_QUERIES - 2,
        )
    )


def test_the_card_page_costs_the_same_for_10_and_60_families(cast) -> None:
    client = Client()
    client.force_login(cast.manager_a)
    url = (
        f"{reverse('reporting:card')}?scope=team-{cast.taff.pk}"
        "&period_kind=quarter&year=2025&quarter=1&basis=events"
    )
    add_families(cast, 10)
    client.get(url)  # computes and stores the figures (tasks run in-process in tests)
    few, page = page_queries(client, url)
    assert 'data-measure="referrals_received"' in page

    add_families(cast, 50, start=10)
    client.post(reverse("reporting:recompute") + url[url.index("?") :])
    client.get(url)
    many, page = page_queries(client, url)

    assert few == many == CARD_PAGE_QUERIES
    assert '<td class="text-end">30</td>' in page  # Taff's 30 referrals in the throughput row


def test_an_export_reads_the_figures_the_page_stored(cast) -> None:
    client = Client()
    client.force_login(cast.manager_a)
    query = f"?scope=team-{cast.taff.pk}&period_kind=quarter&year=2025&quarter=1&basis=events"
    add_families(cast, 10)
    client.get(reverse("reporting:card") + query)  # computes and stores them
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("reporting:export", args=["csv"]) + query)
    assert response.status_code == 200
    assert "Referrals received" in response.content.decode()
    # The session, user and memberships (no page around it: no menu counts), the scope
    # checks 2 (the user's teams and their local authorities, read once), then the stored
    # set, measure metadata, targets, the narratives and the agenda.
    assert len(ctx.captured_queries) == 10
