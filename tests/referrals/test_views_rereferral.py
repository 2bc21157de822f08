"""Re-referrals on the referral page (issues 13.1 and 14.3): each referral shows the household
as it was referred; a manager links a referral to a known family and applies the
differences one by one; staff see the family's previous involvement, with links."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from cases.services import restrict_case
from families.models import Person
from referrals import services
from referrals.models import FamilyUpdate, Referral
from tests.factories import CaseFactory, MembershipFactory, UserFactory
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture
from tests.referrals.test_services import make_data, mother, son, substances

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submit(user, team, **data):
    return services.submit_referral(
        user=user, data=make_data(team, **data), submission_key=uuid.uuid4()
    )


@pytest.fixture
def episode(team_a, referrer, practitioner):
    """An earlier referral of the Evans family, allocated: its case."""
    first = submit(referrer, team_a)
    Referral.objects.filter(pk=first.pk).update(status="allocated")
    return CaseFactory(team=team_a, worker=practitioner, referral=first, family=first.family)


def test_a_rereferral_never_changes_what_the_original_referral_page_shows(
    team_a, referrer, other_referrer, manager, episode
):
    """Issue 14.3: the adult's substances were blanked on the original referral."""
    original = reverse("referrals:detail", args=[episode.referral_id])
    before = login(manager).get(original).content.decode()
    assert "Alcohol" in before

    again = submit(other_referrer, team_a, members=[mother(substances=[]), son()])
    response = login(manager).post(
        reverse("referrals:link_family", args=[again.pk]),
        {"family": episode.family_id, "version": again.version},
    )

    assert response.status_code == 302
    again.refresh_from_db()
    assert again.family_id == episode.family_id
    assert login(manager).get(original).content.decode().count("Alcohol") == before.count("Alcohol")
    carys = Person.objects.get(family=episode.family, first_name="Carys")
    assert {s.code for s in carys.substances.all()} == {"alcohol", "cannabis"}


def test_the_manager_sees_the_differences_and_applies_one_on_purpose(
    team_a, other_referrer, manager, episode
):
    again = submit(
        other_referrer,
        team_a,
        address="9 Other Street",
        members=[mother(substances=substances("heroin")), son()],
    )
    services.link_referral_to_family(
        referral_id=again.pk, user=manager, family_id=episode.family_id
    )
    url = reverse("referrals:detail", args=[again.pk])

    page = login(manager).get(url).content.decode()
    assert 'data-testid="family-differences"' in page
    assert "9 Other Street" in page
    again.refresh_from_db()
    diff = next(d for d in services.family_differences(again) if d.key == "family:address")
    login(manager).post(
        reverse("referrals:apply_update", args=[again.pk]), {"key": diff.key, "before": diff.before}
    )

    episode.family.refresh_from_db()
    assert episode.family.address == "9 Other Street"
    assert FamilyUpdate.objects.get().applied_by == manager
    assert "Applied from this referral" in login(manager).get(url).content.decode()


def test_the_referrer_sees_only_what_they_referred(team_a, other_referrer, manager, episode):
    again = submit(other_referrer, team_a, family_name="Evans (as I know them)")
    services.link_referral_to_family(
        referral_id=again.pk, user=manager, family_id=episode.family_id
    )

    page = login(other_referrer).get(reverse("referrals:detail", args=[again.pk]))

    text = page.content.decode()
    assert "Evans (as I know them)" in text
    assert 'data-testid="previous-involvement"' not in text
    assert 'data-testid="family-differences"' not in text
    assert reverse("cases:detail", args=[episode.pk]) not in text


def test_staff_see_the_previous_involvement_with_links(team_a, other_referrer, manager, episode):
    from reviews.models import Review

    review = Review.objects.create(
        case=episode, offset_months=1, due_on=episode.allocated_at.date(), held_on=None
    )
    again = submit(other_referrer, team_a)
    services.link_referral_to_family(
        referral_id=again.pk, user=manager, family_id=episode.family_id
    )

    page = login(manager).get(reverse("referrals:detail", args=[again.pk])).content.decode()

    assert 'data-testid="previous-involvement"' in page
    assert reverse("referrals:detail", args=[episode.referral_id]) in page
    assert reverse("cases:detail", args=[episode.pk]) in page
    assert review.pk  # an unheld review is not linked as held


def test_an_unnamed_manager_cannot_open_a_restricted_familys_referral_pages(
    team_a, other_referrer, manager, episode
):
    """Issue 13.2: managed_by ignored restrictions (decide, allocate, first contact...)."""
    unnamed = UserFactory(username="manager2_a")
    MembershipFactory(user=unnamed, team=team_a, role="manager")
    restrict_case(case_id=episode.pk, user=manager, restricted=True, people=[])
    again = submit(manager, team_a)
    services.link_referral_to_family(
        referral_id=again.pk, user=manager, family_id=episode.family_id
    )
    client = login(unnamed)

    for name in ("detail", "decide", "allocate"):
        assert client.get(reverse(f"referrals:{name}", args=[again.pk])).status_code == 404
    assert client.post(reverse("referrals:first_contact", args=[again.pk])).status_code == 404
    for name in ("screening", "waiting_list", "list"):
        assert "Evans" not in client.get(reverse(f"referrals:{name}")).content.decode()
    assert login(manager).get(reverse("referrals:decide", args=[again.pk])).status_code == 200


def test_a_rereferral_never_changes_the_earlier_case_page(
    team_a, other_referrer, manager, practitioner, episode
):
    """Issue 14.3: the closed case's household lost an adult's substances."""
    url = reverse("cases:detail", args=[episode.pk])
    before = login(practitioner).get(url).content.decode()
    assert "Alcohol" in before

    again = submit(other_referrer, team_a, members=[mother(substances=[]), son(legal_status=None)])
    services.link_referral_to_family(
        referral_id=again.pk, user=manager, family_id=episode.family_id
    )

    after = login(practitioner).get(url).content.decode()
    for word in ("Alcohol", "Cannabis", "Child Protection", "2 Station Road"):
        assert after.count(word) == before.count(word), word


def test_the_manager_is_offered_the_known_family_on_the_referral_page(
    team_a, other_referrer, manager, episode
):
    again = submit(other_referrer, team_a, postcode="np201aa", family_name="Another name")
    url = reverse("referrals:detail", args=[again.pk])

    page = login(manager).get(url).content.decode()
    referrer_page = login(other_referrer).get(url).content.decode()

    assert 'data-testid="possible-matches"' in page
    assert f'name="family" value="{episode.family_id}"' in page
    assert 'data-testid="possible-matches"' not in referrer_page
    assert "Evans family" not in referrer_page
