from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notification is about: each user chooses, per kind, how it reaches them."""

    NEW_REFERRAL = "new_referral", _("A new referral for my team")
    REFERRAL_NEWS = "referral_news", _("News of a referral I made")
    ALLOCATION = "allocation", _("A case allocated to me")
    REMINDER_NOTICE = "reminder_notice", _("Reminders: something is due soon")
    REMINDER_DUE = "reminder_due", _("Reminders: something is due today")
    ESCALATION = "escalation", _("Overdue items escalated to me as manager")
    CAPACITY = "capacity", _("A practitioner has capacity for the waiting list")
    REPORT_READY = "report_ready", _("A report card is ready")
    OTHER = "other", _("Anything else")


class Channel(models.TextChoices):
    APP = "app", _("In the app only")
    EMAIL = "email", _("In the app and by email at once")
    DIGEST = "digest", _("In the app and in a daily email")
    OFF = "off", _("Off")


# What a user gets until they choose: at once what needs acting on today, in the morning's
# digest what is only coming up, in the app only what a manager looks at anyway.
DEFAULT_CHANNELS: dict[str, str] = {
    Kind.NEW_REFERRAL: Channel.EMAIL,
    Kind.REFERRAL_NEWS: Channel.EMAIL,
    Kind.ALLOCATION: Channel.EMAIL,
    Kind.REMINDER_NOTICE: Channel.DIGEST,
    Kind.REMINDER_DUE: Channel.EMAIL,
    Kind.ESCALATION: Channel.EMAIL,
    Kind.CAPACITY: Channel.APP,
    Kind.REPORT_READY: Channel.EMAIL,
    Kind.OTHER: Channel.EMAIL,
}
# Overdue work escalated to a manager cannot be turned off: it is the safety net.
ALWAYS_DELIVERED = frozenset({Kind.ESCALATION})


class Emailing(models.TextChoices):
    """How a notification is emailed, fixed when it is made from the user's choice."""

    NOW = "now", _("At once")
    DIGEST = "digest", _("In the daily digest")
    NONE = "none", _("Not emailed")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    # Null for an email-only notice to someone without an account (a referrer who phoned).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField(_("email address"), blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    # Database defaults too: the synthetic generator's COPY writes rows without them.
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER, db_default=Kind.OTHER
    )
    # The case or referral it is about ("case:7", "referral:12"): the list groups a user's
    # notifications per topic and day. Blank: a notification of its own.
    topic = models.CharField(max_length=40, blank=True, editable=False, default="", db_default="")
    emailing = models.CharField(
        max_length=10,
        choices=Emailing.choices,
        default=Emailing.NOW,
        db_default=Emailing.NOW,
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    # When the email catch-up last published this notification's task again: it waits
    # CATCH_UP_AGAIN before doing it a second time (notifications.tasks).
    email_requeued_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The reminder step this notification delivered, if it was a reminder.
    reminder = models.ForeignKey(
        "reminders.Reminder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Every notification goes somewhere: an account, an address, or both.
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(email=""),
                name="notification_has_destination",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values), name="notification_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(emailing__in=Emailing.values),
                name="notification_emailing_valid",
            ),
        ]
        indexes = [
            # The bell: a user's unread count.
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # A user's list, newest first, a page of days at a time.
            models.Index(fields=["recipient", "-created_at"], name="notification_recent_idx"),
            # The email catch-up's scan, every 30 s: the few to email at once, not emailed
            # yet (in-app-only and digest notifications stay out of it).
            models.Index(
                fields=["created_at"],
                condition=models.Q(emailed_at__isnull=True, emailing="now"),
                name="notification_unemailed_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def address(self) -> str:
        return self.email or (self.recipient.email if self.recipient else "")


class Preference(models.Model):
    """A user's choice of how one kind of notification reaches them. No row: the default
    (DEFAULT_CHANNELS)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("how"), max_length=10, choices=Channel.choices)

    class Meta:
        constraints = [
            # One choice per user and kind; notify_user reads it by this key.
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values), name="notification_pref_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values),
                name="notification_pref_channel_valid",
            ),
            # The safety net cannot be switched off, whatever writes the row.
            models.CheckConstraint(
                condition=~models.Q(kind__in=sorted(ALWAYS_DELIVERED), channel="off"),
                name="notification_pref_escalation_on",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.channel}"
