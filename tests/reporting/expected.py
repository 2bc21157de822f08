"""The report card figures of the world in fixture.py for Q1 2025-26, worked out by hand
from the family table in fixture.py's docstring (not by running the code).

EXPECTED[scope][basis][measure code] is the Figure as a dict: value, numerator,
denominator, unit, rows. Scopes: "taff" (team A), "usk" (team B, 48 h first contact and
96 h assessment targets), "cardiff" (the local authority: team A's families except Evans
(A5), Price (A7), Ellis (A13) and Griffiths (H2), who live in the Vale of Glamorgan), and
"all". Bases: "events" in the quarter, and the "cohort" referred in it.
"""

from __future__ import annotations

SCOPES = ("taff", "usk", "cardiff", "all")
BASES = ("events", "cohort")


# --- Shapes (no arithmetic: every number below is written out by hand) ------------------


def count(value: int, rows: list | None = None) -> dict:
    return {
        "value": value,
        "numerator": None,
        "denominator": None,
        "unit": "count",
        "rows": rows or [],
    }


def pct(numerator: int, denominator: int, value: float | None, rows: list | None = None) -> dict:
    return {
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "unit": "percent",
        "rows": rows or [],
    }


def mean(
    value: float | None, numerator: float | None, denominator: int | None, rows: list | None = None
) -> dict:
    return {
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "unit": "mean",
        "rows": rows or [],
    }


def hours(value: float) -> dict:
    return {"value": value, "numerator": None, "denominator": None, "unit": "hours", "rows": []}


def row(label: str, n: int, of: int | None) -> dict:
    return {"label": label, "n": n, "of": of}


ACCEPTED = "Accepted for assessment"
INAPPROPRIATE = "Inappropriate"
NO_SPACE = "No space: waiting list"
REFERRED_ON = "Referred on"
WITHDRAWN = "Withdrawn by the referrer"


def outcomes(total: int, *pairs: tuple[str, int]) -> dict:
    return count(total, [row(label, n, total) for label, n in pairs])


def families(n: int, children: int) -> dict:
    return count(n, [{"children": children}])


def training(n: int, attendees: int) -> dict:
    return count(n, [{"attendees": attendees}])


def phases(
    assessment: int, phase1: int, done1: int, phase2: int, done2: int, other2: int = 0
) -> dict:
    """done2: Phase 2 closures with a planned end; other2: other Phase 2 closures."""
    return count(
        phase1,
        [
            {
                "entered_assessment": assessment,
                "entered_phase1": phase1,
                "completed_phase1": done1,
                "entered_phase2": phase2,
                "completed_phase2": done2,
                "closed_phase2_other": other2,
            }
        ],
    )


def assessment(
    ok: int,
    n: int,
    value: float | None,
    referral: tuple[int, int, int, int],
    allocation: tuple[int, int, int, int],
) -> dict:
    """Time from referral, then time from allocation, each as (within 72 h, within a week,
    within two weeks: cumulative; then longer than two weeks)."""
    rows = []
    for basis, bands in (("referral", referral), ("allocation", allocation)):
        h72, week, fortnight, longer = bands
        rows += [
            row(f"From {basis}: within 72 hours", h72, n),
            row(f"From {basis}: within 1 week", week, n),
            row(f"From {basis}: within 2 weeks", fortnight, n),
            row(f"From {basis}: longer than 2 weeks", longer, n),
        ]
    return pct(ok, n, value, rows)


def lengths(n: int, value: float | None, under4: int, w4to6: int, w6to10: int, over10: int) -> dict:
    return pct(
        w4to6,
        n,
        value,
        [
            row("Under 4 weeks", under4, n),
            row("4 to 6 weeks", w4to6, n),
            row("6 to 10 weeks", w6to10, n),
            row("Over 10 weeks", over10, n),
        ],
    )


def goals(
    ok: int,
    n: int,
    value: float,
    substance: tuple[int, int],
    female: tuple[int, int],
    male: tuple[int, int],
) -> dict:
    return pct(
        ok,
        n,
        value,
        [
            row("Substance goals", *substance),
            row("Goals for female members", *female),
            row("Goals for male members", *male),
        ],
    )


def gas(value: float, *offsets: tuple[int, int, float]) -> dict:
    return mean(
        value,
        None,
        None,
        [{"label": f"{months}-month review", "n": n, "mean": m} for months, n, m in offsets],
    )


