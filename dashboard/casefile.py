"""Everything the case page shows, loaded in a fixed number of queries, plus the
deadlines a case is working towards. Read-only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import clock, deadlines, pathway
from cases.amendments import EntryStatus
from cases.models import (
    Case,
    ChildOutcome,
    ChildOutcomeKind,
    Closure,
    Contact,
    ContactMode,
    FamilyPlan,
    StageChange,
    WorkType,
)
from families.models import MemberKind, Person
from outcomes.gas import gas_t_score
from outcomes.instruments import swemwbs_metric
from outcomes.models import Goal, GoalScore, Instrument, Reading
from reviews.models import Booster, Requester, Review

DUE_SOON_DAYS = deadlines.DUE_SOON_DAYS
# The case page shows the latest entries of the chronology, and all of them on request.
CHRONOLOGY_LATEST = 20


@dataclass
class Due:
    label: str
    due: date
    today: date

    @property
    def overdue(self) -> bool:
        return self.due < self.today

    @property
    def soon(self) -> bool:
        return not self.overdue and (self.due - self.today).days <= DUE_SOON_DAYS

    @property
    def css(self) -> str:
        return "overdue" if self.overdue else ("due-soon" if self.soon else "")


def assessment_due(case: Case) -> datetime:
    team = case.team
    return deadlines.assessment_due(
        case.assessment_clock_from, team.assessment_hours, team.assessment_clock
    )


def next_due(case: Case, *, today: date, next_review_on: date | None) -> Due | None:
    """The next deadline for a case, from fields already loaded (no queries)."""
    stage = pathway.Stage(case.stage)
    if stage in (pathway.Stage.AWAITING_ASSESSMENT, pathway.Stage.ASSESSMENT):
        due = timezone.localtime(assessment_due(case)).date()
        return Due(_("Assessment"), due, today)
    if stage is pathway.Stage.PHASE1 and case.phase1_start:
        return Due(
            _("End of Phase 1"),
            deadlines.phase1_due(case.phase1_start, case.team.phase1_max_weeks),
            today,
        )
    if stage in (pathway.Stage.STEP_DOWN, pathway.Stage.PHASE2) and next_review_on:
        return Due(_("Review"), next_review_on, today)
    return None


def with_list_figures(cases: models.QuerySet[Case], today: date) -> models.QuerySet[Case]:
    """This week's direct hours and the next pending review, for case lists. Subqueries,
    not joins: joining both contacts and reviews would multiply the hours."""
    monday = today - timedelta(days=today.weekday())
    week_start = timezone.make_aware(datetime.combine(monday, datetime.min.time()))
    week = (
        Contact.objects.filter(
            case=models.OuterRef("pk"), started_at__gte=week_start, work_type="direct"
        )
        .values("case")
        .annotate(total=models.Sum("duration_minutes"))
        .values("total")
    )
    next_review = (
        Review.objects.filter(case=models.OuterRef("pk"), held_on__isnull=True)
        .order_by("due_on")
        .values("due_on")[:1]
    )
    return cases.annotate(
        week_minutes=models.Subquery(week, output_field=models.IntegerField()),
        next_review_on=models.Subquery(next_review, output_field=models.DateField()),
    )


def attach_due(cases: list[Case], today: date) -> list[Case]:
    """Give each case (annotated by with_list_figures) its next deadline, week's hours and
    stage label (translated once for the list, not per row as get_stage_display does)."""
    stages = _labels(pathway.CHOICES)
    for case in cases:
        case.stage_label = stages[case.stage]
        case.due = next_due(case, today=today, next_review_on=case.next_review_on)
        case.week_hours = round((case.week_minutes or 0) / 60, 1)
    return cases


@dataclass
class Event:
    when: datetime
    kind: str
    title: str
    detail: str = ""
    url: str = ""
    pk: int | None = None  # a contact's, for its Correct and Withdraw links
    status: str = "current"  # a contact's entry status
    author: int | None = None

    @property
    def kind_label(self) -> str:
        """The entry's kind as the page names it, in the reader's language."""
        return str(EVENT_KINDS.get(self.kind, self.kind))


EVENT_KINDS = {
    "stage": gettext_lazy("stage"),
    "contact": gettext_lazy("contact"),
    "plan": gettext_lazy("plan"),
    "review": gettext_lazy("review"),
    "booster": gettext_lazy("booster"),
    "goal": gettext_lazy("goal"),
    "reading": gettext_lazy("reading"),
    "closure": gettext_lazy("closure"),
}


def _labels(choices: list[tuple[str, Any]]) -> dict[str, str]:
    """A choice field's labels by value, each translated once per page. A row's
    get_FOO_display() translates every label of the field to look one up."""
    return {value: str(label) for value, label in choices}


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


# The case page shows the assessment and the closure, each one-to-one with the case: joined
# to the case's own query (get_case_for_user(..., related=CASE_FILE_RELATED)), not fetched.
CASE_FILE_RELATED = (
    "assessment__not_proceed_reason",
    "closure__reason",
    "closure__overridden_by",
    "phase1_early_signoff__decided_by",
)


def _union(parts: Callable[[Case], list[models.QuerySet]], case: Case) -> list[tuple]:
    """Several small reads of the same shape in one round trip (UNION ALL), through the
    ORM: the rows come back converted by the fields, as any values_list does."""
    first, *rest = parts(case)
    return list(first.union(*rest, all=True))


def _part(qs: models.QuerySet, kind: str, columns: dict[str, models.Field], **values: str):
    """qs as one part of a union: a kind, then each column from a field path or NULL."""
    row = {"row_kind": Value(kind, output_field=models.CharField())}
    for name, field in columns.items():
        path = values.get(name)
        # A typed NULL: PostgreSQL matches a union's column types part by part.
        row[name] = F(path) if path else Cast(Value(None), output_field=field)
    return qs.order_by().annotate(**row).values_list(*row)


class Link(NamedTuple):
    """A row of the case file's small tables: many-to-many links, scores and readings.
    owner is the row's parent (a person, goal, plan, closure or the case)."""

    kind: str
    owner: int
    item: int | None
    number: int | None
    day: date | None
    text: str | None
    code: str | None
    pk: int | None  # a score's or reading's own id, for its Correct and Withdraw links
    extra: str | None  # a reading's SDQ informant
    author: int | None  # a reading's author, who may correct it


