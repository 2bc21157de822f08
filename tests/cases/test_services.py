"""The case pathway through its services, from an accepted referral to closure.

Time is moved with time-machine (never slept): the journey starts on Monday
14 December 2026, Phase 1 starts on 20 December and ends on Sunday 31 January 2027, so the
1-month review falls on 28 February (month-end clamping).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import Role
from cases import pathway
from cases.models import (
    Assessment,
    Case,
    ChildOutcome,
    ChildOutcomeKind,
    Closure,
    Contact,
    ContactMode,
    FamilyPlan,
    StageChange,
    SubstanceChange,
    WorkType,
)
from cases.pathway import Stage
from cases.services import (
    ContactData,
    agree_family_plan,
    close_case,
    decide_after_assessment,
    finish_step_down,
    move_case,
    override_success,
    record_contact,
    start_assessment,
    update_assessment,
)
from core.errors import ServiceError, StaleEdit
from families.models import MemberKind, Relationship
from notifications.models import Notification
from reference.models import ClosureReason, NotProceedReason, OnwardService, PracticeMethod
from referrals.services import allocate_referral, decide_referral
from reviews.models import Review
from tests.cases.phase1_support import end_phase1
from tests.factories import (
    CaseFactory,
    FamilyFactory,
    MembershipFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    outcome,
    reason,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=LONDON)


# --- Building a case through the services ---------------------------------------------

REFERRED = at(2026, 12, 14, 9)  # Monday
ALLOCATED = at(2026, 12, 14, 11)
ASSESSMENT_STARTED = at(2026, 12, 15, 10)
ASSESSMENT_COMPLETED = at(2026, 12, 17, 16)  # Thursday
PHASE1_START = date(2026, 12, 20)  # completion date + 3 days (Christmas)
PHASE1_END = date(2027, 1, 31)  # six weeks on, a Sunday


@dataclass
class Journey:
    """One family's case, moved along by the services, with the clock under test control."""

    tm: object  # the time_machine fixture
    team: object
    manager: object
    practitioner: object
    referrer: object
    referral: object
    case: Case
    adult: object
    child: object

    def travel(self, moment: datetime) -> None:
        self.tm.move_to(moment, tick=False)

    def reload(self) -> Case:
        self.case.refresh_from_db()
        return self.case

    @property
    def assessment(self) -> Assessment:
        return Assessment.objects.get(case=self.case)

    # Steps along the pathway, each leaving the clock where it acted.

    def start_assessment(self) -> Assessment:
        self.travel(ASSESSMENT_STARTED)
        return start_assessment(
            case_id=self.case.pk, user=self.practitioner, started_at=timezone.now()
        )

    def complete_assessment(self) -> Assessment:
        self.travel(ASSESSMENT_COMPLETED)
        return update_assessment(
            assessment_id=self.assessment.pk,
            user=self.practitioner,
            version=self.assessment.version,
            completed_at=timezone.now(),
            hours_spent=Decimal("8.50"),
            safety_plan="Grandmother collects the children if a parent has been drinking.",
            safety_plan_agreed_on=date(2026, 12, 16),
        )

    def proceed(self) -> Case:
        return decide_after_assessment(
            case_id=self.case.pk,
            user=self.practitioner,
            decision="proceed",
            notes="The family wants to change; the children are safe with the Safety Plan.",
            phase1_start=PHASE1_START,
            slip_reason="Christmas: the family is away until the 20th.",
        )

    def to_phase1(self) -> Case:
        self.start_assessment()
        self.complete_assessment()
        return self.proceed()

    def agree_plan(self, agreed_on: date = date(2027, 1, 29)) -> FamilyPlan:
        return agree_family_plan(
            case_id=self.case.pk,
            user=self.practitioner,
            needs="Stable routines; mother's alcohol use reduced.",
            service_actions="IFST: weekly visits. Drug and alcohol service: key work.",
            invited_services=list(OnwardService.objects.filter(code="drug-alcohol")),
            agreed_on=agreed_on,
            agreed_with="Mother, social worker, adult and children's coordinators",
        )

    def to_phase2(self) -> Case:
        self.to_phase1()
        self.travel(at(2027, 1, 29, 14))
        self.agree_plan()
        self.travel(at(2027, 2, 1, 9))
        return end_phase1(case_id=self.case.pk, user=self.practitioner, ended_on=PHASE1_END)


@pytest.fixture
def journey(time_machine, team_a, manager, practitioner, referrer) -> Journey:
    time_machine.move_to(REFERRED, tick=False)
    referral = ReferralFactory(team=team_a, created_by=referrer)
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
        date_of_birth=date(2016, 4, 2),
    )
    time_machine.move_to(ALLOCATED, tick=False)
    decide_referral(
        referral_id=referral.pk,
        user=manager,
        outcome=outcome("accepted"),
        reason=reason("accepted"),
    )
    case = allocate_referral(referral_id=referral.pk, user=manager, worker=practitioner)
    return Journey(
        tm=time_machine,
        team=team_a,
        manager=manager,
        practitioner=practitioner,
        referrer=referrer,
        referral=referral,
        case=case,
        adult=adult,
        child=child,
    )


def history(case: Case) -> list[tuple[str, str]]:
    return list(
        StageChange.objects.filter(case=case)
        .order_by("changed_at", "pk")
        .values_list("from_stage", "to_stage")
    )


def stage_notices(user, case: Case) -> list[str]:
    """Subjects of the stage-change notifications a user received for this case."""
    labels = [str(pathway.LABELS[s]) for s in (Stage.PHASE1, Stage.PHASE2, Stage.CLOSED)]
    return [
        n.subject
        for n in Notification.objects.filter(recipient=user).order_by("created_at", "pk")
        if n.subject.startswith(f"{case.referral.reference}: ")
        and n.subject.split(": ", 1)[1] in labels
    ]


