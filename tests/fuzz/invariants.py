"""What must hold in the database whatever was posted: checked after every fuzzed request.

The checks look at every row, not only the rows a request wrote, so they hold for rows the
fixtures made through the services too (which is itself a useful check of the services).
Each check has a name; a check a known bug breaks is listed in known_bugs.KNOWN_GAPS and
skipped, so the rest keep running while that bug is pinned by its own xfail test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce
from operator import or_

from django.apps import apps
from django.db import connection, models
from django.db.models import F, Q
from django.db.models.functions import Length, TruncDate
from django.utils import timezone

from accounts.models import CASEWORKER_ROLES, STAFF_ROLES, FormDraft, Membership
from cases import pathway
from cases.models import (
    Assessment,
    Case,
    ChildOutcome,
    Closure,
    Contact,
    FamilyPlan,
    StageChange,
)
from families.models import Consent, Person
from outcomes.models import Goal, GoalScore, Reading, ServiceUse
from referrals.models import (
    ALLOCATABLE,
    SCREENABLE,
    Referral,
    ReferralStatus,
    ScreeningDecision,
    WaitingListEntry,
)
from reviews.models import Booster, Review

from .known_bugs import KNOWN_GAPS

PROJECT_APPS = (
    "accounts",
    "families",
    "referrals",
    "cases",
    "outcomes",
    "reviews",
    "notifications",
    "reminders",
    "reporting",
    "teamwork",
)

# The referral statuses a status may move to (decide_referral and allocate_referral).
REFERRAL_MOVES: dict[str, set[str]] = {
    s: (
        {ReferralStatus.ACCEPTED, ReferralStatus.WAITING, ReferralStatus.REFERRED_ON}
        | {ReferralStatus.CLOSED}
        | ({ReferralStatus.ALLOCATED} if s in ALLOCATABLE else set())
    )
    if s in SCREENABLE
    else set()
    for s in ReferralStatus.values
}


@dataclass
class Snapshot:
    case_stages: dict[int, str]
    referral_statuses: dict[int, str]
    last_case: int
    last_stage_change: int


def snapshot() -> Snapshot:
    return Snapshot(
        case_stages=dict(Case.objects.values_list("pk", "stage")),
        referral_statuses=dict(Referral.objects.values_list("pk", "status")),
        last_case=Case.objects.aggregate(m=models.Max("pk"))["m"] or 0,
        last_stage_change=StageChange.objects.aggregate(m=models.Max("pk"))["m"] or 0,
    )


def _tables(about: tuple) -> set[str]:
    return {m._meta.db_table for m in about}


def _exists(qs: models.QuerySet) -> list:
    return list(qs[:3])


def violations(before: Snapshot, written: set[str] | None = None) -> dict[str, list]:
    """Every broken invariant with up to three offending rows (or descriptions).

    `written` is the set of tables the request wrote (None: all of them). With nothing
    written, only the cheap checks against the snapshot run."""
    now = timezone.now()
    today = timezone.localdate()
    found: dict[str, list] = {}

    def check(name: str, about: tuple, rows: Callable[[], list]) -> None:
        """Run a check when the request wrote one of the tables it is about."""
        if name in KNOWN_GAPS:
            return
        if written is not None and not written & _tables(about):
            return
        broken = rows()
        if broken:
            found[name] = broken

    # --- The pathway: a stage only moves along pathway.TRANSITIONS ---------------------
    def stage_moves() -> list:
        after = dict(Case.objects.values_list("pk", "stage"))
        return [
            (pk, old, after.get(pk))
            for pk, old in before.case_stages.items()
            if after.get(pk) != old
            and pathway.Stage(after[pk]) not in pathway.TRANSITIONS[pathway.Stage(old)]
        ]

    def status_moves() -> list:
        after = dict(Referral.objects.values_list("pk", "status"))
        return [
            (pk, old, after.get(pk))
            for pk, old in before.referral_statuses.items()
            if after.get(pk) != old and after.get(pk) not in REFERRAL_MOVES[old]
        ]

    def restricted_to_outsiders() -> list:
        staff = Membership.objects.active().filter(role__in=STAFF_ROLES)
        return [
            (row.case_id, row.user_id)
            for row in Case.restricted_to.through.objects.select_related("case")
            if not staff.filter(team=row.case.team_id, user=row.user_id).exists()
        ]

    check("case_stage_transition", (Case,), stage_moves)
    check(
        "stage_change_transition",
        (StageChange,),
        lambda: [
            (c.pk, c.case_id, c.from_stage, c.to_stage)
            for c in StageChange.objects.filter(pk__gt=before.last_stage_change)
            if (c.from_stage == "" and c.to_stage != pathway.Stage.AWAITING_ASSESSMENT)
            or (
                c.from_stage != ""
                and pathway.Stage(c.to_stage)
                not in pathway.TRANSITIONS[pathway.Stage(c.from_stage)]
            )
        ],
    )
    check("referral_status_transition", (Referral,), status_moves)
    check(
        "case_closed_at",
        (Case,),
        lambda: _exists(
            Case.objects.filter(
                Q(stage=pathway.Stage.CLOSED, closed_at__isnull=True)
                | (~Q(stage=pathway.Stage.CLOSED) & Q(closed_at__isnull=False))
            )
        ),
    )
    new_cases = Case.objects.filter(pk__gt=before.last_case)
    caseworkers = Membership.objects.active().filter(role__in=CASEWORKER_ROLES)
    check(
        "case_workers_are_caseworkers",
        (Case,),
        lambda: [
            c.pk
            for c in new_cases
            if not caseworkers.filter(team=c.team_id, user=c.worker_id).exists()
            or (
                c.co_worker_id
                and not caseworkers.filter(team=c.team_id, user=c.co_worker_id).exists()
            )
        ],
    )
    check(
        "case_restricted_to_team_staff",
        (Case, Case.restricted_to.through),
        restricted_to_outsiders,
    )

    # --- Referrals, screening, the waiting list ---------------------------------------
    check(
        "screening_decision_reason",
        (ScreeningDecision,),
        lambda: _exists(
            ScreeningDecision.objects.filter(
                Q(reason__isnull=True)
                | ~Q(reason__outcome=F("outcome"))
                | Q(outcome__needs_detail=True, detail="")
                | Q(outcome__effect="refer_on", onward_service__isnull=True)
                | Q(decided_at__gt=now)
            )
        ),
    )
    check(
        "referral_consent",
        (Referral,),
        lambda: _exists(
            Referral.objects.filter(
                Q(consent_date__gt=today) | Q(consent_given=True, consent_date__isnull=True)
            )
        ),
    )
    check(
        "referral_first_contact",
        (Referral,),
        lambda: [
            r.pk
            for r in Referral.objects.filter(first_contact_at__isnull=False)
            if r.first_contact_at > now
            or r.first_contact_at < r.received_at.replace(second=0, microsecond=0)
        ],
    )
    check(
        "waiting_entry",
        (WaitingListEntry,),
        lambda: (
            _exists(WaitingListEntry.objects.exclude(priority__in=[1, 2, 3]))
            + _exists(
                WaitingListEntry.objects.current()
                .values("referral")
                .annotate(n=models.Count("pk"))
                .filter(n__gt=1)
            )
        ),
    )

    # --- People ------------------------------------------------------------------------
    check(
        "person_dates",
        (Person,),
        lambda: _exists(
            Person.objects.filter(
                Q(date_of_birth__gt=today)
                | Q(kind="unborn", due_date__isnull=True)
                | Q(kind="unborn", date_of_birth__isnull=False)
                | (~Q(kind="unborn") & Q(due_date__isnull=False))
                | Q(kind="child", date_of_birth__isnull=True)
            )
        ),
    )
    check(
        "consent_dates",
        (Consent,),
        lambda: _exists(Consent.objects.filter(recorded_on__gt=today)),
    )

    # --- The case's records ------------------------------------------------------------
    check(
        "contact_duration",
        (Contact,),
        lambda: _exists(
            Contact.objects.filter(Q(duration_minutes__lte=0) | Q(duration_minutes__gt=1440))
        ),
    )
    check(
        "contact_dates",
        (Contact,),
        lambda: _exists(
            Contact.objects.filter(
                Q(started_at__gt=now + timedelta(minutes=5))
                | Q(started_at__lt=F("case__allocated_at") - timedelta(days=1))
            )
        ),
    )
    check(
        "contact_people_of_family",
        (
            Contact,
            Contact.people_seen.through,
        ),
        lambda: _exists(
            Contact.people_seen.through.objects.exclude(person__family=F("contact__case__family"))
        ),
    )
    check(
        "reading_scores",
        (Reading,),
        lambda: (
            _exists(
                Reading.objects.filter(
                    Q(instrument="wemwbs", total__lt=14)
                    | Q(instrument="wemwbs", total__gt=70)
                    | Q(instrument="sdq", total__gt=40)
                    | Q(sdq_emotional__gt=10)
                    | Q(sdq_conduct__gt=10)
                    | Q(sdq_hyperactivity__gt=10)
                    | Q(sdq_peer__gt=10)
                    | Q(sdq_prosocial__gt=10)
                    | Q(instrument="wemwbs") & ~Q(person__kind="adult")
                    | Q(instrument="sdq") & ~Q(person__kind="child")
                    | ~Q(person__family=F("case__family"))
                    | ~Q(instrument__in=["wemwbs", "sdq"])
                )
            )
            + [
                r.pk
                for r in Reading.objects.filter(instrument="sdq")
                if r.total != r.sdq_emotional + r.sdq_conduct + r.sdq_hyperactivity + r.sdq_peer
            ]
        ),
    )
    check(
        "reading_future",
        (Reading,),
        lambda: _exists(Reading.objects.filter(taken_on__gt=today)),
    )
    check(
        "reading_before_referral",
        (Reading,),
        lambda: _exists(
            Reading.objects.annotate(received=TruncDate("case__referral__received_at")).filter(
                taken_on__lt=F("received")
            )
        ),
    )
    check(
        "service_uses",
        (ServiceUse, ServiceUse.services.through),
        lambda: _exists(
            ServiceUse.objects.annotate(received=TruncDate("case__referral__received_at")).filter(
                ~Q(person__family=F("case__family"))
                | Q(person__kind="unborn")
                | ~Q(occasion__in=["before", "after"])
                | Q(occasion="after") & ~Q(case__stage__in=["phase2", "closed"])
                | Q(recorded_on__gt=today)
                | Q(recorded_on__lt=F("received"))
            )
        ),
    )
    check(
        "goal_scores",
        (
            Goal,
            GoalScore,
        ),
        lambda: (
            _exists(GoalScore.objects.filter(Q(score__lt=-2) | Q(score__gt=2)))
            + _exists(Goal.objects.filter(Q(baseline__lt=-2) | Q(baseline__gt=2) | Q(weight__lt=1)))
        ),
    )
    check(
        "goal_texts",
        (Goal,),
        lambda: [
            g.pk
            for g in Goal.objects.all()
            if not g.title.strip() or any(not g.level_text(s).strip() for s in (-2, -1, 0, 1, 2))
        ],
    )
    check(
        "goal_members_of_family",
        (
            Goal,
            Goal.members.through,
        ),
        lambda: _exists(
            Goal.members.through.objects.exclude(person__family=F("goal__case__family"))
        ),
    )
    check(
        "assessment",
        (Assessment,),
        lambda: _exists(
            Assessment.objects.filter(
                Q(hours_spent__lt=0)
                | Q(hours_spent__gt=200)
                | Q(completed_at__lt=F("started_at"))
                | Q(completed_at__gt=now)
                | Q(started_at__gt=now)
                | Q(decision="not_proceed", not_proceed_reason__isnull=True)
            )
        ),
    )
    check(
        "safety_plan_agreed_in_future",
        (Assessment,),
        lambda: _exists(Assessment.objects.filter(safety_plan_agreed_on__gt=today)),
    )
    check(
        "family_plan",
        (FamilyPlan,),
        lambda: _exists(
            FamilyPlan.objects.filter(Q(agreed_on__gt=today) | Q(needs="") | Q(service_actions=""))
        ),
    )
    check(
        "family_plan_before_allocation",
        (FamilyPlan,),
        lambda: _exists(
            FamilyPlan.objects.annotate(allocated=TruncDate("case__allocated_at")).filter(
                agreed_on__lt=F("allocated")
            )
        ),
    )
    check(
        "phase1_dates",
        (Case,),
        lambda: _exists(
            Case.objects.filter(
                Q(phase1_end__gt=today)
                | Q(phase1_end__lt=F("phase1_start"))
                | Q(phase1_start__lt=F("phase1_planned_start"))
                | Q(phase1_start__gt=F("phase1_planned_start") + timedelta(days=7))
            )
        ),
    )
    check(
        "closure",
        (
            Closure,
            ChildOutcome,
            Case,
        ),
        lambda: (
            _exists(
                Closure.objects.filter(
                    (Q(success_override__isnull=False) & Q(override_reason=""))
                    | Q(closed_on__gt=today)
                    | ~Q(case__stage=pathway.Stage.CLOSED)
                )
            )
            + _exists(
                ChildOutcome.objects.exclude(
                    person__family=F("closure__case__family"), person__kind__in=["child", "unborn"]
                )
            )
        ),
    )
    check(
        "review",
        (Review,),
        lambda: _exists(
            Review.objects.filter(
                Q(held_on__gt=today)
                | Q(held_on__lt=F("case__phase1_end"))
                | Q(held_on__isnull=False, attendees="")
                | Q(held_on__isnull=False, progress="")
            )
        ),
    )
    check(
        "booster",
        (Booster,),
        lambda: _exists(
            Booster.objects.filter(
                Q(duration_minutes__lte=0)
                | Q(duration_minutes__gt=1440)
                | Q(delivered_on__lt=F("requested_on"))
                | Q(delivered_on__gt=today)
            )
        ),
    )
    check(
        "booster_before_phase2",
        (Booster,),
        lambda: _exists(Booster.objects.filter(requested_on__lt=F("case__phase1_end"))),
    )
    check(
        "form_draft",
        (FormDraft,),
        lambda: [
            d.pk for d in FormDraft.objects.all() if not d.path.startswith("/") or len(d.path) > 300
        ],
    )

    # --- Text: SQLite does not enforce max_length, so check every CharField here -------
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField) and f.max_length
        ]
        if not fields:
            continue
        too_long = reduce(or_, (Q(**{f"_len_{f.name}__gt": f.max_length}) for f in fields))
        qs = model._default_manager.annotate(
            **{f"_len_{f.name}": Length(f.name) for f in fields}
        ).filter(too_long)
        check(
            f"max_length:{model._meta.label}",
            (model,),
            lambda qs=qs: [repr(o)[:80] for o in qs[:3]],
        )
        if connection.vendor == "sqlite":  # PostgreSQL refuses NUL itself
            text = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField)
            ]
            check(
                f"nul:{model._meta.label}",
                (model,),
                lambda model=model, text=text: [
                    row[0]
                    for row in model._default_manager.values_list("pk", *text)
                    if any("\x00" in (v or "") for v in row[1:])
                ][:3],
            )
    return found


def assert_invariants(before: Snapshot, context: str = "", written: set[str] | None = None) -> None:
    broken = violations(before, written)
    assert not broken, f"invalid data saved {context}: {broken}"
