"""The database connection settings: persistent, health-checked connections everywhere; on
PostgreSQL server-side parameter binding with prepared statements unless
IFSS_DB_PREPARED_STATEMENTS turns them off (docs/performance.md: each connection plans a
page's queries once), and the planner's random page cost for SSDs unless
IFSS_DB_RANDOM_PAGE_COST says otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

POSTGRES_URL = "postgres://ifss:secret@db.invalid:5432/ifss"


def read_settings(**env: str) -> subprocess.CompletedProcess:
    """settings.DATABASES["default"] as a fresh process reads it from this environment (the
    settings are read once, at start-up). Nothing connects."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("IFSS_DB_")}
    environment.update(DJANGO_DEBUG="true", **env)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; "
        "print(json.dumps({k: d[k] for k in ('ENGINE', 'OPTIONS', 'CONN_MAX_AGE', "
        "'CONN_HEALTH_CHECKS')}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def database_settings(**env: str) -> dict:
    result = read_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgresql_prepares_statements_by_default() -> None:
    db = database_settings(DATABASE_URL=POSTGRES_URL)

    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["OPTIONS"] == {
        "server_side_binding": True,
        "prepare_threshold": 2,
        "options": "-c random_page_cost=1.1",
    }
    assert db["CONN_MAX_AGE"] == 600
    assert db["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize("off", ["false", "0", "no"])
def test_prepared_statements_can_be_turned_off_for_a_transaction_pooler(off: str) -> None:
    db = database_settings(
        DATABASE_URL=POSTGRES_URL, IFSS_DB_PREPARED_STATEMENTS=off, IFSS_DB_RANDOM_PAGE_COST=""
    )

    assert db["OPTIONS"] == {}


def test_options_given_in_the_database_url_are_kept() -> None:
    db = database_settings(
        DATABASE_URL=POSTGRES_URL + "?sslmode=require&options=-c%20work_mem%3D64MB"
    )

    assert db["OPTIONS"] == {
        "sslmode": "require",
        "options": "-c work_mem=64MB -c random_page_cost=1.1",
        "server_side_binding": True,
        "prepare_threshold": 2,
    }


def test_the_random_page_cost_can_be_set_or_left_to_the_server() -> None:
    assert database_settings(DATABASE_URL=POSTGRES_URL, IFSS_DB_RANDOM_PAGE_COST="2")["OPTIONS"][
        "options"
    ] == ("-c random_page_cost=2")
    assert (
        "options"
        not in database_settings(DATABASE_URL=POSTGRES_URL, IFSS_DB_RANDOM_PAGE_COST="")["OPTIONS"]
    )


@pytest.mark.parametrize("wrong", ["fast", "1.1 -c fsync=off", "-1", "1e9"])
def test_a_random_page_cost_that_is_not_a_number_stops_the_start(wrong: str) -> None:
    """It is passed to the server in the connection's options: nothing else may ride along."""
    result = read_settings(DATABASE_URL=POSTGRES_URL, IFSS_DB_RANDOM_PAGE_COST=wrong)

    assert result.returncode != 0
    assert "IFSS_DB_RANDOM_PAGE_COST must be a number" in result.stderr


def test_sqlite_waits_for_the_lock_and_takes_it_first() -> None:
    """tests/test_sqlite_locking.py shows what these do."""
    db = database_settings(DATABASE_URL="sqlite:////tmp/ifss-settings-test.sqlite3")

    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["OPTIONS"] == {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_suite_itself_runs_with_the_production_connection_settings() -> None:
    """So every query of the suite is proven against what production runs."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    assert connection.connection.cursor_factory is ServerBindingCursor
    assert connection.connection.prepare_threshold == 2
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone() == ("1.1",)
        for _ in range(3):  # prepared on its second use
            cursor.execute("SELECT %s::int + 1", [41])
            assert cursor.fetchone() == (42,)
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] >= 1
