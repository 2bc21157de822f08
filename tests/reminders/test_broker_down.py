"""The broker is down: a manager's screening decision still succeeds, the notification is
recorded (not emailed), and nothing is lost: the periodic catch-up sends it later."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from notifications.tasks import send_pending_emails
from referrals.models import ReferralStatus
from tests.factories import ReferralFactory, outcome, reason

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

CLOSED_PORT = "redis://127.0.0.1:1/0"


@contextmanager
def broker_down(settings) -> Iterator[None]:
    """Publish tasks for real, to Redis on a closed port, with the production connection
    settings (CELERY_BROKER_CONNECTION_TIMEOUT=2 and the rest unchanged). The Celery app
    read the settings once into app.conf and caches its pools, so those are swapped too,
    and everything is put back afterwards."""
    from ifss.celery import app

    amqp = app.amqp
    saved = (app.conf.broker_url, app.conf.task_always_eager, app._pool, amqp._producer_pool)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = CLOSED_PORT
    app.conf.task_always_eager = False
    app.conf.broker_url = CLOSED_PORT
    app._pool = None
    amqp._producer_pool = None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.broker_url, app.conf.task_always_eager, app._pool, amqp._producer_pool = saved


def test_a_screening_decision_succeeds_quickly_with_the_broker_down(
    settings, team_a, manager, referrer, django_capture_on_commit_callbacks, caplog
):
    referral = ReferralFactory(team=team_a, created_by=referrer, referrer_email=referrer.email)
    client = Client()
    client.force_login(manager)

    started = time.monotonic()
    with broker_down(settings), caplog.at_level(logging.WARNING, "core.queueing"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(
                reverse("referrals:decide", args=[referral.pk]),
                {
                    "outcome": outcome("accepted").pk,
                    "reason": reason("accepted").pk,
                    "detail": "",
                    "onward_service": "",
                    "priority": "2",
                    "version": str(referral.version),
                },
            )
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    # The email task was really published after commit, and failed quietly.
    assert len(callbacks) == 1
    assert "Broker unavailable" in caplog.text
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    note = Notification.objects.get(recipient=referrer)
    assert note.subject == f"Referral {referral.pk}: Accepted for assessment"
    assert note.emailed_at is None
    assert mail.outbox == []
    # The request must not hang on the dead broker.
    assert elapsed < 10, f"the request took {elapsed:.1f} s with the broker down"


ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def test_the_catch_up_sends_a_missed_email_once_the_broker_is_back(team_a, referrer):
    """Nothing is lost: a notification whose email task never reached the broker is
    emailed by the periodic catch-up, once."""
    note = Notification.objects.create(
        recipient=referrer, subject="Referral accepted", body="Good news.", url="/referrals/1/"
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert send_pending_emails() == 1
        assert send_pending_emails() == 0

    note.refresh_from_db()
    assert note.emailed_at is not None
    assert [m.to for m in mail.outbox] == [[referrer.email]]
