"""A year of one team's cases, and every board figure of its card checked against counts
worked out by hand (not by running the code). Issue 14, "Done when".

The year is the financial year 2025-26 (1 April 2025 - 31 March 2026), reported for Taff
IFST on its events in the year, with the clock at 10 April 2026 12:00. Taff keeps the
default settings: first contact within 24 h; assessment within 72 clock hours, counted
from the referral (from allocation for a family who waited on the waiting list).

The records (times are London time):

  Before the year
  H1 Prior   referred 1 Mar 2024, allocated, closed 10 May 2024 (disengaged).
  H2 Back    referred 1 Mar 2024, closed 1 Aug 2024 (disengaged); re-referred 3 Mar 2025
             (within 12 months of closing; in the year before, never decided).
  F6 Twelve  referred 1 Mar 2024; Phase 1 5 Mar - 10 Apr 2024 (2 x 120 min in March
             2024); goal G1 substance (Hal, male) baseline -1; reviews 1, 3, 6 months held
             on their due dates in 2024 (0, 0, +1); 12-month review due 10 Apr 2025, held
             15 Apr 2025 (+1), then closed that day "completed": Ivy returned home.
  F5 Steady  referred 3 Feb 2025; Phase 1 from 5 Feb 2025 (2 x 120 min in February, 1 x
             120 on 14 Apr 2025); goal G1 substance (Gina, female) baseline -2; SDQ Eve 20
             at the start; services before: Gina drug and alcohol, mental health. Phase 1
             ended 20 Apr 2025 (74 days); reviews 1 month (20 May, held then: -1), 3 months
             (20 Jul, held then: 0), 6 months (due 20 Oct, held 1 Nov: 12 days, on time: +1);
             booster 5 Dec 2025; closed 20 Mar 2026 "completed": Eve de-registered, Fay
             stayed at home; SDQ Eve 14 at closure; services after: Gina drug and alcohol,
             mental health, housing; negative social worker feedback 20 Mar 2026.

  Referred in the year
  F1 Able    7 Apr 2025 09:00; first contact 15:00 (6 h); accepted 11:00; allocated 12:00;
             assessment 8 Apr 09:00 - 9 Apr 15:00 (54 h from referral, 51 h from
             allocation); proceeds: Phase 1 from 9 Apr. Goals G1 substance (Ann, female)
             baseline -2 and G2 (Bob, male) baseline -1. WEMWBS Ann 40 (10 Apr) -> 48 (end
             of Phase 1, 20 May). Direct contacts 3 x 180 min in April (one keyed as
             600 and corrected, and one keyed twice with the copy withdrawn), one
             indirect 60 min.
             Phase 1 ended 20 May 2025 (41 days). Reviews: 1 month due 20 Jun held then
             (0, +1); 3 months due 20 Aug held 10 Sep, 21 days: late (+1, +1); 6 months due
             20 Nov held then (0, -1). Booster 1 Oct 2025. Positive family feedback 20 May.
             Still in Phase 2 at the year's end.
  F4 Again   re-referral of the Prior family (H1), 1 Jun 2025 09:00 (more than 12 months
             after H1 closed); first contact 2 Jun 10:00 (25 h: late); inappropriate
             2 Jun 11:00.
  F2 Wait    2 Jun 2025 09:00; first contact 10:00 (1 h); no space (waiting list) 12:00;
             accepted 25 Jun 09:00, allocated 10:00; assessment 25 Jun 11:00 - 26 Jun
             10:00 (24 h from allocation, 24 days 1 h from referral); not proceeding 27 Jun.
  F3 Late    every step entered days after the date typed (backdated):
             received 1 Sep 2025 09:00 (entered 3 Sep); first contact 1 Sep 13:00 (4 h);
             accepted 2 Sep 10:00; allocated 2 Sep 11:00; assessment 3 Sep 09:00 - 5 Sep
             09:00 (96 h from referral: over the 72 h target; 70 h from allocation;
             entered 8 Sep); proceeds: Phase 1 from 5 Sep. Goal G1 substance (Cara, female)
             baseline -1. WEMWBS Cara 30 (taken 4 Sep) -> 36 (taken 15 Jan 2026, at
             closure). Direct contacts 2 x 120 min (10 and 17 Sep, entered 19 Sep). Phase 1
             ended 10 Oct 2025 (35 days; entered 14 Oct). Reviews 1 month due 10 Nov held
             12 Nov (entered 20 Nov): 0; 3 months due 10 Jan 2026 held then: +1. Closed
             15 Jan 2026 (entered 20 Jan) "moved away": Dan stayed at home.
  F7 Undecided  30 Mar 2026 09:00: no first contact, no decision.

  Outside the year or the team (none of these count)
  F8 Next    referred 2 Apr 2026.
  U1 Usk     a Usk IFST referral on 5 May 2025, inappropriate.

  Team activity: consultations 10 Jun 2025 and 15 Jan 2026 (and 31 Mar 2025, 1 Apr 2026
  outside); training 12 Nov 2025 (10 attendees) (and 20 Mar 2025 outside); complaints
  3 Feb 2026 (and 1 Apr 2026 outside; Usk's 1 Jun 2025 is another team's).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal

import pytest

from cases.models import Contact, ContactMode, SubstanceChange, WorkType
from cases.services import (
    ContactData,
    close_case,
    correct_contact,
    record_contact,
    start_assessment,
    update_assessment,
    withdraw_contact,
)
from outcomes.models import Instrument, Occasion, ServiceOccasion
from outcomes.services import ReadingData, record_reading
from reference.models import ClosureReason
from referrals.services import (
    allocate_referral,
    decide_referral,
    record_first_contact,
)
from reporting import measures
from reporting.periods import financial_year
from reporting.queries import Report, team_scope
from reviews.models import Review
from reviews.services import ReviewData, record_review
from teamwork.models import Complaint, Consultation, TrainingSession
from tests.cases.phase1_support import end_phase1 as end_phase1_signed_off
from tests.factories import outcome, reason

from . import expected as x
from . import fixture
from .fixture import Fam, adult, at, child, fam, make_cast, short_journey, travel

pytestmark = pytest.mark.django_db

FY = financial_year(2025)  # 1 April 2025 - 31 March 2026
NOW = at(2026, 4, 10, 12)
F, M = "female", "male"
BEFORE, AFTER = ServiceOccasion.BEFORE, ServiceOccasion.AFTER


def d(y: int, m: int, day: int) -> date:
    return date(y, m, day)


# --- Entering a step days after the date typed ------------------------------------------


class Late(Fam):
    """A family whose steps are entered later than the dates typed into them."""

    def refer_late(self, when: datetime, entered: datetime, *, again: bool = False) -> Late:
        """Submit the referral on `entered`, received (as typed) at `when`."""
        original = fixture.travel
        fixture.travel = lambda moment: original(entered)  # Fam.refer travels to the entry
        try:
            self.refer(when, again=again)
        finally:
            fixture.travel = original
        assert self.referral.received_at == when
        return self

    def first_contact_late(self, when: datetime, entered: datetime) -> Late:
        with travel(entered):
            record_first_contact(
                referral_id=self.referral.pk,
                user=self.manager,
                contacted_at=when,
                spoken_to="The referrer",
                method="phone",
            )
        return self

    def screen_late(self, code: str, when: datetime, entered: datetime) -> Late:
        with travel(entered):
            decide_referral(
                referral_id=self.referral.pk,
                user=self.manager,
                outcome=outcome(code),
                reason=reason(code),
                detail="",
                onward_service=None,
                decided_at=when,
            )
        return self

    def allocate_late(self, when: datetime, entered: datetime) -> Late:
        with travel(entered):
            self.case = allocate_referral(
                referral_id=self.referral.pk,
                user=self.manager,
                worker=self.worker,
                allocated_at=when,
            )
        return self

    def assess_late(self, start: datetime, done: datetime, entered: datetime) -> Late:
        with travel(entered):
            assessment = start_assessment(case_id=self.case.pk, user=self.worker, started_at=start)
            update_assessment(
                assessment_id=assessment.pk,
                user=self.worker,
                version=assessment.version,
                completed_at=done,
                hours_spent=Decimal("6.00"),
                safety_plan="Grandmother collects the children if needed.",
                safety_plan_agreed_on=done.date(),
            )
        return self

    def contact_late(self, when: datetime, minutes: int, entered: datetime) -> Late:
        with travel(entered):
            record_contact(
                case_id=self.case.pk,
                user=self.worker,
                data=ContactData(
                    started_at=when,
                    duration_minutes=minutes,
                    mode=ContactMode.HOME_VISIT,
                    work_type=WorkType.DIRECT,
                    out_of_hours=False,
                    people_seen=[],
                    methods=[],
                    notes="Visit.",
                ),
            )
        return self

    def wemwbs_late(self, person: str, occasion: str, day: date, total: int, entered) -> Late:
        with travel(entered):
            record_reading(
                case_id=self.case.pk,
                user=self.worker,
                data=ReadingData(
                    person=self.people[person],
                    instrument=Instrument.WEMWBS,
                    occasion=occasion,
                    taken_on=day,
                    total=total,
                ),
            )
        return self

    def end_phase1_late(self, day: date, entered: datetime) -> Late:
        with travel(entered):
            # Short of the model (35 days, 4 hours): the worker asks and a manager signs off.
            end_phase1_signed_off(case_id=self.case.pk, user=self.worker, ended_on=day)
        return self

    def review_late(self, offset: int, held_on: date, scores: tuple[int, ...], entered) -> Late:
        review = Review.objects.get(case=self.case, offset_months=offset)
        with travel(entered):
            record_review(
                review_id=review.pk,
                user=self.worker,
                version=review.version,
                data=ReviewData(
                    held_on=held_on,
                    attendees="The family",
                    progress="Progress noted.",
                    plan_still_fit=True,
                    services_signposted=[],
                    scores={g.pk: s for g, s in zip(self.goals, scores, strict=True)},
                ),
            )
        return self

    def close_late(self, day: date, reason_code: str, outcomes: dict, entered) -> Late:
        with travel(entered):
            close_case(
                case_id=self.case.pk,
                user=self.worker,
                reason=ClosureReason.objects.get(code=reason_code),
                closed_on=day,
                substance_change=SubstanceChange.REDUCED,
                child_outcomes={self.people[k].pk: v for k, v in outcomes.items()},
                destination_services=[],
                notes="Closed.",
            )
        return self


def late(cast, name: str, members: list[dict]) -> Late:
    return Late(cast, "A", name, cast.cardiff, "lone_mother", members)


def _last_contact(fam: Fam) -> Contact:
    return Contact.objects.filter(case=fam.case).order_by("-pk").first()


def corrected(fam: Fam, minutes: int, *, entered: datetime) -> None:
    """Correct the family's last contact to `minutes`, as its author, with a reason."""
    contact = _last_contact(fam)
    with travel(entered):
        correct_contact(
            contact_id=contact.pk,
            user=fam.worker,
            data=ContactData(
                started_at=contact.started_at,
                duration_minutes=minutes,
                mode=contact.mode,
                work_type=contact.work_type,
                out_of_hours=contact.out_of_hours,
                people_seen=[],
                methods=[],
                notes=contact.notes,
            ),
            reason="Keyed 600 for 180 minutes.",
            version=contact.version,
        )


