"""Shared fixtures: a small cast of users in two teams, and service checks.

With IFSS_REQUIRE_SERVICES=1 (CI), a test whose service is missing fails instead of
skipping, so a green CI run means PostgreSQL, Redis and Chromium were all exercised.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from accounts.models import Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("IFSS_REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def missing_service(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"IFSS_REQUIRE_SERVICES is set but {reason}", pytrace=False)
    pytest.skip(reason)


def _postgres_missing() -> str | None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "this test needs PostgreSQL (set DATABASE_URL)"
    return None


def _redis_missing() -> str | None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "this test needs Redis (set REDIS_URL)"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at {url} is not answering: {exc}"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Check services named by markers before any fixture runs: a transactional test that
    skipped after its database fixture started would flush the seeded reference lists."""
    checks = {"postgres": _postgres_missing, "redis": _redis_missing}
    for name, check in checks.items():
        if item.get_closest_marker(name):
            reason = check()
            if reason:
                missing_service(reason)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Serialized rollback on every connection object of this thread, not only the first.

    Django keeps the database's contents for serialized rollback on the connection object
    that the test database was made with. Once Playwright has started (the browser tests'
    session fixture), an event loop counts as running in this thread, and asgiref hands
    Django other connection objects, which lack those contents: a transactional test after
    that would not restore the database it starts from. If the test before it emptied the
    database (a flush after serialized rollback leaves even the content types out), it
    fails on its first audited save. So every connection object made from now on carries
    the same contents."""
    from django.db import connections
    from django.db.utils import ConnectionHandler

    contents = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    create_connection = ConnectionHandler.create_connection

    def with_contents(self, alias: str):
        made = create_connection(self, alias)
        if alias in contents:
            made._test_serialized_contents = contents[alias]
        return made

    ConnectionHandler.create_connection = with_contents
    yield django_db_setup
    ConnectionHandler.create_connection = create_connection


@pytest.fixture(scope="session", autouse=True)
def _database_is_postgres_in_ci() -> None:
    if REQUIRE_SERVICES and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.postgresql"
    ):
        pytest.fail("IFSS_REQUIRE_SERVICES is set but DATABASE_URL is not PostgreSQL")


@pytest.fixture(autouse=True)
def _plain_static_storage(settings) -> None:
    """The manifest storage needs collectstatic; tests serve files from static/ directly."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _two_factor_not_required(settings) -> None:
    """Most tests sign users in with force_login; two-factor sign-in is switched on by the
    tests of it (tests/accounts/test_two_factor.py), which use the production setting."""
    settings.TWO_FACTOR_ROLES = []
    settings.TWO_FACTOR_FOR_ADMINS = False
    # Journeys move the clock by hours or months; the idle timeout has its own tests.
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24 * 800


@pytest.fixture
def requires_postgres() -> None:
    reason = _postgres_missing()
    if reason:
        missing_service(reason)


@pytest.fixture
def requires_redis() -> str:
    reason = _redis_missing()
    if reason:
        missing_service(reason)
    return os.environ["REDIS_URL"]


@pytest.fixture
def team_a():
    return TeamFactory(name="North IFST")


@pytest.fixture
def team_b():
    return TeamFactory(name="South IFST")


def _member(team, role: str, username: str):
    user = UserFactory(username=username)
    MembershipFactory(user=user, team=team, role=role)
    return user


@pytest.fixture
def manager(team_a):
    return _member(team_a, Role.MANAGER, "manager_a")


@pytest.fixture
def practitioner(team_a):
    return _member(team_a, Role.PRACTITIONER, "practitioner_a")


@pytest.fixture
def practitioner2(team_a):
    return _member(team_a, Role.PRACTITIONER, "practitioner2_a")


@pytest.fixture
def referrer(team_a):
    return _member(team_a, Role.REFERRER, "referrer_a")


@pytest.fixture
def other_referrer(team_a):
    return _member(team_a, Role.REFERRER, "referrer2_a")


@pytest.fixture
def board_member(team_a):
    return _member(team_a, Role.BOARD, "board_a")


@pytest.fixture
def performance_officer(team_a):
    return _member(team_a, Role.PERFORMANCE, "performance_a")


@pytest.fixture
def csw(team_a):
    return _member(team_a, Role.CSW, "csw_a")


@pytest.fixture
def other_manager(team_b):
    return _member(team_b, Role.MANAGER, "manager_b")


@pytest.fixture
def other_practitioner(team_b):
    return _member(team_b, Role.PRACTITIONER, "practitioner_b")


def _seed_reference_lists() -> None:
    """Run the data migrations' seed functions again (they are idempotent)."""
    import importlib

    from django.apps import apps

    for module in (
        "accounts.migrations.0002_seed_local_authorities",
        "reference.migrations.0002_seed_reference_lists",
        "reference.migrations.0003_pathway_lists",
        "reference.migrations.0004_services_accessed",
    ):
        importlib.import_module(module).seed(apps, None)


@pytest.fixture(autouse=True)
def _reference_lists_for_transactional_tests(request: pytest.FixtureRequest) -> None:
    """A transactional test empties every table when it ends, including the reference lists
    that migrations seed; serialized rollback does not always restore them (live servers,
    threads). Seed them again before any test that runs outside a rolled-back transaction."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "live_server" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from accounts.models import LocalAuthority

    if not LocalAuthority.objects.exists():
        _seed_reference_lists()


@pytest.fixture(autouse=True)
def _due_store_matches_the_records(request):
    """After each test that uses the database (in a transaction rolled back at its end),
    the due page's stored items must equal the deadlines computed from the records: every
    scenario in the suite doubles as a check that no write was missed."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    transactional = (
        (marker is not None and marker.kwargs.get("transaction"))
        or "transactional_db" in names
        or "live_server" in names
    )
    if (
        (marker is None and "db" not in names)
        or transactional
        or request.node.get_closest_marker("due_store_unchecked")
    ):
        yield
        return
    request.getfixturevalue("db")
    yield
    from tests.due_store import assert_due_store_matches_the_records

    assert_due_store_matches_the_records()
