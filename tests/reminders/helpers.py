"""Small builders for the reminder tests. Deadlines only read the database, so most tests
make their records with the factories; the 13-month life goes through the services."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from notifications.models import Notification
from reminders.models import Reminder
from tests.factories import CaseFactory, ReferralFactory


def local(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """That day at that hour, Europe/London (the project's TIME_ZONE)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def case_received(team, worker, received_at: datetime, **kwargs):
    """An allocated case awaiting assessment whose referral arrived at received_at: its
    assessment is due received_at + the team's assessment hours (72 by default)."""
    kwargs.setdefault("allocated_at", received_at + timedelta(hours=1))
    return CaseFactory(team=team, worker=worker, referral__received_at=received_at, **kwargs)


def submitted_referral(team, received_at: datetime, **kwargs):
    return ReferralFactory(team=team, received_at=received_at, status="submitted", **kwargs)


def reminder_keys() -> set[tuple[str, int, str, str]]:
    return set(Reminder.objects.values_list("item_type", "item_id", "kind", "step"))


def recipients(reminder: Reminder) -> list[str]:
    """Usernames the reminder was delivered to, sorted (duplicates kept, to catch them)."""
    return sorted(
        Notification.objects.filter(reminder=reminder).values_list("recipient__username", flat=True)
    )


def counts() -> tuple[int, int]:
    return Reminder.objects.count(), Notification.objects.count()
