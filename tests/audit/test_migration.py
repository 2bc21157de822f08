"""The append-only migration must run on PostgreSQL with psycopg 3 (it runs on every CI
database). Checked here without PostgreSQL, so a SQLite run catches it too."""

from __future__ import annotations

import importlib
import re
from types import SimpleNamespace

migration = importlib.import_module("audit.migrations.0001_append_only")


class RecordingEditor:
    """Stands in for Django's PostgreSQL schema editor, whose execute() passes params=() by
    default: psycopg 3 then reads every lone % in the SQL as a placeholder."""

    def __init__(self) -> None:
        self.connection = SimpleNamespace(vendor="postgresql")
        self.calls: list[tuple[str, object]] = []

    def execute(self, sql: str, params: object = ()) -> None:
        self.calls.append((sql, params))


def misread_placeholders(step: str) -> list[str]:
    editor = RecordingEditor()
    getattr(migration, step)(None, editor)
    assert editor.calls, f"{step} ran no SQL on PostgreSQL"
    problems = []
    for sql, params in editor.calls:
        if params is not None:
            problems += re.findall(r"%.", sql.replace("%%", ""))
    return problems


def test_the_forwards_sql_has_no_placeholders_psycopg_would_misread() -> None:
    assert misread_placeholders("forwards") == []


def test_the_backwards_sql_has_no_placeholders_psycopg_would_misread() -> None:
    assert misread_placeholders("backwards") == []


def test_nothing_runs_on_sqlite() -> None:
    editor = RecordingEditor()
    editor.connection.vendor = "sqlite"

    migration.forwards(None, editor)
    migration.backwards(None, editor)

    assert editor.calls == []
