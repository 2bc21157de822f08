"""Test databases copied from a migrated template (PostgreSQL), not each migrated anew.

Migrating the test database costs ~20 s of CPU (rendering the models' state at each of the
project's migrations), and `make test` makes three at once (two xdist workers and the
browser tests' process) on two cores. So the first process to start migrates its database
as before and then copies it into a template, `<test database>_template_<digest>`; every
later process (in the same run, or a later run with the same migrations) makes its test
database with PostgreSQL's documented `CREATE DATABASE ... TEMPLATE ...` and asks
pytest-django to keep it (keepdb: `migrate` then finds nothing to apply, and post_migrate's
content types and permissions are already there). A session-level advisory lock on the
server's maintenance database makes the others wait while the first builds the template;
PostgreSQL releases it if that process dies.

The digest covers every migration file of the project and every installed package's
version, so a new or edited migration (or an upgraded package) builds a new template and
drops the old ones. SQLite, or `--reuse-db`: nothing changes.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

import psycopg
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
LOCK = 0x1F55_7E57  # pg_advisory_lock key: "the test template"
# While this process builds the template: the maintenance connection holding the lock,
# and (test database, template) as named before setup renamed the connection's database.
_building: tuple[psycopg.Connection, tuple[str, str]] | None = None


def digest() -> str:
    h = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    for dist in sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions()):
        h.update(dist.encode())
    return h.hexdigest()[:12]


def _names() -> tuple[str, str]:
    settings = connection.settings_dict
    test_name = settings["TEST"]["NAME"] or f"test_{settings['NAME']}"
    base = test_name.split("_gw")[0]
    return test_name, f"{base}_template_{digest()}"


def _maintenance() -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def clone_or_claim() -> bool:
    """Before the test database is set up. True: the test database was copied from the
    template (keep it). False: this process migrates its own, and then makes the template
    (it holds the lock until template_from_test_database)."""
    global _building
    if connection.vendor != "postgresql":
        return False
    test_name, template = _names()
    maintenance = _maintenance()
    maintenance.execute("SELECT pg_advisory_lock(%s)", [LOCK])
    exists = maintenance.execute(
        "SELECT 1 FROM pg_database WHERE datname = %s", [template]
    ).fetchone()
    if exists is None:
        _building = maintenance, (test_name, template)
        return False
    try:
        maintenance.execute(f"DROP DATABASE IF EXISTS {_quote(test_name)}")
        maintenance.execute(f"CREATE DATABASE {_quote(test_name)} TEMPLATE {_quote(template)}")
    finally:
        maintenance.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
        maintenance.close()
    return True


def template_from_test_database() -> None:
    """After this process migrated its test database: copy it into the template (no other
    session may be connected to it meanwhile), drop older templates, release the lock."""
    global _building
    if _building is None:
        return
    (maintenance, (test_name, template)), _building = _building, None
    base = template.rsplit("_template_", 1)[0]
    try:
        connection.close()
        old = maintenance.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
            [f"{base}_template_%", template],
        ).fetchall()
        for (name,) in old:
            maintenance.execute(f"DROP DATABASE IF EXISTS {_quote(name)}")
        maintenance.execute(f"CREATE DATABASE {_quote(template)} TEMPLATE {_quote(test_name)}")
    finally:
        maintenance.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
        maintenance.close()
