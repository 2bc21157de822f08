"""Small things on the referral form: "Add another member" works in the page (the formset's
blank member as a template), and the consent date is marked required exactly while consent
is "Yes", which the server enforces."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral
from tests.referrals.post_data import referral_post

pytestmark = pytest.mark.django_db

NEW = "/referrals/new/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def marker(page: str) -> str:
    found = re.search(
        r'<span class="required-when[^"]*" data-required-marker="consent_date"[^>]*>', page
    )
    assert found, "no required marker for the consent date"
    return found.group(0)


def test_the_url():
    assert reverse("referrals:new") == NEW


def test_the_page_carries_a_blank_member_to_add_without_a_post(referrer):
    page = login(referrer).get(NEW).content.decode()

    template = page.split('<template id="member-template"')[1].split("</template>")[0]
    assert 'name="members-__prefix__-last_name"' in template
    assert 'data-testid="member-__prefix__"' in template
    assert "Member __number__" in template
    assert "data-add-member" in page and "data-members-end" in page
    # The two members the form starts with are real, numbered members.
    assert 'data-testid="member-1"' in page and 'name="members-1-last_name"' in page


def test_the_consent_date_is_marked_required_only_while_consent_is_yes(referrer, team_a):
    client = login(referrer)
    assert " hidden" in marker(client.get(NEW).content.decode())  # nothing answered yet
    assert 'data-required-when="consent_given=yes"' in client.get(NEW).content.decode()

    said_yes = client.post(NEW, referral_post(team=team_a, consent_given="yes", consent_date=""))
    page = said_yes.content.decode()
    assert said_yes.status_code == 200
    assert " hidden" not in marker(page)
    assert "Give the date the family consented." in page
    assert not Referral.objects.exists()

    said_no = client.post(
        NEW, referral_post(team=team_a, consent_given="no", consent_date="", family_name="")
    )
    assert " hidden" in marker(said_no.content.decode())


@pytest.mark.parametrize(
    ("consent", "days_ago", "accepted"),
    [("yes", 0, True), ("yes", -1, False), ("yes", None, False), ("no", None, True)],
)
def test_the_server_holds_the_rule_at_its_boundary(referrer, team_a, consent, days_ago, accepted):
    date = "" if days_ago is None else (timezone.localdate() - timedelta(days=days_ago)).isoformat()
    login(referrer).post(NEW, referral_post(team=team_a, consent_given=consent, consent_date=date))
    assert Referral.objects.exists() is accepted
