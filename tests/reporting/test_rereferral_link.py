"""Issue 14.3: "not re-referred within 12 months" follows the link a re-referral makes back
to an episode (Referral.previous_referral), not any later referral of the same family."""

from __future__ import annotations

import pytest

from reporting.periods import quarter
from reporting.queries import Report, team_scope
from tests.factories import CaseFactory, FamilyFactory, ReferralFactory

from .fixture import at

pytestmark = pytest.mark.django_db


def test_a_rereferral_counts_against_the_episode_it_links_back_to(
    team_a, practitioner, time_machine
):
    family = FamilyFactory(team=team_a)
    first = CaseFactory(
        team=team_a,
        worker=practitioner,
        family=family,
        referral__family=family,
        referral__received_at=at(2023, 1, 10),
        stage="closed",
        closed_at=at(2023, 5, 1),
    )
    second = CaseFactory(
        team=team_a,
        worker=practitioner,
        family=family,
        referral__family=family,
        referral__received_at=at(2023, 2, 10),
        stage="closed",
        closed_at=at(2023, 6, 1),
    )
    ReferralFactory(
        team=team_a,
        family=family,
        received_at=at(2023, 9, 1),
        is_rereferral=True,
        previous_referral=second.referral,
    )
    time_machine.move_to(at(2024, 7, 5), tick=False)

    figure = Report(team_scope(team_a), quarter(2024, 1)).not_rereferred_within_12_months()

    assert (figure.numerator, figure.denominator) == (1, 2)
    assert first.pk != second.pk
