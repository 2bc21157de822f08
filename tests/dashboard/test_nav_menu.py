"""The main menu is rendered once per process for each set of roles and language
(templates/includes/_nav.html, a cached fragment): every role still gets its own menu, in
its own language, and a change of role shows at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db

# A link only a manager's menu has, one only staff have, and one every referrer has.
SCREENING = f'href="{reverse("referrals:screening")}"'
CASELOAD = f'href="{reverse("cases:list")}"'
NEW_REFERRAL = f'href="{reverse("referrals:new")}"'
AUDIT = f'href="{reverse("audit:log")}"'


def page(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    return response.content.decode()


def member(team, role: Role, **user):
    return MembershipFactory(team=team, role=role, user=UserFactory(**user)).user


def test_each_role_gets_its_own_menu_one_after_another() -> None:
    team = TeamFactory()
    manager = member(team, Role.MANAGER)
    referrer = member(team, Role.REFERRER)
    board = member(team, Role.BOARD)

    for _ in range(2):  # the second round is read from the cache
        as_manager, as_referrer, as_board = page(manager), page(referrer), page(board)
        assert SCREENING in as_manager and AUDIT in as_manager and CASELOAD in as_manager
        assert NEW_REFERRAL in as_referrer
        for link in (SCREENING, AUDIT, CASELOAD):
            assert link not in as_referrer, link
            assert link not in as_board, link


def test_the_menu_is_in_the_users_language() -> None:
    team = TeamFactory()
    english = member(team, Role.MANAGER, language="en")
    welsh = member(team, Role.MANAGER, language="cy")
    with translation.override("cy"):
        screening_cy = translation.gettext("Screening")
    assert screening_cy != "Screening"

    assert f">{screening_cy}<" not in page(english)
    assert f">{screening_cy}<" in page(welsh)
    assert ">Screening<" in page(english)


def test_a_new_role_shows_on_the_next_page() -> None:
    team = TeamFactory()
    user = member(team, Role.PRACTITIONER)
    assert SCREENING not in page(user)

    user.memberships.update(role=Role.MANAGER)

    assert SCREENING in page(user)


def test_nothing_personal_is_kept_with_the_menu() -> None:
    """The name and the sign-out form (its CSRF token) are the user's own on every page."""
    team = TeamFactory()
    first = member(team, Role.MANAGER, first_name="Ffion", last_name="Evans")
    second = member(team, Role.MANAGER, first_name="Gareth", last_name="Jones")

    page(first)
    as_second = page(second)

    assert str(second) in as_second
    assert str(first) not in as_second


def test_every_variable_the_cached_menu_reads_is_in_its_key() -> None:
    """A condition added to the menu on something not in the key would show one user's menu
    to another: every variable the fragment (and what it includes) reads must be in the key."""
    templates = Path(settings.BASE_DIR) / "templates"
    nav = (templates / "includes" / "_nav.html").read_text()
    opening = re.search(r"{% cache \d+ nav_menu ([^%]+)%}", nav)
    assert opening, "the menu is no longer a cached fragment: update this test"
    key = set(opening.group(1).split())
    fragment = nav[opening.end() : nav.index("{% endcache %}")]
    for included in re.findall(r'{% include "([^"]+)"', fragment):
        fragment += (templates / included).read_text()
    tags = " ".join(
        tag + value for tag, value in re.findall(r"{%(.*?)%}|{{(.*?)}}", fragment, re.S)
    )
    read = set(re.findall(r"\b(?:nav|user|request|perms)\.[\w.]+", tags))
    assert read, "no variable found: the test no longer reads the menu"
    assert read <= key, sorted(read - key)
