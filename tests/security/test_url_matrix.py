"""Every URL of the project × every role, against the access matrix (issue 6).

The matrix lives in tests/security/access_matrix.py (and, in words, docs/access-matrix.md).
- A named URL without an entry in the matrix fails test_every_url_is_in_the_matrix.
- GET: each role gets the status the matrix gives; anonymous users go to the login page.
- POST: a role that must not reach a record gets 404 for an empty form, and nothing in the
  database changes; an anonymous POST goes to the login page and changes nothing.
- Restricted cases: only the people named on them see them, wherever they are listed.

The world is built once per module inside a transaction rolled back at the end; each test
runs in its own savepoint, so what a POST changes is undone before the next test.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests.security.access_matrix import (
    MATRIX,
    POST_DENIED_OVERRIDES,
    ROLES,
    TOKEN_ROUTES,
    URL_KWARGS,
    World,
    build_world,
    post_denied,
)

pytestmark = pytest.mark.django_db

LOGIN_PATH = "/accounts/login/"
# Pages anyone may open without signing in.
PUBLIC = {"login", "healthz", "readyz", "set_language", "javascript_catalog"}
# A public route's status for a signed-out GET, when it is not 200.
PUBLIC_GET = {"set_language": 405}

# Known breaches of the matrix: (url name, role) -> what is wrong. Each one is marked
# xfail(strict=True), so the test starts failing (and must be unlisted) once it is fixed.
KNOWN_GET_BUGS: dict[tuple[str, str], str] = {}
KNOWN_POST_BUGS: dict[tuple[str, str], str] = {}


# role -> session key, signed in once per module
SESSIONS: dict[str, str] = {}


# --- the world, once per module -----------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            # Sign every role in once: each test then only sets the session cookie.
            with override_settings(SESSION_COOKIE_AGE=60 * 60 * 24):  # not the idle timeout
                for role, user in [*world.users.items(), *world.extra.items()]:
                    client = Client()
                    client.force_login(user)
                    SESSIONS[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
            yield world
        finally:
            SESSIONS.clear()
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def handler(world: World):
    """One request handler for the module: building the middleware chain (WhiteNoise scans
    every static file) would otherwise cost more than the request itself, in every test."""
    return Client().handler


@pytest.fixture
def as_role(handler, world: World):
    """A fresh client (no cookies but the role's session) on the shared handler."""

    def sign_in(role: str) -> Client:
        client = Client()
        client.handler = handler
        if role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = SESSIONS[role]
        return client

    return sign_in


def url_of(world: World, name: str) -> str:
    kwargs = URL_KWARGS[name](world) if name in URL_KWARGS else {}
    return reverse(name, kwargs=kwargs)


# --- every URL is in the matrix -------------------------------------------------------------


def _names(patterns, namespace: str | None = None):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # the Django admin has its own test below
            ns = ":".join(filter(None, [namespace, p.namespace])) or None
            yield from _names(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            if str(p.pattern).startswith(settings.STATIC_URL.lstrip("/")):
                continue
            if p.name is None:
                yield f"<unnamed URL {p.pattern}>"
            else:
                yield f"{namespace}:{p.name}" if namespace else p.name


def project_url_names() -> set[str]:
    """Every named URL but the API's token routes (see TOKEN_ROUTES)."""
    return set(_names(get_resolver().url_patterns)) - TOKEN_ROUTES


def test_every_url_is_in_the_matrix():
    names = project_url_names()
    missing = sorted(names - set(MATRIX))
    stale = sorted(set(MATRIX) - names)
    assert not missing, f"URLs with no entry in tests/security/access_matrix.py: {missing}"
    assert not stale, f"Matrix entries for URLs that no longer exist: {stale}"


def test_every_matrix_row_names_every_role():
    for name, statuses in MATRIX.items():
        assert set(statuses) == set(ROLES), name
        assert statuses["anonymous"] == (PUBLIC_GET.get(name, 200) if name in PUBLIC else 302), name


def test_every_url_with_arguments_has_kwargs():
    for name in MATRIX:
        try:
            reverse(name)
        except NoReverseMatch:  # the URL needs arguments
            assert name in URL_KWARGS, f"{name} needs ids: add it to URL_KWARGS"


# --- GET ------------------------------------------------------------------------------------


def _cases(bugs: dict[tuple[str, str], str], pairs):
    params = []
    for name, role in pairs:
        marks = ()
        if (name, role) in bugs:
            marks = pytest.mark.xfail(strict=True, reason=f"BUG: {bugs[name, role]}")
        params.append(pytest.param(name, role, marks=marks, id=f"{name}-{role}"))
    return params


GET_CASES = _cases(KNOWN_GET_BUGS, [(n, r) for n in sorted(MATRIX) for r in ROLES])


@pytest.mark.parametrize(("name", "role"), GET_CASES)
def test_get(world: World, as_role, name: str, role: str):
    expected = MATRIX[name][role]
    response = as_role(role).get(url_of(world, name))
    assert response.status_code == expected, (
        f"GET {name} as {role}: {response.status_code}, matrix says {expected}"
    )
    if role == "anonymous" and expected == 302:
        assert response["Location"].startswith(LOGIN_PATH), response["Location"]


# --- POST -----------------------------------------------------------------------------------

# Tables whose rows change on every request whatever the view does.
UNTRACKED = {"sessions.session", "api.apicall"}  # (every API call is kept, refused or not)


def _snapshot_sql() -> str:
    """One query that returns every row of every tracked table as (table, text of the row):
    the world is small, and one round trip keeps the POST tests fast on PostgreSQL."""
    qn = connection.ops.quote_name
    selects = []
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in UNTRACKED or not model._meta.managed or model._meta.proxy:
            continue
        cells = " || '|' || ".join(
            f"COALESCE(CAST({qn(f.column)} AS TEXT), '~')" for f in model._meta.concrete_fields
        )
        selects.append(f"SELECT '{label}', {cells} FROM {qn(model._meta.db_table)}")
    return " UNION ALL ".join(selects)


def snapshot() -> dict[str, list[str]]:
    """Every row of every table (but sessions): a refused POST must change none."""
    with connection.cursor() as cursor:
        cursor.execute(_snapshot_sql())
        found = cursor.fetchall()
    rows: dict[str, list[str]] = {}
    for label, text in found:
        rows.setdefault(label, []).append(text)
    return {label: sorted(texts) for label, texts in rows.items()}


def assert_unchanged(before: dict[str, list[str]], after: dict[str, list[str]]) -> None:
    changed = sorted(
        label for label in set(before) | set(after) if before.get(label) != after.get(label)
    )
    assert not changed, f"a refused POST changed {changed}"


POST_CASES = _cases(KNOWN_POST_BUGS, [(n, r) for n in sorted(MATRIX) for r in post_denied(n)])


@pytest.mark.parametrize(("name", "role"), POST_CASES)
def test_post_by_a_role_that_may_not_reach_the_record_is_404(
    world: World, as_role, name: str, role: str
):
    client = as_role(role)
    url = url_of(world, name)
    before = snapshot()
    response = client.post(url, {})
    assert response.status_code == 404, f"POST {name} as {role}: {response.status_code}"
    assert_unchanged(before, snapshot())


@pytest.mark.parametrize("name", sorted(set(MATRIX) - PUBLIC))
def test_anonymous_post_goes_to_login_and_changes_nothing(world: World, as_role, name: str):
    client = as_role("anonymous")
    url = url_of(world, name)
    before = snapshot()
    response = client.post(url, {})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_PATH), response["Location"]
    assert_unchanged(before, snapshot())


def test_every_post_only_view_has_post_denials_or_is_the_users_own():
    """A view that takes POST only has no GET row to derive its POST denials from: it must
    list them in POST_DENIED_OVERRIDES, unless it acts only on the user's own account."""
    own = {"logout", "two_factor_codes", "two_factor_disable", "keepalive", "autosave"}
    own |= {"set_language"}  # the user's own language
    own |= {"notifications:read_all"}
    for name, statuses in MATRIX.items():
        if statuses["referrer"] == 405:
            assert name in own or name in POST_DENIED_OVERRIDES, name


def test_snapshot_sees_a_change(world: World, as_role):
    """The control for the tests above: an allowed POST does show up in the snapshot."""
    client = as_role("referrer")
    before = snapshot()
    response = client.post(url_of(world, "notifications:open"))
    assert response.status_code == 302
    after = snapshot()
    assert before["notifications.notification"] != after["notifications.notification"]
    with pytest.raises(AssertionError, match="notifications.notification"):
        assert_unchanged(before, after)


# --- the Django admin -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_django_admin(world: World, as_role, role: str):
    response = as_role(role).get("/admin/")
    if role == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/"), response["Location"]


# --- restricted cases and other referrers ---------------------------------------------------


@pytest.fixture
def restricted(world: World):
    """A team A case restricted to its worker (the practitioner) and team A's first manager
    (always kept on the list). Not named: the CSW, the performance officer, a second
    manager of team A (manager2)."""
    from cases.services import restrict_case
    from tests.factories import CaseFactory, FamilyFactory, PersonFactory

    family = FamilyFactory(team=world.team_a, name="Hidden family")
    person = PersonFactory(family=family, first_name="Rhiannon", last_name="Hiddenname")
    case = CaseFactory(
        team=world.team_a,
        worker=world.users["practitioner"],
        referral__family=family,
        referral__created_by=world.users["referrer"],
    )
    restrict_case(case_id=case.pk, user=world.users["manager"], restricted=True, people=[])
    case.refresh_from_db()
    return case, person


RESTRICTED_PAGES = [
    "cases:detail",
    "cases:add_contact",
    "outcomes:add_goal",
    "outcomes:services",
    "reviews:add_booster",
]


@pytest.mark.parametrize("page", RESTRICTED_PAGES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("practitioner", 200),
        ("manager", 200),
        ("admin", 200),
        ("csw", 404),
        ("performance", 404),
        ("manager2", 404),
        ("referrer", 404),
    ],
)
def test_restricted_case_is_seen_only_by_named_users(
    restricted, as_role, page: str, role: str, expected: int
):
    case, _person = restricted
    response = as_role(role).get(reverse(page, args=[case.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"), [("manager", 200), ("csw", 404), ("manager2", 404), ("referrer", 200)]
)
def test_restricted_case_referral_and_family(restricted, as_role, role: str, expected: int):
    """The referrer who made the referral still sees its status; unnamed staff do not."""
    case, _person = restricted
    client = as_role(role)
    assert client.get(reverse("referrals:detail", args=[case.referral_id])).status_code == (
        expected
    )
    consent = client.get(reverse("families:consent", args=[case.family_id])).status_code
    assert consent == (404 if role in ("csw", "manager2", "referrer") else 200)


@pytest.mark.parametrize("page", ["cases:list", "referrals:list", "home"])
def test_restricted_case_is_not_listed_for_unnamed_staff(restricted, as_role, page: str):
    response = as_role("manager2").get(reverse(page))
    assert response.status_code == 200
    assert "Hidden family" not in response.content.decode()


def test_restricted_case_is_listed_for_named_staff(restricted, as_role):
    response = as_role("manager").get(reverse("cases:list"))
    assert "Hidden family" in response.content.decode()


def test_restricted_case_not_on_unnamed_managers_due_page(restricted, as_role):
    response = as_role("manager2").get(reverse("reminders:due"))
    assert response.status_code == 200
    assert "Hidden family" not in response.content.decode()


def test_named_manager_finds_and_exports_a_restricted_person(restricted, as_role):
    _case, person = restricted
    client = as_role("manager")
    page = client.get(reverse("privacy:subject_access"), {"name": "Hiddenname"})
    export = reverse("privacy:subject_access_export", args=[person.pk])
    assert export in page.content.decode()
    response = client.post(export)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"


def test_restricted_person_not_found_by_unnamed_managers_subject_access(restricted, as_role):
    _case, person = restricted
    export = reverse("privacy:subject_access_export", args=[person.pk])
    response = as_role("manager2").get(reverse("privacy:subject_access"), {"name": "Hiddenname"})
    assert response.status_code == 200
    assert export not in response.content.decode()
    assert "Hidden family" not in response.content.decode()


def test_restricted_person_not_exported_for_unnamed_manager(restricted, as_role):
    _case, person = restricted
    client = as_role("manager2")
    before = snapshot()
    response = client.post(reverse("privacy:subject_access_export", args=[person.pk]))
    assert response.status_code == 404
    assert_unchanged(before, snapshot())


def test_restricted_case_not_in_unnamed_managers_audit_log(restricted, as_role):
    case, _person = restricted
    assert as_role("manager").get(reverse("cases:detail", args=[case.pk])).status_code == 200
    response = as_role("manager2").get(reverse("audit:log"))
    assert response.status_code == 200
    assert "Hidden family" not in response.content.decode()


def test_audit_log_does_not_show_another_teams_records(world: World, as_role):
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.users["referrer"], team=world.team_b, role="referrer")
    assert as_role("referrer").get(url_of(world, "referrals:detail")).status_code == 200
    response = as_role("other_team_manager").get(reverse("audit:log"))
    assert response.status_code == 200
    assert "Screening family" not in response.content.decode()


@pytest.fixture
def restricted_retention(world: World):
    from cases.services import restrict_case

    restrict_case(
        case_id=world.retention.case.pk, user=world.users["manager"], restricted=True, people=[]
    )
    return world.retention.case


def test_restricted_family_not_in_unnamed_managers_retention_queue(restricted_retention, as_role):
    response = as_role("manager2").get(reverse("privacy:retention"))
    assert response.status_code == 200
    assert "Retention family" not in response.content.decode()
    named = as_role("manager").get(reverse("privacy:retention"))
    assert "Retention family" in named.content.decode()


def test_restricted_family_cannot_be_anonymised_by_unnamed_manager(restricted_retention, as_role):
    client = as_role("manager2")
    url = reverse("privacy:anonymise", args=[restricted_retention.family_id])
    assert client.get(url).status_code == 404
    before = snapshot()
    assert client.post(url, {}).status_code == 404
    assert_unchanged(before, snapshot())


@pytest.mark.parametrize("name", ["referrals:detail", "reviews:report_pdf"])
def test_a_referrer_sees_only_their_own_referrals(world: World, as_role, name: str):
    """Another referrer of the same team: 404 for the referral and its review report."""
    response = as_role("other_referrer").get(url_of(world, name))
    assert response.status_code == 404


def test_referral_list_shows_a_referrer_only_their_own(world: World, as_role):
    own = as_role("referrer").get(reverse("referrals:list")).content.decode()
    assert "Screening family" in own
    other = as_role("other_referrer").get(reverse("referrals:list")).content.decode()
    assert "Screening family" not in other


@pytest.mark.parametrize("role", ["board", "referrer"])
def test_board_and_referrers_see_no_case_rows(world: World, as_role, role: str):
    page = as_role(role).get(reverse("cases:list")).content.decode()
    assert "Phase Two family" not in page


def test_board_dashboard_shows_figures_not_families(world: World, as_role):
    page = as_role("board").get(reverse("home")).content.decode()
    assert world.team_a.name in page
    for family in ("Phase Two family", "Screening family", "Waiting", "Retention family"):
        assert family not in page
