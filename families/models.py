"""A family (household) and its members. A family outlives its referrals and episodes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import permissions

_COMPACT_POSTCODE = re.compile(r"[A-Z0-9]{2,4}[0-9][A-Z]{2}")  # outward, then inward code


def normalise_postcode(postcode: str) -> str:
    """One spelling of a postcode however it was typed ("np165ht", "NP16  5HT" ->
    "NP16 5HT"), so the duplicate check matches it on the postcode index. Text that is not
    shaped like a UK postcode is kept, in capitals with single spaces."""
    compact = "".join(postcode.upper().split())
    if _COMPACT_POSTCODE.fullmatch(compact):
        return f"{compact[:-3]} {compact[-3:]}"
    return " ".join(postcode.upper().split())


# The rows a restriction hides from a user, as a filter on families' primary keys. cases
# registers the one statement of the rule (cases.models.hidden_rows) in CasesConfig.ready():
# a restricted case is the case app's, which sits above families (README "Architecture:
# layers"). Empty, visible_to refuses to answer rather than show restricted families.
_restrictions: list[Callable[[Any], Q]] = []


def register_restriction(hidden: Callable[[Any], Q]) -> None:
    if hidden not in _restrictions:
        _restrictions.append(hidden)


class FamilyQuerySet(models.QuerySet["Family"]):
    def visible_to(self, user) -> FamilyQuerySet:
        """The staff's teams' families, but none with a restricted case that does not name
        this user (cases.models.hidden_rows: the one statement of the restriction)."""
        if user.is_superuser:
            return self
        if not _restrictions:
            raise ImproperlyConfigured("No restriction registered: is cases installed?")
        visible = self.filter(team_id__in=permissions.staff_team_ids(user))
        for hidden in _restrictions:
            visible = visible.exclude(hidden(user))
        return visible


class HouseholdType(models.TextChoices):
    TWO_PARENT = "two_parent", _("Two parents or carers")
    LONE_MOTHER = "lone_mother", _("Lone mother")
    LONE_FATHER = "lone_father", _("Lone father")
    KINSHIP = "kinship", _("Kinship carer (grandparent or relative)")
    OTHER = "other", _("Other")


class Family(models.Model):
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="families")
    name = models.CharField(
        _("family name"), max_length=120, help_text=_("How the team refers to the family.")
    )
    address = models.TextField(_("address"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    local_authority = models.ForeignKey(
        "accounts.LocalAuthority",
        on_delete=models.PROTECT,
        related_name="families",
        verbose_name=_("local authority"),
    )
    household_type = models.CharField(
        _("household type"), max_length=20, choices=HouseholdType.choices, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    # When the family's last case closed; NULL while a case is open or before any closed.
    # Kept by families.retention.refresh_last_closed, the one rule: the retention review
    # reads it on family_retention_idx.
    last_closed_at = models.DateTimeField(_("last case closed"), null=True, blank=True)

    objects = FamilyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("families")
        indexes = [
            # Duplicate check: "a family at the same postcode".
            models.Index(fields=["postcode"], name="family_postcode_idx"),
            # Retention review: a team's families by the day their last case closed, of
            # those with nothing open and not anonymised (privacy.services.retention_due).
            models.Index(
                fields=["team", "last_closed_at"],
                condition=Q(anonymised_at__isnull=True, last_closed_at__isnull=False),
                name="family_retention_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MemberKind(models.TextChoices):
    ADULT = "adult", _("Adult")
    CHILD = "child", _("Child or young person")
    UNBORN = "unborn", _("Unborn child")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other or not stated")


class Relationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    STEP_PARENT = "step_parent", _("Step-parent or partner")
    GRANDPARENT = "grandparent", _("Grandparent")
    CARER = "carer", _("Other carer")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other relative or household member")


class PreferredLanguage(models.TextChoices):
    """The language a family member chose to be worked with in (Welsh Language Standards)."""

    WELSH = "cy", _("Welsh")
    ENGLISH = "en", _("English")


class ActiveOffer(models.TextChoices):
    """Whether the person was offered the service in Welsh without having to ask for it
    (the Welsh Government's "Active Offer")."""

    MADE = "made", _("Made: offered the service in Welsh")
    NOT_MADE = "not_made", _("Not made")


class Person(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members")
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
        "reference.Substance", blank=True, related_name="people", verbose_name=_("substances")
    )
    legal_status = models.ForeignKey(
        "reference.LegalStatus",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("legal status"),
    )
    # The Welsh Language Standards: each person's language choice, recorded and respected
    # (the Family Plan and the review report print in the lead carer's: families.language).
    language = models.CharField(
        _("preferred language"), max_length=2, choices=PreferredLanguage.choices, blank=True
    )
    active_offer = models.CharField(
        _("Welsh Active Offer"), max_length=10, choices=ActiveOffer.choices, blank=True
    )
    active_offer_on = models.DateField(_("Active Offer made on"), null=True, blank=True)
    active_offer_by = models.CharField(_("Active Offer made by"), max_length=120, blank=True)

    class Meta:
        ordering = ["kind", "date_of_birth", "first_name"]
        verbose_name_plural = _("people")
        indexes = [
            # Duplicate check: "same name and date of birth".
            models.Index(
                fields=["last_name", "first_name", "date_of_birth"], name="person_name_dob_idx"
            ),
            # Report card: the children of the families worked with, counted from the index
            # alone (all teams' quarter after a restart: 203 -> 102 ms; docs/performance.md).
            models.Index(
                fields=["family"],
                include=["id"],
                condition=Q(kind__in=[MemberKind.CHILD.value, MemberKind.UNBORN.value]),
                name="person_child_family_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in MemberKind]), name="person_kind_valid"
            ),
            # An unborn child is recorded by its due date; everyone else by a birth date.
            models.CheckConstraint(
                condition=~Q(kind="unborn") | Q(due_date__isnull=False),
                name="person_unborn_has_due_date",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.kind == MemberKind.UNBORN and not self.first_name:
            return _("Unborn child (%(name)s)") % {"name": self.last_name}
        return f"{self.first_name} {self.last_name}".strip()

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class ConsentTopic(models.TextChoices):
    REFERRAL = "referral", _("Referral to the team")
    SHARING = "sharing", _("Sharing information with partner agencies")
    FOLLOW_UP = "follow_up", _("Contact for follow-up after closure")
    EVALUATION = "evaluation", _("Taking part in evaluation")


class Consent(models.Model):
    """What one family member agreed to, and who may be told. The latest row per topic is
    in force; earlier rows stay as the history."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    topic = models.CharField(_("about"), max_length=20, choices=ConsentTopic.choices)
    agreed = models.BooleanField(_("agreed"))
    who_may_be_told = models.CharField(
        _("who may be told"),
        max_length=300,
        blank=True,
        help_text=_("Agencies or people information may be shared with."),
    )
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    class Meta:
        ordering = ["person", "topic", "-recorded_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(topic__in=ConsentTopic.values), name="consent_topic_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_topic_display()} ({'yes' if self.agreed else 'no'})"