LINK_COLUMNS = {
    "row_owner": models.IntegerField(),
    "row_item": models.IntegerField(),
    "row_number": models.IntegerField(),
    "row_day": models.DateField(),
    "row_text": models.CharField(),
    "row_code": models.CharField(),
    "row_pk": models.IntegerField(),
    "row_extra": models.CharField(),
    "row_author": models.IntegerField(),
}


def _link_parts(case: Case) -> list[models.QuerySet]:
    service = {"row_number": "onwardservice__order", "row_text": "onwardservice__name"}
    return [
        _part(
            Person.substances.through.objects.filter(person__family_id=case.family_id),
            "substance",
            LINK_COLUMNS,
            row_owner="person_id",
            row_item="substance_id",
            row_number="substance__order",
            row_text="substance__name",
        ),
        _part(
            Goal.members.through.objects.filter(goal__case=case),
            "goal_member",
            LINK_COLUMNS,
            row_owner="goal_id",
            row_item="person_id",
        ),
        _part(
            GoalScore.objects.filter(goal__case=case),
            "score",
            LINK_COLUMNS,
            row_owner="goal_id",
            row_item="review_id",
            row_number="score",
            row_day="scored_on",
            row_pk="pk",
        ),
        _part(
            Reading.objects.filter(case=case),
            "reading",
            LINK_COLUMNS,
            row_owner="case_id",
            row_item="person_id",
            row_number="total",
            row_day="taken_on",
            row_text="instrument",
            row_code="occasion",
            row_pk="pk",
            row_extra="sdq_informant",
            row_author="recorded_by_id",
        ),
        _part(
            FamilyPlan.invited_services.through.objects.filter(familyplan__case=case),
            "plan_service",
            LINK_COLUMNS,
            row_owner="familyplan_id",
            row_item="onwardservice_id",
            **service,
        ),
        _part(
            Closure.destination_services.through.objects.filter(closure__case=case),
            "destination",
            LINK_COLUMNS,
            row_owner="closure_id",
            row_item="onwardservice_id",
            **service,
        ),
        _part(
            ChildOutcome.objects.filter(closure__case=case),
            "child_outcome",
            LINK_COLUMNS,
            row_owner="closure_id",
            row_item="person_id",
            row_number="pk",
            row_text="reason_not_known",
            row_code="outcome",
        ),
    ]


