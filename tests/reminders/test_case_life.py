"""Thirteen months of one family's case, with the clock moved forward day by day.

The referral arrives, and every step of the case is taken through the services at the
moment a worker would take it. The reminder sweep runs twice a day (09:00 and 17:00,
Europe/London) from the day the referral arrives to a fortnight after the case closes,
and the test asserts exactly which reminders went out, on which day, and to whom.

Calendar (2026 unless said; team defaults: notice 2 days before, escalation 3 days over):
    Mon 5 Jan 10:00   referral received        first contact due Tue 6 Jan 10:00
    Wed 7 Jan 11:00   first contact (late)     assessment due Thu 8 Jan 10:00 (72 h)
    Wed 7 Jan 12:00   accepted                 (screening due Sat 10 Jan: never reminded)
    Wed 7 Jan 14:00   allocated
    Thu 8 Jan 09:30   assessment started
    Fri 9 Jan 15:00   assessment completed; 15:30 proceed: Phase 1 starts; a goal
    10 Jan - 12 Feb   a 2-hour direct contact every day (70 h: never below 50 h projected)
    Thu 15 Jan 12:00  start readings (due Fri 16 Jan 17:00)
    Thu 12 Feb        Family Plan agreed
    Fri 13 Feb        Phase 1 ends after 5 weeks (its 6-week end was due 20 Feb)
    reviews due       13 Mar, 13 May, 13 Aug 2026, Sat 13 Feb 2027 (17:00 on the day)
    held              13 Mar (on the day), 12 May (a day early), 13 Aug (on the day),
                      Thu 18 Feb 2027 (five days late)
    Fri 12 Feb 2027   closure readings (due with the last review, 13 Feb 2027)
    Thu 18 Feb 2027   case closed after the 12-month review
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Assessment, ContactMode, SubstanceChange, WorkType
from families.models import MemberKind
from notifications.models import Notification
from outcomes.models import Instrument, Occasion
from outcomes.services import GoalData, ReadingData, add_goal, record_reading
from reference.models import ClosureReason, GoalCategory, PresentingIssue, ReferralRoute
from referrals import services as referral_services
from referrals.services import MemberData, ReferralData
from reminders import services
from reminders.models import Reminder
from reviews.models import Review
from reviews.services import ReviewData, record_review
from tests.cases.phase1_support import end_phase1_signed_off
from tests.factories import outcome, reason

from .helpers import local, recipients

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

FIRST_DAY = date(2026, 1, 5)
LAST_DAY = date(2027, 3, 4)

# (what, step, the day it was sent). "what" is the kind, or "review-N" for the N-month review.
EXPECTED = {
    ("first_contact", "before", date(2026, 1, 5)),
    ("first_contact", "due", date(2026, 1, 6)),
    ("assessment", "before", date(2026, 1, 7)),
    ("assessment", "due", date(2026, 1, 8)),
    ("start_readings", "before", date(2026, 1, 14)),
    ("review-1", "before", date(2026, 3, 11)),
    ("review-3", "before", date(2026, 5, 11)),
    ("review-6", "before", date(2026, 8, 11)),
    ("review-12", "before", date(2027, 2, 11)),
    ("closure_readings", "before", date(2027, 2, 11)),
    ("review-12", "due", date(2027, 2, 13)),
    ("review-12", "escalate", date(2027, 2, 16)),
}


class Life:
    """The case's records, kept between the events of the calendar."""

    def __init__(self, team, manager, worker, referrer) -> None:
        self.team, self.manager, self.worker, self.referrer = team, manager, worker, referrer
        self.referral = self.case = self.adult = self.child = self.goal = None

    # --- referral and assessment ------------------------------------------------------

    def referral_arrives(self) -> None:
        data = ReferralData(
            team=self.team,
            family_name="Evans family",
            address="2 Station Road",
            postcode="NP20 1AA",
            local_authority=self.team.local_authorities.order_by("pk").first(),
            household_type="lone_mother",
            route=ReferralRoute.objects.get(code="phone"),
            referrer_name="Rhian Social-Worker",
            referrer_role="Social worker",
            referrer_team="Newport North",
            referrer_agency="Newport City Council",
            referrer_local_authority=None,
            referrer_phone="01633 000000",
            referrer_email=self.referrer.email,
            presenting_issues=list(PresentingIssue.objects.all()[:1]),
            proceedings="pre_proceedings",
            consent_given=True,
            consent_date=timezone.localdate(),
            reason_for_referral="Mother's drinking is affecting school attendance.",
            members=[
                MemberData(
                    kind=MemberKind.ADULT,
                    first_name="Carys",
                    last_name="Evans",
                    relationship="mother",
                    date_of_birth=date(1990, 2, 3),
                ),
                MemberData(
                    kind=MemberKind.CHILD,
                    first_name="Dylan",
                    last_name="Evans",
                    relationship="child",
                    date_of_birth=date(2018, 6, 7),
                ),
            ],
        )
        self.referral = referral_services.submit_referral(
            user=self.referrer, data=data, submission_key=uuid.uuid4()
        )
        people = {p.first_name: p for p in self.referral.family.members.all()}
        self.adult, self.child = people["Carys"], people["Dylan"]

    def first_contact(self) -> None:
        referral_services.record_first_contact(
            referral_id=self.referral.pk,
            user=self.manager,
            contacted_at=timezone.now(),
            spoken_to="Referrer",
            method="phone",
        )

    def accept(self) -> None:
        referral_services.decide_referral(
            referral_id=self.referral.pk,
            user=self.manager,
            outcome=outcome("accepted"),
            reason=reason("accepted"),
        )

    def allocate(self) -> None:
        self.case = referral_services.allocate_referral(
            referral_id=self.referral.pk, user=self.manager, worker=self.worker
        )

    def start_assessment(self) -> None:
        case_services.start_assessment(
            case_id=self.case.pk, user=self.worker, started_at=timezone.now()
        )

    def complete_assessment(self) -> None:
        assessment = Assessment.objects.get(case=self.case)
        case_services.update_assessment(
            assessment_id=assessment.pk,
            user=self.worker,
            version=assessment.version,
            completed_at=timezone.now(),
            hours_spent=Decimal("7.5"),
            safety_plan="Grandmother collects the children if a parent has been drinking.",
            safety_plan_agreed_on=timezone.localdate(),
        )

    def proceed(self) -> None:
        case = case_services.decide_after_assessment(
            case_id=self.case.pk, user=self.worker, decision="proceed"
        )
        assert case.phase1_start == date(2026, 1, 9)
        self.goal = add_goal(
            case_id=self.case.pk,
            user=self.worker,
            data=GoalData(
                title="The children are at school every day",
                category=GoalCategory.objects.order_by("pk").first(),
                is_substance=False,
                members=[self.child],
                levels={
                    -2: "Misses most days",
                    -1: "Misses some days",
                    0: "Misses one day a fortnight",
                    1: "Misses one day a month",
                    2: "Never misses",
                },
                baseline=-1,
            ),
        )

    # --- Phase 1 --------------------------------------------------------------------

    def contact(self) -> None:
        case_services.record_contact(
            case_id=self.case.pk,
            user=self.worker,
            data=case_services.ContactData(
                started_at=timezone.now(),
                duration_minutes=120,
                mode=ContactMode.HOME_VISIT,
                work_type=WorkType.DIRECT,
                out_of_hours=False,
                people_seen=[self.adult, self.child],
                methods=[],
            ),
        )

    def readings(self, occasion: str) -> None:
        today = timezone.localdate()
        record_reading(
            case_id=self.case.pk,
            user=self.worker,
            data=ReadingData(
                person=self.adult,
                instrument=Instrument.WEMWBS,
                occasion=occasion,
                taken_on=today,
                total=40,
            ),
        )
        record_reading(
            case_id=self.case.pk,
            user=self.worker,
            data=ReadingData(
                person=self.child,
                instrument=Instrument.SDQ,
                occasion=occasion,
                taken_on=today,
                sdq_emotional=5,
                sdq_conduct=4,
                sdq_hyperactivity=6,
                sdq_peer=3,
                sdq_prosocial=7,
                sdq_informant="parent",
                sdq_version="4_17",
            ),
        )

    def plan(self) -> None:
        case_services.agree_family_plan(
            case_id=self.case.pk,
            user=self.worker,
            needs="Stable routines.",
            service_actions="IFST: weekly visits.",
            invited_services=[],
            agreed_on=timezone.localdate(),
        )

    def end_phase1(self) -> None:
        case = end_phase1_signed_off(
            case_id=self.case.pk,
            worker=self.worker,
            manager=self.manager,
            ended_on=timezone.localdate(),
        )
        assert (case.phase1_end - case.phase1_start).days == 35  # five weeks
        assert [(r.offset_months, r.due_on) for r in Review.objects.filter(case=case)] == [
            (1, date(2026, 3, 13)),
            (3, date(2026, 5, 13)),
            (6, date(2026, 8, 13)),
            (12, date(2027, 2, 13)),
        ]

    # --- Phase 2 and closure --------------------------------------------------------

    def review(self, months: int) -> None:
        review = Review.objects.get(case=self.case, offset_months=months)
        record_review(
            review_id=review.pk,
            user=self.worker,
            version=review.version,
            data=ReviewData(
                held_on=timezone.localdate(),
                attendees="Mother, social worker",
                progress="Going well.",
                plan_still_fit=True,
                services_signposted=[],
                scores={self.goal.pk: 1},
                outside_window_reason="Held when the family could be seen.",
            ),
        )

    def close(self) -> None:
        case = self.case
        case.refresh_from_db()
        case_services.close_case(
            case_id=case.pk,
            user=self.worker,
            reason=ClosureReason.objects.get(code="completed"),
            closed_on=timezone.localdate(),
            substance_change=SubstanceChange.REDUCED,
            child_outcomes={self.child.pk: "stayed_home"},
            destination_services=[],
            version=case.version,
        )


