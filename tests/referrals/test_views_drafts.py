"""Drafts never lose what was typed; possible duplicates are offered before anything is saved."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from families.models import Family, Person
from reference.models import LegalStatus, PresentingIssue, Substance
from referrals.models import Referral, ReferralDraft
from tests.factories import FamilyFactory, PersonFactory, ReferralDraftFactory, ReferralFactory
from tests.referrals.post_data import adult, child, referral_post

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def as_stored(post: dict) -> dict[str, list[str]]:
    """A POST body as the form view stores it in a draft: every value a list of strings."""
    return {k: v if isinstance(v, list) else [v] for k, v in post.items()}


def half_filled(team) -> dict:
    """Some of the form typed: the family and the mother, nothing about the referrer yet."""
    return referral_post(
        team=team,
        action="draft",
        members=[adult(first_name="Carys"), child(first_name="", last_name="", date_of_birth=None)],
        reason_for_referral="",
        referrer_name="",
        referrer_agency="",
        referrer_phone="",
        referrer_email="",
        consent_given="",
        consent_date="",
    )


def checked(page: str, name: str, value: object) -> bool:
    """Whether the checkbox or radio name=value is rendered checked."""
    marker = f'name="{name}" value="{value}"'
    start = page.index(marker)
    tag = page[page.rindex("<", 0, start) : page.index(">", start)]
    return "checked" in tag


def options(page: str, name: str) -> list[str]:
    """The option values of the select called name."""
    start = page.index(f'name="{name}"')
    return re.findall(r'<option value="([^"]*)"', page[start : page.index("</select>", start)])


def selected(page: str, name: str, value: object) -> bool:
    start = page.index(f'name="{name}"')
    select = page[start : page.index("</select>", start)]
    return f'<option value="{value}" selected>' in select


# --- Drafts ---------------------------------------------------------------------------------


def test_save_draft_stores_the_half_filled_form(referrer, team_a):
    response = login(referrer).post(reverse("referrals:new"), half_filled(team_a))

    draft = ReferralDraft.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:draft", args=[draft.pk])
    assert (draft.owner, draft.title) == (referrer, "Evans family")
    assert draft.data["family_name"] == ["Evans family"]
    assert draft.data["members-0-first_name"] == ["Carys"]
    assert not Referral.objects.exists()
    assert not Family.objects.exists()


def test_saving_a_draft_again_updates_the_same_draft(referrer, team_a):
    draft = ReferralDraftFactory(owner=referrer, data=as_stored(half_filled(team_a)))

    response = login(referrer).post(
        reverse("referrals:draft", args=[draft.pk]),
        half_filled(team_a) | {"family_name": "Evans-Price family"},
    )

    assert response["Location"] == reverse("referrals:draft", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.title == "Evans-Price family"
    assert ReferralDraft.objects.count() == 1


def test_reopening_a_draft_shows_what_was_typed_without_complaining(referrer, team_a):
    draft = ReferralDraftFactory(owner=referrer, data=as_stored(half_filled(team_a)))

    response = login(referrer).get(reverse("referrals:draft", args=[draft.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Evans family"' in page
    assert "2 Station Road" in page
    assert 'value="np20 1aa"' in page
    assert 'name="members-0-first_name" value="Carys"' in page
    alcohol = Substance.objects.get(code="alcohol").pk
    assert checked(page, "members-0-substances", alcohol)
    assert "This field is required." not in page
    assert "Please correct the errors" not in page


def test_submitting_from_the_draft_creates_the_referral_and_deletes_the_draft(referrer, team_a):
    draft = ReferralDraftFactory(owner=referrer, data=as_stored(half_filled(team_a)))

    response = login(referrer).post(
        reverse("referrals:draft", args=[draft.pk]), referral_post(team=team_a)
    )

    referral = Referral.objects.get()
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.created_by == referrer
    assert not ReferralDraft.objects.exists()


def test_a_validation_error_re_renders_everything_that_was_typed(referrer, team_a):
    post = referral_post(
        team=team_a,
        members=[
            adult(first_name="Carys", substances=("alcohol", "cocaine")),
            child(first_name="Dylan", date_of_birth=None, legal_status="child-protection"),
        ],
        issues=("parental-substance-misuse", "domestic-abuse"),
        referrer_name="Rhian Price",
        reason_for_referral="Police called twice this month.",
    )

    response = login(referrer).post(reverse("referrals:new"), post)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Give the child&#x27;s date of birth." in page
    for typed in [
        'value="Evans family"',
        "2 Station Road\nNewport</textarea>",
        'value="np20 1aa"',
        "Police called twice this month.</textarea>",
        'value="Rhian Price"',
        'value="rhian@example.org"',
        'value="01633 000000"',
        'name="members-0-first_name" value="Carys"',
        'name="members-1-first_name" value="Dylan"',
        f'name="submission_key" value="{post["submission_key"]}"',
    ]:
        assert typed in page, typed
    for code in ["parental-substance-misuse", "domestic-abuse"]:
        assert checked(page, "presenting_issues", PresentingIssue.objects.get(code=code).pk)
    assert not checked(page, "presenting_issues", PresentingIssue.objects.get(code="debt").pk)
    for code in ["alcohol", "cocaine"]:
        assert checked(page, "members-0-substances", Substance.objects.get(code=code).pk)
    legal = LegalStatus.objects.get(code="child-protection").pk
    assert selected(page, "members-1-legal_status", legal)
    assert selected(page, "team", team_a.pk)
    assert not Referral.objects.exists()


def test_another_users_draft_is_404_to_open_submit_or_delete(referrer, other_referrer, team_a):
    draft = ReferralDraftFactory(owner=other_referrer)
    client = login(referrer)

    assert client.get(reverse("referrals:draft", args=[draft.pk])).status_code == 404
    assert (
        client.post(reverse("referrals:draft", args=[draft.pk]), referral_post(team=team_a))
    ).status_code == 404
    assert client.get(reverse("referrals:draft_delete", args=[draft.pk])).status_code == 404
    assert client.post(reverse("referrals:draft_delete", args=[draft.pk])).status_code == 404
    assert ReferralDraft.objects.filter(pk=draft.pk).exists()
    assert not Referral.objects.exists()


def test_deleting_a_draft_asks_for_confirmation_first(referrer):
    draft = ReferralDraftFactory(owner=referrer, title="Evans family")
    client = login(referrer)

    confirm = client.get(reverse("referrals:draft_delete", args=[draft.pk]))

    assert confirm.status_code == 200
    assert "Delete this draft?" in confirm.content.decode()
    assert ReferralDraft.objects.filter(pk=draft.pk).exists()

    response = client.post(reverse("referrals:draft_delete", args=[draft.pk]))

    assert response["Location"] == reverse("referrals:drafts")
    assert not ReferralDraft.objects.filter(pk=draft.pk).exists()


def test_the_draft_list_and_dashboard_show_only_my_drafts(referrer, other_referrer):
    ReferralDraftFactory(owner=referrer, title="Evans family")
    ReferralDraftFactory(owner=other_referrer, title="Jenkins family")
    client = login(referrer)

    drafts = client.get(reverse("referrals:drafts")).content.decode()
    home = client.get(reverse("home")).content.decode()

    assert "Evans family" in drafts
    assert "Evans family" in home
    assert "Jenkins family" not in drafts
    assert "Jenkins family" not in home


# --- Possible duplicates --------------------------------------------------------------------


@pytest.fixture
def known(team_a):
    family = FamilyFactory(team=team_a, name="Evans household", postcode="CF10 1AA")
    PersonFactory(
        family=family, first_name="Carys", last_name="Evans", date_of_birth=date(1990, 2, 3)
    )
    ReferralFactory(team=team_a, family=family, status="closed")
    return family


def test_a_family_matching_by_name_and_birth_date_is_offered_to_staff_and_nothing_is_created(
    practitioner, team_a, known
):
    response = login(practitioner).post(reverse("referrals:new"), referral_post(team=team_a))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="possible-duplicates"' in page
    assert "Evans household" in page
    assert f'name="link_family" id="link-{known.pk}" value="{known.pk}"' in page
    assert 'value="new" checked' in page
    assert Referral.objects.count() == 1
    assert Family.objects.count() == 1
    assert Person.objects.count() == 1


def test_staff_choosing_the_known_family_record_a_rereferral_without_touching_the_family(
    practitioner, team_a, known
):
    response = login(practitioner).post(
        reverse("referrals:new"), referral_post(team=team_a, link_family=str(known.pk))
    )

    referral = Referral.objects.get(created_by=practitioner)
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert (referral.family, referral.is_rereferral) == (known, True)
    assert referral.previous_referral.family == known
    assert Family.objects.count() == 1
    # Nothing is written into the family: Dylan is on the referral, not (yet) on the record.
    assert sorted(known.members.values_list("first_name", flat=True)) == ["Carys"]
    assert sorted(referral.household.values_list("first_name", flat=True)) == ["Carys", "Dylan"]


def test_choosing_new_records_a_new_family(practitioner, team_a, known):
    response = login(practitioner).post(
        reverse("referrals:new"), referral_post(team=team_a, link_family="new")
    )

    referral = Referral.objects.get(created_by=practitioner)
    assert response.status_code == 302
    assert referral.family != known
    assert referral.is_rereferral is False
    assert Family.objects.count() == 2
    assert known.members.count() == 1


def test_a_referrer_is_told_only_that_the_team_may_know_the_family(referrer, team_a, known):
    """Issue 13.1: no name, household, dates of birth or referral history; no link."""
    client = login(referrer)
    response = client.post(reverse("referrals:new"), referral_post(team=team_a), follow=True)

    page = response.content.decode()
    referral = Referral.objects.get(created_by=referrer)
    assert referral.family != known
    assert referral.is_rereferral is False
    assert "The team may already know this family; the manager will check." in page
    # (Carys's birth date is on the page: the referrer typed it.)
    for secret in ("Evans household", "Closed at screening", "possible-duplicates"):
        assert secret not in page
    assert known.members.count() == 1


def test_a_matching_family_of_another_team_is_not_offered(referrer, team_a, team_b):
    theirs = FamilyFactory(team=team_b, name="Evans household", postcode="NP20 1AA")
    PersonFactory(
        family=theirs, first_name="Carys", last_name="Evans", date_of_birth=date(1990, 2, 3)
    )

    response = login(referrer).post(reverse("referrals:new"), referral_post(team=team_a))

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.family != theirs
    assert referral.is_rereferral is False


def test_a_referrer_cannot_attach_a_referral_to_a_family_that_was_not_offered(referrer, team_a):
    stranger = FamilyFactory(team=team_a, name="Morgan family", postcode="LL55 4UR")
    PersonFactory(
        family=stranger, first_name="Owain", last_name="Morgan", date_of_birth=date(1985, 1, 1)
    )

    client = login(referrer)
    client.post(reverse("referrals:new"), referral_post(team=team_a, link_family=str(stranger.pk)))

    assert not Referral.objects.filter(family=stranger).exists()
    for referral in Referral.objects.filter(created_by=referrer):
        page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
        assert "Owain Morgan" not in page


def test_a_user_refers_only_to_a_team_they_belong_to(other_practitioner, team_a, team_b, known):
    client = login(other_practitioner)

    form = client.get(reverse("referrals:new")).content.decode()
    response = client.post(
        reverse("referrals:new"), referral_post(team=team_a, postcode="CF10 1AA")
    )

    assert options(form, "team") == ["", str(team_b.pk)]
    page = response.content.decode()
    assert "Select a valid choice." in page
    # Team A's families are never offered to someone outside team A.
    assert 'data-testid="possible-duplicates"' not in page
    assert "Evans household" not in page
    assert not Referral.objects.filter(created_by=other_practitioner).exists()


def test_team_staff_keying_in_a_referral_see_the_household_on_record(practitioner, team_a, known):
    page = (
        login(practitioner)
        .post(reverse("referrals:new"), referral_post(team=team_a))
        .content.decode()
    )

    assert 'data-testid="possible-duplicates"' in page
    assert "Carys Evans (3 Feb 1990)" in page
    assert "Closed at screening" in page