def reading(value: float | None, n: int) -> dict:
    return mean(value, None, n)


DRUG, MENTAL, COUNSELLING = "Drug and alcohol service", "Mental health service", "Counselling"
HOUSING, WORK = "Housing support", "Employment or training"
PARENTING, HEALTH = "Parenting support", "Health (GP or dentist)"


def services(more: int, people: int, value: float | None, *types: tuple[str, int, int]) -> dict:
    """People using more types of service after than before, of the people with both
    records; then (type, people using it before, people using it after)."""
    return pct(
        more,
        people,
        value,
        [{"label": label, "before": b, "after": a} for label, b, a in types],
    )


CHILD_OUTCOMES = (
    "De-registered",
    "Returned home",
    "Stayed at home",
    "Accommodated",
    "Placed on the register",
    "Family closed to social services",
    "Child in Need plan ended / stepped down to universal services",
    "Still a Child in Need",
    "Not known",
)


def children(total: int, *ns: int) -> dict:
    # The seven outcomes the figures were worked out for (the last, "Not known"); the
    # Child in Need outcomes, listed before it, are chosen by none of these closures.
    ns = (*ns[:-1], 0, 0, ns[-1])
    return count(total, [row(label, n, total) for label, n in zip(CHILD_OUTCOMES, ns, strict=True)])


# --- The figures ---------------------------------------------------------------------------
# Taff, events in Q1.
#   Referrals A1-A10 (A10 at 30 Jun 23:30 is in, A11 at 31 Mar 23:30 is not).
#   Screening decisions made in Q1: accepted A1 A2 A3 A4 A5 A8 A9 (A9 also "no space"
#   before), inappropriate A6, referred on A7 (A11's was 31 Mar, A10's 1 Jul).
#   Open in Q1: A1-A5, A8 (Thomas), A9, A11-A15 = 12 families; children 2+1+1+1(unborn)+1
#   +1+2+1+2+1+1+1 = 15 (A10 was allocated on 1 July).
#   Stage changes in Q1: into assessment A1 A2 A3 A4 A5 A8 A9 A11 (8); into Phase 1 A1 A2
#   A3 A8 A9 A11 (6); Phase 1 -> 2: A1 A2 A3 A9 A11 A13 (6); Phase 2 -> closed: A12 (1).
#   Direct minutes in Q1: A1 720, A2 360, A3 750, A9 600, A13 360, A11 240, A8 180 = 3210.
#   Boosters: A1, A12 x 2. First contact in 24 h: all but A3 (27 h) and A4 (none): 8/10.
#   Assessments completed in Q1 (hours from the clock): A1 56, A2 126, A3 288, A4 433,
#   A5 54, A8 32, A9 48 (from allocation), A11 34.5: within 72 h 5; week 6; fortnight 7;
#   longer 1. Decided: 7 (A5 undecided), 6 proceeded (A4 did not).
#   Phase 1 ended in Q1 (days): A1 35, A2 18, A3 70, A9 42, A11 89, A13 56; direct Phase 1
#   minutes 720+360+750+600+240+600 = 3270 = 54.5 h over 6 families = 9.08 h.
#   Reviews due in Q1: A1 on time, A2 16 days late, A12 14 days (on time), A13 not held,
#   A14 on time, A15 18 days late: 3/6.
#   Feedback: A1 +, A3 +, A12 -. Complaints 2, consultations 3, training 2 (12+8).
#   Re-referrals: A8: 1/10.
#   Review scores in Q1: A1 (0, +1), A2 (-1), A12 (+1, 0), A14 (0, +1), A15 (-1, 0): 7/9 at
#   0 or above; substance goals A1 G1, A12 G1, A14 G1, A15 G2: 4/4; female members' goals
#   A1 G1, A2, A12 G1, A14 G1, A15 G2: 4/5; male A1 G2, A14 G2: 2/2.
#   GAS change: 1 month (2, 2, 0) = 1.33; 3 months (3, 1) = 2; 12 months (2, 2, 1, 1) = 1.5.
#   WEMWBS: A1 +10, A3 +9, A9 +6, A12 +17 (closure) = 10.5; SDQ: A3 -5, A12 -6 = -5.5.
#   Child outcomes (closed in Q1): A12 stayed at home, de-registered.
#   12-month reviews held: A14 all >= 0, A15 one at -1: 1/2.
#   Closed April-June 2024: H1 (re-referred after 12 months), H2 (within), H3 (never): 2/3.
# Taff, cohort referred in Q1 (A1-A10): decisions accepted A1-A5 A8 A9 A10, inappropriate,
#   no space, referred on = 11; open in Q1: A1-A5, A8, A9 = 7 families, 9 children; stage
#   changes any time: assessment A1-A5 A8 A9 A10 (8), Phase 1 A1 A2 A3 A8 A9 (5), Phase 1
#   ended A1 A2 A3 A9 (4), closed from Phase 2 A2 on 2 Jul (1); direct minutes A1 720, A2
#   360, A3 750, A9 600, A8 240 = 2670; booster A1; assessments A1 A2 A3 A4 A5 A8 A9 A10
#   (64.5 h): 5, 6, 7, 1 of 8; decided 6, proceeded 5; Phase 1 ended A1 35, A2 18, A3 70,
#   A9 42 -> 2430 min = 40.5 h / 4; reviews held or overdue: A1 on time, A2 late (later ones
#   not due yet); feedback A1 +, A3 +; scores A1 (0, +1), A2 (-1); WEMWBS A1 +10, A3 +9,
#   A9 +6 = 8.33; SDQ A3 -5; child outcome A2 placed on the register (closed 2 Jul).
# Cardiff: Taff without A5, A7, A13, H2.
# Usk, events: referrals B1 B2 B3 B4 B7; decisions in Q1 accepted B1 B2 B4, inappropriate
#   B3 (B7 withdrawn 2 Jul); open: B1 B2 B4 B5 B6 = 5 families, 6 children; stage changes:
#   assessment B1 B2 B4, Phase 1 B1 B4, Phase 1 ended B1 B4 B5, closed from Phase 2 B5;
#   direct minutes B1 480, B4 120, B5 180 (April) = 780; booster B5; first contact in 48 h:
#   B1 (36 h), B3 (23 h), B4: 3/5; assessments B1 96 h (in the 96 h target), B2 143 h,
#   B4 51 h: 2/3; Phase 1 ended B1 34 d, B4 36 d, B5 28 d, Phase 1 minutes 480+120+360 =
#   960; reviews B1 B4 B5 on time, B6 15 days late: 3/4; scores B1 (+1, -1), B4 (-1),
#   B5 (0), B6 (+1); WEMWBS B1 Liam +9, B5 Craig +8 (closure; Chloe unpaired); SDQ B5 -3;
#   child outcomes B5 returned home, accommodated; 12-month B6 sustained; H4 re-referred
#   within 12 months: 0/1.

