from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from cases.amendments import Amendable, CurrentManager, amendable_constraints
from families.models import ActiveOffer, MemberKind, PreferredLanguage, Relationship, Sex


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
    def _hidden(self, user) -> Q:
        """Referrals of a family with a restricted case that does not name this user: its own
        case, or an earlier episode of the family it was linked to (cases.models.hidden_rows,
        the one statement of the restriction)."""
        from cases.models import hidden_rows

        return hidden_rows(user, "family_id", by="family_id")

    def hidden_from(self, user) -> ReferralQuerySet:
        """The referrals a restriction hides from this user (for lists of other things that
        name a referral, such as the due page's items)."""
        if user.is_superuser:
            return self.none()
        return self.filter(self._hidden(user))

    def visible_to(self, user) -> ReferralQuerySet:
        """A referrer sees their own referrals; team staff see their teams' but those of a
        restricted family that does not name them; boards see none. (The referrer who made
        a referral still sees it: its page shows only what they typed.)"""
        if user.is_superuser:
            return self
        return self.filter(
            Q(created_by=user)
            | (Q(team_id__in=permissions.staff_team_ids(user)) & ~self._hidden(user))
        )

    def managed_by(self, user) -> ReferralQuerySet:
        """The referrals a manager may act on: their teams', but never those of a restricted
        family that does not name them."""
        if user.is_superuser:
            return self
        return self.filter(team_id__in=permissions.manager_team_ids(user)).exclude(
            self._hidden(user)
        )

    def with_list_related(self) -> ReferralQuerySet:
        from families.models import Person

        # A subquery per shown row, not a join of every referral with its family's members
        # grouped before the page is cut (seconds at national scale, issue 15).
        members = (
            Person.objects.filter(family=models.OuterRef("family_id"))
            .order_by()
            .values("family")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.select_related("team", "family", "created_by", "route").annotate(
            member_count=Coalesce(models.Subquery(members), 0)
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
    # The family as the referrer described it, kept as referred: linking the referral to a
    # family already known never writes into that family, and a later referral never
    # changes what an earlier one said. Empty on referrals made before this was kept
    # (their pages show the family's record instead).
    family_name = models.CharField(
        _("family name as referred"), max_length=120, blank=True, db_default=""
    )
    address = models.TextField(_("address as referred"), blank=True, db_default="")
    postcode = models.CharField(_("postcode as referred"), max_length=10, blank=True, db_default="")
    local_authority = models.ForeignKey(
        "accounts.LocalAuthority",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("local authority as referred"),
    )
    household_type = models.CharField(
        _("household type as referred"), max_length=20, blank=True, db_default=""
    )
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
            # The referral list, newest first, read a page at a time (issue 15): the admin's
            # walks this index backwards; a team's staff (and the board's quarter counts,
            # dashboard.views.board_team_figures) use the team's entries.
            # It carries what the report card reads of a quarter's referrals (team, family,
            # first contact, re-referral), so the all-teams figures read the index alone,
            # not the table's rows scattered over the quarter (issue 15: computing them
            # after a restart, with decision_decided_idx and cases' assessment_completed_idx,
            # 2.03 -> 1.78 s; docs/performance.md).
            models.Index(
                fields=["received_at", "id"],
                include=["team", "family", "first_contact_at", "is_rereferral"],
                name="referral_received_idx",
            ),
            models.Index(fields=["team", "received_at"], name="referral_team_received_idx"),
            # A referrer's own referrals, newest first (the home page's ten, the referral
            # list's referrer view). Without it, once PostgreSQL planned the prepared
            # statement generically (its sixth run on a connection), it walked
            # referral_received_idx backwards filtering by creator: 80-700 ms for someone
            # with few referrals (the administrator's home page), 1 ms with this index.
            models.Index(fields=["created_by", "-received_at"], name="referral_creator_idx"),
            # Every team's referrals in one status, oldest first: the administrator's
            # screening queue. Planned generically, the query walked referral_received_idx
            # filtering by status (46 -> 123 ms on the sixth run; a few dozen rows submitted).
            models.Index(fields=["status", "received_at", "id"], name="referral_status_idx"),
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

    @property
    def reference(self) -> str:
        """How emails and notifications name it: never by the family's name."""
        return _("Referral %(id)s") % {"id": self.pk}

    @property
    def name_as_referred(self) -> str:
        """The family's name as the referrer typed it (what the referrer may be told)."""
        return self.family_name or self.family.name

    @property
    def has_snapshot(self) -> bool:
        return bool(self.family_name)


class ReferredMember(models.Model):
    """One member of the household as the referral described them. Never changed by a later
    referral; `person` is the family member they were matched to (None: not on the family's
    record, until a manager adds them)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="household")
    person = models.ForeignKey(
        "families.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("member"), max_length=10, choices=MemberKind.choices)
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    relationship = models.CharField(
        _("relationship in the household"), max_length=20, choices=Relationship.choices
    )
    ethnicity = models.CharField(_("ethnicity"), max_length=80, blank=True)
    substances = models.ManyToManyField(
        "reference.Substance", blank=True, related_name="+", verbose_name=_("substances")
    )
    legal_status = models.ForeignKey(
        "reference.LegalStatus",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("legal status"),
    )
    language = models.CharField(
        _("preferred language"), max_length=2, choices=PreferredLanguage.choices, blank=True
    )
    active_offer = models.CharField(
        _("Welsh Active Offer"), max_length=10, choices=ActiveOffer.choices, blank=True
    )
    active_offer_on = models.DateField(_("Active Offer made on"), null=True, blank=True)
    active_offer_by = models.CharField(_("Active Offer made by"), max_length=120, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in MemberKind]),
                name="referredmember_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.kind == MemberKind.UNBORN and not self.first_name:
            return _("Unborn child (%(name)s)") % {"name": self.last_name}
        return f"{self.first_name} {self.last_name}".strip()


class FamilyUpdate(models.Model):
    """A difference between what a referral said and the family's record, applied by a
    manager on purpose: the history of the family's current facts (who, when, from which
    referral, the value before and after)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey("families.Family", on_delete=models.CASCADE, related_name="updates")
    person = models.ForeignKey(
        "families.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    field = models.CharField(_("what"), max_length=60)  # the difference's key
    label = models.CharField(_("what"), max_length=200)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    applied_at = models.DateTimeField(_("applied"))

    class Meta:
        ordering = ["-applied_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.field}: {self.before} -> {self.after}"


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


class ScreeningDecision(Amendable):
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
    version = models.PositiveIntegerField(default=1, db_default=1)

    objects = CurrentManager()
    all_versions = models.Manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [*amendable_constraints("screeningdecision")]
        indexes = [
            # The report card's decisions made in a quarter, read from the index alone (a
            # sequential scan of every decision before; docs/performance.md, issue 15).
            models.Index(
                fields=["decided_at"],
                include=["id", "referral", "outcome"],
                condition=Q(entry_status="current"),
                name="decision_decided_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.reason}"


class Priority(models.IntegerChoices):
    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class WaitingListEntryQuerySet(models.QuerySet["WaitingListEntry"]):
    def current(self) -> WaitingListEntryQuerySet:
        return self.filter(left_at__isnull=True)

    def managed_by(self, user) -> WaitingListEntryQuerySet:
        """The entries of the referrals a manager may act on (Referral.objects.managed_by's
        rule), tested on each entry's own referral: the few current entries lead to their
        referrals, and NOT EXISTS probes each family for a hiding restriction. Asking
        `referral__in=managed_by(...)` made PostgreSQL hash every referral of the team
        (25,000 at national scale, 17 ms per query, twice a page) to keep 22."""
        from cases.models import hidden_from

        if user.is_superuser:
            return self
        return self.filter(referral__team_id__in=permissions.manager_team_ids(user)).exclude(
            hidden_from(user, "referral__family_id", by="family_id")
        )


class WaitingListEntry(models.Model):
    """A family kept in the prioritised pool: the most appropriate is taken, not the oldest."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="waiting")
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    notes = models.TextField(_("notes"), blank=True)
    # The edit form carries it: a second manager's edit is refused, not saved over the first.
    # db_default: rows the synthetic dataset writes outside the ORM start at 1.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
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
