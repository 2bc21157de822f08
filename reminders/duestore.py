"""The due page's stored deadlines (DueItem), kept current with the records.

reminders.deadlines computes every deadline from the records: for a busy team, about
3,000 from 830 open cases, which was most of the due page's time (docs/performance.md).
The page now reads them stored, and they are brought up to date when read:

- every write that can move a deadline leaves a DueChange in its own transaction
  (reminders/signals.py: saves and deletes of cases, contacts, assessments, reviews,
  readings, referrals, people, families, memberships, users and teams; services that
  write with QuerySet.update call mark() themselves);
- reading a team's items first replaces the items of the cases and referrals those
  changes name (a fixed number of queries, whatever their number), then removes the
  changes it handled;
- a team's items are computed in full on its first read (or reminder sweep) of each day,
  since the Phase 1 hours projection moves with the date alone.

So a user's own change shows at once, in every process, with no expiry to tune.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Team
from cases.models import Case
from referrals.models import Referral

from . import deadlines
from .models import DueChange, DueItem, DueTeamState, Kind, Unit

# Beyond this many changes at once (a bulk import), computing every team afresh is cheaper
# than resolving them one by one, and keeps each query's id list short for SQLite.
MANY_CHANGES = 500
CHUNK = 500


def mark(unit: str, unit_id: int) -> None:
    """Note that the deadlines of a case, referral, family, worker or team may have moved."""
    DueChange.objects.create(unit=unit, unit_id=unit_id)


def mark_everything() -> None:
    """After a load that bypassed the models (the synthetic generator's COPY): every
    team's items are computed afresh on their next read."""
    DueTeamState.objects.all().delete()
    DueChange.objects.bulk_create(
        DueChange(unit=Unit.TEAM, unit_id=pk) for pk in Team.objects.values_list("pk", flat=True)
    )


def items(team_ids: Iterable[int] | None, now: datetime | None = None) -> QuerySet[DueItem]:
    """The teams' stored items (None: every team), brought up to date first."""
    now = now or timezone.now()
    teams = None if team_ids is None else sorted(set(team_ids))
    bring_up_to_date(teams, now)
    qs = DueItem.objects.all()
    return qs if teams is None else qs.filter(team_id__in=teams)


def bring_up_to_date(team_ids: list[int] | None, now: datetime) -> None:
    """Handle every pending change, and compute in full the given teams (None: all) not
    yet computed today. Two queries when there is nothing to do."""
    today = timezone.localdate(now)
    if not _pending(team_ids, today):
        return
    with transaction.atomic():
        _lock()
        # Again under the lock: another request may have just done the work.
        changes = list(DueChange.objects.order_by("pk").values_list("pk", "unit", "unit_id"))
        full = _not_computed_today(team_ids, today)
        full |= {unit_id for _pk, unit, unit_id in changes if unit == Unit.TEAM}
        case_ids: set[int] = set()
        referral_ids: set[int] = set()
        if len(changes) <= MANY_CHANGES:
            case_ids, referral_ids = _resolve(
                [(unit, unit_id) for _pk, unit, unit_id in changes if unit != Unit.TEAM]
            )
        if len(changes) > MANY_CHANGES or len(case_ids) + len(referral_ids) > MANY_CHANGES:
            full = set(Team.objects.values_list("pk", flat=True))
            case_ids, referral_ids = set(), set()
        if full:
            _compute_teams(sorted(full), now, today)
        _replace(case_ids, referral_ids, now)
        for chunk in _chunks([pk for pk, _unit, _id in changes]):
            DueChange.objects.filter(pk__in=chunk).delete()


def _pending(team_ids: list[int] | None, today) -> bool:
    if DueChange.objects.exists():
        return True
    return bool(_not_computed_today(team_ids, today))


def _not_computed_today(team_ids: list[int] | None, today) -> set[int]:
    if team_ids is None:
        team_ids = list(Team.objects.values_list("pk", flat=True))
    done = DueTeamState.objects.filter(team_id__in=team_ids, refreshed_on=today)
    return set(team_ids) - set(done.values_list("team_id", flat=True))


def _lock() -> None:
    """One writer of the stored items at a time (SQLite serialises writers by itself)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('ifss.reminders.duestore'))")


def _row(d: deadlines.Deadline) -> DueItem:
    return DueItem(
        team_id=d.team_id,
        item_type=d.item_type,
        item_id=d.item_id,
        kind=d.kind,
        due_at=None if d.kind == Kind.ORPHANED else d.due_at,
        title=d.title[:200],
        family=d.family[:200],
        worker_id=d.worker_id,
        case_id=d.case_id,
    )


def _compute_teams(team_ids: list[int], now: datetime, today) -> None:
    team_ids = list(Team.objects.filter(pk__in=team_ids).values_list("pk", flat=True))
    rows = [_row(d) for d in deadlines.collect(now, team_ids)]
    DueItem.objects.filter(team_id__in=team_ids).delete()
    DueItem.objects.bulk_create(rows, batch_size=1000)
    DueTeamState.objects.filter(team_id__in=team_ids).delete()
    DueTeamState.objects.bulk_create(DueTeamState(team_id=t, refreshed_on=today) for t in team_ids)


def _resolve(units: list[tuple[str, int]]) -> tuple[set[int], set[int]]:
    """The cases and referrals whose deadlines the changes may have moved."""
    ids: dict[str, set[int]] = {unit: set() for unit in Unit.values}
    for unit, unit_id in units:
        ids[unit].add(unit_id)
    case_ids, referral_ids = ids[Unit.CASE], ids[Unit.REFERRAL]
    if ids[Unit.FAMILY]:  # names and people show on (and count for) every deadline
        family = list(ids[Unit.FAMILY])
        case_ids |= set(Case.objects.filter(family_id__in=family).values_list("pk", flat=True))
        referral_ids |= set(
            Referral.objects.filter(family_id__in=family).values_list("pk", flat=True)
        )
    if ids[Unit.WORKER]:  # whether a worker is still in the team, and their name
        workers = list(ids[Unit.WORKER])
        case_ids |= set(
            Case.objects.open().filter(worker_id__in=workers).values_list("pk", flat=True)
        )
    return case_ids, referral_ids


def _replace(case_ids: set[int], referral_ids: set[int], now: datetime) -> None:
    if not case_ids and not referral_ids:
        return
    rows = [
        _row(d) for d in deadlines.collect(now, None, case_ids=case_ids, referral_ids=referral_ids)
    ]
    for chunk in _chunks(sorted(case_ids)):
        DueItem.objects.filter(case_id__in=chunk).delete()
    for chunk in _chunks(sorted(referral_ids)):
        DueItem.objects.filter(item_type="referral", item_id__in=chunk).delete()
    DueItem.objects.bulk_create(rows, batch_size=1000)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
