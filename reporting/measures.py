"""The measures catalogue: one definition per measure, shared by every team (DOMAIN.md
section 6). The computation is code (reporting/queries.py); the metadata is seeded into
the database, where baselines and targets are set per team."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .queries import Figure, Report


@dataclass(frozen=True)
class Definition:
    code: str
    # The words are lazy: shown in the reader's language (a card is built, and its PDF
    # printed, under the language asked for).
    name: str | Promise
    quadrant: str
    polarity: str
    numerator: str | Promise
    denominator: str | Promise
    compute: str  # a Report method, or "method:argument"
    description: str | Promise = ""
    trend: bool = True  # drawn over the last 8 quarters


CATALOGUE: list[Definition] = [
    # How much did we do?
    Definition(
        "referrals_received",
        _("Referrals received"),
        "how_much",
        "neutral",
        _("Referrals received in the period"),
        "",
        "referrals_received",
    ),
    Definition(
        "referral_outcomes",
        _("Referral outcomes by category"),
        "how_much",
        "neutral",
        _("Referrals with each outcome as at the end of the period (each referral once)"),
        _("Referrals decided in the period (cohort: referrals received in it)"),
        "referral_outcomes",
        description=_(
            "Each referral counts once, by its latest screening decision at the end "
            "of the period: a family put on the waiting list and later accepted counts as "
            "accepted."
        ),
        trend=False,
    ),
    Definition(
        "referral_decisions",
        _("Screening decisions by outcome (per decision)"),
        "how_much",
        "neutral",
        _("Screening decisions with each outcome (per decision, not per referral)"),
        _("Screening decisions made in the period"),
        "referral_decisions",
        description=_(
            "Every screening decision: a referral decided twice (waiting list, then "
            "accepted) counts twice. The board's figure is Referral outcomes by category."
        ),
        trend=False,
    ),
    Definition(
        "families_worked_with",
        _("Families worked with"),
        "how_much",
        "up",
        _("Families with a case open at any time in the period"),
        "",
        "families_worked_with",
    ),
    Definition(
        "consultations",
        _("Consultations to the wider workforce"),
        "how_much",
        "up",
        _("Consultations given in the period"),
        "",
        "consultations",
    ),
    Definition(
        "training",
        _("Training sessions delivered"),
        "how_much",
        "up",
        _("Training sessions held in the period (attendees shown)"),
        "",
        "training",
    ),
    Definition(
        "phases",
        _("Families entering Phase 1"),
        "how_much",
        "up",
        _("Families moved into each phase, and out of it, in the period"),
        "",
        "phases",
    ),
    Definition(
        "direct_hours",
        _("Hours of direct work"),
        "how_much",
        "up",
        _("Direct contact time logged in the period, in hours"),
        "",
        "direct_hours",
    ),
    Definition(
        "boosters",
        _("Booster sessions"),
        "how_much",
        "neutral",
        _("Booster sessions delivered in the period"),
        "",
        "boosters",
    ),
    # How well did we do it?
    Definition(
        "first_contact",
        _("First contact with the referrer in time"),
        "how_well",
        "up",
        _("Referrals with first contact within the team's target (24 h by default)"),
        _("Referrals received"),
        "first_contact_in_time",
    ),
    Definition(
        "assessment_time",
        _("Assessments completed within target"),
        "how_well",
        "up",
        _(
            "Assessments completed within the team's target (72 h by default), on the team's "
            "clock, counted from the start the team chose"
        ),
        _("Assessments completed"),
        "assessment_times",
        description=_(
            "The breakdown shows, in clock hours, the time from receipt of the "
            "referral and the time from allocation: a family who waited on the waiting list "
            "shows its wait in the first."
        ),
    ),
    Definition(
        "accepted_to_phase1",
        _("Assessed families accepted to Phase 1"),
        "how_well",
        "up",
        _("Assessments ending in a decision to proceed"),
        _("Assessments with a decision"),
        "accepted_to_phase1",
    ),
    Definition(
        "phase1_length",
        _("Phase 1 within 4 to 6 weeks"),
        "how_well",
        "up",
        _("Phase 1 episodes lasting 4 to 6 weeks"),
        _("Phase 1 episodes ended"),
        "phase1_lengths",
    ),
    Definition(
        "phase1_hours",
        _("Direct hours per family in Phase 1"),
        "how_well",
        "up",
        _("Direct hours in Phase 1 of families who ended it"),
        _("Families who ended Phase 1"),
        "phase1_hours_per_family",
    ),
    Definition(
        "reviews_on_time",
        _("Reviews held on time"),
        "how_well",
        "up",
        _("Reviews held within two weeks of their due date"),
        _("Reviews due"),
        "reviews_on_time",
    ),
    Definition(
        "feedback_positive",
        _("Positive feedback"),
        "how_well",
        "up",
        _("Feedback that was positive"),
        _("Feedback received"),
        "feedback_positive",
    ),
    Definition(
        "complaints",
        _("Complaints"),
        "how_well",
        "down",
        _("Complaints received in the period"),
        "",
        "complaints",
    ),
    Definition(
        "rereferral_rate",
        _("Re-referrals"),
        "how_well",
        "down",
        _("Referrals of families seen before"),
        _("Referrals received"),
        "rereferral_rate",
    ),
    # Is anyone better off?
    Definition(
        "goals_at_zero",
        _("Goals at or above the expected level"),
        "better_off",
        "up",
        _("Goal scores of 0 or above at reviews"),
        _("Goal scores at reviews"),
        "goals_at_or_above_zero",
    ),
    Definition(
        "gas_change",
        _("Mean GAS change from baseline"),
        "better_off",
        "up",
        _("Mean of (score at review - baseline), per review"),
        _("Goal scores at reviews"),
        "gas_change",
    ),
    Definition(
        "wemwbs_change",
        _("WEMWBS change (paired)"),
        "better_off",
        "up",
        _("Mean change in WEMWBS total, after minus before"),
        _("People with both readings"),
        "reading_change:wemwbs",
    ),
    Definition(
        "sdq_change",
        _("SDQ total difficulties change (paired)"),
        "better_off",
        "down",
        _("Mean change in SDQ total, after minus before"),
        _("Children with both readings"),
        "reading_change:sdq",
    ),
    Definition(
        "services_accessed",
        _("Services accessed before and after"),
        "better_off",
        "up",
        _("People using more types of service after the work than before"),
        _("People with both records (before, and after made in the period)"),
        "services_accessed",
        description=_(
            "Per person, the types of service used in the year before referral "
            "against those used at closure; the breakdown counts, per type, the people who "
            "used it before and after."
        ),
    ),
    Definition(
        "child_outcomes",
        _("Children's outcomes at closure"),
        "better_off",
        "neutral",
        _("Children with each outcome"),
        _("Children with an outcome at closure"),
        "child_outcomes",
        trend=False,
    ),
    Definition(
        "sustained_12m",
        _("Progress sustained at 12 months"),
        "better_off",
        "up",
        _("12-month reviews with every goal at 0 or above"),
        _("12-month reviews held"),
        "sustained_at_12_months",
    ),
    Definition(
        "not_rereferred",
        _("Not re-referred within 12 months"),
        "better_off",
        "up",
        _(
            "Cases closed a year before the period whose family was not referred again "
            "within 12 months"
        ),
        _("Cases closed a year before the period"),
        "not_rereferred_within_12_months",
    ),
]

BY_CODE = {d.code: d for d in CATALOGUE}


def compute(report: Report, definition: Definition) -> Figure:
    method, _, argument = definition.compute.partition(":")
    fn = getattr(report, method)
    return fn(argument) if argument else fn()
