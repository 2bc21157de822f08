"""The audit log is append-only on PostgreSQL: no one can change or remove entries (a
trigger, audit/migrations/0001_append_only.py), and the role the application runs as
(ifss_app: docker-compose.yml, .ci/run, manage.py grant_app_role) cannot TRUNCATE the table,
alter it or drop the trigger either. (The tables' owner, which runs the migrations and the
suite, still can: the test framework empties tables with TRUNCATE.)"""

from __future__ import annotations

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.utils import Error
from django.test import Client
from django.urls import reverse

from tests.factories import CaseFactory, FamilyFactory
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def logged(team_a, practitioner) -> list[LogEntry]:
    """Views and changes written the ordinary way, through a page."""
    family = FamilyFactory(team=team_a, name="Evans family")
    case = CaseFactory(team=team_a, worker=practitioner, referral__family=family)
    client = Client(REMOTE_ADDR="10.7.7.7")
    client.force_login(practitioner)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    entries = list(LogEntry.objects.order_by("pk"))
    assert len(entries) >= 3
    return entries


def snapshot() -> list[tuple]:
    return list(
        LogEntry.objects.order_by("pk").values_list(
            "pk", "object_repr", "actor_id", "remote_addr", "action", "changes", "timestamp"
        )
    )


def refused(sql: str, params: list | None = None) -> Exception:
    """Run the statement in its own savepoint; return the error it must raise."""
    with pytest.raises(Error) as caught:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params or [])
    return caught.value


def test_new_entries_can_still_be_written(logged) -> None:
    before = LogEntry.objects.count()

    LogEntry.objects.create(
        content_type=logged[0].content_type,
        object_pk=logged[0].object_pk,
        object_repr=logged[0].object_repr,
        action=LogEntry.Action.ACCESS,
        additional_data={"event": "test"},
    )

    assert LogEntry.objects.count() == before + 1


def test_a_raw_update_is_refused_and_nothing_changes(logged) -> None:
    before = snapshot()

    error = refused("UPDATE auditlog_logentry SET object_repr = 'tampered', remote_addr = NULL")
    refused("UPDATE auditlog_logentry SET actor_id = NULL WHERE id = %s", [logged[-1].pk])

    assert isinstance(error, DatabaseError)
    assert "append-only" in str(error)
    assert snapshot() == before


def test_a_raw_delete_is_refused_and_nothing_changes(logged) -> None:
    before = snapshot()

    error = refused("DELETE FROM auditlog_logentry")
    refused("DELETE FROM auditlog_logentry WHERE id = %s", [logged[0].pk])

    assert "append-only" in str(error)
    assert snapshot() == before


def test_the_orm_cannot_change_or_delete_entries_either(logged) -> None:
    before = snapshot()

    with pytest.raises(Error), transaction.atomic():
        LogEntry.objects.filter(pk=logged[0].pk).update(object_repr="tampered")
    with pytest.raises(Error), transaction.atomic():
        LogEntry.objects.all().delete()
    entry = LogEntry.objects.get(pk=logged[-1].pk)
    entry.remote_addr = "1.1.1.1"
    with pytest.raises(Error), transaction.atomic():
        entry.save()

    assert snapshot() == before


def test_the_guard_is_a_trigger_on_the_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger"
            " WHERE tgrelid = 'auditlog_logentry'::regclass AND NOT tgisinternal"
        )
        triggers = cursor.fetchall()

    assert ("ifss_audit_append_only", "O") in triggers


# --- The application's own role (docker-compose.yml, .ci/run) -------------------------------

APP_ROLE = "ifss_app"


@pytest.fixture
def as_app_role(logged) -> None:
    """The rest of the test runs as the role the app runs as in production, with the grants
    `manage.py grant_app_role` gives it after `migrate` (the suite's own user owns the
    tables, as the migrations' user does, and is a member of the app role: .ci/run)."""
    from tests.conftest import missing_service

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles WHERE rolname = %s",
            [APP_ROLE],
        )
        row = cursor.fetchone()
    if not row or not row[0]:
        missing_service(f"the PostgreSQL role {APP_ROLE} (granted to this user) is missing")
    call_command("grant_app_role", APP_ROLE, stdout=StringIO())
    with connection.cursor() as cursor:
        # Settle the foreign-key checks this test's own inserts left pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")


def test_truncate_is_refused_to_the_app_role(logged, as_app_role) -> None:
    before = snapshot()

    error = refused("TRUNCATE auditlog_logentry")

    assert "permission denied" in str(error)
    assert snapshot() == before


def test_the_app_role_cannot_alter_the_table_or_its_trigger(logged, as_app_role) -> None:
    before = snapshot()

    for statement in (
        "ALTER TABLE auditlog_logentry DISABLE TRIGGER ifss_audit_append_only",
        "DROP TRIGGER ifss_audit_append_only ON auditlog_logentry",
        "ALTER TABLE auditlog_logentry ADD COLUMN note text",
        "DROP TABLE auditlog_logentry",
        "UPDATE auditlog_logentry SET object_repr = 'tampered'",
        "DELETE FROM auditlog_logentry",
    ):
        error = refused(statement)
        assert "must be owner" in str(error) or "permission denied" in str(error), statement

    assert snapshot() == before


def test_the_app_role_still_reads_and_adds_entries_and_runs_the_pages(
    logged, as_app_role, team_a, practitioner
) -> None:
    from tests.factories import CaseFactory

    before = LogEntry.objects.count()
    case = CaseFactory(team=team_a, worker=practitioner)
    client = Client()
    client.force_login(practitioner)

    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert LogEntry.objects.count() > before
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (APP_ROLE,)


def test_compose_and_ci_create_the_app_role_and_run_the_app_as_it() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    compose = (root / "docker-compose.yml").read_text()
    init = (root / "docker/postgres-init/10-app-role.sh").read_text()
    ci = (root / ".ci/run").read_text()

    assert "DATABASE_URL: postgres://ifss_app:" in compose  # web, worker, beat
    assert "DATABASE_URL: postgres://ifss:ifss@db:5432/ifss" in compose  # migrate only
    assert f"manage.py grant_app_role {APP_ROLE}" in compose
    assert "./docker/postgres-init:/docker-entrypoint-initdb.d" in compose
    assert f"CREATE ROLE {APP_ROLE} LOGIN" in init
    assert f"CREATE ROLE {APP_ROLE} LOGIN" in ci
    assert f"GRANT {APP_ROLE} TO ifss" in ci