def _outcome_text(label: str, why: str | None) -> str:
    return f"{label} ({why})" if why else label


def _links(case: Case) -> dict[tuple[str, int], list[Link]]:
    """The family's substances, the goals' people and scores, the readings, the services
    on the plans and at closure, and the children's outcomes: small rows, read in one
    query with the reference names they show, by kind and owner. Where a row names a
    person, it is its item."""
    links: dict[tuple[str, int], list[Link]] = defaultdict(list)
    for row in _union(_link_parts, case):
        link = Link(*row)
        links[link.kind, link.owner].append(link)
    return links


# The kinds of link whose item is a person.
PERSON_KINDS = ("goal_member", "reading", "child_outcome")

CHRONOLOGY_COLUMNS = {
    "row_id": models.IntegerField(),
    "row_at": models.DateTimeField(),
    "row_code": models.CharField(),
    "row_minutes": models.IntegerField(),
    "row_text": models.TextField(),
    "row_stage": models.CharField(),
    "row_work_type": models.CharField(),
    "row_status": models.CharField(),
    "row_author": models.IntegerField(),
    "row_child_seen": models.BooleanField(),
    "row_child_alone": models.BooleanField(),
}


class Dated(NamedTuple):
    """A stage change or a contact, as the chronology union reads it: plain rows, not
    model instances, since a large family has a hundred and the page shows a few."""

    kind: str
    pk: int
    at: datetime
    code: str  # the stage moved to, or the contact's mode
    minutes: int | None
    text: str  # the note
    stage: str | None
    work_type: str | None
    status: str | None  # a contact's entry status: current, amended or withdrawn
    author: int | None  # a contact's author, who may correct it
    child_seen: bool | None
    child_seen_alone: bool | None


def _dated_parts(case: Case) -> list[models.QuerySet]:
    return [
        _part(
            StageChange.objects.filter(case=case),
            "stage",
            CHRONOLOGY_COLUMNS,
            row_id="pk",
            row_at="changed_at",
            row_code="to_stage",
            row_text="note",
        ),
        # Every version of every contact: the chronology keeps amended and withdrawn ones,
        # marked; only current ones count.
        _part(
            Contact.all_versions.filter(case=case),
            "contact",
            CHRONOLOGY_COLUMNS,
            row_id="pk",
            row_at="started_at",
            row_code="mode",
            row_minutes="duration_minutes",
            row_text="notes",
            row_stage="stage",
            row_work_type="work_type",
            row_status="entry_status",
            row_author="recorded_by_id",
            row_child_seen="child_seen",
            row_child_alone="child_seen_alone",
        ),
    ]


def _history_and_contacts(case: Case) -> tuple[list[Dated], list[Dated]]:
    """The stage changes and contacts, which the page shows only in the chronology (and
    the Phase 1 hours), in one query, in their models' orders."""
    history, contacts = [], []
    for row in _union(_dated_parts, case):
        (history if row[0] == "stage" else contacts).append(Dated(*row))
    history.sort(key=lambda h: (h.at, h.pk))
    contacts.sort(key=lambda c: (c.at, -c.pk), reverse=True)
    return history, contacts


def _events(dated: list[tuple[datetime, str, Any]]) -> list[Event]:
    """The chronology's entries as the page shows them: a title and a detail for each."""
    modes = _labels(ContactMode.choices)
    instruments = _labels(Instrument.choices)
    contact = _("%(mode)s, %(mins)s min")
    events = []
    for when, kind, obj in dated:
        match kind:
            case "stage":
                title, detail = pathway.LABELS[pathway.Stage(obj.code)], obj.text
            case "contact":
                title = contact % {"mode": modes.get(obj.code, obj.code), "mins": obj.minutes}
                if obj.child_seen_alone:
                    title += _(", a child seen alone")
                elif obj.child_seen:
                    title += _(", a child seen")
                detail = obj.text
            case "plan":
                title, detail = str(obj), obj.agreed_with
            case "review":
                title, detail = str(obj), obj.progress
            case "booster":
                title, detail = str(obj), obj.requested_label
            case "goal":
                title, detail = obj.title, obj.category.name
            case "reading":
                instrument = instruments.get(obj.instrument, obj.instrument)
                title, detail = f"{instrument}: {obj.total}", str(obj.person)
            case "closure":
                title, detail = str(obj.reason), obj.notes
        event = Event(when, kind, title, detail)
        if kind == "contact":
            event.pk, event.status, event.author = obj.pk, obj.status, obj.author
        events.append(event)
    return events


