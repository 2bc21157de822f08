"""A deterministic, scalable national dataset: 15 teams across Wales's 22 local authorities,
years of history, families taken through the whole pathway (DOMAIN.md sections 3, 6, 7).

At factor 1.0: about 150,000 families, 1.5 million contacts and 600,000 reviews, with
their members, referrals, decisions, cases, stage changes, assessments, goals and scores,
readings, services used before and after, plans, boosters, closures, feedback,
notifications, reminders and audit views.

Everything is drawn from seeded random.Random streams (one for the pathway; one for the
services used before and after, so adding those left every other row as it was), so the
same seed, factor and end date give the same rows. Rows are written in bulk (COPY on
PostgreSQL) with ids assigned here; no model save() runs, so no signal (auditlog) fires.

The rates below are DOMAIN.md's where it gives one (first contact within 24 hours; the
"72-hour" assessment: 6% within 72 h, 61% within a week, 88% within two weeks; Phase 1
of 4-6 weeks with 40-120 direct hours; about two goals per family, one about substances;
reviews at 1, 3, 6 and 12 months; up to 3 boosters). The volumes of issue 7 (150,000
families, 1.5 million contacts, 600,000 reviews) set the rest: national volumes per team
are several times DOMAIN.md's single-team figures, and most families reach Phase 2, which
is the heavy case for the pages and the sweep."""

from __future__ import annotations

import calendar
import json
import random
import sys
import time
import uuid
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from accounts.models import LocalAuthority, Membership, Team, User
from cases.models import (
    Assessment,
    Case,
    ChildOutcome,
    Closure,
    Contact,
    FamilyPlan,
    StageChange,
)
from families.models import Family, Person
from families.retention import refresh_last_closed
from notifications.models import Notification
from outcomes.models import Goal, GoalScore, Reading, ServiceUse
from reference.models import (
    ClosureReason,
    GoalCategory,
    LegalStatus,
    NotProceedReason,
    OnwardService,
    PracticeMethod,
    PresentingIssue,
    ReferralRoute,
    ScreeningOutcome,
    ScreeningReason,
    ServiceType,
    Substance,
)
from referrals.models import Referral, ScreeningDecision, WaitingListEntry
from reminders import duestore
from reminders.models import Reminder
from reviews.models import Booster, Review
from teamwork.models import Complaint, Consultation, Feedback, TrainingSession

from .sink import Sink, Table, columns, defaults, m2m_table, reset_sequences

LONDON = ZoneInfo("Europe/London")
HISTORY_START = date(2015, 4, 1)  # the start of financial year 2015-16
FULL_FAMILIES = 150_000
DAY = 86400.0
HOUR = 3600.0

# 15 teams and the local authorities each serves (22 in all, each served by one team).
TEAMS = [
    ("Ynys Môn and Gwynedd IFST", ["Isle of Anglesey", "Gwynedd"], 0.9),
    ("Conwy and Denbighshire IFST", ["Conwy", "Denbighshire"], 1.0),
    ("Flintshire IFST", ["Flintshire"], 0.8),
    ("Wrexham IFST", ["Wrexham"], 0.7),
    ("Ceredigion IFST", ["Ceredigion"], 0.4),
    ("Pembrokeshire IFST", ["Pembrokeshire"], 0.6),
    ("Carmarthenshire IFST", ["Carmarthenshire"], 0.9),
    ("Western Bay IFST", ["Swansea", "Neath Port Talbot", "Bridgend"], 1.8),
    ("Cardiff and Vale IFST", ["Cardiff", "Vale of Glamorgan"], 1.9),
    ("Cwm Taf IFST", ["Rhondda Cynon Taf", "Merthyr Tydfil"], 1.4),
    ("Caerphilly IFST", ["Caerphilly"], 0.9),
    ("Blaenau Gwent and Torfaen IFST", ["Blaenau Gwent", "Torfaen"], 0.9),
    ("Monmouthshire IFST", ["Monmouthshire"], 0.4),
    ("Newport IFST", ["Newport"], 0.9),
    ("Powys IFST", ["Powys"], 0.6),
]

SURNAMES = (
    "Jones Williams Davies Evans Thomas Roberts Hughes Lewis Morgan Griffiths Edwards Owen "
    "Price Jenkins James Phillips Rees Parry Lloyd Powell Morris Smith Taylor Brown Wilson "
    "Harris Walker Wright Green Hall Wood Clarke Turner Hill Moore Watkins Pritchard Bowen "
    "Howells Pugh Richards Bevan Prosser Rowlands Vaughan Probert Meredith Gwilliam Ellis"
).split()
FEMALE = (
    "Ffion Seren Cerys Megan Sian Rhian Carys Lowri Nia Bethan Amy Emma Sarah Laura Kelly "
    "Hannah Chloe Jessica Lauren Gemma Stacey Leanne Katie Rebecca Nicola Catrin Elin Angharad"
).split()
MALE = (
    "Rhys Dylan Gareth Owain Ieuan Dafydd Aled Tomos Cai Osian Jack Liam Ryan Daniel Lewis "
    "Jordan Craig Dean Lee Scott Mark Jamie Kyle Callum Ethan Harri Macsen Gruffydd"
).split()
STREETS = (
    "High Street|Church Road|Station Road|Heol y Parc|Maes y Dre|Bryn Road|Park View|"
    "Mill Lane|Chapel Street|Heol Las|Victoria Road|Ffordd y Môr|Tudor Close|Oak Avenue"
).split("|")
POSTAREAS = ["CF", "NP", "SA", "LL", "LD", "SY", "CH"]
ETHNICITY = [
    ("White Welsh or British", 88),
    ("White other", 4),
    ("Mixed or multiple", 3),
    ("Asian or Asian British", 2),
    ("Black or Black British", 2),
    ("Other", 1),
]
PRESENTING = [
    "domestic-abuse",
    "parental-mental-health",
    "parenting",
    "housing",
    "debt",
    "school-attendance",
    "offending",
    "trauma-bereavement",
    "young-carer",
    "child-neurodiversity",
    "employment",
    "learning-disability",
]
SUBSTANCE_WEIGHTS = [
    ("alcohol", 40),
    ("cannabis", 20),
    ("heroin", 8),
    ("methadone", 6),
    ("cocaine", 12),
    ("crack", 3),
    ("amphetamines", 4),
    ("ketamine", 1),
    ("mephedrone", 1),
    ("prescribed", 4),
    ("other", 1),
]
# Screening outcomes (code, weight): most referrals reach assessment (the evaluation's
# "92% reached assessment" site), a few are inappropriate, referred on or closed.
OUTCOME_WEIGHTS = [
    ("accepted", 81),
    ("no-space", 6),
    ("inappropriate", 5.5),
    ("referred-on", 3.5),
    ("refused", 2),
    ("withdrawn", 1.5),
    ("other", 0.5),
]
ROUTE_WEIGHTS = [("online-form", 55), ("phone", 30), ("email", 10), ("panel", 5)]
# Services an adult used in the year before the referral (code, weight), and the ones the
# work tends to connect a family with, which are added by the end of it.
SERVICES_BEFORE = [
    ("health", 60),
    ("drug-alcohol", 30),
    ("mental-health", 30),
    ("housing", 25),
    ("domestic-abuse", 15),
    ("financial-advice", 12),
    ("counselling", 10),
    ("parenting", 10),
    ("employment-training", 8),
    ("childrens-centre", 8),
    ("young-carers", 1),
]
SERVICES_ADDED = [
    ("parenting", 30),
    ("counselling", 20),
    ("drug-alcohol", 20),
    ("financial-advice", 20),
    ("employment-training", 20),
    ("health", 15),
    ("mental-health", 15),
    ("childrens-centre", 12),
    ("housing", 10),
    ("domestic-abuse", 8),
    ("young-carers", 2),
]


