"""The report card's figures, each a SQL aggregate over the records. Read-only.

Every query here runs once per report, whatever the number of families: the count of
queries depends only on the number of measures (and teams, for per-team thresholds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import Exact

from accounts.models import LocalAuthority, Team
from cases import clock, deadlines, pathway
from cases.amendments import EntryStatus
from cases.models import Assessment, ChildOutcome, ChildOutcomeKind, Contact, StageChange
from cases.models import Case as CaseModel
from families.models import Family, HouseholdType, MemberKind, Person, Sex
from outcomes.models import (
    GoalScore,
    Instrument,
    Occasion,
    Reading,
    ServiceOccasion,
    ServiceUse,
)
from referrals.models import Referral, ScreeningDecision
from reviews.models import Booster, Review
from teamwork.models import Complaint, Consultation, Feedback, TrainingSession

from .periods import Period

# "Completed Phase 2" is a Phase 2 closure whose reason is a planned end; other Phase 2
# closures (disengaged, moved away, ...) are counted on their own.
_closed_from_phase2 = Q(from_stage=pathway.Stage.PHASE2, to_stage=pathway.Stage.CLOSED)
_planned_end = Q(case__closure__reason__planned_end=True)

# Rows an amendable model joins to must be current (its default manager sees to the rest).
CURRENT = EntryStatus.CURRENT.value
REVIEW_GRACE_DAYS = deadlines.REVIEW_GRACE.days  # held within two weeks of the due date


@dataclass(frozen=True)
class Scope:
    kind: str  # "team", "la" or "all"
    team_id: int | None = None
    la_id: int | None = None
    label: str = "All teams"

    @property
    def key(self) -> str:
        return {"team": f"team-{self.team_id}", "la": f"la-{self.la_id}"}.get(self.kind, "all")

    def on(self, prefix: str = "") -> Q:
        """A filter for a model reached through `prefix` (the path to its team/family)."""
        if self.kind == "team":
            return Q(**{f"{prefix}team_id": self.team_id})
        if self.kind == "la":
            return Q(**{f"{prefix}family__local_authority_id": self.la_id})
        return Q()

    def teams(self) -> list[Team]:
        if self.kind == "team":
            return list(Team.objects.filter(pk=self.team_id))
        if self.kind == "la":
            # Teams serving the authority, and any team its families were referred to: from
            # the authority's families (indexed) to their referrals' teams. A join of every
            # team's referrals with their families took 0.9 s at national scale, once for
            # each of a card's nine sets; this is about a tenth of that.
            serves = Team.local_authorities.through.objects.filter(
                team_id=OuterRef("pk"), localauthority_id=self.la_id
            )
            referred = Referral.objects.filter(family__local_authority_id=self.la_id)
            return list(
                Team.objects.filter(
                    Q(Exists(serves)) | Q(pk__in=referred.values("team_id"))
                ).order_by("name")
            )
        return list(Team.objects.all())


def team_scope(team: Team) -> Scope:
    return Scope("team", team_id=team.pk, label=team.name)


def la_scope(la: LocalAuthority) -> Scope:
    return Scope("la", la_id=la.pk, label=la.name)


@dataclass
class Figure:
    value: float | int | None
    numerator: int | float | None = None
    denominator: int | None = None
    unit: str = "count"  # count, percent, hours, mean
    rows: list[dict] = field(default_factory=list)

    @classmethod
    def percent(cls, numerator: int, denominator: int) -> Figure:
        value = round(100 * numerator / denominator, 1) if denominator else None
        return cls(value, numerator, denominator, "percent")


def _team_hours(teams: list[Team], attribute: str, team_path: str = "team_id") -> Case:
    """A per-team threshold as an SQL CASE, so one query serves teams with different settings."""
    whens = [
        When(**{team_path: t.pk}, then=Value(deadlines.hours_allowed(getattr(t, attribute))))
        for t in teams
    ]
    default = Value(deadlines.hours_allowed(deadlines.ASSESSMENT_HOURS))
    return Case(*whens, default=default, output_field=DurationField())


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _year_before(moment):
    """The same moment a calendar year earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:
        return moment.replace(year=moment.year - 1, day=28)


def _sex(value: str) -> str:
    return str(dict(Sex.choices).get(value, "unrecorded sex")).lower()


@dataclass
class TrendPass:
    """Quarters computed together (reporting.store.compute_trends): each query a measure
    runs is run once for all of them, grouped by the quarter of its date, and each
    quarter's Report reads its own group.

    The first quarter's Report of a measure runs its grouped queries; the rows are kept
    by the measure, the order of the query within it, and the query's model, columns and
    aggregates. The measure's other quarters then "replay" it (`replayed`): their
    period-dependent querysets are the quarter's own rows with its bucket as a constant,
    and their rows are read from what was kept, without building the grouping or compiling
    the SQL again (at national scale that was 0.8 s of the busiest team's card). A query
    not found among those kept is run for its own quarter, and is still correct: a
    replayed queryset holds only that quarter's rows."""

    periods: list[Period]
    results: dict[object, list] = field(default_factory=dict)
    replayed: set[str] = field(default_factory=set)


# The measures whose every period-dependent query goes through Report._in / _on_days and
# whose every result is read through _aggregate / _count / _values: these may share a
# TrendPass. Any other measure is computed quarter by quarter. Kept true by
# tests/reporting/test_trend_pass.py, which compares each trend measure both ways.
GROUPED_METHODS = frozenset(
    {
        "referrals_received",
        "families_worked_with",
        "consultations",
        "training",
        "phases",
        "direct_hours",
        "boosters",
        "first_contact_in_time",
        "assessment_times",
        "accepted_to_phase1",
        "phase1_lengths",
        "phase1_hours_per_family",
        "reviews_on_time",
        "feedback_positive",
        "complaints",
        "rereferral_rate",
        "goals_at_or_above_zero",
        "gas_change",
        "reading_change",
        "services_accessed",
        "sustained_at_12_months",
        "not_rereferred_within_12_months",
    }
)


