"""Load a small, consistent set of demo teams, people and families.

Idempotent: teams, users and memberships are fetched or created, and each family's story
is keyed by deterministic submission keys, so a second run changes nothing. Families are
only ever created through referrals.services, so statuses, decisions, waiting-list entries
and cases agree with each other exactly as they would after real use.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from io import StringIO

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import LocalAuthority, Membership, Role, Team, User
from families.models import HouseholdType, MemberKind, Relationship, Sex
from reference.models import (
    LegalStatus,
    OnwardService,
    PresentingIssue,
    ReferralRoute,
    ScreeningOutcome,
    ScreeningReason,
    ServiceType,
    Substance,
)
from referrals.models import Priority, Proceedings, Referral
from referrals.services import (
    MemberData,
    ReferralData,
    allocate_referral,
    decide_referral,
    link_referral_to_family,
    record_first_contact,
    submit_referral,
)

DEMO_PASSWORD = "ifss-demo"

GWENT = "Gwent IFST"
CARDIFF = "Cardiff and Vale IFST"
TEAMS = {
    GWENT: {
        "email": "gwent.ifst@example.org",
        "authorities": ["Newport", "Torfaen", "Monmouthshire", "Blaenau Gwent", "Caerphilly"],
    },
    CARDIFF: {
        "email": "cardiff.ifst@example.org",
        "authorities": ["Cardiff", "Vale of Glamorgan"],
    },
}

# username, first name, last name, job title, [(team, role), ...]
USERS = [
    ("manager.gwent", "Carys", "Powell", "Team manager", [(GWENT, Role.MANAGER)]),
    ("worker.gwent", "Rhys", "Jenkins", "IFSS practitioner", [(GWENT, Role.PRACTITIONER)]),
    ("worker2.gwent", "Sian", "Lewis", "IFSS practitioner", [(GWENT, Role.PRACTITIONER)]),
    ("csw.gwent", "Gareth", "Owen", "Consultant social worker", [(GWENT, Role.CSW)]),
    ("perf.gwent", "Ffion", "Rees", "Performance officer", [(GWENT, Role.PERFORMANCE)]),
    ("board.gwent", "Huw", "Griffiths", "Regional board member", [(GWENT, Role.BOARD)]),
    ("manager.cardiff", "Nia", "Bevan", "Team manager", [(CARDIFF, Role.MANAGER)]),
    ("worker.cardiff", "Owain", "Phillips", "IFSS practitioner", [(CARDIFF, Role.PRACTITIONER)]),
    ("board.cardiff", "Eleri", "Parry", "Regional board member", [(CARDIFF, Role.BOARD)]),
    (
        "referrer",
        "Dafydd",
        "Morris",
        "Children's social worker",
        [(GWENT, Role.REFERRER), (CARDIFF, Role.REFERRER)],
    ),
]


@dataclass
class Member:
    kind: str
    first_name: str
    relationship: str
    sex: str = ""
    age: int | None = None  # years, for adults and children
    due_in_days: int | None = None  # for an unborn child
    substances: list[str] = field(default_factory=list)
    legal_status: str | None = None


@dataclass
class Step:
    """One referral in a family's story, and what happened to it."""

    key: str
    received_days_ago: float
    route: str = "online-form"
    submitted_by: str = "referrer"
    first_contact_after_hours: float | None = None
    outcome: str | None = None  # screening outcome code
    detail: str = ""
    onward_service: str | None = None
    priority: int = Priority.MEDIUM
    worker: str | None = None
    co_worker: str | None = None
    reason_for_referral: str = ""
    decided_days_ago: float | None = None  # None: decided now
    allocated_days_ago: float | None = None  # None: allocated now


@dataclass
class Story:
    team: str
    family_name: str
    address: str
    postcode: str
    local_authority: str
    household_type: str
    presenting_issues: list[str]
    members: list[Member]
    steps: list[Step]
    proceedings: str = Proceedings.NONE
    journey: str | None = None  # how far the case has gone: see CASE_JOURNEYS


