"""A hand-built world for the report card tests: two teams, a few dozen families with
known journeys, built through the real services with the clock moved to each event.

The reporting period is financial Q1 2025-26 (1 April - 30 June 2025). Reports are
computed with the clock frozen at REPORT_NOW (Saturday 5 July 2025, midday), so a few
events fall just after the quarter, and a few families were referred in the quarter
before (Q4 2024-25) or a year earlier (for the 12-month measures).

Teams
  Taff IFST (A): Cardiff and Vale of Glamorgan; first contact 24 h, assessment 72 h.
  Usk IFST (B):  Newport; first contact 48 h, assessment 96 h.

Families referred in Q1 (the cohort). Times are local (BST). "fc" = first contact with
the referrer, "asmt" = assessment (hours from the start of the assessment clock).

  A1 Morgan   Cardiff  1 Apr 09:00  fc 6 h   accepted; asmt 56 h; proceed 3 Apr; 4 x 180 min
              direct + 60 min indirect; Phase 1 ended 8 May (35 d); 1-month review held on
              its due date 8 Jun (G1 substance -2 -> 0 [Sian F], G2 -1 -> +1 [Rhys M]);
              WEMWBS Sian 40 -> 50; booster 20 Jun; positive family feedback 20 Jun.
  A2 Pryce    Cardiff  2 Apr 10:00  fc 24 h exactly; asmt 126 h; proceed 7 Apr; 3 x 120;
              Phase 1 ended 25 Apr (18 d); 1-month review due 25 May held 10 Jun (late)
              (G1 -1 -> -1 [Cerys F]); WEMWBS start only (unpaired); closed 2 Jul (after
              the quarter), Dylan "placed on the register".
  A3 Hughes   Cardiff  3 Apr 09:00  fc 27 h (late); asmt 288 h; proceed 15 Apr; 5 x 150;
              Phase 1 ended 24 Jun (70 d); WEMWBS Owen 30 -> 39; SDQ Ffion 20 -> 15;
              positive family feedback 20 Jun.
  A4 Lewis    Cardiff  4 Apr 11:00  no fc; asmt 18 d 1 h; not proceeding 22 Apr (closed).
  A5 Evans    Vale     7 Apr 09:00  fc 8 h; asmt 54 h; no decision yet.
  A6 Jenkins  Cardiff  8 Apr 14:00  fc 2 h; inappropriate 9 Apr.
  A7 Price    Vale    10 Apr 09:00  fc 2 h; referred on 11 Apr.
  A8 Thomas   Cardiff  1 May 09:00  re-referral (case H1 closed 10 Apr 2024); fc 1 h;
              asmt 32 h; proceed 2 May; 2 x 90 min in May, 1 x 60 min on 2 Jul.
  A9 Davies   Cardiff 14 Apr 09:00  fc 3 h; no space (waiting list) 14 Apr, accepted
              5 May, allocated 5 May 10:00 (clock from allocation); asmt 48 h; proceed
              7 May; 3 x 200; Phase 1 ended 18 Jun (42 d); WEMWBS Emma 44 -> 50.
  A10 Roberts Cardiff 30 Jun 23:30  accepted 1 Jul, fc 1 Jul 10:00 (10.5 h); allocated
              1 Jul; asmt 2-3 Jul (64.5 h), no decision.
  B1 Walsh    Newport  2 Apr 09:00  fc 36 h (in time for Usk's 48 h); asmt 96 h exactly;
              proceed 6 Apr; 4 x 120; Phase 1 ended 10 May (34 d); 1-month review on time
              (G1 substance -1 -> +1 [Liam M], G2 -2 -> -1 [Chloe F]); WEMWBS Liam
              32 -> 41; Chloe end-of-Phase-1 reading only (unpaired).
  B2 Khan     Newport  3 Apr 10:00  fc 72 h (late); asmt 143 h; not proceeding 9 Apr;
              negative family feedback 1 Jul.
  B3 Nowak    Newport  7 Apr 09:00  fc 23 h; inappropriate 8 Apr.
  B4 Cole     Newport 22 Apr 09:00  re-referral (case H6 closed 1 Oct 2024); fc 1 h;
              asmt 51 h; proceed 24 Apr; 2 x 60; Phase 1 ended 30 May (36 d); 1-month review
              due and held 30 Jun (G1 substance -2 -> -1 [Jade F]).
  B7 Lloyd    Newport 30 Jun 10:00  no fc; withdrawn 2 Jul; household not recorded.

Families referred earlier, with events in Q1:
  A11 Bowen   Cardiff 31 Mar 23:30 (Q4); accepted 31 Mar 23:45; allocated 1 Apr; asmt
              1-2 Apr (34.5 h); proceed 2 Apr; 2 x 120 in April; Phase 1 ended 30 Jun (89 d).
  A12 Rees    Cardiff 13 Jan; Phase 1 15 Jan - 26 Feb (6 x 120 in Jan/Feb); 1-month review
              26 Mar (Q4); boosters 10 Apr, 20 May; 3-month review due 26 May held 9 Jun
              (14 days: on time) (G1 substance -2 -> +1 [Nerys F], G2 -1 -> 0 [family]);
              closed 27 Jun: Elin stayed at home, Gwen de-registered; WEMWBS Nerys
              36 -> 45 (end of Phase 1, Feb) -> 53 (closure, Jun); SDQ Elin 18 -> 12
              (closure); negative social-worker feedback 27 Jun.
  A13 Ellis   Vale     3 Mar; Phase 1 5 Mar - 30 Apr (56 d); 2 x 120 in March and 3 x 120
              in April; 1-month review due 30 May, never held; positive feedback 31 Mar.
  A14 Hopkins Cardiff  2024; Phase 1 ended 15 Apr 2024; 12-month review held 15 Apr 2025
              (G1 substance -2 -> 0 [Karen F], G2 -1 -> +1 [Dai M]): sustained.
  A15 Powell  Cardiff  2024; Phase 1 ended 2 May 2024; 6-month review 2 Nov 2024; 12-month
              review due 2 May, held 20 May 2025 (late) (G1 -2 -> -1 [family],
              G2 substance -1 -> 0 [Julie F]): not sustained.
  B5 Hill     Newport 10 Mar; Phase 1 12 Mar - 9 Apr (28 d); 2 x 90 in March, 2 x 90 in
              April; 1-month review 9 May on time (G1 substance -1 -> 0 [Craig M]);
              booster 1 Jun; closed 30 Jun: Ella returned home, Finn accommodated; WEMWBS
              Craig 40 -> 44 (end of Phase 1) -> 48 (closure); SDQ Ella 16 -> 13 (closure);
              positive social-worker feedback 15 May.
  B6 Young    Newport 2024; Phase 1 ended 10 Jun 2024; 12-month review due 10 Jun, held
              25 Jun 2025 (late) (G1 substance -2 -> +1 [Tracy F]): sustained.

Cases closed a year before the quarter (April-June 2024), for "not re-referred":
  H1 Thomas   Cardiff closed 10 Apr 2024; re-referred 1 May 2025 (after 12 months): ok.
  H2 Griffiths Vale   closed 20 May 2024; re-referred 15 Aug 2024: not ok.
  H3 Morris   Cardiff closed 28 Jun 2024; never re-referred: ok.
  H4 Ashton   Newport closed 15 Jun 2024; re-referred 10 Mar 2025: not ok.
  H5 Baker    Cardiff closed 1 Jul 2024 (outside the window).
  H6 Cole     Newport closed 1 Oct 2024 (outside the window).

Team activity: consultations Taff 1 Apr, 15 May, 30 Jun (+ 31 Mar), Usk 10 Apr, 20 Jun;
training Taff 14 May (12), 25 Jun (8) (+ 20 Mar, 30), Usk 5 Jun (15); complaints Taff
12 Apr, 30 Jun (+ 15 Mar), Usk 1 Apr (+ 1 Jul).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction
from django.test import override_settings

from accounts.models import LocalAuthority, Membership, Role, Team, User
from cases.models import Case, ChildOutcomeKind, ContactMode, SubstanceChange, WorkType
from cases.services import (
    ContactData,
    agree_family_plan,
    close_case,
    decide_after_assessment,
    finish_step_down,
    record_contact,
    start_assessment,
    update_assessment,
)
from families.models import HouseholdType, MemberKind, Person, Relationship, Sex
from outcomes.models import Instrument, Occasion, ServiceOccasion, ServiceUse
from outcomes.services import GoalData, ReadingData, add_goal, record_reading
from reference.models import (
    ClosureReason,
    GoalCategory,
    NotProceedReason,
    OnwardService,
    PresentingIssue,
    ReferralRoute,
    ServiceType,
    Substance,
)
from referrals.services import (
    MemberData,
    ReferralData,
    allocate_referral,
    decide_referral,
    link_referral_to_family,
    record_first_contact,
    submit_referral,
)
from reporting.periods import Period, quarter
from reporting.queries import Scope, la_scope, team_scope
from reviews.models import Requester, Review
from reviews.services import ReviewData, record_booster, record_review
from teamwork.models import Complaint, Consultation, Feedback, TrainingSession
from tests.cases.phase1_support import end_phase1_signed_off
from tests.factories import outcome, reason

LONDON = ZoneInfo("Europe/London")
Q1 = quarter(2025, 1)  # 1 April - 30 June 2025, "Q1 2025-26"
Q4 = quarter(2024, 4)  # 1 January - 31 March 2025, "Q4 2024-25"
REPORT_NOW = datetime(2025, 7, 5, 12, 0, tzinfo=LONDON)
TAFF, USK = "Taff IFST", "Usk IFST"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=LONDON)


def travel(moment: datetime):
    return time_machine.travel(moment, tick=False)


@contextmanager
def rolled_back(django_db_blocker) -> Iterator[None]:
    """For a module-scoped fixture: everything made inside is rolled back at the end; each
    test runs in a savepoint inside it, as usual."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- People ----------------------------------------------------------------------------


