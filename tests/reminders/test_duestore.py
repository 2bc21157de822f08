"""The due page's stored items (reminders.duestore): brought up to date by the changes the
writes leave, computed in full once a day, and equal to the deadlines computed from the
records (also checked after every database test: tests/conftest.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Membership
from cases.models import Contact
from reminders import duestore, tasks
from reminders.models import DueChange, DueItem, DueTeamState, Kind, Unit
from tests.due_store import stored_and_computed

from .helpers import case_received, local, submitted_referral

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

NOW = local(date(2026, 3, 2), 12)
URL = "/due/"


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def page_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.get(URL).content.decode()


def phase1_case(team, worker, started_days_ago: int):
    case = case_received(team, worker, NOW - timedelta(days=started_days_ago + 7), stage="phase1")
    case.phase1_start = NOW.date() - timedelta(days=started_days_ago)
    case.save()
    return case


def test_a_write_leaves_a_change_and_the_next_read_handles_it(
    frozen, team_a, manager, practitioner
):
    page_for(manager)  # the team computed in full today
    assert not DueChange.objects.exists()

    case = case_received(team_a, practitioner, NOW - timedelta(hours=96))

    assert DueChange.objects.filter(unit=Unit.CASE, unit_id=case.pk).exists()
    assert not DueItem.objects.filter(case_id=case.pk).exists()
    assert case.family.name in page_for(manager)
    assert DueItem.objects.filter(case_id=case.pk, kind=Kind.ASSESSMENT).count() == 1
    assert not DueChange.objects.exists()


def test_the_phase1_hours_notice_appears_on_the_day_with_no_write(
    frozen, team_a, manager, practitioner
):
    # Six days into Phase 1 with no direct hours: the projection is below the minimum,
    # but the notice waits until a week in. Nothing is written the next day.
    case = phase1_case(team_a, practitioner, started_days_ago=6)
    assert "Phase 1 hours projected" not in page_for(manager)
    assert DueTeamState.objects.get(team=team_a).refreshed_on == NOW.date()

    frozen.move_to(NOW + timedelta(days=1), tick=False)

    assert "Phase 1 hours projected" in page_for(manager)
    assert DueTeamState.objects.get(team=team_a).refreshed_on == NOW.date() + timedelta(days=1)
    assert DueItem.objects.filter(case_id=case.pk, kind=Kind.PHASE1_HOURS).exists()


def test_contacts_logged_move_the_phase1_hours_notice_at_once(
    frozen, team_a, manager, practitioner
):
    case = phase1_case(team_a, practitioner, started_days_ago=10)
    assert "Phase 1 hours projected" in page_for(manager)

    for day in (1, 2, 3):
        Contact.objects.create(
            case=case,
            started_at=NOW - timedelta(days=day),
            duration_minutes=60 * 6,
            mode="home_visit",
            work_type="direct",
            stage="phase1",
            recorded_by=practitioner,
        )

    assert "Phase 1 hours projected" not in page_for(manager)


def test_a_worker_who_leaves_puts_their_cases_up_for_reallocation_at_once(
    frozen, team_a, manager, practitioner
):
    case = case_received(team_a, practitioner, NOW - timedelta(hours=24))
    assert "reallocate" not in page_for(manager)

    Membership.objects.filter(user=practitioner, team=team_a).get().delete()

    page = page_for(manager)
    assert "reallocate" in page
    row = DueItem.objects.get(case_id=case.pk, kind=Kind.ORPHANED)
    assert row.due_at is None  # due whenever it is looked at: never "overdue by"


def test_team_settings_move_every_deadline_of_the_team(frozen, team_a, manager, practitioner):
    case = phase1_case(team_a, practitioner, started_days_ago=3)
    page_for(manager)
    end = DueItem.objects.get(case_id=case.pk, kind=Kind.PHASE1_LENGTH).due_at

    team_a.phase1_max_weeks += 2
    team_a.save()
    page_for(manager)

    moved = DueItem.objects.get(case_id=case.pk, kind=Kind.PHASE1_LENGTH).due_at
    assert moved - end == timedelta(weeks=2)


def test_a_family_renamed_is_renamed_on_its_referrals_items(frozen, team_a, manager):
    referral = submitted_referral(team_a, NOW - timedelta(hours=30), family__name="Old name")
    assert "Old name" in page_for(manager)

    referral.family.name = "New name"
    referral.family.save()

    page = page_for(manager)
    assert "New name" in page and "Old name" not in page


def test_many_changes_at_once_compute_every_team_afresh(frozen, team_a, team_b, manager):
    submitted_referral(team_a, NOW - timedelta(hours=30), family__name="Ashworth family")
    for _ in range(duestore.MANY_CHANGES + 1):
        duestore.mark(Unit.CASE, 10**9)  # no such case

    assert "Ashworth family" in page_for(manager)
    assert set(DueTeamState.objects.values_list("team_id", flat=True)) == {team_a.pk, team_b.pk}
    assert not DueChange.objects.exists()
    stored, computed = stored_and_computed()
    assert stored == computed


def test_mark_everything_after_a_bulk_load_recomputes_every_team(frozen, team_a, manager):
    page_for(manager)
    referral = submitted_referral(team_a, NOW - timedelta(hours=30), family__name="Loaded")
    DueChange.objects.all().delete()  # as if written with COPY: no change left
    assert "Loaded" not in page_for(manager)

    duestore.mark_everything()

    assert "Loaded" in page_for(manager)
    assert DueItem.objects.filter(item_type="referral", item_id=referral.pk).count() == 2


def test_the_sweep_brings_every_team_up_to_date(frozen, team_a, team_b, practitioner):
    case_received(team_a, practitioner, NOW - timedelta(hours=96))

    tasks.sweep_reminders()

    assert not DueChange.objects.exists()
    assert set(DueTeamState.objects.values_list("team_id", flat=True)) == {team_a.pk, team_b.pk}
    assert DueItem.objects.filter(team=team_a, kind=Kind.ASSESSMENT).count() == 1


def test_nothing_to_do_costs_two_queries(frozen, team_a, manager, django_assert_num_queries):
    page_for(manager)

    with django_assert_num_queries(2):  # any change pending? the team computed today?
        duestore.items([team_a.pk], NOW)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_views_at_once_store_each_item_once(requires_postgres, team_a, practitioner):
    from .test_concurrency import run_concurrently

    for i in range(5):
        case_received(
            team_a, practitioner, NOW - timedelta(hours=96), referral__family__name=f"F{i}"
        )
    DueTeamState.objects.create(team=team_a, refreshed_on=timezone.localdate())
    assert DueChange.objects.count() > 5

    def view() -> int:
        return duestore.items([team_a.pk]).count()

    results = run_concurrently(4, view)

    assert len(set(results)) == 1
    keys = list(DueItem.objects.values_list("item_type", "item_id", "kind"))
    assert len(keys) == len(set(keys)) == results[0]
    assert not DueChange.objects.exists()
    stored, computed = stored_and_computed()
    assert stored == computed


@pytest.mark.due_store_unchecked(reason="the check's own test: a write around the models")
def test_the_check_after_each_test_finds_a_write_that_left_no_change(
    frozen, team_a, manager, practitioner
):
    from cases.models import Case
    from tests.due_store import assert_due_store_matches_the_records

    case = case_received(team_a, practitioner, NOW - timedelta(hours=96))
    page_for(manager)
    assert_due_store_matches_the_records()

    Case.objects.filter(pk=case.pk).update(stage="closed")  # no signal, no change

    with pytest.raises(AssertionError, match="left no DueChange"):
        assert_due_store_matches_the_records()


@pytest.mark.due_store_unchecked(reason="the check's own test: when it is skipped")
def test_the_check_is_skipped_only_when_nothing_it_reads_changed_since_a_checked_state(
    requires_postgres, frozen, team_a, manager, practitioner, django_assert_num_queries
):
    from cases.models import Case
    from notifications.models import Notification
    from tests.due_store import check_unless_unchanged, writes_key

    case = case_received(team_a, practitioner, NOW - timedelta(hours=96))
    page_for(manager)
    check_unless_unchanged(writes_key())  # a state checked in full: its key is kept
    # A "test" that wrote nothing the check reads (a notification is not one): skipped,
    # at the cost of the two counts.
    before = writes_key()
    Notification.objects.create(recipient=manager, subject="x", body="y")
    with django_assert_num_queries(1):
        check_unless_unchanged(before)
    # One that changed a case (around the models: no change left for the store) is
    # checked in full, and found out.
    before = writes_key()
    Case.objects.filter(pk=case.pk).update(stage="closed")
    with pytest.raises(AssertionError, match="left no DueChange"):
        check_unless_unchanged(before)
