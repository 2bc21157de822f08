"""Trigram indexes for the subject-access search (families.views.subject_access): a name typed
in any part of a first or last name, `UPPER(name) LIKE UPPER('%term%')` as Django's icontains
writes it. Without them PostgreSQL reads every family of the manager's teams and probes its
people (linear in the team's families: 6 ms at factor 0.01, 21 ms at 0.04); with them a
selective term is a BitmapOr of the two indexes (0.4 ms at 0.04 for a full surname), and a
common three letters still take the family loop when the planner finds it cheaper
(docs/performance.md).

PostgreSQL only (pg_trgm, a trusted extension since PostgreSQL 13: the database's owner, who
runs migrate, may create it). Where the extension cannot be created the indexes are left out
with a notice: the search is then slower, not wrong. SQLite has no such index; its LIKE scan
is the test suite's."""

from django.db import DatabaseError, migrations, transaction

INDEXES = {
    "person_first_name_trgm_idx": "first_name",
    "person_last_name_trgm_idx": "last_name",
}


def create(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                with transaction.atomic(using=schema_editor.connection.alias):
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            except DatabaseError as exc:  # no permission, or not installed on the server
                print(f"\n  pg_trgm not available ({exc}): subject-access search unindexed")
                return
        for name, column in INDEXES.items():
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON families_person "
                f"USING gin (UPPER({column}::text) gin_trgm_ops)"
            )


def drop(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("families", "0005_language_and_active_offer")]

    operations = [migrations.RunPython(create, drop)]