def adult(
    first: str, sex: str, ethnicity: str = "", substances: tuple[str, ...] = (), rel: str = ""
) -> dict:
    relationship = rel or (Relationship.FATHER if sex == Sex.MALE else Relationship.MOTHER)
    return {
        "kind": MemberKind.ADULT,
        "first_name": first,
        "sex": sex,
        "ethnicity": ethnicity,
        "substances": substances,
        "relationship": relationship,
        "date_of_birth": date(1988, 6, 1),
    }


def child(first: str, born: date, sex: str = "") -> dict:
    return {
        "kind": MemberKind.CHILD,
        "first_name": first,
        "sex": sex,
        "relationship": Relationship.CHILD,
        "date_of_birth": born,
    }


def unborn(due: date) -> dict:
    return {
        "kind": MemberKind.UNBORN,
        "first_name": "",
        "relationship": Relationship.CHILD,
        "due_date": due,
    }


# --- The cast: teams and their people -----------------------------------------------------


@dataclass
class Cast:
    taff: Team
    usk: Team
    cardiff: LocalAuthority
    vale: LocalAuthority
    newport: LocalAuthority
    users: dict[str, User]

    def __getattr__(self, name: str) -> User:
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None

    def team(self, key: str) -> Team:
        return {"A": self.taff, "B": self.usk}[key]

    def staff(self, key: str) -> tuple[User, User, User]:
        """(manager, worker, referrer) of team A or B."""
        s = key.lower()
        return self.users[f"manager_{s}"], self.users[f"worker_{s}"], self.users[f"referrer_{s}"]

    # Scopes and periods the tests use
    def scope(self, name: str) -> Scope:
        return {
            "taff": team_scope(self.taff),
            "usk": team_scope(self.usk),
            "cardiff": la_scope(self.cardiff),
            "all": Scope("all"),
        }[name]


def make_cast(
    *,
    taff: str = TAFF,
    usk: str = USK,
    usk_first_contact_hours: int = 48,
    usk_assessment_hours: int = 96,
    prefix: str = "rep",
) -> Cast:
    la = {
        la.name: la
        for la in LocalAuthority.objects.filter(
            name__in=["Cardiff", "Vale of Glamorgan", "Newport"]
        )
    }
    team_a = Team.objects.create(name=taff)
    team_a.local_authorities.set([la["Cardiff"], la["Vale of Glamorgan"]])
    team_b = Team.objects.create(
        name=usk,
        first_contact_hours=usk_first_contact_hours,
        assessment_hours=usk_assessment_hours,
    )
    team_b.local_authorities.set([la["Newport"]])
    users: dict[str, User] = {}
    roles = {
        "manager": Role.MANAGER,
        "worker": Role.PRACTITIONER,
        "referrer": Role.REFERRER,
        "board": Role.BOARD,
        "performance": Role.PERFORMANCE,
    }
    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        for key, team in (("a", team_a), ("b", team_b)):
            for name, role in roles.items():
                user = User.objects.create_user(
                    username=f"{prefix}_{name}_{key}",
                    password="correct horse battery staple",
                    email=f"{prefix}_{name}_{key}@example.org",
                    first_name=name.title(),
                    last_name=key.upper(),
                )
                Membership.objects.create(user=user, team=team, role=role)
                users[f"{name}_{key}"] = user
        users["admin"] = User.objects.create_superuser(
            username=f"{prefix}_admin", email=f"{prefix}_admin@example.org", password="x"
        )
    return Cast(team_a, team_b, la["Cardiff"], la["Vale of Glamorgan"], la["Newport"], users)


