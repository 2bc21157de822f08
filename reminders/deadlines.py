"""Every deadline the product watches, computed from the records in a fixed number of
queries (one or two per kind, whatever the number of families). Read-only."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from functools import lru_cache

from django.db import models
from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import CASEWORKER_ROLES, Membership, Role, Team, User
from cases import pathway
from cases.deadlines import (
    PHASE1_FIRST_WEEK,
    after_first_week,
    assessment_due,
    first_contact_due,
    phase1_due,
    screening_due,
)
from cases.models import Assessment, Case, Contact, WorkType
from families.models import Family, MemberKind, Person
from outcomes.instruments import SDQ_MAX_AGE, SDQ_MIN_AGE
from outcomes.models import Occasion, Reading
from referrals.models import Referral, ReferralStatus, WaitingListEntry
from reviews.models import Review

from .models import Kind

# A deadline's title is kept in English (the due store, the reminder log) and shown in the
# reader's language: the fixed titles are msgids, and these patterns put the numbers of a
# composed title back into its translation (title_in_language).
PHASE1_HOURS = gettext_noop(
    "Phase 1 hours projected at %(hours)s, below the minimum of %(minimum)s"
)
START_READINGS = gettext_noop("%(n)s start reading(s) missing (WEMWBS/SDQ)")
CLOSURE_READINGS = gettext_noop("%(n)s closure reading(s) to take")
WORKER_GONE = gettext_noop("Worker %(worker)s is inactive or has left: reallocate")


def _pattern(msgid: str) -> re.Pattern[str]:
    """The English text with each %(name)s a named group: "%(n)s readings" -> (?P<n>.+?) ..."""
    parts = re.split(r"%\((\w+)\)s", msgid)
    return re.compile(
        "^"
        + "".join(
            f"(?P<{part}>.+?)" if odd else re.escape(part)
            for odd, part in ((i % 2 == 1, part) for i, part in enumerate(parts))
        )
        + "$"
    )


_COMPOSED = [
    (_pattern(msgid), msgid)
    for msgid in (PHASE1_HOURS, START_READINGS, CLOSURE_READINGS, WORKER_GONE)
]


def title_in_language(title: str) -> str:
    """A stored (English) deadline title in the current language."""
    for pattern, msgid in _COMPOSED:
        found = pattern.match(title)
        if found:
            return _(msgid) % found.groupdict()
    return _(title) if title else title


# The page of each kind of item; a deadline links there unless it names another page.
ITEM_PAGES = {"referral": "referrals:detail", "case": "cases:detail", "review": "reviews:record"}


@dataclass
class Deadline:
    team_id: int
    item_type: str
    item_id: int
    kind: str
    due_at: datetime
    title: str
    link: str | None  # None: the item's own page
    family: str
    recipients: tuple[int, ...] = ()  # user ids told before/on the day
    worker_id: int | None = None
    case_id: int | None = None  # the case the item belongs to, if any

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.item_type, self.item_id, self.kind)

    @property
    def reference(self) -> str:
        """How a reminder's subject names the item: the case, else the referral; never the
        family's name."""
        if self.case_id is not None:
            return _("Case %(id)s") % {"id": self.case_id}
        if self.item_type == "referral":
            return _("Referral %(id)s") % {"id": self.item_id}
        return f"{self.item_type.capitalize()} {self.item_id}"

    @property
    def url(self) -> str:
        # Built when used: the due page shows 50 of a team's ~3,000 deadlines.
        return self.link if self.link is not None else item_page(self.item_type, self.item_id)


def item_page(item_type: str, item_id: int) -> str:
    """The page of a referral, case or review that a deadline is about."""
    return reverse(ITEM_PAGES[item_type], args=[item_id])


def _day_end(day: date) -> datetime:
    # 17:00 in the project's time zone (the default one: reading the active time zone
    # costs more than the rest of a deadline, and a team has thousands).
    return _day_end_in(day, timezone.get_default_timezone())


@lru_cache(maxsize=4096)
def _day_end_in(day: date, tz: tzinfo) -> datetime:
    # Shared: a team's thousands of deadlines fall on a few hundred days.
    return datetime.combine(day, time(17, 0), tzinfo=tz)


