"""Cases built through the real services, stopped at any stage of the pathway.

`make_case` walks a referral from receipt to the requested stage with the same service
calls the pages make (decide_referral, allocate_referral, start_assessment, ...). Every
step happens in the past relative to "now" (whatever now is when it is called: the real
clock, or a moment a test froze with the time_machine fixture): each step runs inside a
nested `time_machine.travel`, so when make_case returns the clock is back where it was
and the case looks as though it had been worked on over the past weeks.

Timeline for a case that has reached Phase 2 (E = phase1_ended_days_ago):

    referral received ...... phase1_start - 2 days, 09:00
    allocated .............. phase1_start - 2 days, 11:00
    assessment started ..... phase1_start - 1 day, 10:00
    assessment completed ... phase1_start, 16:00 (Phase 1 starts the same day)
    goals, start readings .. phase1_start, 17:00
    contacts ............... spread over the days of Phase 1, 10:00
    Family Plan v1..n ...... the days before phase1_end
    Phase 1 ends ........... today - E
    reviews held ........... on their due date, or today if that is later than today
    boosters ............... after the reviews (at most today)
    closure ................ today
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone

from accounts.models import Team, User
from cases import pathway
from cases.models import Case, ContactMode, FamilyPlan, SubstanceChange, WorkType
from cases.services import (
    ContactData,
    agree_family_plan,
    close_case,
    decide_after_assessment,
    end_phase1,
    record_contact,
    start_assessment,
    update_assessment,
)
from families.models import MemberKind, Person, Relationship
from outcomes.models import Goal, Instrument, Occasion, Reading
from outcomes.services import GoalData, ReadingData, add_goal, record_reading
from reference.models import ClosureReason, GoalCategory, OnwardService
from referrals.services import allocate_referral, decide_referral
from reviews.models import Booster, Requester, Review
from reviews.services import ReviewData, record_booster, record_review
from tests.factories import PersonFactory, ReferralFactory, outcome, reason

Stage = pathway.Stage
ORDER = [
    Stage.AWAITING_ASSESSMENT,
    Stage.ASSESSMENT,
    Stage.PHASE1,
    Stage.PHASE2,
    Stage.CLOSED,
]

SAFETY_PLAN = "Grandmother collects the children if a parent has been drinking."
NEEDS = "Stable routines; mother's alcohol use reduced."
SERVICE_ACTIONS = "IFST: weekly visits. Drug and alcohol service: key work."


@dataclass
class Journey:
    """A case and the people and records made on the way to its stage."""

    case: Case
    referral: object
    team: Team
    manager: User
    worker: User
    referrer: User
    adult: Person
    child: Person
    goals: list[Goal] = field(default_factory=list)
    plans: list[FamilyPlan] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)
    boosters: list[Booster] = field(default_factory=list)

    def reload(self) -> Case:
        self.case.refresh_from_db()
        return self.case

    @property
    def reviews(self) -> list[Review]:
        return list(Review.objects.filter(case=self.case).order_by("due_on"))

    @property
    def assessment(self):
        from cases.models import Assessment

        return Assessment.objects.get(case=self.case)


def local(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _past(now: datetime, day: date, hour: int, minute: int = 0) -> datetime:
    """That day at that hour, but never after now."""
    return min(local(day, hour, minute), now)


def goal_data(n: int, *, baseline: int = -1) -> GoalData:
    return GoalData(
        title=f"Goal {n}: keep the children safe at home",
        category=GoalCategory.objects.order_by("order", "pk")[n % 3],
        is_substance=n == 1,
        members=[],
        levels={
            -2: f"G{n} much less than expected",
            -1: f"G{n} less than expected",
            0: f"G{n} the expected outcome",
            1: f"G{n} more than expected",
            2: f"G{n} much more than expected",
        },
        baseline=baseline,
    )


def make_case(
    team: Team,
    manager: User,
    worker: User,
    referrer: User,
    *,
    stage: str = Stage.PHASE1,
    family_name: str | None = None,
    received_days_ago: int = 1,
    complete_assessment: bool = False,
    phase1_started_days_ago: int = 10,
    phase1_ended_days_ago: int = 10,
    goals: int = 1,
    contacts: int = 1,
    contact_minutes: int = 120,
    plans: int | None = None,
    readings: int = 0,
    reviews_held: int = 0,
    review_score: int = 1,
    boosters: int = 0,
) -> Journey:
    """Build a case through the services up to `stage` (see the module docstring).

    awaiting_assessment: received `received_days_ago` days ago and allocated.
    assessment: the assessment started (and completed, if complete_assessment).
    phase1: started `phase1_started_days_ago` days ago, with goals, contacts and readings
        (and plans, if plans is given).
    phase2: Phase 1 ended `phase1_ended_days_ago` days ago after five weeks; the Family
        Plan (plans versions, default 1) agreed, the reviews scheduled, `reviews_held` of
        them held with every goal scored `review_score`, and `boosters` boosters given.
    closed: a phase2 case closed today as completed.
    """
    stage = Stage(stage)
    target = ORDER.index(stage)
    now = timezone.now()
    today = timezone.localdate(now)

    # Work out the calendar first, then walk it.
    if stage in (Stage.AWAITING_ASSESSMENT, Stage.ASSESSMENT):
        received = now - timedelta(days=received_days_ago)
        started = min(received + timedelta(hours=3), now)
        completed = min(started + timedelta(hours=6), now)
        phase1_start = phase1_end = None
    else:
        if stage is Stage.PHASE1:
            phase1_start = today - timedelta(days=phase1_started_days_ago)
            phase1_end = None
        else:
            phase1_end = today - timedelta(days=phase1_ended_days_ago)
            phase1_start = phase1_end - timedelta(weeks=5)
        received = _past(now, phase1_start - timedelta(days=2), 9)
        started = _past(now, phase1_start - timedelta(days=1), 10)
        completed = _past(now, phase1_start, 16)
    plans = plans if plans is not None else (1 if target >= ORDER.index(Stage.PHASE2) else 0)

    with time_machine.travel(received, tick=False):
        referral = ReferralFactory(
            team=team, created_by=referrer, **({"family__name": family_name} if family_name else {})
        )
        adult = PersonFactory(
            family=referral.family,
            kind=MemberKind.ADULT,
            first_name="Kerry",
            relationship=Relationship.MOTHER,
        )
        child = PersonFactory(
            family=referral.family,
            kind=MemberKind.CHILD,
            first_name="Jade",
            relationship=Relationship.CHILD,
            date_of_birth=date(received.year - 8, 4, 2),
        )
    with time_machine.travel(min(received + timedelta(hours=2), now), tick=False):
        decide_referral(
            referral_id=referral.pk,
            user=manager,
            outcome=outcome("accepted"),
            reason=reason("accepted"),
        )
        case = allocate_referral(referral_id=referral.pk, user=manager, worker=worker)
    journey = Journey(
        case=case,
        referral=referral,
        team=team,
        manager=manager,
        worker=worker,
        referrer=referrer,
        adult=adult,
        child=child,
    )
    if target < ORDER.index(Stage.ASSESSMENT):
        return journey

    with time_machine.travel(started, tick=False):
        assessment = start_assessment(case_id=case.pk, user=worker, started_at=started)
    if stage is Stage.ASSESSMENT and not complete_assessment:
        journey.reload()
        return journey
    with time_machine.travel(completed, tick=False):
        update_assessment(
            assessment_id=assessment.pk,
            user=worker,
            version=assessment.version,
            completed_at=completed,
            hours_spent=Decimal("8.50"),
            safety_plan=SAFETY_PLAN,
            safety_plan_agreed_on=timezone.localdate(completed),
        )
    if stage is Stage.ASSESSMENT:
        journey.reload()
        return journey

    # Phase 1: proceed on the day the assessment was completed.
    with time_machine.travel(_past(now, phase1_start, 17), tick=False):
        decide_after_assessment(
            case_id=case.pk,
            user=worker,
            decision="proceed",
            notes="The family wants to change.",
        )
        for n in range(1, goals + 1):
            journey.goals.append(add_goal(case_id=case.pk, user=worker, data=goal_data(n)))
        reading_plan = [
            (adult, Instrument.WEMWBS, Occasion.START, {"total": 38}),
            (
                child,
                Instrument.SDQ,
                Occasion.START,
                {
                    "sdq_emotional": 5,
                    "sdq_conduct": 4,
                    "sdq_hyperactivity": 6,
                    "sdq_peer": 3,
                    "sdq_prosocial": 7,
                },
            ),
        ]
        for person, instrument, occasion, scores in reading_plan[:readings]:
            journey.readings.append(
                record_reading(
                    case_id=case.pk,
                    user=worker,
                    data=ReadingData(
                        person=person,
                        instrument=instrument,
                        occasion=occasion,
                        taken_on=timezone.localdate(),
                        **scores,
                    ),
                )
            )

    # Contacts, spread over the days of Phase 1 before today (or its end).
    last_day = (phase1_end or today) - timedelta(days=1)
    span = max((last_day - phase1_start).days + 1, 1)
    for i in range(contacts):
        day = phase1_start + timedelta(days=i % span)
        moment = _past(now, day, 10, i % 50) - (timedelta(hours=1) if day >= today else timedelta())
        with time_machine.travel(_past(now, day, 18), tick=False):
            record_contact(
                case_id=case.pk,
                user=worker,
                data=ContactData(
                    started_at=moment,
                    duration_minutes=contact_minutes,
                    mode=ContactMode.HOME_VISIT if i % 2 == 0 else ContactMode.PHONE,
                    work_type=WorkType.DIRECT,
                    out_of_hours=False,
                    people_seen=[adult, child] if i % 2 == 0 else [adult],
                    methods=[],
                    notes=f"Contact {i + 1}",
                ),
            )

    # Family Plan versions, the last one agreed on the day Phase 1 ends.
    plan_end = phase1_end or today
    for v in range(plans):
        agreed = plan_end - timedelta(days=plans - 1 - v)
        with time_machine.travel(_past(now, agreed, 12), tick=False):
            journey.plans.append(
                agree_family_plan(
                    case_id=case.pk,
                    user=worker,
                    needs=NEEDS if v == plans - 1 else f"{NEEDS} (draft {v + 1})",
                    service_actions=SERVICE_ACTIONS,
                    invited_services=list(OnwardService.objects.order_by("pk")[:1]),
                    agreed_on=agreed,
                    agreed_with="Mother, social worker",
                )
            )
    if stage is Stage.PHASE1:
        journey.reload()
        return journey

    with time_machine.travel(_past(now, phase1_end, 17), tick=False):
        if readings >= 3:
            journey.readings.append(
                record_reading(
                    case_id=case.pk,
                    user=worker,
                    data=ReadingData(
                        person=adult,
                        instrument=Instrument.WEMWBS,
                        occasion=Occasion.END_PHASE1,
                        taken_on=phase1_end,
                        total=51,
                    ),
                )
            )
        end_phase1(case_id=case.pk, user=worker, ended_on=phase1_end)

    for review in list(Review.objects.filter(case=case).order_by("due_on"))[:reviews_held]:
        held = min(review.due_on, today)
        with time_machine.travel(_past(now, held, 15), tick=False):
            record_review(
                review_id=review.pk,
                user=worker,
                version=review.version,
                data=ReviewData(
                    held_on=held,
                    attendees="Mother, social worker",
                    progress=f"Progress at the {review}.",
                    plan_still_fit=True,
                    services_signposted=[],
                    scores={g.pk: review_score for g in journey.goals},
                ),
            )

    for i in range(boosters):
        day = min(phase1_end + timedelta(days=14 + i), today)
        with time_machine.travel(_past(now, day, 16), tick=False):
            journey.boosters.append(
                record_booster(
                    case_id=case.pk,
                    user=manager if i >= team.booster_limit else worker,
                    requested_by=Requester.FAMILY,
                    requested_on=day,
                    delivered_by=worker,
                    delivered_on=day,
                    duration_minutes=60,
                    notes=f"Booster {i + 1}",
                    over_limit_reason="Relapse risk" if i >= team.booster_limit else "",
                )
            )
    if stage is Stage.PHASE2:
        journey.reload()
        return journey

    case = journey.reload()
    close_case(
        case_id=case.pk,
        user=worker,
        reason=ClosureReason.objects.get(code="completed"),
        closed_on=today,
        substance_change=SubstanceChange.REDUCED,
        child_outcomes={child.pk: "stayed_home"},
        destination_services=[],
        notes="Goals met.",
        # Asked for only while closing readings or goal scores are missing.
        measures_missing_reason="Closed before the goals were scored again.",
        version=case.version,
    )
    journey.reload()
    return journey