EXPECTED: dict[str, dict[str, dict[str, dict]]] = {
    "taff": {
        "events": {
            "referrals_received": count(10),
            # Per referral: Morgan to Evans (A1-A5), Thomas (A8) and Davies (A9: waiting
            # list, then accepted) accepted; Jenkins (A6) inappropriate; Price (A7) referred on.
            "referral_outcomes": outcomes(9, (ACCEPTED, 7), (INAPPROPRIATE, 1), (REFERRED_ON, 1)),
            "referral_decisions": outcomes(
                10, (ACCEPTED, 7), (INAPPROPRIATE, 1), (NO_SPACE, 1), (REFERRED_ON, 1)
            ),
            "families_worked_with": families(12, 15),
            "consultations": count(3),
            "training": training(2, 20),
            "phases": phases(8, 6, 6, 6, 1),
            "direct_hours": hours(53.5),
            "boosters": count(3),
            "first_contact": pct(8, 10, 80.0),
            # Davies (A9) waited 23 days on the waiting list: within 72 hours of allocation, but
            # longer than 2 weeks from referral.
            "assessment_time": assessment(5, 8, 62.5, (4, 5, 6, 2), (5, 6, 7, 1)),
            "accepted_to_phase1": pct(6, 7, 85.7),
            "phase1_length": lengths(6, 33.3, 1, 2, 2, 1),
            "phase1_hours": mean(9.1, 54.5, 6),
            "reviews_on_time": pct(3, 6, 50.0),
            "feedback_positive": pct(2, 3, 66.7),
            "complaints": count(2),
            "rereferral_rate": pct(1, 10, 10.0),
            "goals_at_zero": goals(7, 9, 77.8, (4, 4), (4, 5), (2, 2)),
            "gas_change": gas(1.33, (1, 3, 1.33), (3, 2, 2.0), (12, 4, 1.5)),
            "wemwbs_change": reading(10.5, 4),
            "sdq_change": reading(-5.5, 2),
            "services_accessed": services(
                2,
                3,
                66.7,
                (DRUG, 1, 1),
                (MENTAL, 1, 1),
                (COUNSELLING, 0, 1),
                (WORK, 0, 1),
                (PARENTING, 0, 1),
                (HEALTH, 1, 1),
            ),
            "child_outcomes": children(2, 1, 0, 1, 0, 0, 0, 0),
            "sustained_12m": pct(1, 2, 50.0),
            "not_rereferred": pct(2, 3, 66.7),
        },
        "cohort": {
            "referrals_received": count(10),
            # per referral, to date: as in the quarter, and Roberts (A10) accepted on 1 July
            "referral_outcomes": outcomes(10, (ACCEPTED, 8), (INAPPROPRIATE, 1), (REFERRED_ON, 1)),
            "referral_decisions": outcomes(
                11, (ACCEPTED, 8), (INAPPROPRIATE, 1), (NO_SPACE, 1), (REFERRED_ON, 1)
            ),
            "families_worked_with": families(7, 9),
            "consultations": count(3),
            "training": training(2, 20),
            "phases": phases(8, 5, 4, 4, 1),
            "direct_hours": hours(44.5),
            "boosters": count(1),
            "first_contact": pct(8, 10, 80.0),
            # Davies (A9) waited 23 days on the waiting list: within 72 hours of allocation, but
            # longer than 2 weeks from referral.
            "assessment_time": assessment(5, 8, 62.5, (4, 5, 6, 2), (5, 6, 7, 1)),
            "accepted_to_phase1": pct(5, 6, 83.3),
            "phase1_length": lengths(4, 50.0, 1, 2, 1, 0),
            "phase1_hours": mean(10.1, 40.5, 4),
            "reviews_on_time": pct(1, 2, 50.0),
            "feedback_positive": pct(2, 2, 100.0),
            "complaints": count(2),
            "rereferral_rate": pct(1, 10, 10.0),
            "goals_at_zero": goals(2, 3, 66.7, (1, 1), (1, 2), (1, 1)),
            "gas_change": gas(1.33, (1, 3, 1.33)),
            "wemwbs_change": reading(8.3, 3),
            "sdq_change": reading(-5.0, 1),
            "services_accessed": services(
                3,
                3,
                100.0,
                (DRUG, 2, 2),
                (COUNSELLING, 0, 1),
                (WORK, 0, 1),
                (PARENTING, 0, 2),
                (HEALTH, 1, 1),
            ),
            "child_outcomes": children(1, 0, 0, 0, 0, 1, 0, 0),
            "sustained_12m": pct(0, 0, None),
            "not_rereferred": pct(2, 3, 66.7),
        },
    },
    "cardiff": {
        "events": {
            "referrals_received": count(8),
            # per referral: A1-A4, A8, A9 accepted; A6 inappropriate (A5 and A7 live in the Vale)
            "referral_outcomes": outcomes(7, (ACCEPTED, 6), (INAPPROPRIATE, 1)),
            "referral_decisions": outcomes(8, (ACCEPTED, 6), (INAPPROPRIATE, 1), (NO_SPACE, 1)),
            "families_worked_with": families(10, 13),
            "consultations": count(3),
            "training": training(2, 20),
            "phases": phases(7, 6, 5, 5, 1),
            "direct_hours": hours(47.5),
            "boosters": count(3),
            "first_contact": pct(6, 8, 75.0),
            # Davies (A9): within 72 hours from allocation, longer than 2 weeks from referral.
            "assessment_time": assessment(4, 7, 57.1, (3, 4, 5, 2), (4, 5, 6, 1)),
            "accepted_to_phase1": pct(6, 7, 85.7),
            "phase1_length": lengths(5, 40.0, 1, 2, 1, 1),
            "phase1_hours": mean(8.9, 44.5, 5),
            "reviews_on_time": pct(3, 5, 60.0),
            "feedback_positive": pct(2, 3, 66.7),
            "complaints": count(2),
            "rereferral_rate": pct(1, 8, 12.5),
            "goals_at_zero": goals(7, 9, 77.8, (4, 4), (4, 5), (2, 2)),
            "gas_change": gas(1.33, (1, 3, 1.33), (3, 2, 2.0), (12, 4, 1.5)),
            "wemwbs_change": reading(10.5, 4),
            "sdq_change": reading(-5.5, 2),
            "services_accessed": services(
                2,
                3,
                66.7,
                (DRUG, 1, 1),
                (MENTAL, 1, 1),
                (COUNSELLING, 0, 1),
                (WORK, 0, 1),
                (PARENTING, 0, 1),
                (HEALTH, 1, 1),
            ),
            "child_outcomes": children(2, 1, 0, 1, 0, 0, 0, 0),
            "sustained_12m": pct(1, 2, 50.0),
            "not_rereferred": pct(2, 2, 100.0),
        },
        "cohort": {
            "referrals_received": count(8),
            # per referral, to date: and A10 accepted
            "referral_outcomes": outcomes(8, (ACCEPTED, 7), (INAPPROPRIATE, 1)),
            "referral_decisions": outcomes(9, (ACCEPTED, 7), (INAPPROPRIATE, 1), (NO_SPACE, 1)),
            "families_worked_with": families(6, 8),
            "consultations": count(3),
            "training": training(2, 20),
            "phases": phases(7, 5, 4, 4, 1),
            "direct_hours": hours(44.5),
            "boosters": count(1),
            "first_contact": pct(6, 8, 75.0),
            # Davies (A9): within 72 hours from allocation, longer than 2 weeks from referral.
            "assessment_time": assessment(4, 7, 57.1, (3, 4, 5, 2), (4, 5, 6, 1)),
            "accepted_to_phase1": pct(5, 6, 83.3),
            "phase1_length": lengths(4, 50.0, 1, 2, 1, 0),
            "phase1_hours": mean(10.1, 40.5, 4),
            "reviews_on_time": pct(1, 2, 50.0),
            "feedback_positive": pct(2, 2, 100.0),
            "complaints": count(2),
            "rereferral_rate": pct(1, 8, 12.5),
            "goals_at_zero": goals(2, 3, 66.7, (1, 1), (1, 2), (1, 1)),
            "gas_change": gas(1.33, (1, 3, 1.33)),
            "wemwbs_change": reading(8.3, 3),
            "sdq_change": reading(-5.0, 1),
            "services_accessed": services(
                3,
                3,
                100.0,
                (DRUG, 2, 2),
                (COUNSELLING, 0, 1),
                (WORK, 0, 1),
                (PARENTING, 0, 2),
                (HEALTH, 1, 1),
            ),
            "child_outcomes": children(1, 0, 0, 0, 0, 1, 0, 0),
            "sustained_12m": pct(0, 0, None),
            "not_rereferred": pct(2, 2, 100.0),
        },
    },
    "usk": {
        "events": {
            "referrals_received": count(5),
            # per referral: B1, B2, B4 accepted; B3 inappropriate (each decided once)
            "referral_outcomes": outcomes(4, (ACCEPTED, 3), (INAPPROPRIATE, 1)),
            "referral_decisions": outcomes(4, (ACCEPTED, 3), (INAPPROPRIATE, 1)),
            "families_worked_with": families(5, 6),
            "consultations": count(2),
            "training": training(1, 15),
            "phases": phases(3, 2, 3, 3, 1),
            "direct_hours": hours(13.0),
            "boosters": count(1),
            "first_contact": pct(3, 5, 60.0),
            # Walsh (B1): 96 h from referral, 94 h from allocation: within a week either way.
            "assessment_time": assessment(2, 3, 66.7, (1, 3, 3, 0), (1, 3, 3, 0)),
            "accepted_to_phase1": pct(2, 3, 66.7),
            "phase1_length": lengths(3, 100.0, 0, 3, 0, 0),
            "phase1_hours": mean(5.3, 16.0, 3),
            "reviews_on_time": pct(3, 4, 75.0),
            "feedback_positive": pct(1, 1, 100.0),
            "complaints": count(1),
            "rereferral_rate": pct(1, 5, 20.0),
            "goals_at_zero": goals(3, 5, 60.0, (3, 4), (1, 3), (2, 2)),
            "gas_change": gas(1.25, (1, 4, 1.25), (12, 1, 3.0)),
            "wemwbs_change": reading(8.5, 2),
            "sdq_change": reading(-3.0, 1),
            "services_accessed": services(0, 1, 0.0, (DRUG, 1, 1), (HOUSING, 1, 0), (HEALTH, 1, 0)),
            "child_outcomes": children(2, 0, 1, 0, 1, 0, 0, 0),
            "sustained_12m": pct(1, 1, 100.0),
            "not_rereferred": pct(0, 1, 0.0),
        },
        "cohort": {
            "referrals_received": count(5),
            # per referral, to date: and Lloyd (B7) withdrawn on 2 July
            "referral_outcomes": outcomes(5, (ACCEPTED, 3), (INAPPROPRIATE, 1), (WITHDRAWN, 1)),
            "referral_decisions": outcomes(5, (ACCEPTED, 3), (INAPPROPRIATE, 1), (WITHDRAWN, 1)),
            "families_worked_with": families(3, 3),
            "consultations": count(2),
            "training": training(1, 15),
            "phases": phases(3, 2, 2, 2, 0),
            "direct_hours": hours(10.0),
            "boosters": count(0),
            "first_contact": pct(3, 5, 60.0),
            # Walsh (B1): 96 h from referral, 94 h from allocation: within a week either way.
            "assessment_time": assessment(2, 3, 66.7, (1, 3, 3, 0), (1, 3, 3, 0)),
            "accepted_to_phase1": pct(2, 3, 66.7),
            "phase1_length": lengths(2, 100.0, 0, 2, 0, 0),
            "phase1_hours": mean(5.0, 10.0, 2),
            "reviews_on_time": pct(2, 2, 100.0),
            "feedback_positive": pct(0, 1, 0.0),
            "complaints": count(1),
            "rereferral_rate": pct(1, 5, 20.0),
            "goals_at_zero": goals(1, 3, 33.3, (1, 2), (0, 2), (1, 1)),
            "gas_change": gas(1.33, (1, 3, 1.33)),
            "wemwbs_change": reading(9.0, 1),
            "sdq_change": reading(None, 0),
            "services_accessed": services(0, 0, None),
            "child_outcomes": children(0, 0, 0, 0, 0, 0, 0, 0),
            "sustained_12m": pct(0, 0, None),
            "not_rereferred": pct(0, 1, 0.0),
        },
    },
    "all": {
        "events": {
            "referrals_received": count(15),
            # per referral: Taff 9 and Usk 4
            "referral_outcomes": outcomes(13, (ACCEPTED, 10), (INAPPROPRIATE, 2), (REFERRED_ON, 1)),
            "referral_decisions": outcomes(
                14, (ACCEPTED, 10), (INAPPROPRIATE, 2), (NO_SPACE, 1), (REFERRED_ON, 1)
            ),
            "families_worked_with": families(17, 21),
            "consultations": count(5),
            "training": training(3, 35),
            "phases": phases(11, 8, 9, 9, 2),
            "direct_hours": hours(66.5),
            "boosters": count(4),
            "first_contact": pct(11, 15, 73.3),
            # Davies (A9) again: the only family whose two clocks fall in different bands.
            "assessment_time": assessment(7, 11, 63.6, (5, 8, 9, 2), (6, 9, 10, 1)),
            "accepted_to_phase1": pct(8, 10, 80.0),
            "phase1_length": lengths(9, 55.6, 1, 5, 2, 1),
            "phase1_hours": mean(7.8, 70.5, 9),
            "reviews_on_time": pct(6, 10, 60.0),
            "feedback_positive": pct(3, 4, 75.0),
            "complaints": count(3),
            "rereferral_rate": pct(2, 15, 13.3),
            "goals_at_zero": goals(10, 14, 71.4, (7, 8), (5, 8), (4, 4)),
            "gas_change": gas(1.29, (1, 7, 1.29), (3, 2, 2.0), (12, 5, 1.8)),
            "wemwbs_change": reading(9.8, 6),
            "sdq_change": reading(-4.7, 3),
            "services_accessed": services(
                2,
                4,
                50.0,
                (DRUG, 2, 2),
                (MENTAL, 1, 1),
                (COUNSELLING, 0, 1),
                (HOUSING, 1, 0),
                (WORK, 0, 1),
                (PARENTING, 0, 1),
                (HEALTH, 2, 1),
            ),
            "child_outcomes": children(4, 1, 1, 1, 1, 0, 0, 0),
            "sustained_12m": pct(2, 3, 66.7),
            "not_rereferred": pct(2, 4, 50.0),
        },
        "cohort": {
            "referrals_received": count(15),
            # per referral, to date: Taff 10 and Usk 5
            "referral_outcomes": outcomes(
                15, (ACCEPTED, 11), (INAPPROPRIATE, 2), (REFERRED_ON, 1), (WITHDRAWN, 1)
            ),
            "referral_decisions": outcomes(
                16,
                (ACCEPTED, 11),
                (INAPPROPRIATE, 2),
                (NO_SPACE, 1),
                (REFERRED_ON, 1),
                (WITHDRAWN, 1),
            ),
            "families_worked_with": families(10, 12),
            "consultations": count(5),
            "training": training(3, 35),
            "phases": phases(11, 7, 6, 6, 1),
            "direct_hours": hours(54.5),
            "boosters": count(1),
            "first_contact": pct(11, 15, 73.3),
            # Davies (A9) again: the only family whose two clocks fall in different bands.
            "assessment_time": assessment(7, 11, 63.6, (5, 8, 9, 2), (6, 9, 10, 1)),
            "accepted_to_phase1": pct(7, 9, 77.8),
            "phase1_length": lengths(6, 66.7, 1, 4, 1, 0),
            "phase1_hours": mean(8.4, 50.5, 6),
            "reviews_on_time": pct(3, 4, 75.0),
            "feedback_positive": pct(2, 3, 66.7),
            "complaints": count(3),
            "rereferral_rate": pct(2, 15, 13.3),
            "goals_at_zero": goals(3, 6, 50.0, (2, 3), (1, 4), (2, 2)),
            "gas_change": gas(1.33, (1, 6, 1.33)),
            "wemwbs_change": reading(8.5, 4),
            "sdq_change": reading(-5.0, 1),
            "services_accessed": services(
                3,
                3,
                100.0,
                (DRUG, 2, 2),
                (COUNSELLING, 0, 1),
                (WORK, 0, 1),
                (PARENTING, 0, 2),
                (HEALTH, 1, 1),
            ),
            "child_outcomes": children(1, 0, 0, 0, 0, 1, 0, 0),
            "sustained_12m": pct(0, 0, None),
            "not_rereferred": pct(2, 4, 50.0),
        },
    },
}