def _scope(qs, team_ids: Iterable[int] | None, field_name: str = "team_id"):
    return qs if team_ids is None else qs.filter(**{f"{field_name}__in": list(team_ids)})


def managers_by_team(team_ids: Iterable[int] | None = None) -> dict[int, list[int]]:
    rows = _scope(Membership.objects.active().filter(role=Role.MANAGER), team_ids)
    result: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in rows.values_list("team_id", "user_id"):
        result[team_id].append(user_id)
    return result


def _only(qs, ids: Iterable[int] | None, field_name: str = "pk"):
    """qs limited to the given ids (None: all of them)."""
    return qs if ids is None else qs.filter(**{f"{field_name}__in": list(ids)})


def referral_deadlines(team_ids, teams: dict[int, Team], referral_ids=None) -> list[Deadline]:
    out = []
    waiting = _only(
        _scope(Referral.objects.filter(status=ReferralStatus.SUBMITTED), team_ids), referral_ids
    ).select_related("family")
    for r in waiting.only("pk", "team_id", "received_at", "first_contact_at", "family__name"):
        team = teams[r.team_id]
        if r.first_contact_at is None:
            out.append(
                Deadline(
                    r.team_id,
                    "referral",
                    r.pk,
                    Kind.FIRST_CONTACT,
                    first_contact_due(r.received_at, team.first_contact_hours),
                    gettext_noop("First contact with the referrer"),
                    None,
                    r.family.name,
                )
            )
        out.append(
            Deadline(
                r.team_id,
                "referral",
                r.pk,
                Kind.SCREENING,
                screening_due(r.received_at, team.screening_pending_days),
                gettext_noop("Screening decision"),
                None,
                r.family.name,
            )
        )
    return out


# Stages whose start and closure readings are chased.
READING_STAGES = (pathway.Stage.PHASE1, pathway.Stage.STEP_DOWN, pathway.Stage.PHASE2)
NOT_ASSESSED_STAGES = (pathway.Stage.AWAITING_ASSESSMENT, pathway.Stage.ASSESSMENT)


def _open_case_qs(team_ids, case_ids=None):
    return _only(_scope(Case.objects.open(), team_ids), case_ids)


def open_cases(team_ids, case_ids=None) -> dict[int, dict]:
    """The open cases with every figure their deadlines need, in one query, by id.

    Each figure is a subquery inside CASE WHEN its stage, so it runs only for the cases
    that use it: summing every open case's contacts for the few in Phase 1 was most of
    the due page's time (docs/performance.md, proposal 4)."""
    minutes = (
        Contact.objects.filter(
            case=OuterRef("pk"), stage=pathway.Stage.PHASE1, work_type=WorkType.DIRECT
        )
        .order_by()
        .values("case")
        .annotate(total=Sum("duration_minutes"))
        .values("total")
    )
    last_review = (
        Review.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(last=Max("due_on"))
        .values("last")
    )
    # A scalar subquery, not Exists: PostgreSQL turns an EXISTS into a hash of the whole
    # assessment table (159,000 rows at national scale) to probe a few hundred cases.
    assessment_done = (
        Assessment.objects.filter(case=OuterRef("pk")).order_by().values("completed_at")[:1]
    )
    still_member = Membership.objects.active().filter(
        team_id=OuterRef("team_id"), user_id=OuterRef("worker_id"), role__in=CASEWORKER_ROLES
    )
    rows = (
        _open_case_qs(team_ids, case_ids)
        .annotate(
            # Parsing a timestamp for every case costs more than the rest of its row.
            clock_from=models.Case(
                models.When(stage__in=NOT_ASSESSED_STAGES, then=F("assessment_clock_from"))
            ),
            assessment_done=models.Case(
                models.When(stage__in=NOT_ASSESSED_STAGES, then=Subquery(assessment_done)),
                output_field=DateTimeField(),
            ),
            phase1_minutes=models.Case(
                models.When(stage=pathway.Stage.PHASE1, then=Subquery(minutes)),
                output_field=IntegerField(),
            ),
            last_review_due=models.Case(
                models.When(stage=pathway.Stage.PHASE2, then=Subquery(last_review)),
                output_field=DateField(),
            ),
            orphaned=~Exists(still_member),
            # A subquery, not a join: PostgreSQL hashes the whole family table for the join.
            family_name=Subquery(
                Family.objects.filter(pk=OuterRef("family_id")).order_by().values("name")
            ),
        )
        .values(
            "pk",
            "team_id",
            "stage",
            "worker_id",
            "co_worker_id",
            "phase1_start",
            "clock_from",
            "family_name",
            "worker__username",
            "worker__first_name",
            "worker__last_name",
            "assessment_done",
            "phase1_minutes",
            "last_review_due",
            "orphaned",
        )
    )
    cases = {}
    for row in rows:
        row["people"] = _case_people(row)  # shared by the case's deadlines
        cases[row["pk"]] = row
    return cases