def build_case_file(
    case: Case, *, today: date | None = None, whole_chronology: bool = False
) -> dict:
    """Everything the case page shows, in a fixed number of queries: the case (loaded with
    CASE_FILE_RELATED), the members, the goals, plans, reviews and boosters, and two
    unions for the rest. The small rows become model instances carrying only the fields
    the page shows. The chronology is the latest CHRONOLOGY_LATEST entries unless
    whole_chronology; "events_total" counts them all."""
    today = today or timezone.localdate()
    team = case.team
    assessment = getattr(case, "assessment", None)
    closure = getattr(case, "closure", None)
    records = _load_records(case)
    people = _people(records)
    held = [r for r in records.reviews if r.held_on]
    _attach_links(records, people, closure, held)
    readings = _readings(case, records, people)
    pending_reviews = [r for r in records.reviews if not r.held_on]
    due = next_due(
        case, today=today, next_review_on=pending_reviews[0].due_on if pending_reviews else None
    )
    for r in records.reviews:
        r.due = Due(str(r), r.due_on, today) if not r.held_on else None
    dated = _dated(records, readings, closure)
    events = _events(dated if whole_chronology else dated[:CHRONOLOGY_LATEST])
    return {
        "members": records.members,
        "assessment": assessment,
        "assessment_clock": _assessment_clock(case, assessment),
        "goals": records.goals,
        "gas_rows": _gas_rows(records.goals, held),
        "reading_pairs": _reading_pairs(readings),
        "plans": records.plans,
        "current_plan": records.plans[0] if records.plans else None,
        "reviews": records.reviews,
        "held_reviews": held,
        "boosters": records.boosters,
        "boosters_left": max(team.booster_limit - len(records.boosters), 0),
        "closure": closure,
        "phase1": _phase1(case, records.contacts, today),
        "next_due": due,
        "events": events,
        "events_total": len(dated),
        "whole_chronology": whole_chronology,
        "chronology_latest": CHRONOLOGY_LATEST,
        "today": today,
    }


@dataclass
class _Records:
    """The case's rows the page shows, each loaded once."""

    members: list[Person]
    links: dict[tuple[str, int], list[Link]]
    history: list[Dated]
    contacts: list[Dated]
    goals: list[Goal]
    plans: list[FamilyPlan]
    reviews: list[Review]
    boosters: list[Booster]


def _load_records(case: Case) -> _Records:
    members = list(Person.objects.filter(family_id=case.family_id).select_related("legal_status"))
    links = _links(case)
    history, contacts = _history_and_contacts(case)
    goals = list(Goal.objects.filter(case=case).select_related("category", "phase1_end_score"))
    plans = list(FamilyPlan.objects.filter(case=case))
    reviews = list(Review.objects.filter(case=case))
    boosters = list(Booster.objects.filter(case=case).select_related("delivered_by", "approved_by"))
    requesters = _labels(Requester.choices)
    for booster in boosters:
        booster.requested_label = requesters.get(booster.requested_by, booster.requested_by)
    return _Records(members, links, history, contacts, goals, plans, reviews, boosters)


def _people(records: _Records) -> dict[int, Person]:
    """The people goals, readings and outcomes name: the family's members, already loaded,
    in their model order (and, only if records point outside the family, those too)."""
    people = {p.pk: p for p in records.members}
    named = [
        link.item
        for (kind, _o), rows in records.links.items()
        if kind in PERSON_KINDS
        for link in rows
    ]
    if missing := set(named) - people.keys():
        people.update(Person.objects.in_bulk(missing))
    return people


