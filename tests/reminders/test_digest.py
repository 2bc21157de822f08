"""A user who prefers a daily digest gets reminders in the app at once and by email once
a day: one email listing every pending notification, never sent twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail

from notifications.models import Notification
from notifications.services import notify_user
from notifications.tasks import send_daily_digests
from reminders import services
from reminders.models import Kind, Step

from .helpers import case_received, local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

NOW = local(date(2026, 3, 2), 17)


@pytest.fixture
def digest_worker(practitioner):
    practitioner.email_digest = True
    practitioner.save(update_fields=["email_digest"])
    return practitioner


def test_a_digest_user_gets_one_email_listing_every_pending_notification(
    time_machine, team_a, manager, digest_worker, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    # The assessment is due in 22 hours (the notice) for one case; due an hour ago for another.
    soon = case_received(team_a, digest_worker, NOW - timedelta(hours=50))
    late = case_received(team_a, digest_worker, NOW - timedelta(hours=73))

    with django_capture_on_commit_callbacks(execute=True):
        result = services.sweep(now=NOW)
        notify_user(recipient=digest_worker, subject="A note from the manager", body="Hello.")

    assert result.sent == 2
    pending = Notification.objects.filter(recipient=digest_worker)
    assert pending.count() == 3
    assert set(pending.values_list("reminder__kind", "reminder__step")) == {
        (Kind.ASSESSMENT, Step.BEFORE),
        (Kind.ASSESSMENT, Step.DUE),
        (None, None),
    }
    # In the app at once, but no immediate email.
    assert mail.outbox == []
    assert not pending.filter(emailed_at__isnull=False).exists()

    time_machine.move_to(local(date(2026, 3, 3), 7), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests() == 1

    [email] = mail.outbox
    assert email.to == [digest_worker.email]
    assert email.subject == "IFSS Case Manager: 3 notifications"
    assert f"Due soon: Assessment, Case {soon.pk}" in email.body
    assert f"Due now: Assessment, Case {late.pk}" in email.body
    assert "A note from the manager" in email.body
    assert f"/cases/{soon.pk}/" in email.body
    assert [alt[1] for alt in email.alternatives] == ["text/html"]
    assert not pending.filter(emailed_at__isnull=True).exists()

    # The next run has nothing to send; nor does the catch-up of missed immediate emails.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests() == 0
    assert len(mail.outbox) == 1


def test_the_digest_leaves_users_with_immediate_email_alone(
    time_machine, team_a, manager, digest_worker, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    case_received(team_a, digest_worker, NOW - timedelta(days=6, hours=1))  # escalated

    with django_capture_on_commit_callbacks() as emails:
        services.sweep(now=NOW)

    # The escalation went to the manager, whose email was queued at once...
    [note] = Notification.objects.all()
    assert note.recipient == manager
    assert len(emails) == 1
    # ...and is no part of anybody's digest.
    with django_capture_on_commit_callbacks(execute=True):
        send_daily_digests()
    assert mail.outbox == []


def test_a_digest_user_with_nothing_pending_is_not_queued(
    digest_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = send_daily_digests()

    assert mail.outbox == []
    assert queued == 0