# --- Context: the families referred in the quarter (the same on both bases) ---------------
# Each table is a list of (label, n); ethnicity and substances are ordered by count, with
# ties in no particular order, so the tests compare those two as sorted lists.

WELSH, BRITISH = "White Welsh", "White British"
KINSHIP = "Kinship carer (grandparent or relative)"


def context(ethnicity, users, substances, household, ages, male, of) -> dict:
    return {
        "Ethnicity": ethnicity,
        "Sex of substance users": users,
        "Substances": substances,
        "Household type": household,
        "Children by age band": list(
            zip(("Pre-birth", "0-2", "3-6", "7-10", "11-14", "15-17"), ages, strict=True)
        ),
        "Male presence": [("Families with an adult male", male, of)],
    }


CONTEXT = {
    # A1-A10: adults Sian Rhys Cerys Owen Megan Glenys Bethan Aisha Gareth Lisa Kelly Mark
    # Emma Lowri; children Cai 10, Nia 2, Dylan 12, Ffion 8, Lewis unborn, Osian 5 (his
    # birthday is 30 June), Zara 16, Tom 7, Alfie 5 (6 on 1 July), Ruby 3, Jack 14, Mabli 0.
    "taff": context(
        [
            (WELSH, 6),
            (BRITISH, 4),
            ("Black British", 1),
            ("Mixed", 1),
            ("Asian British", 1),
            ("White Gypsy or Irish Traveller", 1),
        ],
        [("Female", 6), ("Male", 4)],
        [("Alcohol", 6), ("Cannabis", 2), ("Heroin", 1), ("Cocaine", 1), ("Methadone", 1)],
        [
            (KINSHIP, 1),
            ("Lone father", 1),
            ("Lone mother", 4),
            ("Other", 1),
            ("Two parents or carers", 3),
        ],
        (1, 2, 3, 3, 2, 1),
        4,
        10,
    ),
    # Taff without Evans (Glenys, Bethan, Osian) and Price (Gareth, Lisa, Tom).
    "cardiff": context(
        [
            (WELSH, 3),
            (BRITISH, 3),
            ("Black British", 1),
            ("Mixed", 1),
            ("Asian British", 1),
            ("White Gypsy or Irish Traveller", 1),
        ],
        [("Female", 5), ("Male", 3)],
        [("Alcohol", 5), ("Cannabis", 2), ("Heroin", 1), ("Cocaine", 1)],
        [("Lone father", 1), ("Lone mother", 4), ("Other", 1), ("Two parents or carers", 2)],
        (1, 2, 2, 2, 2, 1),
        3,
        8,
    ),
    # B1 B2 B3 B4 B7: Liam Chloe Samina Piotr Anna Jade Donna (no ethnicity recorded);
    # Mia 3, Adam 14, Nowak unborn, Leo 6, Kai 16.
    "usk": context(
        [(BRITISH, 2), ("White Other", 2), ("Asian British", 1), ("Black British", 1)],
        [("Female", 3), ("Male", 2)],
        [("Heroin", 2), ("Alcohol", 2), ("Crack cocaine", 1)],
        [("Not recorded", 1), ("Lone mother", 2), ("Two parents or carers", 2)],
        (1, 0, 2, 0, 1, 1),
        2,
        5,
    ),
    "all": context(
        [
            (WELSH, 6),
            (BRITISH, 6),
            ("White Other", 2),
            ("Asian British", 2),
            ("Black British", 2),
            ("Mixed", 1),
            ("White Gypsy or Irish Traveller", 1),
        ],
        [("Female", 9), ("Male", 6)],
        [
            ("Alcohol", 8),
            ("Heroin", 3),
            ("Cannabis", 2),
            ("Cocaine", 1),
            ("Methadone", 1),
            ("Crack cocaine", 1),
        ],
        [
            ("Not recorded", 1),
            (KINSHIP, 1),
            ("Lone father", 1),
            ("Lone mother", 6),
            ("Other", 1),
            ("Two parents or carers", 5),
        ],
        (2, 2, 5, 3, 3, 2),
        6,
        15,
    ),
}