def contact(journey: Journey, **overrides) -> ContactData:
    values = {
        "started_at": timezone.now() - timedelta(hours=3),
        "duration_minutes": 150,
        "mode": ContactMode.HOME_VISIT,
        "work_type": WorkType.DIRECT,
        "out_of_hours": False,
        "people_seen": [journey.adult, journey.child],
        "methods": list(PracticeMethod.objects.filter(code="motivational-interviewing")),
        "notes": "Morning routine; school run.",
    }
    values.update(overrides)
    return ContactData(**values)


def closing(journey: Journey, **overrides):
    values = {
        "case_id": journey.case.pk,
        "user": journey.practitioner,
        "reason": ClosureReason.objects.get(code="completed"),
        "closed_on": timezone.localdate(),
        "substance_change": SubstanceChange.REDUCED,
        "child_outcomes": {journey.child.pk: ChildOutcomeKind.STAYED_HOME},
        "destination_services": list(OnwardService.objects.filter(code="drug-alcohol")),
        "notes": "",
        # Asked for only while closing readings or goal scores are missing.
        "measures_missing_reason": "Closed before the goals were scored again.",
    }
    values.update(overrides)
    return close_case(**values)


# --- The whole journey ----------------------------------------------------------------


def test_journey_from_referral_to_closure(journey: Journey) -> None:
    case = journey.case
    assert case.stage == Stage.AWAITING_ASSESSMENT
    assert case.allocated_at == ALLOCATED
    assert history(case) == [("", Stage.AWAITING_ASSESSMENT)]

    journey.to_phase2()
    case = journey.reload()
    assert case.stage == Stage.PHASE2
    assert (case.phase1_start, case.phase1_end) == (PHASE1_START, PHASE1_END)

    journey.travel(at(2028, 2, 5, 10))
    closure = closing(journey, closed_on=date(2028, 2, 4))
    case = journey.reload()
    assert case.stage == Stage.CLOSED
    # Dated by the day typed (midday), not when it was keyed in the next morning.
    assert case.closed_at == at(2028, 2, 4, 12)
    assert closure.successful is True

    changes = list(StageChange.objects.filter(case=case).order_by("changed_at", "pk"))
    assert [(c.from_stage, c.to_stage, c.changed_at) for c in changes] == [
        ("", Stage.AWAITING_ASSESSMENT, ALLOCATED),
        (Stage.AWAITING_ASSESSMENT, Stage.ASSESSMENT, ASSESSMENT_STARTED),
        (Stage.ASSESSMENT, Stage.PHASE1, ASSESSMENT_COMPLETED),
        # Dated by the day entered (midday), not when it was typed in on 1 February.
        (Stage.PHASE1, Stage.PHASE2, at(2027, 1, 31, 12)),
        (Stage.PHASE2, Stage.CLOSED, at(2028, 2, 4, 12)),
    ]
    assert [c.changed_by for c in changes] == [journey.manager] + [journey.practitioner] * 4

    # The referrer hears of Phase 1, Phase 2 and the closure, once each, in that order.
    ref = case.referral.reference
    assert stage_notices(journey.referrer, case) == [
        f"{ref}: Phase 1",
        f"{ref}: Phase 2",
        f"{ref}: Closed",
    ]
    closed_notice = Notification.objects.get(recipient=journey.referrer, subject=f"{ref}: Closed")
    assert closed_notice.url == f"/referrals/{journey.referral.pk}/"
    assert "Closed" in closed_notice.body and str(journey.team) in closed_notice.body
    # The worker does not get the referrer's stage notices.
    assert stage_notices(journey.practitioner, case) == []


def test_a_referrer_who_phoned_hears_of_each_stage_by_email(journey: Journey) -> None:
    """A team member keyed the referral in: the named referrer has no account."""
    referral = journey.referral
    referral.created_by = journey.manager
    referral.referrer_email = "sam.social-worker@council.example"
    referral.save()
    journey.to_phase2()
    journey.travel(at(2028, 2, 5, 10))
    closing(journey, closed_on=date(2028, 2, 4))
    ref = journey.case.referral.reference
    emailed = Notification.objects.filter(
        email="sam.social-worker@council.example", recipient__isnull=True
    ).order_by("created_at", "pk")
    assert [n.subject for n in emailed] == [
        f"{ref}: Phase 1",
        f"{ref}: Phase 2",
        f"{ref}: Closed",
    ]
    assert stage_notices(journey.manager, journey.case) == [n.subject for n in emailed]


# --- Assessment -------------------------------------------------------------------------


def test_start_assessment_moves_case_and_writes_history(journey: Journey) -> None:
    assessment = journey.start_assessment()
    case = journey.reload()
    assert case.stage == Stage.ASSESSMENT
    assert case.version == 2
    assert assessment.started_at == ASSESSMENT_STARTED
    change = StageChange.objects.filter(case=case).latest("changed_at")
    assert change.from_stage == Stage.AWAITING_ASSESSMENT
    assert change.to_stage == Stage.ASSESSMENT
    assert change.changed_by == journey.practitioner
    assert change.changed_at == ASSESSMENT_STARTED
    # Starting the assessment is not a stage the referrer is told about.
    assert stage_notices(journey.referrer, case) == []


def test_start_assessment_may_be_recorded_after_the_event(journey: Journey) -> None:
    journey.travel(at(2026, 12, 16, 9))
    start_assessment(
        case_id=journey.case.pk, user=journey.practitioner, started_at=ASSESSMENT_STARTED
    )
    change = StageChange.objects.filter(case=journey.case).latest("changed_at")
    assert change.changed_at == ASSESSMENT_STARTED