def _adult(first: str, rel: str, sex: str, age: int, *subs: str) -> Member:
    return Member(MemberKind.ADULT, first, rel, sex=sex, age=age, substances=list(subs))


def _child(first: str, sex: str, age: int, status: str | None = "child-in-need") -> Member:
    return Member(
        MemberKind.CHILD, first, Relationship.CHILD, sex=sex, age=age, legal_status=status
    )


STORIES = [
    # --- Gwent: awaiting screening -------------------------------------------------------
    Story(
        GWENT,
        "Jones",
        "14 Commercial Road, Newport",
        "np20 2pq",
        "Newport",
        HouseholdType.LONE_MOTHER,
        ["parental-substance-misuse", "parenting"],
        [
            _adult("Kelly", Relationship.MOTHER, Sex.FEMALE, 31, "alcohol"),
            _child("Mason", Sex.MALE, 8),
            _child("Lily", Sex.FEMALE, 5),
        ],
        # Received three days ago and nobody has called the referrer back: overdue.
        [
            Step(
                "jones",
                3.2,
                reason_for_referral=(
                    "Mother's drinking has increased since a bereavement; school report "
                    "the children arriving late and hungry."
                ),
            )
        ],
    ),
    Story(
        GWENT,
        "Price",
        "7 Heol y Nant, Pontypool",
        "NP4 6BT",
        "Torfaen",
        HouseholdType.TWO_PARENT,
        ["parental-substance-misuse", "domestic-abuse"],
        [
            _adult("Chloe", Relationship.MOTHER, Sex.FEMALE, 24, "cannabis"),
            _adult("Jordan", Relationship.FATHER, Sex.MALE, 27, "cannabis", "alcohol"),
            Member(
                MemberKind.UNBORN,
                "",
                Relationship.CHILD,
                due_in_days=90,
                legal_status="unborn-child-protection",
            ),
            _child("Ava", Sex.FEMALE, 2, "child-protection"),
        ],
        [
            Step(
                "price",
                1.5,
                first_contact_after_hours=3,
                reason_for_referral=(
                    "Pre-birth assessment: both parents use cannabis daily and police attended a "
                    "domestic incident last month."
                ),
            )
        ],
        proceedings=Proceedings.PRE_PROCEEDINGS,
    ),
    # --- Gwent: waiting list -------------------------------------------------------------
    Story(
        GWENT,
        "Evans",
        "22 Castle Street, Abergavenny",
        "NP7 5EE",
        "Monmouthshire",
        HouseholdType.LONE_FATHER,
        ["parental-substance-misuse", "housing"],
        [
            _adult("Lee", Relationship.FATHER, Sex.MALE, 38, "heroin", "methadone"),
            _child("Tyler", Sex.MALE, 12, "child-protection"),
        ],
        [
            Step(
                "evans",
                12,
                route="phone",
                submitted_by="manager.gwent",
                first_contact_after_hours=2,
                outcome="no-space",
                priority=Priority.HIGH,
                detail="Appropriate and urgent; take the next free practitioner.",
                reason_for_referral="Father on a methadone script but using on top; risk of "
                "eviction.",
            )
        ],
    ),
    # --- Gwent: accepted, awaiting allocation -------------------------------------------
    Story(
        GWENT,
        "Williams",
        "3 Bethcar Street, Ebbw Vale",
        "NP23 6HH",
        "Blaenau Gwent",
        HouseholdType.TWO_PARENT,
        ["parental-substance-misuse", "parental-mental-health"],
        [
            _adult("Rebecca", Relationship.MOTHER, Sex.FEMALE, 34, "alcohol"),
            _adult("Craig", Relationship.STEP_PARENT, Sex.MALE, 36, "alcohol", "cannabis"),
            _child("Ella", Sex.FEMALE, 10),
            _child("Noah", Sex.MALE, 6),
            _child("Ruby", Sex.FEMALE, 1),
        ],
        [
            Step(
                "williams",
                8,
                first_contact_after_hours=5,
                outcome="accepted",
                reason_for_referral="Both carers drinking heavily at weekends; mother's low mood.",
            )
        ],
    ),
    # --- Gwent: allocated ----------------------------------------------------------------
    Story(
        GWENT,
        "Davies",
        "51 Cardiff Road, Caerphilly",
        "CF83 1JP",
        "Caerphilly",
        HouseholdType.TWO_PARENT,
        ["parental-substance-misuse", "school-attendance"],
        [
            _adult("Sarah", Relationship.MOTHER, Sex.FEMALE, 29, "heroin", "methadone"),
            _adult("Dean", Relationship.FATHER, Sex.MALE, 33, "heroin"),
            _child("Jack", Sex.MALE, 9, "child-protection"),
            _child("Isla", Sex.FEMALE, 4, "child-protection"),
        ],
        [
            Step(
                "davies",
                20,
                first_contact_after_hours=4,
                outcome="accepted",
                decided_days_ago=19.5,
                allocated_days_ago=19.4,
                worker="worker.gwent",
                co_worker="csw.gwent",
                reason_for_referral="Both parents opiate dependent; children on the register.",
            )
        ],
        proceedings=Proceedings.PRE_PROCEEDINGS,
        journey="phase1",
    ),
    Story(
        GWENT,
        "Thomas",
        "9 Stow Hill, Newport",
        "NP20 4DW",
        "Newport",
        HouseholdType.KINSHIP,
        ["parental-substance-misuse"],
        [
            _adult("Lisa", Relationship.MOTHER, Sex.FEMALE, 41, "alcohol"),
            _child("Cerys", Sex.FEMALE, 14),
        ],
        [
            Step(
                "thomas",
                15,
                route="phone",
                submitted_by="manager.gwent",
                first_contact_after_hours=1,
                outcome="accepted",
                decided_days_ago=13,
                allocated_days_ago=12,
                worker="worker2.gwent",
                reason_for_referral="Mother's alcohol use; daughter acting as a young carer.",
            )
        ],
    ),
    # --- Gwent: closed as inappropriate ---------------------------------------------------
    Story(
        GWENT,
        "Morgan",
        "18 Broad Street, Blaenavon",
        "NP4 9NH",
        "Torfaen",
        HouseholdType.LONE_MOTHER,
        ["young-person-substance-use"],
        [
            _adult("Joanne", Relationship.MOTHER, Sex.FEMALE, 45),
            _child("Liam", Sex.MALE, 16, "child-in-need"),
        ],
        [
            Step(
                "morgan",
                10,
                first_contact_after_hours=6,
                outcome="inappropriate",
                detail="Liam's own cannabis use is the concern; passed to young people's services.",
                reason_for_referral="Son using cannabis and missing school.",
            )
        ],
    ),
    # --- Gwent: referred on --------------------------------------------------------------
    Story(
        GWENT,
        "Hughes",
        "2 Church Lane, Chepstow",
        "NP16 5HT",
        "Monmouthshire",
        HouseholdType.TWO_PARENT,
        ["parental-substance-misuse", "debt"],
        [
            _adult("Mark", Relationship.FATHER, Sex.MALE, 39, "alcohol"),
            _adult("Emma", Relationship.MOTHER, Sex.FEMALE, 37),
            _child("Oliver", Sex.MALE, 11, "none"),
        ],
        [
            Step(
                "hughes",
                9,
                route="phone",
                submitted_by="manager.gwent",
                first_contact_after_hours=2,
                outcome="referred-on",
                onward_service="drug-alcohol",
                detail="Father motivated to engage with community alcohol services first.",
                reason_for_referral="Father drinking after redundancy; debts mounting.",
            )
        ],
    ),
    # --- Gwent: a re-referral of a family closed earlier as inappropriate ----------------
    Story(
        GWENT,
        "Roberts",
        "66 High Street, Blackwood",
        "NP12 1AB",
        "Caerphilly",
        HouseholdType.LONE_MOTHER,
        ["parental-substance-misuse", "domestic-abuse"],
        [
            _adult("Amy", Relationship.MOTHER, Sex.FEMALE, 28, "alcohol", "cannabis"),
            _child("Harry", Sex.MALE, 7),
            _child("Poppy", Sex.FEMALE, 3),
        ],
        [
            Step(
                "roberts",
                150,
                first_contact_after_hours=4,
                outcome="inappropriate",
                detail="No parental substance misuse identified at the time.",
                reason_for_referral="Concerns about mother's drinking raised by a neighbour.",
            ),
            Step(
                "roberts-2",
                2,
                first_contact_after_hours=2,
                reason_for_referral="Mother now admits daily drinking; police called twice "
                "this month.",
            ),
        ],
    ),
    # --- Cardiff -------------------------------------------------------------------------
    Story(
        CARDIFF,
        "Ali",
        "40 Clifton Street, Cardiff",
        "CF24 1LS",
        "Cardiff",
        HouseholdType.TWO_PARENT,
        ["parental-substance-misuse", "parenting"],
        [
            _adult("Sadia", Relationship.MOTHER, Sex.FEMALE, 30, "prescribed"),
            _adult("Imran", Relationship.FATHER, Sex.MALE, 35, "cocaine", "alcohol"),
            _child("Zara", Sex.FEMALE, 6),
        ],
        [Step("ali", 0.3, reason_for_referral="Father's cocaine use; mother struggling.")],
    ),
    Story(
        CARDIFF,
        "Murphy",
        "12 Holton Road, Barry",
        "CF63 4HD",
        "Vale of Glamorgan",
        HouseholdType.LONE_MOTHER,
        ["parental-substance-misuse", "trauma-bereavement"],
        [
            _adult("Shannon", Relationship.MOTHER, Sex.FEMALE, 26, "heroin", "methadone"),
            _child("Alfie", Sex.MALE, 5, "child-protection"),
            _child("Maisie", Sex.FEMALE, 3, "child-protection"),
        ],
        [
            Step(
                "murphy",
                14,
                first_contact_after_hours=3,
                outcome="accepted",
                worker="worker.cardiff",
                reason_for_referral="Mother on a methadone programme after relapse.",
            )
        ],
        proceedings=Proceedings.PRE_PROCEEDINGS,
    ),
]