# --- One family's journey through the services ---------------------------------------------


@dataclass
class Fam:
    """A family and its current referral and case, moved along by the real services.
    Every step moves the clock to the moment it happens."""

    cast: Cast
    team_key: str
    name: str
    la: LocalAuthority
    household: str
    members: list[dict]
    family: object = None
    referral: object = None
    case: Case | None = None
    goals: list = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)

    @property
    def team(self) -> Team:
        return self.cast.team(self.team_key)

    @property
    def manager(self) -> User:
        return self.cast.staff(self.team_key)[0]

    @property
    def worker(self) -> User:
        return self.cast.staff(self.team_key)[1]

    @property
    def referrer(self) -> User:
        return self.cast.staff(self.team_key)[2]

    def refer(self, when: datetime, *, again: bool = False) -> Fam:
        """Submit a referral; again=True links it to this (known) family: a re-referral."""
        members = [
            MemberData(
                kind=m["kind"],
                last_name=self.name,
                relationship=m["relationship"],
                first_name=m.get("first_name", ""),
                sex=m.get("sex", ""),
                date_of_birth=m.get("date_of_birth"),
                due_date=m.get("due_date"),
                ethnicity=m.get("ethnicity", ""),
                substances=list(Substance.objects.filter(code__in=m.get("substances", ()))),
            )
            for m in ([] if again else self.members)
        ]
        data = ReferralData(
            team=self.team,
            family_name=f"{self.name} family",
            address="1 Test Street",
            postcode="CF10 1AA",
            local_authority=self.la,
            household_type=self.household,
            route=ReferralRoute.objects.get(code="online-form"),
            referrer_name="Sam Social-Worker",
            referrer_role="Social worker",
            referrer_team="Child protection",
            referrer_agency="Children's Services",
            referrer_local_authority=None,
            referrer_phone="01234 567890",
            referrer_email=self.referrer.email,
            presenting_issues=list(
                PresentingIssue.objects.filter(code="parental-substance-misuse")
            ),
            proceedings="none",
            consent_given=True,
            consent_date=when.date(),
            reason_for_referral="Parental substance use affecting the children.",
            members=members,
        )
        with travel(when):
            self.referral = submit_referral(
                user=self.referrer, data=data, submission_key=uuid.uuid4(), received_at=when
            )
            if again:  # the manager links it to the family: a re-referral
                self.referral = link_referral_to_family(
                    referral_id=self.referral.pk, user=self.manager, family_id=self.family.pk
                )
        self.family = self.referral.family
        self.case = None
        self.goals = []
        self.people = {
            p.first_name or "unborn": p for p in Person.objects.filter(family=self.family)
        }
        return self

    def first_contact(self, when: datetime) -> Fam:
        with travel(when):
            record_first_contact(
                referral_id=self.referral.pk,
                user=self.manager,
                contacted_at=when,
                spoken_to="Referrer",
                method="phone",
            )
        return self

    def screen(self, code: str, when: datetime) -> Fam:
        with travel(when):
            decide_referral(
                referral_id=self.referral.pk,
                user=self.manager,
                outcome=outcome(code),
                reason=reason(code),
                detail="Explained." if code == "other" else "",
                onward_service=(
                    OnwardService.objects.get(code="drug-alcohol")
                    if code == "referred-on"
                    else None
                ),
                decided_at=when,
            )
        return self

    def allocate(self, when: datetime) -> Fam:
        with travel(when):
            self.case = allocate_referral(
                referral_id=self.referral.pk,
                user=self.manager,
                worker=self.worker,
                allocated_at=when,
                over_capacity_reason="The fixture's teams carry more than their capacity.",
            )
        return self

    def assess(self, start: datetime, done: datetime | None) -> Fam:
        with travel(start):
            assessment = start_assessment(case_id=self.case.pk, user=self.worker, started_at=start)
        if done is not None:
            with travel(done):
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

    def proceed(self, when: datetime) -> Fam:
        with travel(when):
            decide_after_assessment(
                case_id=self.case.pk, user=self.worker, decision="proceed", notes="Ready."
            )
        return self

    def not_proceed(self, when: datetime) -> Fam:
        with travel(when):
            decide_after_assessment(
                case_id=self.case.pk,
                user=self.worker,
                decision="not_proceed",
                not_proceed_reason=NotProceedReason.objects.get(code="family-not-ready"),
            )
        return self

    def contact(self, when: datetime, minutes: int, work_type: str = WorkType.DIRECT) -> Fam:
        with travel(when):
            record_contact(
                case_id=self.case.pk,
                user=self.worker,
                data=ContactData(
                    started_at=when,
                    duration_minutes=minutes,
                    mode=ContactMode.HOME_VISIT,
                    work_type=work_type,
                    out_of_hours=False,
                    people_seen=[],
                    methods=[],
                    notes="Visit.",
                ),
            )
        return self

    def goal(self, when: datetime, *, substance: bool, baseline: int, members=()) -> Fam:
        n = len(self.goals) + 1
        with travel(when):
            self.goals.append(
                add_goal(
                    case_id=self.case.pk,
                    user=self.worker,
                    data=GoalData(
                        title=f"Goal {n} for the {self.name} family",
                        category=GoalCategory.objects.get(
                            code="substance-use" if substance else "parenting"
                        ),
                        is_substance=substance,
                        members=[self.people[m] for m in members],
                        levels={s: f"Level {s}" for s in (-2, -1, 0, 1, 2)},
                        baseline=baseline,
                    ),
                    scored_on=when.date(),
                )
            )
        return self

    def wemwbs(self, person: str, occasion: str, day: date, total: int) -> Fam:
        return self._reading(person, Instrument.WEMWBS, occasion, day, {"total": total})

    def sdq(
        self, person: str, occasion: str, day: date, subscales: tuple[int, int, int, int]
    ) -> Fam:
        e, c, h, p = subscales
        scores = {
            "sdq_emotional": e,
            "sdq_conduct": c,
            "sdq_hyperactivity": h,
            "sdq_peer": p,
            "sdq_prosocial": 7,
            "sdq_informant": "parent",
            "sdq_version": "4_17",
        }
        return self._reading(person, Instrument.SDQ, occasion, day, scores)

    def _reading(self, person: str, instrument: str, occasion: str, day: date, scores: dict) -> Fam:
        age = self.people[person].age_on(day)
        if instrument == Instrument.SDQ and age is not None and age < 4:
            scores = {**scores, "sdq_version": "2_4"}  # the 2-4 version below age 4
        with travel(datetime.combine(day, time(18, 0), tzinfo=LONDON)):
            record_reading(
                case_id=self.case.pk,
                user=self.worker,
                data=ReadingData(
                    person=self.people[person],
                    instrument=instrument,
                    occasion=occasion,
                    taken_on=day,
                    **scores,
                ),
            )
        return self

    def services(self, person: str, occasion: str, day: date, codes: tuple[str, ...]) -> Fam:
        """Services the person used before the work or after it (codes of ServiceType)."""
        use = ServiceUse.objects.create(
            case=self.case,
            person=self.people[person],
            occasion=occasion,
            recorded_on=day,
            recorded_by=self.worker,
        )
        use.services.set(ServiceType.objects.filter(code__in=codes))
        return self

    def plan(self, day: date) -> Fam:
        with travel(datetime.combine(day, time(12, 30), tzinfo=LONDON)):
            agree_family_plan(
                case_id=self.case.pk,
                user=self.worker,
                needs="Routines; substance use reduced.",
                service_actions="IFST: weekly visits.",
                invited_services=[],
                agreed_on=day,
                agreed_with="The family",
            )
        return self

    def end_phase1(self, day: date, *, step_down: bool = False) -> Fam:
        with travel(datetime.combine(day, time(17, 0), tzinfo=LONDON)):
            end_phase1_signed_off(
                case_id=self.case.pk,
                worker=self.worker,
                manager=self.manager,
                ended_on=day,
                step_down=step_down,
            )
        return self

    def finish_step_down(self, when: datetime) -> Fam:
        with travel(when):
            finish_step_down(case_id=self.case.pk, user=self.worker)
        return self

    def review(self, offset: int, held_on: date, scores: tuple[int, ...]) -> Fam:
        review = Review.objects.get(case=self.case, offset_months=offset)
        assert len(scores) == len(self.goals)
        with travel(datetime.combine(held_on, time(15, 0), tzinfo=LONDON)):
            record_review(
                review_id=review.pk,
                user=self.worker,
                version=review.version,
                data=ReviewData(
                    held_on=held_on,
                    attendees="The family, the social worker",
                    progress="Progress noted.",
                    plan_still_fit=True,
                    services_signposted=[],
                    scores={g.pk: s for g, s in zip(self.goals, scores, strict=True)},
                    # Late and early reviews are part of what the figures count.
                    outside_window_reason="Held when the family could be seen.",
                ),
            )
        return self

    def booster(self, day: date) -> Fam:
        with travel(datetime.combine(day, time(16, 0), tzinfo=LONDON)):
            record_booster(
                case_id=self.case.pk,
                user=self.worker,
                requested_by=Requester.FAMILY,
                requested_on=day,
                delivered_by=self.worker,
                delivered_on=day,
                duration_minutes=60,
                notes="Booster.",
            )
        return self

    def close(
        self, day: date, reason_code: str = "completed", outcomes: dict[str, str] | None = None
    ) -> Fam:
        outcomes_by_pk = {self.people[k].pk: v for k, v in (outcomes or {}).items()}
        with travel(datetime.combine(day, time(15, 0), tzinfo=LONDON)):
            close_case(
                case_id=self.case.pk,
                user=self.worker,
                reason=ClosureReason.objects.get(code=reason_code),
                closed_on=day,
                substance_change=SubstanceChange.REDUCED,
                child_outcomes=_every_child(self.case, outcomes_by_pk),
                reasons_not_known=_not_known_reasons(self.case),
                measures_missing_reason=MISSING_REASON,
                destination_services=[],
                notes="Closed.",
            )
        return self

    def feedback(self, day: date, *, positive: bool, given_by: str = "family") -> Fam:
        Feedback.objects.create(
            case=self.case, given_by=given_by, received_on=day, positive=positive
        )
        return self