def withdrawn(fam: Fam, *, entered: datetime) -> None:
    """Withdraw the family's last contact (a visit keyed twice), as its author."""
    contact = _last_contact(fam)
    with travel(entered):
        withdraw_contact(
            contact_id=contact.pk,
            user=fam.worker,
            reason="The same visit keyed twice.",
            version=contact.version,
        )


def build_year():
    cast = make_cast(prefix="yr")
    taff = cast.taff

    # --- Before the year -----------------------------------------------------------------
    h1 = fam(
        cast, "A", "Prior", "cardiff", "lone_mother", [adult("Pam", F), child("Pip", d(2015, 1, 1))]
    )
    short_journey(h1, at(2024, 3, 1), at(2024, 5, 10, 15))
    h2 = fam(
        cast, "A", "Back", "cardiff", "lone_mother", [adult("Bea", F), child("Bud", d(2015, 1, 1))]
    )
    short_journey(h2, at(2024, 3, 1), at(2024, 8, 1, 15))
    h2.refer(at(2025, 3, 3), again=True)

    f6 = fam(
        cast,
        "A",
        "Twelve",
        "cardiff",
        "lone_father",
        [adult("Hal", M, substances=("cannabis",)), child("Ivy", d(2014, 1, 1))],
    )
    f6.refer(at(2024, 3, 1)).first_contact(at(2024, 3, 1, 10)).screen(
        "accepted", at(2024, 3, 1, 10)
    )
    f6.allocate(at(2024, 3, 1, 11)).assess(at(2024, 3, 4), at(2024, 3, 5, 16))
    f6.proceed(at(2024, 3, 5, 17)).goal(
        at(2024, 3, 6), substance=True, baseline=-1, members=("Hal",)
    )
    f6.contact(at(2024, 3, 11, 10), 120).contact(at(2024, 3, 18, 10), 120)
    f6.plan(d(2024, 4, 9)).end_phase1(d(2024, 4, 10))
    f6.review(1, d(2024, 5, 10), (0,)).review(3, d(2024, 7, 10), (0,))
    f6.review(6, d(2024, 10, 10), (1,))
    f6.review(12, d(2025, 4, 15), (1,))
    f6.close(d(2025, 4, 15), "completed", {"Ivy": "returned_home"})

    f5 = fam(
        cast,
        "A",
        "Steady",
        "cardiff",
        "lone_mother",
        [
            adult("Gina", F, substances=("heroin",)),
            child("Eve", d(2013, 1, 1)),
            child("Fay", d(2016, 1, 1)),
        ],
    )
    f5.refer(at(2025, 2, 3)).first_contact(at(2025, 2, 3, 11)).screen(
        "accepted", at(2025, 2, 3, 10)
    )
    f5.allocate(at(2025, 2, 3, 12)).assess(at(2025, 2, 4), at(2025, 2, 5, 16))
    f5.proceed(at(2025, 2, 5, 17)).goal(
        at(2025, 2, 6), substance=True, baseline=-2, members=("Gina",)
    )
    f5.sdq("Eve", Occasion.START, d(2025, 2, 6), (6, 5, 6, 3))
    f5.services("Gina", BEFORE, d(2025, 2, 6), ("drug-alcohol", "mental-health"))
    f5.contact(at(2025, 2, 10, 10), 120).contact(at(2025, 2, 17, 10), 120)
    f5.contact(at(2025, 4, 14, 10), 120)
    f5.plan(d(2025, 4, 19)).end_phase1(d(2025, 4, 20))
    f5.review(1, d(2025, 5, 20), (-1,)).review(3, d(2025, 7, 20), (0,))
    f5.review(6, d(2025, 11, 1), (1,))
    f5.booster(d(2025, 12, 5))
    f5.sdq("Eve", Occasion.CLOSURE, d(2026, 3, 20), (4, 4, 4, 2))
    f5.services("Gina", AFTER, d(2026, 3, 20), ("drug-alcohol", "mental-health", "housing"))
    f5.feedback(d(2026, 3, 20), positive=False, given_by="social_worker")
    f5.close(d(2026, 3, 20), "completed", {"Eve": "deregistered", "Fay": "stayed_home"})

    # --- Referred in the year ----------------------------------------------------------------
    f1 = fam(
        cast,
        "A",
        "Able",
        "cardiff",
        "two_parent",
        [
            adult("Ann", F, substances=("alcohol",)),
            adult("Bob", M),
            child("Cy", d(2018, 1, 1)),
        ],
    )
    f1.refer(at(2025, 4, 7)).screen("accepted", at(2025, 4, 7, 11)).allocate(at(2025, 4, 7, 12))
    f1.first_contact(at(2025, 4, 7, 15))
    f1.assess(at(2025, 4, 8), at(2025, 4, 9, 15)).proceed(at(2025, 4, 9, 16))
    f1.goal(at(2025, 4, 10), substance=True, baseline=-2, members=("Ann",))
    f1.goal(at(2025, 4, 10), substance=False, baseline=-1, members=("Bob",))
    f1.wemwbs("Ann", Occasion.START, d(2025, 4, 10), 40)
    # The 22 April visit was keyed as 600 minutes and corrected to 180 a day later; the
    # 29 April visit was keyed twice and the copy withdrawn. The hand counts below are of
    # what happened: a corrected entry counts once at its corrected value, a withdrawn one
    # never.
    f1.contact(at(2025, 4, 14, 10), 180).contact(at(2025, 4, 22, 10), 600)
    corrected(f1, 180, entered=at(2025, 4, 23, 9))
    f1.contact(at(2025, 4, 29, 10), 180).contact(at(2025, 4, 29, 10), 180)
    withdrawn(f1, entered=at(2025, 4, 30, 9))
    f1.contact(at(2025, 4, 15, 10), 60, WorkType.INDIRECT)
    f1.plan(d(2025, 5, 19)).wemwbs("Ann", Occasion.END_PHASE1, d(2025, 5, 20), 48)
    f1.end_phase1(d(2025, 5, 20)).feedback(d(2025, 5, 20), positive=True)
    f1.review(1, d(2025, 6, 20), (0, 1)).review(3, d(2025, 9, 10), (1, 1))
    f1.booster(d(2025, 10, 1))
    f1.review(6, d(2025, 11, 20), (0, -1))

    f4 = h1  # the Prior family again
    f4.refer(at(2025, 6, 1), again=True).first_contact(at(2025, 6, 2, 10))
    f4.screen("inappropriate", at(2025, 6, 2, 11))

    f2 = fam(
        cast,
        "A",
        "Wait",
        "cardiff",
        "lone_mother",
        [adult("Dee", F, substances=("cocaine",)), child("Ed", d(2019, 1, 1))],
    )
    f2.refer(at(2025, 6, 2)).first_contact(at(2025, 6, 2, 10)).screen(
        "no-space", at(2025, 6, 2, 12)
    )
    f2.screen("accepted", at(2025, 6, 25, 9)).allocate(at(2025, 6, 25, 10))
    f2.assess(at(2025, 6, 25, 11), at(2025, 6, 26, 10)).not_proceed(at(2025, 6, 27, 10))

    f3 = late(
        cast, "Late", [adult("Cara", F, substances=("amphetamines",)), child("Dan", d(2017, 1, 1))]
    )
    f3.refer_late(at(2025, 9, 1), entered=at(2025, 9, 3))
    f3.first_contact_late(at(2025, 9, 1, 13), entered=at(2025, 9, 3, 9, 30))
    f3.screen_late("accepted", at(2025, 9, 2, 10), entered=at(2025, 9, 3, 10))
    f3.allocate_late(at(2025, 9, 2, 11), entered=at(2025, 9, 3, 11))
    f3.assess_late(at(2025, 9, 3, 9), at(2025, 9, 5, 9), entered=at(2025, 9, 8, 9))
    f3.proceed(at(2025, 9, 8, 10))
    f3.goal(at(2025, 9, 8, 11), substance=True, baseline=-1, members=("Cara",))
    f3.wemwbs_late("Cara", Occasion.START, d(2025, 9, 4), 30, entered=at(2025, 9, 8, 12))
    f3.contact_late(at(2025, 9, 10, 10), 120, entered=at(2025, 9, 19, 9))
    f3.contact_late(at(2025, 9, 17, 10), 120, entered=at(2025, 9, 19, 10))
    f3.plan(d(2025, 10, 9))
    f3.end_phase1_late(d(2025, 10, 10), entered=at(2025, 10, 14, 9))
    f3.review_late(1, d(2025, 11, 12), (0,), entered=at(2025, 11, 20, 9))
    f3.review_late(3, d(2026, 1, 10), (1,), entered=at(2026, 1, 12, 9))
    f3.wemwbs_late("Cara", Occasion.CLOSURE, d(2026, 1, 15), 36, entered=at(2026, 1, 19, 9))
    f3.close_late(d(2026, 1, 15), "moved-away", {"Dan": "stayed_home"}, entered=at(2026, 1, 20, 9))

    fam(
        cast,
        "A",
        "Undecided",
        "cardiff",
        "lone_mother",
        [adult("Flo", F), child("Gil", d(2020, 1, 1))],
    ).refer(at(2026, 3, 30))

    # --- Outside the year or the team ------------------------------------------------------
    fam(
        cast, "A", "Next", "cardiff", "lone_mother", [adult("Nia", F), child("Noa", d(2020, 1, 1))]
    ).refer(at(2026, 4, 2))
    u1 = fam(
        cast, "B", "Usk", "newport", "lone_mother", [adult("Una", F), child("Uri", d(2020, 1, 1))]
    )
    u1.refer(at(2025, 5, 5)).screen("inappropriate", at(2025, 5, 5, 12))

    for day in (d(2025, 6, 10), d(2026, 1, 15), d(2025, 3, 31), d(2026, 4, 1)):
        Consultation.objects.create(
            team=taff, held_on=day, asked_by="A nurse", agency="Health", topic="Sleep"
        )
    TrainingSession.objects.create(team=taff, course="MI", held_on=d(2025, 11, 12), attendees=10)
    TrainingSession.objects.create(team=taff, course="MI", held_on=d(2025, 3, 20), attendees=15)
    Complaint.objects.create(team=taff, received_on=d(2026, 2, 3), summary="A missed visit")
    Complaint.objects.create(team=taff, received_on=d(2026, 4, 1), summary="Later")
    Complaint.objects.create(team=cast.usk, received_on=d(2025, 6, 1), summary="Usk's")
    return cast


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker):
    with fixture.rolled_back(django_db_blocker):
        yield build_year()


