from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.language import for_user
from accounts.models import User
from core.queueing import enqueue_on_commit

from .models import (
    ALWAYS_DELIVERED,
    DEFAULT_CHANNELS,
    Channel,
    Emailing,
    Kind,
    Notification,
    Preference,
)


def channel_for(user: User, kind: str) -> str:
    """How this kind of notification reaches this user: their choice, else the default.
    The old all-or-nothing digest switch on the account turns "at once" into "digest"."""
    chosen = (
        Preference.objects.filter(user=user, kind=kind).values_list("channel", flat=True).first()
    )
    channel = chosen or DEFAULT_CHANNELS.get(kind, Channel.EMAIL)
    if channel == Channel.EMAIL and user.email_digest:
        return Channel.DIGEST
    return channel


# A notice's words: a string, or a function that writes them (called in the language of
# whoever reads them, so each recipient is told in their own language).
Text = str | Callable[[], str]


def written(text: Text) -> str:
    return str(text() if callable(text) else text)


def in_language_of(user: User | None, subject: Text, body: Text) -> tuple[str, str]:
    """The subject and body written in this user's language (no user: the site's)."""
    with translation.override(for_user(user)):
        return written(subject), written(body)


@transaction.atomic
def notify_user(
    *,
    recipient: User,
    subject: Text,
    body: Text,
    url: str = "",
    reminder: object = None,
    kind: str = Kind.OTHER,
    topic: str = "",
) -> Notification | None:
    """An in-app notification, plus an email sent by a worker once this commits or in the
    recipient's daily digest, as the recipient chose for this kind. None: they turned this
    kind off."""
    channel = channel_for(recipient, kind)
    if channel == Channel.OFF and kind not in ALWAYS_DELIVERED:
        return None
    emailings: dict[str, str] = {Channel.EMAIL: Emailing.NOW, Channel.DIGEST: Emailing.DIGEST}
    emailing = emailings.get(channel, Emailing.NONE)
    subject, body = in_language_of(recipient, subject, body)
    notification = Notification.objects.create(
        recipient=recipient,
        subject=subject[:200],
        body=body,
        url=url,
        reminder=reminder,
        kind=kind,
        topic=topic[:40],
        emailing=emailing,
    )
    if emailing == Emailing.NOW:
        _queue_email(notification)
    return notification


@transaction.atomic
def set_preferences(*, user: User, channels: dict[str, str]) -> None:
    """Record a user's choice per kind; a choice equal to the default leaves no row, so a
    later change of the default reaches everyone who never chose."""
    for kind, channel in channels.items():
        if kind not in Kind.values or channel not in Channel.values:
            raise ValueError(f"unknown kind or channel: {kind}, {channel}")
        if channel == Channel.OFF and kind in ALWAYS_DELIVERED:
            raise ValueError(f"{kind} cannot be turned off")
        if channel == DEFAULT_CHANNELS.get(kind):
            Preference.objects.filter(user=user, kind=kind).delete()
        else:
            Preference.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})


def channels_of(user: User) -> dict[str, str]:
    """Every kind with the channel this user has (chosen or default), for the form."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "channel"))
    return {kind: chosen.get(kind, DEFAULT_CHANNELS[kind]) for kind in Kind.values}


@transaction.atomic
def notify_address(*, email: str, subject: Text, body: Text) -> Notification:
    """An email-only notice to someone without an account, recorded like any other: in the
    site's language (English), as nobody recorded theirs."""
    subject, body = in_language_of(None, subject, body)
    notification = Notification.objects.create(email=email, subject=subject[:200], body=body)
    _queue_email(notification)
    return notification


def _queue_email(notification: Notification) -> None:
    from .tasks import send_notification_email

    if notification.address:
        enqueue_on_commit(send_notification_email, notification.pk)


def send_notification_email_now(*, notification_id: int) -> bool:
    """Send one notification's email once. Returns False if there was nothing to send."""
    with transaction.atomic():
        notification = (
            # of=self: PostgreSQL cannot lock the nullable side of the recipient join.
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.address:
            return False
        context = {
            "notification": notification,
            "link": f"{settings.SITE_URL}{notification.url}" if notification.url else "",
        }
        # The email's own words (greeting, link, footer) in the recipient's language.
        with translation.override(for_user(notification.recipient)):
            message = EmailMultiAlternatives(
                subject=notification.subject,
                body=render_to_string("notifications/email.txt", context),
                to=[notification.address],
            )
            message.attach_alternative(
                render_to_string("notifications/email.html", context), "text/html"
            )
        # Sending inside the lock: a second worker waits, then finds emailed_at set.
        message.send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def mark_read(*, user: User, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def send_digest(*, user_id: int) -> int:
    """One email listing every notification a digest user has not been emailed yet."""
    with transaction.atomic():
        user = User.objects.get(pk=user_id)
        pending = list(
            Notification.objects.select_for_update()
            .filter(recipient=user, emailed_at__isnull=True, emailing=Emailing.DIGEST)
            .order_by("created_at")
        )
        if not pending or not user.email:
            return 0
        context = {"user": user, "notifications": pending, "site_url": settings.SITE_URL}
        with translation.override(for_user(user)):
            message = EmailMultiAlternatives(
                subject=str(_("IFSS Case Manager: %(n)s notifications") % {"n": len(pending)}),
                body=render_to_string("notifications/digest.txt", context),
                to=[user.email],
            )
            message.attach_alternative(
                render_to_string("notifications/digest.html", context), "text/html"
            )
        message.send()
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(
            emailed_at=timezone.now()
        )
    return len(pending)


class Referred(Protocol):
    """What telling a referrer reads of a referral (referrals.models.Referral): the app is
    above this one, so it is named by shape, not imported."""

    pk: int
    created_by: User
    referrer_email: str


def tell_referrer(referral: Referred, *, subject: Text, body: Text, url: str | None = None) -> None:
    """Tell whoever submitted the referral, and the named referrer too when a team member
    keyed it in for them (a phone referral), so the referrer always hears the outcome. The
    subject and body are best given as functions: each is written in its reader's language
    (Text)."""
    notify_user(
        recipient=referral.created_by,
        subject=subject,
        body=body,
        url=url or reverse("referrals:detail", args=[referral.pk]),
        kind=Kind.REFERRAL_NEWS,
        topic=f"referral:{referral.pk}",
    )
    if referral.referrer_email.lower() != (referral.created_by.email or "").lower():
        notify_address(email=referral.referrer_email, subject=subject, body=body)
