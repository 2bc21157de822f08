"""Each figure of a team's card beside the all-teams figure of the same period, suppressed
the same way (issue 16, item 6); a published card keeps the all-teams figures it was
published with."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from reporting import services
from reporting.periods import quarter
from reporting.queries import team_scope

from .fixture import at, make_cast
from .test_publishing import in_phase1

pytestmark = pytest.mark.django_db

Q1 = "period_kind=quarter&year=2025&quarter=1&basis=events"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def comparison(page: str, code: str) -> str:
    row = re.search(rf'data-measure="{code}".*?</tr>', page, re.S)[0]
    return re.search(r'data-testid="comparison">([^<]*)<', row)[1].strip()


def test_the_team_card_shows_the_all_teams_figure_and_the_board_sees_it_suppressed(
    cast_fixture, time_machine
) -> None:
    cast = cast_fixture
    in_phase1(cast)  # one family referred to Taff in Q1
    time_machine.move_to(at(2025, 7, 10, 12), tick=False)
    taff = f"scope=team-{cast.taff.pk}"
    page = login(cast.manager_a).get(f"{reverse('reporting:card')}?{taff}&{Q1}").text
    assert comparison(page, "referrals_received") == "All teams: 1"

    card = services.publish_card(
        user=cast.manager_a, scope=team_scope(cast.taff), period=quarter(2025, 1), basis="events"
    )
    assert card.data["comparison"]["measures"]["referrals_received"]["value"] == 1
    board = login(cast.board_a).get(reverse("reporting:published_card", args=[card.pk])).text
    assert comparison(board, "referrals_received") == "All teams: &lt;5"
    # The manager reads the published card unsuppressed, as the live one.
    page = login(cast.manager_a).get(reverse("reporting:published_card", args=[card.pk])).text
    assert comparison(page, "referrals_received") == "All teams: 1"


@pytest.fixture
def cast_fixture():
    return make_cast(prefix="cmp")