def test_start_assessment_refuses_impossible_times(journey: Journey) -> None:
    journey.travel(ASSESSMENT_STARTED)
    with pytest.raises(ServiceError, match="before the referral was received"):
        start_assessment(
            case_id=journey.case.pk,
            user=journey.practitioner,
            started_at=REFERRED - timedelta(minutes=1),
        )
    with pytest.raises(ServiceError, match="cannot be in the future"):
        start_assessment(
            case_id=journey.case.pk,
            user=journey.practitioner,
            started_at=ASSESSMENT_STARTED + timedelta(hours=1),
        )
    assert journey.reload().stage == Stage.AWAITING_ASSESSMENT
    assert not Assessment.objects.filter(case=journey.case).exists()


def test_start_assessment_twice_is_refused(journey: Journey) -> None:
    journey.start_assessment()
    with pytest.raises(ServiceError, match="cannot move from Assessment to Assessment"):
        start_assessment(
            case_id=journey.case.pk, user=journey.practitioner, started_at=timezone.now()
        )
    assert journey.assessment.started_at == ASSESSMENT_STARTED
    assert len(history(journey.case)) == 2


def test_update_assessment(journey: Journey) -> None:
    started = journey.start_assessment()
    assessment = journey.complete_assessment()
    assert assessment.version == started.version + 1
    assessment.refresh_from_db()
    assert assessment.completed_at == ASSESSMENT_COMPLETED
    assert assessment.hours_spent == Decimal("8.50")
    assert assessment.safety_plan.startswith("Grandmother")
    assert assessment.safety_plan_agreed_on == date(2026, 12, 16)
    # Completing the assessment does not move the case: the decision does.
    assert journey.reload().stage == Stage.ASSESSMENT


def test_update_assessment_refusals(journey: Journey) -> None:
    assessment = journey.start_assessment()
    journey.travel(ASSESSMENT_COMPLETED)

    def update(**overrides):
        values = {
            "assessment_id": assessment.pk,
            "user": journey.practitioner,
            "version": assessment.version,
            "completed_at": timezone.now(),
            "hours_spent": Decimal("8"),
            "safety_plan": "",
            "safety_plan_agreed_on": None,
        }
        values.update(overrides)
        return update_assessment(**values)

    with pytest.raises(StaleEdit, match="Someone else updated this assessment"):
        update(version=assessment.version - 1)
    with pytest.raises(ServiceError, match="completed before it started"):
        update(completed_at=ASSESSMENT_STARTED - timedelta(minutes=1))
    with pytest.raises(ServiceError, match="cannot be in the future"):
        update(completed_at=timezone.now() + timedelta(minutes=1))
    with pytest.raises(ServiceError, match="cannot be negative"):
        update(hours_spent=Decimal("-1"))
    assessment.refresh_from_db()
    assert assessment.completed_at is None

    update()
    # The form that loaded the old version can no longer save.
    with pytest.raises(StaleEdit):
        update()


# --- The decision after the assessment ----------------------------------------------------


def test_decision_needs_a_completed_assessment(journey: Journey) -> None:
    with pytest.raises(ServiceError, match="Record the assessment first"):
        journey.proceed()
    journey.start_assessment()
    with pytest.raises(ServiceError, match="Record when the assessment was completed"):
        journey.proceed()
    assert journey.reload().stage == Stage.ASSESSMENT


def test_proceed_with_phase1_start_slipping(journey: Journey) -> None:
    journey.start_assessment()
    journey.complete_assessment()
    completed_on = date(2026, 12, 17)

    def decide(start: date, slip: str = ""):
        return decide_after_assessment(
            case_id=journey.case.pk,
            user=journey.practitioner,
            decision="proceed",
            phase1_start=start,
            slip_reason=slip,
        )

    with pytest.raises(ServiceError, match="at most a week"):
        decide(completed_on + timedelta(days=8), "Court hearing")
    with pytest.raises(ServiceError, match="Give the reason Phase 1 starts later"):
        decide(completed_on + timedelta(days=3))
    with pytest.raises(ServiceError, match="Give the reason Phase 1 starts later"):
        decide(completed_on + timedelta(days=3), "   ")
    with pytest.raises(ServiceError, match="before the assessment was completed"):
        decide(completed_on - timedelta(days=1))
    case = journey.reload()
    assert case.stage == Stage.ASSESSMENT
    assert case.phase1_start is None
    assert journey.assessment.decision == ""

    decide(completed_on + timedelta(days=3), "  Christmas  ")
    case = journey.reload()
    assert case.stage == Stage.PHASE1
    assert case.phase1_planned_start == completed_on
    assert case.phase1_start == date(2026, 12, 20)
    assert case.phase1_slip_reason == "Christmas"
    assert journey.assessment.decision == "proceed"
    change = StageChange.objects.filter(case=case).latest("changed_at")
    assert (change.from_stage, change.to_stage) == (Stage.ASSESSMENT, Stage.PHASE1)
    assert change.changed_by == journey.practitioner
    assert change.changed_at == ASSESSMENT_COMPLETED


def test_phase1_change_is_dated_by_its_start_day_when_recorded_late(journey: Journey) -> None:
    journey.start_assessment()
    journey.complete_assessment()
    journey.travel(at(2026, 12, 21, 15))  # the decision is typed in after Phase 1 began
    journey.proceed()
    change = StageChange.objects.filter(case=journey.case).latest("changed_at")
    assert change.to_stage == Stage.PHASE1
    assert change.changed_at == at(2026, 12, 20, 12)


def test_phase2_change_is_never_dated_in_the_future(journey: Journey) -> None:
    journey.to_phase1()
    journey.travel(at(2027, 1, 31, 8, 30))  # ended this morning: midday is still to come
    journey.agree_plan(date(2027, 1, 31))
    end_phase1(case_id=journey.case.pk, user=journey.practitioner, ended_on=PHASE1_END)
    change = StageChange.objects.filter(case=journey.case).latest("changed_at")
    assert change.to_stage == Stage.PHASE2
    assert change.changed_at == at(2027, 1, 31, 8, 30)


