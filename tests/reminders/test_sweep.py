"""The reminder sweep: idempotent, no backlog storms, orphaned cases, the waiting-list
recheck and the Phase 1 hours warning. Time is frozen with time_machine; every record
the deadlines read is made with the factories at known moments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from cases import pathway
from cases.models import Contact, ContactMode, WorkType
from cases.services import move_case
from core.errors import ServiceError
from families.models import MemberKind
from notifications.models import Notification
from outcomes.models import Instrument, Occasion
from outcomes.services import ReadingData, record_reading
from reminders import services
from reminders.models import Kind, Reminder, Step
from tests.factories import CaseFactory, PersonFactory, WaitingListEntryFactory

from .helpers import case_received, counts, local, recipients, reminder_keys, submitted_referral

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

MONDAY = date(2026, 3, 2)
NOW = local(MONDAY, 17)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def in_every_window(team, worker):
    """A referral and three cases with a step current at NOW: before, due and escalate."""
    return {
        # First contact due in 4 hours: the notice (to the managers: no worker yet).
        "referral": submitted_referral(team, NOW - timedelta(hours=20)),
        # Assessment due in 22 hours: the notice, to the worker.
        "before": case_received(team, worker, NOW - timedelta(hours=50)),
        # Assessment due an hour ago: due today, to the worker.
        "due": case_received(team, worker, NOW - timedelta(hours=73)),
        # Assessment three days and an hour overdue: escalated to the managers.
        "escalate": case_received(team, worker, NOW - timedelta(days=6, hours=1)),
    }


# --- Idempotency ------------------------------------------------------------------------


def test_each_current_step_is_sent_once_to_the_right_people(
    frozen, team_a, manager, manager2, practitioner
):
    items = in_every_window(team_a, practitioner)

    result = services.sweep(now=NOW)

    assert result.sent == 4
    assert reminder_keys() == {
        ("referral", items["referral"].pk, Kind.FIRST_CONTACT, Step.BEFORE),
        ("case", items["before"].pk, Kind.ASSESSMENT, Step.BEFORE),
        ("case", items["due"].pk, Kind.ASSESSMENT, Step.DUE),
        ("case", items["escalate"].pk, Kind.ASSESSMENT, Step.ESCALATE),
    }
    by_step = {(r.item_type, r.step): r for r in Reminder.objects.all()}
    assert recipients(by_step["referral", Step.BEFORE]) == ["manager2_a", "manager_a"]
    assert recipients(by_step["case", Step.BEFORE]) == ["practitioner_a"]
    assert recipients(by_step["case", Step.DUE]) == ["practitioner_a"]
    assert recipients(by_step["case", Step.ESCALATE]) == ["manager2_a", "manager_a"]
    # Every reminder is recorded with the item it is about and when it was sent.
    escalated = by_step["case", Step.ESCALATE]
    assert escalated.team == team_a
    assert escalated.created_at == NOW
    assert escalated.due_at == items["escalate"].referral.received_at + timedelta(hours=72)
    assert {n.url for n in escalated.notifications.all()} == {f"/cases/{items['escalate'].pk}/"}


def test_running_the_sweep_twice_at_the_same_moment_sends_nothing_new(
    frozen, team_a, manager, manager2, practitioner, django_capture_on_commit_callbacks
):
    in_every_window(team_a, practitioner)
    with django_capture_on_commit_callbacks() as first:
        services.sweep(now=NOW)
    before = counts()
    assert before == (4, 6)
    # One email queued per notification, but the "due soon" notice: by default it waits
    # for the morning's digest (notifications.models.DEFAULT_CHANNELS).
    assert len(first) == 5

    with django_capture_on_commit_callbacks() as second:
        result = services.sweep(now=NOW)

    assert (result.sent, result.summarised, result.rechecks) == (0, 0, 0)
    assert counts() == before
    assert second == []  # no email queued either


def test_a_later_sweep_in_the_same_window_sends_nothing_new(frozen, team_a, manager, practitioner):
    in_every_window(team_a, practitioner)
    services.sweep(now=NOW)
    before = counts()

    later = NOW + timedelta(minutes=59)  # every window above is still open
    frozen.move_to(later, tick=False)
    assert services.sweep(now=later).sent == 0
    assert counts() == before


def test_a_step_claimed_elsewhere_is_not_sent_again(frozen, team_a, manager, practitioner):
    """The database key decides, not the sweep's own snapshot: a row inserted by another
    worker between the snapshot and the send makes claim() refuse."""
    case = case_received(team_a, practitioner, NOW - timedelta(hours=50))
    [deadline] = [d for d in services.deadlines.collect(NOW) if d.item_id == case.pk]

    assert services.claim(deadline, Step.BEFORE) is not None
    assert services.claim(deadline, Step.BEFORE) is None
    assert services._send(deadline, Step.BEFORE, [manager.pk], {}) == 0
    assert Reminder.objects.count() == 1
    assert not Notification.objects.exists()


# --- No backlog storms --------------------------------------------------------------------


def test_a_backlog_of_old_overdue_items_is_summarised_once_per_manager(
    frozen, team_a, manager, manager2, practitioner, django_capture_on_commit_callbacks
):
    """Twenty cases allocated a month ago whose assessments were never done (the rule just
    switched on, or a restored database): no storm of overdue notices, one summary each."""
    month_ago = NOW - timedelta(days=30)
    frozen.move_to(month_ago, tick=False)
    cases = [
        case_received(team_a, practitioner, month_ago, referral__family__name=f"Family {n:02}")
        for n in range(20)
    ]
    frozen.move_to(NOW, tick=False)

    with django_capture_on_commit_callbacks() as emails:
        result = services.sweep(now=NOW)

    assert (result.sent, result.summarised) == (0, 20)
    steps = Reminder.objects.values_list("step", flat=True)
    assert set(steps) == {Step.SUMMARY}
    assert reminder_keys() == {("case", c.pk, Kind.ASSESSMENT, Step.SUMMARY) for c in cases}
    summaries = Notification.objects.order_by("recipient__username")
    assert [n.recipient.username for n in summaries] == ["manager2_a", "manager_a"]
    for note in summaries:
        assert note.subject == "20 overdue items in North IFST"
        assert note.url == "/due/"
        for n in range(20):
            assert f"Assessment: Family {n:02} (due " in note.body
    assert not Notification.objects.filter(recipient=practitioner).exists()
    assert len(emails) == 2  # one email queued per manager

    # The next sweep, that day or the next, sends no further summary.
    before = counts()
    assert services.sweep(now=NOW).summarised == 0
    tomorrow = NOW + timedelta(days=1)
    frozen.move_to(tomorrow, tick=False)
    assert services.sweep(now=tomorrow).summarised == 0
    assert counts() == before


def test_only_the_newly_overdue_are_summarised_and_current_steps_are_still_sent(
    frozen, team_a, manager, practitioner
):
    old = [case_received(team_a, practitioner, NOW - timedelta(days=30)) for _ in range(3)]
    current = case_received(team_a, practitioner, NOW - timedelta(hours=73))

    result = services.sweep(now=NOW)

    assert (result.sent, result.summarised) == (1, 3)
    assert ("case", current.pk, Kind.ASSESSMENT, Step.DUE) in reminder_keys()
    assert Notification.objects.get(recipient=manager).subject == "3 overdue items in North IFST"

    # A week later the current one has been escalated (had the sweep run) or, if the
    # sweep was down, it is summarised now: never both, and the old three never again.
    later = NOW + timedelta(days=7)
    frozen.move_to(later, tick=False)
    result = services.sweep(now=later)
    assert (result.sent, result.summarised) == (0, 1)
    assert reminder_keys() == {("case", c.pk, Kind.ASSESSMENT, Step.SUMMARY) for c in old} | {
        ("case", current.pk, Kind.ASSESSMENT, Step.DUE),
        ("case", current.pk, Kind.ASSESSMENT, Step.SUMMARY),
    }
    assert Notification.objects.filter(recipient=manager).first().subject == (
        "1 overdue items in North IFST"
    )


def test_an_item_escalated_in_time_is_not_summarised_afterwards(
    frozen, team_a, manager, practitioner
):
    case = case_received(team_a, practitioner, NOW - timedelta(days=6, hours=1))
    services.sweep(now=NOW)  # escalated
    later = NOW + timedelta(days=10)
    frozen.move_to(later, tick=False)

    assert services.sweep(now=later).summarised == 0
    assert reminder_keys() == {("case", case.pk, Kind.ASSESSMENT, Step.ESCALATE)}


# --- Orphaned cases -----------------------------------------------------------------------


@pytest.mark.parametrize("how", ["user inactive", "membership ended"])
def test_a_case_whose_worker_has_gone_is_flagged_to_the_managers_once(
    frozen, how, team_a, manager, manager2, practitioner, practitioner2
):
    # Allocated just now: its assessment is not due for three days, so nothing else is sent.
    orphan = case_received(team_a, practitioner, NOW - timedelta(hours=1))
    kept = case_received(team_a, practitioner2, NOW - timedelta(hours=1))
    assert services.sweep(now=NOW).sent == 0

    if how == "user inactive":
        practitioner.is_active = False
        practitioner.save(update_fields=["is_active"])
    else:
        Membership.objects.filter(user=practitioner, team=team_a).update(active=False)
    later = NOW + timedelta(hours=1)
    frozen.move_to(later, tick=False)
    assert services.sweep(now=later).sent == 1

    reminder = Reminder.objects.get()
    assert (reminder.item_type, reminder.item_id, reminder.kind, reminder.step) == (
        "case",
        orphan.pk,
        Kind.ORPHANED,
        Step.DUE,
    )
    assert recipients(reminder) == ["manager2_a", "manager_a"]
    note = reminder.notifications.get(recipient=manager)
    assert note.subject == f"Due now: Case needs reallocating, Case {orphan.pk}"
    assert note.url == f"/cases/{orphan.pk}/"
    assert kept.pk != orphan.pk

    # Flagged once, not every sweep.
    for days in (1, 2, 10):
        moment = later + timedelta(days=days)
        frozen.move_to(moment, tick=False)
        services.sweep(now=moment)
    assert Reminder.objects.filter(kind=Kind.ORPHANED).count() == 1
    assert Notification.objects.filter(reminder__kind=Kind.ORPHANED).count() == 2


# --- Waiting-list recheck -----------------------------------------------------------------


def test_managers_are_told_to_recheck_the_waiting_list_once_a_day(
    frozen, team_a, manager, manager2, practitioner
):
    WaitingListEntryFactory(referral__team=team_a)

    assert services.sweep(now=NOW).rechecks == 1
    notes = Notification.objects.filter(reminder__kind=Kind.WAITING_RECHECK)
    assert sorted(n.recipient.username for n in notes) == ["manager2_a", "manager_a"]
    assert {n.subject for n in notes} == {"A practitioner has capacity: recheck the waiting list"}
    assert {n.url for n in notes} == {reverse("referrals:waiting_list")}

    # Again the same day: nothing; the next day: once more.
    for moment in (NOW + timedelta(hours=1), local(MONDAY, 23, 59)):
        frozen.move_to(moment, tick=False)
        assert services.sweep(now=moment).rechecks == 0
    tomorrow = local(MONDAY + timedelta(days=1), 9)
    frozen.move_to(tomorrow, tick=False)
    assert services.sweep(now=tomorrow).rechecks == 1
    assert Notification.objects.filter(reminder__kind=Kind.WAITING_RECHECK).count() == 4


def test_no_recheck_without_a_waiting_family_or_without_capacity(
    frozen, team_a, manager, practitioner
):
    # Capacity (the manager and the practitioner carry no cases) but nobody waiting.
    assert services.sweep(now=NOW).rechecks == 0
    # Someone waiting, but every caseworker is at capacity (2 intensive families each).
    WaitingListEntryFactory(referral__team=team_a)
    for worker in (manager, practitioner, manager, practitioner):
        case_received(team_a, worker, NOW - timedelta(hours=1))
    assert services.sweep(now=NOW).rechecks == 0
    assert not Reminder.objects.filter(kind=Kind.WAITING_RECHECK).exists()


def test_closing_a_case_queues_the_recheck_which_runs_after_commit(
    frozen, team_a, manager, practitioner, django_capture_on_commit_callbacks
):
    WaitingListEntryFactory(referral__team=team_a)
    cases = [case_received(team_a, w, NOW - timedelta(hours=1)) for w in (manager, manager)]
    cases += [case_received(team_a, practitioner, NOW - timedelta(hours=1)) for _ in range(2)]
    assert services.sweep(now=NOW).rechecks == 0  # everybody at capacity

    later = NOW + timedelta(hours=1)
    frozen.move_to(later, tick=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        move_case(case_id=cases[-1].pk, user=manager, to_stage=pathway.Stage.CLOSED)

    assert len(callbacks) >= 1
    reminder = Reminder.objects.get(kind=Kind.WAITING_RECHECK)
    assert (reminder.item_type, reminder.item_id) == (
        f"team-{team_a.pk}",
        int(MONDAY.strftime("%Y%m%d")),
    )
    assert recipients(reminder) == ["manager_a"]
    # The periodic sweep the same day does not repeat it.
    assert services.sweep(now=later).rechecks == 0


def test_moving_a_case_between_intensive_stages_queues_no_recheck(
    frozen, team_a, manager, practitioner, django_capture_on_commit_callbacks
):
    WaitingListEntryFactory(referral__team=team_a)
    case = case_received(team_a, practitioner, NOW - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        move_case(case_id=case.pk, user=practitioner, to_stage=pathway.Stage.ASSESSMENT)
    assert not Reminder.objects.filter(kind=Kind.WAITING_RECHECK).exists()


# --- Phase 1 hours ------------------------------------------------------------------------


def phase1_case(team, worker, *, started_days_ago: int, hours: float):
    """A case in Phase 1 since `started_days_ago`, with `hours` of direct work so far."""
    start = timezone.localdate() - timedelta(days=started_days_ago)
    case = CaseFactory(
        team=team,
        worker=worker,
        stage=pathway.Stage.PHASE1,
        phase1_start=start,
        referral__received_at=local(start - timedelta(days=3)),
        allocated_at=local(start - timedelta(days=3), 11),
    )
    if hours:
        Contact.objects.create(
            case=case,
            started_at=local(start, 10),
            duration_minutes=int(hours * 60),
            mode=ContactMode.HOME_VISIT,
            work_type=WorkType.DIRECT,
            stage=pathway.Stage.PHASE1,
            recorded_by=worker,
        )
    return case


def hours_reminders():
    return Reminder.objects.filter(kind=Kind.PHASE1_HOURS)


def test_few_hours_a_week_into_phase1_warn_the_worker_and_the_manager_once(
    frozen, team_a, manager, practitioner
):
    # 8 days in (9 days elapsed), 3 hours: projected 3 / 9 * 42 = 14 h, below 50.
    case = phase1_case(team_a, practitioner, started_days_ago=8, hours=3)

    services.sweep(now=NOW)

    reminder = hours_reminders().get()
    assert (reminder.item_id, reminder.step) == (case.pk, Step.DUE)
    assert recipients(reminder) == ["manager_a", "practitioner_a"]
    note = reminder.notifications.get(recipient=practitioner)
    assert note.subject == f"Due now: Phase 1 hours below the minimum, Case {case.pk}"
    assert note.body.startswith("Phase 1 hours projected at 14.0, below the minimum of 50.")

    # Once only, however long the hours stay low.
    for days in (1, 7):
        moment = NOW + timedelta(days=days)
        frozen.move_to(moment, tick=False)
        services.sweep(now=moment)
    assert hours_reminders().count() == 1
    assert Notification.objects.filter(reminder__kind=Kind.PHASE1_HOURS).count() == 2


def test_enough_hours_in_phase1_send_no_warning(frozen, team_a, manager, practitioner):
    # 8 days in, 12 hours: projected 12 / 9 * 42 = 56 h.
    phase1_case(team_a, practitioner, started_days_ago=8, hours=12)

    services.sweep(now=NOW)

    assert not hours_reminders().exists()


def test_no_hours_warning_in_the_first_week_of_phase1(frozen, team_a, manager, practitioner):
    phase1_case(team_a, practitioner, started_days_ago=6, hours=0)

    services.sweep(now=NOW)
    assert not hours_reminders().exists()

    # The day a week is reached, the warning goes out.
    tomorrow = NOW + timedelta(days=1)
    frozen.move_to(tomorrow, tick=False)
    services.sweep(now=tomorrow)
    assert hours_reminders().count() == 1


def test_indirect_work_does_not_count_towards_phase1_hours(frozen, team_a, manager, practitioner):
    case = phase1_case(team_a, practitioner, started_days_ago=8, hours=0)
    Contact.objects.create(
        case=case,
        started_at=NOW - timedelta(days=2),
        duration_minutes=20 * 60,
        mode=ContactMode.PHONE,
        work_type=WorkType.INDIRECT,
        stage=pathway.Stage.PHASE1,
        recorded_by=practitioner,
    )

    services.sweep(now=NOW)

    assert hours_reminders().count() == 1


# --- Readings -----------------------------------------------------------------------------


def family_with(case, *members):
    """Add people to the case's family: (kind, date of birth) pairs."""
    return [
        PersonFactory(family=case.family, kind=kind, date_of_birth=born, first_name=f"P{i}")
        for i, (kind, born) in enumerate(members)
    ]


