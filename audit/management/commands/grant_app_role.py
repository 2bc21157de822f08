"""Give the application's PostgreSQL role what the app needs and no more, after `migrate`
has run as the owner of the tables (docker-compose.yml's migrate service, .ci/run).

The app role may read and write the app's tables, but on the audit log it may only read and
add: no UPDATE, DELETE or TRUNCATE, and (not being the owner) no ALTER or DROP of the table
or its append-only trigger. Run again after every `migrate`: tables added later get the
read/write grants through the default privileges set here, and this re-applies the audit
log's limits whatever a migration did."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

AUDIT_TABLE = "auditlog_logentry"


def grant_statements(role: str) -> list[str]:
    r = connection.ops.quote_name(role)
    audit = connection.ops.quote_name(AUDIT_TABLE)
    return [
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}",
        # Tables and sequences the owner creates in later migrations.
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public"
        f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {r}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {audit} FROM {r}",
    ]


class Command(BaseCommand):
    help = "Grant the app's PostgreSQL role read/write, and append-only on the audit log."

    def add_arguments(self, parser) -> None:
        parser.add_argument("role", nargs="?", default="ifss_app")

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Only PostgreSQL has roles; nothing to do on SQLite.")
        role = options["role"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"No PostgreSQL role {role!r}: create it first.")
            for statement in grant_statements(role):
                cursor.execute(statement)
        self.stdout.write(f"Granted {role}: read/write, append-only on {AUDIT_TABLE}.")
