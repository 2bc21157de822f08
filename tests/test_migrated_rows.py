"""The suite's own isolation: a transactional test starts from the database as migrated.

A transactional test's flush empties every table, the rows migrating made included: the
content types and permissions (post_migrate) and the lists the data migrations seed. Before
the next transactional test, tests/conftest.py (`restore_migrated_rows`) makes them again,
without Django's serialized rollback, which restores only through the connection object the
test database was made with (the browser tests, once Playwright runs an event loop in this
thread, are handed other connection objects). This proves it makes every one of them: each
model's rows, field by field, are what migrating made, after the worst flush (one that does
not send post_migrate, as after a serialized rollback)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command

from tests.conftest import SEEDING_MIGRATIONS, restore_migrated_rows


def every_row() -> dict[str, list[tuple]]:
    """Each model's rows (every concrete field, ids included), for the models that have any."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        names = [f.attname for f in model._meta.concrete_fields]
        found = sorted(model._base_manager.values_list(*names), key=repr)
        if found:
            rows[model._meta.label] = found
    return rows


# serialized_rollback: the test starts from the database exactly as migrated (Django restores
# it from the copy it took when the test database was made).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_rows_migrating_made_are_made_again_after_a_flush() -> None:
    migrated = every_row()
    seeded = {
        "contenttypes.ContentType",
        "auth.Permission",
        "accounts.LocalAuthority",
        "reporting.Measure",
    }
    assert seeded <= set(migrated), sorted(seeded - set(migrated))
    assert len(SEEDING_MIGRATIONS) >= 6

    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert every_row() == {}

    restore_migrated_rows()

    restored = every_row()
    assert sorted(restored) == sorted(migrated)
    for label, rows in migrated.items():
        assert restored[label] == rows, label


def test_every_transactional_test_outside_the_browser_tests_is_serialized() -> None:
    """A transactional test without serialized rollback ends with a flush that sends
    post_migrate, making the content types again under new ids; the next serialized test's
    restore of the migrated rows then collides with them (UniqueViolation at its setup). The
    browser tests run in a process of their own, where no test is serialized."""
    import re
    from pathlib import Path

    tests = Path(__file__).resolve().parent
    marker = re.compile(r"django_db\(([^)]*transaction=True[^)]*)\)")
    offenders = [
        f"{path.relative_to(tests)}: django_db({args})"
        for path in sorted(tests.rglob("*.py"))
        if "browser" not in path.parts
        for args in marker.findall(path.read_text(encoding="utf-8"))
        if "serialized_rollback=True" not in args
    ]
    assert not offenders, "\n".join(offenders)
    # The walk sees the transactional tests it checks (it is not vacuous).
    assert any("transaction=True" in p.read_text() for p in (tests / "audit").glob("*.py"))
