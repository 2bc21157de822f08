"""Coded lists that teams may extend. Seeded by a data migration, edited in the admin."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReferenceQuerySet(models.QuerySet):
    def active(self) -> ReferenceQuerySet:
        return self.filter(active=True)


class ReferenceItem(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class PresentingIssue(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("presenting issue")


class Substance(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("substance")


class LegalStatus(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("legal status")
        verbose_name_plural = _("legal statuses")


class ReferralRoute(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("referral route")


class OnwardService(ReferenceItem):
    """Services a family can be referred on or signposted to."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("service to refer on to")


class ServiceType(ReferenceItem):
    """Kinds of service a family member uses, counted before and after the work
    (DOMAIN.md section 4, "services accessed before and after")."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("type of service accessed")


class Effect(models.TextChoices):
    """What a screening outcome does to the referral. Code reads this, never the name."""

    ACCEPT = "accept", _("Accepted for assessment")
    WAITING_LIST = "waiting_list", _("Goes to the waiting list")
    REFER_ON = "refer_on", _("Referred on to another service")
    CLOSE = "close", _("Closes the referral")


class ScreeningOutcome(ReferenceItem):
    effect = models.CharField(_("effect"), max_length=20, choices=Effect.choices)
    needs_detail = models.BooleanField(
        _("needs a written explanation"),
        default=False,
        help_text=_("Ask for free text as well as the coded reason (for 'Other')."),
    )

    class Meta(ReferenceItem.Meta):
        verbose_name = _("screening outcome")
        constraints = [
            models.CheckConstraint(
                condition=Q(effect__in=[e.value for e in Effect]),
                name="screeningoutcome_effect_valid",
            )
        ]


class ScreeningReason(models.Model):
    """A coded reason under one outcome. The evaluators found reasons missing: they are required."""

    outcome = models.ForeignKey(ScreeningOutcome, on_delete=models.PROTECT, related_name="reasons")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=160)
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["outcome__order", "order", "name"]
        verbose_name = _("screening reason")
        constraints = [
            # Codes are unique within an outcome: reports group by (outcome, code).
            models.UniqueConstraint(fields=["outcome", "code"], name="screeningreason_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class NotProceedReason(ReferenceItem):
    """Why a family did not proceed to Phase 1 after assessment (this closes the case)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("reason for not proceeding")


class PracticeMethod(ReferenceItem):
    """Practice methods a contact can be tagged with (motivational interviewing, ...)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("practice method")


class GoalCategory(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("goal category")
        verbose_name_plural = _("goal categories")


class ClosureReason(ReferenceItem):
    counts_as_success = models.BooleanField(
        _("counts as a successful closure"),
        default=False,
        help_text=_("The derived success class; a manager can override it per case."),
    )
    planned_end = models.BooleanField(
        _("a planned end"),
        default=False,
        help_text=_(
            'A Phase 2 closure with this reason counts as "completed Phase 2"; others are '
            "shown on their own row."
        ),
    )

    class Meta(ReferenceItem.Meta):
        verbose_name = _("closure reason")
