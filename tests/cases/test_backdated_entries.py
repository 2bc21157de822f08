"""Issue 14, finding 2: a date typed in the past is the date the record and the figures use.

Every dated service is run with a backdated entry: typed for Tuesday 30 March 2027 (the
last quarter of 2026-27) and keyed in on Friday 2 April 2027 (the next financial year).
Each scenario checks the stored rows carry the typed date, and that the effect lands in
the report figures of the typed date's quarter, not the quarter of entry.

The table is checked against the services modules: a new keyword-only parameter ending
in _on, _at, date, _start or _end (or such a field of a dataclass parameter) fails
`test_every_dated_service_is_covered` until a scenario covers it here.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import uuid
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from cases import pathway
from cases.models import Assessment, ChildOutcomeKind, Closure, ContactMode, StageChange, WorkType
from cases.services import (
    ContactData,
    agree_family_plan,
    close_case,
    correct_contact,
    decide_after_assessment,
    decide_phase1_signoff,
    end_phase1,
    finish_step_down,
    phase1_shortfall,
    record_contact,
    request_phase1_signoff,
    start_assessment,
    update_assessment,
)
from families.models import ConsentTopic
from families.services import record_consent
from outcomes.models import GoalScore, Instrument, Occasion, Reading, ServiceOccasion, ServiceUse
from outcomes.services import (
    ReadingData,
    ServiceUseData,
    add_goal,
    correct_reading,
    record_reading,
    record_service_use,
)
from reference.models import ClosureReason, NotProceedReason, OnwardService, ServiceType
from referrals.models import ScreeningDecision
from referrals.services import (
    allocate_referral,
    decide_referral,
    record_first_contact,
    submit_referral,
)
from reporting.periods import quarter
from reporting.queries import Report, team_scope
from reviews.models import Booster, Requester, Review
from reviews.services import ReviewData, correct_review, record_booster, record_review
from tests.cases.journey import goal_data, make_case
from tests.cases.phase1_support import end_phase1 as end_phase1_signed_off
from tests.factories import ReferralFactory, outcome, reason
from tests.referrals import test_services as referral_tests

pytestmark = pytest.mark.django_db

Stage = pathway.Stage
LONDON = ZoneInfo("Europe/London")


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=LONDON)


TYPED_DAY = date(2027, 3, 30)  # in Q4 2026-27
TYPED = at(2027, 3, 30, 11)
SET_UP = at(2027, 3, 29, 18)  # the work before the entry
ENTERED = at(2027, 4, 2, 10)  # keyed in after the year ended
TYPED_QUARTER = quarter(2026, 4)  # January - March 2027
ENTRY_QUARTER = quarter(2027, 1)  # April - June 2027


@dataclasses.dataclass
class World:
    team: object
    manager: object
    worker: object
    referrer: object
    clock: object  # the time_machine fixture

    def case(self, stage: str, **kwargs):
        """A case built through the services before the typed day; the clock then moves
        to the moment of entry."""
        self.clock.move_to(SET_UP, tick=False)
        journey = make_case(
            self.team, self.manager, self.worker, self.referrer, stage=stage, **kwargs
        )
        self.enter()
        return journey

    def enter(self) -> None:
        self.clock.move_to(ENTERED, tick=False)

    def figures(self, period) -> Report:
        return Report(team_scope(self.team), period)

    def both(self, figure: Callable[[Report], object]) -> tuple:
        """The figure in the typed quarter and in the quarter of entry."""
        return figure(self.figures(TYPED_QUARTER)), figure(self.figures(ENTRY_QUARTER))


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def stage_change(case, to_stage: str) -> StageChange:
    return StageChange.objects.get(case=case, to_stage=to_stage)


def phases(name: str) -> Callable[[Report], int]:
    return lambda r: r.phases().rows[0][name]


# --- The scenarios, one per dated service ----------------------------------------------


def first_contact(w: World) -> None:
    w.clock.move_to(at(2027, 3, 29, 15), tick=False)
    referral = ReferralFactory(team=w.team, created_by=w.referrer)
    w.enter()
    record_first_contact(
        referral_id=referral.pk,
        user=w.manager,
        contacted_at=TYPED,
        spoken_to="The referrer",
        method="phone",
    )
    referral.refresh_from_db()
    assert referral.first_contact_at == TYPED
    # 20 hours after receipt as typed (67 hours as keyed in): within the 24-hour target.
    in_time = w.figures(TYPED_QUARTER).first_contact_in_time()
    assert (in_time.numerator, in_time.denominator) == (1, 1)


def screening_decision(w: World) -> None:
    w.clock.move_to(at(2027, 3, 29, 9), tick=False)
    referral = ReferralFactory(team=w.team, created_by=w.referrer)
    w.enter()
    decide_referral(
        referral_id=referral.pk,
        user=w.manager,
        outcome=outcome("accepted"),
        reason=reason("accepted"),
        decided_at=TYPED,
    )
    assert ScreeningDecision.objects.get(referral=referral).decided_at == TYPED
    assert w.both(lambda r: r.referral_outcomes().value) == (1, 0)


def allocation(w: World) -> None:
    w.clock.move_to(at(2027, 3, 29, 9), tick=False)
    referral = ReferralFactory(team=w.team, created_by=w.referrer)
    decide_referral(
        referral_id=referral.pk,
        user=w.manager,
        outcome=outcome("accepted"),
        reason=reason("accepted"),
    )
    w.enter()
    case = allocate_referral(
        referral_id=referral.pk, user=w.manager, worker=w.worker, allocated_at=TYPED
    )
    case.refresh_from_db()
    assert case.allocated_at == TYPED
    assert stage_change(case, Stage.AWAITING_ASSESSMENT).changed_at == TYPED
    # Worked with in the quarter it was allocated in (as keyed in, it began in April).
    assert w.figures(TYPED_QUARTER).families_worked_with().value == 1


def assessment_start(w: World) -> None:
    case = w.case(Stage.AWAITING_ASSESSMENT).case
    start_assessment(case_id=case.pk, user=w.worker, started_at=TYPED)
    assert Assessment.objects.get(case=case).started_at == TYPED
    assert stage_change(case, Stage.ASSESSMENT).changed_at == TYPED
    assert w.both(phases("entered_assessment")) == (1, 0)


def assessment_completion(w: World) -> None:
    j = w.case(Stage.ASSESSMENT)
    assessment = j.assessment
    update_assessment(
        assessment_id=assessment.pk,
        user=w.worker,
        version=assessment.version,
        completed_at=TYPED,
        hours_spent=Decimal("8"),
        safety_plan="Grandmother collects the children.",
        safety_plan_agreed_on=TYPED_DAY,
    )
    assessment.refresh_from_db()
    assert (assessment.completed_at, assessment.safety_plan_agreed_on) == (TYPED, TYPED_DAY)
    assert w.both(lambda r: r.assessment_times().denominator) == (1, 0)


def phase1_start(w: World) -> None:
    j = w.case(Stage.ASSESSMENT, complete_assessment=True)  # completed on 29 March
    decide_after_assessment(
        case_id=j.case.pk,
        user=w.worker,
        decision="proceed",
        phase1_start=TYPED_DAY,
        slip_reason="Court hearing on the 29th.",
    )
    case = j.reload()
    assert case.phase1_start == TYPED_DAY
    assert local_day(stage_change(case, Stage.PHASE1).changed_at) == TYPED_DAY
    assert w.both(phases("entered_phase1")) == (1, 0)


def not_proceeding(w: World) -> None:
    j = w.case(Stage.ASSESSMENT, complete_assessment=True)
    decide_after_assessment(
        case_id=j.case.pk,
        user=w.worker,
        decision="not_proceed",
        not_proceed_reason=NotProceedReason.objects.order_by("pk").first(),
        decided_on=TYPED_DAY,
    )
    case = j.reload()
    assert local_day(case.closed_at) == TYPED_DAY
    assert local_day(stage_change(case, Stage.CLOSED).changed_at) == TYPED_DAY
    # Closed in March: not a family worked with in April-June.
    assert w.both(lambda r: r.families_worked_with().value) == (1, 0)


def phase1_end(w: World) -> None:
    j = w.case(Stage.PHASE1, phase1_started_days_ago=30, plans=1)
    # Short of the model: the worker asks, a manager signs off (tests.cases.phase1_support).
    end_phase1_signed_off(case_id=j.case.pk, user=w.worker, ended_on=TYPED_DAY)
    case = j.reload()
    assert case.phase1_end == TYPED_DAY
    assert local_day(stage_change(case, Stage.PHASE2).changed_at) == TYPED_DAY
    # The reviews are due from the typed end of Phase 1.
    assert Review.objects.get(case=case, offset_months=1).due_on == date(2027, 4, 30)
    assert w.both(phases("completed_phase1")) == (1, 0)
    assert w.both(lambda r: r.phase1_lengths().denominator) == (1, 0)


def phase1_signoff(w: World) -> None:
    """A sign-off asked for an ending on the typed day: the shortfall is measured to that
    day, and the ending it allows lands there."""
    j = w.case(Stage.PHASE1, phase1_started_days_ago=30, plans=1)
    signoff = request_phase1_signoff(
        case_id=j.case.pk, user=w.worker, reason="The family moves away.", ends_on=TYPED_DAY
    )
    assert signoff.shortfall == "; ".join(phase1_shortfall(j.reload(), TYPED_DAY))
    decide_phase1_signoff(case_id=j.case.pk, user=w.manager, approved=True, note="Agreed.")
    end_phase1(
        case_id=j.case.pk,
        user=w.worker,
        ended_on=TYPED_DAY,
        outcomes_missing_reason="Not taken before the move.",
    )
    case = j.reload()
    assert case.phase1_end == TYPED_DAY
    assert w.both(phases("completed_phase1")) == (1, 0)


def step_down_end(w: World) -> None:
    w.team.step_down_enabled = True
    w.team.save()
    j = w.case(Stage.PHASE1, phase1_started_days_ago=40, plans=1)
    w.clock.move_to(SET_UP, tick=False)
    end_phase1_signed_off(
        case_id=j.case.pk, user=w.worker, ended_on=date(2027, 3, 20), step_down=True
    )
    w.enter()
    finish_step_down(case_id=j.case.pk, user=w.worker, finished_on=TYPED_DAY)
    case = j.reload()
    assert case.stage == Stage.PHASE2
    assert local_day(stage_change(case, Stage.PHASE2).changed_at) == TYPED_DAY
    assert w.both(phases("entered_phase2")) == (1, 0)


def family_plan(w: World) -> None:
    j = w.case(Stage.PHASE1, phase1_started_days_ago=30)
    plan = agree_family_plan(
        case_id=j.case.pk,
        user=w.worker,
        needs="Routines.",
        service_actions="Weekly visits.",
        invited_services=[],
        agreed_on=TYPED_DAY,
    )
    plan.refresh_from_db()
    assert plan.agreed_on == TYPED_DAY  # no figure reads plans


def contact(w: World) -> None:
    j = w.case(Stage.PHASE1, phase1_started_days_ago=30, contacts=0)
    record_contact(
        case_id=j.case.pk,
        user=w.worker,
        data=ContactData(
            started_at=TYPED,
            duration_minutes=90,
            mode=ContactMode.HOME_VISIT,
            work_type=WorkType.DIRECT,
            out_of_hours=False,
            people_seen=[j.adult],
            methods=[],
        ),
    )
    assert j.case.contacts.get().started_at == TYPED
    assert w.both(lambda r: r.direct_hours().value) == (1.5, 0)


def goal_baseline(w: World) -> None:
    j = w.case(Stage.PHASE1, phase1_started_days_ago=30, goals=0)
    goal = add_goal(case_id=j.case.pk, user=w.worker, data=goal_data(1), scored_on=TYPED_DAY)
    assert GoalScore.objects.get(goal=goal, review=None).scored_on == TYPED_DAY


def reading(w: World) -> None:
    j = w.case(Stage.PHASE2, phase1_ended_days_ago=5, readings=1)  # WEMWBS at the start
    record_reading(
        case_id=j.case.pk,
        user=w.worker,
        data=ReadingData(
            person=j.adult,
            instrument=Instrument.WEMWBS,
            occasion=Occasion.CLOSURE,
            taken_on=TYPED_DAY,
            total=50,
        ),
    )
    assert Reading.objects.get(case=j.case, occasion=Occasion.CLOSURE).taken_on == TYPED_DAY
    assert w.both(lambda r: r.reading_change(Instrument.WEMWBS).denominator) == (1, 0)


def services_after(w: World) -> None:
    j = w.case(Stage.PHASE2, phase1_ended_days_ago=5)
    types = list(ServiceType.objects.order_by("pk")[:2])
    for occasion, day, used in (
        (ServiceOccasion.BEFORE, j.case.phase1_start, types[:1]),
        (ServiceOccasion.AFTER, TYPED_DAY, types),
    ):
        record_service_use(
            case_id=j.case.pk,
            user=w.worker,
            data=ServiceUseData(
                person=j.adult, occasion=occasion, recorded_on=day, services=used, version=0
            ),
        )
    after = ServiceUse.objects.get(case=j.case, occasion=ServiceOccasion.AFTER)
    assert after.recorded_on == TYPED_DAY
    assert w.both(lambda r: r.services_accessed().denominator) == (1, 0)


def review(w: World) -> None:
    j = w.case(Stage.PHASE2, phase1_ended_days_ago=35)  # the 1-month review due 22 March
    first = j.reviews[0]
    record_review(
        review_id=first.pk,
        user=w.worker,
        version=first.version,
        data=ReviewData(
            held_on=TYPED_DAY,
            attendees="Mother",
            progress="Calmer mornings.",
            plan_still_fit=True,
            services_signposted=[],
            scores={g.pk: 1 for g in j.goals},
            # 30 March is a day past the 1-month review's window (15-29 March).
            outside_window_reason="The family asked for the Tuesday.",
        ),
    )
    first.refresh_from_db()
    assert first.held_on == TYPED_DAY
    assert {s.scored_on for s in GoalScore.objects.filter(review=first)} == {TYPED_DAY}
    assert w.both(lambda r: r.goals_at_or_above_zero().denominator) == (1, 0)


def booster(w: World) -> None:
    j = w.case(Stage.PHASE2, phase1_ended_days_ago=20)
    record_booster(
        case_id=j.case.pk,
        user=w.worker,
        requested_by=Requester.FAMILY,
        requested_on=TYPED_DAY,
        delivered_by=w.worker,
        delivered_on=TYPED_DAY,
        duration_minutes=60,
    )
    given = Booster.objects.get(case=j.case)
    assert (given.requested_on, given.delivered_on) == (TYPED_DAY, TYPED_DAY)
    assert w.both(lambda r: r.boosters().value) == (1, 0)


def closure(w: World) -> None:
    """The issue's example: closed on 30 March, keyed in on 2 April."""
    j = w.case(Stage.PHASE2, phase1_ended_days_ago=10)
    close_case(
        case_id=j.case.pk,
        user=w.worker,
        reason=ClosureReason.objects.get(code="completed"),
        closed_on=TYPED_DAY,
        substance_change="reduced",
        child_outcomes={j.child.pk: ChildOutcomeKind.STAYED_HOME},
        destination_services=list(OnwardService.objects.order_by("pk")[:1]),
        measures_missing_reason="Goals not scored again before the family moved.",
    )
    case = j.reload()
    assert Closure.objects.get(case=case).closed_on == TYPED_DAY
    assert local_day(case.closed_at) == TYPED_DAY
    assert local_day(stage_change(case, Stage.CLOSED).changed_at) == TYPED_DAY
    # One closure, one period: the typed one.
    assert w.both(phases("completed_phase2")) == (1, 0)
    assert w.both(lambda r: r.throughput()[0]["completed_phase2"]) == (1, 0)
    assert w.both(lambda r: r.child_outcomes().value) == (1, 0)
    assert w.both(lambda r: r.families_worked_with().value) == (1, 0)


