"""Goals with Goal Attainment Scaling, and WEMWBS/SDQ readings. Scores only, never items."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.amendments import Amendable, CurrentManager, amendable_constraints

from . import instruments

GAS_LEVELS = (-2, -1, 0, 1, 2)


class Goal(Amendable):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=300)
    category = models.ForeignKey(
        "reference.GoalCategory", on_delete=models.PROTECT, verbose_name=_("category")
    )
    is_substance = models.BooleanField(_("about substance use"), default=False)
    members = models.ManyToManyField(
        "families.Person",
        blank=True,
        related_name="goals",
        verbose_name=_("for (leave empty for the whole family)"),
    )
    level_minus2 = models.CharField(_("-2: much less than expected"), max_length=300)
    level_minus1 = models.CharField(_("-1: less than expected"), max_length=300)
    level_0 = models.CharField(_("0: expected outcome"), max_length=300)
    level_plus1 = models.CharField(_("+1: more than expected"), max_length=300)
    level_plus2 = models.CharField(_("+2: much more than expected"), max_length=300)
    baseline = models.SmallIntegerField(_("baseline score"), default=-1)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, db_default=1)

    objects = CurrentManager()
    all_versions = models.Manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # Report card: a review score's goal (its case, whether it is a substance goal,
            # its baseline) read from the index alone (docs/performance.md).
            models.Index(
                fields=["id"],
                include=["case", "is_substance", "baseline"],
                condition=Q(entry_status="current"),
                name="goal_current_idx",
            ),
        ]
        constraints = [
            *amendable_constraints("goal"),
            models.CheckConstraint(
                condition=Q(baseline__gte=-2, baseline__lte=2), name="goal_baseline_range"
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="goal_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def score_choices() -> list[tuple[int, str]]:
        """The GAS scale as a form's choices (-2 to +2): forms of the apps below ask a goal
        for them rather than import this app."""
        return [(s, f"{s:+d}") for s in GAS_LEVELS]

    def level_text(self, score: int) -> str:
        return {
            -2: self.level_minus2,
            -1: self.level_minus1,
            0: self.level_0,
            1: self.level_plus1,
            2: self.level_plus2,
        }[score]


class GoalScore(Amendable):
    """A score at the start (no review) or at a Phase 2 review."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="scores")
    review = models.ForeignKey(
        "reviews.Review", null=True, blank=True, on_delete=models.CASCADE, related_name="scores"
    )
    score = models.SmallIntegerField(_("score"))
    scored_on = models.DateField(_("scored on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, db_default=1)

    objects = CurrentManager()
    all_versions = models.Manager()

    class Meta:
        ordering = ["scored_on", "pk"]
        indexes = [
            # Report card: the current scores at the reviews held in a period, read from the
            # index alone (docs/performance.md).
            models.Index(
                fields=["review"],
                include=["id", "goal", "score"],
                condition=Q(entry_status="current", review__isnull=False),
                name="goalscore_review_score_idx",
            ),
        ]
        constraints = [
            *amendable_constraints("goalscore"),
            models.CheckConstraint(
                condition=Q(score__gte=-2, score__lte=2), name="goalscore_range"
            ),
            # One current score per goal per occasion: the start, or each review (amended
            # and withdrawn scores are kept beside it as history).
            models.UniqueConstraint(
                fields=["goal"],
                condition=Q(review__isnull=True, entry_status="current"),
                name="goalscore_one_start",
            ),
            models.UniqueConstraint(
                fields=["goal", "review"],
                condition=Q(review__isnull=False, entry_status="current"),
                name="goalscore_one_per_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.score:+d}"


class Instrument(models.TextChoices):
    WEMWBS = "wemwbs", _("WEMWBS (adults, 14 items)")
    SWEMWBS = "swemwbs", _("SWEMWBS (adults, 7 items)")
    SDQ = "sdq", _("SDQ (children aged 2-17)")


class Occasion(models.TextChoices):
    START = "start", _("Start")
    END_PHASE1 = "end_phase1", _("End of Phase 1")
    CLOSURE = "closure", _("Closure")


class SdqInformant(models.TextChoices):
    PARENT = instruments.Informant.PARENT.value, _("Parent or carer")
    TEACHER = instruments.Informant.TEACHER.value, _("Teacher")
    SELF = instruments.Informant.SELF.value, _("The young person (self-report, 11-17)")


class SdqVersion(models.TextChoices):
    EARLY = instruments.SdqVersion.EARLY.value, _("2-4 version")
    STANDARD = instruments.SdqVersion.STANDARD.value, _("4-17 version")


class SdqBand(models.TextChoices):
    """The original three bands of total difficulties."""

    NORMAL = "normal", _("Normal")
    BORDERLINE = "borderline", _("Borderline")
    ABNORMAL = "abnormal", _("Abnormal")


class SdqFourBand(models.TextChoices):
    """The current four bands of total difficulties."""

    CLOSE_TO_AVERAGE = "close_to_average", _("Close to average")
    SLIGHTLY_RAISED = "slightly_raised", _("Slightly raised")
    HIGH = "high", _("High")
    VERY_HIGH = "very_high", _("Very high")


def sdq_band(total: int, informant: str = SdqInformant.PARENT) -> str:
    """The informant's three-band category of an SDQ total difficulties score."""
    return instruments.sdq_three_band(total, informant)


class Reading(Amendable):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="readings")
    person = models.ForeignKey("families.Person", on_delete=models.CASCADE, related_name="readings")
    instrument = models.CharField(_("measure"), max_length=10, choices=Instrument.choices)
    occasion = models.CharField(_("when"), max_length=20, choices=Occasion.choices)
    taken_on = models.DateField(_("taken on"))
    total = models.PositiveSmallIntegerField(_("total"))
    sdq_emotional = models.PositiveSmallIntegerField(_("emotional symptoms"), null=True, blank=True)
    sdq_conduct = models.PositiveSmallIntegerField(_("conduct problems"), null=True, blank=True)
    sdq_hyperactivity = models.PositiveSmallIntegerField(_("hyperactivity"), null=True, blank=True)
    sdq_peer = models.PositiveSmallIntegerField(_("peer problems"), null=True, blank=True)
    sdq_prosocial = models.PositiveSmallIntegerField(_("prosocial"), null=True, blank=True)
    sdq_informant = models.CharField(
        _("completed by"),
        max_length=10,
        choices=SdqInformant.choices,
        blank=True,
        default="",
        db_default="",
    )
    sdq_version = models.CharField(
        _("SDQ version"),
        max_length=10,
        choices=SdqVersion.choices,
        blank=True,
        default="",
        db_default="",
    )
    # SWEMWBS: the raw total (7-35) is `total`; this is its published metric score.
    metric_score = models.DecimalField(
        _("metric score"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, db_default=1)

    objects = CurrentManager()
    all_versions = models.Manager()

    class Meta:
        ordering = ["person", "instrument", "taken_on"]
        indexes = [
            # Report card: paired WEMWBS/SDQ change for readings taken in a period, and each
            # one's start reading, both read from the index alone (all teams' quarter after a
            # restart: 352 -> 160 ms; docs/performance.md). The pairs' index repeats the
            # unique constraint's columns because a unique constraint with included columns
            # is not made at all on SQLite.
            models.Index(
                fields=["instrument", "taken_on"],
                include=["id", "occasion", "case", "person", "total", "metric_score"],
                condition=Q(entry_status="current"),
                name="reading_instrument_day_idx",
            ),
            models.Index(
                fields=["case", "person", "instrument", "occasion"],
                include=["id", "total", "metric_score", "taken_on"],
                condition=Q(entry_status="current"),
                name="reading_pair_idx",
            ),
        ]
        constraints = [
            # Before/after pairs are matched per person: one current reading per occasion.
            models.UniqueConstraint(
                fields=["case", "person", "instrument", "occasion"],
                condition=Q(entry_status="current"),
                name="reading_one_per_occasion",
            ),
            *amendable_constraints("reading"),
            models.CheckConstraint(
                condition=~Q(instrument="wemwbs") | Q(total__gte=14, total__lte=70),
                name="reading_wemwbs_range",
            ),
            models.CheckConstraint(
                condition=~Q(instrument="sdq") | Q(total__gte=0, total__lte=40),
                name="reading_sdq_total_range",
            ),
            # SWEMWBS: a raw total of seven items, always stored with its metric score.
            models.CheckConstraint(
                condition=~Q(instrument="swemwbs")
                | Q(total__gte=7, total__lte=35, metric_score__isnull=False),
                name="reading_swemwbs_range",
            ),
            models.CheckConstraint(
                condition=Q(instrument__in=["wemwbs", "swemwbs", "sdq"]),
                name="reading_instrument_valid",
            ),
            # An SDQ says who completed it and which version; a self-report is the 4-17 one.
            models.CheckConstraint(
                condition=~Q(instrument="sdq")
                | (
                    Q(sdq_informant__in=SdqInformant.values, sdq_version__in=SdqVersion.values)
                    & ~Q(sdq_informant="self", sdq_version="2_4")
                ),
                name="reading_sdq_informant_version",
            ),
            models.CheckConstraint(
                condition=Q(sdq_emotional__isnull=True) | Q(sdq_emotional__lte=10),
                name="reading_sdq_emotional_range",
            ),
            models.CheckConstraint(
                condition=Q(sdq_conduct__isnull=True) | Q(sdq_conduct__lte=10),
                name="reading_sdq_conduct_range",
            ),
            models.CheckConstraint(
                condition=Q(sdq_hyperactivity__isnull=True) | Q(sdq_hyperactivity__lte=10),
                name="reading_sdq_hyperactivity_range",
            ),
            models.CheckConstraint(
                condition=Q(sdq_peer__isnull=True) | Q(sdq_peer__lte=10),
                name="reading_sdq_peer_range",
            ),
            models.CheckConstraint(
                condition=Q(sdq_prosocial__isnull=True) | Q(sdq_prosocial__lte=10),
                name="reading_sdq_prosocial_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} {self.total}"

    @property
    def band(self) -> str:
        """The three-band category, in the informant's bands (SDQ only)."""
        if self.instrument != Instrument.SDQ:
            return ""
        return str(SdqBand(sdq_band(self.total, self.sdq_informant or SdqInformant.PARENT)).label)

    @property
    def four_band(self) -> str:
        """The current four-band category, in the informant's bands (SDQ only)."""
        if self.instrument != Instrument.SDQ:
            return ""
        informant = self.sdq_informant or SdqInformant.PARENT
        return str(SdqFourBand(instruments.sdq_four_band(self.total, informant)).label)

    @property
    def score(self):
        """The score the figures compare: the metric score for SWEMWBS, else the total."""
        return self.metric_score if self.instrument == Instrument.SWEMWBS else self.total


class ServiceOccasion(models.TextChoices):
    BEFORE = "before", _("Before the work (the year before referral)")
    AFTER = "after", _("After the work (at closure)")


class ServiceUse(models.Model):
    """The types of service one family member used, before the work or after it.

    DOMAIN.md section 4: "services accessed before and after, by type, per person". One
    record per person, case and occasion; an empty set of services is an answer ("none"),
    a missing record is not. Before and after are matched per person like readings.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="service_uses")
    person = models.ForeignKey(
        "families.Person", on_delete=models.CASCADE, related_name="service_uses"
    )
    occasion = models.CharField(_("when"), max_length=10, choices=ServiceOccasion.choices)
    recorded_on = models.DateField(_("recorded on"))
    services = models.ManyToManyField(
        "reference.ServiceType", blank=True, verbose_name=_("services used")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["person", "occasion"]
        indexes = [
            # Report card: services before and after, for "after" records made in a period
            # (reporting.queries.Report.services_accessed filters occasion and recorded_on).
            models.Index(fields=["occasion", "recorded_on"], name="serviceuse_occasion_day_idx"),
        ]
        constraints = [
            # Before/after pairs are matched per person: one record per occasion.
            models.UniqueConstraint(
                fields=["case", "person", "occasion"], name="serviceuse_one_per_occasion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_occasion_display()}"