STORIES += [
    Story(
        GWENT,
        "Edwards",
        "3 Commercial Street, Pontypool",
        "NP4 6JS",
        "Torfaen",
        HouseholdType.LONE_MOTHER,
        ["parental-substance-misuse", "domestic-abuse"],
        [
            _adult("Kelly", Relationship.MOTHER, Sex.FEMALE, 31, "alcohol", "cannabis"),
            _child("Tyler", Sex.MALE, 11, "child-in-need"),
            _child("Ruby", Sex.FEMALE, 6, "child-in-need"),
        ],
        [
            Step(
                "edwards",
                130,
                first_contact_after_hours=6,
                outcome="accepted",
                decided_days_ago=128,
                allocated_days_ago=127,
                worker="worker.gwent",
                reason_for_referral="Mother's drinking; domestic abuse from a former partner.",
            )
        ],
        journey="phase2",
    ),
    Story(
        GWENT,
        "Rees",
        "12 Monnow Street, Monmouth",
        "NP25 3EF",
        "Monmouthshire",
        HouseholdType.TWO_PARENT,
        ["parental-substance-misuse", "parenting"],
        [
            _adult("Amy", Relationship.MOTHER, Sex.FEMALE, 35, "cocaine", "alcohol"),
            _adult("Mark", Relationship.FATHER, Sex.MALE, 38, "alcohol"),
            _child("Leo", Sex.MALE, 8, "child-protection"),
        ],
        [
            Step(
                "rees",
                470,
                first_contact_after_hours=20,
                outcome="accepted",
                decided_days_ago=468,
                allocated_days_ago=466,
                worker="worker2.gwent",
                reason_for_referral="Both parents' drinking and cocaine use; Leo on the register.",
            )
        ],
        journey="closed",
    ),
]


