"""Feedback keeps its case's team (issue 15), so a team's list and totals are read from an
index of the feedback alone. The team is never typed: it follows the case, whichever way
the record is written."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from teamwork.models import Feedback
from teamwork.views import KINDS, record_activity, update_activity
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _fields(case) -> dict:
    return {
        "case": case,
        "given_by": "family",
        "received_on": timezone.localdate(),
        "positive": True,
        "comments": "",
    }


def test_a_record_takes_its_case_team_however_it_is_saved(team_a, team_b, practitioner):
    mine = CaseFactory(team=team_a, worker=practitioner)
    other = CaseFactory(team=team_b)

    created = Feedback.objects.create(**_fields(mine))
    assert created.team_id == team_a.pk

    recorded = record_activity(
        kind=KINDS["feedback"], submission_key=uuid.uuid4(), fields=_fields(mine)
    )
    assert Feedback.objects.get(pk=recorded.pk).team_id == team_a.pk

    # Moved to another case (here of another team, which only the services below the
    # views' checks could do): the team follows.
    created.case = other
    created.save(update_fields=["case"])
    assert Feedback.objects.get(pk=created.pk).team_id == team_b.pk

    update_activity(kind=KINDS["feedback"], record_id=recorded.pk, version=1, fields=_fields(other))
    assert Feedback.objects.get(pk=recorded.pk).team_id == team_b.pk


def test_the_list_counts_and_shows_only_the_team_own_feedback(
    team_a, team_b, manager, practitioner
):
    mine = CaseFactory(team=team_a, worker=practitioner)
    theirs = CaseFactory(team=team_b)
    for case, positive in ((mine, True), (mine, False), (theirs, True)):
        Feedback.objects.create(**{**_fields(case), "positive": positive})
    client = Client()
    client.force_login(manager)

    response = client.get(reverse("teamwork:feedback"))

    assert [r.case_id for r in response.context["page"]] == [mine.pk, mine.pk]
    assert response.context["totals"] == [("Received", 2), ("Positive", "1 of 2 (50%)")]