def test_phase1_may_slip_exactly_a_week(journey: Journey) -> None:
    journey.start_assessment()
    journey.complete_assessment()
    decide_after_assessment(
        case_id=journey.case.pk,
        user=journey.practitioner,
        decision="proceed",
        phase1_start=date(2026, 12, 24),
        slip_reason="Court hearing on the 23rd",
    )
    assert journey.reload().phase1_start == date(2026, 12, 24)


def test_proceed_on_the_planned_day_needs_no_reason(journey: Journey) -> None:
    journey.start_assessment()
    journey.complete_assessment()
    decide_after_assessment(case_id=journey.case.pk, user=journey.practitioner, decision="proceed")
    case = journey.reload()
    assert case.stage == Stage.PHASE1
    assert case.phase1_start == case.phase1_planned_start == date(2026, 12, 17)
    assert case.phase1_slip_reason == ""


def test_planned_start_is_the_london_date_of_completion(journey: Journey) -> None:
    """Completed at 00:30 BST on 1 June is still 31 May in UTC: the plan uses London."""
    journey.start_assessment()
    late = datetime(2027, 5, 31, 23, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 BST on 1 June
    journey.travel(late + timedelta(hours=1))
    update_assessment(
        assessment_id=journey.assessment.pk,
        user=journey.practitioner,
        version=journey.assessment.version,
        completed_at=late,
        hours_spent=None,
        safety_plan="",
        safety_plan_agreed_on=None,
    )
    decide_after_assessment(case_id=journey.case.pk, user=journey.practitioner, decision="proceed")
    assert journey.reload().phase1_planned_start == date(2027, 6, 1)


def test_an_unknown_decision_is_refused(journey: Journey) -> None:
    journey.start_assessment()
    journey.complete_assessment()
    with pytest.raises(ServiceError, match="Choose whether the family proceeds"):
        decide_after_assessment(case_id=journey.case.pk, user=journey.practitioner, decision="")
    assert journey.reload().stage == Stage.ASSESSMENT


def test_not_proceeding_needs_a_reason(journey: Journey) -> None:
    journey.start_assessment()
    journey.complete_assessment()
    with pytest.raises(ServiceError, match="coded reason"):
        decide_after_assessment(
            case_id=journey.case.pk, user=journey.practitioner, decision="not_proceed"
        )
    case = journey.reload()
    assert case.stage == Stage.ASSESSMENT
    assert case.closed_at is None
    assert journey.assessment.decision == ""


def test_not_proceeding_with_a_reason_closes_the_case(journey: Journey) -> None:
    journey.start_assessment()
    journey.complete_assessment()
    journey.travel(at(2026, 12, 18, 12))
    not_ready = NotProceedReason.objects.get(code="family-not-ready")
    decide_after_assessment(
        case_id=journey.case.pk,
        user=journey.manager,
        decision="not_proceed",
        not_proceed_reason=not_ready,
        notes="Father refuses to engage.",
    )
    case = journey.reload()
    assert case.stage == Stage.CLOSED
    assert case.closed_at == at(2026, 12, 18, 12)
    assert case.phase1_start is None
    assessment = journey.assessment
    assert assessment.decision == "not_proceed"
    assert assessment.not_proceed_reason == not_ready
    assert assessment.decision_notes == "Father refuses to engage."
    change = StageChange.objects.filter(case=case).latest("changed_at")
    assert (change.from_stage, change.to_stage) == (Stage.ASSESSMENT, Stage.CLOSED)
    assert change.changed_by == journey.manager
    assert not_ready.name in change.note
    assert stage_notices(journey.referrer, case) == [f"{case.referral.reference}: Closed"]
    # A closed case cannot be closed again with a closure record.
    with pytest.raises(ServiceError, match="already closed"):
        closing(journey)


# --- Illegal moves, guards, stale versions ------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "target", "message"),
    [
        (0, Stage.PHASE1, "A case cannot move from Awaiting assessment to Phase 1."),
        (0, Stage.PHASE2, "A case cannot move from Awaiting assessment to Phase 2."),
        (1, Stage.PHASE2, "A case cannot move from Assessment to Phase 2."),
        (1, Stage.STEP_DOWN, "A case cannot move from Assessment to Step-down."),
        (
            1,
            Stage.AWAITING_ASSESSMENT,
            "A case cannot move from Assessment to Awaiting assessment.",
        ),
    ],
)
def test_illegal_moves_are_refused_and_change_nothing(
    journey: Journey, steps: int, target: Stage, message: str
) -> None:
    if steps:
        journey.start_assessment()
    before = journey.reload()
    changes = history(before)
    with pytest.raises(ServiceError) as refused:
        move_case(case_id=before.pk, user=journey.manager, to_stage=target)
    assert str(refused.value) == message
    after = journey.reload()
    assert after.stage == before.stage
    assert after.version == before.version
    assert history(after) == changes


def test_a_closed_case_cannot_move(journey: Journey) -> None:
    move_case(case_id=journey.case.pk, user=journey.manager, to_stage=Stage.CLOSED)
    for target in (Stage.AWAITING_ASSESSMENT, Stage.ASSESSMENT, Stage.PHASE2, Stage.CLOSED):
        with pytest.raises(ServiceError, match="cannot move from Closed to"):
            move_case(case_id=journey.case.pk, user=journey.manager, to_stage=target)
    assert journey.reload().stage == Stage.CLOSED


def test_phase1_is_refused_without_a_decision_to_proceed(journey: Journey) -> None:
    journey.start_assessment()
    journey.complete_assessment()
    with pytest.raises(ServiceError) as refused:
        move_case(case_id=journey.case.pk, user=journey.manager, to_stage=Stage.PHASE1)
    assert str(refused.value) == "Phase 1 starts only after a decision to proceed at assessment."
    assert journey.reload().stage == Stage.ASSESSMENT
    assert stage_notices(journey.referrer, journey.case) == []