def submission_key(slug: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"ifss-demo/{slug}")


def _ago(days: float | None, now: datetime) -> datetime | None:
    return None if days is None else now - timedelta(days=days)


def advance_case(case, journey: str, worker: User, manager: User, now: datetime) -> None:
    """Take an allocated case along the pathway through the real services, dated in the past
    relative to its allocation: assessment, Phase 1 with contacts and goals, Phase 2 with
    reviews and a booster, and closure."""
    from cases import services as cs
    from families.models import Person
    from outcomes import services as os_
    from reference.models import ClosureReason, GoalCategory, PracticeMethod
    from reviews import services as rv
    from reviews.models import Review

    start = case.allocated_at + timedelta(hours=20)
    cs.start_assessment(case_id=case.pk, user=worker, started_at=start)
    assessment = case.__class__.objects.get(pk=case.pk).assessment
    completed = start + timedelta(days=2, hours=5)
    cs.update_assessment(
        assessment_id=assessment.pk,
        user=worker,
        version=assessment.version,
        completed_at=completed,
        hours_spent=8,
        safety_plan=(
            "1. A sober adult is always in the house with the children.\n"
            "2. Grandmother on call at weekends; her number is on the fridge.\n"
            "3. The children know to ring 999 and who to go to next door."
        ),
        safety_plan_agreed_on=(start + timedelta(days=1)).date(),
    )
    cs.decide_after_assessment(case_id=case.pk, user=worker, decision="proceed")
    people = list(Person.objects.filter(family=case.family))
    adults = [p for p in people if p.kind == "adult"]
    children = [p for p in people if p.kind == "child"]
    substance = GoalCategory.objects.get(code="substance-use")
    routines = GoalCategory.objects.get(code="home-routines")
    day0 = timezone.localtime(completed).date()
    goals = [
        os_.add_goal(
            case_id=case.pk,
            user=worker,
            scored_on=day0,
            data=os_.GoalData(
                title=f"{adults[0].first_name} cuts down drinking to agreed safe limits",
                category=substance,
                is_substance=True,
                members=adults[:1],
                levels={
                    -2: "Drinking daily, more than before",
                    -1: "Drinking most days as now",
                    0: "No drinking while caring for the children",
                    1: "Alcohol-free weekdays, sticking to a plan at weekends",
                    2: "Abstinent and engaged with the drug and alcohol service",
                },
                baseline=-1,
            ),
        ),
        os_.add_goal(
            case_id=case.pk,
            user=worker,
            scored_on=day0,
            data=os_.GoalData(
                title="Children get to school on time every day",
                category=routines,
                is_substance=False,
                members=children,
                levels={
                    -2: "Attendance falls below 70%",
                    -1: "Attendance around 80%, often late",
                    0: "Attendance above 90%",
                    1: "Attendance above 95%, on time",
                    2: "Full attendance and homework routine",
                },
                baseline=-1,
            ),
        ),
    ]
    for adult in adults:
        os_.record_reading(
            case_id=case.pk,
            user=worker,
            data=os_.ReadingData(
                person=adult, instrument="wemwbs", occasion="start", taken_on=day0, total=38
            ),
        )
    for adult in adults:
        os_.record_service_use(
            case_id=case.pk,
            user=worker,
            data=os_.ServiceUseData(
                person=adult,
                occasion="before",
                recorded_on=day0,
                services=list(ServiceType.objects.filter(code__in=["health", "housing"])),
                version=0,
            ),
        )
    for child in children:
        if 4 <= (child.age_on(day0) or 0) <= 17:
            os_.record_reading(
                case_id=case.pk,
                user=worker,
                data=os_.ReadingData(
                    person=child,
                    instrument="sdq",
                    occasion="start",
                    taken_on=day0,
                    sdq_emotional=5,
                    sdq_conduct=4,
                    sdq_hyperactivity=6,
                    sdq_peer=3,
                    sdq_prosocial=7,
                    sdq_informant="parent",
                    sdq_version="4_17",
                ),
            )
    methods = list(
        PracticeMethod.objects.filter(code__in=["motivational-interviewing", "solution-focused"])
    )
    case.refresh_from_db()
    last_day = now if journey == "phase1" else case.allocated_at + timedelta(weeks=5, days=3)
    visit = timezone.localtime(completed).replace(hour=10, minute=0) + timedelta(days=1)
    i = 0
    while visit < last_day - timedelta(hours=3):
        cs.record_contact(
            case_id=case.pk,
            user=worker,
            data=cs.ContactData(
                started_at=visit,
                duration_minutes=150 if i % 3 else 90,
                mode="home_visit" if i % 4 else "phone",
                work_type="direct",
                out_of_hours=visit.hour >= 18,
                people_seen=people if i % 2 else adults,
                methods=methods[: 1 + i % 2],
                notes="Home visit: routines, safety plan check, motivational work.",
            ),
        )
        i += 1
        visit += timedelta(days=2 if journey == "phase1" else 1)
    if journey == "phase1":
        return
    ended = timezone.localtime(last_day).date()
    cs.agree_family_plan(
        case_id=case.pk,
        user=worker,
        needs=(
            "Stable, alcohol-free care for the children; school routines; "
            "support for the mother's wellbeing."
        ),
        service_actions=(
            "IFST: fortnightly contact in month 2, reviews at 1, 3, 6 and 12 months.\n"
            "Drug and alcohol service: weekly key work.\nSchool: attendance officer check-ins."
        ),
        invited_services=list(OnwardService.objects.filter(code__in=["drug-alcohol", "parenting"])),
        agreed_on=ended,
        agreed_with="Family, social worker, adult and children's case coordinators",
    )
    if cs.phase1_shortfall(case, ended):
        # Short of the model: the worker asks, the manager signs off (the pathway's rule).
        reason = "The family asked to move on; the social worker agrees the children are safe."
        cs.request_phase1_signoff(case_id=case.pk, user=worker, reason=reason, ends_on=ended)
        cs.decide_phase1_signoff(case_id=case.pk, user=manager, approved=True, note=reason)
    cs.end_phase1(
        case_id=case.pk,
        user=worker,
        ended_on=ended,
        scores={g.pk: 0 for g in goals},
        outcomes_missing_reason="The readings are repeated at the 1-month review.",
    )
    today = timezone.localdate()
    scores = {1: [0, 0], 3: [1, 0], 6: [1, 1], 12: [1, 2]}
    sent_review = None
    for review in Review.objects.filter(case=case).order_by("due_on"):
        if review.due_on > today:
            break
        held = rv.record_review(
            review_id=review.pk,
            user=worker,
            version=review.version,
            data=rv.ReviewData(
                held_on=review.due_on + timedelta(days=3),
                attendees="Mother, social worker, spearhead worker",
                progress="Good progress against the plan; routines holding.",
                plan_still_fit=True,
                services_signposted=list(OnwardService.objects.filter(code="housing")),
                scores={g.pk: s for g, s in zip(goals, scores[review.offset_months], strict=True)},
                children_wellbeing=(
                    "The children are safe at home; school attendance is back to normal."
                ),
            ),
        )
        # Every report but the latest has gone to the referrer: the latest awaits its send.
        if sent_review is not None:
            rv.send_review_report(
                review_id=sent_review.pk, user=worker, version=sent_review.version
            )
        sent_review = held
    after_day = ended + timedelta(days=7)
    case.refresh_from_db()
    if after_day <= today and case.stage in os_.SERVICES_AFTER_STAGES:
        for adult in adults:
            os_.record_service_use(
                case_id=case.pk,
                user=worker,
                data=os_.ServiceUseData(
                    person=adult,
                    occasion="after",
                    recorded_on=after_day,
                    services=list(
                        ServiceType.objects.filter(
                            code__in=["health", "housing", "drug-alcohol", "parenting"]
                        )
                    ),
                    version=0,
                ),
            )
    booster_day = ended + timedelta(days=40)
    if booster_day <= today:
        rv.record_booster(
            case_id=case.pk,
            user=worker,
            requested_by="family",
            requested_on=booster_day,
            delivered_by=worker,
            delivered_on=booster_day,
            duration_minutes=90,
            notes="Wobble after a family bereavement.",
        )
    if journey == "closed":
        closed_on = min(today, ended + timedelta(days=380))
        cs.close_case(
            case_id=case.pk,
            user=manager,
            reason=ClosureReason.objects.get(code="completed"),
            closed_on=closed_on,
            substance_change="reduced",
            child_outcomes={c.pk: "deregistered" for c in children},
            destination_services=list(OnwardService.objects.filter(code="families-first")),
            notes="Completed the 12-month follow-up.",
            # Asked for only while a closing reading or goal score is missing.
            measures_missing_reason="Closing readings not taken: the family declined.",
        )