def consent(w: World) -> None:
    j = w.case(Stage.PHASE1)
    given = record_consent(
        person=j.adult,
        user=w.worker,
        topic=ConsentTopic.FOLLOW_UP,
        agreed=True,
        who_may_be_told="",
        recorded_on=TYPED_DAY,
    )
    given.refresh_from_db()
    assert given.recorded_on == TYPED_DAY  # no figure reads consents


def referral_received(w: World) -> None:
    """A phone referral keyed in after the weekend."""
    w.enter()
    referral = submit_referral(
        user=w.manager,
        data=referral_tests.make_data(w.team, consent_date=TYPED_DAY),
        submission_key=uuid.uuid4(),
        received_at=TYPED,
    )
    referral.refresh_from_db()
    assert (referral.received_at, referral.consent_date) == (TYPED, TYPED_DAY)
    assert w.both(lambda r: r.referrals_received().value) == (1, 0)


def partner_referral(w: World) -> None:
    """A partner system's referral carries the consent date the referrer typed."""
    from api import services as api_services
    from tests.factories import UserFactory

    admin = UserFactory(username="admin-backdated", is_superuser=True, is_staff=True)
    client = api_services.create_client(
        name="Partner system",
        teams=[w.team],
        can_read_figures=False,
        can_submit_referrals=True,
        requests_per_minute=60,
        by=admin,
    )
    w.enter()
    referral = api_services.submit_partner_referral(
        client=client,
        data=referral_tests.make_data(w.team, consent_date=TYPED_DAY),
        submission_key=uuid.uuid4(),
    )
    referral.refresh_from_db()
    assert referral.consent_date == TYPED_DAY
    assert w.both(lambda r: r.referrals_received().value) == (0, 1)  # received when sent