def _attach_links(
    records: _Records, people: dict[int, Person], closure: Closure | None, held: list[Review]
) -> None:
    """Give the members, plans, closure and goals the reference items and scores the page
    shows beside them, from the union of links."""
    links = records.links
    position = {pk: i for i, pk in enumerate(people)}  # the people's model order

    def names(kind: str, owner: int) -> list[str]:  # reference items, in their model order
        return [link.text for link in sorted(links[kind, owner], key=lambda r: (r.number, r.text))]

    kinds = _labels(MemberKind.choices)
    for person in records.members:
        person.kind_label = kinds.get(person.kind, person.kind)
        person.substance_names = names("substance", person.pk)
    for plan in records.plans:
        plan.service_names = names("plan_service", plan.pk)
    if closure:
        closure.destination_names = names("destination", closure.pk)
        outcomes = _labels(ChildOutcomeKind.choices)
        closure.outcome_list = [  # (person, outcome, and why when it is not known)
            (people[link.item], _outcome_text(outcomes.get(link.code, link.code), link.text))
            for link in sorted(links["child_outcome", closure.pk], key=lambda r: r.number)
        ]
    for goal in records.goals:
        goal.member_list = sorted(
            (people[link.item] for link in links["goal_member", goal.pk]),
            key=lambda p: position[p.pk],
        )
        goal.by_review = {
            link.item: GoalScore(
                pk=link.pk, goal=goal, review_id=link.item, score=link.number, scored_on=link.day
            )
            for link in links["score", goal.pk]
        }
        goal.start_score = goal.by_review.get(None)
        goal.held_scores = [goal.by_review.get(r.pk) for r in held]  # a cell per held review


def _readings(case: Case, records: _Records, people: dict[int, Person]) -> list[Reading]:
    position = {pk: i for i, pk in enumerate(people)}
    return [
        Reading(
            pk=link.pk,
            case=case,
            person=people[link.item],
            instrument=link.text,
            occasion=link.code,
            taken_on=link.day,
            total=link.number,
            sdq_informant=link.extra or "",
            recorded_by_id=link.author,
            metric_score=(swemwbs_metric(link.number) if link.text == Instrument.SWEMWBS else None),
        )
        for link in sorted(
            records.links["reading", case.pk], key=lambda r: (position[r.item], r.text, r.day)
        )
    ]


def _assessment_clock(case: Case, assessment: Any) -> dict[str, Any]:
    """The assessment clock, from where the team's target starts counting."""
    team = case.team
    due_at = assessment_due(case)
    assessment_clock = {
        "due_at": due_at,
        "mode": team.get_assessment_clock_display(),
        "hours": team.assessment_hours,
        "elapsed": None,
        "met": None,
    }
    if assessment and assessment.completed_at:
        elapsed = clock.hours_between(
            case.assessment_clock_from, assessment.completed_at, team.assessment_clock
        )
        assessment_clock["elapsed"] = round(elapsed, 1)
        assessment_clock["met"] = elapsed <= team.assessment_hours
    assessment_clock["overdue"] = (
        not (assessment and assessment.completed_at) and timezone.now() > due_at
    )
    return assessment_clock


def _phase1(case: Case, contacts: list[Dated], today: date) -> dict[str, Any] | None:
    """Phase 1: week number and direct hours against the guideline."""
    if not case.phase1_start:
        return None
    team = case.team
    direct_minutes = sum(
        c.minutes
        for c in contacts
        if c.stage == pathway.Stage.PHASE1
        and c.work_type == WorkType.DIRECT
        and c.status == EntryStatus.CURRENT
    )
    phase1 = pathway.phase1_progress(
        start=case.phase1_start,
        today=case.phase1_end or today,
        direct_hours=direct_minutes / 60,
        min_weeks=team.phase1_min_weeks,
        max_weeks=team.phase1_max_weeks,
        min_hours=team.phase1_min_hours,
    )
    phase1["running"] = case.stage == pathway.Stage.PHASE1
    return phase1


def _gas_rows(goals: list[Goal], held: list[Review]) -> list[dict[str, Any]]:
    """Goals: the family GAS T-score at the start and after each held review."""
    gas_rows = []
    occasions: list[tuple[str, int | None, date | None]] = [(_("Start"), None, None)]
    occasions += [(str(r), r.pk, r.held_on) for r in held]
    for label, review_id, held_on in occasions:
        scored = [
            (g.by_review[review_id].score, g.weight) for g in goals if review_id in g.by_review
        ]
        if scored:
            t = gas_t_score([s for s, _w in scored], [w for _s, w in scored])
            at_or_above = sum(1 for s, _w in scored if s >= 0)
            gas_rows.append(
                {
                    "label": label,
                    "held_on": held_on,
                    "t_score": round(t, 1) if t is not None else None,
                    "at_or_above": at_or_above,
                    "count": len(scored),
                }
            )
    return gas_rows


