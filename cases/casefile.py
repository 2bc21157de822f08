"""Everything the case page shows, loaded in a fixed number of queries, plus the
deadlines a case is working towards. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from outcomes.gas import gas_t_score
from outcomes.models import Goal, Instrument, Reading
from reviews.models import Booster, Review

from . import clock, pathway
from .models import Assessment, Case, Closure, Contact, FamilyPlan, StageChange, WorkType

DUE_SOON_DAYS = 7


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
    return clock.add_hours(case.assessment_clock_from, team.assessment_hours, team.assessment_clock)


def next_due(case: Case, *, today: date, next_review_on: date | None) -> Due | None:
    """The next deadline for a case, from fields already loaded (no queries)."""
    stage = pathway.Stage(case.stage)
    if stage in (pathway.Stage.AWAITING_ASSESSMENT, pathway.Stage.ASSESSMENT):
        due = timezone.localtime(assessment_due(case)).date()
        return Due(_("Assessment"), due, today)
    if stage is pathway.Stage.PHASE1 and case.phase1_start:
        return Due(
            _("End of Phase 1"),
            case.phase1_start + timedelta(weeks=case.team.phase1_max_weeks),
            today,
        )
    if stage in (pathway.Stage.STEP_DOWN, pathway.Stage.PHASE2) and next_review_on:
        return Due(_("Review"), next_review_on, today)
    return None


def attach_due(cases: list[Case], today: date) -> list[Case]:
    """Give each case (annotated by with_list_figures) its next deadline and week's hours."""
    for case in cases:
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


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def build_case_file(case: Case, *, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    team = case.team
    assessment = Assessment.objects.filter(case=case).select_related("not_proceed_reason").first()
    history = list(StageChange.objects.filter(case=case).select_related("changed_by"))
    contacts = list(
        Contact.objects.filter(case=case)
        .select_related("recorded_by")
        .prefetch_related("people_seen", "methods")
    )
    goals = list(
        Goal.objects.filter(case=case)
        .select_related("category")
        .prefetch_related("members", "scores")
    )
    readings = list(Reading.objects.filter(case=case).select_related("person"))
    plans = list(
        FamilyPlan.objects.filter(case=case)
        .select_related("created_by")
        .prefetch_related("invited_services")
    )
    reviews = list(
        Review.objects.filter(case=case)
        .select_related("recorded_by")
        .prefetch_related("services_signposted")
    )
    boosters = list(Booster.objects.filter(case=case).select_related("delivered_by", "approved_by"))
    closure = (
        Closure.objects.filter(case=case)
        .select_related("reason", "closed_by", "overridden_by")
        .prefetch_related("child_outcomes__person", "destination_services")
        .first()
    )

    # The assessment clock, from receipt of the referral.
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

    # Phase 1: week number and direct hours against the guideline.
    phase1 = None
    if case.phase1_start:
        direct_minutes = sum(
            c.duration_minutes
            for c in contacts
            if c.stage == pathway.Stage.PHASE1 and c.work_type == WorkType.DIRECT
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

    # Goals: the family GAS T-score at the start and after each held review.
    for goal in goals:
        goal.by_review = {s.review_id: s for s in goal.scores.all()}
        goal.start_score = goal.by_review.get(None)
    gas_rows = []
    occasions: list[tuple[str, int | None, date | None]] = [(_("Start"), None, None)]
    occasions += [(str(r), r.pk, r.held_on) for r in reviews if r.held_on]
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

    # Readings: before and after, matched per person and measure.
    pairs: dict[tuple[int, str], dict] = {}
    for r in readings:
        row = pairs.setdefault(
            (r.person_id, r.instrument), {"person": r.person, "instrument": r.instrument}
        )
        row[r.occasion] = r
    reading_pairs = []
    for row in pairs.values():
        before = row.get("start")
        after = row.get("closure") or row.get("end_phase1")
        row["before"], row["after"] = before, after
        row["change"] = (after.total - before.total) if before and after else None
        row["label"] = Instrument(row["instrument"]).label
        reading_pairs.append(row)

    pending_reviews = [r for r in reviews if not r.held_on]
    due = next_due(
        case, today=today, next_review_on=pending_reviews[0].due_on if pending_reviews else None
    )
    for r in reviews:
        r.due = Due(str(r), r.due_on, today) if not r.held_on else None

    events = [
        Event(h.changed_at, "stage", pathway.LABELS[pathway.Stage(h.to_stage)], h.note)
        for h in history
    ]
    events += [
        Event(
            c.started_at,
            "contact",
            _("%(mode)s, %(mins)s min")
            % {"mode": c.get_mode_display(), "mins": c.duration_minutes},
            c.notes,
        )
        for c in contacts
    ]
    events += [Event(_at(p.agreed_on), "plan", str(p), p.agreed_with) for p in plans]
    events += [Event(_at(r.held_on), "review", str(r), r.progress) for r in reviews if r.held_on]
    events += [
        Event(_at(b.delivered_on), "booster", str(b), b.get_requested_by_display())
        for b in boosters
    ]
    events += [
        Event(_at(g.start_score.scored_on), "goal", g.title, g.category.name)
        for g in goals
        if g.start_score
    ]
    events += [
        Event(_at(r.taken_on), "reading", f"{r.get_instrument_display()}: {r.total}", str(r.person))
        for r in readings
    ]
    if closure:
        events.append(Event(_at(closure.closed_on), "closure", str(closure.reason), closure.notes))
    events.sort(key=lambda e: e.when, reverse=True)

    return {
        "assessment": assessment,
        "assessment_clock": assessment_clock,
        "history": history,
        "contacts": contacts,
        "goals": goals,
        "gas_rows": gas_rows,
        "reading_pairs": reading_pairs,
        "plans": plans,
        "current_plan": plans[0] if plans else None,
        "reviews": reviews,
        "boosters": boosters,
        "boosters_left": max(team.booster_limit - len(boosters), 0),
        "closure": closure,
        "phase1": phase1,
        "next_due": due,
        "events": events,
        "today": today,
    }
