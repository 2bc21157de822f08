"""Reviews are held to their windows: each has a window around its due date, set per team
(the 1-month review a shorter one). Outside it a reason is needed, and no two reviews of a
case share a day. Phase 1 ended on 12 February 2027: the 1-month review is due 12 March,
the 3-month 12 May, the 6-month 12 August 2027."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from core.errors import ServiceError
from reviews.models import Review
from reviews.services import correct_review, record_review, schedule_reviews
from tests.factories import CaseFactory
from tests.reviews.test_services import PHASE1_END, at, goal, review_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock(time_machine):
    """Move the held clock: clock(2027, 3, 15)."""

    def move(y: int, m: int, d: int, h: int = 10) -> None:
        time_machine.move_to(at(y, m, d, h), tick=False)

    move(2027, 2, 15)
    return move


@pytest.fixture
def case(clock, team_a, practitioner, referrer):
    return CaseFactory(
        team=team_a,
        worker=practitioner,
        referral__created_by=referrer,
        stage="phase2",
        phase1_start=date(2027, 1, 4),
        phase1_end=PHASE1_END,
        allocated_at=at(2026, 12, 21),
    )


@pytest.fixture
def goals(case, practitioner):
    return [goal(case, practitioner, "Kerry stops drinking during the day", -2)]


@pytest.fixture
def reviews(case):
    return schedule_reviews(case_id=case.pk)


def review(case, months: int) -> Review:
    return Review.objects.get(case=case, offset_months=months)


def record(case, months: int, held_on: date, user, goals, reason: str = "") -> Review:
    r = review(case, months)
    return record_review(
        review_id=r.pk,
        user=user,
        version=r.version,
        data=review_data({g.pk: 0 for g in goals}, held_on=held_on, outside_window_reason=reason),
    )


def correct(case, months: int, held_on: date, user, goals, reason: str = "") -> Review:
    """A held review put on another day: a correction (a held review is never recorded
    again), held to the same window."""
    r = review(case, months)
    return correct_review(
        review_id=r.pk,
        user=user,
        version=r.version,
        reason="Keyed with the wrong day",
        data=review_data({g.pk: 0 for g in goals}, held_on=held_on, outside_window_reason=reason),
    )


@pytest.mark.parametrize(
    ("months", "first_day", "last_day"),
    [
        (1, date(2027, 3, 5), date(2027, 3, 19)),  # ±7 days
        (3, date(2027, 4, 28), date(2027, 5, 26)),  # ±14 days
    ],
)
def test_a_review_on_the_edges_of_its_window_needs_no_reason(
    clock, case, goals, reviews, practitioner, months, first_day, last_day
) -> None:
    clock(2027, 9, 1)
    assert review(case, months).window(case.team) == (first_day, last_day)

    saved = record(case, months, first_day, practitioner, goals)

    assert saved.outside_window_reason == ""
    saved = correct(case, months, last_day, practitioner, goals)
    assert saved.outside_window_reason == ""


@pytest.mark.parametrize(
    ("months", "day"),
    [
        (1, date(2027, 3, 4)),
        (1, date(2027, 3, 20)),
        (3, date(2027, 4, 27)),
        (3, date(2027, 5, 27)),
    ],
)
def test_a_day_past_the_window_needs_a_reason_which_is_recorded(
    clock, case, goals, reviews, practitioner, months, day
) -> None:
    clock(2027, 9, 1)

    with pytest.raises(ServiceError, match="outside the .*window"):
        record(case, months, day, practitioner, goals, reason="  ")
    assert review(case, months).held_on is None

    saved = record(case, months, day, practitioner, goals, reason=" Family in hospital ")
    saved.refresh_from_db()
    assert (saved.held_on, saved.outside_window_reason) == (day, "Family in hospital")


def test_the_window_is_a_team_setting(clock, case, goals, reviews, practitioner) -> None:
    clock(2027, 9, 1)
    case.team.review_window_days = 30
    case.team.save()

    saved = record(case, 3, date(2027, 4, 12), practitioner, goals)

    assert saved.outside_window_reason == ""


def test_a_reason_is_cleared_when_the_date_is_corrected_into_the_window(
    clock, case, goals, reviews, practitioner
) -> None:
    clock(2027, 9, 1)
    record(case, 1, date(2027, 3, 1), practitioner, goals, reason="Court date")

    saved = correct(case, 1, date(2027, 3, 12), practitioner, goals, reason="Court date")

    assert saved.outside_window_reason == ""


def test_the_3_6_and_12_month_reviews_cannot_share_a_day(
    clock, case, goals, reviews, practitioner
) -> None:
    clock(2028, 3, 1)
    record(case, 3, date(2027, 5, 12), practitioner, goals)

    with pytest.raises(ServiceError, match="two reviews cannot share a day"):
        record(case, 6, date(2027, 5, 12), practitioner, goals, reason="Catching up")
    with pytest.raises(ServiceError, match="two reviews cannot share a day"):
        record(case, 12, date(2027, 5, 12), practitioner, goals, reason="Catching up")
    # A later review before an earlier one is refused too, as is moving an earlier one after.
    with pytest.raises(ServiceError, match="must be held after the 3-month review"):
        record(case, 6, date(2027, 5, 11), practitioner, goals, reason="Catching up")
    with pytest.raises(ServiceError, match="must be held before the 3-month review"):
        record(case, 1, date(2027, 5, 12), practitioner, goals, reason="Late")

    # The next day is another occasion: allowed, with the reason for being outside the window.
    saved = record(case, 6, date(2027, 5, 13), practitioner, goals, reason="Catching up")
    assert saved.held_on == date(2027, 5, 13)


# --- the form shows the window and asks for the reason ----------------------------------------


def test_the_review_form_shows_the_window_and_keeps_what_was_typed(
    clock, client, case, goals, reviews, practitioner
) -> None:
    clock(2027, 6, 1)
    client.force_login(practitioner)
    r = review(case, 3)
    url = reverse("reviews:record", args=[r.pk])

    assert "Window: 28 Apr 2027 to 26 May 2027" in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "version": r.version,
            "held_on": "2027-05-27",
            "attendees": "Kerry",
            "progress": "Steady progress at home",
            "children_wellbeing": "Safe and well",
            "plan_still_fit": "yes",
            **{f"goal_{g.pk}": "0" for g in goals},
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "outside the 3-month review&#x27;s window" in page
    assert "Steady progress at home" in page
    assert review(case, 3).held_on is None
