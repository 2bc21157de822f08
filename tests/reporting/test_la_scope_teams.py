"""A local authority's card covers the teams that serve it and any team its families were
referred to, and no other (reporting.queries.Scope.teams)."""

from __future__ import annotations

import pytest

from accounts.models import LocalAuthority
from reporting.queries import la_scope
from tests.factories import FamilyFactory, ReferralFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_the_teams_of_a_local_authority() -> None:
    here, elsewhere = LocalAuthority.objects.order_by("pk")[:2]
    serving = TeamFactory(name="Serving", local_authorities=[here])
    referred_to = TeamFactory(name="Referred to", local_authorities=[elsewhere])
    unrelated = TeamFactory(name="Unrelated", local_authorities=[elsewhere])
    ReferralFactory(team=referred_to, family=FamilyFactory(team=serving, local_authority=here))
    ReferralFactory(team=unrelated, family=FamilyFactory(team=unrelated, local_authority=elsewhere))

    assert [t.name for t in la_scope(here).teams()] == ["Referred to", "Serving"]
    assert "Unrelated" in [t.name for t in la_scope(elsewhere).teams()]


def test_a_team_is_named_once_however_many_referrals_and_authorities() -> None:
    here, elsewhere = LocalAuthority.objects.order_by("pk")[:2]
    team = TeamFactory(name="Both", local_authorities=[here, elsewhere])
    for _ in range(3):
        ReferralFactory(team=team, family=FamilyFactory(team=team, local_authority=here))
    assert [t.name for t in la_scope(here).teams()] == ["Both"]