def _reading_pairs(readings: list[Reading]) -> list[dict[str, Any]]:
    """Readings: before and after, matched per person and measure."""
    pairs: dict[tuple[int, str], dict] = {}
    for r in readings:
        row = pairs.setdefault(
            (r.person_id, r.instrument), {"person": r.person, "instrument": r.instrument}
        )
        row[r.occasion] = r
        row.setdefault("entries", []).append(r)
    reading_pairs = []
    for row in pairs.values():
        before = row.get("start")
        after = row.get("closure") or row.get("end_phase1")
        row["before"], row["after"] = before, after
        row["change"] = (after.score - before.score) if before and after else None
        row["label"] = Instrument(row["instrument"]).label
        reading_pairs.append(row)
    return reading_pairs


def _dated(
    records: _Records, readings: list[Reading], closure: Closure | None
) -> list[tuple[datetime, str, Any]]:
    """The chronology, newest first. Every entry is dated and counted, but only those shown
    become events: a large family has a hundred, and the page shows the latest few."""
    dated: list[tuple[datetime, str, Any]] = [(h.at, "stage", h) for h in records.history]
    dated += [(c.at, "contact", c) for c in records.contacts]
    dated += [(_at(p.agreed_on), "plan", p) for p in records.plans]
    dated += [(_at(r.held_on), "review", r) for r in records.reviews if r.held_on]
    dated += [(_at(b.delivered_on), "booster", b) for b in records.boosters]
    dated += [(_at(g.start_score.scored_on), "goal", g) for g in records.goals if g.start_score]
    dated += [(_at(r.taken_on), "reading", r) for r in readings]
    if closure:
        dated.append((_at(closure.closed_on), "closure", closure))
    dated.sort(key=lambda d: d[0], reverse=True)  # stable: same-time entries keep their order
    return dated


@dataclass
class RetiredRow:
    """An amended or withdrawn entry on the case's corrections page."""

    kind: str
    entry: Any
    summary: str
    replacement: str  # what replaced it ("" when withdrawn)

    @property
    def status(self) -> str:
        return self.entry.get_entry_status_display()


def _summary(kind: str, obj: Any) -> str:
    match kind:
        case "contact":
            when = timezone.localtime(obj.started_at).strftime("%d %b %Y %H:%M")
            return _("%(mode)s, %(mins)s min, %(when)s (%(work)s)") % {
                "mode": obj.get_mode_display(),
                "mins": obj.duration_minutes,
                "when": when,
                "work": obj.get_work_type_display(),
            }
        case "goal":
            return _("%(title)s (baseline %(b)+d)") % {"title": obj.title, "b": obj.baseline}
        case "score":
            return _("%(goal)s: %(s)+d on %(d)s") % {
                "goal": obj.goal.title,
                "s": obj.score,
                "d": obj.scored_on.strftime("%d %b %Y"),
            }
        case "reading":
            return _("%(m)s %(t)s for %(p)s (%(o)s, %(d)s)") % {
                "m": obj.get_instrument_display(),
                "t": obj.total,
                "p": obj.person.full_name,
                "o": obj.get_occasion_display(),
                "d": obj.taken_on.strftime("%d %b %Y"),
            }
        case "review":
            held = obj.held_on.strftime("%d %b %Y") if obj.held_on else _("not held")
            return f"{obj} ({held})"
    return str(obj)


def retired_entries(case: Case) -> list[RetiredRow]:
    """Every amended or withdrawn entry of the case, newest first, with what replaced it."""
    sources = [
        ("contact", Contact.all_versions.filter(case=case), ()),
        ("goal", Goal.all_versions.filter(case=case), ()),
        ("score", GoalScore.all_versions.filter(goal__case=case), ("goal",)),
        ("reading", Reading.all_versions.filter(case=case), ("person",)),
        ("review", Review.all_versions.filter(case=case), ()),
    ]
    rows = []
    for kind, qs, related in sources:
        retired = list(
            qs.exclude(entry_status=EntryStatus.CURRENT).select_related("retired_by", *related)
        )
        if not retired:
            continue
        replacements = {
            r.corrects_id: r
            for r in type(retired[0])
            .all_versions.filter(corrects__in=retired)
            .select_related(*related)
        }
        for entry in retired:
            new = replacements.get(entry.pk)
            rows.append(
                RetiredRow(kind, entry, _summary(kind, entry), _summary(kind, new) if new else "")
            )
    rows.sort(key=lambda r: r.entry.retired_at, reverse=True)
    return rows
