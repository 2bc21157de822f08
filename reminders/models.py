from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    FIRST_CONTACT = "first_contact", _("First contact with the referrer")
    SCREENING = "screening", _("Screening decision")
    ASSESSMENT = "assessment", _("Assessment")
    PHASE1_LENGTH = "phase1_length", _("End of Phase 1")
    PHASE1_HOURS = "phase1_hours", _("Phase 1 hours below the minimum")
    REVIEW = "review", _("Phase 2 review")
    START_READINGS = "start_readings", _("Readings at the start")
    CLOSURE_READINGS = "closure_readings", _("Readings at closure")
    ORPHANED = "orphaned", _("Case needs reallocating")
    WAITING_RECHECK = "waiting_recheck", _("Waiting list: capacity has freed")


class Step(models.TextChoices):
    BEFORE = "before", _("Notice before the due date")
    DUE = "due", _("Due today")
    ESCALATE = "escalate", _("Escalated to the manager")
    SUMMARY = "summary", _("Summarised to the manager (already past its reminder windows)")


class Reminder(models.Model):
    """One step of one deadline, sent once. The unique key makes sweeps idempotent: a second
    sweep, or a second worker running at the same moment, cannot insert the same row."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="reminders")
    item_type = models.CharField(max_length=20)
    item_id = models.BigIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    step = models.CharField(max_length=10, choices=Step.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The idempotency key: each step of each deadline is sent at most once.
            models.UniqueConstraint(
                fields=["item_type", "item_id", "kind", "step"], name="reminder_once"
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="reminder_kind_valid"),
            models.CheckConstraint(condition=Q(step__in=Step.values), name="reminder_step_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_step_display()})"