def test_stale_version_is_refused(journey: Journey) -> None:
    journey.start_assessment()
    case = journey.reload()
    stale = case.version - 1
    with pytest.raises(StaleEdit, match="Someone else updated this case"):
        move_case(case_id=case.pk, user=journey.manager, to_stage=Stage.CLOSED, version=stale)
    assert journey.reload().stage == Stage.ASSESSMENT

    journey.complete_assessment()
    with pytest.raises(StaleEdit):
        decide_after_assessment(
            case_id=case.pk, user=journey.practitioner, decision="proceed", version=stale
        )
    assert journey.reload().stage == Stage.ASSESSMENT

    moved = decide_after_assessment(
        case_id=case.pk, user=journey.practitioner, decision="proceed", version=case.version
    )
    assert moved.version == case.version + 1
    # The version the form loaded before the decision is now stale too.
    with pytest.raises(StaleEdit):
        move_case(
            case_id=case.pk, user=journey.manager, to_stage=Stage.CLOSED, version=case.version
        )
    assert journey.reload().stage == Stage.PHASE1


# --- Contacts -----------------------------------------------------------------------------


def test_record_contact(journey: Journey) -> None:
    journey.to_phase1()
    journey.travel(at(2026, 12, 21, 13))
    method = PracticeMethod.objects.get(code="motivational-interviewing")
    saved = record_contact(
        case_id=journey.case.pk,
        user=journey.practitioner,
        data=contact(journey, started_at=at(2026, 12, 21, 9, 30), out_of_hours=False),
    )
    saved.refresh_from_db()
    assert saved.stage == Stage.PHASE1
    assert saved.started_at == at(2026, 12, 21, 9, 30)
    assert saved.duration_minutes == 150
    assert saved.hours == 2.5
    assert saved.recorded_by == journey.practitioner
    assert set(saved.people_seen.all()) == {journey.adult, journey.child}
    assert list(saved.methods.all()) == [method]


def test_contact_stage_follows_the_case(journey: Journey) -> None:
    journey.start_assessment()
    first = record_contact(
        case_id=journey.case.pk,
        user=journey.practitioner,
        data=contact(journey, people_seen=[journey.adult]),
    )
    assert first.stage == Stage.ASSESSMENT


@pytest.mark.parametrize("minutes", [0, -30, 24 * 60 + 1])
def test_contact_duration_must_be_between_a_minute_and_a_day(
    journey: Journey, minutes: int
) -> None:
    journey.to_phase1()
    with pytest.raises(ServiceError, match="at least a minute|more than 24 hours"):
        record_contact(
            case_id=journey.case.pk,
            user=journey.practitioner,
            data=contact(journey, duration_minutes=minutes),
        )
    assert not Contact.objects.filter(case=journey.case).exists()


def test_contact_of_a_full_day_is_accepted(journey: Journey) -> None:
    journey.to_phase1()
    saved = record_contact(
        case_id=journey.case.pk,
        user=journey.practitioner,
        data=contact(
            journey, duration_minutes=24 * 60, started_at=timezone.now() - timedelta(days=1)
        ),
    )
    assert saved.duration_minutes == 1440


def test_contact_with_another_familys_person_is_refused(journey: Journey) -> None:
    journey.to_phase1()
    stranger = PersonFactory(family=FamilyFactory(team=journey.team), kind=MemberKind.CHILD)
    with pytest.raises(ServiceError, match="Only members of this family"):
        record_contact(
            case_id=journey.case.pk,
            user=journey.practitioner,
            data=contact(journey, people_seen=[journey.adult, stranger]),
        )
    assert not Contact.objects.filter(case=journey.case).exists()


def test_contact_in_the_future_or_before_allocation_is_refused(journey: Journey) -> None:
    journey.to_phase1()
    with pytest.raises(ServiceError, match="in the future"):
        record_contact(
            case_id=journey.case.pk,
            user=journey.practitioner,
            data=contact(journey, started_at=timezone.now() + timedelta(hours=1)),
        )
    with pytest.raises(ServiceError, match="before the case was allocated"):
        record_contact(
            case_id=journey.case.pk,
            user=journey.practitioner,
            data=contact(journey, started_at=ALLOCATED - timedelta(days=2)),
        )
    assert not Contact.objects.filter(case=journey.case).exists()


def test_contact_on_a_closed_case_is_refused(journey: Journey) -> None:
    journey.to_phase1()
    closing(journey, reason=ClosureReason.objects.get(code="disengaged"))
    with pytest.raises(ServiceError, match="closed case"):
        record_contact(case_id=journey.case.pk, user=journey.practitioner, data=contact(journey))
    assert not Contact.objects.filter(case=journey.case).exists()


# --- Family Plan and the end of Phase 1 ---------------------------------------------------


def test_family_plan_versions(journey: Journey) -> None:
    journey.to_phase1()
    journey.travel(at(2027, 1, 29, 14))
    first = journey.agree_plan(date(2027, 1, 28))
    second = journey.agree_plan(date(2027, 1, 29))
    assert (first.number, second.number) == (1, 2)
    plans = list(FamilyPlan.objects.filter(case=journey.case))
    assert [p.number for p in plans] == [2, 1]  # the latest first; earlier versions kept
    assert plans[0].agreed_on == date(2027, 1, 29)
    assert plans[0].created_by == journey.practitioner
    assert [s.code for s in plans[0].invited_services.all()] == ["drug-alcohol"]
    # The plan can be revised in Phase 2 too, as version 3.
    journey.travel(at(2027, 2, 1, 9))
    end_phase1(case_id=journey.case.pk, user=journey.practitioner, ended_on=PHASE1_END)
    assert journey.agree_plan(date(2027, 2, 1)).number == 3


def test_family_plan_before_phase1_or_in_the_future_is_refused(journey: Journey) -> None:
    journey.start_assessment()
    with pytest.raises(ServiceError, match="during or after Phase 1"):
        journey.agree_plan(date(2026, 12, 15))
    journey.complete_assessment()
    journey.proceed()
    with pytest.raises(ServiceError, match="cannot be agreed in the future"):
        journey.agree_plan(date(2026, 12, 18))
    assert not FamilyPlan.objects.filter(case=journey.case).exists()