class Report:
    def __init__(
        self,
        scope: Scope,
        period: Period,
        basis: str = "events",
        *,
        teams: list[Team] | None = None,
        trend: TrendPass | None = None,
        measure: str = "",
    ) -> None:
        self.scope = scope
        self.period = period
        self.basis = basis  # "events" in the period, or the "cohort" referred in it
        self.teams = scope.teams() if teams is None else teams
        self._trend = trend
        self._bucket = trend.periods.index(period) if trend else None
        # In a TrendPass: the measure computed, whether its grouped queries have run for
        # another quarter already, and how many of its grouped reads this Report has made.
        # Rows are kept by the measure's name, so a Report in a pass must be given it.
        if trend is not None and not measure:
            raise ValueError("A Report in a TrendPass computes one named measure.")
        self._measure = measure
        self._replay = trend is not None and measure in trend.replayed
        self._reads = 0

    # --- the period's rows, and reading them (alone, or grouped with a TrendPass) ----------
    def _in(self, qs, date_field: str):
        """Rows whose moment (a date-time field) falls in the period."""
        return self._within(qs, date_field, moments=True)

    def _on_days(self, qs, date_field: str):
        """Rows whose day (a date field) falls in the period."""
        return self._within(qs, date_field, moments=False)

    def _within(self, qs, date_field: str, *, moments: bool, years_back: int = 0):
        def bounds(p: Period) -> dict:
            if years_back:
                p = Period(_years_before(p.start, years_back), _years_before(p.end, years_back), "")
            if moments:
                return {f"{date_field}__gte": p.start_at, f"{date_field}__lt": p.end_at}
            return {f"{date_field}__gte": p.start, f"{date_field}__lte": p.end}

        if self._trend is None:
            return qs.filter(**bounds(self.period))
        if self._replay:
            return qs.filter(**bounds(self.period)).annotate(
                trend_bucket=Value(self._bucket), trend_end=Value(self.period.end)
            )
        periods = self._trend.periods
        span = Period(periods[0].start, periods[-1].end, "")
        return qs.filter(**bounds(span)).annotate(
            trend_bucket=Case(
                *[When(**bounds(p), then=Value(i)) for i, p in enumerate(periods)],
                output_field=IntegerField(),
            ),
            trend_end=Case(
                *[When(**bounds(p), then=Value(p.end)) for p in periods],
                output_field=DateField(),
            ),
        )

    def _period_end(self):
        """The last day of the period, as a value, or (in a TrendPass) as a reference to
        the last day of the quarter of the outer row (for a subquery's filter)."""
        return OuterRef("trend_end") if self._trend is not None else self.period.end

    def _grouped(self, qs) -> bool:
        return self._trend is not None and "trend_bucket" in qs.query.annotations

    def _values(
        self, qs, values: list[str], order: tuple[str, ...] | list[str] = (), **aggregates
    ) -> list[dict]:
        """qs.values(*values).annotate(**aggregates).order_by(*order) as a list (each row
        if no aggregates): the period's rows; in a TrendPass, one query for all quarters."""
        trend = self._trend
        if trend is None or not self._grouped(qs):
            rows = qs.values(*values)
            return list((rows.annotate(**aggregates) if aggregates else rows).order_by(*order))
        key = (self._measure, self._reads, qs.model, tuple(values), tuple(aggregates))
        self._reads += 1
        if key not in trend.results:
            rows = qs.values("trend_bucket", *values)
            rows = (rows.annotate(**aggregates) if aggregates else rows).order_by(*order)
            if self._replay:  # not kept: this quarter's rows alone
                return [{k: v for k, v in row.items() if k != "trend_bucket"} for row in rows]
            trend.results[key] = list(rows)
        return [
            {k: v for k, v in row.items() if k != "trend_bucket"}
            for row in trend.results[key]
            if row["trend_bucket"] == self._bucket
        ]

    def _aggregate(self, qs, **aggregates) -> dict:
        if not self._grouped(qs):
            return qs.aggregate(**aggregates)
        rows = self._values(qs, [], **aggregates)
        # A quarter with no rows has no group: its figures are those of an empty set.
        return rows[0] if rows else qs.none().aggregate(**aggregates)

    def _count(self, qs) -> int:
        return self._aggregate(qs, n=Count("pk"))["n"]

    # --- building blocks -------------------------------------------------------------------
    def referrals(self):
        return self._in(Referral.objects.filter(self.scope.on()), "received_at")

    def cases(self):
        qs = CaseModel.objects.filter(self.scope.on())
        if self.basis == "cohort":
            qs = qs.filter(referral__in=self.referrals())
        return qs

    def stage_changes(self, **kwargs):
        qs = StageChange.objects.filter(self.scope.on("case__"), **kwargs)
        if self.basis == "cohort":
            return qs.filter(case__referral__in=self.referrals())
        return self._in(qs, "changed_at")

    # --- How much ------------------------------------------------------------------------
    def referrals_received(self) -> Figure:
        return Figure(self._count(self.referrals()))

    def referral_outcomes(self) -> Figure:
        """Each referral counted once, by its outcome: on the events basis the referrals
        decided in the period, by their latest decision as at the end of the period; in the
        cohort the referrals received in it, by their latest decision to date, like every
        cohort figure ("Not decided yet" if none). A family put on the waiting list and
        later accepted is one referral, accepted."""
        decisions = ScreeningDecision.objects.filter(self.scope.on("referral__"))
        later = ScreeningDecision.objects.filter(referral_id=OuterRef("referral_id")).filter(
            Q(decided_at__gt=OuterRef("decided_at"))
            | Q(decided_at=OuterRef("decided_at"), pk__gt=OuterRef("pk"))
        )
        if self.basis == "cohort":
            referrals = self.referrals()
            decisions = decisions.filter(referral__in=referrals)
        else:
            decided = self._in(decisions, "decided_at").values("referral_id")
            decisions = decisions.filter(referral_id__in=decided, decided_at__lt=self.period.end_at)
            later = later.filter(decided_at__lt=self.period.end_at)
        rows = list(
            decisions.exclude(Exists(later))
            .values("outcome__name", "outcome__order")
            .annotate(n=Count("pk"))
            .order_by("outcome__order")
        )
        counted = [(r["outcome__name"], r["n"]) for r in rows]
        if self.basis == "cohort":
            undecided = referrals.exclude(
                Exists(decisions.filter(referral_id=OuterRef("pk")))
            ).count()
            if undecided:
                counted.append(("Not decided yet", undecided))
        total = sum(n for _, n in counted)
        return Figure(total, rows=[{"label": label, "n": n, "of": total} for label, n in counted])

    def referral_decisions(self) -> Figure:
        """The per-decision view: screening decisions by outcome, made in the period or for
        the cohort. A referral decided twice (waiting list, then accepted) counts twice."""
        qs = ScreeningDecision.objects.filter(self.scope.on("referral__"))
        if self.basis == "cohort":
            qs = qs.filter(referral__in=self.referrals())
        else:
            qs = self._in(qs, "decided_at")
        rows = list(
            qs.values("outcome__name", "outcome__order")
            .annotate(n=Count("pk"))
            .order_by("outcome__order")
        )
        total = sum(r["n"] for r in rows)
        return Figure(
            total,
            rows=[{"label": r["outcome__name"], "n": r["n"], "of": total} for r in rows],
        )

    def families_worked_with(self) -> Figure:
        if self._trend is not None and self.basis == "events":
            row = self._families_in_each_quarter()[self._bucket or 0]
            return Figure(row["families"], rows=[{"children": row["children"]}])
        qs = CaseModel.objects.filter(self.scope.on(), allocated_at__lt=self.period.end_at).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=self.period.start_at)
        )
        if self.basis == "cohort":
            qs = qs.filter(referral__in=self.referrals())
        families = qs.values("family_id")
        children = Person.objects.filter(
            family_id__in=families, kind__in=[MemberKind.CHILD, MemberKind.UNBORN]
        ).count()
        return Figure(qs.values("family_id").distinct().count(), rows=[{"children": children}])

    def _families_in_each_quarter(self) -> list[dict]:
        """families_worked_with for each quarter of a TrendPass, in two queries for all of
        them: the cases open at any time in the quarters (each case's family and dates),
        and the children of their families. A case counts in every quarter it was open in,
        so its quarter is not one bucket, and the quarters are sorted out here."""
        trend = self._trend
        assert trend is not None
        if "families_worked_with" not in trend.results:
            periods = trend.periods
            cases = CaseModel.objects.filter(
                self.scope.on(), allocated_at__lt=periods[-1].end_at
            ).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=periods[0].start_at))
            families: list[set[int]] = [set() for _ in periods]
            # Each quarter's bounds made once, not once per case (at national scale that
            # was 54,000 time-zone conversions for the busiest team, about 1 s).
            bounds = [(i, p.start_at, p.end_at) for i, p in enumerate(periods)]
            for family_id, allocated, closed in cases.values_list(
                "family_id", "allocated_at", "closed_at"
            ):
                for i, starts, ends in bounds:
                    if allocated < ends and (closed is None or closed >= starts):
                        families[i].add(family_id)
            children = dict(
                Person.objects.filter(
                    family_id__in=cases.values("family_id"),
                    kind__in=[MemberKind.CHILD, MemberKind.UNBORN],
                )
                .order_by()
                .values("family_id")
                .annotate(n=Count("pk"))
                .values_list("family_id", "n")
            )
            trend.results["families_worked_with"] = [
                {"families": len(f), "children": sum(children.get(pk, 0) for pk in f)}
                for f in families
            ]
        return trend.results["families_worked_with"]

    def consultations(self) -> Figure:
        qs = self._on_days(Consultation.objects.filter(self._team_filter()), "held_on")
        return Figure(self._count(qs))

    def training(self) -> Figure:
        qs = self._on_days(TrainingSession.objects.filter(self._team_filter()), "held_on")
        agg = self._aggregate(qs, n=Count("pk"), people=Sum("attendees"))
        return Figure(agg["n"], rows=[{"attendees": agg["people"] or 0}])

    def _team_filter(self) -> Q:
        return Q(team_id__in=[t.pk for t in self.teams])

    def phases(self) -> Figure:
        """Families entering and completing each phase."""
        agg = self._aggregate(
            self.stage_changes(),
            entered_assessment=Count("pk", filter=Q(to_stage=pathway.Stage.ASSESSMENT)),
            entered_phase1=Count("pk", filter=Q(to_stage=pathway.Stage.PHASE1)),
            completed_phase1=Count(
                "pk",
                filter=Q(from_stage=pathway.Stage.PHASE1)
                & Q(to_stage__in=[pathway.Stage.STEP_DOWN, pathway.Stage.PHASE2]),
            ),
            entered_phase2=Count("pk", filter=Q(to_stage=pathway.Stage.PHASE2)),
            completed_phase2=Count("pk", filter=_closed_from_phase2 & _planned_end),
            closed_phase2_other=Count("pk", filter=_closed_from_phase2 & ~_planned_end),
        )
        return Figure(agg["entered_phase1"], rows=[agg])

    def direct_hours(self) -> Figure:
        qs = Contact.objects.filter(self.scope.on("case__"), work_type="direct")
        qs = qs.filter(case__in=self.cases()) if self.basis == "cohort" else qs
        qs = self._in(qs, "started_at") if self.basis == "events" else qs
        minutes = self._aggregate(qs, m=Sum("duration_minutes"))["m"] or 0
        return Figure(round(minutes / 60, 1), unit="hours")

    def boosters(self) -> Figure:
        qs = Booster.objects.filter(self.scope.on("case__"))
        qs = qs.filter(case__in=self.cases()) if self.basis == "cohort" else qs
        return Figure(
            self._count(self._on_days(qs, "delivered_on") if self.basis == "events" else qs)
        )

    # --- How well ------------------------------------------------------------------------
    def first_contact_in_time(self) -> Figure:
        agg = self._aggregate(
            self.referrals().annotate(
                delay=ExpressionWrapper(
                    F("first_contact_at") - F("received_at"), output_field=DurationField()
                ),
                allowed=_team_hours(self.teams, "first_contact_hours"),
            ),
            n=Count("pk"),
            ok=Count("pk", filter=Q(first_contact_at__isnull=False, delay__lte=F("allowed"))),
        )
        return Figure.percent(agg["ok"], agg["n"])

    def _assessments(self):
        qs = Assessment.objects.filter(self.scope.on("case__"), completed_at__isnull=False)
        if self.basis == "cohort":
            return qs.filter(case__referral__in=self.referrals())
        return self._in(qs, "completed_at")

    def assessment_times(self) -> Figure:
        """Assessments completed: the share within the team's target (on the team's clock,
        from the start the team chose: Case.assessment_clock_from), and how long each took
        in clock hours from receipt of the referral and from allocation, each in its own
        labelled rows, so a family's time on the waiting list is never hidden."""
        counted = [t.pk for t in self.teams if t.assessment_clock in (clock.WORKING, clock.OFFICE)]

        def since(moment: str) -> ExpressionWrapper:
            return ExpressionWrapper(F("completed_at") - F(moment), output_field=DurationField())

        qs = self._assessments().annotate(
            took=since("case__assessment_clock_from"),
            from_referral=since("case__referral__received_at"),
            from_allocation=since("case__allocated_at"),
            allowed=_team_hours(self.teams, "assessment_hours", "case__team_id"),
        )
        bands = {}
        for name in ("from_referral", "from_allocation"):
            bands.update(
                {
                    **{
                        f"{name}_{band}": Count("pk", filter=Q(**{f"{name}__lte": limit}))
                        for band, limit in deadlines.ASSESSMENT_BANDS.items()
                    },
                    f"{name}_longer": Count(
                        "pk", filter=Q(**{f"{name}__gt": deadlines.ASSESSMENT_BANDS["fortnight"]})
                    ),
                }
            )
        agg = self._aggregate(
            qs,
            n=Count("pk"),
            in_target=Count("pk", filter=Q(took__lte=F("allowed")) & ~Q(case__team_id__in=counted)),
            **bands,
        )
        n = agg["n"]
        if counted:
            # Working days and office hours skip weekends and bank holidays, which SQL cannot
            # count: the few teams on those clocks are checked with the case file's function.
            teams = {t.pk: t for t in self.teams}
            fields = ["case__team_id", "case__assessment_clock_from", "completed_at"]
            for row in self._values(qs.filter(case__team_id__in=counted), fields):
                team = teams[row["case__team_id"]]
                took = clock.hours_between(
                    row["case__assessment_clock_from"], row["completed_at"], team.assessment_clock
                )
                if took <= team.assessment_hours:
                    agg["in_target"] += 1
        rows = []
        for name, label in (("from_referral", "referral"), ("from_allocation", "allocation")):
            rows += [
                {"label": f"From {label}: within 72 hours", "n": agg[f"{name}_h72"], "of": n},
                {"label": f"From {label}: within 1 week", "n": agg[f"{name}_week"], "of": n},
                {
                    "label": f"From {label}: within 2 weeks",
                    "n": agg[f"{name}_fortnight"],
                    "of": n,
                },
                {
                    "label": f"From {label}: longer than 2 weeks",
                    "n": agg[f"{name}_longer"],
                    "of": n,
                },
            ]
        figure = Figure.percent(agg["in_target"], n)
        figure.rows = rows
        return figure

    def accepted_to_phase1(self) -> Figure:
        agg = self._aggregate(
            self._assessments().exclude(decision=""),
            n=Count("pk"),
            proceed=Count("pk", filter=Q(decision="proceed")),
        )
        return Figure.percent(agg["proceed"], agg["n"])

    def _phase1_ended(self):
        qs = CaseModel.objects.filter(self.scope.on(), phase1_end__isnull=False)
        if self.basis == "cohort":
            return qs.filter(referral__in=self.referrals())
        return self._on_days(qs, "phase1_end")

    def phase1_lengths(self) -> Figure:
        four, six, ten = (timedelta(weeks=w) for w in deadlines.PHASE1_BAND_WEEKS)
        qs = self._phase1_ended().annotate(
            length=ExpressionWrapper(
                F("phase1_end") - F("phase1_start"), output_field=DurationField()
            )
        )
        agg = self._aggregate(
            qs,
            n=Count("pk"),
            under4=Count("pk", filter=Q(length__lt=four)),
            w4to6=Count("pk", filter=Q(length__gte=four, length__lte=six)),
            w6to10=Count("pk", filter=Q(length__gt=six, length__lte=ten)),
            over10=Count("pk", filter=Q(length__gt=ten)),
        )
        n = agg["n"]
        figure = Figure.percent(agg["w4to6"], n)
        figure.rows = [
            {"label": "Under 4 weeks", "n": agg["under4"], "of": n},
            {"label": "4 to 6 weeks", "n": agg["w4to6"], "of": n},
            {"label": "6 to 10 weeks", "n": agg["w6to10"], "of": n},
            {"label": "Over 10 weeks", "n": agg["over10"], "of": n},
        ]
        return figure

    def phase1_hours_per_family(self) -> Figure:
        minutes = (
            Contact.objects.filter(
                case=OuterRef("pk"), stage=pathway.Stage.PHASE1, work_type="direct"
            )
            .values("case")
            .annotate(total=Sum("duration_minutes"))
            .values("total")
        )
        agg = self._aggregate(
            self._phase1_ended().annotate(minutes=Subquery(minutes, output_field=IntegerField())),
            n=Count("pk"),
            total=Sum("minutes"),
        )
        hours = (agg["total"] or 0) / 60
        value = round(hours / agg["n"], 1) if agg["n"] else None
        return Figure(value, round(hours, 1), agg["n"], "mean")

    def reviews_on_time(self) -> Figure:
        qs = Review.objects.filter(self.scope.on("case__"))
        qs = (
            qs.filter(case__in=self.cases())
            if self.basis == "cohort"
            else self._on_days(qs, "due_on")
        )
        # A review not held yet is late only once its two weeks' grace have passed.
        grace_ends = date.today() - deadlines.REVIEW_GRACE
        qs = qs.exclude(held_on__isnull=True, due_on__gte=grace_ends)
        agg = self._aggregate(
            qs,
            n=Count("pk"),
            ok=Count(
                "pk",
                filter=Q(held_on__isnull=False)
                & Q(held_on__lte=F("due_on") + deadlines.REVIEW_GRACE),
            ),
        )
        return Figure.percent(agg["ok"], agg["n"])

    def feedback_positive(self) -> Figure:
        qs = Feedback.objects.filter(self.scope.on("case__"))
        qs = (
            qs.filter(case__in=self.cases())
            if self.basis == "cohort"
            else self._on_days(qs, "received_on")
        )
        agg = self._aggregate(qs, n=Count("pk"), good=Count("pk", filter=Q(positive=True)))
        return Figure.percent(agg["good"], agg["n"])

    def complaints(self) -> Figure:
        return Figure(
            self._count(self._on_days(Complaint.objects.filter(self._team_filter()), "received_on"))
        )

    def rereferral_rate(self) -> Figure:
        agg = self._aggregate(
            self.referrals(), n=Count("pk"), re=Count("pk", filter=Q(is_rereferral=True))
        )
        return Figure.percent(agg["re"], agg["n"])

    # --- Is anyone better off? -------------------------------------------------------------
    def _review_scores(self):
        # The default manager drops amended and withdrawn scores; their goal and review
        # are joined, so those must be current too (cases.amendments). A score's review is
        # of its goal's case (reviews.services), so the scope is said of both: the planner
        # can then start from the scope's reviews in the period, not from every goal of
        # the scope (the busiest team's eight quarters: 0.25 -> 0.17 s a query).
        qs = GoalScore.objects.filter(
            self.scope.on("goal__case__"),
            self.scope.on("review__case__"),
            review__isnull=False,
            goal__entry_status=CURRENT,
            review__entry_status=CURRENT,
        )
        if self.basis == "cohort":
            return qs.filter(goal__case__referral__in=self.referrals())
        return self._on_days(qs, "review__held_on")

    def goals_at_or_above_zero(self) -> Figure:
        """Goal scores at reviews: all goals, substance goals, and by sex of the member."""
        qs = self._review_scores()
        agg = self._aggregate(
            qs,
            n=Count("pk"),
            ok=Count("pk", filter=Q(score__gte=0)),
            sub_n=Count("pk", filter=Q(goal__is_substance=True)),
            sub_ok=Count("pk", filter=Q(goal__is_substance=True, score__gte=0)),
        )
        by_sex = self._values(
            qs.filter(goal__members__isnull=False),
            ["goal__members__sex"],
            ["goal__members__sex"],
            n=Count("pk", distinct=True),
            ok=Count("pk", filter=Q(score__gte=0), distinct=True),
        )
        figure = Figure.percent(agg["ok"], agg["n"])
        figure.rows = [
            {"label": "Substance goals", "n": agg["sub_ok"], "of": agg["sub_n"]},
            *[
                {
                    "label": f"Goals for {_sex(r['goal__members__sex'])} members",
                    "n": r["ok"],
                    "of": r["n"],
                }
                for r in by_sex
            ],
        ]
        return figure

    def gas_change(self) -> Figure:
        """Mean change from baseline to each review (1, 3, 6 and 12 months)."""
        rows = self._values(
            self._review_scores().annotate(change=F("score") - F("goal__baseline")),
            ["review__offset_months"],
            ["review__offset_months"],
            n=Count("pk"),
            mean=Avg(Cast("change", FloatField())),
        )
        return Figure(
            round(rows[0]["mean"], 2) if rows else None,
            unit="mean",
            rows=[
                {
                    "label": f"{r['review__offset_months']}-month review",
                    "n": r["n"],
                    "mean": round(r["mean"], 2),
                }
                for r in rows
            ],
        )

    def reading_change(self, instrument: str) -> Figure:
        """Paired before/after change: the latest of end-of-Phase-1 or closure reading taken
        in the period, against the same person's start reading. SWEMWBS is compared on its
        published metric score, not the raw total."""
        score = "metric_score" if instrument == Instrument.SWEMWBS else "total"
        start = (
            Reading.objects.filter(
                case=OuterRef("case"),
                person=OuterRef("person"),
                instrument=instrument,
                occasion=Occasion.START,
            )
            .order_by()
            .values(score)[:1]
        )  # no default ordering: it joined people per row
        qs = Reading.objects.filter(
            self.scope.on("case__"),
            instrument=instrument,
            occasion__in=[Occasion.END_PHASE1, Occasion.CLOSURE],
        )
        qs = (
            qs.filter(case__in=self.cases())
            if self.basis == "cohort"
            else self._on_days(qs, "taken_on")
        )
        later_closure = Reading.objects.filter(
            case=OuterRef("case"),
            person=OuterRef("person"),
            instrument=instrument,
            occasion=Occasion.CLOSURE,
        )
        if self.basis == "events":
            # Only a closure reading inside the period replaces the end-of-Phase-1 one, so
            # a closed quarter's figure never changes later.
            later_closure = later_closure.filter(taken_on__lte=self._period_end())
        # The end-of-Phase-1 test inside the subquery, not beside it: NOT EXISTS alone is an
        # anti-join over the one-reading-per-occasion index, where NOT (end_phase1 AND
        # EXISTS) read every closure reading of the instrument to hash them (all teams'
        # WEMWBS in a quarter: 216 -> 56 ms; docs/performance.md).
        replaced = later_closure.filter(Exact(OuterRef("occasion"), Occasion.END_PHASE1))
        qs = qs.exclude(Exists(replaced))
        agg = self._aggregate(
            qs.annotate(before=Cast(Subquery(start), FloatField())).filter(before__isnull=False),
            n=Count("pk"),
            mean=Avg(Cast(F(score), FloatField()) - F("before")),
        )
        value = round(agg["mean"], 1) if agg["mean"] is not None else None
        return Figure(value, None, agg["n"], "mean")

    def services_accessed(self) -> Figure:
        """Services used before and after the work, matched per person: of the people with
        an "after" record made in the period (or in the cohort) and a "before" record in the
        same case, how many used more types of service after than before; and, per type,
        how many of those people used it before and after. Three queries."""
        before = ServiceUse.objects.filter(
            case=OuterRef("case"), person=OuterRef("person"), occasion=ServiceOccasion.BEFORE
        )
        after = ServiceUse.objects.filter(self.scope.on("case__"), occasion=ServiceOccasion.AFTER)
        after = (
            after.filter(case__in=self.cases())
            if self.basis == "cohort"
            else self._on_days(after, "recorded_on")
        )
        paired = after.filter(Exists(before))
        through = ServiceUse.services.through

        def types_of(use):
            return Coalesce(
                Subquery(
                    through.objects.filter(serviceuse=use)
                    .order_by()
                    .values("serviceuse")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            )

        before_pk = Subquery(before.order_by().values("pk")[:1])
        if self._grouped(paired):
            agg, counted = self._services_in_each_quarter(paired, before_pk)[self._bucket or 0]
        else:
            agg = (
                paired.annotate(b=before_pk)
                .annotate(n_after=types_of(OuterRef("pk")), n_before=types_of(OuterRef("b")))
                .aggregate(n=Count("pk"), more=Count("pk", filter=Q(n_after__gt=F("n_before"))))
            )
            # Per type: the paired people's "after" records, and their "before" records (one
            # query each: an OR of the two would scan every record's types).
            counted = [
                (
                    occasion,
                    through.objects.filter(serviceuse__in=uses)
                    .order_by()
                    .values_list("servicetype__order", "servicetype__name")
                    .annotate(n=Count("pk")),
                )
                for occasion, uses in (
                    (ServiceOccasion.AFTER, paired.values("pk")),
                    (ServiceOccasion.BEFORE, paired.annotate(b=before_pk).values("b")),
                )
            ]
        by_type: dict[tuple[int, str], dict] = {}
        for occasion, counts in counted:
            for order, name, n in counts:
                row = by_type.setdefault((order, name), {"label": name, "before": 0, "after": 0})
                row[occasion] = n
        rows = [by_type[key] for key in sorted(by_type)]
        figure = Figure.percent(agg["more"], agg["n"])
        figure.rows = rows
        return figure

    def _services_in_each_quarter(self, paired, before_pk) -> list[tuple[dict, list]]:
        """services_accessed for each quarter of a TrendPass, in two queries for all of
        them: the paired "after" records (each with its quarter and the person's "before"
        record), then the service types of those records, by their ids; each quarter's
        figures are counted here from its own records, as the single-period queries count
        them (types per record, and per type the distinct records)."""
        trend = self._trend
        assert trend is not None
        key = "services_accessed"
        if key not in trend.results:
            through = ServiceUse.services.through
            pairs = list(paired.annotate(b=before_pk).values_list("trend_bucket", "pk", "b"))
            types: dict[int, list[tuple[int, str]]] = {}
            ids = {a for _, a, _ in pairs} | {b for _, _, b in pairs}
            for use, order, name in through.objects.filter(serviceuse_id__in=ids).values_list(
                "serviceuse_id", "servicetype__order", "servicetype__name"
            ):
                types.setdefault(use, []).append((order, name))
            out = []
            for bucket in range(len(trend.periods)):
                mine = [(a, b) for q, a, b in pairs if q == bucket]
                more = sum(1 for a, b in mine if len(types.get(a, [])) > len(types.get(b, [])))
                counts = []
                for occasion, uses in (
                    (ServiceOccasion.AFTER, {a for a, _ in mine}),
                    (ServiceOccasion.BEFORE, {b for _, b in mine}),
                ):
                    n: dict[tuple[int, str], int] = {}
                    for use in uses:
                        for kind in types.get(use, []):
                            n[kind] = n.get(kind, 0) + 1
                    counts.append((occasion, [(o, name, c) for (o, name), c in n.items()]))
                out.append(({"n": len(mine), "more": more}, counts))
            trend.results[key] = out
        return trend.results[key]

    def _child_outcomes(self):
        """Children's outcomes at closures in the period, or of the cohort's cases."""
        qs = ChildOutcome.objects.filter(self.scope.on("closure__case__"))
        if self.basis == "cohort":
            return qs.filter(closure__case__in=self.cases())
        return self._on_days(qs, "closure__closed_on")

    def child_outcomes(self) -> Figure:
        qs = self._child_outcomes()
        counts = dict(qs.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n"))
        total = sum(counts.values())
        return Figure(
            total,
            rows=[
                {"label": str(label), "n": counts.get(value, 0), "of": total}
                for value, label in ChildOutcomeKind.choices
            ],
        )

    def cost_avoidance(self) -> dict | None:
        """The optional cost-avoidance panel (DOMAIN.md section 6), for the teams in scope
        that turned it on: children who stayed at home or returned home at closure times
        the team's unit cost of care, and children de-registered times its unit cost of
        registration. None when no team in scope shows it. One query."""
        teams = [t for t in self.teams if t.cost_panel]
        if not teams:
            return None
        qs = self._child_outcomes().filter(closure__case__team__in=teams)
        counts: dict[tuple[int, str], int] = {
            (team_id, outcome): n
            for team_id, outcome, n in qs.order_by()
            .values_list("closure__case__team_id", "outcome")
            .annotate(n=Count("pk"))
        }
        rows = []
        for team in teams:
            at_home = counts.get((team.pk, ChildOutcomeKind.STAYED_HOME), 0) + counts.get(
                (team.pk, ChildOutcomeKind.RETURNED_HOME), 0
            )
            deregistered = counts.get((team.pk, ChildOutcomeKind.DEREGISTERED), 0)
            care = float(team.cost_of_care) if team.cost_of_care is not None else None
            registration = (
                float(team.cost_of_registration) if team.cost_of_registration is not None else None
            )
            rows.append(
                {
                    "team": team.name,
                    "at_home": at_home,
                    "cost_of_care": care,
                    "deregistered": deregistered,
                    "cost_of_registration": registration,
                    "avoided": round(at_home * (care or 0) + deregistered * (registration or 0), 2),
                }
            )
        return {
            "rows": rows,
            "total": round(sum(r["avoided"] for r in rows), 2),
            "left_out": [t.name for t in self.teams if not t.cost_panel],
        }

    def sustained_at_12_months(self) -> Figure:
        """Of 12-month reviews held, how many had every goal at 0 or above."""
        qs = Review.objects.filter(self.scope.on("case__"), offset_months=12, held_on__isnull=False)
        qs = (
            qs.filter(case__in=self.cases())
            if self.basis == "cohort"
            else self._on_days(qs, "held_on")
        )
        # Each review's lowest current score (cases.amendments), by a subquery per review
        # rather than a grouping of the reviews, so the count can be grouped by quarter.
        lowest = (
            GoalScore._base_manager.filter(review=OuterRef("pk"), entry_status=CURRENT)
            .order_by()
            .values("review")
            .annotate(m=Min("score"))
            .values("m")
        )
        agg = self._aggregate(
            qs.annotate(lowest=Subquery(lowest, output_field=IntegerField())),
            n=Count("pk"),
            ok=Count("pk", filter=Q(lowest__gte=0)),
        )
        return Figure.percent(agg["ok"], agg["n"])

    def not_rereferred_within_12_months(self) -> Figure:
        """Of cases closed 12 months before the period, how many families were not referred
        again within 12 months of closing. A re-referral is a referral linked back to the
        case's episode (Referral.previous_referral, set when it was linked to the family)."""
        closed = CaseModel.objects.filter(self.scope.on())
        if self._trend is None:
            window_start = _year_before(self.period.start_at)
            window_end = _year_before(self.period.end_at)
            closed = closed.filter(closed_at__gte=window_start, closed_at__lt=window_end)
        else:  # quarters: the same quarter a year before
            closed = self._within(closed, "closed_at", moments=True, years_back=1)
        again = Referral.objects.filter(
            previous_referral=OuterRef("referral"),
            received_at__gt=OuterRef("closed_at"),
            received_at__lte=OuterRef("closed_at") + deadlines.REREFERRAL_WINDOW,
        )
        agg = self._aggregate(closed, n=Count("pk"), ok=Count("pk", filter=~Exists(again)))
        return Figure.percent(agg["ok"], agg["n"])

    # --- Context -----------------------------------------------------------------------
    def context(self) -> dict[str, list[dict]]:
        """Who was referred: the cohort of families referred in the period."""
        # The members of the referred families, read as `family_id IN (the period's
        # referrals' families)`: each member once, so no join through the referrals and no
        # DISTINCT over every column of a member (the age bands' query had one).
        families = self.referrals().values("family_id")
        people = Person.objects.filter(family_id__in=families)
        ethnicity = list(
            people.exclude(ethnicity="").values("ethnicity").annotate(n=Count("pk")).order_by("-n")
        )
        # A member with two substances is one substance user.
        users = people.filter(kind=MemberKind.ADULT, substances__isnull=False)
        sex = list(users.values("sex").annotate(n=Count("pk", distinct=True)).order_by("sex"))
        substances = list(
            people.filter(substances__isnull=False)
            .values("substances__name")
            .annotate(n=Count("pk", distinct=True))
            .order_by("-n")
        )
        household = list(
            Family.objects.filter(pk__in=families)
            .values("household_type")
            .annotate(n=Count("pk"))
            .order_by("household_type")
        )
        today = self.period.end
        children = people.filter(kind__in=[MemberKind.CHILD, MemberKind.UNBORN])

        def born_after(years: int) -> Q:
            """Younger than `years` on the period's last day (birthdays counted exactly)."""
            return Q(date_of_birth__gt=_years_before(today, years))

        bands = children.aggregate(
            prebirth=Count("pk", filter=Q(kind=MemberKind.UNBORN)),
            b0_2=Count("pk", filter=Q(kind=MemberKind.CHILD) & born_after(3)),
            b3_6=Count("pk", filter=Q(kind=MemberKind.CHILD) & born_after(7) & ~born_after(3)),
            b7_10=Count("pk", filter=Q(kind=MemberKind.CHILD) & born_after(11) & ~born_after(7)),
            b11_14=Count("pk", filter=Q(kind=MemberKind.CHILD) & born_after(15) & ~born_after(11)),
            b15_17=Count(
                "pk",
                filter=Q(kind=MemberKind.CHILD, date_of_birth__isnull=False) & ~born_after(15),
            ),
        )
        male = (
            people.filter(kind=MemberKind.ADULT, sex=Sex.MALE)
            .values("family_id")
            .distinct()
            .count()
        )
        n_families = self.referrals().values("family_id").distinct().count()
        household_labels = dict(HouseholdType.choices)
        sex_labels = dict(Sex.choices)
        return {
            "Ethnicity": [{"label": r["ethnicity"], "n": r["n"]} for r in ethnicity],
            "Sex of substance users": [
                {"label": str(sex_labels.get(r["sex"], "Not recorded")), "n": r["n"]} for r in sex
            ],
            "Substances": [{"label": r["substances__name"], "n": r["n"]} for r in substances],
            "Household type": [
                {
                    "label": str(household_labels.get(r["household_type"], "Not recorded")),
                    "n": r["n"],
                }
                for r in household
            ],
            "Children by age band": [
                {"label": "Pre-birth", "n": bands["prebirth"]},
                {"label": "0-2", "n": bands["b0_2"]},
                {"label": "3-6", "n": bands["b3_6"]},
                {"label": "7-10", "n": bands["b7_10"]},
                {"label": "11-14", "n": bands["b11_14"]},
                {"label": "15-17", "n": bands["b15_17"]},
            ],
            "Male presence": [
                {"label": "Families with an adult male", "n": male, "of": n_families},
            ],
        }

    # --- The evaluation's throughput table ----------------------------------------------
    def throughput(self) -> list[dict]:
        """Per team: referrals; inappropriate; progressing to assessment (of which
        re-referrals); accepted to Phase 1; completed Phase 1 and Phase 2 (a planned end) in
        the period, and Phase 2 closures for other reasons. Percentages use referrals as
        the denominator."""
        received = self.referrals()
        by_team = {
            r["team_id"]: r
            for r in received.values("team_id").annotate(
                referrals=Count("pk", distinct=True),
                inappropriate=Count(
                    "pk",
                    filter=Q(
                        decisions__outcome__code="inappropriate",
                        decisions__entry_status=CURRENT,  # a join: current decisions only
                    ),
                    distinct=True,
                ),
                assessed=Count(
                    "pk", filter=Q(case__assessment__started_at__isnull=False), distinct=True
                ),
                assessed_re=Count(
                    "pk",
                    filter=Q(case__assessment__started_at__isnull=False, is_rereferral=True),
                    distinct=True,
                ),
                accepted=Count("pk", filter=Q(case__assessment__decision="proceed"), distinct=True),
            )
        }
        completed = {
            r["case__team_id"]: r
            for r in self._in(StageChange.objects.filter(self.scope.on("case__")), "changed_at")
            .values("case__team_id")
            .annotate(
                phase1=Count(
                    "pk",
                    filter=Q(from_stage=pathway.Stage.PHASE1)
                    & Q(to_stage__in=[pathway.Stage.STEP_DOWN, pathway.Stage.PHASE2]),
                ),
                phase2=Count("pk", filter=_closed_from_phase2 & _planned_end),
                phase2_other=Count("pk", filter=_closed_from_phase2 & ~_planned_end),
            )
        }
        rows = []
        for team in self.teams:
            r = by_team.get(team.pk, {})
            c = completed.get(team.pk, {})
            n = r.get("referrals", 0)
            cells = {
                "referrals": n,
                "inappropriate": r.get("inappropriate", 0),
                "assessed": r.get("assessed", 0),
                "assessed_re": r.get("assessed_re", 0),
                "accepted": r.get("accepted", 0),
                "completed_phase1": c.get("phase1", 0),
                "completed_phase2": c.get("phase2", 0),
                "closed_phase2_other": c.get("phase2_other", 0),
            }
            rows.append(
                {
                    "team": team.name,
                    **cells,
                    "pct": {
                        k: (round(100 * v / n, 1) if n else None)
                        for k, v in cells.items()
                        if k != "referrals"
                    },
                }
            )
        return rows
