"""Query counts of the case pages, pinned: a small and a large dataset cost the same.

Each test counts the queries of one page for a small dataset, grows the data, counts
again, and requires the same number; then pins the exact number with
django_assert_num_queries, so an extra query per page is a visible change too.
Every count includes the session, the user and the navigation's unread count; none
includes writing the session, which happens at most once a minute.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import ChildOutcome, ChildOutcomeKind
from reference.models import OnwardService, Substance
from tests.cases.journey import Journey, Stage, make_case
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=ZoneInfo("Europe/London"))
# Open stages in turn, so the lists hold every kind of "next due".
MIXED = [Stage.AWAITING_ASSESSMENT, Stage.ASSESSMENT, Stage.PHASE1, Stage.PHASE2]

# The request (session, user, memberships, then the bell's unread count and the page's
# autosaved draft in one query), the case with its
# assessment and closure, the view logged (the case and the family: an INSERT each, as
# many as outside a test's transaction, where one bulk INSERT would be BEGIN, INSERT,
# COMMIT), the members, the goals, plans,
# reviews and boosters, one union of the small rows (substances, goals' people and scores,
# readings, services, children's outcomes), one of the stage changes and contacts, and
# the recent viewers. The same whether the page shows the latest chronology entries or all.
CASE_PAGE_QUERIES = 15
# My cases and the dashboard name families: their view entries are one INSERT.
MY_CASES_QUERIES = 6
# The COUNT, the page's ids, then its rows with their figures; the view entries (one INSERT).
TEAM_CASELOAD_QUERIES = 10
HOME_QUERIES = 9  # and the next three due items: changes checked (2), the rows (1)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def frozen(time_machine) -> None:
    time_machine.move_to(NOW, tick=False)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries_for(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def build_cases(team, manager, workers, referrer, n: int, *, start: int = 0) -> list:
    """n open cases in mixed stages, shared out between the workers in turn."""
    return [
        make_case(
            team,
            manager,
            workers[i % len(workers)],
            referrer,
            stage=MIXED[i % len(MIXED)],
            family_name=f"Listed family {i:02d}",
            goals=2,
            contacts=3,
            reviews_held=1 if MIXED[i % len(MIXED)] is Stage.PHASE2 else 0,
        )
        for i in range(start, start + n)
    ]


def add_links(journey: Journey, people: int = 3) -> None:
    """More of everything the case file links: people in the household with substances,
    people on each goal, services on each plan and at closure, and children's outcomes."""
    family = journey.case.family
    extra = [PersonFactory(family=family, kind="child") for _ in range(people)]
    substances = Substance.objects.filter(code__in=["amphetamines", "ketamine", "mephedrone"])
    services = list(OnwardService.objects.all()[:4])
    for person in [journey.adult, *extra]:
        person.substances.add(*substances)
    for goal in journey.goals:
        goal.members.add(journey.child, *extra)
    for plan in journey.plans:
        plan.invited_services.add(*services)
    closure = getattr(journey.reload(), "closure", None)
    if closure:
        closure.destination_services.add(*services)
        for person in extra:
            ChildOutcome.objects.create(
                closure=closure, person=person, outcome=ChildOutcomeKind.STAYED_HOME
            )


