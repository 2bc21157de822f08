from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import permissions

from . import pathway
from .amendments import Amendable, CurrentManager, amendable_constraints
from .deadlines import MAX_CONTACT_MINUTES


def _hidden_cases(user) -> models.QuerySet:
    """The restricted cases that do not name this user."""
    return Case.objects.filter(restricted=True).exclude(restricted_to=user)


def hidden_from(user, case_ref: str, *, by: str = "pk") -> models.Exists:
    """True for a row whose case is restricted and does not name this user. The row names its
    case at case_ref, by the case's `by` field (its pk, or its referral_id). For one row (an
    index probe); filter many rows with hidden_rows."""
    return models.Exists(_hidden_cases(user).filter(**{by: models.OuterRef(case_ref)}))


def hidden_rows(user, case_ref: str, *, by: str = "pk") -> Q:
    """hidden_from's rule as a filter of many rows: the hidden cases are read once (over
    case_restricted_idx) and hashed, instead of probing the case table once per row (the due
    page's 3,300 items: 6 -> 3 ms; docs/performance.md). Exclude with it: a row with no case
    (case_ref NULL) is not hidden."""
    return Q(**{f"{case_ref}__in": _hidden_cases(user).values(by)})


def hides_family(user, family_id: int) -> bool:
    """hidden_from's rule for one family, asked in Python: whether the family has a
    restricted case that does not name this user (who may be told about it)."""
    if user.is_superuser:
        return False
    return _hidden_cases(user).filter(family_id=family_id).exists()


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.exclude(stage=pathway.Stage.CLOSED)

    def intensive(self) -> CaseQuerySet:
        return self.filter(stage__in=pathway.INTENSIVE_STAGES)

    def _in_staff_teams(self, user) -> CaseQuerySet:
        return self.filter(team_id__in=permissions.staff_team_ids(user))

    def visible_to(self, user) -> CaseQuerySet:
        if user.is_superuser:
            return self
        return self._in_staff_teams(user).exclude(hidden_rows(user, "pk"))

    def visible_one_to(self, user) -> CaseQuerySet:
        """visible_to's rule for a lookup of one case: the team filter, and the restriction
        as a column (`hidden`) that the caller turns into a 404. As a WHERE clause it is an
        anti-join, and with a case page's eleven joined tables PostgreSQL took longer to plan
        the query than the rest of its SQL (docs/performance.md)."""
        if user.is_superuser:
            return self.annotate(hidden=models.Value(False))
        return self._in_staff_teams(user).annotate(hidden=hidden_from(user, "pk"))

    def ended_phase1_early(self) -> CaseQuerySet:
        """Phase 1 ended short of the team's minimum weeks or hours, signed off by a manager."""
        return self.filter(phase1_early_signoff__isnull=False)

    def worked_by(self, user) -> CaseQuerySet:
        return self.filter(Q(worker=user) | Q(co_worker=user))

    def with_list_related(self) -> CaseQuerySet:
        # No referral: the lists never show it, and it is a wide row for each case. Of the
        # workers only their names: the rest (password hash, email, phone...) would be read
        # and decoded twice per row.
        user = Case._meta.get_field("worker").related_model
        unshown = [
            f"{worker}__{field.name}"
            for field in user._meta.concrete_fields
            if field.name not in {"id", "username", "first_name", "last_name"}
            for worker in ("worker", "co_worker")
        ]
        return self.select_related("family", "team", "worker", "co_worker").defer(*unshown)


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
    # When the team's assessment target starts counting, on the basis the team chose
    # (Team.assessment_target_from, set at allocation): by default receipt of the referral,
    # or allocation for a family taken off the waiting list. The report card also shows
    # the time from referral and from allocation, so waiting is never hidden.
    assessment_clock_from = models.DateTimeField(_("assessment clock starts"))
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    phase1_planned_start = models.DateField(_("Phase 1 planned start"), null=True, blank=True)
    phase1_start = models.DateField(_("Phase 1 started"), null=True, blank=True)
    phase1_slip_reason = models.CharField(
        _("reason Phase 1 started late"), max_length=300, blank=True
    )
    phase1_end = models.DateField(_("Phase 1 ended"), null=True, blank=True)
    # Phase 1 ended before the team's minimum weeks or hours: the manager's sign-off.
    phase1_early_signoff = models.OneToOneField(
        "cases.Phase1SignOff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sign-off to end Phase 1 early"),
    )
    phase1_outcomes_missing_reason = models.TextField(
        _("why end-of-Phase-1 scores or readings are missing"), blank=True, db_default=""
    )
    over_capacity_reason = models.TextField(
        _("reason for allocating past the worker's capacity"), blank=True, db_default=""
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # A restricted case (a staff member's relative, say) is visible only to named users.
    restricted = models.BooleanField(_("restricted"), default=False)
    restricted_to = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="restricted_cases",
        verbose_name=_("only these people may see it"),
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
            # Due and overdue page, reminder sweep, team caseload: a team's open cases
            # (Case.objects.open().filter(team_id__in=...)); 5% of cases are open.
            models.Index(fields=["team"], condition=~Q(stage="closed"), name="case_open_team_idx"),
            # Due and overdue page: the restricted cases to hide from a manager not named
            # on them (Case.objects.filter(restricted=True)); a few hundred nationally.
            models.Index(fields=["team"], condition=Q(restricted=True), name="case_restricted_idx"),
            # Team caseload: a team's cases whose Phase 1 ended early with a sign-off
            # (Case.objects.ended_phase1_early), counted per team; a few in each hundred.
            models.Index(
                fields=["team"],
                condition=Q(phase1_early_signoff__isnull=False),
                name="case_ended_early_team_idx",
            ),
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

    @property
    def reference(self) -> str:
        """How emails and notifications name it: never by the family's name."""
        return _("Case %(id)s") % {"id": self.pk}

    @property
    def stage_enum(self) -> pathway.Stage:
        return pathway.Stage(self.stage)

    @property
    def is_open(self) -> bool:
        return self.stage != pathway.Stage.CLOSED


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
        indexes = [
            # Report card: phases entered and completed, and the throughput table, by period,
            # read from the index only (docs/performance.md).
            models.Index(
                fields=["changed_at"],
                include=["id", "case", "from_stage", "to_stage"],
                name="stagechange_changed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage or '–'} → {self.to_stage}"


class Phase1SignOffQuerySet(models.QuerySet["Phase1SignOff"]):
    def pending(self) -> Phase1SignOffQuerySet:
        return self.filter(decided_at__isnull=True)


class Phase1SignOff(models.Model):
    """A request to end Phase 1 before the team's minimum weeks or hours, and the manager's
    answer: who asked, who signed off, when and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="phase1_signoffs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked for"))
    reason = models.TextField(_("why Phase 1 should end early"))
    shortfall = models.CharField(_("short of the model by"), max_length=200)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("manager"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    approved = models.BooleanField(_("signed off"), null=True)
    decision_note = models.TextField(_("manager's reason"), blank=True)

    objects = Phase1SignOffQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            # Team caseload: the requests waiting for a manager (pending()), a handful.
            models.Index(
                fields=["case"], condition=Q(decided_at__isnull=True), name="signoff_pending_idx"
            ),
        ]
        constraints = [
            # A decision names the manager and says why; an undecided request has neither.
            models.CheckConstraint(
                condition=(
                    Q(decided_at__isnull=True, approved__isnull=True, decided_by__isnull=True)
                    | (
                        Q(decided_at__isnull=False, approved__isnull=False)
                        & Q(decided_by__isnull=False)
                        & ~Q(decision_note="")
                    )
                ),
                name="phase1signoff_decision_complete",
            ),
        ]

    def __str__(self) -> str:
        return _("Early end of Phase 1 for %(case)s") % {"case": self.case}


class Phase1EndScore(models.Model):
    """A goal's GAS score at the end of Phase 1, asked for when the phase ends."""

    goal = models.OneToOneField(
        "outcomes.Goal", on_delete=models.CASCADE, related_name="phase1_end_score"
    )
    score = models.SmallIntegerField(_("score at the end of Phase 1"))
    scored_on = models.DateField(_("scored on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=-2, score__lte=2), name="phase1endscore_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.score:+d}"


class Decision(models.TextChoices):
    PROCEED = "proceed", _("Proceed to Phase 1")
    NOT_PROCEED = "not_proceed", _("Do not proceed")


class Readiness(models.TextChoices):
    """Readiness to change substance use (the stages of change)."""

    PRECONTEMPLATION = "precontemplation", _("Not yet thinking about change")
    CONTEMPLATION = "contemplation", _("Thinking about change")
    PREPARATION = "preparation", _("Getting ready to change")
    ACTION = "action", _("Making changes")
    MAINTENANCE = "maintenance", _("Keeping changes going")


class Assessment(models.Model):
    """The "72-hour" assessment: timed from the referral's receipt against the team target,
    and written along the three sides of the Assessment Framework, each with its strengths
    and its risks."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="assessment")
    started_at = models.DateTimeField(_("assessment started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("assessment completed"), null=True, blank=True)
    hours_spent = models.DecimalField(
        _("hours with the family"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # The child's developmental needs, with the child's own voice.
    child_strengths = models.TextField(
        _("child's developmental needs: strengths"), blank=True, default="", db_default=""
    )
    child_risks = models.TextField(
        _("child's developmental needs: risks"), blank=True, default="", db_default=""
    )
    child_voice = models.TextField(_("the child's voice"), blank=True, default="", db_default="")
    # Parenting capacity, with substance use history and readiness to change.
    parenting_strengths = models.TextField(
        _("parenting capacity: strengths"), blank=True, default="", db_default=""
    )
    parenting_risks = models.TextField(
        _("parenting capacity: risks"), blank=True, default="", db_default=""
    )
    substance_history = models.TextField(
        _("substance use history"), blank=True, default="", db_default=""
    )
    readiness = models.CharField(
        _("readiness to change"),
        max_length=20,
        choices=Readiness.choices,
        blank=True,
        default="",
        db_default="",
    )
    # Family and environmental factors.
    family_strengths = models.TextField(
        _("family and environment: strengths"), blank=True, default="", db_default=""
    )
    family_risks = models.TextField(
        _("family and environment: risks"), blank=True, default="", db_default=""
    )
    safety_plan = models.TextField(_("children and young people's Safety Plan"), blank=True)
    safety_plan_agreed_on = models.DateField(_("Safety Plan agreed"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    not_proceed_reason = models.ForeignKey(
        "reference.NotProceedReason",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("reason for not proceeding"),
    )
    decision_notes = models.TextField(_("decision notes"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            # The report card's assessments completed in a quarter (their times, decisions
            # and cases), read from the index alone: a sequential scan of every assessment
            # before (docs/performance.md, issue 15).
            models.Index(
                fields=["completed_at"],
                include=["id", "case", "decision"],
                condition=Q(completed_at__isnull=False),
                name="assessment_completed_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=["", *Decision.values]), name="assessment_decision_valid"
            ),
            # Not proceeding always carries a coded reason (the evaluators found them missing).
            models.CheckConstraint(
                condition=~Q(decision="not_proceed") | Q(not_proceed_reason__isnull=False),
                name="assessment_not_proceed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(hours_spent__isnull=True) | Q(hours_spent__gte=0),
                name="assessment_hours_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(readiness__in=["", *Readiness.values]),
                name="assessment_readiness_valid",
            ),
        ]

    def __str__(self) -> str:
        return _("Assessment for %(case)s") % {"case": self.case}


class ContactMode(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    OFFICE = "office", _("Office")
    PHONE = "phone", _("Phone")
    TEXT = "text", _("Text message")
    OTHER_VENUE = "other_venue", _("Other venue")


class WorkType(models.TextChoices):
    DIRECT = "direct", _("Direct work with the family")
    INDIRECT = "indirect", _("Indirect work (liaison, planning)")
    MULTI_AGENCY = "multi_agency", _("Multi-agency meeting")


class ContactQuerySet(models.QuerySet["Contact"]):
    def direct(self) -> ContactQuerySet:
        return self.filter(work_type=WorkType.DIRECT)


class Contact(Amendable):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    started_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    mode = models.CharField(_("mode"), max_length=20, choices=ContactMode.choices)
    work_type = models.CharField(
        _("work type"), max_length=20, choices=WorkType.choices, default=WorkType.DIRECT
    )
    people_seen = models.ManyToManyField(
        "families.Person", blank=True, related_name="contacts", verbose_name=_("who was seen")
    )
    out_of_hours = models.BooleanField(_("out of hours"), default=False)
    # db_default: contacts written in bulk (the synthetic COPY) get them as well.
    child_seen = models.BooleanField(_("a child was seen"), default=False, db_default=False)
    child_seen_alone = models.BooleanField(
        _("a child was seen alone"), default=False, db_default=False
    )
    methods = models.ManyToManyField(
        "reference.PracticeMethod", blank=True, verbose_name=_("practice methods")
    )
    notes = models.TextField(_("notes"), blank=True)
    stage = models.CharField(max_length=30, choices=pathway.CHOICES)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, db_default=1)

    objects = CurrentManager.from_queryset(ContactQuerySet)()
    all_versions = models.Manager.from_queryset(ContactQuerySet)()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # Hours delivered: a case's contacts by stage and date.
            models.Index(fields=["case", "stage", "started_at"], name="contact_case_stage_idx"),
            # Contacts newest first (the model's ordering: the admin's change list and any
            # list of contacts across cases).
            models.Index(fields=["started_at"], name="contact_started_idx"),
            # Report card: direct hours logged in a period, read from the index only (the
            # busiest team's eight quarters: 0.25 -> 0.07 s; docs/performance.md).
            models.Index(
                fields=["started_at"],
                include=["case", "duration_minutes"],
                condition=Q(entry_status="current", work_type="direct"),
                name="contact_direct_time_idx",
            ),
        ]
        constraints = [
            # A contact lasts between one minute and a day.
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=MAX_CONTACT_MINUTES),
                name="contact_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=ContactMode.values), name="contact_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(work_type__in=WorkType.values), name="contact_work_type_valid"
            ),
            *amendable_constraints("contact"),
            # A child seen alone was seen.
            models.CheckConstraint(
                condition=Q(child_seen_alone=False) | Q(child_seen=True),
                name="contact_seen_alone_is_seen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def hours(self) -> float:
        return self.duration_minutes / 60


class FamilyPlan(models.Model):
    """The Family Plan agreed at the end of Phase 1. Each change is a new version."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    number = models.PositiveIntegerField(_("version"))
    needs = models.TextField(_("the family's needs"))
    service_actions = models.TextField(_("what each service will do"))
    invited_services = models.ManyToManyField(
        "reference.OnwardService", blank=True, verbose_name=_("services the family will invite in")
    )
    agreed_on = models.DateField(_("agreed on"))
    agreed_with = models.CharField(_("agreed with"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            # Versions count up per case: the latest is the plan in force.
            models.UniqueConstraint(fields=["case", "number"], name="familyplan_version_unique"),
        ]

    def __str__(self) -> str:
        return _("Family Plan v%(n)s") % {"n": self.number}


class SubstanceChange(models.TextChoices):
    STOPPED = "stopped", _("Stopped")
    REDUCED = "reduced", _("Reduced")
    NO_CHANGE = "no_change", _("No change")
    INCREASED = "increased", _("Increased")
    UNKNOWN = "unknown", _("Not known")


class Closure(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="closure")
    reason = models.ForeignKey(
        "reference.ClosureReason", on_delete=models.PROTECT, verbose_name=_("reason")
    )
    closed_on = models.DateField(_("closed on"))
    derived_success = models.BooleanField(_("successful (derived)"))
    success_override = models.BooleanField(_("successful (manager's view)"), null=True, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    # The override form carries it: a second manager's override is refused, not saved over
    # the first. db_default: rows the synthetic dataset writes outside the ORM start at 1.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # No default: an untouched form must not record "stopped" (issue 14). "Not known" is
    # a choice, and counts as neither better nor worse in every figure.
    substance_change = models.CharField(
        _("substance use at closure"), max_length=20, choices=SubstanceChange.choices
    )
    destination_services = models.ManyToManyField(
        "reference.OnwardService", blank=True, verbose_name=_("destination services")
    )
    notes = models.TextField(_("notes"), blank=True)
    # The closing readings and GAS scores the team expects but did not get, and why
    # (outcomes.closing.closing_gaps lists them; close_case requires this when any is missing).
    measures_missing_reason = models.TextField(
        _("why closing readings or goal scores are missing"), blank=True
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(substance_change__in=SubstanceChange.values),
                name="closure_substance_change_valid",
            ),
            # An override always says why: a child accommodated is not automatically a failure.
            models.CheckConstraint(
                condition=Q(success_override__isnull=True) | ~Q(override_reason=""),
                name="closure_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return _("Closure of %(case)s") % {"case": self.case}

    @property
    def successful(self) -> bool:
        return self.derived_success if self.success_override is None else self.success_override


class ChildOutcomeKind(models.TextChoices):
    # Child protection (the register) and Child in Need cases both close here: each child's
    # outcome is chosen from the ones that fit their plan.
    DEREGISTERED = "deregistered", _("De-registered")
    RETURNED_HOME = "returned_home", _("Returned home")
    STAYED_HOME = "stayed_home", _("Stayed at home")
    ACCOMMODATED = "accommodated", _("Accommodated")
    REGISTERED = "registered", _("Placed on the register")
    CLOSED_TO_SOCIAL_SERVICES = "closed_ss", _("Family closed to social services")
    CIN_ENDED = "cin_ended", _("Child in Need plan ended / stepped down to universal services")
    STILL_CIN = "still_cin", _("Still a Child in Need")
    # Counted as neither good nor bad in every figure; it always carries the reason.
    NOT_KNOWN = "not_known", _("Not known")


class ChildOutcome(models.Model):
    closure = models.ForeignKey(Closure, on_delete=models.CASCADE, related_name="child_outcomes")
    person = models.ForeignKey("families.Person", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, choices=ChildOutcomeKind.choices)
    reason_not_known = models.TextField(_("why the outcome is not known"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["closure", "person"], name="childoutcome_unique"),
            models.CheckConstraint(
                condition=Q(outcome__in=ChildOutcomeKind.values), name="childoutcome_valid"
            ),
            # Every child gets an outcome at closure, or the recorded reason it is not known.
            models.CheckConstraint(
                condition=~Q(outcome="not_known") | ~Q(reason_not_known=""),
                name="childoutcome_not_known_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_outcome_display()}"
