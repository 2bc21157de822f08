"""The IFSS pathway as a table. No ORM here: this module is tested without a database."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from .deadlines import DAYS_PER_WEEK, PHASE1_FIRST_WEEK


class Stage(StrEnum):
    AWAITING_ASSESSMENT = "awaiting_assessment"
    ASSESSMENT = "assessment"
    PHASE1 = "phase1"
    STEP_DOWN = "step_down"
    PHASE2 = "phase2"
    CLOSED = "closed"


LABELS = {
    Stage.AWAITING_ASSESSMENT: _("Awaiting assessment"),
    Stage.ASSESSMENT: _("Assessment"),
    Stage.PHASE1: _("Phase 1"),
    Stage.STEP_DOWN: _("Step-down"),
    Stage.PHASE2: _("Phase 2"),
    Stage.CLOSED: _("Closed"),
}

CHOICES = [(stage.value, LABELS[stage]) for stage in Stage]

# Where every case starts: allocation opens it awaiting its assessment.
FIRST_STAGE = Stage.AWAITING_ASSESSMENT
OPEN_STAGES = tuple(s for s in Stage if s is not Stage.CLOSED)
# Stages that count against a practitioner's intensive capacity (DOMAIN.md section 2).
INTENSIVE_STAGES = (
    Stage.AWAITING_ASSESSMENT,
    Stage.ASSESSMENT,
    Stage.PHASE1,
    Stage.STEP_DOWN,
)

# Which stage may follow which. Early closure is allowed from any open stage.
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    Stage.AWAITING_ASSESSMENT: frozenset({Stage.ASSESSMENT, Stage.CLOSED}),
    Stage.ASSESSMENT: frozenset({Stage.PHASE1, Stage.CLOSED}),
    Stage.PHASE1: frozenset({Stage.STEP_DOWN, Stage.PHASE2, Stage.CLOSED}),
    Stage.STEP_DOWN: frozenset({Stage.PHASE2, Stage.CLOSED}),
    Stage.PHASE2: frozenset({Stage.CLOSED}),
    Stage.CLOSED: frozenset(),
}


def can_move(current: Stage | str, target: Stage | str, *, step_down_enabled: bool) -> bool:
    current, target = Stage(current), Stage(target)
    if target not in TRANSITIONS[current]:
        return False
    if target is Stage.STEP_DOWN and not step_down_enabled:
        return False
    return True


def next_stages(current: Stage | str, *, step_down_enabled: bool) -> list[Stage]:
    return [s for s in Stage if can_move(current, s, step_down_enabled=step_down_enabled)]


# --- Guards -------------------------------------------------------------------------
# A guard looks at plain facts about a case (gathered by the service) and returns the
# reason a move is refused, or None. No database access here.


class CaseFacts:
    __slots__ = ("stage", "step_down_enabled", "assessment_decision", "has_plan")

    def __init__(
        self,
        *,
        stage: Stage | str,
        step_down_enabled: bool = False,
        assessment_decision: str = "",
        has_plan: bool = False,
    ) -> None:
        self.stage = Stage(stage)
        self.step_down_enabled = step_down_enabled
        self.assessment_decision = assessment_decision
        self.has_plan = has_plan


def refusal(facts: CaseFacts, target: Stage | str) -> str | None:
    """Why the case may not move to target, or None if it may."""
    target = Stage(target)
    if not can_move(facts.stage, target, step_down_enabled=facts.step_down_enabled):
        return str(
            _("A case cannot move from %(a)s to %(b)s.")
            % {"a": LABELS[facts.stage], "b": LABELS[target]}
        )
    if target is Stage.PHASE1 and facts.assessment_decision != "proceed":
        return str(_("Phase 1 starts only after a decision to proceed at assessment."))
    if target in (Stage.STEP_DOWN, Stage.PHASE2) and not facts.has_plan:
        return str(_("Agree the Family Plan before Phase 1 ends."))
    return None


# --- What a case page offers -----------------------------------------------------------
# The case page asks this table which buttons and links to show; templates never compare
# stage strings. The services still check every write: this decides what is offered.


class Action(StrEnum):
    START_ASSESSMENT = "start_assessment"
    RECORD_ASSESSMENT = "record_assessment"
    DECIDE = "decide"  # the decision to proceed (to Phase 1) after the assessment
    LOG_WORK = "log_work"  # contacts, goals and readings
    WRITE_PLAN = "write_plan"  # agree or revise the Family Plan
    END_PHASE1 = "end_phase1"
    FINISH_STEP_DOWN = "finish_step_down"
    RECORD_BOOSTER = "record_booster"
    RECORD_REVIEW = "record_review"
    RECORD_SERVICES_AFTER = "record_services_after"  # services used after the work
    CLOSE = "close"
    RESTRICT = "restrict"
    SIGN_OFF = "sign_off"  # a pending request to end Phase 1 early
    OVERRIDE = "override"  # the closure's derived success
    CORRECT_ANY = "correct_any"  # correct or withdraw anyone's entries, not only one's own
    CORRECTIONS = "corrections"  # the case's corrections page
    CONSENT = "consent"


# "After the work" is what a family member uses once the intensive work is over: from
# Phase 2 (after Phase 1 and any step-down), or at closure, early or not.
SERVICES_AFTER_STAGES = frozenset({Stage.PHASE2, Stage.CLOSED})
PLAN_STAGES = frozenset({Stage.PHASE1, Stage.STEP_DOWN, Stage.PHASE2})
# One stage, one button that moves the case on (or opens the form that does).
STAGE_ACTIONS = {
    Stage.AWAITING_ASSESSMENT: {Action.START_ASSESSMENT},
    Stage.ASSESSMENT: {Action.RECORD_ASSESSMENT},
    Stage.PHASE1: {Action.END_PHASE1},
    Stage.STEP_DOWN: {Action.FINISH_STEP_DOWN},
    Stage.PHASE2: {Action.RECORD_BOOSTER},
    Stage.CLOSED: set(),
}
# A manager of the case's team may also do these.
MANAGER_ACTIONS = frozenset({Action.RESTRICT, Action.OVERRIDE, Action.CORRECT_ANY})


def actions(
    facts: CaseFacts, *, is_manager: bool, signoff_pending: bool = False
) -> frozenset[Action]:
    """What the case page offers for a case in this state to this user: a manager of the
    case's team, or another member who may see it (a practitioner, say)."""
    stage = facts.stage
    offered = {Action.CORRECTIONS, Action.CONSENT, *STAGE_ACTIONS[stage]}
    if stage is Stage.ASSESSMENT and can_move(
        stage, Stage.PHASE1, step_down_enabled=facts.step_down_enabled
    ):
        offered.add(Action.DECIDE)
    if stage is not Stage.CLOSED:
        offered.add(Action.RECORD_REVIEW)
        if stage is not Stage.AWAITING_ASSESSMENT:
            offered.add(Action.LOG_WORK)
    if stage in PLAN_STAGES:
        offered.add(Action.WRITE_PLAN)
    if stage in SERVICES_AFTER_STAGES:
        offered.add(Action.RECORD_SERVICES_AFTER)
    if can_move(stage, Stage.CLOSED, step_down_enabled=facts.step_down_enabled):
        offered.add(Action.CLOSE)
    if is_manager:
        offered |= MANAGER_ACTIONS
        if signoff_pending:
            offered.add(Action.SIGN_OFF)
    return frozenset(offered)


