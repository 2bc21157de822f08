from __future__ import annotations

import smtplib
from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from . import services
from .models import Notification


# OperationalError: the database busy beyond its timeout ("database is locked" on the
# embedded SQLite) or a dropped connection; the email is tried again, not lost.
@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError, OperationalError),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
    acks_late=True,
)
def send_notification_email(notification_id: int) -> bool:
    return services.send_notification_email_now(notification_id=notification_id)


@shared_task
def send_pending_emails() -> int:
    """Catch up on emails whose task never reached the broker (it was down)."""
    cutoff = timezone.now() - timedelta(minutes=2)
    ids = list(
        Notification.objects.filter(emailed_at__isnull=True, created_at__lt=cutoff)
        .filter(Q(email__gt="") | Q(recipient__email__gt="", recipient__email_digest=False))
        .values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        send_notification_email.delay(pk)
    return len(ids)


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError, OperationalError),
    retry_backoff=60,
    max_retries=8,
    acks_late=True,
)
def send_digest(user_id: int) -> int:
    return services.send_digest(user_id=user_id)


@shared_task
def send_daily_digests() -> int:
    from accounts.models import User

    pending = Notification.objects.filter(recipient=OuterRef("pk"), emailed_at__isnull=True)
    ids = list(
        User.objects.filter(email_digest=True, is_active=True)
        .filter(Exists(pending))
        .values_list("pk", flat=True)
    )
    for pk in ids:
        send_digest.delay(pk)
    return len(ids)