def weighted(rng: random.Random, pairs):
    total = sum(w for _v, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


def add_months(day: date, months: int) -> date:  # the same rule as reviews.services
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class Worker:
    pk: int
    start: float  # seconds from the epoch of the dataset
    end: float | None  # left the team at, or None if still there
    email: str


@dataclass
class TeamData:
    pk: int
    index: int
    name: str
    la_ids: list[int]
    step_down: bool
    offsets: list[int]
    managers: list[int] = field(default_factory=list)
    workers: list[Worker] = field(default_factory=list)  # practitioners and CSWs
    referrers: list[tuple[int, str, str]] = field(default_factory=list)  # (pk, name, email)
    board: list[int] = field(default_factory=list)
    performance: list[int] = field(default_factory=list)


@dataclass
class _CaseDraw:
    """One case being drawn: what _case's steps decide, in the order they decide it, and
    then write. The steps run in a fixed order, so the random draws and ids are the
    same for the same seed."""

    team: TeamData
    case_id: int
    referral: int
    family: int
    members: list
    users: list
    allocated: float
    clock_from: float
    manager: int
    referrer: int
    ref_email: str
    large: bool
    worker: Worker | None = None
    co_worker: Worker | None = None
    people: list[int] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)
    seen_ids: list[int] = field(default_factory=list)
    changes: list[tuple[str, str, float, str]] = field(default_factory=list)
    # (t, minutes, mode, work type, stage)
    contact_rows: list[tuple[float, int, str, str, str]] = field(default_factory=list)
    stage: str = "awaiting_assessment"
    closed_at: float | None = None
    phase1_planned: date | None = None
    phase1_start: date | None = None
    phase1_end: date | None = None
    slip: str = ""
    closure: tuple | None = None  # (reason code, closed_on, early)
    assessment: list | None = None
    reviews_out: list[list] = field(default_factory=list)
    goals: list[list] = field(default_factory=list)
    start: float = 0.0
    plans: list[date] = field(default_factory=list)


