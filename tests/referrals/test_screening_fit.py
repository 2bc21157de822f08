"""Screening reasons follow the outcome, and first contact says who, how and a note."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reference.models import ScreeningReason
from referrals.models import ScreeningDecision
from tests.factories import ReferralFactory, outcome

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


@pytest.fixture
def submitted(team_a, referrer):
    return ReferralFactory(team=team_a, created_by=referrer)


def test_every_reason_names_its_outcome_and_the_list_follows_the_outcome(
    client, manager, submitted
):
    client.force_login(manager)

    page = client.get(reverse("referrals:decide", args=[submitted.pk])).content.decode()

    assert 'data-follows="outcome"' in page
    options = re.findall(r'<option value="(\d+)"[^>]*data-outcome="(\d+)"', page)
    named = {int(pk): int(outcome_id) for pk, outcome_id in options}
    reasons = dict(ScreeningReason.objects.active().values_list("pk", "outcome_id"))
    assert named == reasons
    # Without script the reasons are still grouped by their outcome.
    assert f'<optgroup label="{outcome("accepted")}">' in page


def test_a_reason_of_another_outcome_is_still_refused_by_the_server(client, manager, submitted):
    client.force_login(manager)
    other = ScreeningReason.objects.filter(outcome=outcome("no-space")).first()

    response = client.post(
        reverse("referrals:decide", args=[submitted.pk]),
        {
            "outcome": outcome("accepted").pk,
            "reason": other.pk,
            "detail": "",
            "onward_service": "",
            "priority": "2",
            "version": str(submitted.version),
        },
    )

    assert response.status_code == 200
    assert "This reason belongs to" in response.content.decode()
    assert not ScreeningDecision.objects.exists()


def _contact(client, referral, **extra):
    return client.post(
        reverse("referrals:first_contact", args=[referral.pk]),
        {
            "version": str(referral.version),
            "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "spoken_to": "Sam Social-Worker",
            "method": "video",
            "note": "Agreed to share the school report",
            **extra,
        },
    )


def test_first_contact_records_who_how_and_a_note_and_shows_them(client, manager, submitted):
    client.force_login(manager)

    response = _contact(client, submitted)

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (
        submitted.first_contact_with,
        submitted.first_contact_method,
        submitted.first_contact_note,
    ) == ("Sam Social-Worker", "video", "Agreed to share the school report")
    page = client.get(reverse("referrals:detail", args=[submitted.pk])).content.decode()
    assert "Video call · Sam Social-Worker" in page
    assert "Agreed to share the school report" in page


def test_first_contact_without_who_or_how_is_refused_and_keeps_what_was_typed(
    client, manager, submitted
):
    client.force_login(manager)

    response = _contact(client, submitted, spoken_to="", method="")

    assert response.status_code == 200
    page = response.content.decode()
    # Each field's message is shown once by its field and once in the error summary at the
    # top of the page (with a link to the field).
    summary, _sep, form = page.partition('id="error-summary"')[2].partition("</ul>")
    assert summary.count("This field is required.") == 2
    assert form.count("This field is required.") == 2
    assert "Agreed to share the school report" in page
    submitted.refresh_from_db()
    assert submitted.first_contact_at is None


def test_a_first_contact_note_over_500_characters_is_refused(client, manager, submitted):
    client.force_login(manager)

    response = _contact(client, submitted, note="x" * 501)

    assert response.status_code == 200
    assert "at most 500 characters" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.first_contact_at is None
