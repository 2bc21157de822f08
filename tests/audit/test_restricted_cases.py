"""Restricted cases (a staff member's relative, say): a manager limits a case to named
people. Everyone else in the team gets 404 everywhere the family shows, as if it did not
exist; lifting the restriction gives access back."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Case
from tests.factories import (
    CaseFactory,
    FamilyFactory,
    MembershipFactory,
    PersonFactory,
    UserFactory,
)
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db

FAMILY = "Restricted-Evans family"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(team_a, practitioner) -> Case:
    family = FamilyFactory(team=team_a, name=FAMILY, postcode="CF99 9ZZ")
    PersonFactory(family=family, first_name="Delyth", last_name="Evans")
    return CaseFactory(team=team_a, worker=practitioner, referral__family=family)


def restrict(manager, case: Case, people: list, on: bool = True):
    # A browser always sends the CSRF token; without any field the view sees no POST.
    # And the version the form carries (a stale restriction is refused).
    version = Case.objects.values_list("version", flat=True).get(pk=case.pk)
    data = {"people": [p.pk for p in people], "csrfmiddlewaretoken": "x", "version": version}
    if on:
        data["restricted"] = "on"
    return login(manager).post(reverse("cases:restrict", args=[case.pk]), data)


def family_pages(case: Case) -> list[str]:
    return [
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:add_contact", args=[case.pk]),
        reverse("cases:start_assessment", args=[case.pk]),
        reverse("outcomes:add_goal", args=[case.pk]),
        reverse("referrals:detail", args=[case.referral_id]),
        reverse("families:consent", args=[case.family_id]),
    ]


def in_case_list(user, case: Case) -> bool:
    client = login(user)
    pages = [
        client.get(reverse("cases:list")).content.decode(),
        client.get(reverse("cases:list"), {"q": "Restricted"}).content.decode(),
        client.get(reverse("referrals:list")).content.decode(),
        client.get("/").content.decode(),
    ]
    return any(FAMILY in page for page in pages)


def test_only_the_named_people_the_worker_and_the_manager_see_a_restricted_case(
    manager, practitioner, practitioner2, csw, performance_officer, case
) -> None:
    response = restrict(manager, case, [csw])

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.restricted
    assert set(case.restricted_to.all()) == {manager, practitioner, csw}
    for user in (manager, practitioner, csw):
        client = login(user)
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200, user
        assert client.get(reverse("referrals:detail", args=[case.referral_id])).status_code == 200
        assert client.get(reverse("families:consent", args=[case.family_id])).status_code == 200
        assert in_case_list(user, case), user
    for user in (practitioner2, performance_officer):
        client = login(user)
        for url in family_pages(case):
            assert client.get(url).status_code == 404, (user, url)
        consent = client.post(reverse("families:consent", args=[case.family_id]), {})
        assert consent.status_code == 404
        assert not in_case_list(user, case), user


def test_a_restricted_case_disappears_from_another_practitioners_case_list(
    manager, practitioner, practitioner2, case
) -> None:
    assert in_case_list(practitioner2, case)

    restrict(manager, case, [])

    assert not in_case_list(practitioner2, case)
    assert in_case_list(practitioner, case)


def test_the_case_list_filtered_by_stage_hides_a_restricted_case_too(
    manager, practitioner, practitioner2, case
) -> None:
    restrict(manager, case, [])

    for user, shown in ((practitioner, True), (practitioner2, False)):
        response = login(user).get(reverse("cases:list"), {"stage": "awaiting_assessment"})
        assert response.status_code == 200
        assert (FAMILY in response.content.decode()) is shown


def test_lifting_the_restriction_gives_access_back(
    manager, practitioner, practitioner2, csw, case
) -> None:
    restrict(manager, case, [csw])
    assert login(practitioner2).get(reverse("cases:detail", args=[case.pk])).status_code == 404

    response = restrict(manager, case, [], on=False)

    assert response.status_code == 302
    case.refresh_from_db()
    assert not case.restricted
    assert not case.restricted_to.exists()
    client = login(practitioner2)
    for url in (
        reverse("cases:detail", args=[case.pk]),
        reverse("referrals:detail", args=[case.referral_id]),
        reverse("families:consent", args=[case.family_id]),
    ):
        assert client.get(url).status_code == 200, url
    assert in_case_list(practitioner2, case)


@pytest.mark.parametrize("who", ["practitioner", "practitioner2", "csw", "performance_officer"])
def test_nobody_but_a_manager_of_the_team_reaches_the_restrict_page(request, who, case) -> None:
    client = login(request.getfixturevalue(who))

    assert client.get(reverse("cases:restrict", args=[case.pk])).status_code == 404
    response = client.post(reverse("cases:restrict", args=[case.pk]), {"restricted": "on"})

    assert response.status_code == 404
    case.refresh_from_db()
    assert not case.restricted


@pytest.mark.parametrize("who", ["other_manager", "referrer", "board_member"])
def test_outsiders_get_404_on_the_restrict_page(request, who, case) -> None:
    client = login(request.getfixturevalue(who))

    assert client.get(reverse("cases:restrict", args=[case.pk])).status_code == 404
    response = client.post(reverse("cases:restrict", args=[case.pk]), {"restricted": "on"})
    assert response.status_code == 404


def test_the_restrict_page_offers_only_the_teams_staff(
    manager, practitioner2, csw, other_practitioner, referrer, board_member, case
) -> None:
    page = login(manager).get(reverse("cases:restrict", args=[case.pk])).content.decode()

    assert practitioner2.get_full_name() in page
    assert csw.get_full_name() in page
    for outsider in (other_practitioner, referrer, board_member):
        assert outsider.get_full_name() not in page

    response = restrict(manager, case, [other_practitioner])
    assert response.status_code == 200  # refused: not one of the team's staff
    case.refresh_from_db()
    assert not case.restricted


def test_the_referrer_who_made_the_referral_still_sees_its_status(
    manager, referrer, team_a, practitioner
) -> None:
    family = FamilyFactory(team=team_a, name=FAMILY)
    case = CaseFactory(
        team=team_a, worker=practitioner, referral__family=family, referral__created_by=referrer
    )
    restrict(manager, case, [])

    client = login(referrer)
    assert client.get(reverse("referrals:detail", args=[case.referral_id])).status_code == 200
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404


def test_another_manager_of_the_team_not_named_is_kept_out_of_the_case(
    manager, team_a, case
) -> None:
    second = UserFactory(username="manager2_a")
    MembershipFactory(user=second, team=team_a, role="manager")
    restrict(manager, case, [])

    client = login(second)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:restrict", args=[case.pk])).status_code == 404
    assert client.get(reverse("families:consent", args=[case.family_id])).status_code == 404


def test_another_manager_not_named_cannot_find_or_export_the_family_by_subject_access(
    manager, team_a, case
) -> None:
    second = UserFactory(username="manager2_a")
    MembershipFactory(user=second, team=team_a, role="manager")
    restrict(manager, case, [])
    person = case.family.members.get()
    client = login(second)

    search = client.get(reverse("privacy:subject_access"), {"name": "Delyth"})
    export = client.post(reverse("privacy:subject_access_export", args=[person.pk]))

    # The search box echoes what was typed; the person's full name must not be listed.
    assert person.full_name not in search.content.decode()
    assert export.status_code == 404


def test_superusers_see_restricted_cases(case, manager) -> None:
    restrict(manager, case, [])
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)

    assert login(admin).get(reverse("cases:detail", args=[case.pk])).status_code == 200