def start_readings():
    return Reminder.objects.filter(kind=Kind.START_READINGS)


def test_missing_start_readings_are_reminded_a_week_into_phase1(
    frozen, team_a, manager, practitioner
):
    # Phase 1 started 6 days ago: the start readings are due tomorrow at 17:00.
    case = phase1_case(team_a, practitioner, started_days_ago=6, hours=10)
    adult, child = family_with(
        case, (MemberKind.ADULT, date(1990, 1, 1)), (MemberKind.CHILD, date(2018, 1, 1))
    )
    record_reading(
        case_id=case.pk,
        user=practitioner,
        data=ReadingData(
            person=adult,
            instrument=Instrument.WEMWBS,
            occasion=Occasion.START,
            taken_on=timezone.localdate(),
            total=40,
        ),
    )

    services.sweep(now=NOW)

    reminder = start_readings().get()
    assert reminder.step == Step.BEFORE
    assert timezone.localtime(reminder.due_at) == local(MONDAY + timedelta(days=1), 17)
    assert recipients(reminder) == ["practitioner_a"]
    assert child.pk  # the school-age child still needs an SDQ


def test_no_start_readings_reminder_for_a_child_too_young_for_the_sdq(
    frozen, team_a, manager, practitioner
):
    case = phase1_case(team_a, practitioner, started_days_ago=6, hours=10)
    adult, baby = family_with(
        case, (MemberKind.ADULT, date(1990, 1, 1)), (MemberKind.CHILD, date(2025, 6, 1))
    )
    record_reading(
        case_id=case.pk,
        user=practitioner,
        data=ReadingData(
            person=adult,
            instrument=Instrument.WEMWBS,
            occasion=Occasion.START,
            taken_on=timezone.localdate(),
            total=40,
        ),
    )
    # Every reading that can be taken has been: the SDQ is refused for a 9-month-old.
    with pytest.raises(ServiceError, match="2 to 17"):
        record_reading(
            case_id=case.pk,
            user=practitioner,
            data=ReadingData(
                person=baby,
                instrument=Instrument.SDQ,
                occasion=Occasion.START,
                taken_on=timezone.localdate(),
                sdq_emotional=1,
                sdq_conduct=1,
                sdq_hyperactivity=1,
                sdq_peer=1,
                sdq_prosocial=1,
                sdq_informant="parent",
                sdq_version="2_4",
            ),
        )

    services.sweep(now=NOW)

    assert not start_readings().exists()


# --- Reminders for a worker who has gone --------------------------------------------------


def test_a_due_notice_for_an_inactive_workers_case_reaches_the_managers(
    frozen, team_a, manager, practitioner
):
    case = case_received(team_a, practitioner, NOW - timedelta(hours=73))  # due an hour ago
    practitioner.is_active = False
    practitioner.save(update_fields=["is_active"])

    services.sweep(now=NOW)

    due = Reminder.objects.get(item_id=case.pk, kind=Kind.ASSESSMENT, step=Step.DUE)
    assert recipients(due) == ["manager_a"]