# Corrections (cases.amendments): an entry keyed in with the wrong day (in the quarter of
# entry) is corrected to the typed day; the figures use the corrected day only.
WRONG = at(2027, 4, 1, 11)


def contact_corrected(w: World) -> None:
    j = w.case(Stage.PHASE1, phase1_started_days_ago=30, contacts=0)

    def data(started_at: datetime) -> ContactData:
        return ContactData(
            started_at=started_at,
            duration_minutes=90,
            mode=ContactMode.HOME_VISIT,
            work_type=WorkType.DIRECT,
            out_of_hours=False,
            people_seen=[j.adult],
            methods=[],
        )

    wrong = record_contact(case_id=j.case.pk, user=w.worker, data=data(WRONG))
    wrong.refresh_from_db()
    right = correct_contact(
        contact_id=wrong.pk,
        user=w.worker,
        data=data(TYPED),
        reason="Keyed in with the wrong day",
        version=wrong.version,
    )
    assert right.started_at == TYPED
    assert w.both(lambda r: r.direct_hours().value) == (1.5, 0)


def reading_corrected(w: World) -> None:
    j = w.case(Stage.PHASE2, phase1_ended_days_ago=5, readings=1)  # WEMWBS at the start

    def data(day: date) -> ReadingData:
        return ReadingData(
            person=j.adult,
            instrument=Instrument.WEMWBS,
            occasion=Occasion.CLOSURE,
            taken_on=day,
            total=50,
        )

    wrong = record_reading(case_id=j.case.pk, user=w.worker, data=data(local_day(WRONG)))
    wrong.refresh_from_db()
    right = correct_reading(
        reading_id=wrong.pk,
        user=w.worker,
        data=data(TYPED_DAY),
        reason="Keyed in with the wrong day",
        version=wrong.version,
    )
    assert right.taken_on == TYPED_DAY
    assert w.both(lambda r: r.reading_change(Instrument.WEMWBS).denominator) == (1, 0)


