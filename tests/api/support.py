"""A partner client with a token, and a valid referral as the API takes it."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.models import LocalAuthority, Team, User
from api import services
from api.models import ApiClient
from reference.models import LegalStatus, PresentingIssue, ReferralRoute, Substance


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def make_client(
    teams: list[Team],
    *,
    figures: bool = True,
    referrals: bool = True,
    per_minute: int = 1000,
    by: User | None = None,
) -> tuple[ApiClient, str]:
    client = services.create_client(
        name=f"Mosaic {uuid.uuid4().hex[:6]}",
        teams=teams,
        can_read_figures=figures,
        can_submit_referrals=referrals,
        requests_per_minute=per_minute,
        by=by,
    )
    _token, key = services.issue_token(client=client, by=by)
    return client, key


def api(key: str | None) -> Client:
    """A test client that sends the token on every request."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return Client(headers=headers)


def member(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "adult",
        "first_name": "Carys",
        "last_name": "Evans",
        "relationship": "mother",
        "date_of_birth": "1990-02-03",
        "substances": [Substance.objects.get(code="alcohol").pk],
    }
    data.update(overrides)
    return data


def child(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "child",
        "first_name": "Dylan",
        "last_name": "Evans",
        "relationship": "child",
        "date_of_birth": date(2018, 6, 7).isoformat(),
        "legal_status": LegalStatus.objects.get(code="child-in-need").pk,
    }
    data.update(overrides)
    return data


def referral_json(team: Team, **overrides: Any) -> dict[str, Any]:
    la = team.local_authorities.order_by("pk").first() or LocalAuthority.objects.first()
    data = {
        "team": team.pk,
        "family_name": "Evans family",
        "address": "2 Station Road\nNewport",
        "postcode": "np20 1aa",
        "local_authority": la.pk,
        "household_type": "lone_mother",
        "presenting_issues": [PresentingIssue.objects.get(code="parental-substance-misuse").pk],
        "reason_for_referral": "Mother's drinking is affecting school attendance.",
        "proceedings": "none",
        "consent_given": True,
        "consent_date": timezone.localdate().isoformat(),
        "route": ReferralRoute.objects.get(code="online-form").pk,
        "referrer_name": "Rhian Social-Worker",
        "referrer_agency": "Newport City Council",
        "referrer_phone": "01633 000000",
        "referrer_email": "rhian@example.org",
        "members": [member(), child()],
    }
    data.update(overrides)
    return data