def calendar(life: Life) -> dict[datetime, Callable[[], None]]:
    d = date
    events: dict[datetime, Callable[[], None]] = {
        local(d(2026, 1, 5), 10): life.referral_arrives,
        local(d(2026, 1, 7), 11): life.first_contact,
        local(d(2026, 1, 7), 12): life.accept,
        local(d(2026, 1, 7), 14): life.allocate,
        local(d(2026, 1, 8), 9, 30): life.start_assessment,
        local(d(2026, 1, 9), 15): life.complete_assessment,
        local(d(2026, 1, 9), 15, 30): life.proceed,
        local(d(2026, 1, 15), 12): lambda: life.readings(Occasion.START),
        local(d(2026, 2, 12), 14): life.plan,
        local(d(2026, 2, 13), 12): life.end_phase1,
        local(d(2026, 3, 13), 12): lambda: life.review(1),
        local(d(2026, 5, 12), 14): lambda: life.review(3),
        local(d(2026, 8, 13), 11): lambda: life.review(6),
        local(d(2027, 2, 12), 12): lambda: life.readings(Occasion.CLOSURE),
        local(d(2027, 2, 18), 11): lambda: life.review(12),
        local(d(2027, 2, 18), 15): life.close,
    }
    day = d(2026, 1, 10)
    while day <= d(2026, 2, 12):
        events[local(day, 10)] = life.contact
        day += timedelta(days=1)
    return events


