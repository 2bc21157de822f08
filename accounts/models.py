from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    """The languages the interface, emails and printed outputs are offered in. Each is
    named in its own language (the Welsh Language Standards' convention for a switcher)."""

    ENGLISH = "en", "English"
    WELSH = "cy", "Cymraeg"


class User(AbstractUser):
    """A person who signs in. Roles come from team memberships."""

    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email_digest = models.BooleanField(
        _("email me a daily digest instead of each notification"), default=False
    )
    # Blank: not chosen yet (the browser's language, or the switcher's cookie). Set by the
    # language switcher when signed in and on the notification choices page; every page,
    # email and print for this user follows it (accounts.language).
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def memberships_held(self) -> list[tuple[int, str]]:
        """The (team id, role) of each active membership, read once per user object (so once
        per request): the menu, scoping and permission checks all answer from it."""
        if "_memberships_held" not in self.__dict__:
            self.__dict__["_memberships_held"] = list(
                Membership.objects.filter(user=self, active=True)
                .order_by()  # the default ordering would join the teams for nothing
                .values_list("team_id", "role")
            )
        return self.__dict__["_memberships_held"]

    def team_ids_with_role(self, *roles: str) -> list[int]:
        """Teams in which this user holds one of the roles."""
        return sorted({team_id for team_id, role in self.memberships_held() if role in roles})

    def roles(self) -> set[str]:
        return {role for _team_id, role in self.memberships_held()}