def _case_people(case: dict) -> tuple[int, ...]:
    return tuple(uid for uid in (case["worker_id"], case["co_worker_id"]) if uid)


def _for_case(case: dict, kind: str, due_at: datetime, title: str) -> Deadline:
    return Deadline(
        case["team_id"],
        "case",
        case["pk"],
        kind,
        due_at,
        title,
        None,
        case["family_name"],
        case["people"],
        case["worker_id"],
        case["pk"],
    )


def case_deadlines(team_ids, teams: dict[int, Team], now: datetime, cases=None) -> list[Deadline]:
    out = []
    today = timezone.localdate(now)
    cases = open_cases(team_ids) if cases is None else cases
    for case in cases.values():
        team = teams[case["team_id"]]
        stage = case["stage"]
        if stage in NOT_ASSESSED_STAGES and case["assessment_done"] is None:
            due = assessment_due(case["clock_from"], team.assessment_hours, team.assessment_clock)
            out.append(_for_case(case, Kind.ASSESSMENT, due, gettext_noop("Assessment")))
        start = case["phase1_start"]
        if stage == pathway.Stage.PHASE1 and start:
            end = phase1_due(start, team.phase1_max_weeks)
            out.append(
                _for_case(
                    case,
                    Kind.PHASE1_LENGTH,
                    _day_end(end),
                    gettext_noop("End of Phase 1 (past the target length)"),
                )
            )
            progress = pathway.phase1_progress(
                start=start,
                today=today,
                direct_hours=(case["phase1_minutes"] or 0) / 60,
                min_weeks=team.phase1_min_weeks,
                max_weeks=team.phase1_max_weeks,
                min_hours=team.phase1_min_hours,
            )
            # A week in, the projection means something; a due date of "now" makes it a
            # single notice on the day it is first seen.
            if progress["below_minimum"] and today - start >= PHASE1_FIRST_WEEK:
                out.append(
                    _for_case(
                        case,
                        Kind.PHASE1_HOURS,
                        _day_end(after_first_week(start)),
                        PHASE1_HOURS
                        % {"hours": progress["projected_hours"], "minimum": team.phase1_min_hours},
                    )
                )
    return out


def review_deadlines(team_ids, cases=None, case_ids=None) -> list[Deadline]:
    cases = open_cases(team_ids, case_ids) if cases is None else cases
    reviews = (
        Review.objects.pending()
        .filter(case__in=_open_case_qs(team_ids, case_ids))
        .values_list("pk", "case_id", "due_on", "offset_months")
    )
    out = []
    for pk, case_id, due_on, offset_months in reviews:
        case = cases[case_id]
        out.append(
            Deadline(
                case["team_id"],
                "review",
                pk,
                Kind.REVIEW,
                _day_end(due_on),
                f"{offset_months}-month review",
                None,
                case["family_name"],
                case["people"],
                case["worker_id"],
                case_id,
            )
        )
    return out


