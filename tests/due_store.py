"""The check that the due page's stored items (reminders.duestore) equal the deadlines
computed from the records. tests/conftest.py runs it after every test that uses the
database, so every scenario in the suite is also a test that no write was missed."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reminders import deadlines, duestore
from reminders.models import DueItem, Kind

# Moves with the date alone: a team's items are computed in full on its first read of
# each day (duestore), so a test that moves the clock leaves older ones stored.
DATED = {Kind.PHASE1_HOURS}


def _key(team_id, item_type, item_id, kind, due_at, title, family, worker_id, case_id):
    return (item_type, item_id, kind), (
        team_id,
        None if kind == Kind.ORPHANED else due_at,
        title,
        family,
        worker_id,
        case_id,
    )


def stored_and_computed() -> tuple[dict, dict]:
    now = timezone.now()
    duestore.bring_up_to_date([], now)  # the pending changes only: no team in full
    stored = dict(
        _key(*row)
        for row in DueItem.objects.exclude(kind__in=DATED).values_list(
            "team_id",
            "item_type",
            "item_id",
            "kind",
            "due_at",
            "title",
            "family",
            "worker_id",
            "case_id",
        )
    )
    computed = dict(
        _key(
            d.team_id,
            d.item_type,
            d.item_id,
            d.kind,
            d.due_at,
            d.title[:200],
            d.family[:200],
            d.worker_id,
            d.case_id,
        )
        for d in deadlines.collect(now)
        if d.kind not in DATED
    )
    return stored, computed


def assert_due_store_matches_the_records() -> None:
    stored, computed = stored_and_computed()
    if stored != computed:
        missing = {k: v for k, v in computed.items() if stored.get(k) != v}
        extra = {k: v for k, v in stored.items() if computed.get(k) != v}
        raise AssertionError(
            "The due page's stored items differ from the records' deadlines: a write "
            "left no DueChange (reminders/signals.py, duestore.mark).\n"
            f"Computed, not stored as such: {missing}\nStored, not computed: {extra}"
        )


# --- Checking only a state not yet checked ----------------------------------------------------
# Most tests that use the database write nothing the check reads (a GET of the access
# matrix's world writes a view entry, not a case), and the check of a large module-scoped
# world costs more than the test (76 ms against 43 ms for a GET). On PostgreSQL a test that
# changed no row of any table the check has read, in the same transaction as a state
# already checked, is not checked again: PostgreSQL counts each table's inserted, updated
# and deleted rows for the current transaction (pg_stat_xact_user_tables), and those
# counts only grow, so equal counts before and after a test mean it changed none of them.
# The tables are the ones the check's own queries named, so a table a new deadline reads
# is counted as soon as the check reads it. A test that writes any of them is checked in
# full, as before.

TABLE = re.compile(r'(?:FROM|JOIN|INTO|UPDATE)\s+"([A-Za-z0-9_]+)"')
# The tables every check so far has read or written.
READ: set[str] = set()
# The write counts (transaction, tables, count) of states checked and found equal.
CHECKED: set[tuple] = set()


def writes_key() -> tuple | None:
    """This transaction's id and its count of rows changed in the tables the check reads;
    None where the database keeps no such counts."""
    if connection.vendor != "postgresql" or not READ:
        return None
    tables = sorted(READ)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_current_xact_id_if_assigned()::text,"
            " COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0)"
            " FROM pg_stat_xact_user_tables WHERE relname = ANY(%s)",
            [tables],
        )
        xact, changed = cursor.fetchone()
    return xact, tuple(tables), changed


def check_unless_unchanged(before: tuple | None) -> None:
    """After a test: the full check, unless the test changed no row the check reads and the
    state it started from was checked (`before` is writes_key() at its start)."""
    if before is not None and before[0] is not None and before == writes_key():
        if before in CHECKED:
            return
    with CaptureQueriesContext(connection) as ctx:
        assert_due_store_matches_the_records()
    READ.update(t for q in ctx.captured_queries for t in TABLE.findall(q["sql"]))
    after = writes_key()
    if after is not None and after[0] is not None:
        # The check brings the store up to date (it may write): the state after it is the
        # one a later test of this transaction starts from.
        CHECKED.add(after)
