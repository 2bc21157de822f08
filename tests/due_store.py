"""The check that the due page's stored items (reminders.duestore) equal the deadlines
computed from the records. tests/conftest.py runs it after every test that uses the
database, so every scenario in the suite is also a test that no write was missed."""

from __future__ import annotations

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
