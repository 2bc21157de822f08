"""The team's "due and overdue" page: managers only, their own teams only, counts per
worker, overdue rows in red, and a query count that does not grow with the caseload."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.services import restrict_case
from families.models import MemberKind
from reviews.models import Review
from reviews.services import ReviewData, record_review
from tests.factories import PersonFactory

from .helpers import case_received, local, submitted_referral

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

NOW = local(date(2026, 3, 2), 12)
URL = "/due/"
_names = count()


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def overdue_case(team, worker, name: str):
    # Assessment due 24 hours ago.
    return case_received(team, worker, NOW - timedelta(hours=96), referral__family__name=name)


def upcoming_case(team, worker, name: str):
    # Assessment due in 48 hours.
    return case_received(team, worker, NOW - timedelta(hours=24), referral__family__name=name)


def test_the_url():
    assert reverse("reminders:due") == URL


def test_past_the_workers_shown_the_rest_are_behind_show_all(
    frozen, monkeypatch, team_a, manager, practitioner, practitioner2
):
    """The most overdue workers first; the table stops at WORKERS_SHOWN rows (an
    administrator's all-Wales table had 500), and the totals still count everyone."""
    from reminders import views

    monkeypatch.setattr(views, "WORKERS_SHOWN", 1)
    overdue_case(team_a, practitioner, "Ashworth family")
    upcoming_case(team_a, practitioner2, "Bevan family")

    response = client_for(manager).get(URL)

    assert [row["worker"] for row in response.context["counts"]] == [practitioner]
    assert response.context["totals"] == {"overdue": 1, "upcoming": 1}
    assert "Show 1 more worker<" in response.content.decode()
    everyone = client_for(manager).get(URL, {"workers": "all"})
    assert [row["worker"] for row in everyone.context["counts"]] == [practitioner, practitioner2]
    assert 'data-testid="all-workers"' not in everyone.content.decode()


def test_a_manager_sees_counts_per_worker_and_overdue_rows_in_red(
    frozen, team_a, manager, practitioner, practitioner2
):
    overdue_case(team_a, practitioner, "Ashworth family")
    overdue_case(team_a, practitioner, "Bevan family")
    upcoming_case(team_a, practitioner, "Cadwallader family")
    upcoming_case(team_a, practitioner2, "Davies family")
    submitted_referral(team_a, NOW - timedelta(hours=30), family__name="Evans family")

    response = client_for(manager).get(URL)

    assert response.status_code == 200
    counts = {
        (row["worker"].username if row["worker"] else None): (row["overdue"], row["upcoming"])
        for row in response.context["counts"]
    }
    # The referral (not yet allocated) is the manager's: its first contact is 6 hours
    # overdue and its screening decision is due in 3.75 days.
    assert counts == {
        "practitioner_a": (2, 1),
        "practitioner2_a": (0, 1),
        None: (1, 1),
    }
    assert response.context["overdue_total"] == 3
    assert response.context["totals"] == {"overdue": 3, "upcoming": 3}  # the "Everyone" row
    page = response.content.decode()
    per_worker = page.split('data-testid="per-worker"')[1].split("</table>")[0]
    assert str(practitioner) in per_worker and str(practitioner2) in per_worker
    assert "Unallocated (manager)" in per_worker
    items = page.split('data-testid="due-items"')[1].split("</table>")[0]
    rows = items.split("<tr")[2:]  # skip the header row
    assert len(rows) == 6
    red = [r for r in rows if r.startswith(' class="overdue"')]
    assert len(red) == 3
    assert sum("Ashworth family" in r for r in red) == 1
    assert sum("Bevan family" in r for r in red) == 1
    assert sum("Evans family" in r and "First contact" in r for r in red) == 1
    assert all("overdue by" in r for r in red)
    assert not any("Cadwallader family" in r or "Davies family" in r for r in red)
    # In due order: the two assessments (a day overdue), then the first contact (6 hours).
    assert ["Evans family" in r for r in rows[:3]] == [False, False, True]
    assert rows[3].startswith(' class="due-soon"')  # Cadwallader/Davies, due in 2 days


def test_the_list_filters_to_one_worker(frozen, team_a, manager, practitioner, practitioner2):
    overdue_case(team_a, practitioner, "Ashworth family")
    upcoming_case(team_a, practitioner2, "Davies family")

    page = client_for(manager).get(URL, {"worker": practitioner2.pk}).content.decode()
    items = page.split('data-testid="due-items"')[1]

    assert "Davies family" in items
    assert "Ashworth family" not in items


@pytest.mark.parametrize("who", ["practitioner", "referrer", "board_member"])
def test_only_managers_may_see_the_page(frozen, request, who, team_a, manager):
    user = request.getfixturevalue(who)

    assert client_for(user).get(URL).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(frozen):
    response = Client().get(URL)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_another_teams_items_are_not_shown(
    frozen, team_a, team_b, manager, practitioner, other_manager, other_practitioner
):
    overdue_case(team_a, practitioner, "Ashworth family")
    overdue_case(team_b, other_practitioner, "Hidden family")
    submitted_referral(team_b, NOW - timedelta(hours=30), family__name="Secret family")

    page = client_for(manager).get(URL).content.decode()
    assert "Ashworth family" in page
    assert "Hidden family" not in page
    assert "Secret family" not in page
    assert str(other_practitioner) not in page

    other = client_for(other_manager).get(URL).content.decode()
    assert "Hidden family" in other and "Secret family" in other
    assert "Ashworth family" not in other


def phase2_case_with_overdue_review(team, worker, name: str):
    """A Phase 2 case whose 1-month review was due yesterday and whose adult has no start
    reading: a review deadline and a readings deadline."""
    case = case_received(
        team, worker, NOW - timedelta(days=90), stage="phase2", referral__family__name=name
    )
    case.phase1_start = NOW.date() - timedelta(days=80)
    case.phase1_end = NOW.date() - timedelta(days=40)
    case.save()
    PersonFactory(family=case.family, kind=MemberKind.ADULT)
    review = Review.objects.create(
        case=case, offset_months=1, due_on=NOW.date() - timedelta(days=1)
    )
    return case, review


def test_a_restricted_cases_reviews_and_readings_are_shown_only_to_named_managers(
    frozen, team_a, manager, manager2, practitioner
):
    case, _review = phase2_case_with_overdue_review(team_a, practitioner, "Hidden family")
    restrict_case(case_id=case.pk, user=manager, restricted=True, people=[])

    named = client_for(manager).get(URL).content.decode()
    assert "1-month review" in named
    assert "start reading(s) missing" in named
    unnamed = client_for(manager2).get(URL)
    assert "Hidden family" not in unnamed.content.decode()
    assert unnamed.context["overdue_total"] == 0


def test_a_restricted_case_hides_only_its_own_items_not_the_referrals_with_no_case(
    frozen, team_a, manager, manager2, practitioner
):
    # Referral items name no case (case_id NULL): the hidden cases are filtered out as a set,
    # and a row with no case must never fall into it.
    case, _review = phase2_case_with_overdue_review(team_a, practitioner, "Hidden family")
    restrict_case(case_id=case.pk, user=manager, restricted=True, people=[])
    overdue_case(team_a, practitioner, "Open family")
    submitted_referral(team_a, NOW - timedelta(hours=30), family__name="Waiting family")

    for user, sees_hidden in ((manager, True), (manager2, False)):
        page = client_for(user).get(URL).content.decode()
        assert ("Hidden family" in page) is sees_hidden
        assert "Open family" in page
        assert page.count("Waiting family") == 2  # first contact and screening decision


def test_a_review_recorded_leaves_the_list_at_once(frozen, team_a, manager, practitioner):
    case, review = phase2_case_with_overdue_review(team_a, practitioner, "Recorded family")
    client = client_for(manager)
    assert "1-month review" in client.get(URL).content.decode()

    record_review(
        review_id=review.pk,
        user=practitioner,
        version=review.version,
        data=ReviewData(
            held_on=NOW.date(),
            attendees="Mother",
            progress="Going well.",
            plan_still_fit=True,
            services_signposted=[],
            scores={},
            outside_window_reason="Overdue: the family was away.",
        ),
    )

    page = client.get(URL).content.decode()
    assert "Recorded family" in page  # its readings are still to take
    assert "1-month review" not in page


def test_the_query_count_does_not_grow_with_the_caseload(
    frozen, team_a, manager, practitioner, practitioner2, django_assert_num_queries
):
    client = client_for(manager)
    workers = [practitioner, practitioner2]

    def add(n: int) -> None:
        for _ in range(n):
            i = next(_names)
            maker = overdue_case if i % 2 else upcoming_case
            maker(team_a, workers[i % 2], f"Zeta family {i}")

    # A case in Phase 1 and one in Phase 2, so the readings and reviews are looked up too.
    phase1 = case_received(team_a, practitioner, NOW - timedelta(days=14), stage="phase1")
    phase1.phase1_start = NOW.date() - timedelta(days=10)
    phase1.save()
    phase2 = case_received(team_a, practitioner2, NOW - timedelta(days=90), stage="phase2")
    phase2.phase1_start = NOW.date() - timedelta(days=80)
    phase2.phase1_end = NOW.date() - timedelta(days=40)
    phase2.save()
    Review.objects.create(case=phase2, offset_months=1, due_on=NOW.date() + timedelta(days=1))
    add(1)
    client.get(URL)  # warm up: the team's items computed in full, once today
    with CaptureQueriesContext(connection) as one:
        page = client.get(URL).content.decode()
    assert page.count("Zeta family") == 1

    add(1)  # the new case's items are stored first
    with CaptureQueriesContext(connection) as one_changed:
        page = client.get(URL).content.decode()
    assert page.count("Zeta family") == 2
    add(14)
    with CaptureQueriesContext(connection) as fourteen_changed:
        page = client.get(URL).content.decode()
    assert page.count("Zeta family") == 16
    with CaptureQueriesContext(connection) as sixteen:
        client.get(URL)

    assert len(one.captured_queries) == len(sixteen.captured_queries) == EXPECTED_QUERIES
    assert len(one_changed.captured_queries) == len(fourteen_changed.captured_queries)
    assert len(one_changed.captured_queries) == EXPECTED_QUERIES + UPDATE_QUERIES
    with django_assert_num_queries(EXPECTED_QUERIES):
        client.get(URL)


# The session, the user, the manager's memberships (teams and the menu's roles, one query);
# whether any change is pending and whether the team's items were computed today
# (reminders.duestore); the counts per worker and the page's 50 rows (the restricted cases
# the manager is not named on left out in both); the workers shown; and the page frame
# (the bell's unread count with the draft check, one query).
# And the view entries of the families the page names: one INSERT.
EXPECTED_QUERIES = 10
# When records changed since the last view: a savepoint, the lock (PostgreSQL; SQLite
# serialises writers itself), the changes, the team check again, the cases and referrals of
# the changed families, the changed items recomputed (reminders.deadlines.collect with
# their ids: teams, open cases, referrals, pending reviews, people and readings), the old
# items deleted (cases, referrals), the new ones inserted, the changes removed, and the
# savepoint released.
UPDATE_QUERIES = 15 + (connection.vendor == "postgresql")
