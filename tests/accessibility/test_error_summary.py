"""A refused form shows the GOV.UK-style error summary at the top, linked to its fields,
and the page title says "Error: " (focus moves to the summary in app.js)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import CaseFactory, FamilyFactory

pytestmark = pytest.mark.django_db


def test_sign_in_with_an_empty_form_lists_each_field_linked(client: Client):
    page = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()
    summary = page[
        page.index('id="error-summary"') : page.index("</ul>", page.index('id="error-summary"'))
    ]
    assert 'tabindex="-1"' in page[page.index('id="error-summary"') - 200 :][:400]
    assert "There is a problem" in summary
    assert 'href="#id_username"' in summary
    assert 'href="#id_password"' in summary
    assert "<title>Error: Sign in" in page


def test_a_good_page_has_no_summary_and_no_error_title(client: Client):
    page = client.get(reverse("login")).content.decode()
    assert 'id="error-summary"' not in page
    assert "<title>Error:" not in page


def test_a_refused_case_form_names_the_family_and_says_error(practitioner, team_a):
    family = FamilyFactory(team=team_a, name="Rees family")
    case = CaseFactory(team=team_a, worker=practitioner, referral__family=family)
    client = Client()
    client.force_login(practitioner)
    response = client.post(
        reverse("cases:start_assessment", args=[case.pk]), {"started_at": "not a date"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in page
    title = page[page.index("<title>") : page.index("</title>")]
    assert title.startswith("<title>Error: ")
    assert "Rees family" in title