def sweep_moments() -> list[datetime]:
    moments = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        moments += [local(day, 9), local(day, 17)]
        day += timedelta(days=1)
    return moments


def describe(reminder: Reminder) -> tuple[str, str, date]:
    what = reminder.kind
    if reminder.item_type == "review":
        what = f"review-{Review.objects.get(pk=reminder.item_id).offset_months}"
    return what, reminder.step, timezone.localdate(reminder.created_at)


@pytest.mark.slow
def test_thirteen_months_of_a_case_send_exactly_the_expected_reminders(
    time_machine, team_a, manager, practitioner, referrer
):
    life = Life(team_a, manager, practitioner, referrer)
    events = calendar(life)
    sweeps = sweep_moments()
    assert len(sweeps) > 800
    assert not set(events) & set(sweeps)

    for moment in sorted([*events, *sweeps]):
        time_machine.move_to(moment, tick=False)
        if moment in events:
            events[moment]()
        else:
            services.sweep(now=moment)

    reminders = list(Reminder.objects.order_by("created_at", "pk"))
    sent = {describe(r) for r in reminders}
    assert sent == EXPECTED, (
        f"missing: {sorted(EXPECTED - sent)}\nunexpected: {sorted(sent - EXPECTED)}"
    )
    assert len(reminders) == len(EXPECTED)

    # Every reminder went out at the first sweep inside its window: all of this case's
    # windows open before a 17:00 sweep (10:00 due times for the referral and assessment,
    # 17:00 for reviews and readings), so every one was sent at 17:00.
    assert {timezone.localtime(r.created_at).strftime("%H:%M") for r in reminders} == {"17:00"}

    # To whom: referral deadlines (before a worker is allocated) and escalations go to the
    # manager; notices before and on the day go to the worker.
    for reminder in reminders:
        what, step, day = describe(reminder)
        if reminder.item_type == "referral" or step == "escalate":
            expected = [manager.username]
        else:
            expected = [practitioner.username]
        assert recipients(reminder) == expected, (what, step, day)

    escalation = Notification.objects.get(reminder__step="escalate")
    case_pk = Review.objects.get(offset_months=12).case_id
    assert escalation.subject == f"Overdue: Phase 2 review, Case {case_pk}"
    assert escalation.body == "12-month review. Due 13 Feb 2027 17:00."
    assert escalation.url == f"/reviews/{Review.objects.get(offset_months=12).pk}/"
    notice = Notification.objects.get(reminder__kind="review", reminder__step="due")
    assert notice.subject == f"Due now: Phase 2 review, Case {case_pk}"
    assert notice.recipient == practitioner
    assert Notification.objects.filter(reminder__step="before").count() == 8
    # Nothing was summarised and no waiting-list recheck was due (nobody was waiting).
    assert not Reminder.objects.filter(step="summary").exists()
    assert not Reminder.objects.filter(kind="waiting_recheck").exists()