def test_case_page_queries_do_not_grow_with_the_case_file(
    team_a, manager, practitioner, referrer, django_assert_num_queries
):
    small = make_case(
        team_a,
        manager,
        practitioner,
        referrer,
        stage=Stage.PHASE2,
        family_name="Small family",
        contacts=1,
        goals=1,
    )
    large = make_case(
        team_a,
        manager,
        practitioner,
        referrer,
        stage=Stage.PHASE2,
        family_name="Large family",
        phase1_ended_days_ago=20,
        contacts=30,
        goals=6,
        reviews_held=4,
        boosters=3,
        readings=3,
        plans=2,
    )
    add_links(large)
    assert (len(large.reviews), len(large.boosters), len(large.readings), len(large.plans)) == (
        4,
        3,
        3,
        2,
    )
    client = login(practitioner)
    small_url = reverse("cases:detail", args=[small.case.pk])
    large_url = reverse("cases:detail", args=[large.case.pk])
    client.get(small_url)  # warm up

    few, small_page = queries_for(client, small_url)
    many, large_page = queries_for(client, large_url)
    few_all, _page = queries_for(client, f"{small_url}?chronology=all")
    many_all, whole_page = queries_for(client, f"{large_url}?chronology=all")

    # The large page really shows the large file.
    assert small_page.count("the expected outcome") == 1  # "0 = ..." under each goal
    assert large_page.count("the expected outcome") == 6
    assert large_page.count("-month review") >= 4 + 4  # table rows and chronology
    assert "Boosters: 3 of 3 used." in large_page
    assert large_page.count(": The family →") == 3  # who asked for each booster
    assert large_page.count("(Child or young person") == 4  # the household's children
    assert "Showing the latest 20 of" in large_page
    assert "Contact 1<" in whole_page  # the first contact, only in the whole chronology
    assert large_page.count("Mephedrone") >= 1
    assert few == many == few_all == many_all
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        client.get(large_url)
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        client.get(f"{large_url}?chronology=all")


def test_closed_case_page_queries_are_fixed_too(
    team_a, manager, practitioner, referrer, django_assert_num_queries
):
    small = make_case(team_a, manager, practitioner, referrer, stage=Stage.CLOSED, goals=1)
    large = make_case(
        team_a,
        manager,
        practitioner,
        referrer,
        stage=Stage.CLOSED,
        contacts=30,
        goals=6,
        reviews_held=4,
        boosters=3,
        readings=3,
        plans=2,
    )
    add_links(large)
    client = login(practitioner)
    client.get(reverse("cases:detail", args=[small.case.pk]))

    few, _page = queries_for(client, reverse("cases:detail", args=[small.case.pk]))
    many, page = queries_for(client, reverse("cases:detail", args=[large.case.pk]))
    many_all, _page = queries_for(
        client, reverse("cases:detail", args=[large.case.pk]) + "?chronology=all"
    )

    assert "Closure" in page
    assert page.count("Stayed at home") == 4  # the family's child and the three added
    assert few == many == many_all
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        client.get(reverse("cases:detail", args=[large.case.pk]))


def test_my_cases_queries_do_not_grow_with_the_caseload(
    team_a, manager, practitioner, referrer, django_assert_num_queries
):
    build_cases(team_a, manager, [practitioner], referrer, 1)
    client = login(practitioner)
    url = reverse("cases:mine")
    client.get(url)

    few, page = queries_for(client, url)
    assert page.count("Listed family") == 1

    build_cases(team_a, manager, [practitioner], referrer, 11, start=1)
    many, page = queries_for(client, url)

    assert page.count("Listed family") == 12
    assert few == many
    with django_assert_num_queries(MY_CASES_QUERIES):
        client.get(url)


def test_team_caseload_queries_do_not_grow_with_the_caseload(
    team_a, manager, practitioner, practitioner2, referrer, django_assert_num_queries
):
    workers = [practitioner, practitioner2]
    build_cases(team_a, manager, workers, referrer, 1)
    client = login(manager)
    url = reverse("cases:list")
    client.get(url)

    few, page = queries_for(client, url)
    assert page.count("Listed family") == 1

    build_cases(team_a, manager, workers, referrer, 11, start=1)
    many, page = queries_for(client, url)

    assert page.count("Listed family") == 12
    assert few == many
    with django_assert_num_queries(TEAM_CASELOAD_QUERIES):
        client.get(url)


def test_home_dashboard_queries_do_not_grow_with_the_caseload(
    team_a, manager, practitioner, referrer, django_assert_num_queries
):
    build_cases(team_a, manager, [practitioner], referrer, 1)
    client = login(practitioner)
    url = reverse("home")
    client.get(url)

    few, page = queries_for(client, url)
    assert page.split('id="cases-h"')[1].count("Listed family") == 1

    build_cases(team_a, manager, [practitioner], referrer, 11, start=1)
    client.get(url)  # the stored due items catch up with the new cases once
    many, page = queries_for(client, url)

    assert page.split('id="cases-h"')[1].count("Listed family") == 12
    assert few == many
    with django_assert_num_queries(HOME_QUERIES):
        client.get(url)
