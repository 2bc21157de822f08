from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases import deadlines
from cases.amendments import Amendable, CurrentManager, amendable_constraints


class ReviewQuerySet(models.QuerySet["Review"]):
    def pending(self) -> ReviewQuerySet:
        return self.filter(held_on__isnull=True)


class Review(Amendable):
    """A Phase 2 review, scheduled at the team's offsets after Phase 1 ends."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reviews")
    offset_months = models.PositiveSmallIntegerField(_("months after Phase 1"))
    due_on = models.DateField(_("due"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    attendees = models.CharField(_("who attended"), max_length=500, blank=True)
    progress = models.TextField(_("progress"), blank=True)
    children_wellbeing = models.TextField(
        _("the children's safety and wellbeing"), blank=True, default="", db_default=""
    )
    plan_still_fit = models.BooleanField(_("the plan is still fit for purpose"), null=True)
    services_signposted = models.ManyToManyField(
        "reference.OnwardService", blank=True, verbose_name=_("services signposted")
    )
    outside_window_reason = models.TextField(
        _("reason the review was held outside its window"), blank=True, db_default=""
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The report to the referrer is sent on purpose after the review is saved: by the
    # worker, or (per team setting) put to a manager who signs it off and so sends it.
    report_submitted_at = models.DateTimeField(_("report put to a manager"), null=True, blank=True)
    report_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report_sent_at = models.DateTimeField(_("report sent to referrer"), null=True, blank=True)
    report_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("report sent by"),
    )
    report_signed_off = models.BooleanField(
        _("report signed off by a manager"), default=False, db_default=False
    )
    version = models.PositiveIntegerField(default=1)

    objects = CurrentManager.from_queryset(ReviewQuerySet)()
    all_versions = models.Manager.from_queryset(ReviewQuerySet)()

    class Meta:
        ordering = ["due_on"]
        indexes = [
            # Due and overdue reviews: pending reviews by due date. Report card: reviews held
            # in a period, read from the index alone (docs/performance.md).
            models.Index(
                fields=["held_on", "due_on"],
                include=["id", "case", "offset_months", "entry_status"],
                name="review_due_idx",
            ),
            # Report card: reviews due in a period, held on time or not, from the index alone.
            models.Index(
                fields=["due_on"],
                include=["id", "held_on", "case", "entry_status"],
                name="review_due_on_idx",
            ),
        ]
        constraints = [
            # One current review per offset per case: scheduling twice never duplicates
            # (amended and withdrawn records of it are kept beside it as history).
            models.UniqueConstraint(
                fields=["case", "offset_months"],
                condition=Q(entry_status="current"),
                name="review_offset_unique",
            ),
            *amendable_constraints("review"),
            # A report is sent only for a held review; a sign-off is a sending.
            models.CheckConstraint(
                condition=Q(report_sent_at__isnull=True) | Q(held_on__isnull=False),
                name="review_report_after_held",
            ),
            models.CheckConstraint(
                condition=Q(report_signed_off=False) | Q(report_sent_at__isnull=False),
                name="review_signoff_is_sent",
            ),
        ]

    def __str__(self) -> str:
        return _("%(n)s-month review") % {"n": self.offset_months}

    def window(self, team) -> tuple[date, date]:
        """The days on which the review counts as held on time: the team's window either
        side of the due date (a shorter one for the 1-month review)."""
        days = team.first_review_window_days if self.offset_months <= 1 else team.review_window_days
        return deadlines.review_window(self.due_on, days)


class Requester(models.TextChoices):
    FAMILY = "family", _("The family")
    SOCIAL_WORKER = "social_worker", _("The social worker")
    TEAM = "team", _("The team")


class Booster(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="boosters")
    requested_by = models.CharField(_("asked for by"), max_length=20, choices=Requester.choices)
    requested_on = models.DateField(_("asked for on"))
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("delivered by"),
    )
    delivered_on = models.DateField(_("delivered on"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    notes = models.TextField(_("notes"), blank=True)
    over_limit_reason = models.TextField(_("reason for going past the limit"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("manager who approved"),
    )

    class Meta:
        ordering = ["delivered_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_by__in=Requester.values), name="booster_requester_valid"
            ),
        ]

    def __str__(self) -> str:
        return _("Booster on %(d)s") % {"d": self.delivered_on}