# --- Phase 1 progress ----------------------------------------------------------------

GUIDELINE_MIN_HOURS = 40
GUIDELINE_MAX_HOURS = 120
# Hours are projected only from a full week of work: a day or two says nothing.
PROJECT_AFTER_DAYS = PHASE1_FIRST_WEEK.days


def phase1_progress(
    *,
    start: date,
    today: date,
    direct_hours: float,
    min_weeks: int,
    max_weeks: int,
    min_hours: int,
) -> dict[str, float | int | bool]:
    """Week number against the 4-6 week target, and hours projected to the planned end.
    The projection warns (below the team's minimum, or past the guideline's maximum) only
    once a full week has passed."""
    elapsed_days = max((today - start).days + 1, 1)
    week = (elapsed_days - 1) // DAYS_PER_WEEK + 1
    planned_days = max_weeks * DAYS_PER_WEEK
    projected = direct_hours / elapsed_days * planned_days if elapsed_days else 0.0
    can_project = (today - start).days >= PROJECT_AFTER_DAYS
    return {
        "week": week,
        "min_weeks": min_weeks,
        "max_weeks": max_weeks,
        "direct_hours": round(direct_hours, 1),
        "projected_hours": round(projected, 1),
        "guideline_min": GUIDELINE_MIN_HOURS,
        "guideline_max": GUIDELINE_MAX_HOURS,
        "can_project": can_project,
        "below_minimum": can_project and projected < min_hours,
        "above_maximum": can_project and projected > GUIDELINE_MAX_HOURS,
        "min_hours": min_hours,
        "overrun": week > max_weeks,
        "percent_of_guideline": min(round(direct_hours / GUIDELINE_MAX_HOURS * 100), 100),
    }


def phase1_shortfall(
    *, start: date, ended_on: date, direct_hours: float, min_weeks: int, min_hours: int
) -> list[str]:
    """How a Phase 1 ending on ended_on falls short of the team's model: fewer days than
    its minimum weeks, or fewer direct hours than its minimum. Empty when it does not."""
    short = []
    days = (ended_on - start).days
    if days < min_weeks * DAYS_PER_WEEK:
        short.append(
            str(_("%(days)s days of the %(min)s-week minimum") % {"days": days, "min": min_weeks})
        )
    if direct_hours < min_hours:
        short.append(
            str(
                _("%(hours)s of the %(min)s-hour minimum of direct work")
                % {"hours": f"{round(direct_hours, 1):g}", "min": min_hours}
            )
        )
    return short