def test_end_phase1_moves_to_phase2_and_schedules_reviews(journey: Journey) -> None:
    case = journey.to_phase2()
    assert case.stage == Stage.PHASE2
    assert journey.reload().phase1_end == date(2027, 1, 31)
    reviews = list(Review.objects.filter(case=case).order_by("offset_months"))
    # Ended on 31 January: 28 February (not 3 March), 30 April, 31 July, 31 January.
    assert [(r.offset_months, r.due_on) for r in reviews] == [
        (1, date(2027, 2, 28)),
        (3, date(2027, 4, 30)),
        (6, date(2027, 7, 31)),
        (12, date(2028, 1, 31)),
    ]
    assert all(r.held_on is None for r in reviews)
    assert stage_notices(journey.referrer, case) == [
        f"{case.referral.reference}: Phase 1",
        f"{case.referral.reference}: Phase 2",
    ]


@pytest.mark.parametrize(
    ("ended_on", "due"),
    [
        (
            date(2028, 1, 31),
            [date(2028, 2, 29), date(2028, 4, 30), date(2028, 7, 31), date(2029, 1, 31)],
        ),  # leap year
        (
            date(2027, 8, 31),
            [date(2027, 9, 30), date(2027, 11, 30), date(2028, 2, 29), date(2028, 8, 31)],
        ),
        (
            date(2027, 10, 30),
            [date(2027, 11, 30), date(2028, 1, 30), date(2028, 4, 30), date(2028, 10, 30)],
        ),
        (
            date(2027, 3, 15),
            [date(2027, 4, 15), date(2027, 6, 15), date(2027, 9, 15), date(2028, 3, 15)],
        ),
    ],
)
def test_review_due_dates_clamp_to_the_month_end(
    time_machine, team_a, practitioner, ended_on: date, due: list[date]
) -> None:
    time_machine.move_to(at(ended_on.year, ended_on.month, ended_on.day, 17), tick=False)
    case = CaseFactory(
        team=team_a,
        worker=practitioner,
        stage=Stage.PHASE1,
        phase1_start=ended_on - timedelta(weeks=6),
    )
    agree_family_plan(
        case_id=case.pk,
        user=practitioner,
        needs="n",
        service_actions="s",
        invited_services=[],
        agreed_on=ended_on,
    )
    end_phase1(case_id=case.pk, user=practitioner, ended_on=ended_on)
    assert (
        list(
            Review.objects.filter(case=case)
            .order_by("offset_months")
            .values_list("due_on", flat=True)
        )
        == due
    )


def test_end_phase1_follows_the_team_review_offsets(journey: Journey) -> None:
    journey.team.review_offsets_months = [2, 6, 6, 12]
    journey.team.save()
    case = journey.to_phase2()
    assert list(
        Review.objects.filter(case=case)
        .order_by("offset_months")
        .values_list("offset_months", "due_on")
    ) == [(2, date(2027, 3, 31)), (6, date(2027, 7, 31)), (12, date(2028, 1, 31))]


def test_end_phase1_without_a_family_plan_is_refused(journey: Journey) -> None:
    journey.to_phase1()
    journey.travel(at(2027, 2, 1, 9))
    with pytest.raises(ServiceError, match="Agree the Family Plan"):
        end_phase1(case_id=journey.case.pk, user=journey.practitioner, ended_on=PHASE1_END)
    case = journey.reload()
    assert case.stage == Stage.PHASE1
    assert case.phase1_end is None
    assert not Review.objects.filter(case=case).exists()


def test_end_phase1_dates(journey: Journey) -> None:
    journey.to_phase1()
    journey.travel(at(2027, 1, 29, 14))
    journey.agree_plan()
    with pytest.raises(ServiceError, match="cannot end before it started"):
        end_phase1(
            case_id=journey.case.pk,
            user=journey.practitioner,
            ended_on=PHASE1_START - timedelta(days=1),
        )
    with pytest.raises(ServiceError, match="cannot end in the future"):
        end_phase1(case_id=journey.case.pk, user=journey.practitioner, ended_on=PHASE1_END)
    case = journey.reload()
    assert (case.stage, case.phase1_end) == (Stage.PHASE1, None)


def test_end_phase1_outside_phase1_is_refused(journey: Journey) -> None:
    journey.start_assessment()
    with pytest.raises(ServiceError, match="Only a case in Phase 1"):
        end_phase1(case_id=journey.case.pk, user=journey.practitioner, ended_on=date(2026, 12, 15))
    assert journey.reload().stage == Stage.ASSESSMENT


def test_end_phase1_with_a_stale_version_is_refused(journey: Journey) -> None:
    journey.to_phase1()
    journey.travel(at(2027, 2, 1, 9))
    journey.agree_plan()
    version = journey.reload().version
    with pytest.raises(StaleEdit):
        end_phase1(
            case_id=journey.case.pk,
            user=journey.practitioner,
            ended_on=PHASE1_END,
            version=version - 1,
        )
    assert journey.reload().stage == Stage.PHASE1
    end_phase1(
        case_id=journey.case.pk, user=journey.practitioner, ended_on=PHASE1_END, version=version
    )
    assert journey.reload().stage == Stage.PHASE2


def test_step_down_is_refused_when_the_team_does_not_use_it(journey: Journey) -> None:
    assert journey.team.step_down_enabled is False
    journey.to_phase1()
    journey.travel(at(2027, 2, 1, 9))
    journey.agree_plan()
    with pytest.raises(ServiceError) as refused:
        end_phase1(
            case_id=journey.case.pk, user=journey.practitioner, ended_on=PHASE1_END, step_down=True
        )
    assert str(refused.value) == "A case cannot move from Phase 1 to Step-down."
    case = journey.reload()
    assert case.stage == Stage.PHASE1
    assert case.phase1_end is None  # rolled back with the refused move
    assert not Review.objects.filter(case=case).exists()


