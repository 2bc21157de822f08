"""Every deadline the product watches, computed from the records in a fixed number of
queries (one or two per kind, whatever the number of families). Read-only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import CASEWORKER_ROLES, Membership, Role, Team
from cases import clock, pathway
from cases.models import Case, WorkType
from families.models import MemberKind, Person
from outcomes.models import Occasion, Reading
from referrals.models import Referral, ReferralStatus, WaitingListEntry
from reviews.models import Review

from .models import Kind


@dataclass
class Deadline:
    team_id: int
    item_type: str
    item_id: int
    kind: str
    due_at: datetime
    title: str
    url: str
    family: str
    recipients: list[int] = field(default_factory=list)  # user ids told before/on the day
    worker_id: int | None = None

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.item_type, self.item_id, self.kind)


def _day_end(day) -> datetime:  # noqa: ANN001
    return timezone.make_aware(datetime.combine(day, time(17, 0)))


def _scope(qs, team_ids: Iterable[int] | None, field_name: str = "team_id"):  # noqa: ANN001, ANN202
    return qs if team_ids is None else qs.filter(**{f"{field_name}__in": list(team_ids)})


def managers_by_team(team_ids: Iterable[int] | None = None) -> dict[int, list[int]]:
    rows = _scope(Membership.objects.active().filter(role=Role.MANAGER), team_ids)
    result: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in rows.values_list("team_id", "user_id"):
        result[team_id].append(user_id)
    return result


def _case_people(case: Case) -> list[int]:
    return [uid for uid in (case.worker_id, case.co_worker_id) if uid]


def referral_deadlines(team_ids, teams: dict[int, Team]) -> list[Deadline]:  # noqa: ANN001
    out = []
    waiting = _scope(
        Referral.objects.filter(status=ReferralStatus.SUBMITTED), team_ids
    ).select_related("family")
    for r in waiting.only("pk", "team_id", "received_at", "first_contact_at", "family__name"):
        team = teams[r.team_id]
        url = reverse("referrals:detail", args=[r.pk])
        if r.first_contact_at is None:
            out.append(
                Deadline(
                    r.team_id,
                    "referral",
                    r.pk,
                    Kind.FIRST_CONTACT,
                    r.received_at + timedelta(hours=team.first_contact_hours),
                    "First contact with the referrer",
                    url,
                    r.family.name,
                )
            )
        out.append(
            Deadline(
                r.team_id,
                "referral",
                r.pk,
                Kind.SCREENING,
                r.received_at + timedelta(days=team.screening_pending_days),
                "Screening decision",
                url,
                r.family.name,
            )
        )
    return out


def case_deadlines(team_ids, teams: dict[int, Team], now: datetime) -> list[Deadline]:  # noqa: ANN001, C901
    out = []
    today = timezone.localdate(now)
    cases = (
        _scope(Case.objects.open(), team_ids)
        .select_related("family")
        .annotate(
            assessed=Exists(
                Case.objects.filter(pk=OuterRef("pk"), assessment__completed_at__isnull=False)
            ),
            phase1_minutes=Sum(
                "contacts__duration_minutes",
                filter=Q(contacts__stage=pathway.Stage.PHASE1, contacts__work_type=WorkType.DIRECT),
            ),
        )
        .only(
            "pk",
            "team_id",
            "stage",
            "worker_id",
            "co_worker_id",
            "phase1_start",
            "allocated_at",
            "assessment_clock_from",
            "family__name",
        )
    )
    for case in cases:
        team = teams[case.team_id]
        url = reverse("cases:detail", args=[case.pk])
        people = _case_people(case)
        stage = pathway.Stage(case.stage)
        if stage in (pathway.Stage.AWAITING_ASSESSMENT, pathway.Stage.ASSESSMENT) and not (
            case.assessed
        ):
            due = clock.add_hours(
                case.assessment_clock_from, team.assessment_hours, team.assessment_clock
            )
            out.append(
                Deadline(
                    case.team_id,
                    "case",
                    case.pk,
                    Kind.ASSESSMENT,
                    due,
                    "Assessment",
                    url,
                    case.family.name,
                    people,
                    case.worker_id,
                )
            )
        if stage is pathway.Stage.PHASE1 and case.phase1_start:
            end = case.phase1_start + timedelta(weeks=team.phase1_max_weeks)
            out.append(
                Deadline(
                    case.team_id,
                    "case",
                    case.pk,
                    Kind.PHASE1_LENGTH,
                    _day_end(end),
                    "End of Phase 1 (past the target length)",
                    url,
                    case.family.name,
                    people,
                    case.worker_id,
                )
            )
            progress = pathway.phase1_progress(
                start=case.phase1_start,
                today=today,
                direct_hours=(case.phase1_minutes or 0) / 60,
                min_weeks=team.phase1_min_weeks,
                max_weeks=team.phase1_max_weeks,
                min_hours=team.phase1_min_hours,
            )
            # A week in, the projection means something; a due date of "now" makes it a
            # single notice on the day it is first seen.
            if progress["below_minimum"] and (today - case.phase1_start).days >= 7:
                out.append(
                    Deadline(
                        case.team_id,
                        "case",
                        case.pk,
                        Kind.PHASE1_HOURS,
                        _day_end(case.phase1_start + timedelta(days=7)),
                        f"Phase 1 hours projected at {progress['projected_hours']}, "
                        f"below the minimum of {team.phase1_min_hours}",
                        url,
                        case.family.name,
                        people,
                        case.worker_id,
                    )
                )
    return out


def review_deadlines(team_ids) -> list[Deadline]:  # noqa: ANN001
    reviews = (
        _scope(Review.objects.pending(), team_ids, "case__team_id")
        .exclude(case__stage=pathway.Stage.CLOSED)
        .select_related("case__family")
        .only(
            "pk",
            "due_on",
            "offset_months",
            "case__team_id",
            "case__worker_id",
            "case__co_worker_id",
            "case__family__name",
        )
    )
    return [
        Deadline(
            r.case.team_id,
            "review",
            r.pk,
            Kind.REVIEW,
            _day_end(r.due_on),
            f"{r.offset_months}-month review",
            reverse("reviews:record", args=[r.pk]),
            r.case.family.name,
            _case_people(r.case),
            r.case.worker_id,
        )
        for r in reviews
    ]


def reading_deadlines(team_ids, teams: dict[int, Team]) -> list[Deadline]:  # noqa: ANN001
    """Start readings a week into Phase 1; closure readings by the last review's due date."""
    out = []
    has_start = Reading.objects.filter(
        case_id=OuterRef("case_id"), person_id=OuterRef("pk"), occasion=Occasion.START
    )
    has_closure = Reading.objects.filter(
        case_id=OuterRef("case_id"), person_id=OuterRef("pk"), occasion=Occasion.CLOSURE
    )
    cases = (
        _scope(
            Case.objects.filter(
                stage__in=[pathway.Stage.PHASE1, pathway.Stage.STEP_DOWN, pathway.Stage.PHASE2],
                phase1_start__isnull=False,
            ),
            team_ids,
        )
        .select_related("family")
        .only("pk", "team_id", "stage", "phase1_start", "worker_id", "co_worker_id", "family__name")
    )
    cases = list(cases)
    if not cases:
        return out
    people = (
        Person.objects.filter(
            family__cases__in=cases, kind__in=[MemberKind.ADULT, MemberKind.CHILD]
        )
        .annotate(case_id=F("family__cases__pk"), phase1_start=F("family__cases__phase1_start"))
        .annotate(started=Exists(has_start), closed=Exists(has_closure))
        .values("case_id", "started", "closed", "kind", "date_of_birth", "phase1_start")
    )
    missing_start: dict[int, int] = defaultdict(int)
    missing_closure: dict[int, int] = defaultdict(int)
    for row in people:
        if row["kind"] == MemberKind.CHILD and not sdq_eligible(
            row["date_of_birth"], row["phase1_start"]
        ):
            continue  # the SDQ is for children aged 3 to 16: nothing to chase
        if not row["started"]:
            missing_start[row["case_id"]] += 1
        elif not row["closed"]:
            missing_closure[row["case_id"]] += 1
    # The last review's due date: readings at closure are due by then.
    last_due = dict(
        Review.objects.filter(case__in=cases)
        .values("case_id")
        .annotate(last=Max("due_on"))
        .values_list("case_id", "last")
    )
    for case in cases:
        url = reverse("cases:detail", args=[case.pk])
        people_ids = _case_people(case)
        if missing_start.get(case.pk):
            out.append(
                Deadline(
                    case.team_id,
                    "case",
                    case.pk,
                    Kind.START_READINGS,
                    _day_end(case.phase1_start + timedelta(days=7)),
                    f"{missing_start[case.pk]} start reading(s) missing (WEMWBS/SDQ)",
                    url,
                    case.family.name,
                    people_ids,
                    case.worker_id,
                )
            )
        if (
            case.stage == pathway.Stage.PHASE2
            and missing_closure.get(case.pk)
            and case.pk in last_due
        ):
            out.append(
                Deadline(
                    case.team_id,
                    "case",
                    case.pk,
                    Kind.CLOSURE_READINGS,
                    _day_end(last_due[case.pk]),
                    f"{missing_closure[case.pk]} closure reading(s) to take",
                    url,
                    case.family.name,
                    people_ids,
                    case.worker_id,
                )
            )
    return out


