"""Backup and restore, as docs/operations.md tells it (issue 21): pg_dump of a database
with records, pg_restore into a fresh database, and then every table holds the same rows,
the audit log is the same entry for entry (its digest in order), and the audit log is
still append-only: the restored trigger refuses UPDATE and DELETE."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import psycopg
import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import CaseFactory, FamilyFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The whole audit log in order, as one digest: a row changed, lost or added changes it.
AUDIT_DIGEST = (
    "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) "
    "FROM auditlog_logentry t"
)


def conninfo(dbname: str) -> str:
    db = settings.DATABASES["default"]
    return psycopg.conninfo.make_conninfo(
        host=db["HOST"] or "127.0.0.1",
        port=str(db["PORT"] or 5432),
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=dbname,
    )


def table_counts(cursor) -> dict[str, int]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
    )
    names = [row[0] for row in cursor.fetchall()]
    counts = {}
    for name in names:
        cursor.execute(f'SELECT count(*) FROM "{name}"')  # names from the catalogue
        counts[name] = cursor.fetchone()[0]
    return counts


def test_a_dump_restored_into_a_fresh_database_keeps_records_and_the_append_only_audit_log(
    tmp_path,
    team_a,
    practitioner,
) -> None:
    for tool in ("pg_dump", "pg_restore"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is not installed (postgresql-client)")
    family = FamilyFactory(team=team_a, name="Morgan family")
    case = CaseFactory(team=team_a, worker=practitioner, referral__family=family)
    client = Client()
    client.force_login(practitioner)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert LogEntry.objects.count() >= 3

    source = connection.settings_dict["NAME"]
    restored = f"{source}_restored_{uuid.uuid4().hex[:6]}"
    dump = tmp_path / "ifss.dump"
    env = {**os.environ, "PGPASSWORD": settings.DATABASES["default"]["PASSWORD"] or ""}
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", f"--dbname={conninfo(source)}"],
        check=True,
        env=env,
    )
    with psycopg.connect(conninfo(source), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            [
                "pg_restore",
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                f"--dbname={conninfo(restored)}",
                str(dump),
            ],
            check=True,
            env=env,
        )
        with connection.cursor() as cursor:
            before = table_counts(cursor)
            cursor.execute(AUDIT_DIGEST)
            audit_before = cursor.fetchone()
        with psycopg.connect(conninfo(restored), autocommit=True) as db:
            with db.cursor() as cursor:
                after = table_counts(cursor)
                cursor.execute(AUDIT_DIGEST)
                audit_after = cursor.fetchone()
                cursor.execute(
                    "SELECT count(*) FROM cases_case WHERE id = %s AND team_id = %s",
                    [case.pk, team_a.pk],
                )
                assert cursor.fetchone() == (1,)
            assert after == before
            assert before["auditlog_logentry"] >= 3
            assert audit_after == audit_before
            # Still append-only after the restore.
            for statement in (
                "UPDATE auditlog_logentry SET object_repr = 'rewritten'",
                "DELETE FROM auditlog_logentry",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                    db.execute(statement)
            cursor = db.execute(AUDIT_DIGEST)
            assert cursor.fetchone() == audit_before
    finally:
        with psycopg.connect(conninfo(source), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
