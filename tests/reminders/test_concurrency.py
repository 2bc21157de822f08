"""Two workers sweeping at the same moment on PostgreSQL send every reminder once.

The idempotency key is the database's unique constraint on (item, kind, step): the
second INSERT waits for the first transaction and then fails, so the loser sends
nothing. SQLite serialises writers differently, so this runs on PostgreSQL only."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from notifications.models import Notification
from reminders import services
from reminders.models import Kind, Reminder, Step
from tests.factories import MembershipFactory, UserFactory, WaitingListEntryFactory

from .helpers import case_received, submitted_referral

pytestmark = [
    # serialized_rollback: the flush after a transactional test would otherwise wipe the
    # reference lists seeded by migrations for the tests that run after this one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
    pytest.mark.usefixtures("celery_eager"),
]

ROUNDS = 3


def run_concurrently(n: int, target) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = target()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a sweep hung"
    assert errors == [], errors
    return results


def test_two_sweeps_at_the_same_moment_send_each_reminder_once(requires_postgres, team_a):
    manager = UserFactory(username="manager_a")
    manager2 = UserFactory(username="manager2_a")
    worker = UserFactory(username="practitioner_a")
    spare = UserFactory(username="practitioner2_a")
    for user, role in (
        (manager, Role.MANAGER),
        (manager2, Role.MANAGER),
        (worker, Role.PRACTITIONER),
        (spare, Role.PRACTITIONER),
    ):
        MembershipFactory(user=user, team=team_a, role=role)
    now = timezone.now()
    referral = submitted_referral(team_a, now - timedelta(hours=20))  # first contact: before
    before = [case_received(team_a, worker, now - timedelta(hours=50)) for _ in range(3)]
    due = [case_received(team_a, worker, now - timedelta(hours=73)) for _ in range(3)]
    late = [case_received(team_a, worker, now - timedelta(days=6, hours=1)) for _ in range(3)]
    backlog = [case_received(team_a, worker, now - timedelta(days=30)) for _ in range(5)]
    WaitingListEntryFactory(referral__team=team_a)
    # The worker carries 12 cases, over capacity; a second practitioner carries none, so the
    # team has capacity and a family is waiting: the recheck is due too.

    results = []
    for _ in range(ROUNDS):
        results += run_concurrently(2, lambda: services.sweep(now=now))

    expected = {("referral", referral.pk, Kind.FIRST_CONTACT, Step.BEFORE)}
    expected |= {("case", c.pk, Kind.ASSESSMENT, Step.BEFORE) for c in before}
    expected |= {("case", c.pk, Kind.ASSESSMENT, Step.DUE) for c in due}
    expected |= {("case", c.pk, Kind.ASSESSMENT, Step.ESCALATE) for c in late}
    expected |= {("case", c.pk, Kind.ASSESSMENT, Step.SUMMARY) for c in backlog}
    keys = Counter(Reminder.objects.values_list("item_type", "item_id", "kind", "step"))
    rechecks = [k for k in keys if k[2] == Kind.WAITING_RECHECK]
    assert len(rechecks) == 1
    assert set(keys) - set(rechecks) == expected
    assert set(keys.values()) == {1}

    # Between them the sweeps sent each reminder once and summarised the backlog once.
    assert sum(r.sent for r in results) == 1 + 3 + 3 + 3
    assert sum(r.summarised for r in results) == 5
    assert sum(r.rechecks for r in results) == 1

    # Exactly one notification per recipient per reminder.
    delivered = Counter(
        Notification.objects.filter(reminder__isnull=False).values_list(
            "reminder__step", "reminder__item_id", "reminder__kind", "recipient__username"
        )
    )
    assert set(delivered.values()) == {1}
    per_reminder = Counter((step, kind) for step, _, kind, _ in delivered)
    assert per_reminder == {
        (Step.BEFORE, Kind.FIRST_CONTACT): 2,  # both managers
        (Step.BEFORE, Kind.ASSESSMENT): 3,  # the worker, for each of three cases
        (Step.DUE, Kind.ASSESSMENT): 3,
        (Step.ESCALATE, Kind.ASSESSMENT): 3 * 2,  # both managers, for each of three cases
        (Step.DUE, Kind.WAITING_RECHECK): 2,
    }
    # One summary per manager, not one per sweep.
    summaries = Notification.objects.filter(reminder__isnull=True, subject__contains="overdue")
    assert sorted(summaries.values_list("recipient__username", flat=True)) == [
        "manager2_a",
        "manager_a",
    ]
    assert {n.subject for n in summaries} == {"5 overdue items in North IFST"}
