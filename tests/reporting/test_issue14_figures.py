"""Issue 14, findings 5 and 6 and "completed Phase 2": each test states the right answer and
failed before the fix.

- Referral outcomes count each referral once, by its outcome as at the end of the period;
  the per-decision view stays, labelled as such.
- The assessment time is reported from referral and from allocation, each labelled; the
  team's target counts from the start the team chose, on the clock the team chose.
- "Completed Phase 2" counts only Phase 2 closures whose reason is a planned end.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.models import AssessmentTargetFrom
from cases import clock
from reporting import measures
from reporting.periods import quarter
from reporting.queries import Report, team_scope

from .fixture import Q1, REPORT_NOW, adult, at, child, d, fam, make_cast

pytestmark = pytest.mark.django_db

Q2 = quarter(2025, 2)  # 1 July - 30 September 2025


@pytest.fixture
def cast():
    return make_cast(prefix="i14")


def family(cast, name: str):
    return fam(
        cast,
        "A",
        name,
        "cardiff",
        "lone_mother",
        [adult("Ann", "female", substances=("alcohol",)), child("Bo", d(2016, 1, 1))],
    )


def rows(figure) -> list[tuple[str, int]]:
    return [(r["label"], r["n"]) for r in figure.rows]


# --- Finding 5: one referral, one outcome ---------------------------------------------------


def test_a_family_waiting_then_accepted_counts_once_as_accepted(cast, time_machine) -> None:
    f = family(cast, "Waiting")
    f.refer(at(2025, 4, 14)).screen("no-space", at(2025, 4, 14, 12))
    f.screen("accepted", at(2025, 5, 5, 10))
    time_machine.move_to(REPORT_NOW, tick=False)
    report = Report(team_scope(cast.taff), Q1)

    outcomes = report.referral_outcomes()
    assert outcomes.value == 1
    assert rows(outcomes) == [("Accepted for assessment", 1)]
    # The per-decision view is still there, and says so.
    decisions = report.referral_decisions()
    assert decisions.value == 2
    assert rows(decisions) == [("Accepted for assessment", 1), ("No space: waiting list", 1)]
    assert "per decision" in measures.BY_CODE["referral_decisions"].name
    assert "each referral once" in measures.BY_CODE["referral_outcomes"].numerator
    # The cohort counts the referral once too.
    assert Report(team_scope(cast.taff), Q1, "cohort").referral_outcomes().value == 1


def test_the_outcome_is_the_one_at_the_end_of_the_period(cast, time_machine) -> None:
    f = family(cast, "Later")
    f.refer(at(2025, 6, 2)).screen("no-space", at(2025, 6, 2, 12))
    f.screen("accepted", at(2025, 7, 8, 10))  # in the next quarter
    time_machine.move_to(at(2025, 10, 5), tick=False)
    taff = team_scope(cast.taff)

    # Q1: on the waiting list at the end of June; Q2: accepted (decided in Q2).
    assert rows(Report(taff, Q1).referral_outcomes()) == [("No space: waiting list", 1)]
    assert rows(Report(taff, Q2).referral_outcomes()) == [("Accepted for assessment", 1)]
    # A cohort not decided yet says so.
    g = family(cast, "Undecided")
    g.refer(at(2025, 9, 29))
    assert rows(Report(taff, Q2, "cohort").referral_outcomes()) == [("Not decided yet", 1)]


# --- Finding 6: the assessment clock does not hide waiting -----------------------------------


def waited_23_days(cast):
    """Referred 14 April, on the waiting list, allocated 7 May 10:00, assessed by 8 May 10:00:
    24 hours from allocation, 23 days and 1 hour from referral."""
    f = family(cast, "Patient")
    f.refer(at(2025, 4, 14)).screen("no-space", at(2025, 4, 14, 12))
    f.screen("accepted", at(2025, 5, 7, 9)).allocate(at(2025, 5, 7, 10))
    return f.assess(at(2025, 5, 7, 11), at(2025, 5, 8, 10))


def test_a_family_that_waited_23_days_is_not_reported_within_72_hours_of_referral(
    cast,
    time_machine,
) -> None:
    waited_23_days(cast)
    time_machine.move_to(REPORT_NOW, tick=False)

    figure = Report(team_scope(cast.taff), Q1).assessment_times()

    assert rows(figure) == [
        ("From referral: within 72 hours", 0),
        ("From referral: within 1 week", 0),
        ("From referral: within 2 weeks", 0),
        ("From referral: longer than 2 weeks", 1),
        ("From allocation: within 72 hours", 1),
        ("From allocation: within 1 week", 1),
        ("From allocation: within 2 weeks", 1),
        ("From allocation: longer than 2 weeks", 0),
    ]
    # The team's target (by default from allocation for a family off the waiting list).
    assert (figure.numerator, figure.denominator) == (1, 1)


def test_the_target_counts_from_referral_when_the_team_chooses_so(cast, time_machine) -> None:
    cast.taff.assessment_target_from = AssessmentTargetFrom.REFERRAL
    cast.taff.save(update_fields=["assessment_target_from"])
    f = waited_23_days(cast)
    assert f.case.assessment_clock_from == at(2025, 4, 14)  # the case file's clock too
    time_machine.move_to(REPORT_NOW, tick=False)

    figure = Report(team_scope(cast.taff), Q1).assessment_times()

    assert (figure.numerator, figure.denominator) == (0, 1)


def test_the_target_counts_from_allocation_for_every_family_when_chosen(cast, time_machine) -> None:
    cast.taff.assessment_target_from = AssessmentTargetFrom.ALLOCATION
    cast.taff.save(update_fields=["assessment_target_from"])
    f = family(cast, "Slow")
    # Accepted at once but allocated five days later; assessed a day after allocation.
    f.refer(at(2025, 5, 1)).screen("accepted", at(2025, 5, 1, 10)).allocate(at(2025, 5, 6))
    f.assess(at(2025, 5, 6, 10), at(2025, 5, 7))
    time_machine.move_to(REPORT_NOW, tick=False)

    figure = Report(team_scope(cast.taff), Q1).assessment_times()

    assert (figure.numerator, figure.denominator) == (1, 1)
    assert rows(figure)[1] == ("From referral: within 1 week", 1)
    assert rows(figure)[0] == ("From referral: within 72 hours", 0)


def test_an_office_hours_clock_counts_09_to_17_on_working_days(cast, time_machine) -> None:
    """Referred 16:30 on the Friday before the spring bank holiday, assessed by 16:00 on
    the Wednesday: 0.5 + 8 (Tuesday) + 7 = 15.5 office hours, inside a 16-hour target;
    47.5 hours on whole working days, outside it."""
    cast.taff.assessment_clock = clock.OFFICE
    cast.taff.assessment_hours = 16
    cast.taff.save(update_fields=["assessment_clock", "assessment_hours"])
    f = family(cast, "Friday")
    f.refer(at(2025, 5, 23, 16, 30)).screen("accepted", at(2025, 5, 23, 16, 40))
    f.allocate(at(2025, 5, 23, 16, 50)).assess(at(2025, 5, 27, 9), at(2025, 5, 28, 16))
    time_machine.move_to(REPORT_NOW, tick=False)
    taff = team_scope(cast.taff)

    assert Report(taff, Q1).assessment_times().numerator == 1

    cast.taff.assessment_clock = clock.WORKING
    cast.taff.save(update_fields=["assessment_clock"])
    assert Report(taff, Q1).assessment_times().numerator == 0


# --- Completed Phase 2 is a planned end --------------------------------------------------------


def in_phase2(f, received):
    f.refer(received).screen("accepted", received + timedelta(hours=1))
    f.allocate(received + timedelta(hours=2))
    f.assess(received + timedelta(days=1), received + timedelta(days=2))
    f.proceed(received + timedelta(days=2, hours=1))
    f.plan((received + timedelta(days=30)).date())
    return f.end_phase1((received + timedelta(days=31)).date())


def test_only_a_planned_end_counts_as_completed_phase_2(cast, time_machine) -> None:
    done = in_phase2(family(cast, "Done"), at(2025, 1, 6))
    gone = in_phase2(family(cast, "Gone"), at(2025, 1, 7))
    done.close(d(2025, 5, 1))  # completed: a planned end
    gone.close(d(2025, 5, 2), reason_code="disengaged")
    time_machine.move_to(REPORT_NOW, tick=False)
    report = Report(team_scope(cast.taff), Q1)

    phases = report.phases().rows[0]
    assert (phases["completed_phase2"], phases["closed_phase2_other"]) == (1, 1)
    row = report.throughput()[0]
    assert (row["completed_phase2"], row["closed_phase2_other"]) == (1, 1)
