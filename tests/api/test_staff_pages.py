"""System administrators create clients and issue and revoke their tokens in the app; the
key is shown once and only its digest is kept."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from api.models import ApiClient, ApiToken
from api.services import digest
from tests.api.support import _fresh_rate_limits, api  # noqa: F401 - autouse fixture
from tests.factories import MembershipFactory, UserFactory
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin():
    return UserFactory(username="sysadmin", is_staff=True, is_superuser=True)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_issues_a_token_shown_once_and_revokes_it(sysadmin, team_a):
    browser = signed_in(sysadmin)
    response = browser.post(
        reverse("api:client_new"),
        {
            "name": "Newport WCCIS",
            "teams": [team_a.pk],
            "can_submit_referrals": "on",
            "requests_per_minute": "60",
        },
    )
    client = ApiClient.objects.get(name="Newport WCCIS")
    assert response.status_code == 302
    assert client.scopes == ["submit_referrals"] and list(client.teams.all()) == [team_a]
    assert not client.user.is_active and not client.user.has_usable_password()

    issued = browser.post(reverse("api:token_issue", args=[client.pk]))
    assert issued.status_code == 200 and issued["Cache-Control"] == "no-store"
    key = issued.context["key"]
    assert key in issued.content.decode()
    token = ApiToken.objects.get(client=client)
    assert token.digest == digest(key) and key not in (token.digest, token.prefix)
    assert key not in browser.get(reverse("api:client", args=[client.pk])).content.decode()
    assert api(key).get(reverse("api:reference")).status_code == 200

    browser.post(reverse("api:token_revoke", args=[client.pk, token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == sysadmin
    assert api(key).get(reverse("api:reference")).status_code == 401
    page = browser.get(reverse("api:client", args=[client.pk])).content.decode()
    assert "GET /api/v1/reference/" in page  # the calls, with their status, are listed


def test_a_client_needs_a_scope_and_a_unique_name(sysadmin, team_a):
    browser = signed_in(sysadmin)
    data = {"name": "Mosaic", "teams": [team_a.pk], "requests_per_minute": "60"}
    response = browser.post(reverse("api:client_new"), data)
    assert "Give the client at least one scope." in response.content.decode()
    browser.post(reverse("api:client_new"), {**data, "can_read_figures": "on"})
    response = browser.post(reverse("api:client_new"), {**data, "can_read_figures": "on"})
    assert "A client of this name exists already." in response.content.decode()
    assert ApiClient.objects.count() == 1
    response = browser.post(reverse("api:client_new"), {**data, "requests_per_minute": "x"})
    assert response.status_code == 200 and 'value="Mosaic"' in response.content.decode()


def test_an_administrator_changes_a_clients_scopes_and_teams(sysadmin, team_a, team_b):
    from tests.api.support import make_client

    client, key = make_client([team_a])
    signed_in(sysadmin).post(
        reverse("api:client", args=[client.pk]),
        {
            "teams": [team_b.pk],
            "can_read_figures": "on",
            "requests_per_minute": "5",
            "version": client.version,
        },
    )
    client.refresh_from_db()
    assert client.scopes == ["read_figures"] and list(client.teams.all()) == [team_b]
    assert api(key).get(reverse("api:reference")).json()["teams"][0]["id"] == team_b.pk


@pytest.mark.parametrize("role", [Role.MANAGER, Role.PERFORMANCE, Role.REFERRER, Role.BOARD])
def test_nobody_but_an_administrator_reaches_the_client_pages(role, team_a):
    from tests.api.support import make_client

    client, _key = make_client([team_a])
    token = client.tokens.get()
    user = UserFactory()
    MembershipFactory(user=user, team=team_a, role=role)
    browser = signed_in(user)
    for name, args in [
        ("api:clients", []),
        ("api:client_new", []),
        ("api:client", [client.pk]),
    ]:
        assert browser.get(reverse(name, args=args)).status_code == 404
    assert browser.post(reverse("api:token_issue", args=[client.pk])).status_code == 404
    revoke = reverse("api:token_revoke", args=[client.pk, token.pk])
    assert browser.post(revoke).status_code == 404
    assert ApiToken.objects.get().revoked_at is None and ApiToken.objects.count() == 1


def test_a_session_is_no_token(manager):
    """A signed-in person calling a client's route without a token gets 401, not data."""
    from tests.api.test_api import ROUTES

    browser = signed_in(manager)
    for name, (method, args) in ROUTES.items():
        if name in ("api:schema", "api:docs"):
            continue  # the schema and its docs are for staff too (tests/api/test_contract.py)
        response = getattr(browser, method)(reverse(name, args=args))
        assert response.status_code == 401, name
        assert response["Content-Type"] == "application/problem+json"


def test_the_client_list_costs_the_same_queries_for_one_client_or_six(sysadmin, team_a, team_b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.api.support import make_client

    browser = signed_in(sysadmin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert browser.get(reverse("api:clients")).status_code == 200
        return len(ctx.captured_queries)

    make_client([team_a])
    queries()  # the first page of a session writes it
    one = queries()
    for _ in range(5):
        make_client([team_a, team_b])
    assert queries() == one


def test_the_menu_links_the_data_return_and_the_client_pages(sysadmin, board_member):
    page = signed_in(sysadmin).get("/").content.decode()
    assert reverse("api:clients") in page and reverse("datareturn:page") in page
    page = signed_in(board_member).get("/").content.decode()
    assert reverse("datareturn:page") in page and reverse("api:clients") not in page
