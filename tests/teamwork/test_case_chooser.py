"""Forms that choose a case (feedback, complaints) offer no <select> of every case: the
case is typed by its number, and matches are offered as its number or family name is
typed, from the cases the user may choose only (issue 15)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from teamwork.models import Feedback
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def today() -> str:
    """Read when the test runs, not when the module is imported: a run that crosses
    midnight would otherwise date the feedback the day before its case's referral."""
    return timezone.localdate().isoformat()


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cases(team_a, team_b, practitioner, other_practitioner):
    mine = CaseFactory(team=team_a, worker=practitioner, referral__family__name="Morgan family")
    theirs = CaseFactory(
        team=team_b, worker=other_practitioner, referral__family__name="Morgan-Price family"
    )
    return mine, theirs


@pytest.mark.parametrize("url", ["teamwork:feedback_new", "teamwork:complaint_new"])
def test_the_form_has_no_select_of_cases(manager, cases, url):
    page = login(manager).get(reverse(url)).content.decode()
    assert '<select name="case"' not in page
    assert 'name="case"' in page
    assert "data-case-search" in page
    assert "Morgan" not in page  # no case is listed before anything is typed


def test_matches_are_the_users_cases_only(manager, cases):
    mine, theirs = cases
    client = login(manager)
    url = reverse("teamwork:feedback_cases")
    page = client.get(url, {"case": "morgan"}).content.decode()
    assert f"(case {mine.pk})" in page
    assert f"(case {theirs.pk})" not in page
    assert f"(case {theirs.pk})" not in client.get(url, {"case": str(theirs.pk)}).content.decode()
    assert f"(case {mine.pk})" in client.get(url, {"case": f"case {mine.pk}"}).content.decode()
    assert client.get(url, {"case": "x"}).status_code == 200  # too short: no matches


def test_a_restricted_case_is_not_offered_to_staff_it_does_not_name(manager, csw, cases):
    from cases.services import restrict_case

    mine, _theirs = cases
    restrict_case(case_id=mine.pk, user=manager, restricted=True, people=[])
    page = login(csw).get(reverse("teamwork:feedback_cases"), {"case": "Morgan"})
    assert f"(case {mine.pk})" not in page.content.decode()


@pytest.mark.parametrize("who", ["board_member", "referrer"])
def test_matches_are_404_for_who_keeps_no_feedback(request, who, cases):
    user = request.getfixturevalue(who)
    response = login(user).get(reverse("teamwork:feedback_cases"), {"case": "Morgan"})
    assert response.status_code == 404


def test_typing_the_case_number_without_script_is_enough(manager, cases):
    mine, theirs = cases
    client = login(manager)
    data = {"given_by": "family", "received_on": today(), "positive": "True"}
    for typed in [f"Morgan family (case {mine.pk})", str(mine.pk)]:
        response = client.post(reverse("teamwork:feedback_new"), {**data, "case": typed})
        assert response.status_code == 302, typed
    assert Feedback.objects.filter(case=mine).count() == 2
    for typed in [str(theirs.pk), "Morgan", "99999"]:
        response = client.post(reverse("teamwork:feedback_new"), {**data, "case": typed})
        assert response.status_code == 200
        page = response.content.decode()
        assert "No case you may choose has this number" in page
        assert f'value="{typed}"' in page  # what was typed is kept
    assert Feedback.objects.count() == 2


def test_an_edit_shows_the_chosen_case_by_name(manager, cases):
    mine, _theirs = cases
    client = login(manager)
    data = {"given_by": "family", "received_on": today(), "positive": "True"}
    client.post(reverse("teamwork:feedback_new"), {**data, "case": str(mine.pk)})
    feedback = Feedback.objects.get()
    page = client.get(reverse("teamwork:feedback_edit", args=[feedback.pk])).content.decode()
    assert f'value="Morgan family (case {mine.pk})"' in page
