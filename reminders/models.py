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


class DueItem(models.Model):
    """A deadline as the due page lists it, stored so that the page reads a team's items
    with one indexed query instead of computing its thousands of deadlines on every view.
    Derived data: reminders.duestore writes it from reminders.deadlines (the one source of
    the rules) and keeps it current; the reminder sweep still computes deadlines itself."""

    # The due page reads a team's items (about 3,000) over the key's own index: sorting
    # them by due time takes 0.1 ms, and an index on (team, due) went unused (EXPLAIN
    # ANALYZE in docs/performance.md).
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    item_type = models.CharField(max_length=20)
    item_id = models.BigIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # None: due now (a case to reallocate is due whenever it is looked at).
    due_at = models.DateTimeField(null=True)
    title = models.CharField(max_length=200)
    family = models.CharField(max_length=200)
    # Plain ids, not keys: a row is rewritten whenever its case or referral changes.
    worker_id = models.BigIntegerField(null=True)
    case_id = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            # duestore: replacing the items of the cases that changed.
            models.Index(fields=["case_id"], name="dueitem_case_idx"),
            # duestore: replacing the items of the referrals that changed.
            models.Index(fields=["item_type", "item_id"], name="dueitem_item_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.family})"

    @property
    def url(self) -> str:
        from .deadlines import item_page

        return item_page(self.item_type, self.item_id)


class Unit(models.TextChoices):
    """What a DueChange names: each is a set of cases and referrals (reminders.duestore)."""

    CASE = "case", _("Case")
    REFERRAL = "referral", _("Referral")
    FAMILY = "family", _("Family")
    WORKER = "worker", _("Worker")
    TEAM = "team", _("Team")


class DueChange(models.Model):
    """A record written since the stored due items were last brought up to date: the case,
    referral, family, worker or team whose deadlines may have moved. Written in the same
    transaction as the change (reminders/signals.py), removed once the items are current."""

    unit = models.CharField(max_length=10, choices=Unit.choices)
    unit_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(unit__in=Unit.values), name="duechange_unit_valid")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.unit_id}"


class DueTeamState(models.Model):
    """The day a team's stored due items were last computed in full. Some deadlines move
    with the date alone (the Phase 1 hours projection), so a team's items are computed
    in full again on its first view (or sweep) of each day."""

    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    refreshed_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.team_id}: {self.refreshed_on}"
