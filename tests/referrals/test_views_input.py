"""Bad input gets a clear form error, never a 500, and nothing is saved."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cases.models import Case
from families.models import Family, Person
from reference.models import OnwardService, ScreeningReason
from referrals.models import Referral, ReferralStatus, ScreeningDecision
from tests.factories import (
    FamilyFactory,
    PersonFactory,
    ReferralFactory,
    WaitingListEntryFactory,
    outcome,
    reason,
)
from tests.referrals.post_data import adult, child, member, referral_post

pytestmark = pytest.mark.django_db

CORRECT_ERRORS = "Please correct the errors below. Nothing you typed has been lost."


def login(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def assert_nothing_saved() -> None:
    assert Referral.objects.count() == 0
    assert Family.objects.count() == 0
    assert Person.objects.count() == 0


@pytest.fixture
def referrer_client(referrer) -> Client:
    return login(referrer)


@pytest.fixture
def manager_client(manager) -> Client:
    return login(manager)


@pytest.fixture
def submitted(team_a, referrer):
    return ReferralFactory(team=team_a, created_by=referrer)


def decision_post(referral, code: str, **extra) -> dict:
    return {
        "outcome": outcome(code).pk,
        "reason": reason(code).pk,
        "detail": "",
        "onward_service": "",
        "priority": "2",
        "version": str(referral.version),
        **extra,
    }


# --- The referral form ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "error"),
    [
        pytest.param(
            [adult(), child(date_of_birth=date.today() + timedelta(days=3))],
            "A date of birth cannot be in the future.",
            id="birth-date-in-the-future",
        ),
        pytest.param(
            [
                adult(),
                member(kind="unborn", first_name="", relationship="child", date_of_birth=None),
            ],
            "An unborn child needs a due date.",
            id="unborn-without-due-date",
        ),
        pytest.param(
            [adult(), child(date_of_birth=None)],
            "Give the child's date of birth.",
            id="child-without-birth-date",
        ),
        pytest.param(
            [child(), child(first_name="Elin")],
            "Add at least one adult (parent or carer).",
            id="no-adult",
        ),
        pytest.param(
            [adult(), adult(first_name="Gareth", relationship="father")],
            "Add at least one child or unborn child.",
            id="no-child",
        ),
        pytest.param(
            [adult(), child(substances=("cannabis",))],
            "Substances are recorded for adults.",
            id="substances-for-a-child",
        ),
        pytest.param(
            [adult(legal_status="child-in-need"), child()],
            "Legal status is recorded for children only.",
            id="legal-status-for-an-adult",
        ),
        pytest.param(
            [
                adult(),
                member(
                    kind="unborn",
                    first_name="",
                    relationship="child",
                    date_of_birth=None,
                    due_date=date.today() + timedelta(weeks=60),
                ),
            ],
            "A due date is at most 42 weeks away.",
            id="due-date-too-far",
        ),
    ],
)
def test_a_household_the_rules_refuse_is_a_form_error_and_nothing_is_saved(
    referrer_client, team_a, members, error
):
    response = referrer_client.post(
        reverse("referrals:new"), referral_post(team=team_a, members=members)
    )

    page = page_of(response)
    assert escape(error) in page
    assert CORRECT_ERRORS in page
    assert_nothing_saved()


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("consent_date", "", "Give the date the family consented."),
        ("consent_date", "2999-01-01", "The consent date cannot be in the future."),
        ("referrer_email", "not-an-email", "Enter a valid email address."),
        ("family_name", "", "This field is required."),
        ("presenting_issues", [], "This field is required."),
    ],
)
def test_a_referral_field_the_rules_refuse_is_a_form_error(
    referrer_client, team_a, field, value, error
):
    response = referrer_client.post(
        reverse("referrals:new"), referral_post(team=team_a, **{field: value})
    )

    assert escape(error) in page_of(response)
    assert_nothing_saved()


def test_the_same_referral_form_submitted_twice_redirects_to_the_first_referral(
    referrer_client, team_a, manager
):
    post = referral_post(team=team_a)

    first = referrer_client.post(reverse("referrals:new"), post)
    second = referrer_client.post(reverse("referrals:new"), post, follow=True)

    referral = Referral.objects.get()
    assert first["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert second.redirect_chain == [(reverse("referrals:detail", args=[referral.pk]), 302)]
    assert "This referral was already submitted." in second.content.decode()
    assert Family.objects.count() == 1
    assert Person.objects.count() == 2
    assert manager.notifications.count() == 1


@pytest.mark.parametrize("key", ["garbage", "", "1234", "' OR 1=1 --"])
def test_a_garbage_submission_key_still_submits_the_referral_once(referrer_client, team_a, key):
    response = referrer_client.post(
        reverse("referrals:new"), referral_post(team=team_a) | {"submission_key": key}
    )

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert isinstance(referral.submission_key, uuid.UUID)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("team", "abc"),
        ("team", "999999"),
        ("local_authority", "abc"),
        ("route", "1.5"),
        ("presenting_issues", ["abc"]),
        ("referrer_local_authority", "x"),
        ("members-0-substances", ["abc"]),
        ("members-1-legal_status", "abc"),
        ("members-0-kind", "alien"),
        ("members-0-date_of_birth", "31/31/1990"),
        ("consent_given", "maybe"),
    ],
)
def test_non_numeric_or_unknown_ids_in_the_referral_form_are_form_errors(
    referrer_client, team_a, field, value
):
    response = referrer_client.post(
        reverse("referrals:new"), referral_post(team=team_a) | {field: value}
    )

    assert CORRECT_ERRORS in page_of(response)
    assert_nothing_saved()


def test_a_tampered_member_count_is_a_form_error(referrer_client, team_a):
    response = referrer_client.post(
        reverse("referrals:new"), referral_post(team=team_a, **{"members-TOTAL_FORMS": "abc"})
    )

    page = page_of(response)
    assert CORRECT_ERRORS in page
    assert "Please submit at least 2 forms." in page
    assert 'value="Evans family"' in page
    assert_nothing_saved()


def test_a_non_numeric_link_family_is_ignored_when_no_family_was_offered(referrer_client, team_a):
    response = referrer_client.post(
        reverse("referrals:new"), referral_post(team=team_a, link_family="abc")
    )

    referral = Referral.objects.get()
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.is_rereferral is False
    assert Family.objects.count() == 1


def test_a_non_numeric_link_family_among_offered_families_asks_again(manager_client, team_a):
    known = FamilyFactory(team=team_a, postcode="NP20 1AA")

    response = manager_client.post(
        reverse("referrals:new"), referral_post(team=team_a, link_family="abc")
    )

    page = page_of(response)
    assert 'data-testid="possible-duplicates"' in page
    assert escape("Choose one of the families shown, or 'None of these'.") in page
    assert Referral.objects.count() == 0
    assert Family.objects.get() == known


def test_add_member_with_a_tampered_member_count_is_not_a_server_error(referrer_client, team_a):
    response = referrer_client.post(
        reverse("referrals:new"),
        referral_post(team=team_a, action="add_member", **{"members-TOTAL_FORMS": "abc"}),
    )

    assert response.status_code == 200
    assert_nothing_saved()


def test_add_member_adds_an_empty_member_and_keeps_what_was_typed(referrer_client, team_a):
    response = referrer_client.post(
        reverse("referrals:new"), referral_post(team=team_a, action="add_member")
    )

    page = page_of(response)
    assert 'name="members-TOTAL_FORMS" value="3"' in page
    assert 'data-testid="member-2"' in page
    assert 'value="Evans family"' in page
    # Adding a member is not a submission: no errors shown, nothing saved.
    assert CORRECT_ERRORS not in page
    assert "This field is required." not in page
    assert_nothing_saved()


def test_a_link_to_a_family_of_another_team_never_links_to_it(referrer_client, team_a, team_b):
    theirs = FamilyFactory(team=team_b, postcode="NP20 1AA")
    PersonFactory(
        family=theirs, first_name="Carys", last_name="Evans", date_of_birth=date(1990, 2, 3)
    )

    response = referrer_client.post(
        reverse("referrals:new"), referral_post(team=team_a, link_family=str(theirs.pk))
    )

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert referral.family != theirs
    assert referral.is_rereferral is False
    assert theirs.members.count() == 1


# --- The screening decision -----------------------------------------------------------------


def assert_not_decided(referral) -> None:
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED
    assert referral.version == 1
    assert not ScreeningDecision.objects.exists()


def test_a_decision_without_a_reason_is_a_form_error(manager_client, submitted):
    response = manager_client.post(
        reverse("referrals:decide", args=[submitted.pk]),
        decision_post(submitted, "accepted", reason=""),
    )

    assert "This field is required." in page_of(response)
    assert_not_decided(submitted)


def test_a_decision_reason_of_another_outcome_is_a_form_error(manager_client, submitted):
    wrong = ScreeningReason.objects.get(outcome__code="inappropriate", code="no-children")

    response = manager_client.post(
        reverse("referrals:decide", args=[submitted.pk]),
        decision_post(submitted, "accepted", reason=wrong.pk),
    )

    assert escape(
        "This reason belongs to 'Inappropriate', not 'Accepted for assessment'."
    ) in page_of(response)
    assert_not_decided(submitted)


@pytest.mark.parametrize("detail", ["", "   "])
def test_other_without_an_explanation_is_a_form_error(manager_client, submitted, detail):
    response = manager_client.post(
        reverse("referrals:decide", args=[submitted.pk]),
        decision_post(submitted, "other", detail=detail),
    )

    assert "This outcome needs a written explanation." in page_of(response)
    assert_not_decided(submitted)


def test_referred_on_without_a_service_is_a_form_error(manager_client, submitted):
    response = manager_client.post(
        reverse("referrals:decide", args=[submitted.pk]), decision_post(submitted, "referred-on")
    )

    assert "Say which service the family is referred on to." in page_of(response)
    assert_not_decided(submitted)


def test_referred_on_with_a_service_is_recorded(manager_client, submitted):
    service = OnwardService.objects.get(code="mental-health")

    response = manager_client.post(
        reverse("referrals:decide", args=[submitted.pk]),
        decision_post(submitted, "referred-on", onward_service=service.pk),
    )

    assert response.status_code == 302
    assert ScreeningDecision.objects.get().onward_service == service


def test_the_same_decision_posted_twice_is_refused_as_stale_the_second_time(
    manager_client, submitted
):
    post = decision_post(submitted, "accepted")
    url = reverse("referrals:decide", args=[submitted.pk])

    first = manager_client.post(url, post)
    second = manager_client.post(url, post)

    assert first.status_code == 302
    assert "Someone else updated this referral while you were looking at it." in page_of(second)
    assert ScreeningDecision.objects.count() == 1
    submitted.refresh_from_db()
    assert (submitted.status, submitted.version) == (ReferralStatus.ACCEPTED, 2)


def test_after_a_stale_decision_the_manager_can_confirm_it_from_the_same_page(
    manager_client, submitted
):
    url = reverse("referrals:decide", args=[submitted.pk])
    manager_client.post(url, decision_post(submitted, "accepted"))
    stale = page_of(manager_client.post(url, decision_post(submitted, "no-space", priority="1")))
    version = re.search(r'name="version" value="(\d+)"', stale).group(1)

    again = manager_client.post(
        url, decision_post(submitted, "no-space", priority="1", version=version)
    )

    assert again.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ReferralStatus.WAITING


def test_after_a_stale_allocation_the_manager_can_confirm_it_from_the_same_page(
    manager_client, team_a, referrer, practitioner
):
    referral = ReferralFactory(
        team=team_a, created_by=referrer, status=ReferralStatus.ACCEPTED, version=2
    )
    url = reverse("referrals:allocate", args=[referral.pk])

    stale = page_of(manager_client.post(url, {"worker": practitioner.pk, "version": "1"}))
    assert "Someone else updated this referral" in stale
    assert not Case.objects.exists()
    version = re.search(r'name="version" value="(\d+)"', stale).group(1)

    again = manager_client.post(url, {"worker": practitioner.pk, "version": version})

    assert again.status_code == 302
    assert Case.objects.get().worker == practitioner


def test_a_decision_on_a_closed_referral_is_refused_with_a_message(manager_client, submitted):
    submitted.status = ReferralStatus.CLOSED
    submitted.save()

    response = manager_client.post(
        reverse("referrals:decide", args=[submitted.pk]), decision_post(submitted, "accepted")
    )

    assert "A decision can no longer be recorded: the referral is closed at screening." in (
        page_of(response)
    )
    assert not ScreeningDecision.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("outcome", "abc"),
        ("outcome", "99999"),
        ("reason", "abc"),
        ("onward_service", "abc"),
        ("priority", "abc"),
        ("priority", "9"),
        ("version", "abc"),
        ("version", ""),
    ],
)
def test_non_numeric_or_unknown_ids_in_the_decision_are_form_errors(
    manager_client, submitted, field, value
):
    response = manager_client.post(
        reverse("referrals:decide", args=[submitted.pk]),
        decision_post(submitted, "accepted", **{field: value}),
    )

    page_of(response)
    assert_not_decided(submitted)


# --- First contact, allocation and the waiting list -----------------------------------------


@pytest.mark.parametrize(
    ("contacted_at", "message"),
    [
        ("garbage", "Give the date and time of the first contact."),
        ("", "Give the date and time of the first contact."),
        ("2999-01-01T10:00", "First contact cannot be in the future."),
        ("2000-01-01T10:00", "First contact cannot be before the referral was received."),
    ],
)
def test_a_wrong_first_contact_time_is_refused_with_a_message(
    manager_client, submitted, contacted_at, message
):
    response = manager_client.post(
        reverse("referrals:first_contact", args=[submitted.pk]),
        {"contacted_at": contacted_at, "version": "1", "spoken_to": "Sam", "method": "phone"},
        follow=True,
    )

    assert message in page_of(response)
    submitted.refresh_from_db()
    assert submitted.first_contact_at is None


def test_first_contact_with_a_non_numeric_version_is_refused_with_a_message(
    manager_client, submitted
):
    response = manager_client.post(
        reverse("referrals:first_contact", args=[submitted.pk]),
        {
            "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "version": "x",
            "spoken_to": "Sam",
            "method": "phone",
        },
        follow=True,
    )

    assert "This page is out of date: reload it and try again." in page_of(response)


@pytest.fixture
def accepted(team_a, referrer):
    return ReferralFactory(team=team_a, created_by=referrer, status=ReferralStatus.ACCEPTED)


@pytest.mark.parametrize(
    ("worker", "co_worker", "version", "error"),
    [
        ("abc", "", "1", "Select a valid choice."),
        ("other_practitioner", "", "1", "Select a valid choice."),
        ("referrer", "", "1", "Select a valid choice."),
        ("practitioner", "practitioner", "1", "The co-worker must be a different person."),
        ("practitioner", "abc", "1", "Select a valid choice."),
        # A tampered hidden version: refused, though crispy shows no message for hidden fields.
        ("practitioner", "", "abc", None),
        ("", "", "1", "This field is required."),
    ],
)
def test_a_wrong_allocation_is_a_form_error(
    request, manager_client, accepted, worker, co_worker, version, error
):
    def pk(value: str) -> str:
        return (
            str(request.getfixturevalue(value).pk)
            if value.isidentifier() and value != "abc"
            else value
        )

    response = manager_client.post(
        reverse("referrals:allocate", args=[accepted.pk]),
        {"worker": pk(worker), "co_worker": pk(co_worker), "version": version},
    )

    page = page_of(response)
    assert error is None or escape(error) in page
    assert not Case.objects.exists()
    accepted.refresh_from_db()
    assert accepted.status == ReferralStatus.ACCEPTED


def test_allocating_a_referral_still_awaiting_screening_is_refused_with_a_message(
    manager_client, submitted, practitioner
):
    response = manager_client.post(
        reverse("referrals:allocate", args=[submitted.pk]),
        {"worker": practitioner.pk, "version": "1"},
    )

    assert "This referral cannot be allocated: it is awaiting screening." in page_of(response)
    assert not Case.objects.exists()


@pytest.mark.parametrize("priority", ["abc", "7", ""])
def test_a_wrong_waiting_list_priority_is_a_form_error(manager_client, team_a, priority):
    entry = WaitingListEntryFactory(referral__team=team_a, priority=2)

    response = manager_client.post(
        reverse("referrals:waiting_edit", args=[entry.pk]),
        {"priority": priority, "notes": "x", "version": "1"},
    )

    page_of(response)
    entry.refresh_from_db()
    assert (entry.priority, entry.notes) == (2, "")


def test_the_waiting_list_entry_is_updated(manager_client, team_a):
    entry = WaitingListEntryFactory(referral__team=team_a, priority=2)

    response = manager_client.post(
        reverse("referrals:waiting_edit", args=[entry.pk]),
        {"priority": "1", "notes": "Ready when Sian has space.", "version": "1"},
    )

    assert response["Location"] == reverse("referrals:waiting_list")
    entry.refresh_from_db()
    assert (entry.priority, entry.notes) == (1, "Ready when Sian has space.")