def review_corrected(w: World) -> None:
    j = w.case(Stage.PHASE2, phase1_ended_days_ago=35)  # the 1-month review due 22 March
    first = j.reviews[0]

    def data(day: date) -> ReviewData:
        return ReviewData(
            held_on=day,
            attendees="Mother",
            progress="Calmer mornings.",
            plan_still_fit=True,
            services_signposted=[],
            scores={g.pk: 1 for g in j.goals},
            # Both days fall outside the 1-month review's window (15-29 March).
            outside_window_reason="The family asked for the Tuesday.",
        )

    record_review(
        review_id=first.pk, user=w.worker, version=first.version, data=data(local_day(WRONG))
    )
    first.refresh_from_db()
    right = correct_review(
        review_id=first.pk,
        user=w.worker,
        data=data(TYPED_DAY),
        reason="Keyed in with the wrong day",
        version=first.version,
    )
    assert right.held_on == TYPED_DAY
    assert {s.scored_on for s in GoalScore.objects.filter(review=right)} == {TYPED_DAY}
    assert w.both(lambda r: r.goals_at_or_above_zero().denominator) == (1, 0)


# Every dated parameter of every service, and the scenario that proves it.
COVERED: dict[str, Callable[[World], None]] = {
    "referrals.services.submit_referral:received_at": referral_received,
    "referrals.services.submit_referral:data.consent_date": referral_received,
    "api.services.submit_partner_referral:data.consent_date": partner_referral,
    "referrals.services.record_first_contact:contacted_at": first_contact,
    "referrals.services.decide_referral:decided_at": screening_decision,
    "referrals.services.allocate_referral:allocated_at": allocation,
    # allocate_referral opens the case through it, with the typed moment.
    "cases.services.open_case:allocated_at": allocation,
    "cases.services.start_assessment:started_at": assessment_start,
    "cases.services.update_assessment:completed_at": assessment_completion,
    "cases.services.update_assessment:safety_plan_agreed_on": assessment_completion,
    "cases.services.decide_after_assessment:phase1_start": phase1_start,
    "cases.services.decide_after_assessment:decided_on": not_proceeding,
    "cases.services.end_phase1:ended_on": phase1_end,
    "cases.services.request_phase1_signoff:ends_on": phase1_signoff,
    "cases.services.finish_step_down:finished_on": step_down_end,
    "cases.services.agree_family_plan:agreed_on": family_plan,
    "cases.services.record_contact:data.started_at": contact,
    "cases.services.close_case:closed_on": closure,
    "outcomes.services.add_goal:scored_on": goal_baseline,
    "outcomes.services.record_reading:data.taken_on": reading,
    "outcomes.services.record_service_use:data.recorded_on": services_after,
    "reviews.services.record_review:data.held_on": review,
    "reviews.services.record_booster:requested_on": booster,
    "reviews.services.record_booster:delivered_on": booster,
    "families.services.record_consent:recorded_on": consent,
    "cases.services.correct_contact:data.started_at": contact_corrected,
    "outcomes.services.correct_reading:data.taken_on": reading_corrected,
    "reviews.services.correct_review:data.held_on": review_corrected,
}
SCENARIOS = list(dict.fromkeys(COVERED.values()))
DATED = ("_on", "_at", "date", "_start", "_end")