# --- The throughput table (the same on both bases) -----------------------------------------


def throughput(
    team: str,
    referrals: int,
    inappropriate: int,
    assessed: int,
    assessed_re: int,
    accepted: int,
    done1: int,
    done2: int,
    pcts: tuple[float, ...],
    other2: int = 0,
) -> dict:
    cells = {
        "inappropriate": inappropriate,
        "assessed": assessed,
        "assessed_re": assessed_re,
        "accepted": accepted,
        "completed_phase1": done1,
        "completed_phase2": done2,
        "closed_phase2_other": other2,
    }
    return {
        "team": team,
        "referrals": referrals,
        **cells,
        "pct": dict(zip(cells, pcts, strict=True)),
    }


# Taff: 10 referrals; A6 inappropriate; assessed A1-A5 A8 A9 A10 (A8 a re-referral);
# proceeded A1 A2 A3 A8 A9; Phase 1 completed in Q1 A1 A2 A3 A9 A11 A13; Phase 2 A12.
TAFF_ROW = throughput("Taff IFST", 10, 1, 8, 1, 5, 6, 1, (10.0, 80.0, 10.0, 50.0, 60.0, 10.0, 0.0))
# Cardiff: without A5 and A7 (referrals, A5's assessment) and A13 (Phase 1 completion).
CARDIFF_ROW = throughput(
    "Taff IFST", 8, 1, 7, 1, 5, 5, 1, (12.5, 87.5, 12.5, 62.5, 62.5, 12.5, 0.0)
)
# Usk: 5 referrals; B3 inappropriate; assessed B1 B2 B4 (B4 a re-referral); proceeded B1
# B4; Phase 1 completed B1 B4 B5; Phase 2 B5.
USK_ROW = throughput("Usk IFST", 5, 1, 3, 1, 2, 3, 1, (20.0, 60.0, 20.0, 40.0, 60.0, 20.0, 0.0))

THROUGHPUT = {
    "taff": [TAFF_ROW],
    "cardiff": [CARDIFF_ROW],
    "usk": [USK_ROW],
    "all": [TAFF_ROW, USK_ROW],
}
