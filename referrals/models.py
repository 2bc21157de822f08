from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES, Role


class ReferralStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting screening")
    ACCEPTED = "accepted", _("Accepted: awaiting allocation")
    WAITING = "waiting", _("On the waiting list")
    ALLOCATED = "allocated", _("Allocated")
    REFERRED_ON = "referred_on", _("Referred on")
    CLOSED = "closed", _("Closed at screening")


# Statuses in which a manager can still record a screening decision.
SCREENABLE = (ReferralStatus.SUBMITTED, ReferralStatus.WAITING, ReferralStatus.ACCEPTED)
# Statuses from which a family can be allocated to a worker.
ALLOCATABLE = (ReferralStatus.ACCEPTED, ReferralStatus.WAITING)


class Proceedings(models.TextChoices):
    NONE = "none", _("None")
    PRE_PROCEEDINGS = "pre_proceedings", _("Pre-proceedings (Public Law Outline)")
    CARE_PROCEEDINGS = "care_proceedings", _("Care proceedings")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video call")
    TEXT = "text", _("Text message")
    OTHER = "other", _("Other")


class ReferralQuerySet(models.QuerySet["Referral"]):
    def visible_to(self, user) -> ReferralQuerySet:  # noqa: ANN001
        """A referrer sees their own referrals; team staff see their teams'; boards see none."""
        if user.is_superuser:
            return self
        from cases.models import Case

        # A referral whose case is restricted is hidden from staff not named on it (the
        # referrer who made it still sees its status).
        restricted = Case.objects.filter(referral=models.OuterRef("pk"), restricted=True).exclude(
            restricted_to=user
        )
        return self.filter(
            Q(created_by=user)
            | (Q(team_id__in=user.team_ids_with_role(*STAFF_ROLES)) & ~models.Exists(restricted))
        )

    def managed_by(self, user) -> ReferralQuerySet:  # noqa: ANN001
        if user.is_superuser:
            return self
        return self.filter(team_id__in=user.team_ids_with_role(Role.MANAGER))

    def with_list_related(self) -> ReferralQuerySet:
        return self.select_related("team", "family", "created_by", "route").annotate(
            member_count=models.Count("family__members", distinct=True)
        )


class Referral(models.Model):
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("team")
    )
    family = models.ForeignKey(
        "families.Family", on_delete=models.PROTECT, related_name="referrals"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    received_at = models.DateTimeField(_("received"))
    route = models.ForeignKey(
        "reference.ReferralRoute", on_delete=models.PROTECT, verbose_name=_("route")
    )
    referrer_name = models.CharField(_("referrer's name"), max_length=120)
    referrer_role = models.CharField(_("referrer's job title"), max_length=120, blank=True)
    referrer_team = models.CharField(_("referrer's team"), max_length=120, blank=True)
    referrer_agency = models.CharField(_("referrer's agency"), max_length=120)
    referrer_local_authority = models.ForeignKey(
        "accounts.LocalAuthority",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referrer's local authority"),
    )
    referrer_phone = models.CharField(_("referrer's phone"), max_length=40)
    referrer_email = models.EmailField(_("referrer's email"))
    presenting_issues = models.ManyToManyField(
        "reference.PresentingIssue", related_name="referrals", verbose_name=_("presenting issues")
    )
    proceedings = models.CharField(
        _("court proceedings"), max_length=20, choices=Proceedings.choices, default=Proceedings.NONE
    )
    consent_given = models.BooleanField(_("the family consents to the referral"))
    consent_date = models.DateField(_("date consent given"), null=True, blank=True)
    reason_for_referral = models.TextField(_("reason for referral"))
    is_rereferral = models.BooleanField(_("re-referral"), default=False)
    previous_referral = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rereferrals"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SUBMITTED
    )
    first_contact_at = models.DateTimeField(_("first contact with referrer"), null=True, blank=True)
    first_contact_with = models.CharField(
        _("who was spoken to"), max_length=120, blank=True, db_default=""
    )
    first_contact_method = models.CharField(
        _("how"), max_length=20, choices=ContactMethod.choices, blank=True, db_default=""
    )
    first_contact_note = models.CharField(_("note"), max_length=500, blank=True, db_default="")
    submission_key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # Screening queue: a team's referrals in one status, oldest first.
            models.Index(fields=["team", "status", "received_at"], name="referral_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ReferralStatus]),
                name="referral_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(proceedings__in=[p.value for p in Proceedings]),
                name="referral_proceedings_valid",
            ),
            # Blank only for first contacts recorded before the method was asked for.
            models.CheckConstraint(
                condition=Q(first_contact_method__in=["", *ContactMethod.values]),
                name="referral_first_contact_method_valid",
            ),
        ]

    def __str__(self) -> str:
        return _("Referral %(id)s: %(family)s") % {"id": self.pk, "family": self.family}


class ReferralDraft(models.Model):
    """A referral form saved part-way, as the raw fields typed, so nothing is ever lost."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referral_drafts"
    )
    title = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title or str(_("Untitled draft"))


class ScreeningDecision(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.ForeignKey(
        "reference.ScreeningOutcome", on_delete=models.PROTECT, verbose_name=_("outcome")
    )
    reason = models.ForeignKey(
        "reference.ScreeningReason", on_delete=models.PROTECT, verbose_name=_("reason")
    )
    detail = models.TextField(_("explanation"), blank=True)
    onward_service = models.ForeignKey(
        "reference.OnwardService",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("referred on to"),
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    decided_at = models.DateTimeField(_("decided"))

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.reason}"


class Priority(models.IntegerChoices):
    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class WaitingListEntryQuerySet(models.QuerySet["WaitingListEntry"]):
    def current(self) -> WaitingListEntryQuerySet:
        return self.filter(left_at__isnull=True)


class WaitingListEntry(models.Model):
    """A family kept in the prioritised pool: the most appropriate is taken, not the oldest."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="waiting")
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    notes = models.TextField(_("notes"), blank=True)
    added_at = models.DateTimeField(_("added"))
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    left_because = models.CharField(_("left because"), max_length=200, blank=True)

    objects = WaitingListEntryQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "added_at"]
        constraints = [
            # A referral is on the waiting list at most once at a time.
            models.UniqueConstraint(
                fields=["referral"], condition=Q(left_at__isnull=True), name="waiting_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral} ({self.get_priority_display()})"