def dated_parameters() -> set[str]:
    """Keyword-only parameters of the public functions in every app's services modules
    whose names say they are dates, and such fields of dataclass parameters."""
    found: set[str] = set()
    root = Path(settings.BASE_DIR)
    for path in sorted(root.glob("*/services*.py")):
        module = importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            for param in inspect.signature(function).parameters.values():
                if param.kind is not param.KEYWORD_ONLY:
                    continue
                where = f"{module.__name__}.{name}:{param.name}"
                if param.name.endswith(DATED):
                    found.add(where)
                kind = param.annotation
                kind = module.__dict__.get(kind) if isinstance(kind, str) else kind
                if dataclasses.is_dataclass(kind):
                    found |= {
                        f"{where}.{f.name}"
                        for f in dataclasses.fields(kind)
                        if f.name.endswith(DATED)
                    }
    return found


def test_every_dated_service_is_covered() -> None:
    found = dated_parameters()
    assert "cases.services.close_case:closed_on" in found  # the scan sees what it should
    assert found - set(COVERED) == set(), "a dated service with no backdated-entry scenario"
    assert set(COVERED) - found == set(), "a scenario for a parameter that no longer exists"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
def test_a_backdated_entry_lands_in_the_period_of_its_typed_date(
    scenario, time_machine, team_a, manager, practitioner, referrer
) -> None:
    scenario(World(team_a, manager, practitioner, referrer, time_machine))