class LocalAuthority(models.Model):
    """One of Wales's 22 local authorities (or any council a team serves)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.CharField(_("code"), max_length=20, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("local authority")
        verbose_name_plural = _("local authorities")

    def __str__(self) -> str:
        return self.name


def default_review_offsets() -> list[int]:
    return [1, 3, 6, 12]


class AssessmentClock(models.TextChoices):
    """What an hour of the assessment target counts (cases/clock.py does the arithmetic)."""

    CLOCK = "clock", _("Clock hours: every hour of every day")
    WORKING = (
        "working",
        _(
            "Whole working days: every hour of a weekday (24 a day); weekends and bank "
            "holidays skipped"
        ),
    )
    OFFICE = (
        "office",
        _("Office hours: 09:00-17:00 on weekdays (8 a day); weekends and bank holidays skipped"),
    )


class AssessmentTargetFrom(models.TextChoices):
    """When the team's assessment target starts counting. The report card shows the time
    from referral and the time from allocation whatever the team chooses."""

    WAITING_LIST = (
        "waiting_list",
        _(
            "From receipt of the referral; from allocation for families who waited on the "
            "waiting list"
        ),
    )
    REFERRAL = "referral", _("From receipt of the referral, for every family")
    ALLOCATION = "allocation", _("From allocation, for every family")


class ReportSignoff(models.TextChoices):
    NONE = "none", _("The worker sends it")
    MANAGER = "manager", _("A manager signs it off, then it is sent")


class Team(models.Model):
    """An Integrated Family Support Team. Every duration is a setting (DOMAIN.md section 3)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    local_authorities = models.ManyToManyField(
        LocalAuthority, related_name="teams", verbose_name=_("local authorities served")
    )
    email = models.EmailField(_("team email"), blank=True)
    first_contact_hours = models.PositiveIntegerField(
        _("first contact with referrer (hours)"), default=24
    )
    screening_pending_days = models.PositiveIntegerField(
        _("screening decision expected within (days)"), default=5
    )
    assessment_hours = models.PositiveIntegerField(
        _("assessment target (hours)"),
        default=72,
        help_text=_("Counted on the assessment clock: with office hours, 8 hours make a day."),
    )
    assessment_clock = models.CharField(
        _("assessment clock"),
        max_length=10,
        choices=AssessmentClock.choices,
        default=AssessmentClock.CLOCK,
    )
    assessment_target_from = models.CharField(
        _("assessment target counted from"),
        max_length=20,
        choices=AssessmentTargetFrom.choices,
        default=AssessmentTargetFrom.WAITING_LIST,
        # Rows written outside the ORM (the synthetic dataset) get the default too.
        db_default=AssessmentTargetFrom.WAITING_LIST,
        help_text=_("Applies to families allocated from then on."),
    )
    phase1_min_weeks = models.PositiveIntegerField(_("Phase 1 minimum (weeks)"), default=4)
    phase1_max_weeks = models.PositiveIntegerField(_("Phase 1 maximum (weeks)"), default=6)
    phase1_min_hours = models.PositiveIntegerField(
        _("Phase 1 minimum direct hours before a manager discussion"), default=50
    )
    review_offsets_months = models.JSONField(
        _("Phase 2 review offsets (months after Phase 1 ends)"), default=default_review_offsets
    )
    review_window_days = models.PositiveIntegerField(
        _("review window, days either side of the due date"), default=14, db_default=14
    )
    first_review_window_days = models.PositiveIntegerField(
        _("1-month review window, days either side of the due date"),
        default=7,
        db_default=7,
    )
    booster_limit = models.PositiveIntegerField(_("booster sessions allowed"), default=3)
    practitioner_capacity = models.PositiveIntegerField(
        _("intensive families per practitioner"), default=2
    )
    step_down_enabled = models.BooleanField(_("tapered step-down stage"), default=False)
    review_report_signoff = models.CharField(
        _("review reports to the referrer"),
        max_length=10,
        choices=ReportSignoff.choices,
        default=ReportSignoff.NONE,
        db_default=ReportSignoff.NONE,  # rows written in bulk (synthetic COPY) get it too
    )
    reminder_days_before = models.PositiveIntegerField(
        _("reminder notice (days before a deadline)"), default=2
    )
    escalate_after_days = models.PositiveIntegerField(
        _("escalate to the manager (days overdue)"), default=3
    )
    # Cost avoidance (DOMAIN.md section 6): teams often decline to publish it because the
    # outcomes are uncertain, so the panel is off unless a team turns it on.
    cost_panel = models.BooleanField(
        _("show a cost-avoidance panel on the report card"),
        default=False,
        help_text=_("Applies from the next computation of the card's figures."),
    )
    cost_of_care = models.DecimalField(
        _("unit cost of a child in care for a year (£)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    cost_of_registration = models.DecimalField(
        _("unit cost of a child on the child protection register for a year (£)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            # Phase 1 must have a sensible window: the 4-6 week guideline, adjustable.
            models.CheckConstraint(
                condition=Q(phase1_min_weeks__lte=models.F("phase1_max_weeks")),
                name="team_phase1_weeks_ordered",
            ),
            models.CheckConstraint(
                condition=Q(review_report_signoff__in=ReportSignoff.values),
                name="team_review_report_signoff_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    REFERRER = "referrer", _("Referrer")
    PRACTITIONER = "practitioner", _("Practitioner")
    CSW = "csw", _("Consultant social worker")
    MANAGER = "manager", _("Manager")
    PERFORMANCE = "performance", _("Performance officer")
    BOARD = "board", _("Board member")


# Roles that work inside a team and may see its personal data.
STAFF_ROLES = (Role.PRACTITIONER, Role.CSW, Role.MANAGER, Role.PERFORMANCE)
# Roles that carry a caseload and can be allocated families.
CASEWORKER_ROLES = (Role.PRACTITIONER, Role.CSW, Role.MANAGER)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(active=True, user__is_active=True)


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    active = models.BooleanField(_("active"), default=True)
    joined = models.DateField(_("joined"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["team__name", "role"]
        constraints = [
            # One row per person, team and role; a person may hold several roles.
            models.UniqueConstraint(fields=["user", "team", "role"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.team}"


class FormDraft(models.Model):
    """What a user typed into a form page, saved by the page every few seconds, so an idle
    timeout or a lost connection never loses it. Deleted when the form is submitted."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="form_drafts")
    path = models.CharField(max_length=300)
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # One draft per user per form page: the page's autosave overwrites it.
            models.UniqueConstraint(fields=["user", "path"], name="formdraft_one_per_page"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.path}"


class EnrolmentCodeQuerySet(models.QuerySet["EnrolmentCode"]):
    def usable(self) -> EnrolmentCodeQuerySet:
        from django.utils import timezone

        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class EnrolmentCode(models.Model):
    """A one-time code that lets a user set up two-factor sign-in, so a password alone
    is not enough to bind an authenticator app to the account. Issued by an administrator
    (the user admin) or emailed to the user's recorded address; only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    emailed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = EnrolmentCodeQuerySet.as_manager()

    class Meta:
        indexes = [
            # The setup page's lookup: the user's unused codes.
            models.Index(fields=["user", "used_at"], name="enrolmentcode_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"
