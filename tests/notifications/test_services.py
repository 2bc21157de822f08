"""Notifications are recorded in-app and emailed once, even when the broker is down."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from notifications.tasks import send_pending_emails
from referrals.models import ReferralStatus, ScreeningDecision
from tests.factories import NotificationFactory, ReferralFactory, UserFactory, outcome, reason

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

CLOSED_PORT = "redis://127.0.0.1:1/0"


# --- notify_user and notify_address ---------------------------------------------------------


def test_notify_user_records_the_notification_and_emails_it_after_commit(
    referrer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note = services.notify_user(
            recipient=referrer, subject="Referral accepted", body="Good news.", url="/referrals/1/"
        )
        # Nothing is sent before the transaction commits.
        assert mail.outbox == []

    assert len(callbacks) == 1
    callbacks[0]()
    note.refresh_from_db()
    assert note.emailed_at is not None
    [email] = mail.outbox
    assert (email.to, email.subject) == ([referrer.email], "Referral accepted")


def test_a_user_without_an_email_address_gets_the_in_app_notification_only(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(username="no_email", email="")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        note = services.notify_user(recipient=user, subject="Hello", body="In the app only.")

    assert callbacks == []
    assert mail.outbox == []
    assert Notification.objects.get() == note
    assert note.emailed_at is None


def test_notify_address_emails_someone_without_an_account(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = services.notify_address(
            email="rhian@example.org", subject="Referral accepted", body="Good news."
        )

    note.refresh_from_db()
    assert note.recipient is None
    assert note.emailed_at is not None
    assert [m.to for m in mail.outbox] == [["rhian@example.org"]]


def test_a_long_subject_is_cut_to_fit(referrer):
    note = services.notify_user(recipient=referrer, subject="x" * 300, body="b")

    assert len(note.subject) == 200


# --- send_notification_email_now ------------------------------------------------------------


def test_send_notification_email_now_sends_once(referrer):
    note = NotificationFactory(recipient=referrer)

    assert services.send_notification_email_now(notification_id=note.pk) is True
    assert services.send_notification_email_now(notification_id=note.pk) is False

    assert len(mail.outbox) == 1
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_send_notification_email_now_has_nothing_to_send_for_an_unknown_id():
    assert services.send_notification_email_now(notification_id=987654) is False
    assert mail.outbox == []


def test_the_email_has_a_text_and_an_html_part_with_a_link_to_the_page(referrer, settings):
    settings.SITE_URL = "https://ifss.example.gov.uk"
    note = NotificationFactory(
        recipient=referrer,
        subject="Referral for Evans family: allocated",
        body="Evans family has been allocated.\nThe worker will call you.",
        url="/referrals/7/",
    )

    services.send_notification_email_now(notification_id=note.pk)

    [email] = mail.outbox
    assert email.subject == "Referral for Evans family: allocated"
    assert email.to == [referrer.email]
    assert "Evans family has been allocated." in email.body
    assert "https://ifss.example.gov.uk/referrals/7/" in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert "Evans family has been allocated.<br>The worker will call you." in html
    assert '<a href="https://ifss.example.gov.uk/referrals/7/">' in html


def test_the_html_part_escapes_what_users_typed(referrer):
    note = NotificationFactory(recipient=referrer, body="<script>alert(1)</script> & more")

    services.send_notification_email_now(notification_id=note.pk)

    [(html, _mimetype)] = mail.outbox[0].alternatives
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    # The text part is plain text: nothing to escape.
    assert "<script>alert(1)</script> & more" in mail.outbox[0].body


# --- The sweep ------------------------------------------------------------------------------


def test_the_sweep_sends_only_what_is_unsent_and_more_than_two_minutes_old(referrer):
    no_email = UserFactory(username="no_email", email="")
    old_unsent = NotificationFactory(recipient=referrer, subject="Old unsent")
    old_address = NotificationFactory(recipient=None, email="rhian@example.org", subject="To Rhian")
    NotificationFactory(recipient=referrer, emailed_at=timezone.now(), subject="Already sent")
    NotificationFactory(recipient=no_email, subject="No address")

    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        NotificationFactory(recipient=referrer, subject="Just created")
        sent = send_pending_emails()

    assert sent == 2
    assert sorted(m.subject for m in mail.outbox) == ["Old unsent", "To Rhian"]
    for note in (old_unsent, old_address):
        note.refresh_from_db()
        assert note.emailed_at is not None


def test_running_the_sweep_twice_sends_nothing_twice(referrer):
    NotificationFactory(recipient=referrer)

    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert send_pending_emails() == 1
        assert send_pending_emails() == 0

    assert len(mail.outbox) == 1


# --- The broker is down ---------------------------------------------------------------------


@contextmanager
def broker_down(settings) -> Iterator[None]:
    """Queue tasks for real, to a broker on a closed port, and put everything back after.

    Changing Django settings alone is not enough: the Celery app read them once, into
    app.conf, and caches its connection pool; both are swapped here and restored.
    kombu retries a refused connection for about two seconds by default; max_retries=0
    keeps the test fast and still exercises the same failure (OperationalError).
    """
    from ifss.celery import app

    amqp = app.amqp
    saved = (
        app.conf.broker_url,
        app.conf.task_always_eager,
        app.conf.broker_transport_options,
        app._pool,
        amqp._producer_pool,
    )
    settings.CELERY_BROKER_URL = CLOSED_PORT
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url = CLOSED_PORT
    app.conf.task_always_eager = False
    app.conf.broker_transport_options = {"max_retries": 0}
    app._pool = None
    amqp._producer_pool = None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        (
            app.conf.broker_url,
            app.conf.task_always_eager,
            app.conf.broker_transport_options,
            app._pool,
            amqp._producer_pool,
        ) = saved


def test_a_screening_decision_succeeds_when_the_broker_is_down_and_the_sweep_catches_up(
    settings, team_a, manager, referrer, django_capture_on_commit_callbacks, caplog
):
    referral = ReferralFactory(team=team_a, created_by=referrer, referrer_email=referrer.email)
    client = Client()
    client.force_login(manager)

    with broker_down(settings), caplog.at_level(logging.WARNING, "core.queueing"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(
                reverse("referrals:decide", args=[referral.pk]),
                {
                    "outcome": outcome("accepted").pk,
                    "reason": reason("accepted").pk,
                    "priority": "2",
                    "version": "1",
                },
            )

    assert response.status_code == 302
    assert len(callbacks) == 1  # the task was really queued, and failed to reach the broker
    assert "Broker unavailable" in caplog.text
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert ScreeningDecision.objects.count() == 1
    note = Notification.objects.get(recipient=referrer)
    assert note.emailed_at is None
    assert mail.outbox == []

    # The broker is back (tasks run inline again): the periodic sweep sends the email.
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert send_pending_emails() == 1

    note.refresh_from_db()
    assert note.emailed_at is not None
    assert [m.to for m in mail.outbox] == [[referrer.email]]


def test_the_celery_app_is_restored_after_the_broker_outage(settings):
    from ifss.celery import app

    before = (app.conf.broker_url, app.conf.task_always_eager)
    with broker_down(settings):
        assert app.conf.broker_url == CLOSED_PORT
        with pytest.raises(Exception):  # noqa: B017 - whatever kombu raises for a refused port
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=0)

    assert (app.conf.broker_url, app.conf.task_always_eager) == before
