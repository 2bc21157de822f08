from __future__ import annotations

import smtplib
from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from . import services
from .models import Emailing, Notification

# A notification's own task is published on commit; the catch-up takes what is still not
# emailed CATCH_UP_AFTER later (its task never reached the broker, or a worker died with
# it), and publishes each again at most once per CATCH_UP_AGAIN, so an SMTP server that is
# down is not flooded. Sending is idempotent (a locked row, emailed_at), so a task that
# was only late sends nothing twice.
CATCH_UP_AFTER = timedelta(seconds=10)
CATCH_UP_AGAIN = timedelta(minutes=10)


# OperationalError: the database busy beyond its timeout ("database is locked" on the
# embedded SQLite) or a dropped connection; the email is tried again, not lost.
@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError, OperationalError),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
)
def send_notification_email(notification_id: int) -> bool:
    return services.send_notification_email_now(notification_id=notification_id)


@shared_task(soft_time_limit=50, time_limit=60)
def send_pending_emails() -> int:
    """Every 30 s: catch up on emails whose task never reached the broker (it was down),
    so they go out within a minute of its return."""
    now = timezone.now()
    ids = list(
        Notification.objects.filter(emailed_at__isnull=True, created_at__lt=now - CATCH_UP_AFTER)
        .filter(Q(email_requeued_at__isnull=True) | Q(email_requeued_at__lt=now - CATCH_UP_AGAIN))
        .filter(emailing=Emailing.NOW)
        .filter(Q(email__gt="") | Q(recipient__email__gt=""))
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
    sent = 0
    # A periodic task holds no transaction: publishing now is publishing after commit.
    for pk in ids:
        try:
            send_notification_email.delay(pk)
        except (BrokerError, ConnectionError, OSError):
            break  # the broker went away again: the next round tries
        Notification.objects.filter(pk=pk).update(email_requeued_at=now)
        sent += 1
    return sent


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError, OperationalError),
    retry_backoff=60,
    max_retries=8,
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
)
def send_digest(user_id: int) -> int:
    return services.send_digest(user_id=user_id)


@shared_task(soft_time_limit=240, time_limit=300)
def send_daily_digests() -> int:
    from accounts.models import User

    pending = Notification.objects.filter(
        recipient=OuterRef("pk"), emailed_at__isnull=True, emailing=Emailing.DIGEST
    )
    ids = list(
        User.objects.filter(is_active=True).filter(Exists(pending)).values_list("pk", flat=True)
    )
    for pk in ids:  # no transaction is open here: published after commit
        send_digest.delay(pk)
    return len(ids)
