"""Consent and information sharing: what each family member agreed to, and who may be told.
The latest record per person and topic is the one in force; earlier ones stay as history."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from families.models import Consent
from tests.factories import CaseFactory, FamilyFactory, PersonFactory
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def family(team_a, practitioner):
    family = FamilyFactory(team=team_a, name="Evans family")
    CaseFactory(team=team_a, worker=practitioner, referral__family=family)
    return family


@pytest.fixture
def mother(family):
    return PersonFactory(family=family, first_name="Carys", last_name="Evans")


def consent_url(family) -> str:
    return reverse("families:consent", args=[family.pk])


def post_consent(client: Client, family, member, **overrides):
    data = {
        "person": member.pk,
        "topic": "sharing",
        "agreed": "yes",
        "who_may_be_told": "Health visitor, school",
        "recorded_on": timezone.localdate().isoformat(),
        "notes": "Signed at the home visit.",
    }
    data.update(overrides)
    return client.post(consent_url(family), data)


def table_rows(page: str) -> list[str]:
    table = re.search(r'data-testid="consents">(.*?)</table>', page, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows]


def test_consent_is_recorded_and_listed(practitioner, family, mother) -> None:
    client = login(practitioner)

    response = post_consent(client, family, mother)

    assert response.status_code == 302
    assert response["Location"] == consent_url(family)
    consent = Consent.objects.get()
    assert (consent.person, consent.topic, consent.agreed) == (mother, "sharing", True)
    assert consent.who_may_be_told == "Health visitor, school"
    assert consent.recorded_by == practitioner
    rows = table_rows(client.get(consent_url(family)).content.decode())
    assert len(rows) == 1
    assert "Carys Evans" in rows[0]
    assert "Sharing information with partner agencies" in rows[0]
    assert "Yes" in rows[0]
    assert "Health visitor, school" in rows[0]


def test_the_latest_record_per_topic_comes_first_and_the_history_stays(
    practitioner, family, mother
) -> None:
    client = login(practitioner)
    today = timezone.localdate()
    post_consent(client, family, mother, recorded_on=(today - timedelta(days=30)).isoformat())
    post_consent(client, family, mother, agreed="no", who_may_be_told="")
    post_consent(client, family, mother, topic="evaluation", agreed="yes")

    rows = table_rows(client.get(consent_url(family)).content.decode())

    sharing = [r for r in rows if "Sharing information" in r]
    assert len(sharing) == 2
    assert "No" in sharing[0] and today.strftime("%-d %b %Y") in sharing[0]
    assert "Yes" in sharing[1]
    assert any("Taking part in evaluation" in r for r in rows)
    assert Consent.objects.count() == 3


def test_a_consent_dated_in_the_future_is_refused_with_a_form_error(
    practitioner, family, mother
) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = post_consent(login(practitioner), family, mother, recorded_on=tomorrow.isoformat())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Consent cannot be recorded in the future." in page
    assert 'value="Health visitor, school"' in page  # what was typed is kept
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"topic": "selling-data"},
        {"agreed": "maybe"},
        {"agreed": ""},
        {"recorded_on": "not a date"},
        {"person": "999999"},
        {"who_may_be_told": "x" * 301},
    ],
)
def test_invalid_consent_input_is_refused_and_nothing_saved(
    practitioner, family, mother, overrides
) -> None:
    response = post_consent(login(practitioner), family, mother, **overrides)

    assert response.status_code == 200
    assert not Consent.objects.exists()


def test_a_member_of_another_family_cannot_be_named(practitioner, team_a, family, mother) -> None:
    stranger = PersonFactory(family=FamilyFactory(team=team_a), first_name="Stranger")

    response = post_consent(login(practitioner), family, stranger)

    assert response.status_code == 200
    assert not Consent.objects.exists()
    assert "Stranger" not in response.content.decode()


@pytest.mark.parametrize("who", ["other_manager", "other_practitioner", "referrer", "board_member"])
def test_outsiders_get_404_and_cannot_record_consent(request, who, family, mother) -> None:
    client = login(request.getfixturevalue(who))

    assert client.get(consent_url(family)).status_code == 404
    assert post_consent(client, family, mother).status_code == 404
    assert not Consent.objects.exists()


def test_consent_notes_with_markup_are_shown_escaped(practitioner, family, mother) -> None:
    client = login(practitioner)
    post_consent(client, family, mother, who_may_be_told="<script>alert(1)</script>")

    page = client.get(consent_url(family)).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
