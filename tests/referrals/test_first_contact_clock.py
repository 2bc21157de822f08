"""The first-contact clock says the real time left, and overdue in words and colour.

`now|timeuntil:due` is the wrong way round (it measures from `due` to `now`, so it said
"due in 0 minutes" for every referral not yet overdue); these tests pin the right reading.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from referrals.models import ReferralStatus
from tests.factories import FamilyFactory, ReferralFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _page(user, name: str, *args) -> str:
    client = Client()
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse(name, args=args)).content.decode()


@pytest.fixture
def received_three_hours_ago(team_a, referrer):
    return ReferralFactory(
        team=team_a,
        created_by=referrer,
        status=ReferralStatus.SUBMITTED,
        received_at=NOW - timedelta(hours=3),
        first_contact_at=None,
        family=FamilyFactory(team=team_a, name="Ellis family"),
    )


@pytest.fixture
def received_thirty_hours_ago(team_a, referrer):
    return ReferralFactory(
        team=team_a,
        created_by=referrer,
        status=ReferralStatus.SUBMITTED,
        received_at=NOW - timedelta(hours=30),
        first_contact_at=None,
        family=FamilyFactory(team=team_a, name="Foulkes family"),
    )


def test_the_screening_queue_shows_the_time_left_before_first_contact_is_due(
    manager, received_three_hours_ago
):
    hours = received_three_hours_ago.team.first_contact_hours
    page = _page(manager, "referrals:screening")

    assert f"due in {hours - 3}\xa0hours" in page
    assert "due in 0\xa0minutes" not in page


def test_the_referral_page_shows_the_time_left_before_first_contact_is_due(
    manager, received_three_hours_ago
):
    hours = received_three_hours_ago.team.first_contact_hours
    page = _page(manager, "referrals:detail", received_three_hours_ago.pk)

    assert f"Due in {hours - 3}\xa0hours" in page
    assert "Due in 0\xa0minutes" not in page


def test_an_overdue_first_contact_is_said_in_words_and_marked_overdue(
    manager, received_thirty_hours_ago
):
    late = 30 - received_thirty_hours_ago.team.first_contact_hours
    queue = _page(manager, "referrals:screening")
    detail = _page(manager, "referrals:detail", received_thirty_hours_ago.pk)

    assert f"overdue by {late}\xa0hours" in queue
    assert 'class="overdue"' in queue
    assert f"Overdue by {late}\xa0hours" in detail
    assert 'class="overdue"' in detail
