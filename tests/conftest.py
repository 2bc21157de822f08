"""Shared fixtures: a small cast of users in two teams, and service checks.

With IFSS_REQUIRE_SERVICES=1 (CI), a test whose service is missing fails instead of
skipping, so a green CI run means PostgreSQL, Redis and Chromium were all exercised.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import override_settings

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
def django_db_keepdb(request, django_db_modify_db_settings, django_db_blocker) -> bool:
    """Keep (and reuse) the test database with --reuse-db, as pytest-django does; and keep
    one copied from the migrated template (tests/template_db.py)."""
    if request.config.getvalue("reuse_db"):
        return True
    from tests.template_db import clone_or_claim

    with django_db_blocker.unblock():
        return clone_or_claim()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database commits without waiting for its write-ahead log to reach the disk.

    `ALTER DATABASE ... SET synchronous_commit = off` (PostgreSQL's documented per-database
    setting) on the database the suite has just made, never on the server nor on the app's
    own database: every connection opened from now on (the live servers' threads, the
    transactional tests, the flushes after them) commits at memory speed. A crash could lose
    the last commits of a database that is thrown away at the end anyway. SQLite: nothing."""
    from django.db import connection

    from tests.template_db import template_from_test_database

    with django_db_blocker.unblock():
        template_from_test_database()
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            name = connection.ops.quote_name(connection.settings_dict["NAME"])
            cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
            cursor.execute("SET synchronous_commit = off")
    return django_db_setup


# The hashers the app runs with (before the suite's fast one): a server started in a process
# of its own (tests/resilience/stack.py WebServer) checks passwords with these.
PRODUCTION_PASSWORD_HASHERS = list(settings.PASSWORD_HASHERS)


def give_production_password(user, password: str) -> None:
    """Hash `user`'s password as the app does, for a sign-in through a server process."""
    with override_settings(PASSWORD_HASHERS=PRODUCTION_PASSWORD_HASHERS):
        user.set_password(password)
        user.save(update_fields=["password"])


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher() -> Iterator[None]:
    """Every user the suite makes gets a password, and every sign-in checks one: with the
    production hasher (PBKDF2, a million rounds) that is ~0.25 s of CPU each, minutes over
    the suite. Django's advice for tests ("Speeding up the tests"): a fast hasher. No test
    is about the hasher; production's (Django's default list) is untouched. A test that
    signs in through a server process of its own uses `give_production_password`."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


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


# The data migrations that make rows (the others only change rows already there), each
# with its function that makes them: idempotent, and run with the project's current models.
SEEDING_MIGRATIONS = (
    ("accounts.migrations.0002_seed_local_authorities", "seed"),
    ("reference.migrations.0002_seed_reference_lists", "seed"),
    ("reference.migrations.0003_pathway_lists", "seed"),
    ("reference.migrations.0004_services_accessed", "seed"),
    ("reference.migrations.0005_closure_reason_planned_end", "mark_completed"),
    ("reporting.migrations.0002_seed_measures", "seed"),
)


def restore_migrated_rows() -> None:
    """Make again the rows migrating the test database made, once a flush has emptied it:
    the content types and permissions (the post_migrate signal: `migrate`, with nothing
    left to apply, sends it) and the seeded lists (the data migrations' functions)."""
    import importlib

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    if not ContentType.objects.exists():  # a flush that did not send post_migrate
        call_command("migrate", verbosity=0, interactive=False)
    for module, function in SEEDING_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _migrated_rows_for_transactional_tests(request: pytest.FixtureRequest) -> None:
    """A transactional test empties every table when it ends, including the rows migrating
    made (content types, permissions, the seeded lists). Before each test that runs outside
    a rolled-back transaction, make them again if they are gone: the browser tests and
    every other transactional test start from the database as migrated, with or without
    serialized rollback (tests/test_migrated_rows.py)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "live_server" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from accounts.models import LocalAuthority

    if not LocalAuthority.objects.exists():
        restore_migrated_rows()


@pytest.fixture(autouse=True)
def _due_store_matches_the_records(request):
    """After each test that uses the database (in a transaction rolled back at its end),
    the due page's stored items must equal the deadlines computed from the records: every
    scenario in the suite doubles as a check that no write was missed. A test that changed
    no row the check reads, from a state already checked, is not checked again
    (tests/due_store.py: check_unless_unchanged)."""
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
    from tests.due_store import check_unless_unchanged, writes_key

    request.getfixturevalue("db")
    before = writes_key()
    yield
    check_unless_unchanged(before)