def reading_deadlines(
    team_ids,
    teams: dict[int, Team],
    cases=None,
    case_ids=None,
) -> list[Deadline]:
    """Start readings a week into Phase 1; closure readings by the last review's due date."""
    cases = open_cases(team_ids, case_ids) if cases is None else cases
    has_start = Reading.objects.filter(
        case_id=OuterRef("case_id"), person_id=OuterRef("pk"), occasion=Occasion.START
    )
    has_closure = Reading.objects.filter(
        case_id=OuterRef("case_id"), person_id=OuterRef("pk"), occasion=Occasion.CLOSURE
    )
    # One filter() call, so that every condition is on the same join to the family's cases.
    scope = {} if team_ids is None else {"family__cases__team_id__in": list(team_ids)}
    if case_ids is not None:
        scope["family__cases__pk__in"] = list(case_ids)
    people = (
        Person.objects.filter(
            family__cases__stage__in=READING_STAGES,
            family__cases__phase1_start__isnull=False,
            kind__in=[MemberKind.ADULT, MemberKind.CHILD],
            **scope,
        )
        .annotate(
            case_id=F("family__cases__pk"),
            phase1_start=F("family__cases__phase1_start"),
            stage=F("family__cases__stage"),
        )
        .annotate(
            started=Exists(has_start),
            # Closure readings are chased in Phase 2 only: no probe for the other cases.
            closed=models.Case(
                models.When(stage=pathway.Stage.PHASE2, then=Exists(has_closure)),
                default=Value(False),
            ),
        )
        .order_by()
        .values_list("case_id", "started", "closed", "kind", "date_of_birth", "phase1_start")
    )
    missing_start: dict[int, int] = defaultdict(int)
    missing_closure: dict[int, int] = defaultdict(int)
    for case_id, started, closed, kind, date_of_birth, phase1_start in people:
        if kind == MemberKind.CHILD and not sdq_eligible(date_of_birth, phase1_start):
            continue  # the SDQ is for children aged 2 to 17: nothing to chase
        if not started:
            missing_start[case_id] += 1
        elif not closed:
            missing_closure[case_id] += 1
    out = []
    for case in cases.values():
        if case["stage"] not in READING_STAGES or not case["phase1_start"]:
            continue
        pk = case["pk"]
        if missing_start.get(pk):
            out.append(
                _for_case(
                    case,
                    Kind.START_READINGS,
                    _day_end(after_first_week(case["phase1_start"])),
                    START_READINGS % {"n": missing_start[pk]},
                )
            )
        # Readings at closure are due by the last review's due date.
        if (
            case["stage"] == pathway.Stage.PHASE2
            and missing_closure.get(pk)
            and case["last_review_due"] is not None
        ):
            out.append(
                _for_case(
                    case,
                    Kind.CLOSURE_READINGS,
                    _day_end(case["last_review_due"]),
                    CLOSURE_READINGS % {"n": missing_closure[pk]},
                )
            )
    return out


def sdq_eligible(date_of_birth, on) -> bool:
    if date_of_birth is None or on is None:
        return False
    age = (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )
    return SDQ_MIN_AGE <= age <= SDQ_MAX_AGE


def orphaned_cases(team_ids, now: datetime, cases=None) -> list[Deadline]:
    """Open cases whose worker is inactive or no longer a caseworker in the team."""
    cases = open_cases(team_ids) if cases is None else cases
    out = []
    for case in cases.values():
        if case["orphaned"]:
            worker = User(
                username=case["worker__username"],
                first_name=case["worker__first_name"],
                last_name=case["worker__last_name"],
            )
            deadline = _for_case(case, Kind.ORPHANED, now, WORKER_GONE % {"worker": worker})
            deadline.recipients = ()
            out.append(deadline)
    return out


def collect(
    now: datetime,
    team_ids: Iterable[int] | None = None,
    *,
    case_ids: Iterable[int] | None = None,
    referral_ids: Iterable[int] | None = None,
) -> list[Deadline]:
    """Every deadline of the teams (None: all teams). Given case_ids or referral_ids, only
    those cases' and referrals' deadlines (and none of the other kind unless both are
    given): reminders.duestore recomputes what changed."""
    if (case_ids is None) != (referral_ids is None):
        case_ids = case_ids if case_ids is not None else ()
        referral_ids = referral_ids if referral_ids is not None else ()
    teams = {t.pk: t for t in _scope(Team.objects.all(), team_ids, "pk")}
    ids = list(teams) if team_ids is None else list(team_ids)
    cases = open_cases(ids, case_ids)
    deadlines = (
        referral_deadlines(ids, teams, referral_ids)
        + case_deadlines(ids, teams, now, cases)
        + review_deadlines(ids, cases, case_ids)
        + reading_deadlines(ids, teams, cases, case_ids)
        + orphaned_cases(ids, now, cases)
    )
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