@pytest.fixture
def report(year, time_machine) -> Report:
    time_machine.move_to(NOW, tick=False)
    return Report(team_scope(year.taff), FY)


# --- The figures, worked out by hand from the records in the docstring --------------------

EXPECTED = {
    # F1 Able, F4 Again, F2 Wait, F3 Late (received 1 Sep, entered 3 Sep), F7 Undecided.
    # Not H2's re-referral (3 Mar 2025), F5 (Feb 2025), F8 (2 Apr 2026), nor Usk's.
    "referrals_received": x.count(5),
    # Decided in the year, each referral once by its latest decision: F1, F2 (waiting list,
    # then accepted), F3 accepted; F4 inappropriate.
    "referral_outcomes": x.outcomes(4, (x.ACCEPTED, 3), (x.INAPPROPRIATE, 1)),
    # Per decision: F1, F2, F3 accepted; F4 inappropriate; F2's "no space" as well.
    "referral_decisions": x.outcomes(5, (x.ACCEPTED, 3), (x.INAPPROPRIATE, 1), (x.NO_SPACE, 1)),
    # Cases open at some time in the year: F6 (closed 15 Apr 2025), F5, F1, F2, F3; not H1
    # or H2 (closed in 2024). Children: Ivy; Eve, Fay; Cy; Ed; Dan = 6.
    "families_worked_with": x.families(5, 6),
    "consultations": x.count(2),  # 10 Jun 2025, 15 Jan 2026
    "training": x.training(1, 10),  # 12 Nov 2025, 10 attendees
    # Into assessment: F1, F2, F3 (3 Sep, as typed). Into Phase 1: F1, F3 (2). Phase 1
    # ended: F5 (20 Apr), F1 (20 May), F3 (10 Oct, as typed) = 3, all into Phase 2.
    # Closed from Phase 2 with a planned end: F6 (15 Apr 2025), F5 (20 Mar 2026) = 2; for
    # another reason: F3 (moved away) = 1.
    "phases": x.phases(3, 2, 3, 3, 2, 1),
    # Direct minutes dated in the year: F5 120 (14 Apr) + F1 3 x 180 + F3 2 x 120 (dated
    # September, entered later) = 900 = 15 hours (F1's indirect hour does not count).
    "direct_hours": x.hours(15.0),
    "boosters": x.count(2),  # F1 1 Oct 2025, F5 5 Dec 2025
    # Of the 5 referrals: F1 6 h, F2 1 h, F3 4 h in time; F4 25 h late, F7 none: 3/5.
    "first_contact": x.pct(3, 5, 60.0),
    # Assessments completed in the year: F1 (54 h from referral, 51 h from allocation),
    # F2 (24 days 1 h, 24 h), F3 (96 h, 70 h). The target (72 h) from the referral, or
    # from allocation for F2 who waited: F1 54 and F2 24 in, F3 96 out: 2/3.
    # From referral: within 72 h F1; within a week F1, F3; within 2 weeks the same; longer
    # F2. From allocation: all three within 72 h (F3 was allocated the day after referral).
    "assessment_time": x.assessment(2, 3, 66.7, (1, 2, 2, 1), (3, 3, 3, 0)),
    # Decided: F1 and F3 proceed, F2 does not: 2/3.
    "accepted_to_phase1": x.pct(2, 3, 66.7),
    # Phase 1 ended in the year: F5 74 days (over 10 weeks), F1 41 days and F3 35 days
    # (4 to 6 weeks): 2/3.
    "phase1_length": x.lengths(3, 66.7, 0, 2, 0, 1),
    # Their direct minutes in Phase 1: F5 360, F1 540, F3 240 = 1140 = 19 hours / 3 = 6.3.
    "phase1_hours": x.mean(6.3, 19.0, 3),
    # Reviews due in the year: F6 12 months (5 days late: on time); F5 1, 3 months (on
    # the day), 6 months (12 days: on time); F1 1 month (on time), 3 months (21 days:
    # late), 6 months (on time); F3 1 month (2 days), 3 months (on the day): 8/9.
    "reviews_on_time": x.pct(8, 9, 88.9),
    "feedback_positive": x.pct(1, 2, 50.0),  # F1 positive, F5 negative
    "complaints": x.count(1),  # 3 Feb 2026
    "rereferral_rate": x.pct(1, 5, 20.0),  # F4
    # Scores at reviews held in the year: F6 (+1); F5 (-1, 0, +1); F1 (0, +1), (+1, +1),
    # (0, -1); F3 (0, +1): 12 scores, 10 at 0 or above. Substance goals: F6, F5 x 3, F1 G1
    # x 3, F3 x 2 = 9, 8 at 0 or above. Female members' goals (Gina, Ann, Cara): 8, 7 at 0
    # or above; male (Hal, Bob): 4, 3.
    "goals_at_zero": x.goals(10, 12, 83.3, (8, 9), (7, 8), (3, 4)),
    # Change from baseline: 1 month F5 +1, F1 +2 and +2, F3 +1 = 1.5 (4 scores);
    # 3 months F5 +2, F1 +3 and +2, F3 +2 = 2.25 (4); 6 months F5 +3, F1 +2 and 0 = 1.67
    # (3); 12 months F6 +2 (1).
    "gas_change": x.gas(1.5, (1, 4, 1.5), (3, 4, 2.25), (6, 3, 1.67), (12, 1, 2.0)),
    # F1 Ann 40 -> 48 (end of Phase 1), F3 Cara 30 -> 36 (closure, typed 15 Jan): 7.0.
    "wemwbs_change": x.reading(7.0, 2),
    "sdq_change": x.reading(-6.0, 1),  # F5 Eve 20 -> 14 at closure
    # F5 Gina: two types before, three after: 1/1.
    "services_accessed": x.services(
        1, 1, 100.0, (x.DRUG, 1, 1), (x.MENTAL, 1, 1), (x.HOUSING, 0, 1)
    ),
    # Closures dated in the year: F6 Ivy returned home; F5 Eve de-registered, Fay stayed at
    # home; F3 Dan stayed at home (closed 15 Jan as typed).
    "child_outcomes": x.children(4, 1, 1, 2, 0, 0, 0, 0),
    "sustained_12m": x.pct(1, 1, 100.0),  # F6's 12-month review: every goal at 0 or above
    # Closed in the year before: H1 (re-referred 1 Jun 2025, more than 12 months after
    # 10 May 2024: not re-referred within 12 months) and H2 (re-referred 3 Mar 2025, within
    # 12 months of 1 Aug 2024): 1/2.
    "not_rereferred": x.pct(1, 2, 50.0),
}

# Referrals 5; inappropriate F4; assessed F1, F2, F3 (no re-referral among them);
# proceeded F1, F3; Phase 1 completed in the year F5, F1, F3; Phase 2 completed (a
# planned end) F6, F5; Phase 2 closed for another reason F3. Percentages of the 5.
THROUGHPUT = [
    x.throughput(
        "Taff IFST", 5, 1, 3, 0, 2, 3, 2, (20.0, 60.0, 0.0, 40.0, 60.0, 40.0, 20.0), other2=1
    )
]


def test_the_expected_figures_cover_every_measure_of_the_card() -> None:
    assert set(EXPECTED) == {d.code for d in measures.CATALOGUE}


@pytest.mark.parametrize("code", [d.code for d in measures.CATALOGUE])
def test_each_board_figure_of_the_year_matches_the_hand_count(report, code: str) -> None:
    figure = measures.compute(report, measures.BY_CODE[code])
    assert dataclasses.asdict(figure) == EXPECTED[code]


def test_the_throughput_table_of_the_year_matches_the_hand_count(report) -> None:
    assert report.throughput() == THROUGHPUT