class Command(BaseCommand):
    help = "Load demo teams, users (password 'ifss-demo') and families. Safe to run twice."

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            teams = self._teams()
            users = self._users(teams)
            created = sum(self._story(story, teams, users) for story in STORIES)
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created {created} demo referral(s)."))
        else:
            self.stdout.write("Demo families already loaded; nothing to add.")
        self._history(list(teams.values()))
        self._print_logins()

    def _history(self, teams: list[Team]) -> None:
        """About three years of history (synthetic/demo.py), and each past quarter's report
        card published, so the board has cards, trends and a PDF at its first sign-in."""
        from synthetic import demo

        today = timezone.localdate()
        result = demo.load_history(teams, today=today, out=StringIO())
        if result:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {result['counts']['family']} families of history "
                    f"({result['rows']:,} rows) since {demo.history_start(today):%B %Y}."
                )
            )
        published = demo.publish_history(teams, today=today)
        demo.set_targets(teams)
        if published:
            # The latest quarter's PDFs are queued: the worker `make run` starts builds them.
            self.stdout.write(self.style.SUCCESS(f"Published {published} quarterly report cards."))

    # --- teams and people ------------------------------------------------------------------

    def _teams(self) -> dict[str, Team]:
        teams = {}
        for name, spec in TEAMS.items():
            team, _ = Team.objects.get_or_create(name=name, defaults={"email": spec["email"]})
            authorities = list(LocalAuthority.objects.filter(name__in=spec["authorities"]))
            missing = set(spec["authorities"]) - {la.name for la in authorities}
            if missing:
                raise RuntimeError(f"Local authorities not seeded: {', '.join(sorted(missing))}")
            team.local_authorities.add(*authorities)
            teams[name] = team
        return teams

    def _users(self, teams: dict[str, Team]) -> dict[str, User]:
        users = {}
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={
                "first_name": "Demo",
                "last_name": "Administrator",
                "email": "admin@example.org",
                "job_title": "System administrator",
                "is_staff": True,
                "is_superuser": True,
            },
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])
        users["admin"] = admin
        for username, first, last, job_title, memberships in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                    "job_title": job_title,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            for team_name, role in memberships:
                Membership.objects.get_or_create(user=user, team=teams[team_name], role=role)
            users[username] = user
        return users

    # --- families --------------------------------------------------------------------------

    def _story(self, story: Story, teams: dict[str, Team], users: dict[str, User]) -> int:
        """Play one family's story through the services. Returns the referrals created."""
        if Referral.objects.filter(submission_key=submission_key(story.steps[0].key)).exists():
            return 0
        team = teams[story.team]
        manager = next(
            users[username]
            for username, *_, memberships in USERS
            if (story.team, Role.MANAGER) in memberships
        )
        now = timezone.now()
        family = None
        for step in story.steps:
            received_at = now - timedelta(days=step.received_days_ago)
            referral = submit_referral(
                user=users[step.submitted_by],
                data=self._referral_data(story, step, team, users[step.submitted_by], received_at),
                submission_key=submission_key(step.key),
                received_at=received_at,
            )
            if family is not None:  # the manager links a re-referral to the known family
                referral = link_referral_to_family(
                    referral_id=referral.pk, user=manager, family_id=family.pk
                )
            family = referral.family
            if step.first_contact_after_hours is not None:
                contacted = received_at + timedelta(hours=step.first_contact_after_hours)
                record_first_contact(
                    referral_id=referral.pk,
                    user=manager,
                    contacted_at=min(contacted, now),
                    spoken_to=referral.referrer_name,
                    method="phone",
                    note="Talked through the referral and what happens next.",
                )
            if step.outcome:
                outcome = ScreeningOutcome.objects.get(code=step.outcome)
                reason = ScreeningReason.objects.active().filter(outcome=outcome).first()
                decide_referral(
                    referral_id=referral.pk,
                    user=manager,
                    outcome=outcome,
                    reason=reason,
                    decided_at=_ago(step.decided_days_ago, now),
                    detail=step.detail,
                    onward_service=(
                        OnwardService.objects.get(code=step.onward_service)
                        if step.onward_service
                        else None
                    ),
                    priority=step.priority,
                )
            if step.worker:
                case = allocate_referral(
                    referral_id=referral.pk,
                    user=manager,
                    worker=users[step.worker],
                    co_worker=users[step.co_worker] if step.co_worker else None,
                    allocated_at=_ago(step.allocated_days_ago, now),
                )
                if story.journey:
                    advance_case(case, story.journey, users[step.worker], manager, now)
        return len(story.steps)

    def _referral_data(
        self, story: Story, step: Step, team: Team, submitter: User, received_at: datetime
    ) -> ReferralData:
        today = timezone.localdate()
        local_authority = LocalAuthority.objects.get(name=story.local_authority)
        if step.submitted_by == "referrer":
            referrer_name = submitter.get_full_name()
            referrer_role = submitter.job_title
            referrer_team = "Children's Services duty team"
            referrer_agency = f"{local_authority.name} Council"
            referrer_email = submitter.email
        else:
            # A phone referral typed in by the team on behalf of a health visitor.
            referrer_name = "Bethan Hopkins"
            referrer_role = "Health visitor"
            referrer_team = "Health visiting"
            referrer_agency = "Aneurin Bevan University Health Board"
            referrer_email = "bethan.hopkins@example.org"
        members = [self._member_data(story.family_name, m, today) for m in story.members]
        return ReferralData(
            team=team,
            family_name=story.family_name,
            address=story.address,
            postcode=story.postcode,
            local_authority=local_authority,
            household_type=story.household_type,
            route=ReferralRoute.objects.get(code=step.route),
            referrer_name=referrer_name,
            referrer_role=referrer_role,
            referrer_team=referrer_team,
            referrer_agency=referrer_agency,
            referrer_local_authority=local_authority,
            referrer_phone="01633 000000",
            referrer_email=referrer_email,
            presenting_issues=list(
                PresentingIssue.objects.filter(code__in=story.presenting_issues)
            ),
            proceedings=story.proceedings,
            consent_given=True,
            consent_date=timezone.localdate(received_at),
            reason_for_referral=step.reason_for_referral or "Parental substance misuse.",
            members=members,
        )

    @staticmethod
    def _member_data(last_name: str, member: Member, today: date) -> MemberData:
        date_of_birth = due_date = None
        if member.age is not None:
            # A fixed day of the year keeps the same date of birth across runs in one year.
            date_of_birth = date(today.year - member.age - 1, 3 + member.age % 9, 14)
        if member.due_in_days is not None:
            due_date = today + timedelta(days=member.due_in_days)
        return MemberData(
            kind=member.kind,
            last_name=last_name,
            relationship=member.relationship,
            first_name=member.first_name,
            sex=member.sex,
            date_of_birth=date_of_birth,
            due_date=due_date,
            substances=list(Substance.objects.filter(code__in=member.substances)),
            legal_status=(
                LegalStatus.objects.get(code=member.legal_status) if member.legal_status else None
            ),
        )

    # --- output ----------------------------------------------------------------------------

    def _print_logins(self) -> None:
        rows = [
            ("Username", "Password", "Role", "Team"),
            ("admin", DEMO_PASSWORD, "superuser", "-"),
        ]
        for username, *_, memberships in USERS:
            roles = sorted({Role(role).label for _, role in memberships})
            teams = [team for team, _ in memberships]
            rows.append((username, DEMO_PASSWORD, ", ".join(map(str, roles)), ", ".join(teams)))
        widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
        line = "  ".join("-" * w for w in widths)
        self.stdout.write("")
        self.stdout.write("Demo logins")
        for index, row in enumerate(rows):
            self.stdout.write(
                "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
            if index == 0:
                self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(f"Open {settings.SITE_URL}/ and sign in with any of these.")
