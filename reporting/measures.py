"""The measures catalogue: one definition per measure, shared by every team (DOMAIN.md
section 6). The computation is code (reporting/queries.py); the metadata is seeded into
the database, where baselines and targets are set per team."""

from __future__ import annotations

from dataclasses import dataclass

from .queries import Figure, Report


@dataclass(frozen=True)
class Definition:
    code: str
    name: str
    quadrant: str
    polarity: str
    numerator: str
    denominator: str
    compute: str  # a Report method, or "method:argument"
    description: str = ""
    trend: bool = True  # drawn over the last 8 quarters


CATALOGUE: list[Definition] = [
    # How much did we do?
    Definition(
        "referrals_received",
        "Referrals received",
        "how_much",
        "neutral",
        "Referrals received in the period",
        "",
        "referrals_received",
    ),
    Definition(
        "referral_outcomes",
        "Referral outcomes by category",
        "how_much",
        "neutral",
        "Referrals with each outcome as at the end of the period (each referral once)",
        "Referrals decided in the period (cohort: referrals received in it)",
        "referral_outcomes",
        description="Each referral counts once, by its latest screening decision at the end "
        "of the period: a family put on the waiting list and later accepted counts as "
        "accepted.",
        trend=False,
    ),
    Definition(
        "referral_decisions",
        "Screening decisions by outcome (per decision)",
        "how_much",
        "neutral",
        "Screening decisions with each outcome (per decision, not per referral)",
        "Screening decisions made in the period",
        "referral_decisions",
        description="Every screening decision: a referral decided twice (waiting list, then "
        "accepted) counts twice. The board's figure is Referral outcomes by category.",
        trend=False,
    ),
    Definition(
        "families_worked_with",
        "Families worked with",
        "how_much",
        "up",
        "Families with a case open at any time in the period",
        "",
        "families_worked_with",
    ),
    Definition(
        "consultations",
        "Consultations to the wider workforce",
        "how_much",
        "up",
        "Consultations given in the period",
        "",
        "consultations",
    ),
    Definition(
        "training",
        "Training sessions delivered",
        "how_much",
        "up",
        "Training sessions held in the period (attendees shown)",
        "",
        "training",
    ),
    Definition(
        "phases",
        "Families entering Phase 1",
        "how_much",
        "up",
        "Families moved into each phase, and out of it, in the period",
        "",
        "phases",
    ),
    Definition(
        "direct_hours",
        "Hours of direct work",
        "how_much",
        "up",
        "Direct contact time logged in the period, in hours",
        "",
        "direct_hours",
    ),
    Definition(
        "boosters",
        "Booster sessions",
        "how_much",
        "neutral",
        "Booster sessions delivered in the period",
        "",
        "boosters",
    ),
    # How well did we do it?
    Definition(
        "first_contact",
        "First contact with the referrer in time",
        "how_well",
        "up",
        "Referrals with first contact within the team's target (24 h by default)",
        "Referrals received",
        "first_contact_in_time",
    ),
    Definition(
        "assessment_time",
        "Assessments completed within target",
        "how_well",
        "up",
        "Assessments completed within the team's target (72 h by default), on the team's "
        "clock, counted from the start the team chose",
        "Assessments completed",
        "assessment_times",
        description="The breakdown shows, in clock hours, the time from receipt of the "
        "referral and the time from allocation: a family who waited on the waiting list "
        "shows its wait in the first.",
    ),
    Definition(
        "accepted_to_phase1",
        "Assessed families accepted to Phase 1",
        "how_well",
        "up",
        "Assessments ending in a decision to proceed",
        "Assessments with a decision",
        "accepted_to_phase1",
    ),
    Definition(
        "phase1_length",
        "Phase 1 within 4 to 6 weeks",
        "how_well",
        "up",
        "Phase 1 episodes lasting 4 to 6 weeks",
        "Phase 1 episodes ended",
        "phase1_lengths",
    ),
    Definition(
        "phase1_hours",
        "Direct hours per family in Phase 1",
        "how_well",
        "up",
        "Direct hours in Phase 1 of families who ended it",
        "Families who ended Phase 1",
        "phase1_hours_per_family",
    ),
    Definition(
        "reviews_on_time",
        "Reviews held on time",
        "how_well",
        "up",
        "Reviews held within two weeks of their due date",
        "Reviews due",
        "reviews_on_time",
    ),
    Definition(
        "feedback_positive",
        "Positive feedback",
        "how_well",
        "up",
        "Feedback that was positive",
        "Feedback received",
        "feedback_positive",
    ),
    Definition(
        "complaints",
        "Complaints",
        "how_well",
        "down",
        "Complaints received in the period",
        "",
        "complaints",
    ),
    Definition(
        "rereferral_rate",
        "Re-referrals",
        "how_well",
        "down",
        "Referrals of families seen before",
        "Referrals received",
        "rereferral_rate",
    ),
    # Is anyone better off?
    Definition(
        "goals_at_zero",
        "Goals at or above the expected level",
        "better_off",
        "up",
        "Goal scores of 0 or above at reviews",
        "Goal scores at reviews",
        "goals_at_or_above_zero",
    ),
    Definition(
        "gas_change",
        "Mean GAS change from baseline",
        "better_off",
        "up",
        "Mean of (score at review - baseline), per review",
        "Goal scores at reviews",
        "gas_change",
    ),
    Definition(
        "wemwbs_change",
        "WEMWBS change (paired)",
        "better_off",
        "up",
        "Mean change in WEMWBS total, after minus before",
        "People with both readings",
        "reading_change:wemwbs",
    ),
    Definition(
        "sdq_change",
        "SDQ total difficulties change (paired)",
        "better_off",
        "down",
        "Mean change in SDQ total, after minus before",
        "Children with both readings",
        "reading_change:sdq",
    ),
    Definition(
        "services_accessed",
        "Services accessed before and after",
        "better_off",
        "up",
        "People using more types of service after the work than before",
        "People with both records (before, and after made in the period)",
        "services_accessed",
        description="Per person, the types of service used in the year before referral "
        "against those used at closure; the breakdown counts, per type, the people who "
        "used it before and after.",
    ),
    Definition(
        "child_outcomes",
        "Children's outcomes at closure",
        "better_off",
        "neutral",
        "Children with each outcome",
        "Children with an outcome at closure",
        "child_outcomes",
        trend=False,
    ),
    Definition(
        "sustained_12m",
        "Progress sustained at 12 months",
        "better_off",
        "up",
        "12-month reviews with every goal at 0 or above",
        "12-month reviews held",
        "sustained_at_12_months",
    ),
    Definition(
        "not_rereferred",
        "Not re-referred within 12 months",
        "better_off",
        "up",
        "Cases closed a year before the period whose family was not referred again "
        "within 12 months",
        "Cases closed a year before the period",
        "not_rereferred_within_12_months",
    ),
]

BY_CODE = {d.code: d for d in CATALOGUE}


def compute(report: Report, definition: Definition) -> Figure:
    method, _, argument = definition.compute.partition(":")
    fn = getattr(report, method)
    return fn(argument) if argument else fn()
