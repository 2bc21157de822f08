"""Issue 13.2: the audit search shows a restricted case's feedback (and every other record of
a case) only to managers named on the restriction."""

from __future__ import annotations

from datetime import date

import pytest
from auditlog.context import set_actor
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from cases.services import restrict_case
from teamwork.models import Feedback
from tests.factories import CaseFactory, MembershipFactory, UserFactory
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_feedback_entries_of_a_restricted_case_are_not_shown_to_an_unnamed_manager(
    team_a, manager, practitioner
):
    unnamed = UserFactory(username="manager2_a")
    MembershipFactory(user=unnamed, team=team_a, role=Role.MANAGER)
    case = CaseFactory(team=team_a, worker=practitioner)
    restrict_case(case_id=case.pk, user=manager, restricted=True, people=[])
    with set_actor(practitioner):
        feedback = Feedback.objects.create(
            case=case,
            given_by="family",
            received_on=date(2026, 1, 5),
            positive=True,
            comments="Thanks from Delyth Restricted",
        )

    named = login(manager).get(reverse("audit:log")).content.decode()
    hidden = login(unnamed).get(reverse("audit:log")).content.decode()

    assert "Thanks from Delyth Restricted" in named
    assert f"feedback {feedback.pk}<" in named
    assert "Thanks from Delyth Restricted" not in hidden
    assert f"feedback {feedback.pk}<" not in hidden