# Closure asks for every child's outcome and the reason for any missing closing measure
# (issue 14): the children the story gives no outcome are "not known", with a reason.
MISSING_REASON = "Not taken: the family's story ends here."
NOT_KNOWN_REASON = "The story gives no outcome."


def _children(case) -> list[int]:
    return list(
        case.family.members.filter(kind__in=[MemberKind.CHILD, MemberKind.UNBORN]).values_list(
            "pk", flat=True
        )
    )


def _every_child(case, given: dict[int, str]) -> dict[int, str]:
    return {pk: given.get(pk, ChildOutcomeKind.NOT_KNOWN) for pk in _children(case)}


def _not_known_reasons(case) -> dict[int, str]:
    return dict.fromkeys(_children(case), NOT_KNOWN_REASON)


def fam(cast: Cast, team_key: str, name: str, la: str, household: str, members: list[dict]) -> Fam:
    authority = {"cardiff": cast.cardiff, "vale": cast.vale, "newport": cast.newport}[la]
    return Fam(cast, team_key, name, authority, household, members)


def short_journey(f: Fam, received: datetime, closed: datetime) -> Fam:
    """Referred, accepted, allocated, and closed without an assessment (disengaged)."""
    f.refer(received).screen("accepted", at(received.year, received.month, received.day, 10))
    f.allocate(at(received.year, received.month, received.day, 11))
    with travel(closed):
        close_case(
            case_id=f.case.pk,
            user=f.worker,
            reason=ClosureReason.objects.get(code="disengaged"),
            closed_on=closed.date(),
            substance_change=SubstanceChange.UNKNOWN,
            child_outcomes=_every_child(f.case, {}),
            reasons_not_known=_not_known_reasons(f.case),
            measures_missing_reason=MISSING_REASON,
            destination_services=[],
        )
    return f


# --- The world ------------------------------------------------------------------------------


@dataclass
class World:
    cast: Cast
    fams: dict[str, Fam]

    def __getattr__(self, name: str):
        return getattr(self.__dict__["cast"], name)

    def scope(self, name: str) -> Scope:
        return self.cast.scope(name)


HH = HouseholdType
F, M = Sex.FEMALE, Sex.MALE
d = date


BEFORE, AFTER = ServiceOccasion.BEFORE, ServiceOccasion.AFTER