def test_step_down_when_the_team_uses_it(journey: Journey) -> None:
    journey.team.step_down_enabled = True
    journey.team.save()
    journey.to_phase1()
    journey.travel(at(2027, 2, 1, 9))
    journey.agree_plan()
    case = end_phase1(
        case_id=journey.case.pk, user=journey.practitioner, ended_on=PHASE1_END, step_down=True
    )
    assert case.stage == Stage.STEP_DOWN
    # The review clock starts at the end of Phase 1, not the end of the step-down.
    assert Review.objects.filter(case=case).count() == 4
    assert Review.objects.get(case=case, offset_months=1).due_on == date(2027, 2, 28)
    assert stage_notices(journey.referrer, case) == [f"{case.referral.reference}: Phase 1"]

    journey.travel(at(2027, 2, 14, 9))
    case = finish_step_down(case_id=case.pk, user=journey.practitioner, version=case.version)
    assert case.stage == Stage.PHASE2
    assert history(case)[-2:] == [
        (Stage.PHASE1, Stage.STEP_DOWN),
        (Stage.STEP_DOWN, Stage.PHASE2),
    ]
    assert Review.objects.filter(case=case).count() == 4
    assert stage_notices(journey.referrer, case) == [
        f"{case.referral.reference}: Phase 1",
        f"{case.referral.reference}: Phase 2",
    ]


# --- Closure ------------------------------------------------------------------------------


def test_close_case_derives_success_and_records_outcomes(journey: Journey) -> None:
    journey.to_phase2()
    second_child = PersonFactory(
        family=journey.case.family,
        kind=MemberKind.CHILD,
        relationship=Relationship.CHILD,
        date_of_birth=date(2019, 1, 1),
    )
    journey.travel(at(2028, 2, 5, 10))
    services = list(OnwardService.objects.filter(code__in=["drug-alcohol", "parenting"]))
    closure = closing(
        journey,
        closed_on=date(2028, 2, 4),
        child_outcomes={
            journey.child.pk: ChildOutcomeKind.DEREGISTERED,
            second_child.pk: ChildOutcomeKind.STAYED_HOME,
        },
        destination_services=services,
        substance_change=SubstanceChange.STOPPED,
        notes="Final review held.",
    )
    closure.refresh_from_db()
    assert closure.reason.code == "completed"
    assert closure.derived_success is True
    assert closure.success_override is None
    assert closure.successful is True
    assert closure.closed_on == date(2028, 2, 4)
    assert closure.closed_by == journey.practitioner
    assert closure.substance_change == SubstanceChange.STOPPED
    assert set(closure.destination_services.all()) == set(services)
    assert dict(
        ChildOutcome.objects.filter(closure=closure).values_list("person_id", "outcome")
    ) == {journey.child.pk: "deregistered", second_child.pk: "stayed_home"}
    case = journey.reload()
    assert case.stage == Stage.CLOSED
    assert case.closed_at == at(2028, 2, 4, 12)
    change = StageChange.objects.filter(case=case).latest("changed_at")
    assert (change.from_stage, change.to_stage) == (Stage.PHASE2, Stage.CLOSED)
    assert "Completed" in change.note


@pytest.mark.parametrize(
    ("code", "derived"),
    [
        ("completed", True),
        ("disengaged", False),
        ("moved-away", False),
        ("children-accommodated", False),
        ("stepped-up", False),
        ("other", False),
    ],
)
def test_derived_success_follows_the_closure_reason(
    journey: Journey, code: str, derived: bool
) -> None:
    journey.to_phase1()
    closure = closing(journey, reason=ClosureReason.objects.get(code=code))
    assert closure.derived_success is derived
    assert closure.successful is derived


def test_derived_success_follows_a_team_setting_of_the_reason(journey: Journey) -> None:
    moved = ClosureReason.objects.get(code="moved-away")
    moved.counts_as_success = True
    moved.save()
    journey.to_phase1()
    assert closing(journey, reason=moved).derived_success is True


def test_every_child_needs_an_outcome_at_closure(journey: Journey) -> None:
    """Issue 14: a closure with no child outcome was saved. Every child of the household
    gets one; "not known" is a choice, always with its reason."""
    journey.to_phase1()
    for outcomes in ({}, {journey.child.pk: ""}):
        with pytest.raises(ServiceError, match="outcome for every child"):
            closing(journey, child_outcomes=outcomes)
    with pytest.raises(ServiceError, match="why the outcome is not known"):
        closing(journey, child_outcomes={journey.child.pk: ChildOutcomeKind.NOT_KNOWN})
    with pytest.raises(ServiceError, match="from the list"):
        closing(journey, child_outcomes={journey.child.pk: "thriving"})
    assert not Closure.objects.filter(case=journey.case).exists()
    closure = closing(
        journey,
        child_outcomes={journey.child.pk: ChildOutcomeKind.NOT_KNOWN},
        reasons_not_known={journey.child.pk: "Moved to Scotland; no contact since."},
    )
    outcome = ChildOutcome.objects.get(closure=closure)
    assert (outcome.outcome, outcome.reason_not_known) == (
        "not_known",
        "Moved to Scotland; no contact since.",
    )


def test_substance_change_must_be_chosen(journey: Journey) -> None:
    """Issue 14: an untouched form recorded "stopped". No value is assumed."""
    journey.to_phase1()
    for value in ("", "better"):
        with pytest.raises(ServiceError, match="substance use"):
            closing(journey, substance_change=value)
    assert not Closure.objects.filter(case=journey.case).exists()
    assert closing(journey, substance_change=SubstanceChange.UNKNOWN).substance_change == (
        "unknown"
    )


