from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES

from . import pathway


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.exclude(stage=pathway.Stage.CLOSED)

    def intensive(self) -> CaseQuerySet:
        return self.filter(stage__in=pathway.INTENSIVE_STAGES)

    def visible_to(self, user) -> CaseQuerySet:  # noqa: ANN001
        if user.is_superuser:
            return self
        return self.filter(team_id__in=user.team_ids_with_role(*STAFF_ROLES))

    def worked_by(self, user) -> CaseQuerySet:  # noqa: ANN001
        return self.filter(Q(worker=user) | Q(co_worker=user))

    def with_list_related(self) -> CaseQuerySet:
        return self.select_related("family", "team", "worker", "co_worker", "referral")


class Case(models.Model):
    """One episode of work with a family, from allocation to closure."""

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, related_name="case"
    )
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="cases")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("spearhead worker"),
    )
    co_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="co_worked_cases",
        verbose_name=_("co-worker"),
    )
    stage = models.CharField(
        _("stage"),
        max_length=30,
        choices=pathway.CHOICES,
        default=pathway.Stage.AWAITING_ASSESSMENT,
    )
    allocated_at = models.DateTimeField(_("allocated"))
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-allocated_at"]
        indexes = [
            # Practitioner load: a worker's open cases by stage.
            models.Index(fields=["worker", "stage"], name="case_worker_stage_idx"),
            # Team caseload: a team's cases by stage.
            models.Index(fields=["team", "stage"], name="case_team_stage_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=[s.value for s in pathway.Stage]), name="case_stage_valid"
            ),
            # A co-worker is a second person, never the spearhead worker again.
            models.CheckConstraint(
                condition=~Q(co_worker=models.F("worker")), name="case_coworker_differs"
            ),
        ]

    def __str__(self) -> str:
        return _("Case %(id)s: %(family)s") % {"id": self.pk, "family": self.family}


class StageChange(models.Model):
    """History of a case's stage: the only writer is cases.services.move_case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=30, choices=pathway.CHOICES, blank=True)
    to_stage = models.CharField(max_length=30, choices=pathway.CHOICES)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    changed_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_stage or '–'} → {self.to_stage}"