class Generator:
    def __init__(
        self,
        *,
        factor: float,
        seed: int,
        end: date,
        password: str,
        dry_run: bool = False,
        chunk_families: int = 2000,
        out=None,
        start: date = HISTORY_START,
    ) -> None:
        self.factor = factor
        self.start = start
        self.seed = seed
        self.rng = random.Random(seed)
        # A stream of its own: the services used before and after draw nothing from the
        # pathway's, so every other row is the same as before they were added.
        self.services_rng = random.Random(f"{seed}:services")
        self.end = end
        self.password = password
        self.dry_run = dry_run
        self.chunk_families = chunk_families
        self.out = out or sys.stdout
        self.epoch = datetime(start.year, start.month, start.day, tzinfo=UTC)
        self.epoch_ts = self.epoch.timestamp()
        # "Now" for the dataset: 07:00 on the end date. Nothing happens after it.
        self._midnight: dict[date, float] = {}
        self.now = self._local(end, 7.0)
        self.sink = Sink(connection, dry_run=dry_run)
        self.ids: dict[str, int] = {}
        self.started = time.monotonic()
        self.rows_written = 0

    # --- time helpers (seconds since the dataset's epoch, UTC) ---------------------------
    def _local(self, day: date, hours: float) -> float:
        base = self._midnight.get(day)
        if base is None:
            base = datetime(day.year, day.month, day.day, tzinfo=LONDON).timestamp() - self.epoch_ts
            self._midnight[day] = base
        return base + hours * HOUR

    def dt(self, t: float) -> datetime:
        return self.epoch + timedelta(seconds=round(t))

    def ldate(self, t: float) -> date:
        return datetime.fromtimestamp(self.epoch_ts + t, tz=LONDON).date()

    def next_id(self, key: str) -> int:
        self.ids[key] += 1
        return self.ids[key]

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    # --- tables ----------------------------------------------------------------------------
    def _register(self) -> None:
        s = self.sink
        spec = [
            (
                "user",
                User,
                [
                    "id",
                    "password",
                    "last_login",
                    "is_superuser",
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "is_staff",
                    "is_active",
                    "date_joined",
                    "job_title",
                    "phone",
                    "email_digest",
                ],
            ),
            (
                "team",
                Team,
                [
                    "id",
                    "name",
                    "email",
                    "first_contact_hours",
                    "screening_pending_days",
                    "assessment_hours",
                    "assessment_clock",
                    "phase1_min_weeks",
                    "phase1_max_weeks",
                    "phase1_min_hours",
                    "review_offsets_months",
                    "booster_limit",
                    "practitioner_capacity",
                    "step_down_enabled",
                    "reminder_days_before",
                    "escalate_after_days",
                    "cost_panel",
                ],
            ),
            ("membership", Membership, ["id", "user", "team", "role", "active", "joined"]),
            (
                "family",
                Family,
                [
                    "id",
                    "team",
                    "name",
                    "address",
                    "postcode",
                    "local_authority",
                    "household_type",
                    "created_at",
                    "anonymised_at",
                ],
            ),
            (
                "person",
                Person,
                [
                    "id",
                    "family",
                    "kind",
                    "first_name",
                    "last_name",
                    "sex",
                    "date_of_birth",
                    "due_date",
                    "relationship",
                    "ethnicity",
                    "legal_status",
                ],
            ),
            (
                "referral",
                Referral,
                [
                    "id",
                    "team",
                    "family",
                    "created_by",
                    "received_at",
                    "route",
                    "referrer_name",
                    "referrer_role",
                    "referrer_team",
                    "referrer_agency",
                    "referrer_local_authority",
                    "referrer_phone",
                    "referrer_email",
                    "proceedings",
                    "consent_given",
                    "consent_date",
                    "reason_for_referral",
                    "is_rereferral",
                    "previous_referral",
                    "status",
                    "first_contact_at",
                    "submission_key",
                    "version",
                ],
            ),
            (
                "decision",
                ScreeningDecision,
                [
                    "id",
                    "referral",
                    "outcome",
                    "reason",
                    "detail",
                    "onward_service",
                    "decided_by",
                    "decided_at",
                ],
            ),
            (
                "waiting",
                WaitingListEntry,
                ["id", "referral", "priority", "notes", "added_at", "left_at", "left_because"],
            ),
            (
                "case",
                Case,
                [
                    "id",
                    "referral",
                    "family",
                    "team",
                    "worker",
                    "co_worker",
                    "stage",
                    "allocated_at",
                    "assessment_clock_from",
                    "allocated_by",
                    "phase1_planned_start",
                    "phase1_start",
                    "phase1_slip_reason",
                    "phase1_end",
                    "closed_at",
                    "restricted",
                    "version",
                ],
            ),
            (
                "stage",
                StageChange,
                ["id", "case", "from_stage", "to_stage", "changed_by", "changed_at", "note"],
            ),
            (
                "assessment",
                Assessment,
                [
                    "id",
                    "case",
                    "started_at",
                    "completed_at",
                    "hours_spent",
                    "safety_plan",
                    "safety_plan_agreed_on",
                    "decision",
                    "not_proceed_reason",
                    "decision_notes",
                    "version",
                ],
            ),
            (
                "contact",
                Contact,
                [
                    "id",
                    "case",
                    "started_at",
                    "duration_minutes",
                    "mode",
                    "work_type",
                    "out_of_hours",
                    "notes",
                    "stage",
                    "recorded_by",
                    "recorded_at",
                ],
            ),
            (
                "goal",
                Goal,
                [
                    "id",
                    "case",
                    "title",
                    "category",
                    "is_substance",
                    "level_minus2",
                    "level_minus1",
                    "level_0",
                    "level_plus1",
                    "level_plus2",
                    "baseline",
                    "weight",
                    "created_at",
                    "created_by",
                ],
            ),
            (
                "plan",
                FamilyPlan,
                [
                    "id",
                    "case",
                    "number",
                    "needs",
                    "service_actions",
                    "agreed_on",
                    "agreed_with",
                    "created_by",
                    "created_at",
                ],
            ),
            (
                "review",
                Review,
                [
                    "id",
                    "case",
                    "offset_months",
                    "due_on",
                    "held_on",
                    "attendees",
                    "progress",
                    "plan_still_fit",
                    "recorded_by",
                    "report_sent_at",
                    "version",
                ],
            ),
            ("score", GoalScore, ["id", "goal", "review", "score", "scored_on", "recorded_by"]),
            (
                "booster",
                Booster,
                [
                    "id",
                    "case",
                    "requested_by",
                    "requested_on",
                    "delivered_by",
                    "delivered_on",
                    "duration_minutes",
                    "notes",
                    "over_limit_reason",
                    "approved_by",
                ],
            ),
            (
                "reading",
                Reading,
                [
                    "id",
                    "case",
                    "person",
                    "instrument",
                    "occasion",
                    "taken_on",
                    "total",
                    "sdq_emotional",
                    "sdq_conduct",
                    "sdq_hyperactivity",
                    "sdq_peer",
                    "sdq_prosocial",
                    "sdq_informant",
                    "sdq_version",
                    "recorded_by",
                ],
            ),
            (
                "service_use",
                ServiceUse,
                ["id", "case", "person", "occasion", "recorded_on", "recorded_by", "version"],
            ),
            (
                "closure",
                Closure,
                [
                    "id",
                    "case",
                    "reason",
                    "closed_on",
                    "derived_success",
                    "success_override",
                    "override_reason",
                    "overridden_by",
                    "substance_change",
                    "notes",
                    "measures_missing_reason",
                    "closed_by",
                ],
            ),
            (
                "child_outcome",
                ChildOutcome,
                ["id", "closure", "person", "outcome", "reason_not_known"],
            ),
            (
                "feedback",
                Feedback,
                ["id", "case", "team", "given_by", "received_on", "positive", "comments"],
            ),
            ("complaint", Complaint, ["id", "team", "case", "received_on", "summary"]),
            (
                "consultation",
                Consultation,
                ["id", "team", "held_on", "asked_by", "agency", "topic", "led_to_referral"],
            ),
            (
                "training",
                TrainingSession,
                ["id", "team", "course", "held_on", "attendees", "audience"],
            ),
            (
                "notification",
                Notification,
                [
                    "id",
                    "recipient",
                    "email",
                    "subject",
                    "body",
                    "url",
                    "created_at",
                    "read_at",
                    "emailed_at",
                    "reminder",
                ],
            ),
            (
                "reminder",
                Reminder,
                ["id", "team", "item_type", "item_id", "kind", "step", "due_at", "created_at"],
            ),
        ]
        from auditlog.models import LogEntry

        spec.append(
            (
                "logentry",
                LogEntry,
                [
                    "id",
                    "object_pk",
                    "object_id",
                    "object_repr",
                    "action",
                    "timestamp",
                    "actor",
                    "content_type",
                    "changes_text",
                    "actor_email",
                ],
            )
        )
        self.models = {}
        for key, model, names in spec:
            s.register(
                Table(key, model._meta.db_table, columns(model, names), defaults(model, names))
            )
            self.models[key] = model
        # Many-to-many rows go after both sides (the order of registration is the order
        # of writing).
        m2m = [
            ("team_las", Team, "local_authorities"),
            ("person_substances", Person, "substances"),
            ("referral_issues", Referral, "presenting_issues"),
            ("case_restricted", Case, "restricted_to"),
            ("contact_people", Contact, "people_seen"),
            ("contact_methods", Contact, "methods"),
            ("goal_members", Goal, "members"),
            ("plan_services", FamilyPlan, "invited_services"),
            ("review_services", Review, "services_signposted"),
            ("closure_services", Closure, "destination_services"),
            ("service_use_types", ServiceUse, "services"),
        ]
        for key, model, fname in m2m:
            table = m2m_table(model, fname, key)
            s.register(Table(key, table.db_table, ["id", *table.cols]))
            self.models[key] = model._meta.get_field(fname).remote_field.through
        # Reminders are written after the deadlines are computed from the loaded data.
        with connection.cursor() as cursor:
            for key, t in s.tables.items():
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{t.db_table}"')
                self.ids[key] = cursor.fetchone()[0]
        self.first_ids = dict(self.ids)  # the rows before this run's

    # --- reference data ----------------------------------------------------------------
    def _reference(self) -> None:
        def codes(model):
            return dict(model.objects.values_list("code", "pk"))

        self.ref_issue = codes(PresentingIssue)
        self.ref_substance = codes(Substance)
        self.ref_legal = codes(LegalStatus)
        self.ref_route = codes(ReferralRoute)
        self.ref_onward = codes(OnwardService)
        self.ref_outcome = codes(ScreeningOutcome)
        self.ref_reasons: dict[str, list[int]] = {}
        for outcome_code, reason_pk in ScreeningReason.objects.values_list(
            "outcome__code", "pk"
        ).order_by("outcome__order", "order", "pk"):
            self.ref_reasons.setdefault(outcome_code, []).append(reason_pk)
        self.ref_not_proceed = codes(NotProceedReason)
        self.ref_method = list(
            PracticeMethod.objects.order_by("order").values_list("pk", flat=True)
        )
        self.ref_goalcat = codes(GoalCategory)
        self.ref_closure = dict(ClosureReason.objects.values_list("code", "pk"))
        self.ref_success = dict(ClosureReason.objects.values_list("code", "counts_as_success"))
        self.la_by_name = dict(LocalAuthority.objects.values_list("name", "pk"))
        self.ct_case = ContentType.objects.get_for_model(Case).pk
        self.onward_ids = sorted(self.ref_onward.values())
        self.ref_service_type = codes(ServiceType)

    # --- people who sign in --------------------------------------------------------------
    def _user(
        self,
        username: str,
        first: str,
        last: str,
        *,
        active: bool = True,
        superuser: bool = False,
        joined: float = 0.0,
    ) -> int:
        pk = self.next_id("user")
        email = f"{username}@synthetic.example.org"
        self.sink.add(
            "user",
            (
                pk,
                self.password_hash,
                None,
                superuser,
                username,
                first,
                last,
                email,
                superuser,
                active,
                self.dt(joined),
                "",
                "",
                False,
            ),
        )
        self._emails[pk] = email
        return pk

    def _membership(self, user: int, team: int, role: str, active: bool, joined: float) -> None:
        self.sink.add(
            "membership",
            (
                self.next_id("membership"),
                user,
                team,
                role,
                active,
                self.ldate(joined),
            ),
        )

    def _teams(self) -> None:
        rng = self.rng
        f = self.factor
        self._emails: dict[int, str] = {}
        self.password_hash = make_password(self.password, salt="synthetic")
        self.teams: list[TeamData] = []
        span = self.now
        self._user("synthetic.admin", "Synthetic", "Administrator", superuser=True)
        for index, (name, las, _weight) in enumerate(TEAMS):
            pk = self.next_id("team")
            offsets = [1, 3, 6, 9, 12] if index % 3 == 2 or index in (7, 8) else [1, 3, 6, 12]
            step_down = index % 4 == 1
            clock = "working" if index % 6 == 2 else "clock"
            self.sink.add(
                "team",
                (
                    pk,
                    name,
                    f"team{index + 1:02d}@synthetic.example.org",
                    24,
                    5,
                    72,
                    clock,
                    4,
                    4 if index == 3 else 6,
                    50,
                    json.dumps(offsets),
                    3,
                    2,
                    step_down,
                    2,
                    3,
                    False,  # the cost-avoidance panel is off unless a team turns it on
                ),
            )
            la_ids = [self.la_by_name[n] for n in las]
            for la in la_ids:
                self.sink.add("team_las", (self.next_id("team_las"), pk, la))
            team = TeamData(pk, index, name, la_ids, step_down, offsets)
            tag = f"t{index + 1:02d}"
            # Managers, performance officers and board members stay for the whole history.
            for i in range(2):
                u = self._user(f"{tag}.manager{i + 1}", rng.choice(FEMALE), rng.choice(SURNAMES))
                self._membership(u, pk, "manager", True, 0)
                team.managers.append(u)
            for i in range(1 if f < 0.5 else 2):
                u = self._user(f"{tag}.perf{i + 1}", rng.choice(MALE), rng.choice(SURNAMES))
                self._membership(u, pk, "performance", True, 0)
                team.performance.append(u)
            for i in range(3):
                u = self._user(f"{tag}.board{i + 1}", rng.choice(FEMALE), rng.choice(SURNAMES))
                self._membership(u, pk, "board", True, 0)
                team.board.append(u)
            # Caseworkers: enough current ones for the open caseload at this factor, and
            # half as many who left during the history (their cases are all closed).
            n_current = max(2, round(32 * f * TEAMS[index][2]))
            n_csw = max(1, round(3 * f * TEAMS[index][2]))
            for i in range(n_current + n_csw):
                role = "practitioner" if i < n_current else "csw"
                joined = 0.0 if rng.random() < 0.5 else rng.uniform(0, span - 400 * DAY)
                first = rng.choice(FEMALE if rng.random() < 0.75 else MALE)
                u = self._user(
                    f"{tag}.{'worker' if role == 'practitioner' else 'csw'}{i + 1}",
                    first,
                    rng.choice(SURNAMES),
                    joined=joined,
                )
                self._membership(u, pk, role, True, joined)
                team.workers.append(Worker(u, joined, None, self._emails[u]))
            for i in range(max(1, n_current // 2)):
                end = rng.uniform(400 * DAY, span - 500 * DAY)
                u = self._user(
                    f"{tag}.former{i + 1}", rng.choice(FEMALE), rng.choice(SURNAMES), active=False
                )
                self._membership(u, pk, "practitioner", False, 0)
                team.workers.append(Worker(u, 0.0, end, self._emails[u]))
            # Referring social workers with accounts (others phone or email).
            for i in range(max(2, round(40 * f * TEAMS[index][2]))):
                first, last = rng.choice(FEMALE + MALE), rng.choice(SURNAMES)
                u = self._user(f"{tag}.referrer{i + 1}", first, last)
                self._membership(u, pk, "referrer", True, 0)
                team.referrers.append((u, f"{first} {last}", self._emails[u]))
            self.teams.append(team)
            # Team activity beyond cases (DOMAIN.md section 5).
            years = span / (365.25 * DAY)
            for _ in range(max(1, round(60 * f * years * TEAMS[index][2]))):
                held = self.ldate(rng.uniform(0, span))
                self.sink.add(
                    "consultation",
                    (
                        self.next_id("consultation"),
                        pk,
                        held,
                        f"{rng.choice(FEMALE)} {rng.choice(SURNAMES)}",
                        rng.choice(
                            [
                                "Children's services",
                                "Health visiting",
                                "Education",
                                "Police",
                                "Housing",
                            ]
                        ),
                        rng.choice(
                            [
                                "Parental alcohol use",
                                "Drug use and parenting",
                                "Whether to refer",
                                "Safety planning",
                            ]
                        ),
                        rng.random() < 0.3,
                    ),
                )
            for _ in range(max(1, round(6 * years))):
                held = self.ldate(rng.uniform(0, span))
                self.sink.add(
                    "training",
                    (
                        self.next_id("training"),
                        pk,
                        rng.choice(
                            [
                                "Substance misuse awareness",
                                "Motivational interviewing",
                                "Hidden harm",
                                "Working with fathers",
                            ]
                        ),
                        held,
                        rng.randint(6, 30),
                        "Children's services; health; education",
                    ),
                )

    # --- one family and its whole history ----------------------------------------------------
    def _members(self, family: int, first_ref: float, large: bool):
        rng = self.rng
        ref_day = self.ldate(first_ref)
        surname = rng.choice(SURNAMES)
        ethnicity = weighted(rng, ETHNICITY)
        two_parent = rng.random() < 0.45
        kinship = not two_parent and rng.random() < 0.08
        lone_father = not two_parent and not kinship and rng.random() < 0.1
        household = (
            "two_parent"
            if two_parent
            else "kinship"
            if kinship
            else "lone_father"
            if lone_father
            else "lone_mother"
        )
        members = []  # (pk, kind, sex, dob)
        adults = []
        if two_parent:
            adults = [("female", "mother"), ("male", rng.choice(["father", "step_parent"]))]
        elif kinship:
            adults = [(rng.choice(["female", "male"]), "grandparent")]
        elif lone_father:
            adults = [("male", "father")]
        else:
            adults = [("female", "mother")]
        if large:
            adults.append(("female", "grandparent"))
        user_ids = []
        for sex, rel in adults:
            age = rng.randint(19, 48) if rel != "grandparent" else rng.randint(45, 70)
            dob = ref_day - timedelta(days=age * 365 + rng.randint(0, 364))
            pk = self.next_id("person")
            first = rng.choice(FEMALE if sex == "female" else MALE)
            self.sink.add(
                "person",
                (pk, family, "adult", first, surname, sex, dob, None, rel, ethnicity, None),
            )
            members.append((pk, "adult", sex, dob))
            if rel != "grandparent" or kinship:
                user_ids.append(pk)
        # Substance users among the adults: at least one (the criterion for referral).
        users = [p for p in user_ids if rng.random() < 0.55] or [
            rng.choice(user_ids or [members[0][0]])
        ]
        for pk in users:
            chosen = {weighted(rng, SUBSTANCE_WEIGHTS)}
            if rng.random() < 0.3:
                chosen.add(weighted(rng, SUBSTANCE_WEIGHTS))
            for code in sorted(chosen):
                self.sink.add(
                    "person_substances",
                    (self.next_id("person_substances"), pk, self.ref_substance[code]),
                )
        n_children = (
            rng.randint(7, 9)
            if large
            else 1 + (rng.random() < 0.55) + (rng.random() < 0.3) + (rng.random() < 0.12)
        )
        for _ in range(n_children):
            age_days = rng.randint(30, 17 * 365)
            dob = ref_day - timedelta(days=age_days)
            sex = "female" if rng.random() < 0.5 else "male"
            legal = weighted(
                rng,
                [
                    ("child-in-need", 45),
                    ("child-protection", 40),
                    ("looked-after-return-home", 10),
                    ("none", 5),
                ],
            )
            pk = self.next_id("person")
            self.sink.add(
                "person",
                (
                    pk,
                    family,
                    "child",
                    rng.choice(FEMALE if sex == "female" else MALE),
                    surname,
                    sex,
                    dob,
                    None,
                    "child",
                    ethnicity,
                    self.ref_legal[legal],
                ),
            )
            members.append((pk, "child", sex, dob))
        if rng.random() < 0.05:
            pk = self.next_id("person")
            due = ref_day + timedelta(days=rng.randint(20, 110))
            self.sink.add(
                "person",
                (
                    pk,
                    family,
                    "unborn",
                    "",
                    surname,
                    "",
                    None,
                    due,
                    "child",
                    ethnicity,
                    self.ref_legal["unborn-child-protection"],
                ),
            )
            members.append((pk, "unborn", "", None))
        return surname, household, members, users

    def _family(self, team: TeamData, first_ref: float, large: bool) -> None:
        rng = self.rng
        family = self.next_id("family")
        la = rng.choice(team.la_ids)
        surname, household, members, users = self._members(family, first_ref, large)
        area = rng.choice(POSTAREAS)
        postcode = (
            f"{area}{rng.randint(1, 48)} {rng.randint(1, 9)}{chr(65 + rng.randint(0, 25))}"
            f"{chr(65 + rng.randint(0, 25))}"
        )
        self.sink.add(
            "family",
            (
                family,
                team.pk,
                surname,
                f"{rng.randint(1, 140)} {rng.choice(STREETS)}",
                postcode,
                la,
                household,
                self.dt(first_ref),
                None,
            ),
        )
        # Referrals: the first, and sometimes re-referrals after the earlier episode.
        t = first_ref
        previous = None
        for n in range(3):
            if t >= self.now:
                break
            end_of_episode, previous = self._referral(
                team, family, members, users, t, previous, n > 0, large
            )
            if end_of_episode is None or rng.random() >= (0.28 if n == 0 else 0.12):
                break
            t = end_of_episode + rng.uniform(60, 900) * DAY

    def _referral(
        self,
        team: TeamData,
        family: int,
        members,
        users,
        received: float,
        previous: int | None,
        rereferral: bool,
        large: bool,
    ):
        """One referral, its screening and (often) a case. Returns when the episode ended
        (None if still going) and the referral's id."""
        rng = self.rng
        add = self.sink.add
        now = self.now
        pk = self.next_id("referral")
        route = weighted(rng, ROUTE_WEIGHTS)
        manager = rng.choice(team.managers)
        if route == "online-form":
            created_by, ref_name, ref_email = rng.choice(team.referrers)
        else:
            created_by = manager
            ref_name = f"{rng.choice(FEMALE + MALE)} {rng.choice(SURNAMES)}"
            ref_email = f"sw{rng.randint(1, 99999)}@council.example.org"
        version = 1
        # First contact with the referrer: most within the 24 hours (DOMAIN.md section 3).
        u = rng.random()
        if u < 0.72:
            fc = received + rng.uniform(0.5, 23.5) * HOUR
        elif u < 0.95:
            fc = received + rng.uniform(24, 96) * HOUR
        elif u < 0.985:
            fc = received + rng.uniform(96, 240) * HOUR
        else:
            fc = None
        if fc is not None and fc > now:
            fc = None
        if fc is not None:
            version += 1
        # Screening.
        decided = received + max(rng.expovariate(1 / 40) * HOUR, 0.5 * HOUR)
        status = "submitted"
        case_at = None
        from_waiting = False
        episode_end = None
        outcome = weighted(rng, OUTCOME_WEIGHTS)
        decisions = []
        waiting = None
        if decided <= now:
            decisions.append((outcome, decided))
            version += 1
            if outcome == "accepted":
                status = "accepted"
                case_at = decided + rng.uniform(2, 240) * HOUR
            elif outcome == "no-space":
                status = "waiting"
                wait = rng.uniform(7, 100) * DAY
                left = decided + wait
                waiting = [rng.choice([1, 2, 2, 3]), decided, None, ""]
                if left <= now:
                    if rng.random() < 0.8:
                        case_at = left
                        from_waiting = True
                    else:
                        closing = rng.choice(["withdrawn", "refused"])
                        decisions.append((closing, left))
                        version += 1
                        status = "closed"
                        waiting[2] = left
                        waiting[3] = ScreeningOutcome_names[closing]
                        episode_end = left
            elif outcome == "referred-on":
                status = "referred_on"
                episode_end = decided
            else:
                status = "closed"
                episode_end = decided
        case_id = None
        if case_at is not None and case_at <= now:
            status = "allocated"
            version += 1
            if waiting is not None:
                waiting[2] = case_at
                waiting[3] = "Allocated"
            case_id = self.next_id("case")
        add(
            "referral",
            (
                pk,
                team.pk,
                family,
                created_by,
                self.dt(received),
                self.ref_route[route],
                ref_name,
                "Social worker",
                rng.choice(
                    ["Children's services", "Child protection team", "Intake and assessment"]
                ),
                "Local authority children's services",
                rng.choice(team.la_ids),
                f"01{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
                ref_email,
                weighted(rng, [("none", 75), ("pre_proceedings", 18), ("care_proceedings", 7)]),
                True,
                self.ldate(received),
                "Parental substance misuse affecting the children.",
                rereferral,
                previous,
                status,
                self.dt(fc) if fc is not None else None,
                self._submission_key(uuid.UUID(int=rng.getrandbits(128), version=4)),
                version,
            ),
        )
        add(
            "referral_issues",
            (self.next_id("referral_issues"), pk, self.ref_issue["parental-substance-misuse"]),
        )
        for code in sorted(set(rng.sample(PRESENTING, rng.randint(1, 3)))):
            add("referral_issues", (self.next_id("referral_issues"), pk, self.ref_issue[code]))
        for outcome_code, at in decisions:
            reasons = self.ref_reasons[outcome_code]
            onward = rng.choice(self.onward_ids) if outcome_code == "referred-on" else None
            add(
                "decision",
                (
                    self.next_id("decision"),
                    pk,
                    self.ref_outcome[outcome_code],
                    rng.choice(reasons),
                    "See the referral discussion." if outcome_code == "other" else "",
                    onward,
                    manager,
                    self.dt(at),
                ),
            )
            self._notify(
                created_by, ref_email, "Referral: screening decision", at, f"/referrals/{pk}/"
            )
        if waiting is not None:
            add(
                "waiting",
                (
                    self.next_id("waiting"),
                    pk,
                    waiting[0],
                    "",
                    self.dt(waiting[1]),
                    self.dt(waiting[2]) if waiting[2] is not None else None,
                    waiting[3],
                ),
            )
        if case_id is None:
            return episode_end, pk
        clock_from = case_at if from_waiting else received
        end = self._case(
            team,
            case_id,
            pk,
            family,
            members,
            users,
            case_at,
            clock_from,
            manager,
            created_by,
            ref_email,
            large,
        )
        return end, pk

    def _notify(self, recipient: int | None, email: str, subject: str, at: float, url: str) -> None:
        """A notice to a user (and an email-only copy to a referrer without an account)."""
        add = self.sink.add
        sent = self.dt(at + 120)
        read = self.dt(at + 6 * HOUR) if at + 3 * DAY < self.now else None
        if recipient is not None:
            add(
                "notification",
                (
                    self.next_id("notification"),
                    recipient,
                    "",
                    subject,
                    subject + ".",
                    url,
                    self.dt(at),
                    read,
                    sent,
                    None,
                ),
            )
        if email and (recipient is None or self._emails.get(recipient) != email):
            add(
                "notification",
                (
                    self.next_id("notification"),
                    None,
                    email,
                    subject,
                    subject + ".",
                    "",
                    self.dt(at),
                    None,
                    sent,
                    None,
                ),
            )

    def _pick_worker(self, team: TeamData, at: float) -> Worker:
        rng = self.rng
        # Someone in post at allocation who stays long enough to finish the case.
        fits = [
            w for w in team.workers if w.start <= at and (w.end is None or w.end > at + 500 * DAY)
        ]
        if not fits:
            fits = [w for w in team.workers if w.end is None]
        return rng.choice(fits)

    def _case(
        self,
        team: TeamData,
        case_id: int,
        referral: int,
        family: int,
        members,
        users,
        allocated: float,
        clock_from: float,
        manager: int,
        referrer: int,
        ref_email: str,
        large: bool,
    ) -> float | None:
        c = _CaseDraw(
            team=team,
            case_id=case_id,
            referral=referral,
            family=family,
            members=members,
            users=users,
            allocated=allocated,
            clock_from=clock_from,
            manager=manager,
            referrer=referrer,
            ref_email=ref_email,
            large=large,
        )
        self._case_allocate(c)
        self._case_assess(c)
        self._case_phase1(c)
        self._case_phase2(c)
        self._case_close(c)
        self._case_write_case(c)
        self._case_write_contacts(c)
        self._case_write_goals(c)
        self._case_write_reviews(c)
        self._case_write_plans(c)
        self._case_write_boosters(c)
        self._case_write_readings(c)
        self._case_write_services_used(c)
        self._case_write_closure(c)
        self._case_write_complaint(c)
        self._case_write_views(c)
        return c.closed_at

    def _case_allocate(self, c: _CaseDraw) -> None:
        """Allocation: the worker (and a co-worker for one in ten), and a call before the
        assessment."""
        rng = self.rng
        now = self.now
        c.worker = self._pick_worker(c.team, c.allocated)
        if rng.random() < 0.1:
            other = self._pick_worker(c.team, c.allocated)
            if other.pk != c.worker.pk:
                c.co_worker = other
        c.people = [c.worker.pk] + ([c.co_worker.pk] if c.co_worker else [])
        c.member_ids = [m[0] for m in c.members]
        c.seen_ids = [m[0] for m in c.members if m[1] != "unborn"]
        c.changes = [("", "awaiting_assessment", c.allocated, "Allocated")]
        self._notify(c.worker.pk, "", "New case allocated", c.allocated, f"/cases/{c.case_id}/")
        if rng.random() < 0.5:
            t = c.allocated + rng.uniform(1, 20) * HOUR
            if t < now:
                c.contact_rows.append(
                    (t, rng.randint(10, 40), "phone", "indirect", "awaiting_assessment")
                )

    def _case_assess(self, c: _CaseDraw) -> None:
        """The "72-hour" assessment and the decision to proceed (or close)."""
        rng = self.rng
        now = self.now
        c.start = c.allocated + rng.uniform(4, 70) * HOUR
        if c.start <= now:
            c.stage = "assessment"
            c.changes.append(("awaiting_assessment", "assessment", c.start, ""))
            # The "72-hour" assessment, timed from the clock: 6% within 72 h, 61% within a
            # week, 88% within two weeks (DOMAIN.md section 3).
            u = rng.random()
            took = (
                rng.uniform(30, 72)
                if u < 0.06
                else rng.uniform(72, 168)
                if u < 0.61
                else rng.uniform(168, 336)
                if u < 0.88
                else rng.uniform(336, 600)
            ) * HOUR
            completed = c.clock_from + took
            if completed < c.start + 20 * HOUR:
                completed = c.start + rng.uniform(20, 60) * HOUR
            for i in range(rng.randint(1, 3)):
                t = c.start + (completed - c.start) * (i + 0.2) / 3.2
                if t < now:
                    c.contact_rows.append(
                        (t, rng.randint(150, 300), "home_visit", "direct", "assessment")
                    )
            c.assessment = [c.start, None, None, "", None, "", None, ""]
            if completed <= now:
                c.assessment[1] = completed
                c.assessment[2] = Decimal(rng.randint(14, 20)) / 2
                c.assessment[3] = "Safety Plan agreed with the family and the social worker."
                c.assessment[4] = self.ldate(c.start + DAY)
                decided = completed + rng.uniform(1, 30) * HOUR
                if decided <= now:
                    if rng.random() < 0.9:
                        c.assessment[5] = "proceed"
                        c.phase1_planned = self.ldate(completed)
                        delay = 0 if rng.random() < 0.7 else rng.randint(1, 7)
                        c.phase1_start = c.phase1_planned + timedelta(days=delay)
                        c.slip = (
                            ""
                            if not delay
                            else rng.choice(["School holidays", "Court hearing", "Family illness"])
                        )
                        moved = min(self._local(c.phase1_start, 12), decided)
                        c.stage = "phase1"
                        c.changes.append(("assessment", "phase1", moved, ""))
                        self._notify(
                            c.referrer,
                            c.ref_email,
                            "Case moved to Phase 1",
                            moved,
                            f"/referrals/{c.referral}/",
                        )
                    else:
                        c.assessment[5] = "not_proceed"
                        code = rng.choice(sorted(self.ref_not_proceed))
                        c.assessment[6] = self.ref_not_proceed[code]
                        c.assessment[7] = "Did not proceed."
                        c.stage = "closed"
                        c.closed_at = decided
                        c.changes.append(("assessment", "closed", decided, "Did not proceed"))

    def _case_phase1(self, c: _CaseDraw) -> None:
        """Phase 1: its length, contacts and goals, and how it ends (early closure,
        step-down or Phase 2)."""
        rng = self.rng
        now = self.now
        if c.phase1_start is not None:
            u = rng.random()
            length = (
                rng.randint(21, 27)
                if u < 0.12
                else rng.randint(28, 42)
                if u < 0.7
                else rng.randint(43, 70)
                if u < 0.95
                else rng.randint(71, 100)
            )
            early = rng.random() < 0.05
            end_day = c.phase1_start + timedelta(days=length)
            if early:
                end_day = c.phase1_start + timedelta(days=rng.randint(5, max(6, length - 1)))
            end_t = self._local(end_day, 12)
            # Phase 1 contacts: 2-5 a week of long home visits (DOMAIN.md sections 3 and 7).
            weeks = length / 7
            n = max(2, round(weeks * rng.uniform(0.8, 1.5) * (4 if c.large else 1)))
            for i in range(n):
                day = c.phase1_start + timedelta(days=int(length * (i + rng.random()) / n))
                t = self._local(day, rng.uniform(9, 16))
                if t >= now or t >= end_t:
                    continue
                if rng.random() < 0.86:
                    c.contact_rows.append(
                        (t, rng.randint(200, 540), "home_visit", "direct", "phase1")
                    )
                else:
                    c.contact_rows.append(
                        (
                            t,
                            rng.randint(60, 120),
                            rng.choice(["office", "other_venue"]),
                            "multi_agency",
                            "phase1",
                        )
                    )
            # Goals agreed at the start of Phase 1: about two, at least one on substances.
            n_goals = 5 if c.large else weighted(rng, [(1, 15), (2, 60), (3, 25)])
            if self._local(c.phase1_start, 14) > now:
                n_goals = 0
            cats = [c for c in sorted(self.ref_goalcat) if c != "substance-use"]
            for g in range(n_goals):
                substance = g == 0
                cat = "substance-use" if substance else rng.choice(cats)
                c.goals.append(
                    [
                        self.next_id("goal"),
                        substance,
                        cat,
                        -2 if rng.random() < 0.4 else -1,
                        (
                            rng.choice(c.users)
                            if substance and c.users
                            else rng.choice(c.member_ids)
                            if rng.random() < 0.5
                            else None
                        ),
                    ]
                )
            if early and end_t <= now:
                c.closure = (
                    weighted(
                        rng,
                        [
                            ("disengaged", 55),
                            ("moved-away", 15),
                            ("children-accommodated", 15),
                            ("stepped-up", 15),
                        ],
                    ),
                    end_day,
                    True,
                )
            elif end_t <= now:
                c.phase1_end = end_day
                to = "step_down" if c.team.step_down and rng.random() < 0.6 else "phase2"
                c.changes.append(("phase1", to, end_t, ""))
                c.stage = to
                self._notify(
                    c.referrer,
                    c.ref_email,
                    "Case moved to Phase 2",
                    end_t,
                    f"/referrals/{c.referral}/",
                )
                if to == "step_down":
                    finished = end_t + rng.uniform(14, 28) * DAY
                    if finished <= now:
                        c.changes.append(("step_down", "phase2", finished, ""))
                        c.stage = "phase2"

    def _case_phase2(self, c: _CaseDraw) -> None:
        """Phase 2: the Family Plan's revisions, the reviews at the team's offsets,
        contacts, and when the case closes."""
        rng = self.rng
        now = self.now
        c.plans = []
        if c.phase1_end is not None:
            agreed = max(c.phase1_end - timedelta(days=rng.randint(0, 3)), c.phase1_start)
            c.plans.append(agreed)
            # Phase 2: reviews at the team's offsets after Phase 1 ends.
            early_end = None
            if rng.random() < 0.09:
                early_end = c.phase1_end + timedelta(days=rng.randint(30, 390))
            last_held = None
            for offset in c.team.offsets:
                due = add_months(c.phase1_end, offset)
                held = None
                if early_end is None or due < early_end:
                    u = rng.random()
                    if u < 0.72:
                        held = due + timedelta(days=rng.randint(-5, 14))
                    elif u < 0.94:
                        held = due + timedelta(days=rng.randint(15, 45))
                    if held is not None:
                        held = max(held, c.phase1_end)
                        if (early_end is not None and held >= early_end) or self._local(
                            held, 17
                        ) > now:
                            held = None
                c.reviews_out.append([self.next_id("review"), offset, due, held])
                if held is not None:
                    last_held = held
                    if rng.random() < 0.12 and len(c.plans) < 3:
                        c.plans.append(held)
            # Phase 2 contacts: the managed step-down, weekly then fortnightly.
            for _ in range(rng.randint(0, 3)):
                day = c.phase1_end + timedelta(days=rng.randint(3, 60))
                t = self._local(day, rng.uniform(9, 17))
                if t < now and (early_end is None or day < early_end):
                    c.contact_rows.append(
                        (
                            t,
                            rng.randint(45, 120),
                            rng.choice(["home_visit", "phone", "office"]),
                            "direct",
                            "phase2" if c.stage != "step_down" else "step_down",
                        )
                    )
            if early_end is not None:
                if self._local(early_end, 15) <= now:
                    c.closure = (
                        weighted(
                            rng,
                            [
                                ("disengaged", 45),
                                ("moved-away", 20),
                                ("children-accommodated", 15),
                                ("stepped-up", 15),
                                ("other", 5),
                            ],
                        ),
                        early_end,
                        True,
                    )
            else:
                last_due = add_months(c.phase1_end, c.team.offsets[-1])
                close_day = (last_held or last_due + timedelta(days=30)) + timedelta(
                    days=rng.randint(0, 21)
                )
                if self._local(close_day, 15) <= now:
                    c.closure = ("completed" if rng.random() < 0.92 else "other", close_day, False)

    def _case_close(self, c: _CaseDraw) -> None:
        """The closing stage change and the referrer's notice."""
        if c.closure is not None:
            c.closed_at = self._local(c.closure[1], 15)
            c.changes.append((c.changes[-1][1], "closed", c.closed_at, "Closed"))
            c.stage = "closed"
            self._notify(
                c.referrer, c.ref_email, "Case closed", c.closed_at, f"/referrals/{c.referral}/"
            )

    def _case_write_case(self, c: _CaseDraw) -> None:
        """The case row, who may see a restricted case, its stage history and its assessment."""
        rng = self.rng
        add = self.sink.add
        restricted = rng.random() < 0.002
        add(
            "case",
            (
                c.case_id,
                c.referral,
                c.family,
                c.team.pk,
                c.worker.pk,
                c.co_worker.pk if c.co_worker else None,
                c.stage,
                self.dt(c.allocated),
                self.dt(c.clock_from),
                c.manager,
                c.phase1_planned,
                c.phase1_start,
                c.slip,
                c.phase1_end,
                self.dt(c.closed_at) if c.closed_at is not None else None,
                restricted,
                len(c.changes),
            ),
        )
        if restricted:
            for uid in sorted({c.manager, *c.people}):
                add("case_restricted", (self.next_id("case_restricted"), c.case_id, uid))
        for frm, to, at, note in c.changes:
            add(
                "stage",
                (
                    self.next_id("stage"),
                    c.case_id,
                    frm,
                    to,
                    c.manager if to in ("awaiting_assessment", "closed") else c.worker.pk,
                    self.dt(at),
                    note,
                ),
            )
        if c.assessment is not None:
            a = c.assessment
            add(
                "assessment",
                (
                    self.next_id("assessment"),
                    c.case_id,
                    self.dt(a[0]),
                    self.dt(a[1]) if a[1] is not None else None,
                    a[2],
                    a[3],
                    a[4],
                    a[5],
                    a[6],
                    a[7],
                    2 + (a[1] is not None),
                ),
            )

    def _case_write_contacts(self, c: _CaseDraw) -> None:
        """The contacts, with the people seen and the practice methods used."""
        rng = self.rng
        add = self.sink.add
        methods = self.ref_method
        for t, mins, mode, wtype, cstage in c.contact_rows:
            contact = self.next_id("contact")
            who = c.people[0] if len(c.people) == 1 or rng.random() < 0.7 else c.people[1]
            local_hour = (t - self._local(self.ldate(t), 0)) / HOUR
            add(
                "contact",
                (
                    contact,
                    c.case_id,
                    self.dt(t),
                    mins,
                    mode,
                    wtype,
                    local_hour < 8 or local_hour + mins / 60 > 18.5,
                    "",
                    cstage,
                    who,
                    self.dt(t + mins * 60 + rng.uniform(600, 7200)),
                ),
            )
            if c.seen_ids and wtype == "direct":
                for person in sorted(
                    set(rng.sample(c.seen_ids, min(len(c.seen_ids), rng.randint(1, 2))))
                ):
                    add("contact_people", (self.next_id("contact_people"), contact, person))
            if wtype == "direct" and rng.random() < 0.55:
                add(
                    "contact_methods",
                    (self.next_id("contact_methods"), contact, rng.choice(methods)),
                )

    def _case_write_goals(self, c: _CaseDraw) -> None:
        """Goals with Goal Attainment Scaling, scored at the start and at each held review."""
        rng = self.rng
        add = self.sink.add
        held_reviews = [r for r in c.reviews_out if r[3] is not None]
        for goal_id, substance, cat, baseline, member in c.goals:
            add(
                "goal",
                (
                    goal_id,
                    c.case_id,
                    "Reduce and control drinking or drug use"
                    if substance
                    else f"Goal: {cat.replace('-', ' ')}",
                    self.ref_goalcat[cat],
                    substance,
                    "Much worse than now",
                    "No change",
                    "The expected change",
                    "Better than expected",
                    "Much better than expected",
                    baseline,
                    1,
                    self.dt(self._local(c.phase1_start, 14)),
                    c.worker.pk,
                ),
            )
            if member is not None:
                add("goal_members", (self.next_id("goal_members"), goal_id, member))
            add(
                "score",
                (self.next_id("score"), goal_id, None, baseline, c.phase1_start, c.worker.pk),
            )
            for i, (review_id, _offset, _due, held) in enumerate(held_reviews):
                score = max(-2, min(2, baseline + round(rng.gauss(1.0 + 0.25 * i, 0.9))))
                add("score", (self.next_id("score"), goal_id, review_id, score, held, c.worker.pk))

    def _case_write_reviews(self, c: _CaseDraw) -> None:
        """The reviews, held or not, and the services named at them."""
        rng = self.rng
        add = self.sink.add
        now = self.now
        for review_id, offset, due, held in c.reviews_out:
            if held is None:
                add(
                    "review", (review_id, c.case_id, offset, due, None, "", "", None, None, None, 1)
                )
            else:
                sent = self._local(held + timedelta(days=1), 10)
                add(
                    "review",
                    (
                        review_id,
                        c.case_id,
                        offset,
                        due,
                        held,
                        "Family, worker, social worker",
                        "Progress reviewed against the goals.",
                        rng.random() < 0.9,
                        c.worker.pk,
                        self.dt(sent) if sent <= now else None,
                        2,
                    ),
                )
                if rng.random() < 0.4:
                    add(
                        "review_services",
                        (self.next_id("review_services"), review_id, rng.choice(self.onward_ids)),
                    )

    def _case_write_plans(self, c: _CaseDraw) -> None:
        """The Family Plan and its revisions, with their services."""
        rng = self.rng
        add = self.sink.add
        for number, agreed in enumerate(c.plans, start=1):
            plan = self.next_id("plan")
            add(
                "plan",
                (
                    plan,
                    c.case_id,
                    number,
                    "The family's needs as agreed.",
                    "Each service's part as agreed.",
                    agreed,
                    "Family and social worker",
                    c.worker.pk,
                    self.dt(self._local(agreed, 15)),
                ),
            )
            for service in sorted(set(rng.sample(self.onward_ids, rng.randint(1, 3)))):
                add("plan_services", (self.next_id("plan_services"), plan, service))

    def _case_write_boosters(self, c: _CaseDraw) -> None:
        """Boosters in Phase 2 (up to the team's limit of 3)."""
        rng = self.rng
        add = self.sink.add
        now = self.now
        if c.phase1_end is not None and rng.random() < 0.25:
            last = c.closure[1] if c.closure else self.ldate(now)
            for _ in range(rng.randint(1, 3)):
                delivered = c.phase1_end + timedelta(days=rng.randint(60, 360))
                if delivered >= last:
                    continue
                add(
                    "booster",
                    (
                        self.next_id("booster"),
                        c.case_id,
                        rng.choice(["family", "social_worker", "team"]),
                        delivered - timedelta(days=rng.randint(3, 10)),
                        c.worker.pk,
                        delivered,
                        rng.choice([60, 90, 120]),
                        "",
                        "",
                        None,
                    ),
                )

    def _case_write_readings(self, c: _CaseDraw) -> None:
        """WEMWBS and SDQ readings paired before and after, and feedback at the end of Phase 1."""
        rng = self.rng
        add = self.sink.add
        now = self.now
        if c.phase1_start is not None:
            for pk, kind, _sex, dob in c.members:
                if kind == "adult":
                    instrument = "wemwbs"
                elif kind == "child" and dob and 4 <= (c.phase1_start - dob).days / 365.25 <= 16:
                    instrument = "sdq"
                else:
                    continue
                if rng.random() >= 0.85:
                    continue
                taken = c.phase1_start + timedelta(days=rng.randint(0, 10))
                if self._local(taken, 12) > now:
                    continue
                before = self._reading(c.case_id, pk, instrument, "start", taken, None, c.worker.pk)
                if c.phase1_end is not None and rng.random() < 0.4:
                    self._reading(
                        c.case_id, pk, instrument, "end_phase1", c.phase1_end, before, c.worker.pk
                    )
                if c.closure is not None and not c.closure[2] and rng.random() < 0.6:
                    self._reading(
                        c.case_id, pk, instrument, "closure", c.closure[1], before, c.worker.pk
                    )
            # Feedback at the end of Phase 1.
            if c.phase1_end is not None:
                for given_by, p in (("family", 0.45), ("social_worker", 0.3)):
                    if rng.random() < p:
                        add(
                            "feedback",
                            (
                                self.next_id("feedback"),
                                c.case_id,
                                c.team.pk,
                                given_by,
                                c.phase1_end,
                                rng.random() < 0.87,
                                "",
                            ),
                        )

    def _case_write_services_used(self, c: _CaseDraw) -> None:
        """The services the family used before and after the work."""
        if c.assessment is not None:
            self._service_uses(c.case_id, c.members, self.ldate(c.start), c.closure, c.worker.pk)

    def _case_write_closure(self, c: _CaseDraw) -> None:
        """The closure, its onward services and an outcome for every child."""
        rng = self.rng
        add = self.sink.add
        if c.closure is not None:
            code, closed_on, early = c.closure
            closure_id = self.next_id("closure")
            override = None
            reason_text = ""
            if code == "children-accommodated" and rng.random() < 0.2:
                override, reason_text = True, "The children are safe and the plan is to return."
            add(
                "closure",
                (
                    closure_id,
                    c.case_id,
                    self.ref_closure[code],
                    closed_on,
                    self.ref_success[code],
                    override,
                    reason_text,
                    c.manager if override is not None else None,
                    (
                        weighted(
                            rng,
                            [("stopped", 25), ("reduced", 45), ("no_change", 20), ("unknown", 10)],
                        )
                        if not early
                        else weighted(
                            rng,
                            [
                                ("no_change", 40),
                                ("unknown", 40),
                                ("increased", 10),
                                ("reduced", 10),
                            ],
                        )
                    ),
                    "",
                    "",  # measures_missing_reason: not modelled in the synthetic data
                    c.worker.pk,
                ),
            )
            for service in sorted(set(rng.sample(self.onward_ids, rng.randint(0, 2)))):
                add("closure_services", (self.next_id("closure_services"), closure_id, service))
            for pk, kind, _sex, _dob in c.members:
                if kind in ("child", "unborn"):
                    outcome = (
                        weighted(
                            rng,
                            [
                                ("stayed_home", 50),
                                ("deregistered", 30),
                                ("closed_ss", 15),
                                ("returned_home", 3),
                                ("accommodated", 2),
                            ],
                        )
                        if not early
                        else weighted(
                            rng,
                            [
                                ("stayed_home", 40),
                                ("accommodated", 25),
                                ("registered", 25),
                                ("closed_ss", 10),
                            ],
                        )
                    )
                    add(
                        "child_outcome",
                        (self.next_id("child_outcome"), closure_id, pk, outcome, ""),
                    )

    def _case_write_complaint(self, c: _CaseDraw) -> None:
        """A complaint, for a few cases."""
        rng = self.rng
        add = self.sink.add
        now = self.now
        if rng.random() < 0.004:
            add(
                "complaint",
                (
                    self.next_id("complaint"),
                    c.team.pk,
                    c.case_id,
                    self.ldate(min(c.allocated + 30 * DAY, now - DAY)),
                    "A complaint about the service.",
                ),
            )

    def _case_write_views(self, c: _CaseDraw) -> None:
        """Who viewed the case (the audit log), for the two years the log has run."""
        rng = self.rng
        add = self.sink.add
        now = self.now
        log_from = now - 730 * DAY
        for _ in range(3):
            last_t = c.closed_at if c.closed_at is not None else now
            if last_t <= max(c.allocated, log_from):
                break
            t = rng.uniform(max(c.allocated, log_from), last_t)
            actor = rng.choice([c.worker.pk, c.worker.pk, c.manager])
            add(
                "logentry",
                (
                    self.next_id("logentry"),
                    str(c.case_id),
                    c.case_id,
                    f"Case {c.case_id}",
                    3,
                    self.dt(t),
                    actor,
                    self.ct_case,
                    "",
                    self._emails.get(actor, ""),
                ),
            )

    def _reading(
        self,
        case_id: int,
        person: int,
        instrument: str,
        occasion: str,
        taken: date,
        before: int | None,
        recorded_by: int,
    ) -> int:
        rng = self.rng
        if instrument == "wemwbs":
            total = round(rng.gauss(40, 8)) if before is None else before + round(rng.gauss(6, 7))
            total = max(14, min(70, total))
            subs = (None, None, None, None, None, "", "")
        else:
            total = round(rng.gauss(17, 6)) if before is None else before + round(rng.gauss(-3, 5))
            total = max(0, min(40, total))
            parts = [0, 0, 0, 0]
            for _ in range(total):
                open_ = [i for i in range(4) if parts[i] < 10]
                parts[rng.choice(open_)] += 1
            subs = (*parts, rng.randint(3, 10), "parent", "4_17")
        self.sink.add(
            "reading",
            (
                self.next_id("reading"),
                case_id,
                person,
                instrument,
                occasion,
                taken,
                total,
                *subs,
                recorded_by,
            ),
        )
        return total

    def _service_uses(
        self,
        case_id: int,
        members,
        assessed: date,
        closure: tuple[str, date, bool] | None,
        recorded_by: int,
    ) -> None:
        """Each adult's services before the work (at the assessment) and after it (at
        closure). On average a completed case ends with more types than it began with; an
        early closure with about as many."""
        rng = self.services_rng
        for pk, kind, _sex, _dob in members:
            if kind != "adult" or rng.random() >= 0.8:
                continue
            before = self._pick_services(
                rng, SERVICES_BEFORE, weighted(rng, [(0, 20), (1, 35), (2, 30), (3, 15)])
            )
            self._service_use(case_id, pk, "before", assessed, before, recorded_by)
            if closure is None:
                continue
            _code, closed_on, early = closure
            if rng.random() >= (0.4 if early else 0.75):
                continue
            kept = [code for code in before if rng.random() < (0.7 if early else 0.8)]
            added = weighted(rng, [(0, 60), (1, 40)] if early else [(0, 25), (1, 45), (2, 30)])
            after = kept + self._pick_services(rng, SERVICES_ADDED, added, exclude=set(kept))
            self._service_use(case_id, pk, "after", closed_on, after, recorded_by)

    @staticmethod
    def _pick_services(
        rng: random.Random,
        weights: list[tuple[str, int]],
        n: int,
        exclude: set[str] | frozenset[str] = frozenset(),
    ) -> list[str]:
        """n different codes drawn by weight, none of them in exclude."""
        left = [(code, w) for code, w in weights if code not in exclude]
        picked: list[str] = []
        for _ in range(min(n, len(left))):
            code = weighted(rng, left)
            picked.append(code)
            left = [(c, w) for c, w in left if c != code]
        return picked

    def _service_use(
        self,
        case_id: int,
        person: int,
        occasion: str,
        recorded_on: date,
        codes: list[str],
        recorded_by: int,
    ) -> None:
        use = self.next_id("service_use")
        self.sink.add("service_use", (use, case_id, person, occasion, recorded_on, recorded_by, 1))
        for type_id in sorted(self.ref_service_type[code] for code in codes):
            self.sink.add("service_use_types", (self.next_id("service_use_types"), use, type_id))

    # --- the run ------------------------------------------------------------------------------
    def run(self) -> dict:
        self._reference()
        self._register()
        with transaction.atomic():
            self._teams()
            self._flush(force=True)
        rng = self.rng
        n_families = self._n_families()
        weights = self._team_weights()
        cumulative = []
        acc = 0.0
        for w in weights:
            acc += w
            cumulative.append(acc)
        # Each family's first referral, spread over the years (slightly more in later ones).
        span = self.now - 2 * HOUR
        starts = sorted(
            (span * (rng.random() ** 0.85), bisect_right(cumulative, rng.random() * acc))
            for _ in range(n_families)
        )
        done = 0
        self.say(
            f"Generating {n_families} families over {self.end.year - self.start.year} "
            f"years for {len(self.teams)} teams (factor {self.factor}, seed {self.seed})"
        )
        for i in range(0, n_families, self.chunk_families):
            with transaction.atomic():
                for t, team_index in starts[i : i + self.chunk_families]:
                    large = rng.random() < 0.0007
                    self._family(self.teams[min(team_index, len(self.teams) - 1)], t, large)
                done = min(n_families, i + self.chunk_families)
                self._flush(force=True, label=f"families {done}/{n_families}")
        with transaction.atomic():
            self._reminders()
            self._flush(force=True, label="reminders")
        if not self.dry_run:
            reset_sequences(connection, [t.db_table for t in self.sink.tables.values()])
            # Rows written with COPY send no signals: the due page's stored items are
            # computed afresh on their next read.
            duestore.mark_everything()
            # Nor do they keep the families' retention dates: the one rule, once, in bulk.
            refresh_last_closed(Family.objects.all())
            if connection.vendor == "postgresql":
                # What autovacuum does after a bulk load on a server where it runs (the
                # default): the planner's statistics, and the visibility map that lets an
                # index-only scan skip the table (a server with it turned off, as a CI
                # host may be, would otherwise read every counted row from the table).
                tables = [t.db_table for t in self.sink.tables.values()]
                with connection.cursor() as cursor:
                    if not connection.in_atomic_block:  # VACUUM runs outside a transaction
                        cursor.execute(
                            "VACUUM (ANALYZE) "
                            + ", ".join(connection.ops.quote_name(t) for t in tables)
                        )
                    cursor.execute("ANALYZE")
        elapsed = time.monotonic() - self.started
        return {
            "counts": dict(self.sink.counts),
            "checksum": self.sink.checksum(),
            "seconds": elapsed,
            "rows": self.rows_written,
        }

    # --- hooks a smaller dataset (synthetic/demo.py) changes -------------------------------
    def _n_families(self) -> int:
        return max(15, round(FULL_FAMILIES * self.factor))

    def _team_weights(self) -> list[float]:
        return [w for _n, _l, w in TEAMS]

    def _submission_key(self, drawn: uuid.UUID) -> uuid.UUID:
        return drawn

    def _generated(self, deadline) -> bool:
        """Whether a deadline is of a row written here (its reminders are written too)."""
        return True

    def _flush(self, *, force: bool = False, label: str = "") -> None:
        written = self.sink.flush()
        self.rows_written += written
        if label:
            elapsed = time.monotonic() - self.started
            self.say(
                f"  {label}: {self.rows_written:,} rows in {elapsed:,.0f} s "
                f"({self.rows_written / max(elapsed, 0.001):,.0f} rows/s)"
            )

    def _reminders(self) -> None:
        """The reminders a sweep every 15 minutes would already have sent by "now": every
        step whose window opened before now, for every deadline open now (computed by the
        app's own deadline code from the loaded rows). A summary for the backlog past all
        windows, as the sweep would have sent."""
        if self.dry_run:
            return
        from reminders.deadlines import collect
        from reminders.services import is_past_all_windows

        now = self.dt(self.now)
        teams = {t.pk: t for t in Team.objects.all()}
        for d in collect(now):
            if not self._generated(d):
                continue
            team = teams[d.team_id]
            steps = []
            if d.kind in ("phase1_hours", "orphaned"):
                steps = ["due"]
            else:
                if d.due_at - timedelta(days=team.reminder_days_before) <= now:
                    steps.append("before")
                if d.due_at <= now:
                    steps.append("due")
                if d.due_at + timedelta(days=max(team.escalate_after_days, 1)) <= now:
                    steps.append("escalate")
                if (
                    is_past_all_windows(d.due_at, now, escalate_days=team.escalate_after_days)
                    and self.rng.random() < 0.5
                ):
                    # Seen only after its windows had passed: summarised instead.
                    steps = ["summary"]
            for step in steps:
                at = min(now, max(d.due_at - timedelta(days=team.reminder_days_before), self.epoch))
                self.sink.add(
                    "reminder",
                    (
                        self.next_id("reminder"),
                        d.team_id,
                        str(d.item_type),
                        d.item_id,
                        str(d.kind),
                        step,
                        d.due_at,
                        at,
                    ),
                )


ScreeningOutcome_names = {
    "withdrawn": "Withdrawn by the referrer",
    "refused": "Refused by the family",
}
