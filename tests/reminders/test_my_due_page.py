"""A caseworker's own "due and overdue" page and the dashboard's next three: only the
cases they work (as worker or co-worker), overdue in red and in words, paginated, and a
query count that does not grow with the caseload."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from cases.services import restrict_case
from reminders import views

from .helpers import case_received, local, submitted_referral

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

NOW = local(date(2026, 3, 2), 12)
URL = "/due/mine/"


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def overdue_case(team, worker, name: str, **kwargs):
    # Assessment due 24 hours ago.
    return case_received(
        team, worker, NOW - timedelta(hours=96), referral__family__name=name, **kwargs
    )


def upcoming_case(team, worker, name: str, hours: int = 24, **kwargs):
    # Assessment due 72 - hours from now.
    return case_received(
        team, worker, NOW - timedelta(hours=hours), referral__family__name=name, **kwargs
    )


def rows(page: str) -> list[str]:
    return page.split('data-testid="due-items"')[1].split("</table>")[0].split("<tr")[2:]


def test_the_url():
    assert reverse("reminders:mine") == URL


def test_a_practitioner_sees_the_cases_they_work_and_no_others(
    frozen, team_a, manager, practitioner, practitioner2
):
    overdue_case(team_a, practitioner, "Ashworth family")
    upcoming_case(team_a, practitioner2, "Bevan family", co_worker=practitioner)
    upcoming_case(team_a, practitioner2, "Cadwallader family")
    submitted_referral(team_a, NOW - timedelta(hours=30), family__name="Evans family")

    response = client_for(practitioner).get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ashworth family" in page and "Bevan family" in page
    assert "Cadwallader family" not in page
    assert "Evans family" not in page  # the manager's first contact, not theirs
    assert response.context["figures"] == {"overdue": 1, "upcoming": 1}


def test_overdue_rows_are_red_and_say_so_in_words_upcoming_ones_say_when(
    frozen, team_a, practitioner
):
    overdue_case(team_a, practitioner, "Ashworth family")
    upcoming_case(team_a, practitioner, "Bevan family")

    first, second = rows(client_for(practitioner).get(URL).content.decode())

    assert 'class="overdue"' in first and "Ashworth family" in first
    assert "Overdue" in first and "overdue by 1\xa0day" in first
    assert "overdue" not in second and "due in 2\xa0days" in second


def test_the_boundary_an_item_due_this_minute_is_not_yet_overdue(frozen, team_a, practitioner):
    # Received exactly 72 hours ago: the assessment is due now.
    case_received(team_a, practitioner, NOW - timedelta(hours=72), referral__family__name="Now")
    case_received(
        team_a,
        practitioner,
        NOW - timedelta(hours=72, minutes=1),
        referral__family__name="Minute ago",
    )

    response = client_for(practitioner).get(URL)

    assert response.context["figures"] == {"overdue": 1, "upcoming": 1}
    late, due_now = rows(response.content.decode())
    assert "Minute ago" in late and 'class="overdue"' in late
    assert "Now" in due_now and 'class="overdue"' not in due_now


def test_a_restricted_case_shows_to_its_own_worker_only(
    frozen, team_a, manager, practitioner, practitioner2
):
    case = overdue_case(team_a, practitioner, "Hidden family")
    restrict_case(case_id=case.pk, user=manager, restricted=True, people=[])

    assert "Hidden family" in client_for(practitioner).get(URL).content.decode()
    # A co-worker removed from the list (by the admin, say) no longer sees it.
    case.co_worker = practitioner2
    case.save(update_fields=["co_worker"])
    assert "Hidden family" not in client_for(practitioner2).get(URL).content.decode()


@pytest.mark.parametrize("who", ["referrer", "board_member", "performance_officer"])
def test_people_without_a_caseload_get_a_404(frozen, request, who, team_a):
    assert client_for(request.getfixturevalue(who)).get(URL).status_code == 404


@pytest.mark.parametrize("who", ["practitioner", "csw", "manager"])
def test_every_caseworker_role_has_the_page_and_the_menu_link(frozen, request, who, team_a):
    response = client_for(request.getfixturevalue(who)).get(URL)
    assert response.status_code == 200
    assert f'href="{URL}"' in response.content.decode()


def test_the_list_is_paginated(frozen, team_a, practitioner, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 2)
    for i in range(5):
        upcoming_case(team_a, practitioner, f"Family {i}", hours=24 + i)

    client = client_for(practitioner)
    first = client.get(URL)
    last = client.get(URL, {"page": 3})

    assert len(rows(first.content.decode())) == 2
    assert first.context["page"].paginator.num_pages == 3
    assert len(rows(last.content.decode())) == 1
    assert "Family 0" in last.content.decode()  # due last


def test_the_dashboard_shows_the_next_three(frozen, team_a, practitioner):
    overdue_case(team_a, practitioner, "Ashworth family")
    for i in range(4):
        upcoming_case(team_a, practitioner, f"Family {i}", hours=24 + i)

    page = client_for(practitioner).get("/").content.decode()

    panel = page.split('data-testid="next-due"')[1].split("</table>")[0]
    assert panel.count('data-testid="due-row"') == 3
    assert "Ashworth family" in panel and "Family 3" in panel and "Family 2" in panel
    assert "Family 0" not in panel
    assert f'href="{URL}"' in page


# Session, user, memberships (once for the page and the menu); the stored items brought up
# to date (2 when nothing changed); the overdue and upcoming counts and the page's rows
# (the co-worked cases and the restricted ones are subqueries); the view entries of the
# families listed (one INSERT); the bell and the draft.
MY_DUE_QUERIES = 9


def test_the_query_count_does_not_grow_with_the_caseload(
    frozen, team_a, practitioner, practitioner2, django_assert_num_queries
):
    client = client_for(practitioner)
    overdue_case(team_a, practitioner, "Family one")
    client.get(URL)  # warm up: the day's first full computation
    with django_assert_num_queries(MY_DUE_QUERIES):
        client.get(URL)

    for i in range(8):
        overdue_case(team_a, practitioner, f"Family {i}")
        upcoming_case(team_a, practitioner2, f"Co {i}", co_worker=practitioner)
    client.get(URL)
    with django_assert_num_queries(MY_DUE_QUERIES):
        response = client.get(URL)
    assert response.context["figures"]["overdue"] == 9
