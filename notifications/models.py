from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
        ]
        indexes = [
            # The bell: a user's unread count.
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # The email catch-up's scan, every 30 s: the few not emailed yet.
            models.Index(
                fields=["created_at"],
                condition=models.Q(emailed_at__isnull=True),
                name="notification_unemailed_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def address(self) -> str:
        return self.email or (self.recipient.email if self.recipient else "")
