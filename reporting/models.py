"""Reporting: measure metadata (the computation of each lives in reporting/measures.py),
per-team baselines and targets, the RBA narrative, team activity that is not casework
(consultations, training, feedback, complaints), and built report cards."""

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

    class Meta:
        constraints = [
            # One baseline and target per measure per team.
            models.UniqueConstraint(fields=["measure", "team"], name="measuretarget_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} – {self.team}"


class Narrative(models.Model):
    """The RBA narrative for one scope and period, written by a manager."""

    scope_key = models.CharField(max_length=40)
    period_start = models.DateField()
    period_end = models.DateField()
    story = models.TextField(_("story behind the curve"), blank=True)
    partners = models.TextField(_("partners"), blank=True)
    what_works = models.TextField(_("what works"), blank=True)
    action_plan = models.TextField(_("action plan"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            # One narrative per scope and period.
            models.UniqueConstraint(
                fields=["scope_key", "period_start", "period_end"], name="narrative_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_key} {self.period_start}–{self.period_end}"


class TeamworkRecord(models.Model):
    """What the in-app pages (reporting/teamwork.py) need of a team activity record: a
    version for stale-edit detection, and the one-time key of the form that created it."""

    # db_default: rows the synthetic dataset writes outside the ORM start at version 1 too.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    # The same form sent twice finds the first record by this key (null: made elsewhere).
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        abstract = True


class Consultation(TeamworkRecord):
    """Advice given to the wider workforce (DOMAIN.md section 5); counted, not a referral."""

    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, related_name="consultations"
    )
    held_on = models.DateField(_("date"))
    asked_by = models.CharField(_("who asked"), max_length=120)
    agency = models.CharField(_("agency"), max_length=120)
    topic = models.CharField(_("topic"), max_length=300)
    led_to_referral = models.BooleanField(_("led to a referral"), default=False)

    class Meta:
        ordering = ["-held_on"]
        indexes = [models.Index(fields=["team", "held_on"], name="consultation_team_day_idx")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class TrainingSession(TeamworkRecord):
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="training")
    course = models.CharField(_("course"), max_length=200)
    held_on = models.DateField(_("date"))
    attendees = models.PositiveIntegerField(_("attendees"))
    audience = models.CharField(_("audience organisations"), max_length=300, blank=True)

    class Meta:
        ordering = ["-held_on"]
        indexes = [
            # The team's training list, newest first, and the card's sessions in a period.
            models.Index(fields=["team", "held_on"], name="training_team_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.course}"


class FeedbackFrom(models.TextChoices):
    FAMILY = "family", _("Family")
    SOCIAL_WORKER = "social_worker", _("Social worker")


class Feedback(TeamworkRecord):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="feedback")
    given_by = models.CharField(_("from"), max_length=20, choices=FeedbackFrom.choices)
    received_on = models.DateField(_("received"))
    positive = models.BooleanField(_("positive"))
    comments = models.TextField(_("comments"), blank=True)

    class Meta:
        ordering = ["-received_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(given_by__in=FeedbackFrom.values), name="feedback_from_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_given_by_display()} {self.received_on}"


class Complaint(TeamworkRecord):
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="complaints")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL)
    received_on = models.DateField(_("received"))
    summary = models.TextField(_("summary"))

    class Meta:
        ordering = ["-received_on"]
        indexes = [
            # The team's complaints list, newest first, and the card's count in a period.
            models.Index(fields=["team", "received_on"], name="complaint_team_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.received_on}"


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
    def computed_at(self):  # noqa: ANN201 - what reporting.card.build_card prints
        return self.published_at
