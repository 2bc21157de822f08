"""Reporting: measure metadata (the computation of each lives in reporting/measures.py),
per-team baselines and targets, the RBA narrative, and built report cards. Team activity
that is not casework (consultations, training, feedback, complaints) is the teamwork app's."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Quadrant(models.TextChoices):
    HOW_MUCH = "how_much", _("How much did we do?")
    HOW_WELL = "how_well", _("How well did we do it?")
    BETTER_OFF = "better_off", _("Is anyone better off?")


class Polarity(models.TextChoices):
    UP = "up", _("Higher is better")
    DOWN = "down", _("Lower is better")
    NEUTRAL = "neutral", _("Neither")


class Measure(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    quadrant = models.CharField(_("RBA quadrant"), max_length=20, choices=Quadrant.choices)
    polarity = models.CharField(_("polarity"), max_length=10, choices=Polarity.choices)
    numerator = models.CharField(_("numerator"), max_length=300, blank=True)
    denominator = models.CharField(_("denominator"), max_length=300, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class MeasureTarget(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="targets")
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="targets")
    baseline = models.DecimalField(
        _("baseline"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    # Set in the app by the team's managers and performance officers (reporting.targets),
    # each change kept as a TargetChange with its reason.
    version = models.PositiveIntegerField(default=1, db_default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One baseline and target per measure per team.
            models.UniqueConstraint(fields=["measure", "team"], name="measuretarget_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} – {self.team}"


class TargetChange(models.Model):
    """One change of a team's baseline or target for a measure: who, when, why, and the
    values before and after. Append-only: the history of the targets page."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    baseline_before = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    baseline_after = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    target_before = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    target_after = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    reason = models.TextField(_("why"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [
            # A measure's history on its targets page, newest first.
            models.Index(fields=["team", "measure", "-changed_at"], name="targetchange_history"),
        ]
        constraints = [
            # A change always says why.
            models.CheckConstraint(condition=~Q(reason=""), name="targetchange_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.measure} {self.changed_at:%Y-%m-%d}"


class Narrative(models.Model):
    """The RBA "turn the curve" narrative for one scope and period: for the card as a whole
    (measure_code "") or for one measure. Each quarter's is kept; while a quarter's is a
    draft (or not written), the card shows the last quarter's, labelled as such
    (reporting.story)."""

    scope_key = models.CharField(max_length=40)
    period_start = models.DateField()
    period_end = models.DateField()
    # A measure of the catalogue (reporting.measures.CATALOGUE), or "" for the whole card.
    measure_code = models.CharField(max_length=60, blank=True, default="", db_default="")
    story = models.TextField(_("story behind the curve"), blank=True)
    partners = models.TextField(_("partners with a role"), blank=True)
    what_works = models.TextField(_("what works"), blank=True)
    action_plan = models.TextField(_("action plan"), blank=True)
    draft = models.BooleanField(
        _("still a draft"),
        default=False,
        db_default=False,
        help_text=_("While it is a draft, the card shows the last quarter's narrative."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            # One narrative per scope, period and measure; it also serves the card's read of
            # a scope's narratives up to its period (reporting.story.narratives).
            models.UniqueConstraint(
                fields=["scope_key", "period_start", "period_end", "measure_code"],
                name="narrative_unique_measure",
            ),
        ]

    def __str__(self) -> str:
        what = self.measure_code or "card"
        return f"{self.scope_key} {what} {self.period_start}–{self.period_end}"


class TeamAgenda(models.Model):
    """A team's data development agenda (RBA): the measures it wants but does not record
    yet, one a line, kept by its managers and performance officers."""

    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, related_name="data_agenda"
    )
    items = models.TextField(
        _("measures wanted but not yet recorded"),
        blank=True,
        help_text=_("One a line: the measure, and why the board would want it."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.team}: data development agenda"


class BuildStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Building")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportBuild(models.Model):
    """A report card PDF built by a worker, kept with who asked, when, for what."""

    scope_key = models.CharField(max_length=40)
    scope_label = models.CharField(max_length=200)
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_builds",
    )
    period_start = models.DateField()
    period_end = models.DateField()
    period_label = models.CharField(max_length=60)
    basis = models.CharField(max_length=10, default="events")
    # The language the PDF is printed in (en or cy): the requester's page language, or the
    # one asked for (reporting.views.request_pdf).
    language = models.CharField(max_length=5, default="en")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    automatic = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=BuildStatus.choices, default=BuildStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    # The job's life (reporting.jobs): a worker takes a queued build with one conditional
    # UPDATE, beats while it builds, and the watchdog queues it again or fails it, with a
    # message, when the beats stop (the worker is gone) or its deadline passes.
    queued_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)  # its task last sent
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    # A PDF of published figures (frozen), rather than figures computed when it was built.
    published = models.ForeignKey(
        "PublishedCard", null=True, blank=True, on_delete=models.PROTECT, related_name="builds"
    )

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            # The quarterly beat job builds each team's card once.
            models.UniqueConstraint(
                fields=["scope_key", "period_start", "period_end"],
                condition=Q(automatic=True),
                name="reportbuild_automatic_once",
            ),
        ]
        indexes = [
            # The watchdog's scan (reporting.jobs.watch): the few unfinished builds.
            models.Index(
                fields=["status"],
                condition=Q(status__in=["queued", "running"]),
                name="reportbuild_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label} {self.period_label}"


class FigureSet(models.Model):
    """The computed figures of one scope, period and basis (every measure, the throughput
    table and the context tables), kept so that the report card page and the 8-quarter
    trends read them instead of computing them again (reporting/store.py says when a
    stored set is still good)."""

    scope_key = models.CharField(max_length=40)
    period_start = models.DateField()
    period_end = models.DateField()
    basis = models.CharField(max_length=10)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            # One stored set per scope, period and basis; it also serves the page's lookup
            # of a card's period and its trend quarters (reporting.store.stored).
            models.UniqueConstraint(
                fields=["scope_key", "period_start", "period_end", "basis"],
                name="figureset_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_key} {self.period_start}–{self.period_end} ({self.basis})"


class FigureJob(models.Model):
    """A report card's figures asked of a worker: at most one at a time per card (across
    every web process), and a failure remembered so the page says so instead of asking
    again every time it polls (reporting.services.request_figures)."""

    scope_key = models.CharField(max_length=40)
    period_start = models.DateField()
    period_end = models.DateField()
    basis = models.CharField(max_length=10)
    queued_at = models.DateTimeField()
    # Asked of a worker this many times since the last failure: a job no worker finished
    # twice (each worker died with it) is failed, with a message, rather than asked again.
    attempts = models.PositiveSmallIntegerField(default=1)
    failed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            # One job per card; it also serves the page's lookup when figures are missing.
            models.UniqueConstraint(
                fields=["scope_key", "period_start", "period_end", "basis"],
                name="figurejob_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_key} {self.period_start}–{self.period_end} ({self.basis})"


class PublishedCard(models.Model):
    """A report card as published to the board, its figures frozen at publication (the
    data of reporting.store.compute, and the narrative as it stood). Records corrected later
    never change it: a revision is a new row, numbered on, that says why and keeps the
    differences from the one before. Board members see these figures only."""

    scope_key = models.CharField(max_length=40)
    scope_label = models.CharField(max_length=200)
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="published_cards",
    )
    period_start = models.DateField()
    period_end = models.DateField()
    period_label = models.CharField(max_length=60)
    basis = models.CharField(max_length=10)
    revision = models.PositiveIntegerField(default=0)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason for the revision"), blank=True)
    # [{"what": ..., "published": ..., "now": ...}] against the revision before.
    differences = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-period_start", "scope_label", "-revision"]
        constraints = [
            # One row per revision of a card; it also serves the card page's lookup of the
            # latest revision (reporting.publishing.latest).
            models.UniqueConstraint(
                fields=["scope_key", "period_start", "period_end", "basis", "revision"],
                name="publishedcard_revision_unique",
            ),
            # A revision always says why the published figures changed.
            models.CheckConstraint(
                condition=Q(revision=0) | ~Q(reason=""), name="publishedcard_revision_has_reason"
            ),
        ]
        indexes = [
            # The Reports page: a board member's teams' published cards, newest first.
            models.Index(fields=["team", "-period_start"], name="publishedcard_team_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label} {self.period_label} (revision {self.revision})"

    @property
    def computed_at(self):
        return self.published_at