def build_world() -> World:
    cast = make_cast()
    fams: dict[str, Fam] = {}

    def new(key: str, team_key: str, name: str, la: str, household: str, members: list) -> Fam:
        fams[key] = fam(cast, team_key, name, la, household, members)
        return fams[key]

    # --- A year before: closures April-June 2024 and long-running cases ------------------
    h1 = new(
        "A8",
        "A",
        "Thomas",
        "cardiff",
        HH.OTHER,
        [adult("Kelly", F, "White Welsh", ("cannabis",)), child("Alfie", d(2019, 7, 1))],
    )
    short_journey(h1, at(2024, 3, 1), at(2024, 4, 10, 15))
    h2 = new(
        "H2",
        "A",
        "Griffiths",
        "vale",
        HH.LONE_MOTHER,
        [adult("Gail", F), child("Gus", d(2015, 1, 1))],
    )
    short_journey(h2, at(2024, 3, 1), at(2024, 5, 20, 15))
    h2.refer(at(2024, 8, 15), again=True)
    h3 = new(
        "H3",
        "A",
        "Morris",
        "cardiff",
        HH.LONE_MOTHER,
        [adult("Mair", F), child("Mo", d(2015, 1, 1))],
    )
    short_journey(h3, at(2024, 3, 1), at(2024, 6, 28, 15))
    h4 = new(
        "H4",
        "B",
        "Ashton",
        "newport",
        HH.LONE_MOTHER,
        [adult("Paula", F), child("Pip", d(2015, 1, 1))],
    )
    short_journey(h4, at(2024, 3, 1), at(2024, 6, 15, 15))
    h4.refer(at(2025, 3, 10), again=True)
    h5 = new(
        "H5",
        "A",
        "Baker",
        "cardiff",
        HH.LONE_MOTHER,
        [adult("Beth", F), child("Ben", d(2015, 1, 1))],
    )
    short_journey(h5, at(2024, 3, 1), at(2024, 7, 1, 10))
    h6 = new(
        "B4",
        "B",
        "Cole",
        "newport",
        HH.LONE_MOTHER,
        [adult("Jade", F, "Black British", ("crack",)), child("Leo", d(2019, 2, 2))],
    )
    short_journey(h6, at(2024, 9, 1), at(2024, 10, 1, 15))

    a14 = new(
        "A14",
        "A",
        "Hopkins",
        "cardiff",
        HH.TWO_PARENT,
        [adult("Karen", F, substances=("alcohol",)), adult("Dai", M), child("Hana", d(2016, 1, 1))],
    )
    a14.refer(at(2024, 3, 1)).screen("accepted", at(2024, 3, 1, 10)).allocate(at(2024, 3, 1, 11))
    a14.assess(at(2024, 3, 4), at(2024, 3, 5, 16)).proceed(at(2024, 3, 5, 17))
    a14.goal(at(2024, 3, 5, 17, 30), substance=True, baseline=-2, members=["Karen"])
    a14.goal(at(2024, 3, 5, 17, 30), substance=False, baseline=-1, members=["Dai"])
    a14.plan(d(2024, 4, 12)).end_phase1(d(2024, 4, 15))
    a14.review(12, d(2025, 4, 15), (0, 1))

    a15 = new(
        "A15",
        "A",
        "Powell",
        "cardiff",
        HH.LONE_MOTHER,
        [adult("Julie", F, substances=("alcohol",)), child("Jac", d(2015, 1, 1))],
    )
    a15.refer(at(2024, 3, 15)).screen("accepted", at(2024, 3, 15, 10))
    a15.allocate(at(2024, 3, 15, 11)).assess(at(2024, 3, 18), at(2024, 3, 19, 16))
    a15.proceed(at(2024, 3, 19, 17))
    a15.goal(at(2024, 3, 19, 17, 30), substance=False, baseline=-2)
    a15.goal(at(2024, 3, 19, 17, 30), substance=True, baseline=-1, members=["Julie"])
    a15.plan(d(2024, 5, 1)).end_phase1(d(2024, 5, 2))
    a15.review(6, d(2024, 11, 2), (-2, -1))
    a15.review(12, d(2025, 5, 20), (-1, 0))

    b6 = new(
        "B6",
        "B",
        "Young",
        "newport",
        HH.LONE_MOTHER,
        [adult("Tracy", F, substances=("alcohol",)), child("Tia", d(2014, 6, 6))],
    )
    b6.refer(at(2024, 4, 22)).screen("accepted", at(2024, 4, 22, 10))
    b6.allocate(at(2024, 4, 22, 11)).assess(at(2024, 4, 24), at(2024, 4, 25, 16))
    b6.proceed(at(2024, 4, 25, 17))
    b6.goal(at(2024, 4, 25, 17, 30), substance=True, baseline=-2, members=["Tracy"])
    b6.plan(d(2024, 6, 7)).end_phase1(d(2024, 6, 10))
    b6.review(12, d(2025, 6, 25), (1,))

    # --- Referred in Q4 2024-25 -----------------------------------------------------------
    a12 = new(
        "A12",
        "A",
        "Rees",
        "cardiff",
        HH.LONE_MOTHER,
        [
            adult("Nerys", F, "White Welsh", ("alcohol",)),
            child("Elin", d(2014, 4, 4)),
            child("Gwen", d(2016, 10, 10)),
        ],
    )
    a12.refer(at(2025, 1, 13)).screen("accepted", at(2025, 1, 13, 10))
    a12.first_contact(at(2025, 1, 13, 11)).allocate(at(2025, 1, 13, 12))
    a12.assess(at(2025, 1, 14), at(2025, 1, 15, 16)).proceed(at(2025, 1, 15, 17))
    a12.goal(at(2025, 1, 15, 17, 30), substance=True, baseline=-2, members=["Nerys"])
    a12.goal(at(2025, 1, 15, 17, 30), substance=False, baseline=-1)
    a12.wemwbs("Nerys", Occasion.START, d(2025, 1, 15), 36)
    a12.sdq("Elin", Occasion.START, d(2025, 1, 15), (5, 5, 4, 4))  # 18
    for day in (16, 20, 23, 27):
        a12.contact(at(2025, 1, day, 10), 120)
    for day in (3, 10):
        a12.contact(at(2025, 2, day, 10), 120)
    a12.plan(d(2025, 2, 25)).wemwbs("Nerys", Occasion.END_PHASE1, d(2025, 2, 26), 45)
    a12.end_phase1(d(2025, 2, 26))
    a12.review(1, d(2025, 3, 26), (-1, -1))
    a12.booster(d(2025, 4, 10)).booster(d(2025, 5, 20))
    a12.review(3, d(2025, 6, 9), (1, 0))
    a12.wemwbs("Nerys", Occasion.CLOSURE, d(2025, 6, 27), 53)
    a12.sdq("Elin", Occasion.CLOSURE, d(2025, 6, 27), (3, 3, 3, 3))  # 12
    a12.services("Nerys", BEFORE, d(2025, 1, 15), ("mental-health",))
    a12.services("Nerys", AFTER, d(2025, 6, 27), ("mental-health",))
    a12.close(d(2025, 6, 27), outcomes={"Elin": "stayed_home", "Gwen": "deregistered"})
    a12.feedback(d(2025, 6, 27), positive=False, given_by="social_worker")

    a13 = new(
        "A13",
        "A",
        "Ellis",
        "vale",
        HH.LONE_FATHER,
        [adult("Huw", M, "White British", ("cannabis",)), child("Iolo", d(2013, 5, 5))],
    )
    a13.refer(at(2025, 3, 3)).screen("accepted", at(2025, 3, 3, 10))
    a13.allocate(at(2025, 3, 3, 11)).first_contact(at(2025, 3, 3, 12))
    a13.assess(at(2025, 3, 4), at(2025, 3, 5, 16)).proceed(at(2025, 3, 5, 17))
    a13.goal(at(2025, 3, 5, 17, 30), substance=False, baseline=-1, members=["Huw"])
    for when in (
        at(2025, 3, 10, 10),
        at(2025, 3, 17, 10),
        at(2025, 4, 7, 10),
        at(2025, 4, 14, 10),
        at(2025, 4, 22, 10),
    ):
        a13.contact(when, 120)
    a13.feedback(d(2025, 3, 31), positive=True)
    a13.plan(d(2025, 4, 29)).end_phase1(d(2025, 4, 30))

    b5 = new(
        "B5",
        "B",
        "Hill",
        "newport",
        HH.LONE_FATHER,
        [
            adult("Craig", M, "White British", ("alcohol",)),
            child("Ella", d(2013, 1, 1)),
            child("Finn", d(2015, 1, 1)),
        ],
    )
    b5.refer(at(2025, 3, 10)).screen("accepted", at(2025, 3, 10, 10))
    b5.allocate(at(2025, 3, 10, 11)).first_contact(at(2025, 3, 10, 12))
    b5.assess(at(2025, 3, 11), at(2025, 3, 12, 16)).proceed(at(2025, 3, 12, 17))
    b5.goal(at(2025, 3, 12, 17, 30), substance=True, baseline=-1, members=["Craig"])
    b5.wemwbs("Craig", Occasion.START, d(2025, 3, 12), 40)
    b5.sdq("Ella", Occasion.START, d(2025, 3, 12), (4, 4, 4, 4))  # 16
    for when in (at(2025, 3, 17, 10), at(2025, 3, 24, 10), at(2025, 4, 2, 10), at(2025, 4, 7, 10)):
        b5.contact(when, 90)
    b5.plan(d(2025, 4, 8)).wemwbs("Craig", Occasion.END_PHASE1, d(2025, 4, 9), 44)
    b5.end_phase1(d(2025, 4, 9))
    b5.review(1, d(2025, 5, 9), (0,))
    b5.feedback(d(2025, 5, 15), positive=True, given_by="social_worker")
    b5.booster(d(2025, 6, 1))
    b5.wemwbs("Craig", Occasion.CLOSURE, d(2025, 6, 30), 48)
    b5.sdq("Ella", Occasion.CLOSURE, d(2025, 6, 30), (4, 3, 3, 3))  # 13
    b5.services("Craig", BEFORE, d(2025, 3, 12), ("drug-alcohol", "housing", "health"))
    b5.services("Craig", AFTER, d(2025, 6, 30), ("drug-alcohol",))
    b5.close(d(2025, 6, 30), outcomes={"Ella": "returned_home", "Finn": "accommodated"})

    a11 = new(
        "A11",
        "A",
        "Bowen",
        "cardiff",
        HH.LONE_MOTHER,
        [adult("Rhian", F, "White Welsh", ("alcohol",)), child("Cari", d(2016, 8, 8))],
    )
    a11.refer(at(2025, 3, 31, 23, 30)).screen("accepted", at(2025, 3, 31, 23, 45))
    a11.first_contact(at(2025, 4, 1, 10)).allocate(at(2025, 4, 1, 10, 30))
    a11.assess(at(2025, 4, 1, 14), at(2025, 4, 2, 10)).proceed(at(2025, 4, 2, 10, 30))
    a11.contact(at(2025, 4, 8, 10), 120).contact(at(2025, 4, 15, 10), 120)
    a11.plan(d(2025, 6, 27)).end_phase1(d(2025, 6, 30))

    # --- Referred in Q1 2025-26: Taff ---------------------------------------------------
    a1 = new(
        "A1",
        "A",
        "Morgan",
        "cardiff",
        HH.TWO_PARENT,
        [
            adult("Sian", F, "White Welsh", ("alcohol",)),
            adult("Rhys", M, "White Welsh", ("cannabis",)),
            child("Cai", d(2015, 5, 1)),
            child("Nia", d(2023, 1, 10)),
        ],
    )
    a1.refer(at(2025, 4, 1, 9)).screen("accepted", at(2025, 4, 1, 11))
    a1.allocate(at(2025, 4, 1, 12)).first_contact(at(2025, 4, 1, 15))
    a1.assess(at(2025, 4, 2, 10), at(2025, 4, 3, 17)).proceed(at(2025, 4, 3, 17, 30))
    a1.goal(at(2025, 4, 3, 17, 45), substance=True, baseline=-2, members=["Sian"])
    a1.goal(at(2025, 4, 3, 17, 45), substance=False, baseline=-1, members=["Rhys"])
    a1.wemwbs("Sian", Occasion.START, d(2025, 4, 3), 40)
    for day in (7, 14, 22, 29):
        a1.contact(at(2025, 4, day, 10), 180)
    a1.contact(at(2025, 4, 30, 14), 60, WorkType.INDIRECT)
    a1.plan(d(2025, 5, 7)).wemwbs("Sian", Occasion.END_PHASE1, d(2025, 5, 8), 50)
    a1.end_phase1(d(2025, 5, 8))
    a1.review(1, d(2025, 6, 8), (0, 1))
    a1.services("Sian", BEFORE, d(2025, 4, 3), ("drug-alcohol", "health"))
    a1.services("Rhys", BEFORE, d(2025, 4, 3), ())
    a1.services(
        "Sian", AFTER, d(2025, 6, 8), ("drug-alcohol", "health", "parenting", "counselling")
    )
    a1.services("Rhys", AFTER, d(2025, 6, 8), ("employment-training",))
    a1.booster(d(2025, 6, 20)).feedback(d(2025, 6, 20), positive=True)

    a2 = new(
        "A2",
        "A",
        "Pryce",
        "cardiff",
        HH.LONE_MOTHER,
        [adult("Cerys", F, "White British", ("heroin",)), child("Dylan", d(2012, 9, 15))],
    )
    a2.refer(at(2025, 4, 2, 10)).screen("accepted", at(2025, 4, 2, 12))
    a2.allocate(at(2025, 4, 2, 13)).first_contact(at(2025, 4, 3, 10))
    a2.assess(at(2025, 4, 3, 10), at(2025, 4, 7, 16)).proceed(at(2025, 4, 7, 16, 30))
    a2.goal(at(2025, 4, 7, 16, 45), substance=False, baseline=-1, members=["Cerys"])
    a2.wemwbs("Cerys", Occasion.START, d(2025, 4, 7), 35)
    for day in (9, 14, 22):
        a2.contact(at(2025, 4, day, 10), 120)
    a2.plan(d(2025, 4, 24)).end_phase1(d(2025, 4, 25))
    a2.review(1, d(2025, 6, 10), (-1,))
    a2.services("Cerys", BEFORE, d(2025, 4, 7), ("drug-alcohol",))
    a2.services("Cerys", AFTER, d(2025, 7, 2), ("drug-alcohol", "parenting"))
    a2.close(d(2025, 7, 2), outcomes={"Dylan": "registered"})

    a3 = new(
        "A3",
        "A",
        "Hughes",
        "cardiff",
        HH.LONE_FATHER,
        [adult("Owen", M, "Black British", ("cocaine", "alcohol")), child("Ffion", d(2017, 3, 1))],
    )
    a3.refer(at(2025, 4, 3, 9)).screen("accepted", at(2025, 4, 3, 10))
    a3.allocate(at(2025, 4, 3, 11)).first_contact(at(2025, 4, 4, 12))
    a3.assess(at(2025, 4, 7, 9), at(2025, 4, 15, 9)).proceed(at(2025, 4, 15, 10))
    a3.goal(at(2025, 4, 15, 10, 30), substance=True, baseline=-1, members=["Owen"])
    a3.goal(at(2025, 4, 15, 10, 30), substance=False, baseline=-2)
    a3.wemwbs("Owen", Occasion.START, d(2025, 4, 15), 30)
    a3.services("Owen", BEFORE, d(2025, 4, 15), ("housing",))  # no "after": unpaired
    a3.sdq("Ffion", Occasion.START, d(2025, 4, 15), (5, 5, 5, 5))  # 20
    for when in (
        at(2025, 4, 22, 10),
        at(2025, 4, 29, 10),
        at(2025, 5, 13, 10),
        at(2025, 5, 27, 10),
        at(2025, 6, 10, 10),
    ):
        a3.contact(when, 150)
    a3.feedback(d(2025, 6, 20), positive=True)
    a3.plan(d(2025, 6, 23))
    a3.wemwbs("Owen", Occasion.END_PHASE1, d(2025, 6, 24), 39)
    a3.sdq("Ffion", Occasion.END_PHASE1, d(2025, 6, 24), (4, 4, 4, 3))  # 15
    a3.end_phase1(d(2025, 6, 24))

    a4 = new(
        "A4",
        "A",
        "Lewis",
        "cardiff",
        HH.LONE_MOTHER,
        [adult("Megan", F, "Mixed", ("alcohol",)), unborn(d(2025, 8, 1))],
    )
    a4.refer(at(2025, 4, 4, 11)).screen("accepted", at(2025, 4, 4, 12))
    a4.allocate(at(2025, 4, 4, 13))
    a4.assess(at(2025, 4, 10, 9), at(2025, 4, 22, 12)).not_proceed(at(2025, 4, 22, 15))

    a5 = new(
        "A5",
        "A",
        "Evans",
        "vale",
        HH.KINSHIP,
        [
            adult("Glenys", F, "White Welsh", rel=Relationship.GRANDPARENT),
            adult("Bethan", F, "White Welsh", ("methadone",)),
            child("Osian", d(2020, 6, 30)),
        ],
    )
    a5.refer(at(2025, 4, 7, 9)).screen("accepted", at(2025, 4, 7, 10))
    a5.allocate(at(2025, 4, 7, 11)).first_contact(at(2025, 4, 7, 17))
    a5.assess(at(2025, 4, 8, 9), at(2025, 4, 9, 15))

    a6 = new(
        "A6",
        "A",
        "Jenkins",
        "cardiff",
        HH.LONE_MOTHER,
        [adult("Aisha", F, "Asian British"), child("Zara", d(2009, 1, 1))],
    )
    a6.refer(at(2025, 4, 8, 14)).first_contact(at(2025, 4, 8, 16))
    a6.screen("inappropriate", at(2025, 4, 9, 10))

    a7 = new(
        "A7",
        "A",
        "Price",
        "vale",
        HH.TWO_PARENT,
        [
            adult("Gareth", M, "White British", ("alcohol",)),
            adult("Lisa", F, "White Welsh"),
            child("Tom", d(2018, 2, 2)),
        ],
    )
    a7.refer(at(2025, 4, 10, 9)).first_contact(at(2025, 4, 10, 11))
    a7.screen("referred-on", at(2025, 4, 11, 9))

    a8 = fams["A8"]  # the Thomas family again (H1)
    a8.refer(at(2025, 5, 1, 9), again=True).first_contact(at(2025, 5, 1, 10))
    a8.screen("accepted", at(2025, 5, 1, 11)).allocate(at(2025, 5, 1, 12))
    a8.assess(at(2025, 5, 2, 9), at(2025, 5, 2, 17)).proceed(at(2025, 5, 2, 17, 30))
    a8.contact(at(2025, 5, 12, 10), 90).contact(at(2025, 5, 19, 10), 90)
    a8.contact(at(2025, 7, 2, 10), 60)

    a9 = new(
        "A9",
        "A",
        "Davies",
        "cardiff",
        HH.TWO_PARENT,
        [
            adult("Mark", M, "White British", ("alcohol",)),
            adult("Emma", F, "White British", ("alcohol",)),
            child("Ruby", d(2021, 12, 1)),
            child("Jack", d(2011, 3, 3)),
        ],
    )
    a9.refer(at(2025, 4, 14, 9)).first_contact(at(2025, 4, 14, 12))
    a9.screen("no-space", at(2025, 4, 14, 15)).screen("accepted", at(2025, 5, 5, 9))
    a9.allocate(at(2025, 5, 5, 10))
    a9.assess(at(2025, 5, 6, 9), at(2025, 5, 7, 10)).proceed(at(2025, 5, 7, 11))
    a9.goal(at(2025, 5, 7, 11, 30), substance=True, baseline=-2, members=["Mark"])
    a9.goal(at(2025, 5, 7, 11, 30), substance=False, baseline=-1, members=["Emma"])
    a9.wemwbs("Emma", Occasion.START, d(2025, 5, 7), 44)
    for day in (14, 21, 28):
        a9.contact(at(2025, 5, day, 10), 200)
    a9.plan(d(2025, 6, 17)).wemwbs("Emma", Occasion.END_PHASE1, d(2025, 6, 18), 50)
    a9.end_phase1(d(2025, 6, 18))

    a10 = new(
        "A10",
        "A",
        "Roberts",
        "cardiff",
        HH.LONE_MOTHER,
        [adult("Lowri", F, "White Gypsy or Irish Traveller"), child("Mabli", d(2024, 11, 1))],
    )
    a10.refer(at(2025, 6, 30, 23, 30)).screen("accepted", at(2025, 7, 1, 9))
    a10.first_contact(at(2025, 7, 1, 10)).allocate(at(2025, 7, 1, 11))
    a10.assess(at(2025, 7, 2, 9), at(2025, 7, 3, 16))

    # --- Referred in Q1 2025-26: Usk -----------------------------------------------------
    b1 = new(
        "B1",
        "B",
        "Walsh",
        "newport",
        HH.TWO_PARENT,
        [
            adult("Liam", M, "White British", ("heroin",)),
            adult("Chloe", F, "White British", ("heroin",)),
            child("Mia", d(2022, 1, 1)),
        ],
    )
    b1.refer(at(2025, 4, 2, 9)).screen("accepted", at(2025, 4, 2, 10))
    b1.allocate(at(2025, 4, 2, 11))
    b1.assess(at(2025, 4, 3, 9), at(2025, 4, 6, 9)).first_contact(at(2025, 4, 3, 21))
    b1.proceed(at(2025, 4, 6, 10))
    b1.goal(at(2025, 4, 6, 10, 30), substance=True, baseline=-1, members=["Liam"])
    b1.goal(at(2025, 4, 6, 10, 30), substance=False, baseline=-2, members=["Chloe"])
    b1.wemwbs("Liam", Occasion.START, d(2025, 4, 6), 32)
    for day in (9, 16, 23, 30):
        b1.contact(at(2025, 4, day, 10), 120)
    b1.plan(d(2025, 5, 9))
    b1.wemwbs("Liam", Occasion.END_PHASE1, d(2025, 5, 10), 41)
    b1.wemwbs("Chloe", Occasion.END_PHASE1, d(2025, 5, 10), 46)
    b1.end_phase1(d(2025, 5, 10))
    b1.review(1, d(2025, 6, 10), (1, -1))

    b2 = new(
        "B2",
        "B",
        "Khan",
        "newport",
        HH.LONE_MOTHER,
        [adult("Samina", F, "Asian British", ("alcohol",)), child("Adam", d(2010, 10, 10))],
    )
    b2.refer(at(2025, 4, 3, 10)).screen("accepted", at(2025, 4, 3, 11))
    b2.allocate(at(2025, 4, 3, 12)).assess(at(2025, 4, 4, 9), at(2025, 4, 9, 9))
    b2.first_contact(at(2025, 4, 6, 10)).not_proceed(at(2025, 4, 9, 12))
    b2.feedback(d(2025, 7, 1), positive=False)

    b3 = new(
        "B3",
        "B",
        "Nowak",
        "newport",
        HH.TWO_PARENT,
        [
            adult("Piotr", M, "White Other", ("alcohol",)),
            adult("Anna", F, "White Other"),
            unborn(d(2025, 9, 1)),
        ],
    )
    b3.refer(at(2025, 4, 7, 9)).first_contact(at(2025, 4, 8, 8))
    b3.screen("inappropriate", at(2025, 4, 8, 9))

    b4 = fams["B4"]  # the Cole family again (H6)
    b4.refer(at(2025, 4, 22, 9), again=True).first_contact(at(2025, 4, 22, 10))
    b4.screen("accepted", at(2025, 4, 22, 10, 30)).allocate(at(2025, 4, 22, 11))
    b4.assess(at(2025, 4, 23, 9), at(2025, 4, 24, 12)).proceed(at(2025, 4, 24, 13))
    b4.goal(at(2025, 4, 24, 13, 30), substance=True, baseline=-2, members=["Jade"])
    b4.contact(at(2025, 5, 1, 10), 60).contact(at(2025, 5, 8, 10), 60)
    b4.plan(d(2025, 5, 29)).end_phase1(d(2025, 5, 30))
    b4.review(1, d(2025, 6, 30), (-1,))

    b7 = new("B7", "B", "Lloyd", "newport", "", [adult("Donna", F), child("Kai", d(2008, 7, 1))])
    b7.refer(at(2025, 6, 30, 10)).screen("withdrawn", at(2025, 7, 2, 9))

    # --- Team activity that is not casework -------------------------------------------------
    taff, usk = cast.taff, cast.usk
    for team, day in (
        (taff, d(2025, 4, 1)),
        (taff, d(2025, 5, 15)),
        (taff, d(2025, 6, 30)),
        (taff, d(2025, 3, 31)),
        (usk, d(2025, 4, 10)),
        (usk, d(2025, 6, 20)),
    ):
        Consultation.objects.create(
            team=team,
            held_on=day,
            asked_by="A social worker",
            agency="Children's Services",
            topic="Talking to parents about alcohol",
        )
    for team, day, people in (
        (taff, d(2025, 5, 14), 12),
        (taff, d(2025, 6, 25), 8),
        (taff, d(2025, 3, 20), 30),
        (usk, d(2025, 6, 5), 15),
    ):
        TrainingSession.objects.create(
            team=team, course="Substance misuse awareness", held_on=day, attendees=people
        )
    for team, day in (
        (taff, d(2025, 4, 12)),
        (taff, d(2025, 6, 30)),
        (taff, d(2025, 3, 15)),
        (usk, d(2025, 4, 1)),
        (usk, d(2025, 7, 1)),
    ):
        Complaint.objects.create(team=team, received_on=day, summary="A late visit.")

    return World(cast, fams)


def period_q1() -> Period:
    return Q1