def sdq_eligible(date_of_birth, on) -> bool:  # noqa: ANN001
    if date_of_birth is None or on is None:
        return False
    age = (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )
    return 3 <= age <= 16


def orphaned_cases(team_ids, now: datetime) -> list[Deadline]:  # noqa: ANN001
    """Open cases whose worker is inactive or no longer a caseworker in the team."""
    still_member = Membership.objects.active().filter(
        team_id=OuterRef("team_id"), user_id=OuterRef("worker_id"), role__in=CASEWORKER_ROLES
    )
    cases = (
        _scope(Case.objects.open(), team_ids)
        .filter(~Exists(still_member))
        .select_related("family", "worker")
        .only(
            "pk",
            "team_id",
            "worker_id",
            "worker__first_name",
            "worker__last_name",
            "worker__username",
            "family__name",
        )
    )
    return [
        Deadline(
            c.team_id,
            "case",
            c.pk,
            Kind.ORPHANED,
            now,
            f"Worker {c.worker} is inactive or has left: reallocate",
            reverse("cases:detail", args=[c.pk]),
            c.family.name,
            [],
            c.worker_id,
        )
        for c in cases
    ]


def collect(now: datetime, team_ids: Iterable[int] | None = None) -> list[Deadline]:
    teams = {t.pk: t for t in _scope(Team.objects.all(), team_ids, "pk")}
    ids = list(teams) if team_ids is None else list(team_ids)
    deadlines = (
        referral_deadlines(ids, teams)
        + case_deadlines(ids, teams, now)
        + review_deadlines(ids)
        + reading_deadlines(ids, teams)
    )
    deadlines += orphaned_cases(ids, now)
    return sorted(deadlines, key=lambda d: d.due_at)


def teams_with_free_capacity_and_waiting(team_ids: Iterable[int] | None = None) -> list[int]:
    """Teams with a family on the waiting list and a caseworker below capacity."""
    waiting_teams = set(
        _scope(WaitingListEntry.objects.current(), team_ids, "referral__team_id").values_list(
            "referral__team_id", flat=True
        )
    )
    if not waiting_teams:
        return []
    # Practitioners and consultant social workers carry the intensive caseload; a manager
    # without cases does not mean the team has room.
    loads = (
        Membership.objects.active()
        .filter(team_id__in=waiting_teams, role__in=[Role.PRACTITIONER, Role.CSW])
        .annotate(
            load=Count(
                "user__cases",
                filter=Q(
                    user__cases__team_id=F("team_id"),
                    user__cases__stage__in=pathway.INTENSIVE_STAGES,
                ),
                distinct=True,
            )
        )
        .filter(load__lt=F("team__practitioner_capacity"))
        .values_list("team_id", flat=True)
        .distinct()
    )
    return sorted(set(loads))