def test_missing_closing_readings_and_scores_need_a_reason(journey: Journey) -> None:
    """Issue 14: closure asks for the closing readings and GAS scores the team expects."""
    from outcomes.models import Instrument, Occasion
    from outcomes.services import ReadingData, add_goal, record_reading
    from tests.cases.journey import goal_data

    journey.to_phase1()
    add_goal(case_id=journey.case.pk, user=journey.practitioner, data=goal_data(1))
    record_reading(
        case_id=journey.case.pk,
        user=journey.practitioner,
        data=ReadingData(
            person=journey.adult,
            instrument=Instrument.WEMWBS,
            occasion=Occasion.START,
            taken_on=timezone.localdate(),
            total=40,
        ),
    )
    with pytest.raises(ServiceError, match="closing readings or goal scores") as refused:
        closing(journey, measures_missing_reason="  ")
    assert "has not been scored since its baseline" in str(refused.value)
    assert "No closing WEMWBS" in str(refused.value)
    closure = closing(journey, measures_missing_reason="Family moved before the review.")
    assert closure.measures_missing_reason == "Family moved before the review."


def test_child_outcomes_only_for_this_familys_children(journey: Journey) -> None:
    journey.to_phase1()
    stranger = PersonFactory(family=FamilyFactory(team=journey.team), kind=MemberKind.CHILD)
    for person in (stranger, journey.adult):
        with pytest.raises(ServiceError, match="only for this family's children"):
            closing(journey, child_outcomes={person.pk: ChildOutcomeKind.STAYED_HOME})
    assert journey.reload().stage == Stage.PHASE1
    assert not Closure.objects.filter(case=journey.case).exists()


def test_closure_dates_are_checked(journey: Journey) -> None:
    journey.to_phase1()
    with pytest.raises(ServiceError, match="in the future"):
        closing(journey, closed_on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ServiceError, match="before it was allocated"):
        closing(journey, closed_on=date(2026, 12, 13))
    with pytest.raises(ServiceError, match="reason for closing"):
        closing(journey, reason=None)
    assert journey.reload().stage == Stage.PHASE1
    assert not Closure.objects.filter(case=journey.case).exists()


def test_closing_twice_is_refused(journey: Journey) -> None:
    journey.to_phase1()
    closing(journey)
    with pytest.raises(ServiceError, match="already closed"):
        closing(journey, reason=ClosureReason.objects.get(code="other"))
    assert Closure.objects.filter(case=journey.case).count() == 1
    assert Closure.objects.get(case=journey.case).reason.code == "completed"


def test_closing_with_a_stale_version_is_refused(journey: Journey) -> None:
    journey.to_phase1()
    version = journey.reload().version
    with pytest.raises(StaleEdit):
        closing(journey, version=version - 1)
    assert journey.reload().is_open
    closing(journey, version=version)
    assert not journey.reload().is_open


def test_a_child_accommodated_is_not_automatically_a_failure(journey: Journey) -> None:
    journey.to_phase2()
    journey.travel(at(2027, 6, 1, 10))
    closure = closing(
        journey,
        reason=ClosureReason.objects.get(code="children-accommodated"),
        child_outcomes={journey.child.pk: ChildOutcomeKind.ACCOMMODATED},
    )
    assert (closure.derived_success, closure.successful) == (False, False)

    # A practitioner cannot override, nor a manager of another team.
    other_manager = UserFactory(username="manager_elsewhere")
    MembershipFactory(user=other_manager, role=Role.MANAGER)
    for user in (journey.practitioner, other_manager):
        with pytest.raises(ServiceError, match="Only a manager of the team"):
            override_success(
                closure_id=closure.pk,
                user=user,
                successful=True,
                reason="Planned short-term care; mother now in recovery.",
            )
    # A manager must say why.
    for blank in ("", "   "):
        with pytest.raises(ServiceError, match="Give the reason for overriding"):
            override_success(
                closure_id=closure.pk, user=journey.manager, successful=True, reason=blank
            )
    closure.refresh_from_db()
    assert closure.success_override is None
    assert closure.overridden_by is None

    override_success(
        closure_id=closure.pk,
        user=journey.manager,
        successful=True,
        reason="  Planned short-term care; mother now in recovery. ",
    )
    closure.refresh_from_db()
    assert closure.derived_success is False
    assert closure.success_override is True
    assert closure.successful is True
    assert closure.override_reason == "Planned short-term care; mother now in recovery."
    assert closure.overridden_by == journey.manager

    # Clearing the override goes back to the derived class.
    override_success(closure_id=closure.pk, user=journey.manager, successful=None, reason="")
    closure.refresh_from_db()
    assert (closure.success_override, closure.override_reason, closure.overridden_by) == (
        None,
        "",
        None,
    )
    assert closure.successful is False


def test_a_manager_can_override_a_derived_success_downwards(journey: Journey) -> None:
    journey.to_phase1()
    closure = closing(journey)
    override_success(
        closure_id=closure.pk,
        user=journey.manager,
        successful=False,
        reason="Completed on paper; the family disengaged in the last months.",
    )
    closure.refresh_from_db()
    assert (closure.derived_success, closure.successful) == (True, False)


@pytest.mark.parametrize("outcome", [ChildOutcomeKind.CIN_ENDED, ChildOutcomeKind.STILL_CIN])
def test_a_child_in_need_case_closes_with_a_child_in_need_outcome(
    journey: Journey, outcome: str
) -> None:
    journey.to_phase1()
    closure = closing(journey, child_outcomes={journey.child.pk: outcome})
    assert ChildOutcome.objects.get(closure=closure).outcome == outcome


def test_the_child_outcomes_offer_child_in_need_as_well_as_child_protection() -> None:
    labels = dict(ChildOutcomeKind.choices)
    assert labels["cin_ended"] == "Child in Need plan ended / stepped down to universal services"
    assert labels["still_cin"] == "Still a Child in Need"
    assert {"deregistered", "registered"} <= set(labels)  # child protection stays
